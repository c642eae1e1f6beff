"""The ink of a picture of a number.

The steps of ``ink.find_ink`` -- luminance, noise out (``noise.denoise``),
polarity, the paper's lighting from tiles (``background.py``), contrast,
Otsu's threshold above the paper's noise, lines through the picture out
(``lines.remove_lines``) and lines crossing a digit out (``cross_out.py``);
where a shadow reaches the picture's edge, the paper followed pixel by
pixel (its closing) -- but every component is kept, not only one digit's,
at a resolution fine enough for six digits side by side
(``ANALYSIS_SIDE``). Before them, a desk beside the sheet of paper is
painted out (``without_desk``: beyond the sheet's convex hull).
``number_pieces.py`` picks the pieces that may be digits, and
``number_picture.py`` groups them into digits. Pure NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .background import background_grid, block_background, interpolate_grid, square_extreme
from .components import grow, label, row_runs, stroke_width
from .contrast import MIN_CONTRAST, ink_contrast, ink_threshold, is_dark_on_light, otsu_threshold
from .cross_out import remove_cross_out
from .ink import GRID, SHADOW_DEPTH, NoInk, paper_under_strokes
from .lines import remove_lines
from .marks import DESK_SHADE
from .noise import denoise
from .number_pieces import NO_CUT, SPECK_SHARE, Sides
from .pixels import luminance, shrink

ANALYSIS_SIDE = 512  # the picture's longer side while finding its digits (a 6-digit number: ~60 px a digit)
SHADOW_FLOOR = 0.25  # a shadow is at least this much darker than the paper's lighting (a photo's vignetting: less)
EDGE_RUN = 0.05  # shadow along more than this share of a side of the picture reaches the edge (a stroke: ~1 %)
STEP_LEVEL = 0.125  # a step in the paper: its level changes by half SHADOW_FLOOR within a stroke width ...
STEP_SHARE = 0.75  # ... and a piece with this share of its pixels on such a step is the step's edge
# Ink fainter than the threshold, above this share of Otsu's part of it (and
# the noise), is looked at for a digit the threshold left out: a
# walkthrough's "4386" with a faint 3, small in a photo, read "486", sure
# (2026-12-07; number_picture, digit_groups.missing_beside).
WEAK_INK = 0.5
HALO = 2  # pixels round the ink that are its soft edges, not faint ink
CROSSED_HEIGHT = 0.5  # of the tallest piece's height: a shorter piece is no digit struck through (_cross_outs_out)
FAINT = 0.8  # lines are fainter than the ink when this share of their pixels is below Otsu's threshold among the ink's


@dataclass(frozen=True)
class NumberInk:
    """A picture's ink: ``lum`` its luminance ``(H, W)`` in [0, 1]; ``paper``
    the paper's level and ``mask`` the ink at the analysis resolution
    ``(h, w)`` (the picture shrunk by block means by ``factor``), the paper's
    level in the picture's own polarity; ``faint_lines``: lines through the
    picture were taken out, and they were fainter than the ink;
    ``shadowed``: ``paper`` follows a shadow or band pixel by pixel
    (``_paper_under_the_strokes``), so a digit's crop is to be divided by
    it (``flat``) before the single-digit path sees it; ``dark_on_light``:
    the picture's polarity."""

    lum: np.ndarray
    paper: np.ndarray
    mask: np.ndarray
    factor: int
    faint_lines: bool = False
    shadowed: bool = False
    dark_on_light: bool = True
    cut_sides: Sides = NO_CUT  # the sides the picture was cut along (ink_pieces)
    contrast: np.ndarray | None = None  # the ink's contrast at the analysis resolution (weak)

    def weak(self) -> np.ndarray | None:
        """The faint ink ``(h, w)`` bool: under the threshold, above
        ``WEAK_INK`` of Otsu's part of it (and the noise), and more than
        ``HALO`` pixels from the ink; None without ``contrast``."""
        if self.contrast is None:
            return None
        return (self.contrast > ink_threshold(self.contrast, WEAK_INK)) & ~grow(self.mask, HALO)

    def flat(self, crop: np.ndarray, paper: np.ndarray) -> np.ndarray:
        """A crop of ``lum`` with its ``paper`` (the same shape) divided
        out -- flat-field correction: paper 1 (0 for light ink on a dark
        ground) wherever the paper is, lit or shadowed, and the ink as dark
        against it as it is against its own paper."""
        if self.dark_on_light:
            return np.clip(crop / np.maximum(paper, 1e-3), 0.0, 1.0)
        return 1.0 - np.clip((1.0 - crop) / np.maximum(1.0 - paper, 1e-3), 0.0, 1.0)


