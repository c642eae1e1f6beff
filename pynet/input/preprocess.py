"""A picture of a digit -> the network's 28x28 input, with MNIST's stroke width.

A drawing reaches the network as its pen path rendered with the standard pen
(``strokes.render_strokes``), so the width of the person's pen does not
matter. A picture (a photo, scan or screenshot) has only its ink, drawn with
whatever pen. ``preprocess_image``:

1. finds the ink, whatever the background, lighting and polarity, and the
   box of the one digit (``ink.find_ink``), and fills a digit drawn in
   outline back to its strokes (``outline.fill_outlines``);
2. measures the strokes' width relative to the digit, on the digit
   resampled to ``MEASURE_SIDE`` pixels (specks dropped);
3. normalises it to MNIST's -- whose digits' widths are 0.084 to 0.199 of
   their size (5th to 95th percentile, median 0.128; measured on the first
   1,000 test digits):

   - thinner than ``THIN_BELOW`` (a ballpoint, a thin brush; measured with
     the ink's pinholes filled, ``fill_pinholes``: the specks of a
     glass-like blur are no thin pen): the ink is
     resampled so strokes are about ``WORK_STROKE`` pixels wide, thinned to
     its centre line (``skeleton.thin``), cleared of the spurs thinning leaves
     (``skeleton.prune_spurs``), traced (``skeleton.trace``) and rendered
     exactly as a drawing is, with the standard pen;
   - MNIST's own range: MNIST's recipe (``preprocess_bitmap``: the ink's box
     scaled into 20x20, centre of mass to the middle);
   - thicker than ``ERODE_ABOVE`` (a fat marker, a filled blob): eroded to
     ``ERODE_TO`` of its size first, then MNIST's recipe.

Why not thin every picture: thinning rebuilds the pen's path only where the
pen left the strokes apart; a thick pen closes small loops and gaps that the
thinned path then misses. Measured with the shipped model on the first 1,000
test digits, traced and drawn on a 280 px page with 3, 8, 22 and 45 px pens
(``build/pen_images.py``; drawn on the page: 98.0 %): this choice gives
97.9, 97.7, 97.5 and 97.1 % (94.3 % at 45 px without the erosion); thinning
every picture 97.9, 97.7, 95.2 and 70.7 %; MNIST's recipe for every picture
93.0, 95.9, 97.5 and 94.3 %. Where thinning cannot describe thin ink
(more pieces than ``strokes.MAX_STROKES``), MNIST's recipe is used as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .background import square_extreme
from .components import label, stroke_width
from .ink import Ink, NoInk, find_ink
from .outline import fill_outlines
from .resampling import resample
from .skeleton import prune_spurs, thin, trace
from .strokes import MAX_STROKES, render_strokes

SIDE = 28  # output image side
BOX = 20  # the digit's longer side after scaling, as MNIST's
COM_TARGET = 14.0  # where MNIST's centres of mass sit (measured: mean 13.99, 14.00)
MEASURE_SIDE = 96  # the digit's longer side, in pixels, where its stroke width is measured
THIN_BELOW = 0.09  # relative stroke width under which ink is thinned (MNIST's 5th percentile: 0.084)
ERODE_ABOVE, ERODE_TO = 0.2, 0.16  # thicker than MNIST's 95th percentile (0.199): eroded (0.16 measured best)
WORK_STROKE = 3.0  # stroke width at the thinning resolution, in pixels: thick enough never to break
WORK_MIN, WORK_MAX = 40, 64  # the digit's longer side at the thinning resolution
MIN_WORK_STROKE = 2.0  # thinner ink is grown to this width (pixels) there first: never under a pixel
COVERAGE_CUT = 0.5  # a pixel is ink when at least half covered
SPECK_SHARE = 0.03  # components under this share of the largest are specks
SPUR_SHARE = 0.75  # spurs up to this share of the stroke width (at least 2 px) are thinning's, not the pen's
PINHOLE_SHARE = 1.0  # holes under this share of the squared stroke width are gaps in the ink, not a loop


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass of a non-negative image."""
    total = img.sum()
    rows, cols = np.indices(img.shape)
    return float((rows * img).sum() / total), float((cols * img).sum() / total)


