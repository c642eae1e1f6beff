"""When a stick -- a tall narrow piece: a 1, or a 4's or 9's stem -- is a
digit of its own, and when it belongs to the group beside it
(``digit_groups`` asks, while joining pieces whose extents overlap).

A stick overlapping a neighbour is joined to it only when it lies inside
the neighbour's extent, not at its edge (``STICK``, ``EDGE``), or when the
neighbour hangs from one end of it (``HANG``: a 9's loop, a 4's corner),
or stands close by hanging from it (``STEM_GAP``). Two straight steep
pieces -- a drawing's strokes, a picture's ink components -- standing side
by side, apart from top to bottom, are two 1s however much their slant
makes their extents overlap (``side_by_side_lines``); ones that meet or
cross are one digit (a 4's slanted side and its stem). The thresholds were chosen on numbers composed
from traced MNIST *training* digits: see ``docs/numbers.md``. Pure NumPy.
"""

from __future__ import annotations

import numpy as np

# A stick -- a piece narrower than STICK of its height and at least SHORT (digit_groups) of
# the tallest piece's height: a 1, a 4's or 9's stem -- is joined to an
# overlapping group only when its centre lies inside that group's extent by
# at least EDGE of its width from either edge (a 4's stem crosses its bar);
# at the edge, it is a 1 touching its neighbour. On 200 numbers of held-out
# MNIST training digits, traced, read wholly right: 4 digits 85.5 -> 88.0 %,
# 6 digits 80.0 -> 83.0 % (a 1 touching its neighbour was swallowed by it);
# lone digits on the wide area kept whole 99.1 -> 97.8 % (4s whose stem ends
# their bar, taken for "41"; the square area keeps them whole, see
# ``number_drawing``). Joining only a stick at the left edge: 86.5, 81.0 %
# and 98.9 %. STICK 0.4 with EDGE 0.25: 86.5 % (4 digits).
STICK = 0.3
EDGE = 0.2
# A drawing's straight steep strokes (``number_drawing.straight_stroke``) are
# sticks too, however slanted: a 1 leaning into the 0 beside it was no stick
# by its box and was swallowed ("1050" read a sure "050", 2026-12-07). On
# 300 numbers of held-out training digits drawn on the wide area, read
# wholly right: 4 digits 89.3 -> 89.7 %, 6 digits 80.7 -> 80.3 %; lone
# digits kept whole there 1,491 -> 1,489 of 1,500.
# ... but a stick at the edge is a stem all the same when the other hangs from
# its top: the stick reaches past the other's bottom by at least HANG of
# their joint height, meets it, and stands at its right (a 9 or 4 written as
# a loop or corner and then a stem down its right side). A 1 beside a digit
# on the same line does not: MNIST digits composed into numbers (sizes
# 0.8-1.2, baselines +-0.1 of the height, ``build/number_sets.py``) end
# within 0.14 of their joint height of each other. The same upside down (a
# 6 as a stem and a loop at its foot) was tried and left out: digits' tops
# differ by their sizes, and a tall 1 before a smaller 2, 3 or 8 was taken
# for a 6 (4 of 200 numbers of 4 and of 6 drawn test digits). A new user's
# "1984" with the 9 written loop, then stem, read "10184" before.
HANG = 0.3
# ... and a stick that does not overlap such a group is its stem all the same
# when less than STEM_GAP of their joint height apart (a 9's stem written a
# little apart from its loop).
STEM_GAP = 0.15
# Two straight sticks side by side span the same heights for at least this
# share of the shorter one's: not two pieces of one stroke, one above the
# other (a stem cut in two by a line taken out overlaps itself by a sliver).
SIDE_SPAN = 0.5


