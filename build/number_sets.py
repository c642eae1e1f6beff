"""Numbers composed from MNIST digits, for measuring how pynet reads a number.

A number of 2 to 6 digits is made from MNIST digits (the *test* digits for
the report, training digits with ``validation`` for choosing thresholds),
one digit beside the next along a line: each digit's height varied by
``SIZE`` and its baseline by ``BASELINE`` (shares of the nominal height), the
gap between neighbouring digits' ink drawn from one of ``SPACINGS`` (shares
of the height; negative: the boxes overlap, the ink touches). Three forms:

- ``drawing``: the digits traced into pen strokes (``build.handwriting``)
  and placed on a canvas of the page's kind, as the page's ``classify``
  gets them;
- ``scan``: the MNIST bitmaps themselves, scaled and placed on a grey page
  (their ink combined by maximum where they touch);
- ``pen``: the traced strokes written on a page with a thin (3 px) pen,
  dark ink on white;

and either picture beside a dark desk (``beside_a_desk``; ``desk_picture``
chooses which).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from build.handwriting import mnist_strokes
from pynet.input.resampling import resample
from pynet.input.strokes import ON_SCREEN_PEN, rasterize, smooth

HEIGHT = 150.0  # a digit's nominal height on the canvas (units: CSS px of the page's wide canvas)
CANVAS_HEIGHT = 280.0  # the page's drawing canvas: its pen is ON_SCREEN_PEN of this
SIZE = (0.8, 1.2)  # each digit's height, times HEIGHT
BASELINE = 0.1  # each digit's baseline moved up or down by up to this share of HEIGHT
SPACINGS = {"touching": (-0.12, 0.0), "close": (0.0, 0.15), "wide": (0.3, 0.8)}  # ink gap / HEIGHT
PEN_PX = 3.0  # the thin pen of the ``pen`` pictures, on a page where digits are HEIGHT px tall
MARGIN = 40.0  # around the number on the canvas or page


@dataclass(frozen=True)
class Number:
    """A composed number: its ``label`` (the digits as a string); ``strokes``
    (canvas units, y down) on a ``width`` x ``height`` canvas; the digits'
    ink ``boxes`` ``(n, 4)``; ``touching`` ``(n - 1,)``: whether each pair of
    neighbours' ink boxes overlap; ``index`` the MNIST digits used;
    ``counts`` each digit's number of strokes (in ``strokes``, in order)."""

    label: str
    strokes: list[np.ndarray]
    width: float
    height: float
    boxes: np.ndarray
    touching: np.ndarray
    index: np.ndarray
    counts: tuple[int, ...] = ()

    def digits(self) -> list[list[np.ndarray]]:
        """Each digit's own strokes, left to right."""
        ends = np.cumsum(self.counts)
        return [self.strokes[e - c : e] for c, e in zip(self.counts, ends)]


def _unit_strokes(image: np.ndarray) -> list[np.ndarray]:
    """A 28x28 digit's traced strokes, scaled so the path's height is 1, top-left at 0."""
    strokes = [np.asarray(s, dtype=np.float64) for s in mnist_strokes(image)]
    points = np.concatenate(strokes)
    lo, hi = points.min(axis=0), points.max(axis=0)
    tall = max(hi[1] - lo[1], 1e-3)
    return [(s - lo) / tall for s in strokes]


def compose(images: np.ndarray, labels: np.ndarray, n_digits: int, spacing: str, rng: np.random.Generator) -> Number:
    """One number of ``n_digits`` random digits of ``images`` ``(N, 28, 28)``
    uint8, neighbours ``spacing`` apart (a key of ``SPACINGS``)."""
    pen = ON_SCREEN_PEN * CANVAS_HEIGHT
    index = rng.choice(len(images), n_digits, replace=False)
    strokes: list[np.ndarray] = []
    boxes, counts = [], []
    x = MARGIN + pen / 2
    for k, i in enumerate(index):
        unit = _unit_strokes(images[i])
        tall = HEIGHT * rng.uniform(*SIZE)
        wide = float(np.concatenate(unit)[:, 0].max()) * tall
        if k:
            x += rng.uniform(*SPACINGS[spacing]) * HEIGHT + pen  # ink gap: paths a pen apart touch
        bottom = MARGIN + pen / 2 + HEIGHT * (1.2 + rng.uniform(-BASELINE, BASELINE))
        placed = [s * tall + np.array([x, bottom - tall]) for s in unit]
        strokes += placed
        counts.append(len(placed))
        boxes.append([x - pen / 2, bottom - tall - pen / 2, x + wide + pen / 2, bottom + pen / 2])
        x += wide
    boxes = np.array(boxes)
    touching = boxes[1:, 0] < boxes[:-1, 2]
    width = x + pen / 2 + MARGIN
    height = HEIGHT * 1.2 * (1 + BASELINE) + 2 * MARGIN + pen
    label = "".join(str(int(labels[i])) for i in index)
    return Number(label, strokes, width, max(height, CANVAS_HEIGHT), boxes, touching, index, tuple(counts))


