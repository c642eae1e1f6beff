"""A picture of a number -> one network input per digit, left to right.

1. The ink of the whole picture and its pieces that may be digits
   (``number_ink.py``: ``ink.find_ink``'s steps, every component kept;
   specks, marks at the picture's edge and an underline left out), on the
   sheet of paper ``find_ink`` found, when it lay on a desk.
2. Components grouped into digits by where they lie (``digit_groups``).
3. A group much wider than the digits are tall holds digits that touch.
   Without the network, one wider than ``MUST_SPLIT`` typical heights is cut
   where the ink is thinnest (the column of least ink within ``digit_cuts.CUT_RANGE`` of
   its width). Given ``read`` (the network), one wider than ``MAY_SPLIT`` is
   tried whole and cut at each of the ``CANDIDATES`` thinnest columns, and
   kept as the network reads best (a cut's score: the smaller of its two
   parts' top probabilities; the cuts ranked by quick readings, ``digit_cuts``),
   unless it is read whole at least ``WHOLE_SURE``; wider than
   ``MUST_SPLIT``, it is cut. In a row of several groups, one wider than
   ``ROW_MAY_SPLIT`` is tried too (digits whose ink overlaps), and cut only
   when both parts are read at least ``NARROW_SURE``. A part
   still too wide is cut again. See ``docs/numbers.md`` for the
   measurements that chose them.
4. Each digit's region of the picture (its box and a margin, the other
   digits' ink painted over with the paper's level) goes through exactly the
   single-digit path, ``preprocess.preprocess_image``.

A picture holding one digit, or marks that make no row of digits
(``picture_number``), is ``preprocess.read_picture`` on the whole picture,
unchanged. Pure NumPy.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .closer_look import CLOSER_BELOW, number_region
from .components import label
from .digit_cuts import Reader, candidate_cuts, ink_box, quick_scores
from .digit_groups import ROW_HEIGHTS, group_pieces, is_a_row, missing_beside, side_by_side
from .ink import LINES, NoInk
from .number_drawing import MAX_DIGITS, FoundDigit, with_doubts
from .number_ink import NumberInk, number_ink, without_desk
from .number_pieces import NO_CUT, SPECK_SHARE, Sides, ink_pieces, piece_lines
from .picture_digit import found_digit, read_digit
from .pixels import luminance
from .preprocess import Picture, read_picture

MAY_SPLIT = 1.0  # a group wider than this many typical digit heights may hold touching digits (network's choice)
MUST_SPLIT = 1.6  # ... and wider than this does (a wide 2 or 5 is up to about 1.3)
# In a row of several groups, one wider than ROW_MAY_SPLIT may hold digits
# whose ink overlaps (a 1 leaning into a 6), cut only when both parts are
# read at least NARROW_SURE: on 300 four-digit numbers of held-out digits,
# scans 82.7 -> 87.3 % right, thin pen as before (docs/numbers.md's table).
ROW_MAY_SPLIT = 0.5
NARROW_SURE = 0.99
CANDIDATES = 5  # the thinnest columns tried when the network chooses
WHOLE_SURE = 0.99  # a group no wider than MUST_SPLIT read whole this surely ...
SURE_CANDIDATES = 1  # ... has only its this many thinnest columns tried
CUT_SURE = 0.6  # a cut chosen over the whole group by less than this (top probabilities) leaves its parts in doubt
# A group wider than MUST_SPLIT read whole at least WHOLE_SURE, whose best
# cut's parts read below this, is kept whole and unsure ("wide"): on 300
# damaged pictures of each kind (test digits 1000-1299), six wide 0s read
# whole at 1.000 were cut into two unsure digits (best cuts 0.43-0.82); the
# touching pairs it keeps whole (best cuts 0.13-0.50) were read wrong cut too.
KEEP_WIDE = 0.85
MARGIN = 0.15  # around a digit's box, as a share of the typical digit's height
# A picture no larger than this on either side is one digit: MNIST's own
# 28 x 28 format, where a number's digits would be a dozen pixels wide. With
# 5 % impulse noise, 17 of the first 500 MNIST test digits broke into pieces
# the number finder read as several digits (single-digit path: 96.2 % right,
# through the number finder 93.6 %; 2026-12-07).
TINY = 32


class _Digits:
    """The picture's ink pieces (``labels`` ``(h, w)`` int at the analysis
    resolution, 0 where there is none) grouped into digits (``groups``: each
    a list of labels), the ``typical`` digit's height, and the picture
    (``lum``, ``paper``, ``factor``) to ``crop`` each digit from."""

    def __init__(self, ink: NumberInk) -> None:
        self.ink = ink
        self.lum, self.paper, self.factor = ink.lum, ink.paper, ink.factor
        pieces, keep = ink_pieces(ink.mask, ink.cut_sides)
        self.labels = pieces.labels
        boxes = pieces.boxes[:, [1, 0, 3, 2]].astype(np.float64)  # (x0, y0, x1, y1) of every piece
        self.groups = [[int(keep[i]) + 1 for i in g] for g in group_pieces(boxes[keep], lines=piece_lines(pieces, keep))]
        heights = np.array([boxes[np.array(g) - 1, 3].max() - boxes[np.array(g) - 1, 1].min() for g in self.groups])
        self.typical = float(np.median(heights[heights >= 0.5 * heights.max()])) if len(heights) else 0.0
        left_out = np.ones(pieces.count, dtype=bool)
        left_out[keep] = False
        self.dropped = boxes[left_out & ~pieces.touches_border]  # specks, faint or broken ink (missing_beside)
        self.largest = float(pieces.areas[keep].max()) if len(keep) else 0.0

    def left_out(self) -> np.ndarray:
        """The boxes (x0, y0, x1, y1) of the marks left out (``dropped``) and
        of the pieces of faint ink (``NumberInk.weak``, looked for only now) that are no specks:
        where a digit may be missing (``missing_beside``)."""
        weak = self.ink.weak()
        if weak is None or not weak.any():
            return self.dropped
        faint = label(weak)
        kept = (faint.areas >= SPECK_SHARE * self.largest) & ~faint.touches_border
        return np.concatenate([self.dropped, faint.boxes[kept][:, [1, 0, 3, 2]].astype(np.float64)])

    def crop(self, owned: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """The picture's luminance around ``owned`` ink (analysis pixels), the
        ink of ``others`` painted with the paper's level -> ``(crop, box)``,
        box in the picture's pixels."""
        x0, y0, x1, y1 = ink_box(owned)
        m = int(np.ceil(MARGIN * self.typical))
        h, w = owned.shape
        top, left, bottom, right = max(0, y0 - m), max(0, x0 - m), min(h, y1 + m), min(w, x1 + m)
        f = self.factor
        H, W = self.lum.shape
        crop = self.lum[top * f : min(H, bottom * f), left * f : min(W, right * f)].copy()
        rows = np.minimum(np.arange(crop.shape[0]) // f + top, h - 1)
        cols = np.minimum(np.arange(crop.shape[1]) // f + left, w - 1)
        grown = others.copy()
        grown[1:] |= others[:-1]
        grown[:-1] |= others[1:]
        grown[:, 1:] |= grown[:, :-1].copy()
        grown[:, :-1] |= grown[:, 1:].copy()
        grown &= ~owned
        cover = grown[rows][:, cols]
        paper = self.paper[rows][:, cols]
        crop[cover] = paper[cover]
        if self.ink.shadowed:  # the shadow divided out: the single-digit path sees even paper
            crop = self.ink.flat(crop, paper)
        return crop, (float(x0 * f), float(y0 * f), float(min(W, x1 * f)), float(min(H, y1 * f)))


Part = tuple[np.ndarray, str, Picture | None]  # a digit's ink, its doubt, and its crop read already (or None)


def _split(digits: _Digits, owned: np.ndarray, ink: np.ndarray, read: Reader | None,
           doubt: str = "", whole: np.ndarray | None = None, known: Picture | None = None) -> list[Part]:
    """``owned`` ink (analysis pixels) -> the digits it holds, each with its
    doubt and its crop's ``read_picture`` when that was made here (the
    number finder then reads it no second time): itself, or cut (see the
    module's description) into parts, each split again while too wide. A
    cut the network chose over keeping the group whole by less than
    ``CUT_SURE`` makes both parts doubtful ("cut"). ``whole``: the group's
    input when already read (a picture's only group); ``known``: its crop's
    ``read_picture``, when already made.

    The candidate cuts are ranked by quick readings (``_ranking_input``);
    the group read whole and the best cut's two parts are then read through
    the single-digit path, and decide. A group the quick readings do not
    read better cut than whole is kept without reading its parts in full: a
    lone wide 3 in a 640-px photo took 500 ms in the tab when every cut was
    read in full (11 readings; 2026-12-06, ``build.bench``).

    A group read whole at least ``WHOLE_SURE`` and no wider than
    ``MUST_SPLIT`` has only its ``SURE_CANDIDATES`` thinnest columns tried:
    each reading costs about 2.5 ms in the tab (Pyodide), 0.2 ms natively,
    and the benchmark's phone photo, a lone wide 3 read whole at 0.9996,
    spent 25 ms of its 110 on ten readings of cuts. Keeping such groups
    whole unread was tried first: of the 233 groups the network was asked
    about in pictures of 2- and 4-digit numbers, touching pairs and lone
    pen digits, the cuts kept all 136 of them whole, but on 100 scanned
    numbers of 4 and of 6 digits it read a 1 or 7 touching the next digit
    (a "16", a "73") as that digit, read whole at 0.99 and 0.999; their
    thinnest column is the cut (2026-12-06, ``build.number_accuracy``: the
    200-number sets read as before).
    """
    x0, y0, x1, y1 = ink_box(owned)
    width = (x1 - x0) / max(digits.typical, 1.0)
    may = ROW_MAY_SPLIT if len(digits.groups) >= 2 else MAY_SPLIT
    if width <= (may if read is not None else MUST_SPLIT) or x1 - x0 < 4:
        return [(owned, doubt, known)]
    cuts = candidate_cuts(owned[:, x0:x1], CANDIDATES if read is not None else 1, ROW_HEIGHTS[0] * digits.typical) + x0
    if not len(cuts):  # every cut leaves a part too short for a digit of the row (is_a_row)
        return [(owned, doubt or ("wide" if width > MUST_SPLIT else ""), known)]
    columns = np.arange(owned.shape[1])

    def halves(c: int) -> tuple[np.ndarray, np.ndarray]:
        return owned & (columns < c), owned & (columns >= c)

    best, parts = cuts[0], [None, None]
    if read is not None:
        if whole is None:
            known = known or read_picture(digits.crop(owned, ink & ~owned)[0])
            whole = None if known is None else known.input
        kept = -1.0 if whole is None else float(read(whole[None]).max())
        if width <= MUST_SPLIT and kept >= WHOLE_SURE:
            cuts = cuts[:SURE_CANDIDATES]
        quick = quick_scores([halves(c) for c in cuts], read)
        best = cuts[int(np.argmax(quick))]
        if width <= MUST_SPLIT and kept >= max(quick):
            return [(owned, doubt, known)]
        parts = [read_picture(digits.crop(p, ink & ~p)[0]) if p.any() else None for p in halves(best)]
        score = -1.0 if None in parts else float(read(np.stack([p.input for p in parts])).max(axis=1).min())
        if width <= MUST_SPLIT and kept >= score:
            return [(owned, doubt, known)]
        if width <= MAY_SPLIT and score < NARROW_SURE:  # no wider than a digit: cut only when both parts are clear
            return [(owned, doubt, known)]
        if kept >= WHOLE_SURE and score < KEEP_WIDE:  # a wide digit read whole surely, its parts badly
            return [(owned, doubt or "wide", known)]
        if score - kept < CUT_SURE:
            doubt = "cut"
    left, right = halves(best)
    if not left.any() or not right.any():
        return [(owned, doubt, known)]
    return (_split(digits, left, ink, read, doubt, known=parts[0])
            + _split(digits, right, ink, read, doubt, known=parts[1]))


def picture_digits(image: np.ndarray, read: Reader | None = None, whole: Picture | None = None) -> list[FoundDigit]:
    """A picture of a number (any of ``preprocess_image``'s pixel formats) ->
    its digits, left to right, each through ``preprocess_image``; [] when it
    holds no ink. ``read``: the network (inputs ``(k, 784)`` -> probabilities
    ``(k, 10)``), to choose where touching digits are cut; without it, at the
    thinnest column. ``whole``: the picture already read as one digit
    (``read_picture``), used when it holds one. ValueError for arrays that
    are not images, or more than ``MAX_DIGITS`` digits."""
    return _read_digits(image, read, whole)[0]


def _read_digits(image: np.ndarray, read: Reader | None, whole: Picture | None, cut_sides: Sides = NO_CUT,
                 shrunk: tuple[np.ndarray, int] | None = None) -> tuple[list[FoundDigit], bool]:
    """``picture_digits``, and whether lines through the picture fainter
    than the ink were taken out (``NumberInk.faint_lines``); ``cut_sides``
    and ``shrunk``: ``number_ink``'s."""
    try:
        found_ink = number_ink(image, cut_sides, shrunk)
    except NoInk:
        return [], False
    digits = _Digits(found_ink)
    faint = found_ink.faint_lines
    ink = np.isin(digits.labels, [k for g in digits.groups for k in g])
    lone = whole.input if whole is not None and len(digits.groups) == 1 else None  # the picture read whole
    parts = [part for g in digits.groups for part in _split(digits, np.isin(digits.labels, g), ink, read, whole=lone)]
    owned, doubts, known = [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]
    if len(owned) >= 2:  # a digit beside left-out marks as tall as a digit: one may be missing
        beside = missing_beside(np.array([ink_box(p) for p in owned], float), digits.left_out(), digits.typical)
        doubts = [d if not gap else "; ".join(filter(None, (d, "gap"))) for d, gap in zip(doubts, beside)]
    if len(owned) > MAX_DIGITS:
        raise ValueError(f"the picture holds {len(owned)} digits or marks; at most {MAX_DIGITS} are read")
    if len(owned) == 1:  # one digit: the single-digit path on the whole picture, as before numbers
        picture = whole or read_digit(image, read)
        _, box = digits.crop(owned[0], np.zeros_like(ink))
        return ([] if picture is None else [found_digit(picture, box, doubts[0])]), faint
    found = []
    for part, doubt, read_already in zip(owned, doubts, known):
        crop, box = digits.crop(part, ink & ~part)
        picture = read_digit(crop, read, read_already)
        if picture is not None:
            found.append(found_digit(picture, box, doubt))
    return with_doubts(found), faint


def picture_number(image: np.ndarray, read: Reader | None = None) -> list[FoundDigit]:
    """A picture's digits as ``pynet predict`` and the page read them: those
    ``picture_digits`` finds when they make a row of digits (``is_a_row``);
    otherwise, and always when it is no larger than ``TINY``, the picture is
    one digit, read by ``preprocess.read_picture`` as before numbers (its
    box: the ink's, or the whole picture). [] when it holds no digit.
    ValueError for arrays that are not images.

    The single-digit path clears clutter a page of digits does not have:
    noise, lines, a desk, drops of ink. Here noise and lines through the
    picture are taken out before the digits are looked for (``number_ink``),
    and what is found is a number only when its marks make a row of
    like-sized digits: before, ruled lines gave up to 38 "digits" and a line
    or zig-zag across one digit made it two in a third to a half of such
    pictures (100 pictures of each kind of ``build/damaged_pictures.py``,
    2026-12-06; docs/numbers.md). Digits read on a picture with lines taken
    out are judged as cleaned (``confidence.judge``: sure only when very
    sure). Tried and dropped: reading the whole picture as one digit when
    the network is surer of it than of the parts (it kept 7 more damaged
    digits whole but read 10 % of two-digit numbers as one digit); looking
    for the number in the ink the single-digit path kept (a white page is
    often taken for a sheet on a desk, whose ink is only the marks near one
    digit). A number small in a big picture (no digit found, or none as
    tall as ``closer_look.CLOSER_BELOW`` of its longer side) is read again
    on the region of the picture's fine detail, when that is small and
    holds what was found (``closer_look``)."""
    lum = luminance(image)  # once: the single-digit path and the number finder both start from it
    found = _picture_number(lum, read)
    h, w = lum.shape
    span = _span(found)
    if max(h, w) > TINY and (span is None or max(f.box[3] - f.box[1] for f in found) < CLOSER_BELOW * max(h, w)):
        region = number_region(lum)  # a number small in a big picture: read it again closer (closer_look.py)
        if region is not None and (span is None or _holds(region, span)):
            x0, y0, x1, y1 = region
            closer = _picture_number(lum[y0:y1, x0:x1], read)
            if closer:
                return [replace(f, box=(f.box[0] + x0, f.box[1] + y0, f.box[2] + x0, f.box[3] + y0)) for f in closer]
    return found


def _span(found: list[FoundDigit]) -> tuple[float, float, float, float] | None:
    """The box round every digit ``found`` (None when there is none)."""
    if not found:
        return None
    boxes = np.array([f.box for f in found])
    return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())


def _holds(region: tuple[int, int, int, int], box: tuple[float, float, float, float]) -> bool:
    """Does ``region`` hold ``box`` (both x0, y0, x1, y1)?"""
    return region[0] <= box[0] and region[1] <= box[1] and box[2] <= region[2] and box[3] <= region[3]


def _picture_number(lum: np.ndarray, read: Reader | None) -> list[FoundDigit]:
    """``picture_number`` on grey picture ``lum``, without the closer look."""
    picture = read_digit(lum, read)
    h, w = lum.shape
    if picture is None:
        return [] if max(h, w) <= TINY else _digits_alone(lum, read)
    if max(h, w) <= TINY:
        top, left, bottom, right = picture.ink.box
        return [found_digit(picture, (float(left), float(top), float(right), float(bottom)))]
    doubt = ""
    try:
        found, faint = _on_the_sheet(lum, read, picture)
    except ValueError:  # more marks than MAX_DIGITS: a page of clutter, or a longer number, read as one digit
        found, faint, doubt = [], False, "too many"
    lined = picture.ink.clutter == LINES
    strict = lined and not faint and read is not None  # lines as dark as the ink: their remnants pass for digits
    if len(found) >= 2 and is_a_row([f.box for f in found]):
        if not (strict and _unsure(found, read)):
            if lined:  # judged as cleaned: sure only when very sure
                return [replace(f, cleaned=f.cleaned or "lines through the picture were taken out") for f in found]
            return found
        doubt = "several"  # a row, but some of it may be the lines' remnants: read whole, and said so
    if len(found) == 1 and found[0].x is picture.input:  # read whole already, with any doubt from finding it
        return found
    if len(found) >= 2 and not doubt and side_by_side(np.array([f.box for f in found])):
        doubt = "apart"  # several digit-tall marks that make no row: read whole, and said so
    box = found[0].box if len(found) == 1 else (0.0, 0.0, float(w), float(h))
    return [found_digit(picture, box, doubt)]


def _digits_alone(lum: np.ndarray, read: Reader | None) -> list[FoundDigit]:
    """A number's digits where the single-digit path found none in the
    whole picture: when ``picture_digits`` finds a row of them, each read
    through the single-digit path on its own crop, and (given ``read``)
    every one read at least ``LINED_SURE``; else []. Half a lined page in
    a deep shadow left the single-digit path no digit, while the number
    finder, which follows a shadow's paper, found all four (2026-12-07)."""
    try:
        found = _read_digits(lum, read, None)[0]
    except ValueError:
        return []
    if len(found) < 2 or not is_a_row([f.box for f in found]) or (read is not None and _unsure(found, read)):
        return []
    return found


def _on_the_sheet(image: np.ndarray, read: Reader | None, picture: Picture) -> tuple[list[FoundDigit], bool]:
    """``_read_digits`` on the sheet of paper the single-digit path found
    the digit on (``Ink.sheet``: a desk, frame or dark surface round it is no
    digit), boxes in the whole picture's pixels; on the whole picture when
    there is no sheet. A desk is painted over, found or not by the
    single-digit path (``number_ink.without_desk``: beside a desk on two
    sides and a shadow over the paper, it found no sheet, and a strip along
    the desk's edge hid the number: 10 of a walkthrough's 40 such numbers
    read wrong and sure, 2026-12-07); a digit at the sheet's edge is no mark
    at the picture's edge (``number_pieces.CONTACT``), and one within
    ``EDGE_GAP`` of the desk may run beyond the sheet ("edge": beside a desk
    over part of a number, 6 of 120 numbers were read wrong and sure
    without it). ``image``: the picture's luminance."""
    h, w = image.shape
    top, left, bottom, right = sheet = picture.ink.sheet or (0, 0, h, w)
    painted, desk, shrunk = without_desk(image, sheet, picture.ink.dark_on_light if picture.ink.sheet else None)
    same = picture.ink.sheet is None and desk is None  # the whole picture as it was: shrunk once
    found, faint = _read_digits(painted, read, picture, (top > 0, left > 0, bottom < h, right < w), shrunk if same else None)
    if desk is not None and len(found) >= 2:
        found = [replace(f, doubt="; ".join(filter(None, (f.doubt, "edge")))) if _by_the_desk(f, found, desk) else f
                 for f in found]
    return [replace(f, box=(f.box[0] + left, f.box[1] + top, f.box[2] + left, f.box[3] + top)) for f in found], faint


EDGE_GAP = 0.02  # of the tallest digit's height: a digit this near the desk runs into the sheet's edge


def _by_the_desk(digit: FoundDigit, found: list[FoundDigit], desk: np.ndarray) -> bool:
    """Does the painted-out desk (``desk``, bool, in the crop's pixels, as
    the boxes of ``found``) come within ``EDGE_GAP`` of the tallest digit's
    height of ``digit``'s box?"""
    gap = EDGE_GAP * max(f.box[3] - f.box[1] for f in found)
    x0, y0, x1, y1 = digit.box
    return bool(desk[max(0, int(y0 - gap)) : int(y1 + gap) + 1, max(0, int(x0 - gap)) : int(x1 + gap) + 1].any())


LINED_SURE = 0.9  # on a picture with lines taken out, a number's every digit must be read this surely


def _unsure(found: list[FoundDigit], read: Reader) -> bool:
    """Is any digit found read less surely than ``LINED_SURE``? On ruled
    paper or across a line as dark as the ink, what is left of the lines
    where they cross a digit can pass for a digit beside it; a number's real
    digits are read surely (measured 2026-12-06, docs/numbers.md). Lines
    fainter than the ink leave no such remnants (``number_ink``), and a
    thin pen's number on blue rulings with one digit read at 0.79 was read
    as one digit (2026-12-07): then the rule is not applied."""
    return bool(read(np.stack([f.x for f in found])).max(axis=1).min() < LINED_SURE)
