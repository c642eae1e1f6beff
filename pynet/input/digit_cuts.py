"""Where to cut a group of touching digits, and the network's quick reading
of each cut (``number_picture._split`` chooses among them).

A cut is a column where the ink is thinnest, within ``CUT_RANGE`` of the
group's width, that leaves both parts as tall as a digit of the row. Each
candidate is scored by the network's quick reading of its two parts
(``ranking_input``: MNIST's recipe on the part's own mask, none of the
single-digit path's search for the ink); a cut's score is the smaller of its
parts' top probabilities. See ``docs/numbers.md`` for the measurements.
Pure NumPy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .background import square_extreme
from .components import stroke_width
from .preprocess import preprocess_bitmap

Reader = Callable[[np.ndarray], np.ndarray]  # inputs (k, 784) -> probabilities (k, 10)

CUT_RANGE = (0.2, 0.8)  # a cut lies within this share of the group's width


def candidate_cuts(owned: np.ndarray, count: int, min_height: float = 0.0) -> np.ndarray:
    """The ``count`` thinnest columns of ``owned`` ``(h, w)`` bool within
    ``CUT_RANGE`` of its width, thinnest first, at least a tenth of its
    width apart, that leave both parts at least ``min_height`` rows high
    (``part_heights``); fewer, or none, when fewer such columns exist."""
    w = owned.shape[1]
    ink = owned.sum(axis=0).astype(np.float64)
    lo, hi = int(CUT_RANGE[0] * w), max(int(CUT_RANGE[0] * w) + 1, int(CUT_RANGE[1] * w))
    order = lo + np.argsort(ink[lo:hi], kind="stable")
    left, right = part_heights(owned)
    order = order[(left[order] >= min_height) & (right[order] >= min_height)]
    chosen: list[int] = []
    for c in order:
        if all(abs(int(c) - k) >= max(1, w // 10) for k in chosen):
            chosen.append(int(c))
        if len(chosen) == count:
            break
    return np.array(chosen, dtype=int)


def part_heights(owned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each column ``c`` of ``owned`` ``(h, w)`` bool, the heights (rows,
    top of the ink to its bottom) of the parts a cut there leaves:
    ``owned[:, :c]`` and ``owned[:, c:]``; 0 for a part with no ink. From
    each column's first and last inked row, by running minima and maxima."""
    h, w = owned.shape
    inked = owned.any(axis=0)
    tops = np.where(inked, owned.argmax(axis=0), h).astype(np.int64)
    bottoms = np.where(inked, h - 1 - owned[::-1].argmax(axis=0), -1).astype(np.int64)
    left = np.zeros(w, np.int64)  # the part left of column c: columns 0 .. c-1
    left[1:] = np.maximum(np.maximum.accumulate(bottoms)[:-1] - np.minimum.accumulate(tops)[:-1] + 1, 0)
    right = np.maximum(np.maximum.accumulate(bottoms[::-1])[::-1] - np.minimum.accumulate(tops[::-1])[::-1] + 1, 0)
    return left, right


def ink_box(owned: np.ndarray) -> tuple[int, int, int, int]:
    """The box ``(x0, y0, x1, y1)`` of the ink in ``owned`` (bool, not empty)."""
    rows, cols = np.flatnonzero(owned.any(axis=1)), np.flatnonzero(owned.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


SCORING_STROKE = 0.12  # a part's strokes grown to this share of its size to rank cuts (MNIST's median: 0.128)


def ranking_input(owned: np.ndarray) -> np.ndarray | None:
    """A quick network input for a candidate part ``owned`` (analysis
    pixels), to rank the cuts: MNIST's recipe on the part's own mask, thin
    strokes grown to MNIST's width (``preprocess.preprocess_bitmap``), with
    none of the single-digit path's search for the ink, which costs about
    15 ms natively (about 45 in the tab) on any crop."""
    x0, y0, x1, y1 = ink_box(owned)
    part = owned[y0:y1, x0:x1]
    size = 2 * round((SCORING_STROKE * max(part.shape) - stroke_width(part)) / 2) + 1
    coverage = part.astype(np.float32)
    if size >= 3:
        coverage = square_extreme(np.pad(coverage, size // 2), size, np.maximum)
    return preprocess_bitmap(coverage)


def quick_scores(cut_parts: list[tuple[np.ndarray, np.ndarray]], read: Reader) -> list[float]:
    """Each cut's score from its two parts (analysis pixels, bool): the
    smaller of the parts' top probabilities in their quick readings, -1 when
    a part has no ink. All cuts' parts go to the network in one call (one
    batch of matrix products instead of one a cut); the scores are those of
    each cut read alone (to float32 rounding)."""
    parts = [[ranking_input(p) if p.any() else None for p in pair] for pair in cut_parts]
    readable = [xs for xs in parts if all(x is not None for x in xs)]
    if not readable:
        return [-1.0] * len(parts)
    tops = iter(read(np.stack([x for xs in readable for x in xs])).max(axis=1).reshape(-1, 2).min(axis=1))
    return [float(next(tops)) if all(x is not None for x in xs) else -1.0 for xs in parts]