def pen_picture(number: Number, pen_px: float = PEN_PX) -> np.ndarray:
    """The number's strokes written with a ``pen_px`` round pen, dark on white -> uint8 ``(H, W)``."""
    w, h = int(np.ceil(number.width)), int(np.ceil(number.height))
    ink = rasterize([smooth(s, 0.75) for s in number.strokes], pen_px, side=max(w, h))[:h, :w]
    return (255 - np.round(ink * 255)).astype(np.uint8)


def scan_picture(number: Number, images: np.ndarray) -> np.ndarray:
    """The number's MNIST bitmaps, each scaled to its digit's box and placed
    there, ink combined by maximum, as a grey scan (dark ink on light) -> uint8 ``(H, W)``."""
    w, h = int(np.ceil(number.width)), int(np.ceil(number.height))
    page = np.zeros((h, w), dtype=np.float32)
    for i, (x0, y0, x1, y1) in zip(number.index, number.boxes):
        digit = images[i].astype(np.float32) / 255
        rows, cols = np.flatnonzero(digit.max(axis=1) > 0.1), np.flatnonzero(digit.max(axis=0) > 0.1)
        crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        top, left = int(round(y0)), int(round(x0))
        out_h, out_w = max(1, int(round(y1 - y0))), max(1, int(round(x1 - x0)))
        scaled = resample(crop, out_h, out_w)
        region = page[top : top + out_h, left : left + out_w]
        np.maximum(region, scaled[: region.shape[0], : region.shape[1]], out=region)
    return (235 - np.clip(page, 0, 1) * 215).astype(np.uint8)


DESK_REACH = (-0.15, 0.03)  # the desk's edge from the end digit's ink: into it (-) or short of it (+), / HEIGHT
DESK_TILT = 0.1  # the edge's slope at most (about 6 degrees)


def beside_a_desk(number: Number, picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``picture`` (uint8, dark ink on light: ``pen_picture`` or
    ``scan_picture``) photographed beside a dark desk: a tilted straight
    edge on the left or the right whose edge lies ``DESK_REACH`` of a
    digit's height from the first or last digit's ink -- over part of it, at
    it, or just short of it -- the desk 5-25 % as light as white, with a
    little texture, the page a little grey. -> uint8 ``(H, W)``."""
    page = picture.astype(np.float64) / 255
    h, w = page.shape
    reach = rng.uniform(*DESK_REACH) * HEIGHT
    edge = rng.uniform(-DESK_TILT, DESK_TILT) * (np.arange(h) - h / 2)
    cols = np.arange(w)[None, :]
    if rng.random() < 0.5:
        desk = cols < (number.boxes[0][0] + reach + edge)[:, None]
    else:
        desk = cols > (number.boxes[-1][2] - reach + edge)[:, None]
    shade = rng.uniform(0.05, 0.25) * (0.9 + 0.1 * rng.random((h, w)))
    return np.round(255 * np.where(desk, shade, page * rng.uniform(0.8, 1.0))).astype(np.uint8)


def desk_picture(number: Number, images: np.ndarray, seed: int) -> np.ndarray:
    """The number as a scan (when its first MNIST digit's index is even) or
    written with the thin pen (odd), beside a dark desk (``beside_a_desk``,
    drawn by ``seed`` and the number's digits: the same picture every run)."""
    picture = scan_picture(number, images) if int(number.index[0]) % 2 == 0 else pen_picture(number)
    return beside_a_desk(number, picture, np.random.default_rng((seed, *number.index.tolist())))
