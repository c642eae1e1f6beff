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

Pieces much shorter than the others (``PIECE`` of the typical piece's
height: a 5's flag drawn apart, a 7's bar, a broken stroke, a dot, a tap, a
speck) are left out of that grouping and given to the nearest digit when
near one (``ATTACH``); far from every digit, they are a digit only when
together as tall as one, else dropped: the single-digit path then deals with them
as it does with marks around a lone digit.

A stick (a 1) overlapping a neighbour is joined to it only in the cases
``digit_sticks`` gives: inside the neighbour's extent, not at its edge, or
with the neighbour hanging from one end of it; two straight steep pieces
side by side are two 1s.

The thresholds were chosen on numbers composed from traced MNIST *training*
digits (``build/number_sets.py``, ``--validation``): see ``docs/numbers.md``.
Pure NumPy; used by ``number_drawing.py`` (strokes) and ``number_picture.py``
(ink components).
"""

from __future__ import annotations

import numpy as np

from .digit_sticks import STICK, stem_beside, stick_apart

# Joined when their horizontal extents overlap by at least this share of the
# narrower one's width (padding included). Chosen with PIECE on numbers of
# traced MNIST *training* digits (``build/number_sets.py``: 300 numbers of 2,
# 4 and 6 digits, touching to wide apart) and 1,500 lone traced training
# digits, the shares split into the right number of digits / lone digits kept
# whole: OVERLAP 0.3 and PIECE 0.4: 94.7 / 98.9 %; 0.3, 0.5: 93.7 / 98.9 %;
# 0.4, 0.4: 94.0 / 97.6 %; 0.5, 0.4: 91.0 / 96.3 %. Lower joins neighbours
# whose boxes overlap (touching, slanted); higher splits digits whose tracing
# broke into side-by-side pieces (a lone digit read as two).
OVERLAP = 0.3
# A piece shorter than this share of the typical piece's height (the median
# height of the pieces at least half as tall as the tallest) is part of a
# digit or a mark, not a digit: a 1 is tall however narrow; a 5's flag, the
# broken-off end of a stroke, a dot or a comma are short. A short piece
# within ATTACH of the typical digit's height of a digit joins the nearest
# digit (its extents are not compared: a 5's flag drawn apart reaches far to
# the right of its body, and the first MNIST test 5, traced, was split in two
# when they were); one farther from every digit is a stray mark, left out.
PIECE = 0.4
ATTACH = 0.3
# A digit found among others is doubtful (``doubtful``) when it is shorter
# than SHORT of the typical digit's height (a piece of a digit broken off
# and taken for one: the right digits of 200 four-digit numbers of held-out
# MNIST training digits, traced, are at least 0.80 high in 99.5 % of cases,
# the pieces 0.43-0.66), or when its extent overlaps a neighbour's by more
# than OVERLAP_DOUBT of the typical height (two digits' strokes shared out
# wrongly: right neighbours overlapped by at most 0.12, the wrong ones
# 0.19-0.27).
SHORT = 0.7
OVERLAP_DOUBT = 0.13


def _overlap(lo: np.ndarray, hi: np.ndarray, i: int, j: int) -> bool:
    """Whether extents ``i`` and ``j`` overlap by ``OVERLAP`` of the narrower."""
    common = min(hi[i], hi[j]) - max(lo[i], lo[j])
    return common >= OVERLAP * min(hi[i] - lo[i], hi[j] - lo[j])


def _joined(boxes: np.ndarray, sticks: np.ndarray | None = None, lines: np.ndarray | None = None,
            apart: float = 0.0) -> list[list[int]]:
    """Pieces' boxes ``(n, 4)`` (x0, y0, x1, y1) -> groups of indices whose
    horizontal extents (transitively) overlap, each group's box the union of
    its pieces'; merged again until no two groups overlap. ``sticks``
    ``(n,)`` bool: pieces that are tall narrow sticks (a 1), joined only when
    inside the other's extent or as a stem (``digit_sticks.stick_apart``), or close
    by with the other hanging from it (``digit_sticks.stem_beside``). ``lines``
    ``(n, 4)``: straight pieces' ends (NaN for the others), ``apart``: how
    far apart two such sticks stand side by side (``digit_sticks.side_by_side_lines``)."""
    groups = [[i] for i in range(len(boxes))]
    is_stick = [bool(v) for v in sticks] if sticks is not None else [False] * len(boxes)

    def line(group: list[int]) -> np.ndarray | None:
        return None if lines is None or len(group) != 1 else lines[group[0]]

    gbox = [tuple(float(v) for v in b) for b in boxes]
    changed = True
    while changed and len(groups) > 1:
        changed = False
        order = np.argsort([b[0] for b in gbox], kind="stable")
        groups = [groups[k] for k in order]
        gbox = [gbox[k] for k in order]
        gstick = [len(g) == 1 and is_stick[g[0]] for g in groups]
        out_g, out_box, out_stick = [groups[0]], [gbox[0]], [gstick[0]]
        for g, box, st in zip(groups[1:], gbox[1:], gstick[1:]):
            # The newcomer starts right of every earlier group's start: it can
            # overlap any group still reaching past its start.
            for k in range(len(out_g) - 1, -1, -1):
                if ((_overlap(np.array([out_box[k][0], box[0]]), np.array([out_box[k][2], box[2]]), 0, 1)
                        and not stick_apart(out_box, out_stick, k, box, st, (line(out_g[k]), line(g)), apart))
                        or stem_beside(out_box[k], out_stick[k], box, st)):
                    out_g[k] = out_g[k] + g
                    b = out_box[k]
                    out_box[k] = (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3]))
                    out_stick[k] = False
                    changed = True
                    break
            else:
                out_g.append(g)
                out_box.append(box)
                out_stick.append(st)
        groups, gbox = out_g, out_box
    return groups


def group_pieces(boxes: np.ndarray, pad: float = 0.0, touch: float = 0.0,
                 lines: np.ndarray | None = None, slanted_sticks: bool = False) -> list[list[int]]:
    """Pieces' boxes ``(n, 4)`` as (x0, y0, x1, y1) in any unit, y down ->
    the digits, left to right, each a sorted list of piece indices; short
    pieces (``PIECE``) join the nearest digit within ``ATTACH`` of the
    typical height (or ``touch`` units), and are left out when none is that
    near. ``pad``: added to each side of every box
    before the overlap is judged (a pen's half width: a stroke's points lie
    on its centre line). ``lines`` ``(n, 4)``: the ends (x_top, y_top,
    x_bottom, y_bottom) of pieces that are straight steep strokes, NaN for
    the others (``number_drawing.straight_stroke``,
    ``number_pieces.piece_lines``): two of them as tall as a stick, side by
    side a pen (twice ``pad``) apart or more, are two digits
    (``digit_sticks.side_by_side_lines``). ``slanted_sticks``: such pieces
    are sticks however slanted (a drawing's strokes, each one movement of
    the pen; a picture's straight component may be a piece of a digit
    broken by cleaning: a 4's stem cut by a line through it, taken for a 1
    at its edge, read "4?7?2?").
    ValueError for boxes that are not ``(n, 4)``
    finite numbers with x0 <= x1 and y0 <= y1."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) if len(boxes) else np.zeros((0, 4))
    if not np.isfinite(boxes).all() or (boxes[:, 2] < boxes[:, 0]).any() or (boxes[:, 3] < boxes[:, 1]).any():
        raise ValueError("boxes must be finite (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1")
    if len(boxes) == 0:
        return []
    padded = boxes + np.array([-pad, -pad, pad, pad])
    heights = padded[:, 3] - padded[:, 1]
    tall = heights >= PIECE * float(np.median(heights[heights >= 0.5 * heights.max()]))
    # The digits from the tall pieces; then each short piece to the nearest digit.
    first = np.flatnonzero(tall)
    widths = padded[:, 2] - padded[:, 0]
    slim = widths[first] < STICK * heights[first]
    stick_tall = heights[first] >= SHORT * heights[first].max()
    if lines is not None:
        lines = np.asarray(lines, dtype=np.float64).reshape(-1, 4)[first]
        if slanted_sticks:  # a straight steep stroke is a stick however slanted
            slim |= np.isfinite(lines[:, 0])
        lines[~stick_tall] = np.nan
    sticks = slim & stick_tall
    digits = [[int(first[i]) for i in g] for g in _joined(padded[first], sticks, lines, 2 * pad)]
    dbox = np.array([[padded[d, 0].min(), padded[d, 1].min(), padded[d, 2].max(), padded[d, 3].max()] for d in digits])
    digit_heights = dbox[:, 3] - dbox[:, 1]
    typical = float(np.median(digit_heights[digit_heights >= 0.5 * digit_heights.max()]))
    left = []
    for i in np.flatnonzero(~tall):
        box = padded[i]
        gap = np.hypot(np.maximum(np.maximum(dbox[:, 0] - box[2], box[0] - dbox[:, 2]), 0),
                       np.maximum(np.maximum(dbox[:, 1] - box[3], box[1] - dbox[:, 3]), 0))
        common = np.minimum(dbox[:, 2], box[2]) - np.maximum(dbox[:, 0], box[0])  # overlap along the line
        nearest = int(np.lexsort((-common, gap))[0])  # the nearest; of those touching, the most overlapped
        if gap[nearest] <= max(touch, ATTACH * typical):
            digits[nearest].append(int(i))
        else:
            left.append(int(i))
    # Short pieces far from every digit: a digit when together they are as tall as one (a dashed digit), else marks.
    if left:
        rest = np.array(left)
        for g in _joined(padded[rest]):
            members = rest[g]
            if padded[members, 3].max() - padded[members, 1].min() >= PIECE * typical:
                digits.append([int(k) for k in members])
    centres = [(padded[d, 0].min() + padded[d, 2].max()) / 2 for d in digits]
    return _join_broken(padded, [sorted(digits[k]) for k in np.argsort(centres, kind="stable")])