def number_ink(image: np.ndarray, cut_sides: Sides = NO_CUT, shrunk: tuple[np.ndarray, int] | None = None) -> NumberInk:
    """A picture (any of ``preprocess_image``'s pixel formats) -> its ink.
    ``cut_sides`` (top, left, bottom, right): the sides where the picture
    was cut out of a larger one (``ink_pieces``); ``shrunk``: the picture
    shrunk to ``ANALYSIS_SIDE`` and denoised, when already made
    (``without_desk``). ``NoInk`` when no ink
    stands out; ValueError for arrays that are not images
    (``pixels.luminance``)."""
    lum = luminance(image)
    if shrunk is None:
        small, factor = shrink(lum, ANALYSIS_SIDE)
        small, _ = denoise(small)  # impulse noise and grain out first, as ink.find_ink does
    else:
        small, factor = shrunk
    dark = is_dark_on_light(small)
    work = small if dark else 1.0 - small
    h, w = work.shape
    block = max(4, -(-max(h, w) // (2 * GRID)))
    paper = interpolate_grid(background_grid(*block_background(work, block)), block, np.arange(h), np.arange(w))
    contrast = ink_contrast(work, paper)
    mask = contrast > ink_threshold(contrast)
    shadowed = _at_the_edge((contrast > SHADOW_FLOOR) & (contrast < 1.0 - SHADOW_DEPTH))
    if shadowed:  # a shadow or band reaching the edge: the paper pixel by pixel
        paper = _paper_under_the_strokes(work, (mask, contrast >= 1.0 - SHADOW_DEPTH), paper)
        contrast = ink_contrast(work, paper)
        mask = contrast > ink_threshold(contrast)
    mask, faint = _lines_out(contrast, mask)
    mask = _cross_outs_out(mask)
    if shadowed:
        mask = _off_the_steps(mask, paper)
    if mask.sum() < 4 or float(contrast[mask].mean()) < MIN_CONTRAST:
        raise NoInk("the picture holds no ink that stands out from its background")
    return NumberInk(lum, paper if dark else 1.0 - paper, mask, factor, faint, shadowed, dark, cut_sides, contrast)


def without_desk(lum: np.ndarray, sheet: tuple[int, int, int, int], dark_on_light: bool | None = None
                 ) -> tuple[np.ndarray, np.ndarray | None, tuple[np.ndarray, int]]:
    """A picture's luminance ``(H, W)`` cropped to the box of the sheet of
    paper on it (``sheet``: top, left, bottom, right), with what lies
    outside the sheet painted over in the sheet's median shade; where that
    is (bool, the crop's shape), or None when nothing was painted (then the
    crop is a view of ``lum``, not a copy); and the whole picture shrunk to
    ``ANALYSIS_SIDE`` and denoised, with its factor (``number_ink``'s
    ``shrunk``, when nothing was painted and the sheet is the whole
    picture: made once, about 10 ms in the tab).

    The sheet: the largest component of what is lighter than a desk
    (``marks.DESK_SHADE`` of the median of the light side by Otsu's
    threshold, at ``ANALYSIS_SIDE``, denoised: paper in a shadow is paper;
    Otsu's threshold alone painted over the shadowed half of a
    walkthrough's pages), and everything within its convex hull
    (``_hull_rows``) less ``HULL_MARGIN`` pixels: a sheet is convex however
    it is turned, and a stroke that touches its edge lies inside the hull of
    the paper round it. Cropped to the box alone, a desk whose edge is not
    square to the picture left a sliver of itself in the crop, joined to a
    digit at the edge, and the digit was left out with it: a new user's
    "2024" beside a dark desk read "024", sure (2026-12-07). Nothing is
    painted unless ``DESK_DARK`` of what lies outside the hull is on the
    dark side of Otsu's threshold (paper beyond a bold line that splits the
    page is no desk; a textured desk's light streaks are).
    ``dark_on_light``: the sheet is the light side (False: a dark board
    beside a light wall); None: as ``contrast.is_dark_on_light`` has it."""
    top, left, bottom, right = sheet
    crop = lum[top:bottom, left:right]
    small, factor = shrink(lum, ANALYSIS_SIDE)
    small, _ = denoise(small)
    if dark_on_light is None:
        dark_on_light = is_dark_on_light(small)
    work = small if dark_on_light else 1.0 - small
    dark = work <= otsu_threshold(work)
    light = ~dark
    if dark_on_light and light.any():  # paper in a shadow is paper: only what is as dark as a desk is not
        light = work > DESK_SHADE * float(np.median(work[light]))
    comps = label(light)
    if comps.count == 0:
        return crop, None, (small, factor)
    paper = comps.labels == int(np.argmax(comps.areas)) + 1
    first, last = _hull_rows(paper)
    cols = np.arange(paper.shape[1])
    first = np.where(first <= 0, first, first + HULL_MARGIN)  # no margin where the sheet runs off the picture:
    last = np.where(last >= len(cols) - 1, last, last - HULL_MARGIN)  # a shadow there is followed (number_ink)
    outside = (cols[None, :] < first[:, None]) | (cols[None, :] > last[:, None])
    if not outside.any() or dark[outside].mean() < DESK_DARK:  # no desk: paper beyond a bold line, say
        return crop, None, (small, factor)
    rows = np.minimum(np.arange(top, bottom) // factor, paper.shape[0] - 1)
    outside = outside[rows][:, np.minimum(np.arange(left, right) // factor, paper.shape[1] - 1)]
    crop = np.array(crop, dtype=np.float32)
    crop[outside] = np.median(small[paper])
    return crop, outside, (small, factor)


HULL_MARGIN = 1.5  # analysis pixels: the hull's edge pixels are half desk
DESK_DARK = 0.5  # ... and what lies outside the hull is a desk when at least this share of it is dark (Otsu's)


def _hull_rows(region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The convex hull of ``region`` ``(h, w)`` bool, row by row: its first
    and last column in each row ``(h,)`` float (first > last in rows it does
    not reach). The hull's left edge is the greatest convex function below
    each row's first column, its right edge the least concave one above
    each row's last (Andrew's monotone chain, 1979, on the rows' ends)."""
    h, w = region.shape
    rows = np.flatnonzero(region.any(axis=1))
    first = np.full(h, np.inf)
    last = np.full(h, -np.inf)
    if len(rows) == 0:
        return first, last
    starts = region[rows].argmax(axis=1).astype(np.float64)
    ends = (w - 1 - region[rows, ::-1].argmax(axis=1)).astype(np.float64)
    span = np.arange(rows[0], rows[-1] + 1)
    first[span] = np.interp(span, *_lower_hull(rows, starts))
    last[span] = -np.interp(span, *_lower_hull(rows, -ends))
    return first, last


def _lower_hull(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The vertices of the lower convex hull of points ``(xs, ys)``, ``xs``
    increasing (a Python loop over the picture's rows: at most
    ``ANALYSIS_SIDE``)."""
    hull: list[tuple[float, float]] = []
    for x, y in zip(xs.tolist(), ys.tolist()):
        while len(hull) >= 2 and ((hull[-1][0] - hull[-2][0]) * (y - hull[-2][1])
                                  - (hull[-1][1] - hull[-2][1]) * (x - hull[-2][0])) <= 0:
            hull.pop()
        hull.append((x, y))
    return np.array([p[0] for p in hull]), np.array([p[1] for p in hull])


def _at_the_edge(mask: np.ndarray) -> bool:
    """Does ``mask`` run along the picture's edge, unbroken, for more than
    ``EDGE_RUN`` of its side? A shadow across the picture does
    (``number_ink`` asks of what is darker than the paper's lighting by
    ``SHADOW_FLOOR`` or more, whether above its ink threshold or not -- a
    faint shadow is not ink, but left in a digit's crop it hid the digit
    from the single-digit path -- and no darker than ``SHADOW_DEPTH`` of
    it: a dark desk or frame beside the sheet is left to the tiles, as
    before); a digit near the edge touches it for a stroke's width."""
    h, w = mask.shape
    for edges, side in ((mask[[0, -1]], w), (mask[:, [0, -1]].T, h)):
        _, starts, ends = row_runs(edges)  # unbroken: grain's scattered pixels make no run, a shadow's edge one
        if len(starts) and (ends - starts).max() > EDGE_RUN * side:
            return True
    return False


def _paper_under_the_strokes(work: np.ndarray, inks: tuple[np.ndarray, ...], paper: np.ndarray) -> np.ndarray:
    """The paper's level pixel by pixel, as ``ink.find_ink`` has it
    (``ink.paper_under_strokes``), the strokes measured on the pieces clear
    of the edge of the first of ``inks`` that has some: the ink mask, else
    the ink darker than any shadow (a band along the whole number joins
    every digit to it, and a shadow over half the page throws the ink
    threshold off). So a shadow across a number is paper and the strokes in
    it are ink; where the closing is darker than ``SHADOW_DEPTH`` of the
    paper's brightest lighting (a dark desk or frame, which the tiles
    follow), the tiles' lighting ``paper``, as before: there a desk is ink
    at the edge, left out with the specks its size makes of the marks beside
    it. ``work``: the picture, ink dark."""
    for ink in inks:
        comps = label(ink)
        inside = np.flatnonzero(~comps.touches_border) + 1
        if len(inside):
            break
    else:
        return paper
    width = stroke_width(np.isin(comps.labels, inside))
    return paper_under_strokes(work, width, paper, SHADOW_DEPTH * float(paper.max()))


def _off_the_steps(mask: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """The ink ``mask`` ``(h, w)`` bool without the pieces that lie along a
    step in the ``paper`` followed pixel by pixel: those with ``STEP_SHARE``
    of their pixels where the paper's level changes by more than
    ``STEP_LEVEL`` of its brightest within a stroke width of the largest
    piece's strokes (window maxima and minima). Where a shadow, a wall or a
    desk meets the paper, the closing leaves a strip of the edge as dark as
    ink; it is the edge, not a digit. A digit crossing a shadow's edge has
    most of its ink off it, and the largest piece is always kept. On 300
    test digits beside a light wall or a dark corner
    (``build/damaged_pictures.py``, digits 1000-1299, 2026-12-07) such
    strips had 94-100 % of their pixels on the step and made a second digit
    of 7 of them; the digits had 0-18 %."""
    comps = label(mask)
    if comps.count < 2:
        return mask
    main = int(np.argmax(comps.areas))
    size = 2 * round(comps.width(main)) + 1
    change = square_extreme(paper, size, np.maximum) - square_extreme(paper, size, np.minimum)
    step = (change > STEP_LEVEL * float(paper.max())).ravel()
    on_step = np.bincount(comps.labels.ravel(), weights=step, minlength=comps.count + 1)[1:]
    edges = np.flatnonzero(on_step >= STEP_SHARE * comps.areas)
    edges = edges[edges != main]
    return mask & ~np.isin(comps.labels, edges + 1) if len(edges) else mask


def _cross_outs_out(mask: np.ndarray) -> np.ndarray:
    """The ink ``mask`` with each piece at least as wide as it is tall, and
    at least ``CROSSED_HEIGHT`` as tall as the tallest (a digit, not a
    fragment of one or of a line), without a line crossing it out
    (``cross_out.py``): a digit struck through is wider than a digit, and
    would be cut in two by the number finder; a narrower one is left to
    its crop's single-digit path, which takes the line out too
    (``ink.find_ink``)."""
    pieces = label(mask)
    out = mask
    heights = pieces.boxes[:, 2] - pieces.boxes[:, 0]
    for i in np.flatnonzero(pieces.areas >= SPECK_SHARE * pieces.areas.max(initial=0)):
        top, left, bottom, right = pieces.boxes[i]
        if right - left < bottom - top or bottom - top < CROSSED_HEIGHT * heights.max():
            continue
        piece = pieces.labels[top:bottom, left:right] == i + 1
        rest = remove_cross_out(piece)
        if rest is not None:
            out = out.copy() if out is mask else out
            out[top:bottom, left:right] &= ~piece | rest
    return out


def _lines_out(contrast: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, bool]:
    """The ink ``mask`` without ruled, dotted and graph paper or a line
    across the whole picture (``lines.remove_lines``), and whether those
    lines were fainter than the ink (blue or grey rulings under a dark pen:
    ``FAINT`` of the lines' pixels below Otsu's threshold among the inked
    pixels' contrast). Then the ink above that threshold, lines taken out
    of it too, is added back: a thin pen's strokes that run along a line
    stay, where taking out the line took them with it (a new user's "907"
    and "2047" written with a 3-5 px pen on lined paper read "963?7?7?" and
    "762?47", 2026-12-07)."""
    kept, report = remove_lines(mask)
    if not report.count:
        return kept, False
    level = otsu_threshold(contrast[mask])
    if (contrast[mask & ~kept] < level).mean() >= FAINT:  # the lines taken out: nearly all fainter
        return kept | remove_lines(contrast > level)[0], True  # the strokes along a line come back
    return kept, False
