"""Where the ink is in a photo, scan or screenshot of a digit.

A picture brings what a canvas does not: a background that is not one colour
(uneven lighting, a shadow, vignetting, a dark desk beside the page), noise,
specks of dust and spattered ink, ruled or graph paper, a line through the
digit, a table or the paper's edge at the border, and ink that may be dark
on light or light on dark, opaque or on a transparent layer. ``find_ink``
turns it into the ink's coverage in [0, 1] over the box of the one digit it
holds:

1. pixels to luminance in [0, 1], transparency composited away
   (``pixels.luminance``), and a copy shrunk by block means to at most
   ``ANALYSIS_SIDE`` pixels for the analysis, impulse noise and grain taken
   out of it when it has them (``noise.py``);
2. a sheet of paper with the digit on it beside a dark desk, frame or
   surface (``marks.sheet_box``): looked at alone, or with the desk painted
   over in the paper's shade (``marks.desk``), the ink dark -- so polarity
   and paper are decided where the digit is, not by the whole picture;
3. polarity otherwise: the background is most of the picture, so the ink is
   the extreme (dark or light) further from the median; light ink is
   handled as the negative from there on (``contrast.is_dark_on_light``;
   a digit on a light and a dark ground is answered unsure,
   ``contrast.two_grounds``);
4. the background (``background.py``): the lighting from tiles about an
   eighth of the picture wide, tiles that are all ink replaced by a
   quadratic surface fitted robustly to the others; then again from the
   paper alone, the first estimate's ink left out; then, pixel by pixel, a
   grey-level closing three stroke widths wide (measured with the lines
   through the picture left out, ``lines.py``, and the strokes the tiles
   made hollow filled, ``outline.py``), which keeps a shadow's edge sharp;
5. contrast to the background as a share of the background's brightness, so
   a shadow dims ink and paper alike and changes nothing;
6. a threshold by Otsu's method (N. Otsu, "A threshold selection method from
   gray-level histograms", IEEE Trans. SMC 9(1), 1979) on that contrast, but
   never within the background's own noise (``NOISE_SIGMAS`` robust standard
   deviations);
7. lines through the whole picture left out (``lines.py``: ruled, dotted
   and graph paper, a line or zig-zag crossing or underlining the digit);
8. connected components (``components.py``, ``marks.main_components``):
   specks, drops of ink and an underline apart from the digit are dropped,
   and marks that touch the picture's edge (a table, a shadow, the paper's
   edge) when a component inside the picture is the digit; then a line
   crossing the digit out, short of the picture's edges (``cross_out.py``).

Measured on 300 traced test digits drawn with 3-45 px pens, as photos with a
lighting gradient, vignetting, noise, specks and JPEG compression
(``build.pen_images.paper_photo``), also with a hard shadow across the page
or a dark table at two edges: the answers of the model shipped before agreed
with those for the drawn digits on 98.0-100 %; today's shipped model's on
98.3-100 % of 60 for each kind and pen (``tests/test_pen_pictures.py``,
which checks them).
Pure NumPy: it runs in the browser too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .background import background_grid, block_background, closing, interpolate_grid
from .components import stroke_width
from .contrast import MIN_CONTRAST, ink_contrast, ink_threshold, is_dark_on_light, otsu_threshold, two_grounds
from .cross_out import find_cross_out
from .lines import NEAR_EDGE, remove_lines
from .marks import DESK_SHADE, MIN_INK_SHARE, NoInk, desk, main_components, sheet_box
from .noise import denoise
from .outline import fill_outlines
from .pixels import luminance, shrink
from .resampling import resample

__all__ = ["Ink", "NoInk", "find_ink", "ink_contrast", "ink_threshold", "is_dark_on_light", "luminance",
           "paper_under_strokes", "shrink"]

ANALYSIS_SIDE = 256  # longest side for finding the ink (a digit at 256 px is sharp enough to locate)
MIN_ANALYSIS_SIDE = 112  # ... and a smaller picture is enlarged to at least this (MNIST's 28 px: 4 times)
COVERAGE_SIDE = 192  # the digit's coverage is given at the picture's resolution, but at most this many pixels
GRID = 8  # background blocks along the longer side
CLOSING_WIDTHS = 3.0  # the closing's window, in stroke widths: wider than any stroke ...
CLOSING_SHARE = 1 / 5  # ... and local: at most this share of the picture's longer side, or no closing
SHADOW_DEPTH = 0.4  # paper darker than this share of the lighting around it is taken for ink, not shadow
LINES = "lines through the picture"  # Ink.clutter when remove_lines took some out
CROSSED_OUT = "a line crossing the digit out was taken out"  # Ink.cleaned when cross_out.py took one out
SHORT_STRIKE = "a short line crosses the digit: it may be crossed out, or the line may be part of the digit"
DESK = "the desk round the sheet"  # ... and when the digit was found on a sheet of paper on a desk
TWO_GROUNDS = "the digit lies on a light and a dark ground: its ink may have been taken the wrong way round"
ALONG_EDGE = "the ink is a solid region along the picture's edge: a shadow or a desk may have been taken for the digit"
SHEET_CROP = 0.9  # ... looked at alone when its box is less than this share of the picture (a desk shows round it)


@dataclass(frozen=True)
class Ink:
    """A picture's ink: ``coverage`` float32 in [0, 1] (1 = as dark, or as
    light, as its ink) of the digit's ``box`` (top, left, bottom, right in the
    picture's pixels, bottom/right exclusive), at the picture's resolution
    shrunk by a whole factor to at most ``COVERAGE_SIDE`` pixels along the
    longer side; whether it was ``dark_on_light``; ``doubt``: why the
    digit may not be what its ink shows (a line through the picture crosses
    it and could not be told from its strokes, ``lines.LineReport``), or "";
    and ``cleaned``: what was taken out of the digit's box or left out
    beside it (a line through it, drops of ink), or "" -- what is left may
    have lost a piece of the digit or kept a piece of the clutter; ``clutter``:
    what was cleared from the picture round the digit (lines through it, a
    desk round the sheet), or "" -- then the whole picture is no clean page
    (``number_picture.picture_number`` holds a number on it to a stricter
    rule); and ``sheet``."""

    coverage: np.ndarray
    box: tuple[int, int, int, int]
    dark_on_light: bool
    doubt: str = ""
    cleaned: str = ""
    clutter: str = ""
    sheet: tuple[int, int, int, int] | None = None  # the sheet's box (as ``box``) when it lay on a desk
    # When a line crossing the digit out was taken out (``cleaned`` is
    # CROSSED_OUT): the coverage, as ``coverage``, with the line left in.
    with_line: np.ndarray | None = None


def _grow(mask: np.ndarray) -> np.ndarray:
    """The mask and its 8-neighbours."""
    p = np.pad(mask, 1)
    h, w = mask.shape
    out = mask.copy()
    for dy in range(3):
        for dx in range(3):
            out |= p[dy : dy + h, dx : dx + w]
    return out


def _ink_mask(contrast: np.ndarray) -> np.ndarray:
    """The ink (``ink_threshold``); ``NoInk`` when it is too little or too faint to be a digit."""
    mask = contrast > ink_threshold(contrast)
    if mask.sum() < max(4, MIN_INK_SHARE * mask.size) or float(contrast[mask].mean()) < MIN_CONTRAST:
        raise NoInk("the picture holds no ink that stands out from its background")
    return mask


def find_ink(image: np.ndarray) -> Ink:
    """The ink of a picture of one digit (see the module's description).
    ``NoInk`` when there is none (blank, too faint, specks only);
    ValueError for arrays that are not images.

    A picture under ``MIN_ANALYSIS_SIDE`` pixels (MNIST's own 28 x 28, an
    icon) is cleared of noise at its own size and then enlarged by a whole
    factor, linearly, to be looked at: the steps' sizes in pixels (the
    centre lines' directions, junctions, the lines' margins) are a few
    pixels, which at 28 px is a digit's stroke and a zig-zag's tooth. Its
    ``box`` and ``sheet`` are given in the picture's own pixels."""
    lum = luminance(image)
    scale = -(-MIN_ANALYSIS_SIDE // max(lum.shape))
    if scale <= 1:
        return _find_ink(lum)
    lum, _ = denoise(lum)
    ink = _find_ink(resample(lum, lum.shape[0] * scale, lum.shape[1] * scale), NEAR_EDGE)

    def back(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return box[0] // scale, box[1] // scale, -(-box[2] // scale), -(-box[3] // scale)

    return replace(ink, box=back(ink.box), sheet=None if ink.sheet is None else back(ink.sheet))


def _find_ink(lum: np.ndarray, near_edge: float = 0.0) -> Ink:
    """``find_ink`` on a picture's luminance ``(H, W)`` in [0, 1];
    ``near_edge``: ``lines.remove_lines``'s (a line ending that near the
    edge of a small picture, a blank margin beyond it, runs through it: at
    28 px, two pixels; on a page, a line under a number that stops short of
    the edges must not count as one through the page, whose numbers are then
    read to a stricter rule)."""
    small, factor = shrink(lum, ANALYSIS_SIDE)
    small, _ = denoise(small)
    ink = _on_sheet(lum, small, factor)
    if ink is not None:
        return replace(ink, clutter=ink.clutter or DESK)
    try:
        return _ink_of(lum, (small, factor), near_edge=near_edge)
    except NoInk:
        # Last, the same in the negative: light ink on a dark surface (chalk on
        # a board) beside a light wall, which took the noise floor above the
        # ink, the wall as light as paper in a shadow: nothing else found a
        # digit, so any darker surround counts as a desk (mixed-background
        # pictures, build/damaged_pictures.py: 1 of the first 1,000 gave "no
        # digit found" without this).
        ink = _on_sheet(1.0 - lum, 1.0 - small, factor, desk_shade=1.0)
        if ink is None:
            raise
        return replace(ink, dark_on_light=not ink.dark_on_light)


def _on_sheet(lum: np.ndarray, small: np.ndarray, factor: int, desk_shade: float = DESK_SHADE) -> Ink | None:
    """``find_ink`` for a sheet of paper with the digit on it, on a dark desk
    (``marks.sheet_box``), or None when the picture shows none; ``lum``
    ``(H, W)`` in [0, 1], ``small`` its shrunk (by ``factor``) and denoised
    copy; ``desk_shade``: as ``marks.sheet_box``'s.

    Only the sheet is looked at, so the desk cannot pass for the background
    (when it shows on more than half the photo) or for the digit's ink: its
    box alone when that is well inside the picture, else the picture with
    the desk (``marks.desk``) painted over in the paper's shade; the ink dark
    whatever the median says when the sheet runs to the picture's edge (a
    label inside it is most of its own box: the median there is right, and a
    bold light digit taken for a label keeps its polarity)."""
    light = small > otsu_threshold(small)
    sheet = sheet_box(light, small, desk_shade)
    if sheet is None:
        return None
    (top, left, bottom, right), region = sheet
    at_edge = bool(region[0].any() or region[-1].any() or region[:, 0].any() or region[:, -1].any())
    top, left = top * factor, left * factor
    bottom, right = min(lum.shape[0], bottom * factor), min(lum.shape[1], right * factor)
    if (bottom - top) * (right - left) < SHEET_CROP * lum.size:
        try:
            ink = _ink_of(lum[top:bottom, left:right], dark_on_light=True if at_edge else None)
            t, lft, b, r = ink.box
            return replace(ink, box=(t + top, lft + left, b + top, r + left), sheet=(top, left, bottom, right))
        except NoInk:
            pass
    try:
        painted = np.where(desk(light), np.float32(np.median(small[region & light])), small)
        return replace(_ink_of(lum, (painted, factor), dark_on_light=True), sheet=(top, left, bottom, right))
    except NoInk:
        return None  # not a sheet after all: the whole picture, as before


SOLID = 0.6  # ink filling this share of its box ...
ALONG_THE_EDGE = 0.5  # ... and lying along this share of a side of the picture is a dark region, not a digit


def _solid_along_the_edge(kept: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Does the digit's ink ``(h, w)`` bool fill ``SOLID`` of its ``box``
    and lie along ``ALONG_THE_EDGE`` of a side of the picture? Then it is
    most likely a region of the background -- a hard shadow's dark half, a
    desk -- taken for ink: a digit touches the frame for a stroke's width, a
    tightly cropped 7's bar fills little of its box. A walkthrough's digits
    half in a shadow 55 % deep were read as a sure 1 for 8 of 15
    (2026-12-07)."""
    top, left, bottom, right = box
    if kept[top:bottom, left:right].mean() < SOLID:
        return False
    return any(side.mean() >= ALONG_THE_EDGE for side in (kept[0], kept[-1], kept[:, 0], kept[:, -1]))


def _side_to_side(kept: np.ndarray) -> bool:
    """Does the digit's ink ``(h, w)`` bool reach the picture's left and
    right edges, though not both its top and bottom (a digit cropped tightly
    all round)? Then a line through the picture that ``lines.py`` did not
    find -- a dense zig-zag as thick as the strokes -- is likely still in it,
    and the answer is unsure. On the first 300 MNIST test digits of each
    damaged kind (``build/damaged_pictures.py``), only zig-zags and one
    mixed background do this; of the 1,000 zig-zags, 10, of which 4 were
    read wrong and sure and 1 right and sure (2026-12-06)."""
    return bool(kept[:, 0].any() and kept[:, -1].any() and not (kept[0].any() and kept[-1].any()))


def paper_under_strokes(work: np.ndarray, width: float, lighting: np.ndarray,
                        darkest: np.ndarray | float) -> np.ndarray:
    """The paper's level under strokes ``width`` pixels wide, pixel by pixel:
    a grey-level closing ``CLOSING_WIDTHS`` stroke widths wide, which keeps
    a shadow's edge sharp, on ``work`` ``(h, w)`` (the picture, ink dark);
    where the closing is darker than ``darkest`` (per pixel or one level),
    the tiles' ``lighting``; ``lighting`` itself when the strokes are too
    wide for a local window (over ``CLOSING_SHARE`` of the longer side)."""
    size = 2 * round(CLOSING_WIDTHS * width / 2) + 1
    if size > max(work.shape) * CLOSING_SHARE:
        return lighting
    local = closing(work, max(5, size))
    return np.where(local >= darkest, local, lighting)


def _ink_of(lum: np.ndarray, shrunk: tuple[np.ndarray, int] | None = None, dark_on_light: bool | None = None,
            near_edge: float = 0.0) -> Ink:
    """``find_ink`` on a picture's luminance ``(H, W)`` in [0, 1]; ``shrunk``:
    its ``shrink(lum, ANALYSIS_SIDE)`` when already made; ``dark_on_light``:
    the polarity when already known; ``near_edge``: ``_find_ink``'s."""
    if shrunk is None:
        small, factor = shrink(lum, ANALYSIS_SIDE)
        small, _ = denoise(small)
    else:
        small, factor = shrunk

    # From here on the ink is dark: light ink is handled as the negative.
    guessed = dark_on_light is None
    if guessed:
        dark_on_light = is_dark_on_light(small)
    if not dark_on_light:
        small, lum = 1.0 - small, 1.0 - lum
    h, w = small.shape
    block = max(4, -(-max(h, w) // GRID))

    # First the lighting, tile by tile, to find the ink and its width; then
    # again from the paper alone (the ink and its edges left out).
    rows, cols = np.arange(h), np.arange(w)
    rough = interpolate_grid(background_grid(*block_background(small, block)), block, rows, cols)
    inked = _ink_mask(ink_contrast(small, rough))
    first, _, _ = main_components(remove_lines(inked, rulings_only=True)[0])
    first = fill_outlines(first.astype(np.float32))[0] >= 0.5  # a thick stroke the tiles made hollow
    smooth_bg = interpolate_grid(background_grid(*block_background(small, block, _grow(_grow(inked)))), block, rows, cols)
    # ... then the paper under the ink pixel by pixel; where that is far
    # darker than the lighting (a blob of ink wider than the window), the lighting.
    background = paper_under_strokes(small, stroke_width(first), smooth_bg, SHADOW_DEPTH * smooth_bg)
    contrast = ink_contrast(small, background)
    found = _ink_mask(contrast)
    inked, lines = remove_lines(found, near_edge=near_edge)
    kept, (top, left, bottom, right), drops = main_components(inked)
    crossed = "a line through the digit was taken out" if (found & ~inked)[top:bottom, left:right].any() else ""
    cross_out = find_cross_out(kept)  # a line crossing the digit out, short of the picture's edges
    uncrossed = cross_out.rest
    with_line = None
    if uncrossed is not None:
        with_line = kept, (top, left, bottom, right)
        kept, crossed = uncrossed, CROSSED_OUT
        ys, xs = np.nonzero(kept)
        top, left, bottom, right = int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1
    if kept.sum() < max(4, MIN_INK_SHARE * kept.size):
        raise NoInk("the picture holds only specks")
    balanced = guessed and two_grounds(small, (top, left, bottom, right))
    solid = _solid_along_the_edge(kept, (top, left, bottom, right))

    coverage, box = _coverage(lum, contrast, background, factor, kept, (top, left, bottom, right))
    doubt = "a line crosses the digit along one of its strokes" if lines.doubt else \
        TWO_GROUNDS if balanced else \
        "the ink runs from side to side: a line through the picture may be left in the digit" if _side_to_side(kept) \
        else ALONG_EDGE if solid \
        else SHORT_STRIKE if cross_out.short \
        else ""
    cleaned = crossed or ("specks or drops of ink beside the digit were left out" if drops else "")
    clutter = LINES if lines.count else ""
    line_kept = None if with_line is None else _coverage(lum, contrast, background, factor, *with_line)[0]
    return Ink(coverage, box, dark_on_light, doubt, cleaned, clutter, with_line=line_kept)


def _coverage(lum: np.ndarray, contrast: np.ndarray, background: np.ndarray, factor: int, kept: np.ndarray,
              box: tuple[int, int, int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The coverage float32 of the digit's ink ``kept`` (bool, at the
    analysis resolution, whose ``contrast`` and ``background`` are given,
    ``lum`` shrunk by ``factor``) in its ``box`` (top, left, bottom,
    right), and that box in ``lum``'s pixels: back at the picture's
    resolution (but at most ``COVERAGE_SIDE`` pixels for the digit: what
    follows needs no more), only in the box grown by one analysis pixel
    (its soft edges), the background interpolated between analysis pixels,
    1 at the ink's own contrast (its median); only the digit's components
    (so grown) count: a shadow's edge or a speck inside the box is not its
    ink."""
    h, w = kept.shape
    H, W = lum.shape
    top, left, bottom, right = box
    level = float(np.median(contrast[kept]))
    top, left = max(0, top - 1) * factor, max(0, left - 1) * factor
    bottom, right = min(H, (bottom + 1) * factor), min(W, (right + 1) * factor)
    crop, step = shrink(lum[top:bottom, left:right], COVERAGE_SIDE)
    crop, _ = denoise(crop)
    rows = top + step * np.arange(crop.shape[0]) + (step - 1) / 2  # the centres of the crop's pixels
    cols = left + step * np.arange(crop.shape[1]) + (step - 1) / 2
    coverage = np.clip(ink_contrast(crop, interpolate_grid(background, factor, rows, cols)) / max(level, 1e-6), 0.0, 1.0)
    near = _grow(kept)
    coverage *= near[np.minimum(rows // factor, h - 1).astype(int)][:, np.minimum(cols // factor, w - 1).astype(int)]
    return coverage.astype(np.float32), (top, left, bottom, right)