def _join_broken(boxes: np.ndarray, groups: list[list[int]]) -> list[list[int]]:
    """``groups`` (left to right, indices into the pieces' ``boxes``) with
    each group both short and overlapping a neighbour (``doubtful``'s
    "short" and "overlap" at once) joined to that neighbour (the one it
    overlaps more), until none is left: a piece of a digit broken off, not
    a digit. A digit is that short in 0.5 % of cases and overlaps its
    neighbour that much in none (``SHORT``, ``OVERLAP_DOUBT``). Traced
    digits broke so ("4044" read "40414", "3349" read "33149"): on 300
    numbers of held-out training digits drawn on the page's wide area
    (2026-12-07), 4 digits: numbers right 87.0 -> 89.3 %, 6 digits
    79.0 -> 80.7 %, wrong and sure as before (docs/numbers.md)."""
    groups = [list(g) for g in groups]
    while len(groups) >= 2:
        ext = np.array([[boxes[g, 0].min(), boxes[g, 1].min(), boxes[g, 2].max(), boxes[g, 3].max()] for g in groups])
        heights = ext[:, 3] - ext[:, 1]
        typical = float(np.median(heights[heights >= 0.5 * heights.max()]))
        common = np.minimum(ext[1:, 2], ext[:-1, 2]) - np.maximum(ext[1:, 0], ext[:-1, 0])  # k with k + 1
        left = np.concatenate([[-np.inf], common])
        right = np.concatenate([common, [-np.inf]])
        broken = (heights < SHORT * typical) & (np.maximum(left, right) > OVERLAP_DOUBT * typical)
        if not broken.any():
            break
        k = int(np.flatnonzero(broken)[0])
        into = k - 1 if left[k] >= right[k] else k + 1
        groups[min(k, into)] = sorted(groups[k] + groups[into])
        del groups[max(k, into)]
    return groups


