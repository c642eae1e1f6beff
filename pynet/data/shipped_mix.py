"""The shipped model's training mix: MNIST's images plus drawings made the
page's way -- MNIST training digits traced into strokes (``traced_mnist.py``) and
typeset digits from font files (``fonts.py``), each varied like a person's
hand -- plus scribbles to be unsure of (``scribbles.py``, added by
``recipes.fit``).

Drawings are made only from the images they are added to: the training split
for training, the held-out split (and the validation font families) for
validation. The MNIST test set and the test font families are never touched
here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from pynet.nn.model import as_float_pixels

from . import fonts
from .mnist import TrainingSplits
from .stroke_variation import DEFAULT, StrokeVariation
from .traced_mnist import as_pixels, draw, parallel_map, traced_drawings


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


def extend(mix: DrawnMix, x_tr: np.ndarray, y_tr: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
           fonts_dir: str | os.PathLike[str] | None = None, processes: int | None = None) -> TrainingSplits:
    """The training and validation sets (images ``(N, 784)``, uint8 pixels or
    floats in [0, 1], and labels) with ``mix``'s drawings appended to each, in
    the images' own dtype; the images are jittered when training augments,
    the drawings only if ``mix.jitter_drawings``."""
    if mix.font_copies or mix.val_font_copies:  # fail before minutes of drawing, not after
        fonts.require_pillow()
        for family in (*fonts.TRAIN_FAMILIES, *fonts.VALIDATION_FAMILIES):
            fonts.font_files(family, fonts_dir)
    train_parts, val_parts = [(x_tr, y_tr)] * mix.image_repeats, [(x_val, y_val)]
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

    x_train, y_train = joined(train_parts)
    jitter = np.ones(len(y_train), dtype=bool)
    jitter[len(y_tr) * mix.image_repeats :] = mix.jitter_drawings
    return TrainingSplits(x_train, y_train, *joined(val_parts), jitter=jitter)
