"""Connected components of a boolean image, in NumPy and a little Python, and
measures of an ink mask (stroke width, depth, growing).

Used to tell a digit's ink from specks, holes and marks at the edge of a
photo. The image is cut into runs of ``True`` along each row, and runs that
touch between neighbouring rows are joined by a union-find over runs, not
pixels -- all in NumPy, no Python loop over runs: a noisy photo at the
analysis resolution has thousands of runs (a loop over them took 1-2 ms
natively and several times that in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 12  # erosions ``depth`` counts (a line up to 24 pixels wide)


@dataclass(frozen=True)
class Components:
    """``labels`` ``(H, W)`` int32: 0 for background, 1..n for each component;
    per component (index ``label - 1``): ``areas`` in pixels, ``boxes``
    ``(n, 4)`` as (top, left, bottom, right) with bottom/right exclusive, and
    ``touches_border``."""

    labels: np.ndarray
    areas: np.ndarray
    boxes: np.ndarray
    touches_border: np.ndarray

    @property
    def count(self) -> int:
        return len(self.areas)

    def width(self, i: int) -> float:
        """Component ``i``'s stroke width in pixels (``stroke_width`` of its
        pixels, within its box)."""
        top, left, bottom, right = self.boxes[i]
        return stroke_width(self.labels[top:bottom, left:right] == i + 1)


def row_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, start and end (exclusive) of every run of True along the rows."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)  # +1 where a run starts, -1 one past where it ends
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same row-major order as the starts
    return rows, starts, ends


def label(mask: np.ndarray, connectivity: int = 8) -> Components:
    """Label the connected components of a boolean ``(H, W)`` image, with
    8-connectivity (diagonal neighbours join) or 4-connectivity."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"expected a 2-D mask, got shape {mask.shape}")
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    h, w = mask.shape
    rows, starts, ends = row_runs(mask)
    n = len(rows)
    # The runs each run touches in the row above are a contiguous range
    # [first, last) of all runs in (row, start) order: found by binary search.
    reach = 1 if connectivity == 8 else 0  # how far past its ends a run touches the next row's runs
    stride = w + 2  # (row, column) -> one sortable key
    first = np.searchsorted(rows * stride + ends, (rows - 1) * stride + starts - reach, side="right")
    last = np.searchsorted(rows * stride + starts, (rows - 1) * stride + ends + reach, side="left")
    counts = np.maximum(last - first, 0)
    below = np.repeat(np.arange(n), counts)
    above = np.repeat(first, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    # Union-find by hooking roots to the smaller root and flattening every
    # tree, all runs at once (Shiloach and Vishkin's scheme): a few rounds.
    parent = np.arange(n)
    while True:
        a, b = parent[below], parent[above]
        differ = a != b
        if not differ.any():
            break
        np.minimum.at(parent, np.maximum(a, b)[differ], np.minimum(a, b)[differ])
        while True:
            flat = parent[parent]
            if np.array_equal(flat, parent):
                break
            parent = flat
    _, run_label = np.unique(parent, return_inverse=True)  # 0..count-1, ordered by first run
    count = int(run_label.max()) + 1 if n else 0
    labels = np.zeros((h, w), dtype=np.int32)
    lengths = ends - starts
    if n:
        # Paint every run: repeat its label over its length, at its pixels' flat indices.
        at = np.repeat(rows * w + starts, lengths) + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths,
                                                                                            lengths)
        labels.reshape(-1)[at] = np.repeat(run_label + 1, lengths)
    areas = np.bincount(run_label, weights=lengths, minlength=count).astype(np.int64)
    boxes = np.zeros((count, 4), dtype=np.int64)
    if count:
        boxes[:, 0] = np.full(count, h)
        boxes[:, 1] = np.full(count, w)
        np.minimum.at(boxes[:, 0], run_label, rows)
        np.minimum.at(boxes[:, 1], run_label, starts)
        np.maximum.at(boxes[:, 2], run_label, rows + 1)
        np.maximum.at(boxes[:, 3], run_label, ends)
    touches = (boxes[:, 0] == 0) | (boxes[:, 1] == 0) | (boxes[:, 2] == h) | (boxes[:, 3] == w)
    return Components(labels, areas, boxes, touches)


def stroke_width(mask: np.ndarray) -> float:
    """Mean width of the strokes of a boolean image, in pixels: twice the ink's
    area over its boundary length (a strip of width w and length L has area
    wL and boundary about 2L). Boundary pixels are ink pixels with a
    background 4-neighbour, so lines one or two pixels wide both give 2."""
    area = int(mask.sum())
    if area == 0:
        return 0.0
    p = np.pad(mask, 1)
    inner = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    boundary = area - int(inner.sum())
    return 2.0 * area / max(boundary, 1)


def grow(mask: np.ndarray, radius: float) -> np.ndarray:
    """``mask`` dilated by an octagon of ``radius`` pixels (alternating 4- and 8-neighbourhoods)."""
    out = mask.copy()
    h, w = mask.shape
    for i in range(int(np.ceil(radius))):
        p = np.pad(out, 1)
        grown = out | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
        if i % 2:
            grown |= p[:-2, :-2] | p[:-2, 2:] | p[2:, :-2] | p[2:, 2:]
        out = grown
    return out[:h, :w]


def depth(mask: np.ndarray) -> np.ndarray:
    """Each ink pixel's depth ``(H, W)`` int: 1 + the number of 3 x 3 erosions
    it survives, at most ``MAX_DEPTH`` (a line 1 pixel wide: 1; 3 wide: 2 at
    its centre; about half the width, rounded up)."""
    out = mask.astype(np.int16)
    now = mask
    for _ in range(MAX_DEPTH - 1):
        p = np.pad(now, 1)
        now = now & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:] & p[:-2, :-2] & p[:-2, 2:] \
            & p[2:, :-2] & p[2:, 2:]
        if not now.any():
            break
        out += now
    return out
