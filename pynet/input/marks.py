"""Which marks of a picture's ink are the digit: the components (``components.py``)
of the ink's mask that make it up, and a sheet of paper to look inside.

A picture holds more than the digit: specks of dust, a table, a shadow or
the paper's edge at its border, a dark desk round a sheet. ``main_components``
keeps the digit's own components; ``sheet_box`` finds a sheet of paper with
a digit on it on a dark desk. Pure NumPy: it runs in the browser too.
"""

from __future__ import annotations

import numpy as np

from .background import opening, square_extreme
from .components import Components, label, stroke_width

MIN_INK_SHARE = 0.0004  # inked pixels in all, or it is a speck (e.g. 26 pixels of a 256 x 256 analysis)
INSIDE_SHARE = 0.02  # a component inside the picture this big, next to the largest at its edge, is the digit
FRAME_WIDTHS = 2.0  # ... or smaller, when the one at the edge has strokes this many times wider (a desk, not ink)
MIN_DIGIT_SIDE = 0.05  # ... but then its box spans at least this share of the picture's longer side
SPECK_SHARE = 0.03  # a component under this share of the main one's area is a speck
NEARBY = 0.5  # other components count when within this share of the main one's size of its box
# A drop of ink or a speck, not a piece of the digit: a component no longer
# than DROP_LENGTH of the main one's stroke widths, and round (no longer than
# DROP_ROUND of its own width; a disk: 2, a dash of a stroke as long as 2.5
# widths: 3.5). Spattered ink beside the digit had been kept and made the
# digit small and off-centre (MNIST test digits with 10-40 drops,
# build/damaged_pictures.py, first 500: 76.4 % right, 23.2 % of them unsure; with this
# rule 93.4 %).
# Beside a bold digit (strokes at least DROP_BOLD of its size), a round piece wider than
# DROP_BOLD_LENGTH strokes is kept: a fat marker's 5 whose bar is a blob (1.5-1.8 strokes wide).
DROP_LENGTH = 2.5
DROP_ROUND = 3.0
DROP_BOLD, DROP_BOLD_LENGTH = 0.17, 1.4
# An underline (a line drawn under the digit, apart from it): the rules of
# strokes.drop_underline (UNDERLINE_FLATNESS, _WIDTH, _GAP, _END), there measured on
# drawings, here on the components of a picture's ink. Kept, it made the digit
# small and read a 4 as a 1 (MNIST test digits underlined, build/damaged_pictures.py).
UNDERLINE_FLATNESS, UNDERLINE_WIDTH, UNDERLINE_GAP, UNDERLINE_END = 0.3, 0.4, 0.02, 0.1
SHEET_SHARE, SHEET_FILL = 0.05, 0.7  # a light region this much of the picture, and with what is on it of its box
EDGE_SHEET_FILL = 0.4  # ... or this much of its box when it runs to the picture's edge (a page cut by a desk's corner)
DESK_SHADE = 0.4  # a desk round a sheet is at most this share of the paper's brightness (a hard shadow: 0.55)
DESK_WIDTH = 0.04  # of the picture's shorter side: dark regions at its edge at least this wide are a desk
SHEET_INK_SHARE = 0.4  # ... and its ink at most this share of it (a bold light 4's triangle: about half)
SHEET_OUTSIDE = 0.35  # ... on a desk: at most this share of the picture outside its box is light
SHEET_INK_WIDTH = 0.2  # ... when what is on it is strokes, thinner than this share of their size (a bold 0's hole: 0.27)
EDGE_SHEET_INK_WIDTH = 0.22  # ... or this, on a page running to the picture's edge (a bold 0's slit: 0.20-0.23)
# ... or a marker's strokes on a label, up to BOLD_INK_WIDTH, filling at most BOLD_FILL of their box (an
# MNIST 9 photographed on a label on a dark surface: 0.23, 0.35; the hole of a bold 0: 0.23-0.27, 0.55-0.78)
BOLD_INK_WIDTH, BOLD_FILL = 0.32, 0.7


class NoInk(ValueError):
    """The picture holds no digit: blank, too faint, or only specks."""


def is_frame(comps: Components, edge: int, inside: int, side: int) -> bool:
    """Whether component ``edge`` (at the picture's edge) is a region around
    the digit rather than ink -- a desk or table around a sheet photographed
    from afar, with a thin pen's digit far smaller than it -- judged against
    the largest component ``inside``: strokes ``FRAME_WIDTHS`` times wider,
    and the one inside not a speck (its box at least ``MIN_DIGIT_SIDE`` of
    the picture's longer side ``side``)."""
    top, left, bottom, right = comps.boxes[inside]
    if max(bottom - top, right - left) < MIN_DIGIT_SIDE * side:
        return False
    return stroke_width(comps.labels == edge + 1) >= FRAME_WIDTHS * stroke_width(comps.labels == inside + 1)


