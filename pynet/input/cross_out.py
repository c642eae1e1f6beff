"""A line crossing a digit out: a strike-through, or two of them (an X).

Such a line stops short of the picture's edges, so ``lines.remove_lines``
leaves it; a digit struck through was read as another digit, or cut into
two by the number finder (a walkthrough's 4, 0, 6 and 1 struck through with
a line a little longer than the digit, 2026-12-07). ``remove_cross_out``
finds it on the centre line of the digit's ink (``skeleton.thin``) by a Hough
transform (Duda and Hart, "Use of the Hough transformation to detect lines
and curves in pictures", CACM 1972): for each direction within
``CROSS_SLOPE`` degrees of level, the offset holding the most centre-line
pixels, and of those pixels the longest stretch without a gap. It is a
cross-out when it runs on beyond the rest of the ink at both ends by at
least ``FREE_END`` of the rest's height (a 7's or 2's bar ends where another
stroke begins: no free end there) -- or, through the digit's middle, by
that much on average and ``SHORT_END`` at the shorter end -- and is at least
``CROSS_LENGTH`` of that height long (a 1's foot, a 7's crossbar, a 4's bar
drawn on beyond its stem are shorter). It is taken out where it is the line alone
(``lines.thin_across``): where the digit's strokes cross it, the ink stays.
Pure NumPy: it runs in the browser too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .components import depth, label, stroke_width
from .line_graph import BAND_MARGIN
from .lines import thin_across
from .skeleton import thin

CROSS_SLOPE = 30.0  # degrees from level: a steeper line is as likely a stroke of the digit (a 1's, an 8's diagonal)
FREE_END = 0.12  # of the rest's height: how far a cross-out runs on beyond the digit at each end
# A strike drawn from one side, or stopped by the picture's edge, runs on
# further at one end than at the other: one end may run on only SHORT_END of
# the height when the ends' mean is FREE_END and the line crosses the
# middle of the digit (MIDDLE_THROUGH of its height in from either side).
# A digit's own bars lie near its top or bottom (a 2's base, a 5's top):
# with SHORT_END and no middle rule, thick-pen 2s lost their bases.
SHORT_END = 0.04
MIDDLE_THROUGH = 0.3
CROSS_LENGTH = 1.0  # of the rest's height: how long a cross-out is at least
SHORT_LENGTH = 0.75  # ... and a line crossing it as one does, this long, leaves the answer unsure (CrossOut.short)
THROUGH = 0.2  # of the rest's height across the line: a cross-out runs at least this far inside it ...
SIDE_SHARE = 0.1  # ... with at least this share of the rest's ink on either side of it
# Of the ink, at least this much is left, the digit, when every straight line
# found is taken out: an X over a 1 of the same pen leaves about a quarter.
KEEP = 0.2
ANGLE_STEP = 1.0  # degrees between the Hough transform's directions
NEAR_LINE = 1.5  # pixels: centre-line pixels this near a direction's offset lie on its line
MAX_LINES = 2  # lines looked for: a strike-through, or an X
# Where an X's two lines cross, the ink is wide across each of them, so each
# alone would leave the crossing as a blob (an X over a 1 left a 1 with a
# bar, read as a 4). Measured again across each line with the other line
# alone not counted as ink, the blob shrinks by the other line's width a
# pass; a digit's stroke through it keeps its ink beyond both lines and stays.
CROSSING_PASSES = 3


@dataclass(frozen=True)
class CrossOut:
    """What ``find_cross_out`` found on a digit's ink: ``rest``, the ink
    without the lines crossing it out (None when there are none), and
    ``short``: a line that crosses the digit and runs on beyond it at both
    ends by ``FREE_END``, as a cross-out does, but is shorter than
    ``CROSS_LENGTH`` (down to ``SHORT_LENGTH``) and so was left in -- a short strike, or a bar of the
    digit's own: a walkthrough's 1 struck by a line 0.83 of its height long
    read as a sure 4, and a 9 struck below its loop (0.95) as a sure 4
    (2026-12-07). The answer is then unsure (``ink.SHORT_STRIKE``)."""

    rest: np.ndarray | None
    short: bool = False


def remove_cross_out(piece: np.ndarray) -> np.ndarray | None:
    """``find_cross_out(piece).rest``."""
    return find_cross_out(piece).rest


def find_cross_out(piece: np.ndarray) -> CrossOut:
    """A digit's ink ``piece`` ``(H, W)`` bool without the lines crossing it
    out (module description), and whether a short one was left in
    (``CrossOut``). What is left of a line where the digit's strokes cross
    it stays; its remnants wholly in its strip are left out with it.

    ``_ends_alone`` first rules out, cheaply, a digit whose sides show no
    line's end, sparing its thinning: 244 of 300 traced test digits drawn
    at 280 px; on them, 1.4 ms a digit on average natively."""
    none = CrossOut(None)
    ys, xs = np.nonzero(piece)
    if len(ys) < 4:
        return none
    top, left = int(ys.min()), int(xs.min())
    crop = piece[top : int(ys.max()) + 1, left : int(xs.max()) + 1]
    if not _ends_alone(crop):
        return none
    rows, cols = np.indices(crop.shape)
    bands = []  # (normal, the line's band, how wide the line alone is, its strip)
    for normal, offset, reach in _straight_lines(thin(crop), depth(crop)):
        dist = np.abs(rows * normal[0] + cols * normal[1] - offset)
        bands.append((normal, crop & (dist <= reach), 2 * reach + 2, dist <= reach + BAND_MARGIN))
    alone = [thin_across(band, crop, normal, widest) for normal, band, widest, _ in bands]
    for _ in range(CROSSING_PASSES if len(bands) > 1 else 0):
        alone = [thin_across(band, crop & ~_others(alone, i), normal, widest)
                 for i, (normal, band, widest, _) in enumerate(bands)]
    lines = [(normal, line, strip) for (normal, _, _, strip), line in zip(bands, alone) if line.any()]
    if not lines:
        return none
    rest = _without(crop, lines)  # the digit without any of them: an X's other line is no part of it
    if rest.sum() < KEEP * crop.sum():
        return none  # the lines are most of the ink: strokes of the digit, or a piece of one
    crossings = [_crossing(normal, line, rest) for normal, line, _ in lines]
    crossing = [line for line, (length, _) in zip(lines, crossings) if length >= CROSS_LENGTH]
    # A short strike runs on FREE_END at both ends: a 7's crossbar or a 4's bar drawn on beyond the
    # stem at one end only would leave right answers unsure (a 22 px pen's 7 and 4 among 1,000).
    short = any(both_free and SHORT_LENGTH <= length < CROSS_LENGTH for length, both_free in crossings)
    if not crossing:
        return CrossOut(None, short)
    out = np.zeros_like(piece)
    out[top : top + crop.shape[0], left : left + crop.shape[1]] = _without(crop, crossing)
    return CrossOut(out, short)


def _others(alone: list[np.ndarray], i: int) -> np.ndarray:
    """The pixels of every line in ``alone`` but the ``i``-th, bool."""
    return np.logical_or.reduce([line for j, line in enumerate(alone) if j != i])


def _ends_alone(crop: np.ndarray) -> bool:
    """Could lines crossing the digit out end at the sides of its box
    ``crop`` ``(h, w)`` bool? In the outermost ``FREE_END / 2`` of its
    height at the left and at the right, each run of ink down the rows
    must be no taller than a line's end there (three stroke widths, plus
    as much as a line within ``CROSS_SLOPE`` of level climbs across those
    columns)."""
    h, w = crop.shape
    k = max(1, int(round(FREE_END / 2 * h)))
    if w < 2 * k + 2:
        return False
    tallest = 3 * stroke_width(crop) + k * np.tan(np.radians(CROSS_SLOPE)) + 1
    for side in (crop[:, :k], crop[:, -k:]):
        inked = np.concatenate([[False], side.any(axis=1), [False]])
        edges = np.flatnonzero(inked[1:] != inked[:-1])
        if not len(edges) or (edges[1::2] - edges[::2]).max() > tallest:
            return False
    return True


def _straight_lines(centre: np.ndarray, deep: np.ndarray) -> list[tuple[np.ndarray, float, float]]:
    """Up to ``MAX_LINES`` straight lines on the centre line ``centre``
    ``(h, w)`` bool, each ``(normal, offset, reach)``: the pixels ``p``
    (row, col) with ``|p @ normal - offset| <= reach`` are its strip. Each
    is the Hough transform's peak among the centre-line pixels not on a
    line found before, within ``CROSS_SLOPE`` of level; its longest stretch
    with no gap wider than two strokes, fitted by least squares (and
    passed over when the fit is steeper than ``CROSS_SLOPE``); its
    reach, the ink's depth along it (``deep``: ``components.depth``) and
    the centre line's distance from the fit, plus ``BAND_MARGIN``."""
    ys, xs = np.nonzero(centre)
    if len(ys) < 2:
        return []
    a = np.radians(np.arange(-CROSS_SLOPE, CROSS_SLOPE + ANGLE_STEP / 2, ANGLE_STEP))
    normals = np.stack([np.cos(a), -np.sin(a)], axis=1)  # a line heading (cos a, sin a) in (x, y)
    offsets = normals @ np.stack([ys, xs]).astype(np.float64)  # (directions, pixels)
    gap = 2 * 2 * float(np.median(deep[ys, xs]))  # two strokes' widths
    free = np.ones(len(ys), dtype=bool)
    found = []
    for _ in range(MAX_LINES):
        if free.sum() < 2:
            break
        best, k, at = 0, 0, 0.0
        for i in range(len(a)):
            bins = np.round(offsets[i, free]).astype(int)
            lo = bins.min()
            counts = np.bincount(bins - lo)
            counts = counts + np.r_[0, counts[:-1]] + np.r_[counts[1:], 0]  # a 3-pixel window
            j = int(np.argmax(counts))
            if counts[j] > best:
                best, k, at = int(counts[j]), i, float(j + lo)
        on = free & (np.abs(offsets[k] - at) <= NEAR_LINE)
        along = ys * -normals[k][1] + xs * normals[k][0]
        stretch = _longest_stretch(along, on, gap)
        if stretch.sum() < 2:
            break
        points = np.stack([ys[stretch], xs[stretch]], axis=1).astype(np.float64)
        through = points.mean(axis=0)
        _, _, vt = np.linalg.svd(points - through, full_matrices=False)
        normal = vt[-1] if vt[-1][0] >= 0 else -vt[-1]
        if normal[0] < np.cos(np.radians(CROSS_SLOPE)):  # the stretch fits a steep stroke (a 1's): no cross-out
            free &= ~stretch
            continue
        spread = np.abs((points - through) @ normal) + deep[ys[stretch], xs[stretch]]
        reach = float(np.median(spread)) + BAND_MARGIN
        offset = float(through @ normal)
        found.append((normal, offset, reach))
        free &= np.abs(ys * normal[0] + xs * normal[1] - offset) > reach
    return found


