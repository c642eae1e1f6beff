"""The pieces of a number's ink that may be digits: its connected
components (``components.label``) without specks, marks at the picture's
edge (but a digit at the edge of a sheet the picture was cut from), drops of
ink and a line under the number. ``number_ink.py`` finds the ink;
``number_picture.py`` groups these pieces into digits. Pure NumPy.
"""

from __future__ import annotations

import numpy as np

from .components import Components, label
from .marks import UNDERLINE_FLATNESS, UNDERLINE_WIDTH, is_drop
from .number_drawing import STEEP, STRAIGHT

SPECK_SHARE = 0.02  # a component under this share of the largest's area is a speck
Sides = tuple[bool, bool, bool, bool]  # top, left, bottom, right
NO_CUT: Sides = (False, False, False, False)
# A piece touching a side the picture was cut along (a sheet's edge beside a
# desk, ``number_picture._on_the_sheet``) is kept when it touches it along at
# most this share of its extent there: a digit at the desk's edge touches it
# along the arc the edge cuts, a strip of the desk along its whole length.
# Dropped as a mark at the edge, a number's first digit beside a dark desk
# went missing, the rest read sure ("6112" as "112", 2026-12-07).
CONTACT = 0.5


def ink_pieces(mask: np.ndarray, cut_sides: Sides = NO_CUT) -> tuple[Components, np.ndarray]:
    """The ink's components (``components.label``) and those that may be
    digits: ``(components, keep)`` where ``keep`` are the component indices
    left after specks, when any
    component lies inside the picture those touching its edge (but for
    those that touch only ``cut_sides`` -- top, left, bottom, right -- each
    along at most ``CONTACT`` of their extent there), and a line under the
    number (``_underline``). A speck is small beside the largest piece
    inside the picture, when there is one: beside a desk at the edge, a
    number's digits were specks ("9123" beside a desk on two sides read
    "13", sure; a new user's walkthrough, 2026-12-07)."""
    comps = label(mask)
    at_edge = comps.touches_border & ~_cut_by_a_side(comps, cut_sides)
    largest = comps.areas[~at_edge].max() if (~at_edge).any() else comps.areas.max()
    keep = np.flatnonzero(comps.areas >= SPECK_SHARE * largest)
    inside = keep[~at_edge[keep]]
    if len(inside):
        keep = inside
    keep = _without_drops(comps, keep)
    line = _underline(comps.boxes[keep])
    return comps, keep if line is None else np.delete(keep, line)


def _cut_by_a_side(comps: Components, cut_sides: Sides) -> np.ndarray:
    """``(count,)`` bool: the components touching the picture's edge only on
    ``cut_sides`` (top, left, bottom, right), along at most ``CONTACT`` of
    their width (top, bottom) or height (left, right) on each."""
    labels, n = comps.labels, comps.count + 1
    heights = comps.boxes[:, 2] - comps.boxes[:, 0]
    widths = comps.boxes[:, 3] - comps.boxes[:, 1]
    kept = np.ones(comps.count, dtype=bool)
    for side, cut, extent in zip((labels[0], labels[:, 0], labels[-1], labels[:, -1]), cut_sides,
                                 (widths, heights, widths, heights)):
        contact = np.bincount(side, minlength=n)[1:]
        kept &= (contact == 0) | (cut & (contact <= CONTACT * extent))
    return kept


def _without_drops(comps: Components, keep: np.ndarray) -> np.ndarray:
    """``keep`` without the drops of ink and specks beside the largest of
    them (``marks.is_drop``: round, and no longer than a few of its stroke
    widths), the single-digit path's rule. A number's digits are each longer
    than that; a decimal point is not. Kept, a drop beside a spattered digit
    was read as a second digit: 7 of 300 damaged test digits with spatter
    (digits 1000-1299, build/damaged_pictures.py, 2026-12-07)."""
    if len(keep) < 2:
        return keep
    main = int(keep[np.argmax(comps.areas[keep])])
    width = comps.width(main)
    return np.array([i for i in keep if i == main or not is_drop(comps, int(i), main, width)], dtype=keep.dtype)


def _underline(boxes: np.ndarray) -> int | None:
    """Which of the pieces' boxes ``(n, 4)`` (top, left, bottom, right) is a
    line under a number, or None: flat (``marks.UNDERLINE_FLATNESS``), at
    least ``marks.UNDERLINE_WIDTH`` of the others' width, below all of them,
    and under at least two of them (a lone 2's base drawn apart is left to
    the single-digit path, ``marks.main_components``). Kept, it overlapped
    every digit along the line and joined them into one: a new user's
    underlined "350", "907" and "4711" were each read as one unsure digit
    (2026-12-07)."""
    if len(boxes) < 2:
        return None
    for i, (top, left, bottom, right) in enumerate(boxes):
        rest = np.delete(boxes, i, axis=0)
        r_left, r_bottom, r_right = rest[:, 1].min(), rest[:, 2].max(), rest[:, 3].max()
        if (bottom - top > UNDERLINE_FLATNESS * (right - left) or right - left < UNDERLINE_WIDTH * (r_right - r_left)
                or top < r_bottom):
            continue
        centres = (rest[:, 1] + rest[:, 3]) / 2
        if np.count_nonzero((centres >= left) & (centres <= right)) >= 2:
            return i
    return None



def piece_lines(comps: Components, indices: np.ndarray) -> np.ndarray:
    """For the components ``indices``, the ends ``(k, 4)`` (x_top, y_top,
    x_bottom, y_bottom, pixels) of those that are straight steep strokes --
    a 1, slanted or not -- NaN rows for the others. A piece is one when its
    pixels lie within ``STRAIGHT`` of its length, plus half its stroke width
    (its area over its length), of their principal axis, and that axis is
    within ``STEEP`` degrees of vertical: a drawing's test, with its
    bounds (``number_drawing.straight_stroke``), on ink."""
    out = np.full((len(indices), 4), np.nan)
    for row, i in enumerate(indices):
        top, left, bottom, right = comps.boxes[i]
        ys, xs = np.nonzero(comps.labels[top:bottom, left:right] == i + 1)
        if len(xs) < 2:
            continue
        points = np.stack([xs + left, ys + top], axis=1).astype(np.float64)
        centre = points.mean(axis=0)
        _, vectors = np.linalg.eigh(np.cov((points - centre).T))
        axis = vectors[:, -1] * (1.0 if vectors[1, -1] >= 0 else -1.0)  # the principal axis, pointing down
        if abs(axis[0]) > np.tan(np.radians(STEEP)) * abs(axis[1]):
            continue
        along = (points - centre) @ axis
        across = (points - centre) @ np.array([-axis[1], axis[0]])
        length = float(along.max() - along.min())
        if length <= 0 or np.abs(across).max() > STRAIGHT * length + len(xs) / length / 2:
            continue
        out[row] = (*(centre + along.min() * axis), *(centre + along.max() * axis))
    return out
