"""A drawing of a number -> one network input per digit, left to right.

The strokes are grouped into digits by where they lie (``digit_groups``:
overlapping along the line of writing), after an underline across the whole
number is left out (``strokes.drop_underline``: it would join every digit it
runs under). Each digit then goes through exactly the single-digit path --
stray marks and an underline dropped (``strokes.drop_stray_marks``,
``drop_underline``), rendered by ``strokes.render_strokes`` -- so a number's
digits are read as well as lone digits. A drawing that holds one digit is
the single-digit path on the whole drawing, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .digit_groups import doubtful, group_pieces
from .strokes import ON_SCREEN_PEN, drop_stray_marks, drop_underline, render_strokes

MAX_DIGITS = 12  # a number, not a page of text: more groups than this is refused
# The square drawing area (width under SQUARE_ASPECT times its height) is the
# single-digit experience; a number is written on the wide one (5:2). There
# the groups are taken for digits only when clearly apart: neighbours whose
# strokes lie less than SQUARE_GAP of the tallest group's height apart, or
# either shorter than SQUARE_SHORT of it, are one digit. Chosen on 1,500 lone
# traced held-out MNIST training digits drawn as the page's tests draw them
# (80 % of a 280 px square): the 13 (0.9 %) the grouping alone split into two,
# mostly 4s broken into side-by-side pieces, lie -0.19 to 0.0 apart or have
# a piece 0.17-0.44 as tall; with the rule none is split (nor any of the
# first 2,000 test digits; 25 were before). Its cost, on numbers of held-out
# training digits drawn on a square canvas (150 a set), the share split into
# the right count: 2 digits touching 98.7 -> 92.7 %, close 100 -> 99.3 %,
# wide 99.3 -> 100 %; SQUARE_SHORT 0.7 cost 2.6 points on wide ones (digits'
# heights differ up to 1.5 times).
SQUARE_ASPECT = 1.5
SQUARE_GAP = 0.02
SQUARE_SHORT = 0.5
CACHE_SIZE = 64  # digits remembered by ``drawing_digits``'s cache (a live drawing changes one digit at a time)


@dataclass(frozen=True)
class FoundDigit:
    """One digit of a number: ``x``, its ``(784,)`` float32 network input, and
    ``box``, (x0, y0, x1, y1) of its ink in the drawing's (or picture's)
    units, y down, pen included; ``doubt``, why the answer is in doubt
    whatever the network says ("" when it is not): finding the digit
    (``digit_groups.doubtful``; for a picture, "cut" for touching digits
    cut apart on a close call and "wide" for one as wide as two that no cut
    parts) or, for a picture, the picture path's own
    (``preprocess.Picture.doubt``); ``cleaned``, what the picture path took
    out of or left out beside it (``Picture.cleaned``; "" for a drawing):
    then it is sure only when very sure (``confidence.judge``)."""

    x: np.ndarray
    box: tuple[float, float, float, float]
    doubt: str = ""
    cleaned: str = ""


def pen_width(width: float, height: float) -> float:
    """The page's pen on screen for a ``width`` x ``height`` canvas, in its
    units: ``ON_SCREEN_PEN`` of its shorter side (of its width on the square
    canvas, as before numbers: ``web/page/draw.js``'s ``INK_SHARE``)."""
    return ON_SCREEN_PEN * min(width, height)


def single_digit(strokes: Sequence[np.ndarray], width: float, height: float) -> np.ndarray | None:
    """The single-digit path: ``strokes`` (checked ``(n, 2)`` arrays) without
    stray marks and an underline -> the ``(784,)`` input, or None when
    nothing (or only a speck) is left."""
    joined = pen_width(width, height)  # marks closer than the pen on screen look joined: never left out
    kept = drop_underline(drop_stray_marks(list(strokes), joined), joined)
    return render_strokes(kept, canvas_size=max(width, height))


STRAIGHT = 0.08  # a stroke no point of which lies farther than this share of its length from the line between its ends
STEEP = 35.0  # ... and whose ends' line is within this many degrees of vertical: a 1, slanted or not


def straight_stroke(points: np.ndarray) -> bool:
    """Is the stroke ``points`` ``(n, 2)`` (y down) a straight steep line
    (``STRAIGHT``, ``STEEP``): a 1 or a stem, however slanted? Its box is
    as wide as its slant makes it, so a 1 leaning into the 0 beside it was
    no stick by its box (``digit_sticks.STICK``) and was swallowed: a new
    user's "1050" read a sure "050" (2026-12-07)."""
    if len(points) < 2:
        return False
    run = points[-1] - points[0]
    length = float(np.hypot(*run))
    if length == 0.0 or abs(run[0]) > np.tan(np.radians(STEEP)) * abs(run[1]):
        return False
    off = np.abs(run[0] * (points[:, 1] - points[0, 1]) - run[1] * (points[:, 0] - points[0, 0])) / length
    return bool(off.max() <= STRAIGHT * length)


def _line(points: np.ndarray) -> tuple[float, float, float, float]:
    """A straight steep stroke's ends, top first (x_top, y_top, x_bottom,
    y_bottom); NaNs for any other stroke (``straight_stroke``)."""
    if not straight_stroke(points):
        return (np.nan,) * 4
    top, bottom = (points[0], points[-1]) if points[0, 1] <= points[-1, 1] else (points[-1], points[0])
    return float(top[0]), float(top[1]), float(bottom[0]), float(bottom[1])


def _box(strokes: Sequence[np.ndarray], pad: float) -> tuple[float, float, float, float]:
    points = np.concatenate(list(strokes))
    lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def digit_strokes(strokes: Sequence[np.ndarray], width: float, height: float) -> list[list[np.ndarray]]:
    """A drawing's checked strokes -> each digit's strokes, left to right
    (one list holding every stroke when the drawing holds one digit).
    ValueError when it holds more than ``MAX_DIGITS`` digits."""
    strokes = list(strokes)
    if len(strokes) < 2:
        return [strokes] if strokes else []
    pen = pen_width(width, height)
    lined = drop_underline(strokes, pen)
    boxes = np.array([[*s.min(axis=0), *s.max(axis=0)] for s in lined])
    shapes = closed_shapes(lined, pen)  # strokes that close a shape together are one piece
    shape_boxes = np.array([[*boxes[c, :2].min(axis=0), *boxes[c, 2:].max(axis=0)] for c in shapes])
    lines = np.array([_line(lined[c[0]]) if len(c) == 1 else (np.nan,) * 4 for c in shapes])
    groups = [sorted(i for k in g for i in shapes[k])
              for g in group_pieces(shape_boxes, pad=pen / 2, touch=pen, lines=lines, slanted_sticks=True)]
    if width < SQUARE_ASPECT * height:
        groups = _clearly_apart(boxes, groups)
    if len(groups) > MAX_DIGITS:
        raise ValueError(f"the drawing holds {len(groups)} digits or marks; at most {MAX_DIGITS} are read")
    if len(groups) <= 1:
        return [strokes]
    return [[lined[i] for i in g] for g in groups]


CLOSING_HEIGHT = 0.5  # strokes that close a shape together are each at least this share of the tallest stroke's height


def closed_shapes(strokes: Sequence[np.ndarray], pen: float) -> list[list[int]]:
    """The strokes (indices) grouped into pieces: two strokes whose ends
    meet at both ends, within ``pen``, each at least ``CLOSING_HEIGHT`` of
    the tallest stroke's height, close a shape together and are one piece
    (a 0 written as two halves, each from top to bottom, stood apart along
    the line and was read "6? 7?" on the wide area; 2026-12-08). Two digits
    side by side touch at one place at most; short strokes are left out, as
    the traced pieces of two touching 2s closed a shape across them. Each
    other stroke is a piece of its own."""
    owner = list(range(len(strokes)))

    def root(i: int) -> int:
        while owner[i] != i:
            i = owner[i]
        return i

    def meet(p: np.ndarray, q: np.ndarray) -> bool:
        return float(np.hypot(*(p - q))) <= pen

    ends = [(s[0], s[-1]) for s in strokes]
    heights = [float(np.ptp(s[:, 1])) for s in strokes]
    tall = [h >= CLOSING_HEIGHT * max(heights) for h in heights]
    for i in range(len(strokes)):
        for j in range(i + 1, len(strokes)):
            if not (tall[i] and tall[j]):
                continue
            (a0, a1), (b0, b1) = ends[i], ends[j]
            if (meet(a0, b0) and meet(a1, b1)) or (meet(a0, b1) and meet(a1, b0)):
                owner[root(j)] = root(i)
    pieces: dict[int, list[int]] = {}
    for i in range(len(strokes)):
        pieces.setdefault(root(i), []).append(i)
    return list(pieces.values())


def _clearly_apart(boxes: np.ndarray, groups: list[list[int]]) -> list[list[int]]:
    """The square area's rule: ``groups`` (left to right, indices into the
    strokes' centre-line ``boxes`` ``(n, 4)``) with neighbours joined unless
    they lie at least ``SQUARE_GAP`` of the tallest group's height apart and
    both are at least ``SQUARE_SHORT`` of it tall."""
    if len(groups) < 2:
        return groups
    extent = np.array([[boxes[g, 0].min(), boxes[g, 1].min(), boxes[g, 2].max(), boxes[g, 3].max()] for g in groups])
    tallest = max(float((extent[:, 3] - extent[:, 1]).max()), 1e-9)
    out, last = [list(groups[0])], extent[0].copy()
    for g, box in zip(groups[1:], extent[1:]):
        apart = (box[0] - last[2]) / tallest >= SQUARE_GAP
        tall = min(box[3] - box[1], last[3] - last[1]) >= SQUARE_SHORT * tallest
        if apart and tall:
            out.append(list(g))
            last = box.copy()
        else:
            out[-1] = out[-1] + list(g)
            last = np.array([min(last[0], box[0]), min(last[1], box[1]), max(last[2], box[2]), max(last[3], box[3])])
    return out


def drawing_digits(strokes: Sequence[np.ndarray], width: float, height: float,
                   cache: dict | None = None) -> list[FoundDigit]:
    """A drawing's checked strokes (``strokes.check_strokes``; canvas units,
    y down) on a ``width`` x ``height`` canvas -> its digits, left to right,
    each through the single-digit path; [] when nothing is drawn. ``cache``:
    a dict kept between calls, holding the last ``CACHE_SIZE`` digits by
    their strokes, so a digit that has not changed is not rendered again
    (while a number is drawn, only the digit being drawn changes: rendering
    was 90 % of a 6-digit drawing's time natively). ValueError as
    ``digit_strokes``."""
    pen = pen_width(width, height)
    found = []
    for group in digit_strokes(strokes, width, height):
        key = (width, height, tuple(s.tobytes() for s in group))
        if cache is not None and key in cache:
            digit = cache.pop(key)
        else:
            x = single_digit(group, width, height)
            digit = None if x is None else FoundDigit(x, _box(drop_underline(drop_stray_marks(group, pen), pen), pen / 2))
        if cache is not None:
            cache[key] = digit  # last used last: the oldest are dropped first
            while len(cache) > CACHE_SIZE:
                del cache[next(iter(cache))]
        if digit is not None:
            found.append(digit)
    return with_doubts(found)


# Why finding a digit is in doubt (``FoundDigit.doubt``'s codes), in words:
# the page's tooltips and notes and ``pynet predict`` say these.
FINDING_DOUBTS = {
    "short": "it is much shorter than the others: maybe a piece of a digit",
    "overlap": "it overlaps its neighbour: their strokes may be shared out wrongly",
    "cut": "it was cut from a digit it touches, on a close call",
    "wide": "it is as wide as two digits and no cut parts it well: maybe two that touch",
    "edge": "it runs into the edge of the sheet of paper: part of it may lie beyond",
    "gap": "faint or broken marks as tall as a digit beside it were left out: a digit may be missing there",
    "several": "the picture may hold several digits, but lines through it left marks that could be digits too",
    "apart": "marks as tall as digits lie side by side but make no row of digits: the picture was read as one "
             "digit, and may hold several",
    "too many": f"the picture holds more than {MAX_DIGITS} marks, more than a number is read with, so the whole "
                "picture was read as one digit",
}


def doubt_words(doubt: str) -> str:
    """``FoundDigit.doubt`` in words: each of its reasons ("; " apart) by
    ``FINDING_DOUBTS``; a picture path's reason is words already."""
    return "; ".join(FINDING_DOUBTS.get(d, d) for d in doubt.split("; ") if d)


def why_unsure(found: FoundDigit) -> str:
    """Why ``found`` is answered unsure beyond the network's doubt, in words
    (what the page and ``pynet predict`` show): the finding's doubt
    (``doubt_words``), else what the picture path cleaned off it; "" for
    neither."""
    return doubt_words(found.doubt) or found.cleaned


def with_doubts(found: list[FoundDigit]) -> list[FoundDigit]:
    """``found`` with each digit's ``doubt`` set from the boxes
    (``digit_groups.doubtful``) where it has none yet."""
    if len(found) < 2:
        return found
    reasons = doubtful(np.array([f.box for f in found]))
    return [f if f.doubt or not r else replace(f, doubt=r) for f, r in zip(found, reasons)]