def hangs(stick: tuple, other: tuple) -> bool:
    """Whether the ``other`` box (x0, y0, x1, y1) hangs from the top of the
    ``stick``'s (``HANG``), the stick at its right: a 9's loop, a 4's corner."""
    (s_x0, s_y0, s_x1, s_y1), (o_x0, o_y0, o_x1, o_y1) = stick, other
    right = (s_x0 + s_x1) / 2 > (o_x0 + o_x1) / 2
    return right and s_y1 - o_y1 >= HANG * (max(s_y1, o_y1) - min(s_y0, o_y0)) and s_y0 < o_y1


def side_by_side_lines(a: np.ndarray, b: np.ndarray, apart: float) -> bool:
    """Whether two straight steep lines, each ``(x_top, y_top, x_bottom,
    y_bottom)``, stand side by side: they span the same heights for at
    least ``SIDE_SPAN`` of the shorter one's, and over those one lies
    at least ``apart`` to the same side of the other at the top and at the
    bottom (two 1s), rather than crossing or meeting (an X; a 4's slanted
    side meeting its stem). Two 1s slanted 9-27 degrees with a gap between
    them overlap along the line by more than ``digit_groups.OVERLAP`` of
    either's width, and were one digit: drawn, "11" read a sure 1 (0.94);
    in a picture, "111" read "11" (2026-12-08). No number of the 300
    held-out or 200 test 4- and 6-digit numbers drawn, nor any of 1,500
    lone held-out digits on the wide area, nor any of 300 held-out scanned,
    thin-pen and desk 4-digit numbers, is read otherwise than before
    (their 1s touching a 1 meet or cross)."""
    top, bottom = max(a[1], b[1]), min(a[3], b[3])
    if not np.all(np.isfinite((*a, *b))) or bottom - top < SIDE_SPAN * min(a[3] - a[1], b[3] - b[1]):
        return False

    def x_at(line: np.ndarray, y: float) -> float:
        return float(line[0] + (line[2] - line[0]) * (y - line[1]) / max(line[3] - line[1], 1e-9))

    gaps = np.array([x_at(b, y) - x_at(a, y) for y in (top, bottom)])
    return bool(np.all(gaps >= apart) or np.all(gaps <= -apart))


def stick_apart(boxes: list, stick: list, k: int, other: tuple, other_stick: bool,
                 lines: tuple[np.ndarray | None, np.ndarray | None] = (None, None), apart: float = 0.0) -> bool:
    """Whether a lone stick (one tall narrow piece: a 1) lies at the edge of
    the other group's extent rather than inside it (a 4's stem), and that
    group does not hang from one end of it (``hangs``): then not joined.
    Two lone pieces that are both straight steep lines (``lines``, given
    for pieces as tall as a stick) are not joined when they stand side by
    side, ``apart`` or more (``side_by_side_lines``: "11"), whether sticks
    by their boxes or not. ``boxes``: the groups' (x0, y0, x1, y1); ``k``:
    the group compared with ``other``."""
    if lines[0] is not None and lines[1] is not None and np.isfinite(lines[0][0]) and np.isfinite(lines[1][0]):
        return side_by_side_lines(lines[0], lines[1], apart)
    if stick[k] == other_stick:
        return False
    s, o = (boxes[k], other) if stick[k] else (other, boxes[k])
    centre, margin = (s[0] + s[2]) / 2, EDGE * (o[2] - o[0])
    if o[0] + margin <= centre <= o[2] - margin:
        return False
    return not hangs(s, o)


def stem_beside(box: tuple, stick: bool, other: tuple, other_stick: bool) -> bool:
    """Whether a lone stick and a group are one digit all the same,
    overlapping or not: the group hangs from the stick (``hangs``) less
    than ``STEM_GAP`` of their joint height away -- a 9's loop or a 4's
    corner with a stem written a little apart, or broken off by noise."""
    if stick == other_stick:
        return False
    s, o = (box, other) if stick else (other, box)
    gap = max(s[0], o[0]) - min(s[2], o[2])
    return gap <= STEM_GAP * (max(s[3], o[3]) - min(s[1], o[1])) and hangs(s, o)
