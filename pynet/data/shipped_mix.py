"""The shipped model's training mix: MNIST's images plus drawings made the
page's way -- MNIST training digits traced into strokes (``traced_mnist.py``) and
typeset digits from font files (``fonts.py``), each varied like a person's
hand -- plus pictures of training digits with damage (``damage.py``) as the
picture path reads them, plus scribbles to be unsure of (``scribbles.py``,
added by ``recipes.fit``).

Drawings are made only from the images they are added to: the training split
for training, the held-out split (and the validation font families) for
validation. The MNIST test set and the test font families are never touched
here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from pynet.input.preprocess import read_picture
from pynet.nn.model import as_float_pixels

from . import fonts
from .damage import KINDS, damaged
from .mnist import TrainingSplits
from .stroke_variation import DEFAULT, StrokeVariation
from .traced_mnist import as_pixels, draw, parallel_map, traced_drawings

DAMAGE_SEED = 29  # with the mix's seed, keys the damaged pictures (issue 29)


@dataclass(frozen=True)
class DrawnMix:
    """How many drawings join the images (a recipe's data, by value)."""

    image_repeats: int = 1  # times each MNIST training image comes in an epoch (jittered anew each time)
    traced_copies: int = 2  # drawings of each MNIST training digit
    font_copies: int = 24  # varied drawings of each training glyph (digit x family x style)
    crossed_sevens: float = 0.5  # share of a font 7's copies drawn with a crossbar
    val_traced_copies: int = 1  # drawings of each held-out digit, added to the validation set
    val_font_copies: int = 8
    seed: int = 1
    variation: StrokeVariation = DEFAULT
    # Whether the drawings get the bitmap jitter (random shifts, rotation,
    # scale, shear) that augmentation gives MNIST's images. The page centres
    # every drawing by mass, and the strokes were varied already.
    jitter_drawings: bool = True
    # (kind, how many training digits) pictured with that damage (damage.KINDS)
    # and read by the picture path: what the network sees of a damaged
    # picture once the path has cleaned what it can (issue 29).
    damaged: tuple[tuple[str, int], ...] = ()
    damaged_repeats: int = 1  # times each comes in an epoch (jittered anew each time)


def as_uint8(x: np.ndarray) -> np.ndarray:
    """Images as uint8 pixels (floats in [0, 1] are scaled and rounded)."""
    return x if x.dtype == np.uint8 else np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)


def _glyph_chunk(args: tuple[list, int, int, float, StrokeVariation]) -> np.ndarray:
    glyphs, seed, copies, crossed, variation = args
    out = np.empty((len(glyphs), copies, 784), dtype=np.uint8)
    for g, (index, digit, strokes) in enumerate(glyphs):
        for c in range(copies):
            rng = np.random.default_rng((seed, index, c))
            shape = fonts.with_crossbar(strokes, rng) if digit == 7 and rng.random() < crossed else strokes
            out[g, c] = draw(shape, rng, variation)
    return out