def sheet_box(light: np.ndarray, shade: np.ndarray, desk_shade: float = DESK_SHADE
              ) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """The box (top, left, bottom, right) of a sheet of paper in a picture's
    light side (split by Otsu's threshold) and the sheet ``(H, W)`` bool with
    what is on it, or None: its largest component,
    when it is at least ``SHEET_SHARE`` of the picture, solid (with the
    marks on it, at least ``SHEET_FILL`` of its box, or ``EDGE_SHEET_FILL``
    when it reaches the picture's edge: a sheet, even tilted (a square turned
    by 6 degrees: 0.83) or cut by a desk, where a digit's ink
    fills far less) and with a digit on it (its largest hole: at least
    ``MIN_INK_SHARE`` of the picture, and strokes, their width under
    ``SHEET_INK_WIDTH`` of their size (``EDGE_SHEET_INK_WIDTH`` on a page
    running to the picture's edge), or under ``BOLD_INK_WIDTH`` when
    they fill at most ``BOLD_FILL`` of their box and close a loop (the slit
    inside a bold light 8 closes none), and at most
    ``SHEET_INK_SHARE`` of the sheet's area; chalk's bold 1 has no hole, the
    holes of a bold 0, 4 or 8 are blobs), and what lies outside its box mostly
    dark (at most ``SHEET_OUTSIDE`` light) and darker than ``desk_shade`` of
    the paper (``DESK_SHADE``: a desk, not paper in a shadow); ``shade``:
    the picture ``(H, W)`` in [0, 1] that ``light`` was cut from. A new user's review (2026-11-30): with a dark desk on more than
    half a photo, the median took the sheet for light ink and the digit for
    its hole, or found no ink at all."""
    comps = label(light)
    if comps.count == 0:
        return None
    largest = int(np.argmax(comps.areas))
    top, left, bottom, right = (int(v) for v in comps.boxes[largest])
    if comps.areas[largest] < SHEET_SHARE * light.size:
        return None
    holes = label(~light[top:bottom, left:right], connectivity=4)  # the marks on it
    inside = np.flatnonzero(~holes.touches_border)
    if not len(inside):
        return None
    region = comps.labels == largest + 1
    region[top:bottom, left:right] |= np.isin(holes.labels, inside + 1)
    fill = int(region[top:bottom, left:right].sum()) / ((bottom - top) * (right - left))  # with what is on it
    if fill < (EDGE_SHEET_FILL if comps.touches_border[largest] else SHEET_FILL):
        return None
    outside = light.size - (bottom - top) * (right - left)
    if outside and int(light.sum()) - int(light[top:bottom, left:right].sum()) > SHEET_OUTSIDE * outside:
        return None  # light round it too: a page cut by a ruled or graph paper's line, not a sheet on a desk
    around = ~region & ~light
    if around.any() and np.median(shade[around]) > desk_shade * np.median(shade[region & light]):
        return None  # what is round it is paper in a shadow, not a desk
    digit = int(inside[np.argmax(holes.areas[inside])])
    t, lft, b, r = holes.boxes[digit]
    width = holes.width(digit) / max(b - t, r - lft)
    mark = holes.labels[t:b, lft:r] == digit + 1
    at_edge = bool(comps.touches_border[largest])
    strokes = width <= (EDGE_SHEET_INK_WIDTH if at_edge else SHEET_INK_WIDTH) or (width <= BOLD_INK_WIDTH and holes.areas[digit] <= BOLD_FILL * (b - t) * (r - lft)
                                           and bool((~label(~mark, connectivity=4).touches_border).any()))
    if holes.areas[digit] < MIN_INK_SHARE * light.size or not strokes or \
            holes.areas[digit] > SHEET_INK_SHARE * comps.areas[largest]:
        return None
    return (top, left, bottom, right), region


def is_drop(comps: Components, i: int, main: int, width: float) -> bool:
    """Whether component ``i`` is a drop of ink or a speck (``DROP_LENGTH``,
    ``DROP_ROUND``; beside a bold digit, one at most ``DROP_BOLD_LENGTH``
    strokes wide) beside the ``main`` one, whose strokes are ``width``
    pixels wide."""
    t, lft, b, r = comps.boxes[i]
    extent = max(b - t, r - lft)
    if extent > DROP_LENGTH * width or extent > DROP_ROUND * comps.width(i):
        return False
    mt, ml, mb, mr = comps.boxes[main]
    return extent <= DROP_BOLD_LENGTH * width or width < DROP_BOLD * max(mb - mt, mr - ml)


