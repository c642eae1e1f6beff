"""Where a small number lies in a big picture, to read it again closer.

A number written small on a big page -- digits 60-110 px tall in a
3000 x 2250 phone photo -- is 5-9 px tall where the ink is looked for
(``ink.ANALYSIS_SIDE``, ``number_ink``): its strokes fade into the paper,
and no digit, or a wrong one, is found. ``number_region`` finds where the
picture's fine detail lies, at ``LOOK_SIDE`` px: the black top-hat (a grey
closing minus the picture: dark marks narrower than ``WINDOW``, not a
shadow's or a desk's step edge; Gonzalez and Woods, *Digital Image
Processing*, 9.6), or the white top-hat on a dark ground; the marks
``GAP`` apart joined, the cluster with the most detail is the number's
region when it covers a small part of the picture. Reading that region
alone (``number_picture.picture_number``) sees the number at the
picture's own resolution.

On 20 such photos (4-digit numbers of MNIST test digits written with an
8 px pen, scaled to 90-135 px tall, on a 3000 x 2250 page, every other one
under a hard shadow; 2026-12-07), read whole: 10 right, 6 with no digit
found; the region alone: 17 right. Pure NumPy.
"""

from __future__ import annotations

import numpy as np

from .background import closing, opening, square_extreme
from .components import label
from .pixels import shrink

LOOK_SIDE = 1024  # the picture's longest side for the search (a 60-px digit of a 3000-px photo is 20 px here)
WINDOW = 9  # px at LOOK_SIDE: marks narrower than this are detail (a pen's stroke; not a page's edge)
DETAIL = 0.1  # detail at least this deep (luminance 0-1) ...
NOISE_TIMES = 6.0  # ... and this many times the picture's typical detail (the median's distance to the median)
GAP = 0.015  # marks this share of LOOK_SIDE apart are one cluster (the digits of a number; its pieces)
SMALL = 0.5  # a region under this share of the picture's width and of its height is worth a closer look
# Digits found shorter than this share of the picture's longer side are
# under 24 px where the number finder looks (512 px) and are read again
# closer; taller ones are read as found (a number on a page with a desk
# along two sides read worse from a crop that held a sliver of the desk).
CLOSER_BELOW = 0.047
MARGIN = 0.5  # around the region, as a share of its height


def number_region(lum: np.ndarray) -> tuple[int, int, int, int] | None:
    """The region ``(x0, y0, x1, y1)`` (pixels of ``lum``, margin included)
    of the fine detail of grey picture ``lum`` ``(H, W)`` (floats, 0 black
    to 1 white) when it lies within a small part of it (under ``SMALL`` of
    its width and of its height), else None (no detail, or detail spread
    over the picture: read it whole). Dark marks on a light picture, light
    marks on a dark one (its median's side)."""
    small, factor = shrink(lum, LOOK_SIDE)
    h, w = small.shape
    if min(h, w) < 4 * WINDOW:
        return None
    if np.median(small) >= 0.5:
        detail = closing(small, WINDOW) - small
    else:  # light marks: the white top-hat
        detail = small - opening(small, WINDOW)
    typical = float(np.median(detail))
    spread = float(np.median(np.abs(detail - typical)))
    marks = detail >= max(DETAIL, typical + NOISE_TIMES * spread)
    if not marks.any():
        return None
    gap = max(1, round(GAP * max(h, w)))
    joined = square_extreme(marks.astype(np.uint8), 2 * gap + 1, np.maximum).astype(bool)
    clusters = label(joined)
    mass = np.bincount(clusters.labels[marks], weights=detail[marks], minlength=clusters.count + 1)[1:]
    mass[clusters.touches_border] = 0  # a desk's or a frame's edge, the page's own
    if not mass.any():
        return None
    top, left, bottom, right = _row_box(clusters.boxes + np.array([gap, gap, -gap, -gap]), mass)
    if right - left >= SMALL * w or bottom - top >= SMALL * h:
        return None
    m = MARGIN * (bottom - top)
    H, W = lum.shape
    return (max(0, int((left - m) * factor)), max(0, int((top - m) * factor)),
            min(W, int(np.ceil((right + m) * factor))), min(H, int(np.ceil((bottom + m) * factor))))


def _row_box(boxes: np.ndarray, mass: np.ndarray) -> tuple[int, int, int, int]:
    """The box (top, left, bottom, right) of the cluster with the most
    ``mass`` and of those beside it in its row, in turn: clusters that share
    half the height of the smaller with it and lie within its height to
    the side (a number's digits further apart than ``GAP``; a thin 1 has
    less detail than the digit beside it)."""
    top, left, bottom, right = (int(v) for v in boxes[int(np.argmax(mass))])
    pending = [k for k in np.argsort(-mass) if mass[k] > 0]
    grown = True
    while grown:
        grown = False
        for k in list(pending):
            y0, x0, y1, x1 = (int(v) for v in boxes[k])
            shared = min(y1, bottom) - max(y0, top)
            if shared >= 0.5 * min(y1 - y0, bottom - top) and max(x0 - right, left - x1) <= bottom - top:
                top, left, bottom, right = min(y0, top), min(x0, left), max(y1, bottom), max(x1, right)
                pending.remove(k)
                grown = True
    return top, left, bottom, right
