"""A digit drawn in outline -- the two edges of each stroke, as a "bubble"
pen draws it or an edge detector leaves it -- filled back to the strokes it
outlines, while a real 0, 4, 6, 8 or 9 keeps its loops.

The inside of an outlined stroke is a hole in the ink that is long and thin
and of about one stroke's width all along; a loop of a digit is a hole about
as wide as it is long (a 6's or 8's loop: 2 to 3 times longer than its
width, a closed 4's triangle 3.5, a 0 drawn as narrow as a quarter of its
height 5.5). A hole is filled when

- it is long: its extent at least ``HOLLOW_LENGTH`` of its width (an
  outlined MNIST digit's inside: about 8);
- it is as narrow as a stroke: its width at most ``HOLLOW_WIDTH`` of the
  digit's longer side (MNIST's strokes: 0.084-0.199, 5th-95th percentile);
- the ink round it is no wider than it: at most ``OUTLINE_INK`` of its
  width (an outlined thin 1: 0.5-0.67; an edge detector's outline of a
  28 x 28 digit, MNIST-C's "canny edges", one pixel round a stroke two or
  three wide: about 1; a digit written with a thick pen has loops narrower
  than its strokes, and keeps them).

Widths are twice the area over the boundary (``components.stroke_width``).
``OUTLINE_INK`` was 0.75 until MNIST-C's outlines (Mu and Gilmer 2019,
``build/mnist_c.py``) were measured: at 1.0 they read 70.0 -> 80.8 % right
(first 500), wrong and sure 7.2 -> 3.8 %, and of 300 test digits of each
damaged kind, the pen pictures and the photos, one zig-zag digit read
differently (wrong).
Measured on MNIST test digits drawn in outline (``build/damaged_pictures.py``):
thinning read the outline's two edges as two strokes -- a 1 became a 0 --
and 81.6 % of the first 500 were read right, 23 % of them unsure; filled,
98.6 %. Pure NumPy.
"""

from __future__ import annotations

import numpy as np

from .components import label, stroke_width

HOLLOW_LENGTH = 4.5
HOLLOW_WIDTH = 0.22
OUTLINE_INK = 1.0
COVERAGE_CUT = 0.5  # a pixel is ink when at least half covered (as preprocess.COVERAGE_CUT)


def fill_outlines(coverage: np.ndarray) -> tuple[np.ndarray, bool]:
    """A digit's ink coverage ``(H, W)`` in [0, 1] with the insides of
    outlined strokes filled (set to 1) -> ``(coverage, filled)``; unchanged
    (and False) when no hole is one (the module's description)."""
    mask = coverage >= COVERAGE_CUT
    if not mask.any():
        return coverage, False
    holes = label(~mask, connectivity=4)
    inside = np.flatnonzero(~holes.touches_border)
    if not len(inside):
        return coverage, False
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    size = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    ink_width = stroke_width(mask)
    fill = []
    for i in inside:
        t, lft, b, r = holes.boxes[i]
        width = holes.width(i)
        extent = max(b - t, r - lft)
        if extent >= HOLLOW_LENGTH * width and width <= HOLLOW_WIDTH * size and ink_width <= OUTLINE_INK * width:
            fill.append(i + 1)
    if not fill:
        return coverage, False
    return np.where(np.isin(holes.labels, fill), np.float32(1.0), coverage).astype(coverage.dtype), True
