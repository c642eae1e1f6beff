"""Which marks of a number make one digit: pieces grouped by where they lie
along the line of writing, left to right.

A number is written along a line, one digit beside the next; a digit written
in several pieces (a 4, 5 or 7 in two or three strokes, or a picture's ink
broken into several components) has pieces that lie over one another along
that line. So pieces are joined when their horizontal extents overlap by at
least ``OVERLAP`` of the narrower one's, and groups are joined again in the
same way until none overlaps; the order in which the pieces were made does
not count, only their place (a digit written later between two others takes
its place by position).

Pieces much shorter than the digits (``PIECE`` of the typical digit's
height: a 5's flag drawn apart, a broken stroke, a dot, a tap, a speck) are
given to the nearest digit when near one (``ATTACH``), or dropped: the single-digit path then deals with them
as it does with marks around a lone digit.

The thresholds were chosen on numbers composed from traced MNIST *training*
digits (``build/number_sets.py``, ``--validation``): see ``docs/numbers.md``.
Pure NumPy; used by ``number_drawing.py`` (strokes) and ``number_picture.py``
(ink components).
"""

from __future__ import annotations

import numpy as np

# Joined when their horizontal extents overlap by at least this share of the
# narrower one's width (padding included). On 300 two- to six-digit numbers
# of traced MNIST training digits placed from touching to wide apart
# (``build/number_sets.py``), the share split into the right number of digits
# was 92.0 % at 0.2, 95.7 % at 0.3, 96.0 % at 0.4 and 93.3 % at 0.5: lower
# joins neighbours whose boxes overlap (touching, slanted), higher splits
# digits whose tracing broke into side-by-side pieces.
OVERLAP = 0.4
# A group shorter than this share of the typical digit's height (the median
# height of the groups at least half as tall as the tallest) is a piece of a
# digit or a mark, not a digit: a 1 is tall however narrow; a 5's flag, the
# broken-off end of a stroke, a dot or a comma are short. A piece within
# ATTACH of the typical height of a digit joins the nearest digit; one
# farther from every digit is a stray mark, left out.
PIECE = 0.5
ATTACH = 0.3


def _overlap(lo: np.ndarray, hi: np.ndarray, i: int, j: int) -> bool:
    """Whether extents ``i`` and ``j`` overlap by ``OVERLAP`` of the narrower."""
    common = min(hi[i], hi[j]) - max(lo[i], lo[j])
    return common >= OVERLAP * min(hi[i] - lo[i], hi[j] - lo[j])


def _joined(lo_x: np.ndarray, hi_x: np.ndarray) -> list[list[int]]:
    """Pieces ``(n,)`` extents -> groups of indices whose extents (transitively)
    overlap, each group's extent the union of its pieces'; merged again
    until no two groups overlap."""
    groups = [[i] for i in range(len(lo_x))]
    glo, ghi = list(lo_x), list(hi_x)
    changed = True
    while changed and len(groups) > 1:
        changed = False
        order = np.argsort(glo, kind="stable")
        groups = [groups[k] for k in order]
        glo, ghi = [glo[k] for k in order], [ghi[k] for k in order]
        out_g, out_lo, out_hi = [groups[0]], [glo[0]], [ghi[0]]
        for g, lo, hi in zip(groups[1:], glo[1:], ghi[1:]):
            # The newcomer starts right of every earlier group's start: it can
            # overlap any group still reaching past its start.
            for k in range(len(out_g) - 1, -1, -1):
                if _overlap(np.array([out_lo[k], lo]), np.array([out_hi[k], hi]), 0, 1):
                    out_g[k] = out_g[k] + g
                    out_lo[k], out_hi[k] = min(out_lo[k], lo), max(out_hi[k], hi)
                    changed = True
                    break
            else:
                out_g.append(g)
                out_lo.append(lo)
                out_hi.append(hi)
        groups, glo, ghi = out_g, out_lo, out_hi
    return groups


def group_pieces(boxes: np.ndarray, pad: float = 0.0, touch: float = 0.0) -> list[list[int]]:
    """Pieces' boxes ``(n, 4)`` as (x0, y0, x1, y1) in any unit, y down ->
    the digits, left to right, each a sorted list of piece indices; pieces
    shorter than digits (``PIECE``) join the nearest digit within
    ``ATTACH`` of the typical height (or ``touch`` units), and are left out
    when none is that near. ``pad``: added to each side of every box
    before the overlap is judged (a pen's half width: a stroke's points lie
    on its centre line). ValueError for boxes that are not ``(n, 4)``
    finite numbers with x0 <= x1 and y0 <= y1."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) if len(boxes) else np.zeros((0, 4))
    if not np.isfinite(boxes).all() or (boxes[:, 2] < boxes[:, 0]).any() or (boxes[:, 3] < boxes[:, 1]).any():
        raise ValueError("boxes must be finite (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1")
    if len(boxes) == 0:
        return []
    padded = boxes + np.array([-pad, -pad, pad, pad])
    groups = _joined(padded[:, 0], padded[:, 2])
    gbox = np.array([[padded[g, 0].min(), padded[g, 1].min(), padded[g, 2].max(), padded[g, 3].max()]
                     for g in groups])
    heights = gbox[:, 3] - gbox[:, 1]
    typical = float(np.median(heights[heights >= 0.5 * heights.max()]))
    piece = heights < PIECE * typical
    if piece.all():  # only marks: the tallest is what there is
        return [sorted(groups[int(np.argmax(heights))])]
    digits = [list(g) for g, p in zip(groups, piece) if not p]
    dbox = gbox[~piece]
    for g, box in zip([g for g, p in zip(groups, piece) if p], gbox[piece]):
        gap = np.hypot(np.maximum(np.maximum(dbox[:, 0] - box[2], box[0] - dbox[:, 2]), 0),
                       np.maximum(np.maximum(dbox[:, 1] - box[3], box[1] - dbox[:, 3]), 0))
        nearest = int(np.argmin(gap))
        if gap[nearest] <= max(touch, ATTACH * typical):
            digits[nearest] = digits[nearest] + list(g)
    centres = [(padded[d, 0].min() + padded[d, 2].max()) / 2 for d in digits]
    return [sorted(digits[k]) for k in np.argsort(centres, kind="stable")]