def _longest_stretch(along: np.ndarray, on: np.ndarray, gap: float) -> np.ndarray:
    """Of the pixels ``on`` (bool) at positions ``along``, those of the
    longest stretch with no gap wider than ``gap`` -> bool, as ``on``."""
    index = np.flatnonzero(on)
    order = index[np.argsort(along[index])]
    t = along[order]
    breaks = np.flatnonzero(np.diff(t) > gap)
    starts, ends = np.r_[0, breaks + 1], np.r_[breaks, len(t) - 1]
    longest = int(np.argmax(t[ends] - t[starts]))
    out = np.zeros_like(on)
    out[order[starts[longest] : ends[longest] + 1]] = True
    return out


def _without(crop: np.ndarray, lines: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """``crop`` without the ``lines`` (normal, pixels, strip): their pixels
    out, and the pieces left wholly inside their strips (their remnants)."""
    rest = crop & ~np.logical_or.reduce([line for _, line, _ in lines])
    pieces = label(rest)
    if not pieces.count:
        return rest
    strips = np.logical_or.reduce([strip for _, _, strip in lines])
    outside = np.bincount(pieces.labels[rest & ~strips], minlength=pieces.count + 1)[1:]
    return np.isin(pieces.labels, np.flatnonzero(outside > 0) + 1)


def _crossing(normal: np.ndarray, line: np.ndarray, rest: np.ndarray) -> tuple[float, bool]:
    """How long ``line`` (pixels, bool) is, in the height of the digit
    ``rest`` across it, when it crosses the digit -- runs through it at
    least ``THROUGH`` of that height from either side of it, with
    ``SIDE_SHARE`` of its ink on either side (a 2's base, a 5's bar, a 7's
    stroke, an underline run along its edge) -- and runs on beyond it at
    both ends by ``FREE_END`` of that height (or, within ``MIDDLE_THROUGH``
    of its middle, by that much on average and ``SHORT_END`` at least),
    else 0; and whether both ends run on ``FREE_END``. A cross-out is
    ``CROSS_LENGTH`` long at least."""
    along = np.array([-normal[1], normal[0]])
    ly, lx = np.nonzero(line)
    ry, rx = np.nonzero(rest)
    on_line, on_rest = ly * along[0] + lx * along[1], ry * along[0] + rx * along[1]
    across = ry * normal[0] + rx * normal[1]
    height = float(np.ptp(across)) + 1
    at = float(np.median(ly * normal[0] + lx * normal[1]))
    middle = (at - across.min()) / height
    above = float(np.mean(across < at))
    ends = np.array([on_rest.min() - on_line.min(), on_line.max() - on_rest.max()]) / height
    both_free = bool(ends.min() >= FREE_END)
    free = both_free or (MIDDLE_THROUGH <= middle <= 1 - MIDDLE_THROUGH
                         and ends.min() >= SHORT_END and ends.mean() >= FREE_END)
    crosses = THROUGH <= middle <= 1 - THROUGH and SIDE_SHARE <= above <= 1 - SIDE_SHARE and free
    return (float(np.ptp(on_line)) / height if crosses else 0.0), both_free