def _is_underline(comps: Components, i: int, main: int) -> bool:
    """Whether component ``i`` underlines the main one: flat (its height at
    most ``UNDERLINE_FLATNESS`` of its width), wide (at least
    ``UNDERLINE_WIDTH`` of the main one's width, or of half its height under
    a narrow digit), below it by at least ``UNDERLINE_GAP`` of its height,
    and under its lowest point, not near either end (a 2's base drawn apart
    ends under the 2's lowest point and stays) -- the rules of
    ``strokes.drop_underline`` for drawings, on a picture's components."""
    t, lft, b, r = comps.boxes[i]
    mt, ml, mb, mr = comps.boxes[main]
    width, height = r - lft, b - t
    if height > UNDERLINE_FLATNESS * width or width < UNDERLINE_WIDTH * max(mr - ml, (mb - mt) / 2):
        return False
    if t < mb + UNDERLINE_GAP * (mb - mt):
        return False
    lowest = np.flatnonzero(comps.labels[mb - 1, ml:mr] == main + 1)
    x = ml + float(lowest.mean()) if len(lowest) else (ml + mr) / 2
    return lft + UNDERLINE_END * width <= x <= r - UNDERLINE_END * width


def main_components(mask: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int], int]:
    """The digit's components of an ink mask ``(H, W)`` bool, their box (top,
    left, bottom, right), and how many drops were left out beside them
    (``is_drop``): the main one (the
    largest inside the picture when the largest touches the edge -- a table,
    a shadow, the paper's edge -- unless the one inside is a speck: under
    ``MIN_INK_SHARE`` of the picture, or under ``INSIDE_SHARE`` of the
    largest's area while the largest is not a frame, ``is_frame``), and the
    others that are not specks, drops (``DROP_LENGTH``) or an underline
    (``UNDERLINE_FLATNESS``) and lie near it;
    edge-touching ones only when the main one touches too. ``NoInk`` when
    the mask is empty."""
    comps = label(mask)
    if comps.count == 0:
        raise NoInk("the picture holds no ink")
    inside = np.flatnonzero(~comps.touches_border)
    largest = int(np.argmax(comps.areas))
    main = largest
    if len(inside) and comps.touches_border[largest]:
        best_inside = int(inside[np.argmax(comps.areas[inside])])
        if comps.areas[best_inside] >= MIN_INK_SHARE * mask.size and (
                comps.areas[best_inside] >= INSIDE_SHARE * comps.areas[largest]
                or is_frame(comps, largest, best_inside, max(mask.shape))):
            main = best_inside
    top, left, bottom, right = comps.boxes[main]
    size = max(bottom - top, right - left)
    reach = NEARBY * size
    width = comps.width(main)
    keep, drops = [main], 0
    for i in range(comps.count):
        if i == main or comps.areas[i] < SPECK_SHARE * comps.areas[main]:
            continue
        if comps.touches_border[i] and not comps.touches_border[main]:
            continue
        t, lft, b, r = comps.boxes[i]
        if t >= bottom + reach or b <= top - reach or lft >= right + reach or r <= left - reach:
            continue
        if is_drop(comps, i, main, width):
            drops += 1
            continue
        if _is_underline(comps, i, main):
            continue
        keep.append(i)
    kept = np.isin(comps.labels, np.array(keep) + 1)
    box = comps.boxes[keep]
    return kept, (int(box[:, 0].min()), int(box[:, 1].min()), int(box[:, 2].max()), int(box[:, 3].max())), drops


def desk(light: np.ndarray) -> np.ndarray:
    """The desk round a sheet of paper ``(H, W)`` bool: the dark (not
    ``light``) regions at the picture's edge that are at least
    ``DESK_WIDTH`` of its shorter side wide everywhere (a binary opening by
    a square that wide), grown back to their edges -- not the strokes or
    lines that touch them."""
    size = max(5, 2 * round(DESK_WIDTH * min(light.shape) / 2) + 1)
    dark = (~light).astype(np.uint8)
    opened = opening(dark, size).astype(bool)
    parts = label(opened)
    wide = np.isin(parts.labels, np.flatnonzero(parts.touches_border) + 1)
    grown = square_extreme(wide.astype(np.uint8), 5, np.maximum)
    return grown.astype(bool) & ~light