def doubtful(boxes: np.ndarray) -> list[str]:
    """The digits found, boxes ``(n, 4)`` (x0, y0, x1, y1, y down, left to
    right, any unit) -> for each, why finding it is in doubt: ``"short"``
    (under ``SHORT`` of the typical digit's height: maybe a piece of a
    digit), ``"overlap"`` (its extent overlaps a neighbour's by more than
    ``OVERLAP_DOUBT`` of the typical height, or lies wholly within its
    extent: maybe strokes of two digits shared out wrongly), or ``""``. A lone digit is never in doubt.
    ValueError for boxes that are not ``(n, 4)``."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must be (n, 4), got {boxes.shape}")
    if len(boxes) < 2:
        return [""] * len(boxes)
    heights = boxes[:, 3] - boxes[:, 1]
    typical = max(float(np.median(heights[heights >= 0.5 * heights.max()])), 1e-9)
    overlap = np.zeros(len(boxes))
    common = (np.minimum(boxes[1:, 2], boxes[:-1, 2]) - np.maximum(boxes[1:, 0], boxes[:-1, 0])) / typical
    overlap[1:] = common
    overlap[:-1] = np.maximum(overlap[:-1], common)
    # A narrow digit lying wholly within its neighbour's extent shares only its own width with it, under
    # OVERLAP_DOUBT when it is a stem: a 4's stem apart from its bar, which touched the 7 before it, was a
    # sure 1 inside the 7's box (a walkthrough's "7451", 2026-12-07); both are in doubt. No digit of the
    # number sets (build.number_accuracy, test and held-out digits) lies so.
    widths = (boxes[:, 2] - boxes[:, 0]) / typical
    within = common >= np.minimum(widths[1:], widths[:-1])  # neighbours k, k + 1: one within the other's extent
    inside = np.zeros(len(boxes), dtype=bool)
    inside[1:] = within
    inside[:-1] |= within
    return ["short" if h < SHORT * typical else "overlap" if o > OVERLAP_DOUBT or i else ""
            for h, o, i in zip(heights, overlap, inside)]


ROW_HEIGHTS = (0.45, 2.2)  # a number's digits are this share of their median height, at least and at most
# ... and at least this share of the tallest's: of two boxes, the median is
# their mean, and a drop a third of the digit's height passed (a spattered 1
# read as "10", 2026-12-07)
ROW_TALLEST = 0.45
ROW_BAND = 0.5  # ... and each one's middle lies within this share of it of the others' band


def is_a_row(boxes: list[tuple[float, float, float, float]]) -> bool:
    """Do these boxes (x0, y0, x1, y1), left to right, make a row of digits:
    heights alike (``ROW_HEIGHTS`` of their median, ``ROW_TALLEST`` of the
    tallest) and their middles within
    the band of the others (``ROW_BAND``)? A digit written a little above or
    below the line passes; a drop of ink, a dot of noise or a desk's edge
    beside the digit does not."""
    b = np.asarray(boxes, dtype=np.float64)
    heights = b[:, 3] - b[:, 1]
    typical = float(np.median(heights))
    low = max(ROW_HEIGHTS[0] * typical, ROW_TALLEST * float(heights.max()))
    if typical <= 0 or not np.all((heights >= low) & (heights <= ROW_HEIGHTS[1] * typical)):
        return False
    middles = (b[:, 1] + b[:, 3]) / 2
    top, bottom = float(np.median(b[:, 1])), float(np.median(b[:, 3]))
    return bool(np.all((middles >= top - ROW_BAND * typical) & (middles <= bottom + ROW_BAND * typical)))


# Marks left out (faint or broken ink dropped as specks) that together span
# at least this share of the typical digit's height, in a gap of the row or
# within a digit's height beyond its ends, may be a digit: a walkthrough's
# "4383" with a faint 8, small in a photo, was read "433", sure (2026-12-07).
GAP_MARKS = 0.7
END_REACH = 1.5


def missing_beside(digits: np.ndarray, dropped: np.ndarray, typical: float) -> np.ndarray:
    """``digits`` ``(n, 4)`` boxes (x0, y0, x1, y1, any unit) left to right,
    ``dropped`` ``(m, 4)`` the boxes of the marks left out -> ``(n,)`` bool:
    the digits beside a gap (between two digits, or within ``END_REACH``
    times ``typical`` beyond the first or the last: a gap and a digit's
    width) where marks left out, their middles in it and in the row's band,
    span at least ``GAP_MARKS`` of ``typical`` from top to bottom."""
    n = len(digits)
    out = np.zeros(n, dtype=bool)
    if n == 0 or len(dropped) == 0 or typical <= 0:
        return out
    top, bottom = digits[:, 1].min(), digits[:, 3].max()
    beyond = END_REACH * typical
    lefts = np.concatenate([[digits[0, 0] - beyond], digits[:, 2]])  # gap k lies between digits k - 1 and k
    rights = np.concatenate([digits[:, 0], [digits[-1, 2] + beyond]])
    middles = (dropped[:, 0] + dropped[:, 2]) / 2
    in_band = (dropped[:, 3] > top) & (dropped[:, 1] < bottom)
    for k in range(n + 1):
        inside = in_band & (middles > lefts[k]) & (middles < rights[k])
        if inside.any() and dropped[inside, 3].max() - dropped[inside, 1].min() >= GAP_MARKS * typical:
            out[max(k - 1, 0) : min(k + 1, n)] = True
    return out


def side_by_side(boxes: np.ndarray) -> bool:
    """Are two of the marks whose ``boxes`` ``(n, 4)`` (x0, y0, x1, y1) are
    given side by side, each at least ``SHORT`` of the tallest's height? Such marks that make no
    row of digits (a thin 4 of a small number broken into its stem and the
    rest, shorter than a row's digits may be) were read as one digit
    surely: a walkthrough's "7427" written small in a photo, read "7" at
    0.98 in the page (2026-12-07)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    tall = boxes[boxes[:, 3] - boxes[:, 1] >= SHORT * (boxes[:, 3] - boxes[:, 1]).max()]
    tall = tall[np.argsort(tall[:, 0])]
    for a, b in zip(tall, tall[1:]):
        if min(a[2], b[2]) - max(a[0], b[0]) < 0.5 * min(a[2] - a[0], b[2] - b[0]):
            return True
    return False