def preprocess_bitmap(coverage: np.ndarray) -> np.ndarray | None:
    """Ink coverage ``(H, W)`` in [0, 1] -> ``(784,)`` float32, the way MNIST
    was made: the ink's box scaled (area averaging) so its longer side is 20
    px, brightest ink to 1, centre of mass to the middle of 28x28. The ink
    keeps its width relative to the digit. None when there is no ink."""
    mask = coverage > 0.1
    if not mask.any():
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = coverage[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # (h, w)
    h, w = crop.shape
    scale = BOX / max(h, w)
    out_h, out_w = max(1, round(h * scale)), max(1, round(w * scale))
    box = resample(crop, out_h, out_w)
    box = box / box.max()  # MNIST strokes peak at full brightness
    # Paste so the centre of mass lands on the field's centre (integer shift,
    # as MNIST did), keeping the whole box inside the 28x28 field.
    com_r, com_c = centre_of_mass(box)
    top = int(np.clip(round(COM_TARGET - com_r), 0, SIDE - out_h))
    left = int(np.clip(round(COM_TARGET - com_c), 0, SIDE - out_w))
    field = np.zeros((SIDE, SIDE), dtype=np.float32)
    field[top : top + out_h, left : left + out_w] = box
    return field.reshape(-1)


def digit_crop(coverage: np.ndarray, side: int) -> np.ndarray:
    """A digit's coverage resampled so its longer side is ``side`` pixels,
    with two pixels of empty margin around it."""
    scale = side / max(coverage.shape)
    margin = int(np.ceil(2 / scale))
    crop = np.pad(coverage, margin)
    h, w = crop.shape
    return resample(crop, max(1, round(h * scale)), max(1, round(w * scale)))


def thicken(coverage: np.ndarray, side: int) -> np.ndarray:
    """A thin pen's coverage ``(H, W)`` with its strokes grown (grey
    dilation by a square, ink's box padded to hold it) so that they are at
    least ``MIN_WORK_STROKE`` pixels wide once the digit is resampled to
    ``side`` pixels; unchanged when they already are.

    Why: the thinning resolution is capped at ``WORK_MAX``, where a pen of
    about 1 % of the digit is under a pixel wide; area averaging then splits
    a straight stroke lying along a pixel row between two rows, neither of
    them half covered, and the stroke vanished at ``COVERAGE_CUT`` (a 2 lost
    its base and read as a sure 7 -- a new user's review, 2026-11-30)."""
    scale = side / max(coverage.shape)  # work pixels per coverage pixel
    grow = MIN_WORK_STROKE / scale - stroke_width(coverage >= COVERAGE_CUT)  # coverage pixels to add
    size = 2 * round(grow / 2) + 1  # the dilation's window (odd) adds size - 1 pixels of width
    if size < 3:
        return coverage
    padded = np.pad(coverage, size // 2)
    return square_extreme(padded, size, np.maximum)


def drop_specks(mask: np.ndarray) -> np.ndarray:
    """The mask without components under ``SPECK_SHARE`` of the largest's area."""
    ink = label(mask)
    if ink.count <= 1:
        return mask
    return np.isin(ink.labels, np.flatnonzero(ink.areas >= SPECK_SHARE * ink.areas.max()) + 1)


def fill_pinholes(mask: np.ndarray) -> np.ndarray:
    """The mask with enclosed holes under ``PINHOLE_SHARE`` of the squared
    stroke width filled: gaps in the ink (noise, a dry pen), not a loop."""
    holes = label(~mask, connectivity=4)
    small = ~holes.touches_border & (holes.areas < PINHOLE_SHARE * stroke_width(mask) ** 2)
    return mask | np.isin(holes.labels, np.flatnonzero(small) + 1)


def _neighbourhood(img: np.ndarray, reduce, diagonal: bool) -> np.ndarray:
    """``reduce`` (np.minimum or np.maximum) of each pixel's 4- or
    8-neighbourhood, itself included; outside counts as 0."""
    p = np.pad(img, 1)
    h, w = img.shape
    offsets = [(0, 1), (1, 0), (1, 2), (2, 1)] + ([(0, 0), (0, 2), (2, 0), (2, 2)] if diagonal else [])
    out = img.copy()
    for dy, dx in offsets:
        out = reduce(out, p[dy : dy + h, dx : dx + w])
    return out


def erode(coverage: np.ndarray, radius: int) -> np.ndarray:
    """Grey-level erosion by an octagon of ``radius`` pixels (alternating 4-
    and 8-neighbourhood minima: the usual discrete stand-in for a disk)."""
    for i in range(radius):
        coverage = _neighbourhood(coverage, np.minimum, diagonal=bool(i % 2))
    return coverage


def mask_strokes(mask: np.ndarray) -> list[np.ndarray] | None:
    """A boolean ink mask -> pen strokes ``(n, 2)`` of ``(x, y)`` pixel
    positions along its centre lines (thinned, spurs pruned, traced); None
    when there are more pieces than ``strokes.MAX_STROKES``."""
    skeleton = prune_spurs(thin(mask), max(2.0, SPUR_SHARE * stroke_width(mask)))
    paths = trace(skeleton)
    traced = {p for path in paths for p in path}
    dots = [[p] for p in zip(*np.nonzero(skeleton)) if p not in traced]  # a round dot thins to one pixel
    strokes = [np.array([(c, r) for r, c in path], dtype=np.float64) for path in paths + dots]
    if not strokes or len(strokes) > MAX_STROKES:
        return None
    return strokes


@dataclass(frozen=True)
class Picture:
    """A picture read for the network: ``input`` ``(784,)`` float32, and
    ``ink``, what ``ink.find_ink`` found (its coverage, box, clutter and
    sheet). Callers that show the answer pass ``doubt`` and ``cleaned`` to
    ``training.confidence.judge`` (the page, ``pynet predict`` and
    ``build/accuracy.py`` do)."""

    input: np.ndarray
    ink: Ink

    @property
    def doubt(self) -> str:
        """Why the answer is to be given as unsure whatever the network's
        confidence, or "": today, a line through the whole picture that
        crosses the digit but could not be told from its strokes and was
        left in (``lines.LineReport.doubt``)."""
        return self.ink.doubt

    def input_with_line(self) -> np.ndarray | None:
        """The network input with the line crossing the digit out left in
        (``ink.Ink.with_line``), or None when none was taken out."""
        return None if self.ink.with_line is None else network_input(self.ink.with_line)

    @property
    def cleaned(self) -> str:
        """What was taken out of the digit or left out beside it
        (``ink.Ink.cleaned``), or "": the answer is then given as sure only
        at a higher confidence."""
        return self.ink.cleaned


def read_picture(image: np.ndarray) -> Picture | None:
    """A picture of one digit -> its ``Picture``: the ``(784,)`` float32
    network input, its strokes at MNIST's width (see the module's
    description), and the doubt about it; None when it holds no ink (blank,
    too faint, specks only).

    ``image``: ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA pixels
    (uint8, uint16, bool, or floats in [0, 1]), dark ink on light or light on
    dark, any size. ValueError for arrays that are not images."""
    try:
        ink = find_ink(image)
    except NoInk:
        return None
    x = network_input(ink.coverage)
    return None if x is None else Picture(x, ink)


def network_input(coverage: np.ndarray) -> np.ndarray | None:
    """A digit's ink coverage (``ink.Ink.coverage``) -> the ``(784,)``
    float32 network input with MNIST's stroke width (see the module's
    description), or None when nothing is left to read."""
    coverage, _ = fill_outlines(coverage)
    measured = digit_crop(coverage, MEASURE_SIDE)
    mask = drop_specks(measured >= COVERAGE_CUT)
    if mask.any():
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        size = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
        width = stroke_width(mask) / size  # relative to the digit's size
        # Whether to thin, with pinholes filled: the scattered ink of a glass-like blur is full of them,
        # whose edges made its strokes look thin, and thinning read a blurred 9 as a 7.
        solid_width = stroke_width(fill_pinholes(mask)) / size
    elif (coverage >= COVERAGE_CUT).any():
        width = solid_width = 0.0  # ink thinner than a pixel at MEASURE_SIDE: thin, whatever its width
    else:
        return None
    if solid_width < THIN_BELOW:
        side = int(np.clip(round(WORK_STROKE / max(width, 1e-6)), WORK_MIN, WORK_MAX))
        work = drop_specks(digit_crop(thicken(coverage, side), side) >= COVERAGE_CUT)
        strokes = mask_strokes(fill_pinholes(work)) if work.any() else None
        rendered = render_strokes(strokes) if strokes is not None else None
        if rendered is not None:
            return rendered
    coverage = measured * _neighbourhood(mask.astype(np.float32), np.maximum, diagonal=True)  # specks out, edges in
    if width > ERODE_ABOVE:
        coverage = erode(coverage, round((width - ERODE_TO) * MEASURE_SIDE / 2))
    return preprocess_bitmap(coverage)


def preprocess_image(image: np.ndarray) -> np.ndarray | None:
    """A picture of one digit -> the ``(784,)`` float32 network input
    (``read_picture``'s), or None when it holds no ink. ValueError for
    arrays that are not images."""
    picture = read_picture(image)
    return None if picture is None else picture.input
