"""Drawings made from MNIST's handwriting, for training on what the page feeds
the model: each digit thinned to its centre line and traced into pen strokes
(``skeleton.py``), varied like a person's hand (``stroke_variation.py``) and
rendered by the page's own renderer (``strokes.render_strokes``).

The tracing varies too -- the ink threshold and how long a branch must be to
count as a stroke rather than a spur -- so the model does not learn the quirks
of one tracer's output (the measurement also uses an independent tracer:
``build/second_tracer.py``).

Every drawing is keyed by ``(seed, index, copy)``: the same arguments give the
same images bit for bit, however many processes make them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from pynet.input.skeleton import image_strokes
from pynet.input.strokes import render_strokes

from .stroke_variation import DEFAULT, StrokeVariation, vary

THRESHOLDS = (60, 180)  # ink threshold range for tracing a 0-255 MNIST digit
SPUR_POINTS = (2, 5)  # paths shorter than this many pixels are dropped as spurs (range)


def traced(image: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """A 28x28 (or flat 784) uint8 digit as strokes in its unit box, with a
    random threshold and spur length (a faint digit falls back to any ink)."""
    image = np.asarray(image).reshape(28, 28)
    threshold = int(rng.integers(THRESHOLDS[0], THRESHOLDS[1] + 1))
    min_points = int(rng.integers(SPUR_POINTS[0], SPUR_POINTS[1] + 1))
    try:
        strokes = image_strokes(image, threshold, min_points)
    except ValueError:
        strokes = image_strokes(image, 1, min_points)
    return [np.asarray(s, dtype=np.float64) for s in strokes]


def as_pixels(image: np.ndarray | None) -> np.ndarray:
    """A rendered ``(784,)`` float image as uint8 pixels (MNIST's format)."""
    if image is None:
        return np.zeros(784, dtype=np.uint8)
    return np.round(image * 255).astype(np.uint8)


def draw(strokes: Sequence[np.ndarray], rng: np.random.Generator, variation: StrokeVariation = DEFAULT) -> np.ndarray:
    """One person's rendering of ``strokes``: varied, then drawn as the page draws."""
    return as_pixels(render_strokes(vary(list(strokes), rng, variation)))


def _traced_chunk(args: tuple[np.ndarray, int, int, int, StrokeVariation]) -> np.ndarray:
    images, first, seed, copies, variation = args
    out = np.empty((len(images), copies, 784), dtype=np.uint8)
    for i, image in enumerate(images):
        for c in range(copies):
            rng = np.random.default_rng((seed, first + i, c))
            out[i, c] = draw(traced(image, rng), rng, variation)
    return out


def parallel_map(work: Callable, chunks: list, processes: int | None) -> list:
    """``[work(c) for c in chunks]``, on ``processes`` worker processes when
    more than one (default: every core). Results come back in order, so the
    output does not depend on the number of processes."""
    processes = processes or os.cpu_count() or 1
    if processes <= 1 or len(chunks) <= 1:
        return [work(c) for c in chunks]
    import multiprocessing  # not in the browser: this path is native training only

    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.map(work, chunks, chunksize=1)


def traced_drawings(images: np.ndarray, seed: int, copies: int = 1, variation: StrokeVariation = DEFAULT,
                    processes: int | None = None, chunk: int = 500) -> np.ndarray:
    """``copies`` drawings of each MNIST digit in ``images`` ``(N, 784)``
    uint8, as ``(N * copies, 784)`` uint8, the copies of image ``i`` at rows
    ``i * copies`` onwards. About 4 ms a drawing on one core (measured natively,
    shared machine: thinning, tracing, variation and rendering)."""
    jobs = [(images[s : s + chunk], s, seed, copies, variation) for s in range(0, len(images), chunk)]
    parts = parallel_map(_traced_chunk, jobs, processes)
    return np.concatenate(parts).reshape(-1, 784) if parts else np.zeros((0, 784), np.uint8)