def font_drawings(families: tuple[str, ...], copies: int, seed: int, crossed_sevens: float = 0.0,
                  variation: StrokeVariation = DEFAULT, fonts_dir: str | os.PathLike[str] | None = None,
                  processes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``copies`` varied drawings of every digit glyph of ``families``:
    ``(images (N, 784) uint8, labels (N,) int64)``."""
    glyphs = fonts.digit_glyphs(families, fonts_dir)
    items = [(i, digit, strokes) for i, (digit, strokes, _) in enumerate(glyphs)]
    jobs = [(items[s : s + 40], seed, copies, crossed_sevens, variation) for s in range(0, len(items), 40)]
    images = np.concatenate(parallel_map(_glyph_chunk, jobs, processes)).reshape(-1, 784)
    labels = np.repeat([digit for digit, _, _ in glyphs], copies).astype(np.int64)
    return images, labels


def plain_font_drawings(families: tuple[str, ...], fonts_dir: str | os.PathLike[str] | None = None
                        ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every glyph drawn once, as typeset (no variation): images, labels, names."""
    from pynet.input.strokes import render_strokes

    glyphs = fonts.digit_glyphs(families, fonts_dir)
    images = np.stack([as_pixels(render_strokes(strokes)) for _, strokes, _ in glyphs])
    return images, np.array([d for d, _, _ in glyphs], dtype=np.int64), [f"{n} {d}" for d, _, n in glyphs]


def _damaged_chunk(args: tuple[str, np.ndarray, np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    kind, indices, images, seed = args
    out = np.zeros((len(images), 784), dtype=np.uint8)
    found = np.zeros(len(images), dtype=bool)
    for j, (i, image) in enumerate(zip(indices, images)):
        rng = np.random.default_rng((seed, DAMAGE_SEED, KINDS.index(kind), int(i)))
        picture = read_picture(damaged(kind, image, rng, variant=int(i)))
        if picture is not None:
            out[j], found[j] = as_pixels(picture.input), True
    return out, found


def damaged_inputs(counts: tuple[tuple[str, int], ...], images: np.ndarray, labels: np.ndarray, seed: int,
                   processes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each ``(kind, n)`` of ``counts``, ``n`` of the digits ``images``
    ``(N, 784)`` uint8 (drawn at random, seeded by ``seed``) pictured with
    that damage (``damage.damaged``) and read by the single-digit picture
    path (``preprocess.read_picture``): the network inputs ``(M, 784)``
    uint8 and their labels ``(M,)``; a picture where the path finds no
    digit is left out. About 35 ms a picture natively; the same on any
    number of ``processes``."""
    pick = np.random.default_rng((seed, DAMAGE_SEED))
    jobs = []
    for kind, n in counts:
        chosen = np.sort(pick.choice(len(images), n, replace=False))
        jobs += [(kind, chosen[s : s + 100], images[chosen[s : s + 100]], seed) for s in range(0, n, 100)]
    parts = parallel_map(_damaged_chunk, jobs, processes)
    x = np.concatenate([x for x, _ in parts]) if parts else np.zeros((0, 784), np.uint8)
    found = np.concatenate([f for _, f in parts]) if parts else np.zeros(0, bool)
    y = np.concatenate([labels[indices] for _, indices, _, _ in jobs]) if jobs else np.zeros(0, np.int64)
    return x[found], y[found].astype(np.int64)


def extend(mix: DrawnMix, x_tr: np.ndarray, y_tr: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
           fonts_dir: str | os.PathLike[str] | None = None, processes: int | None = None) -> TrainingSplits:
    """The training and validation sets (images ``(N, 784)``, uint8 pixels or
    floats in [0, 1], and labels) with ``mix``'s drawings appended to each,
    and its damaged pictures' inputs to the training set, in the images' own
    dtype; the images and the damaged pictures' inputs are jittered when
    training augments, the drawings only if ``mix.jitter_drawings``."""
    if mix.font_copies or mix.val_font_copies or mix.damaged:  # fail before minutes of drawing, not after
        fonts.require_pillow()
        for family in (*fonts.TRAIN_FAMILIES, *fonts.VALIDATION_FAMILIES):
            fonts.font_files(family, fonts_dir)
    train_parts, val_parts = [(x_tr, y_tr)] * mix.image_repeats, [(x_val, y_val)]
    damaged_parts = []
    if mix.damaged and mix.damaged_repeats:
        damaged_parts = [damaged_inputs(mix.damaged, as_uint8(x_tr), y_tr, mix.seed, processes)] * mix.damaged_repeats
    if mix.traced_copies:
        train_parts.append((traced_drawings(as_uint8(x_tr), mix.seed, mix.traced_copies, mix.variation, processes),
                            np.repeat(y_tr, mix.traced_copies)))
    if mix.val_traced_copies:
        val_parts.append((traced_drawings(as_uint8(x_val), mix.seed + 1, mix.val_traced_copies, mix.variation,
                                          processes), np.repeat(y_val, mix.val_traced_copies)))
    if mix.font_copies:
        train_parts.append(font_drawings(fonts.TRAIN_FAMILIES, mix.font_copies, mix.seed, mix.crossed_sevens,
                                         mix.variation, fonts_dir, processes))
    if mix.val_font_copies:
        val_parts.append(font_drawings(fonts.VALIDATION_FAMILIES, mix.val_font_copies, mix.seed + 1,
                                       mix.crossed_sevens, mix.variation, fonts_dir, processes))

    def joined(parts):
        return (np.concatenate([as_float_pixels(x, x_tr.dtype) if x_tr.dtype != np.uint8 else x for x, _ in parts]),
                np.concatenate([y.astype(np.int64) for _, y in parts]))

    x_train, y_train = joined(train_parts + damaged_parts)
    jitter = np.ones(len(y_train), dtype=bool)  # the images, and the damaged pictures' inputs at the end
    drawn = sum(len(y) for _, y in train_parts)
    jitter[len(y_tr) * mix.image_repeats : drawn] = mix.jitter_drawings
    return TrainingSplits(x_train, y_train, *joined(val_parts), jitter=jitter)
