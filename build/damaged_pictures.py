"""Pictures of digits as they come: MNIST *test* digits written on paper and
photographed, with the clutter real pictures carry (issue 29).

Each kind of damage is applied to MNIST's test digits (never the training
split: nothing here is seen by a training recipe) at a strength where a
person still reads the digit at a glance, as RGB pictures of 120-360 px
like a phone photo of a page (``build.pen_images.lighting``: uneven light
and vignetting, sensor noise, dust specks, JPEG). Every picture is drawn from
its own generator seeded by ``(SEED, kind, index)``, so a set is the same on
every machine (with the same NumPy and Pillow) and any one picture can be
made alone (the tests do).

The digit is MNIST's bitmap scaled up (bicubic) with its edges sharpened
like a felt pen's, so its strokes keep MNIST's width relative to the digit
(a person's marker on paper). The kinds (``KINDS``):

- ``salt and pepper``: 4-15 % of the pixels set to black or white (a
  damaged sensor or transmission; after the JPEG, as it happens);
- ``grain``: strong sensor noise, fine (sigma 8-16 % of full scale) and
  clumped (4-10 %, over about 3 px), colour too, then JPEG;
- ``mixed background``: the page beside a dark desk (a band of 25-62 % of
  the picture on one side, its edge tilted), inside a black frame, as a
  light label on a dark surface, beside a dark region over a corner (up to
  more than half the picture), or chalk on a dark board beside a light
  wall; the digit on the page (or board);
- ``ruled lines``: lines across the whole page 0.3-0.6 of the digit's
  height apart, 1-3 px, light blue to as dark as the ink, some pages with a
  red margin line;
- ``dotted lines``: dotted lines as ruled paper's (dots 0.8-2.5 px in
  radius, 2.5-4 radii apart), or a dot grid;
- ``graph paper``: a square grid 0.15-0.35 of the digit's height, every
  fifth line bolder on some pages;
- ``line across``: a straight line in the writer's ink, 0.4-1 of its
  stroke width, edge to edge crossing the digit (within 35 degrees of
  level, or steep), or underlining it (edge to edge, or 1.1-1.5 times the
  digit's width), wholly inside the picture;
- ``zig-zag``: a zig-zag line in the writer's ink, edge to edge, through the
  digit's middle or under it (its teeth 8-22 % of the digit's height; under
  the digit, wholly inside the picture);
- ``outline``: the digit drawn in outline -- a "bubble" pen's two edges 2-4
  px wide around a fattened stroke, or an edge detector's double edge
  (light on black, as such a filter shows it);
- ``spatter``: 10-40 drops of ink, a pixel to about a stroke wide, and
  specks, around and on the digit;
- ``blur``: motion blur (10-25 % of the digit's height), defocus (a disc
  of radius 5-11 %) or glass-like scatter (each pixel taken from up to
  4-9 % away).

    python -m build.damaged_pictures [--kind KIND] [--index I] [--out FILE.png]

writes one picture (to look at); ``build/accuracy.py --sets damaged`` reads
the sets with the shipped model.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from build.pen_images import PAPER_RGB, PEN_RGB, lighting

SEED = 29  # issue 29
KINDS = ("salt and pepper", "grain", "mixed background", "ruled lines", "dotted lines", "graph paper",
         "line across", "zig-zag", "outline", "spatter", "blur")
SIDES = (120, 360)  # the picture's shorter side, pixels
DIGIT_SHARE = (0.5, 0.72)  # the digit's height (its 20-px MNIST box) over the picture's shorter side
INKS = np.array([PEN_RGB, [0.08, 0.08, 0.1], [0.05, 0.1, 0.45], [0.15, 0.15, 0.15]])  # blue, black, royal, pencil-ish
LINE_BLUE = np.array([0.45, 0.62, 0.85])
MARGIN_RED = np.array([0.85, 0.35, 0.4])


# ---- the page ------------------------------------------------------------------------
def _upscale(image: np.ndarray, height: int) -> np.ndarray:
    """A 28x28 MNIST digit (uint8, ink high) -> ink coverage in [0, 1] of a
    ``height`` x ``height`` square (bicubic, Pillow), edges sharpened to about
    two pixels like a felt pen's."""
    from PIL import Image

    up = np.asarray(Image.fromarray(image.astype(np.float32) / 255, mode="F").resize((height, height),
                                                                                      Image.BICUBIC))
    return np.clip((up - 0.35) / 0.3, 0.0, 1.0).astype(np.float32)


class Page:
    """A page ``(h, w)`` with one digit written on it: the digit's coverage
    ``ink`` (h, w), its box ``box`` (top, left, bottom, right) of the 20-px
    MNIST box scaled, its stroke width ``stroke`` in pixels, the ink's
    colour, and the page's generator."""

    def __init__(self, image: np.ndarray, rng: np.random.Generator, h: int | None = None, w: int | None = None,
                 digit_share: tuple[float, float] = DIGIT_SHARE, centre: tuple[float, float] | None = None):
        self.rng = rng
        side = int(rng.integers(*SIDES))
        self.h = h or side
        self.w = w or int(side * rng.uniform(0.85, 1.3))
        box = int(min(self.h, self.w) * rng.uniform(*digit_share))  # the 20-px box's side
        full = round(box * 28 / 20)  # the 28-px field's side
        digit = _upscale(image, full)
        cy, cx = centre if centre is not None else (self.h / 2 + rng.uniform(-0.06, 0.06) * self.h,
                                                    self.w / 2 + rng.uniform(-0.06, 0.06) * self.w)
        top, left = int(round(cy - full / 2)), int(round(cx - full / 2))
        self.ink = np.zeros((self.h, self.w), np.float32)
        t, lft = max(0, top), max(0, left)
        b, r = min(self.h, top + full), min(self.w, left + full)
        self.ink[t:b, lft:r] = digit[t - top : b - top, lft - left : r - left]
        rows, cols = np.flatnonzero(self.ink.max(axis=1) > 0.5), np.flatnonzero(self.ink.max(axis=0) > 0.5)
        self.box = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
        self.size = max(self.box[2] - self.box[0], self.box[3] - self.box[1])
        mask = self.ink > 0.5
        p = np.pad(mask, 1)
        inner = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
        self.stroke = 2.0 * mask.sum() / max(1, mask.sum() - inner.sum())
        self.colour = INKS[int(rng.integers(len(INKS)))]
        self.layers: list[tuple[np.ndarray, np.ndarray]] = []  # (coverage, colour) under the digit's ink

    def reflectance(self) -> np.ndarray:
        """The page's colours ``(h, w, 3)`` in [0, 1]: paper, the extra layers
        (lines), then the digit's ink, each opaque where it covers."""
        out = np.broadcast_to(PAPER_RGB, (self.h, self.w, 3)).astype(np.float32)
        for coverage, colour in self.layers + [(self.ink, self.colour)]:
            out = out * (1 - coverage[..., None]) + colour * coverage[..., None]
        return out


def photograph(reflectance: np.ndarray, rng: np.random.Generator, noise: float = 0.03, specks: int = 15,
               flip: bool = True) -> np.ndarray:
    """A scene's colours ``(h, w, 3)`` as a phone photo, float RGB in [0, 1]:
    ``pen_images.lighting`` (turned a random way when ``flip``), sensor noise
    of sigma ``noise``, ``specks`` 2 px dust specks at 40 %."""
    h, w, _ = reflectance.shape
    light = lighting(h, w)
    if flip:
        light = light[:: rng.choice([-1, 1]), :: rng.choice([-1, 1])]
    img = reflectance * light[..., None] + rng.normal(0, noise, (h, w, 3))
    for r, c in rng.integers(0, min(h, w) - 2, (specks, 2)):
        img[r : r + 2, c : c + 2] *= 0.4
    return np.clip(img, 0, 1)


def as_pixels(img: np.ndarray, jpeg_quality: int | None = 75) -> np.ndarray:
    """Float RGB in [0, 1] -> uint8 RGB, through a JPEG of ``jpeg_quality`` (Pillow) unless None."""
    pixels = (np.clip(img, 0, 1) * 255).astype(np.uint8)
    if jpeg_quality is None:
        return pixels
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=int(jpeg_quality))
    return np.asarray(Image.open(buf))


# ---- drawing helpers ------------------------------------------------------------------
def _polyline(h: int, w: int, points: np.ndarray, width: float) -> np.ndarray:
    """Coverage ``(h, w)`` of a pen ``width`` px wide along ``points`` ``(n, 2)``
    of (x, y), anti-aliased over a pixel."""
    from pynet.input.strokes import rasterize

    side = max(h, w)
    return rasterize([points], float(width), side=side)[:h, :w]


def _disc_kernel(radius: float) -> np.ndarray:
    r = int(np.ceil(radius))
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    k = (np.hypot(y, x) <= radius).astype(np.float32)
    return k / k.sum()


def _convolve(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``img`` ``(h, w)`` convolved with a small ``kernel``, edges repeated (FFT-free, a loop over taps)."""
    kh, kw = kernel.shape
    p = np.pad(img, ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)), mode="edge")
    out = np.zeros_like(img)
    for dy, dx in zip(*np.nonzero(kernel)):
        out += kernel[dy, dx] * p[dy : dy + img.shape[0], dx : dx + img.shape[1]]
    return out


def _grow(mask: np.ndarray, radius: int) -> np.ndarray:
    out = mask.copy()
    for _ in range(radius):
        p = np.pad(out, 1)
        out = out | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return out


# ---- the kinds -----------------------------------------------------------------------
def salt_and_pepper(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    pixels = as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))
    density = rng.uniform(0.04, 0.15)
    hit = rng.random(pixels.shape[:2]) < density
    pixels = pixels.copy()
    pixels[hit] = np.where(rng.random(int(hit.sum())) < 0.5, 0, 255)[:, None].astype(np.uint8)
    return pixels


def grain(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    img = photograph(page.reflectance(), rng, noise=rng.uniform(0.08, 0.16))
    clumps = _convolve(rng.normal(0, 1, img.shape[:2]).astype(np.float32), _disc_kernel(1.5))
    clumps *= rng.uniform(0.04, 0.10) / max(1e-6, float(clumps.std()))
    img = img + clumps[..., None] + rng.normal(0, 0.03, img.shape) * rng.uniform(0, 1)
    return as_pixels(img, jpeg_quality=int(rng.integers(60, 90)))


def _band(h: int, w: int, share: float, rng: np.random.Generator, tilt: float
          ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A band ``share`` of the picture wide along a random side, its edge
    tilted by ``tilt``: its mask ``(h, w)`` and the box of the rest."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    where = int(rng.integers(4))  # the side the band is on
    u, v, n = (x, y, w) if where < 2 else (y, x, h)
    u = u if where % 2 == 0 else (n - 1 - u)
    band = u + tilt * (v - v.mean()) < share * n
    cut = int(share * n + abs(tilt) * n / 2)
    rest = [(0, cut, h, w), (0, 0, h, w - cut), (cut, 0, h, w), (0, 0, h - cut, w)][where]
    return band, rest


def mixed_background(image: np.ndarray, rng: np.random.Generator, variant: int) -> np.ndarray:
    """``variant`` 0: a dark desk beside the page (a quarter to nearly two
    thirds of the picture); 1: a black frame round it; 2: a light label (a
    third to two thirds of the picture's sides) on a dark surface; 3: a dark
    region across a corner, up to more than half the picture; 4: chalk (light
    ink) on a dark board beside a light wall."""
    side = int(rng.integers(*SIDES))
    h, w = side, int(side * rng.uniform(0.85, 1.3))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    tilt = np.tan(np.radians(rng.uniform(-6, 6)))
    if variant == 0:
        dark, paper_box = _band(h, w, rng.uniform(0.25, 0.62), rng, tilt)
    elif variant == 1:
        t = rng.uniform(0.07, 0.14, 4) * np.array([h, w, h, w])
        dark = (y < t[0]) | (x < t[1]) | (y >= h - t[2]) | (x >= w - t[3])
        paper_box = (int(t[0]), int(t[1]), int(h - t[2]), int(w - t[3]))
    elif variant == 2:
        lh, lw = rng.uniform(0.35, 0.65) * h, rng.uniform(0.35, 0.65) * w
        top, left = rng.uniform(0.05, 0.95) * (h - lh), rng.uniform(0.05, 0.95) * (w - lw)
        cy, cx = top + lh / 2, left + lw / 2
        ry, rx = (y - cy) - tilt * (x - cx), (x - cx) + tilt * (y - cy)  # a slightly turned label
        dark = (np.abs(ry) > lh / 2) | (np.abs(rx) > lw / 2)
        paper_box = (int(top), int(left), int(top + lh), int(left + lw))
    elif variant == 3:
        cut = rng.uniform(0.6, 1.1)  # the dark region: y/h + x/w < cut, from one corner
        fy, fx = rng.choice([-1, 1], 2)
        yy, xx = (y / h if fy > 0 else 1 - y / h), (x / w if fx > 0 else 1 - x / w)
        dark = yy + xx < cut
        top = int(cut / 2 * h) if fy > 0 else 0  # the box clear of it, in the opposite corner
        left = int(cut / 2 * w) if fx > 0 else 0
        paper_box = (top, left, top + int((1 - cut / 2) * h), left + int((1 - cut / 2) * w))
    else:
        dark, paper_box = _band(h, w, rng.uniform(0.2, 0.45), rng, tilt)  # here the wall: light
    pt, pl, pb, pr = paper_box
    ph, pw = pb - pt, pr - pl
    share = min(0.72, rng.uniform(0.55, 0.75) * min(ph, pw) / min(h, w))
    centre = (pt + ph / 2 + rng.uniform(-0.05, 0.05) * ph, pl + pw / 2 + rng.uniform(-0.05, 0.05) * pw)
    page = Page(image, rng, h=h, w=w, digit_share=(share, share), centre=centre)
    page.ink *= ~dark  # no ink off the page
    texture = 1 + 0.25 * np.sin(y[..., None] / rng.uniform(3, 9) + 0.3 * np.sin(x[..., None] / 17)) * rng.uniform(0, 1)
    if variant == 4:  # chalk on a board: the "paper" is dark, the ink light, the band a light wall
        board = rng.uniform(0.06, 0.2) * np.array([rng.uniform(0.6, 1.0), 1.0, rng.uniform(0.6, 1.0)])
        chalk = np.array([0.9, 0.9, 0.88]) * rng.uniform(0.75, 1.0)
        wall = np.array([0.92, 0.9, 0.85]) * rng.uniform(0.8, 1.0)
        surface = board * texture * (1 - page.ink[..., None]) + chalk * page.ink[..., None]
        scene = np.where(dark[..., None], wall, surface)
    else:
        desk = rng.uniform(0.03, 0.22) * np.array([1.0, rng.uniform(0.75, 1.0), rng.uniform(0.55, 0.9)])
        scene = np.where(dark[..., None], desk * texture, page.reflectance())
    return as_pixels(photograph(scene, rng), jpeg_quality=int(rng.integers(70, 92)))


def _line_colour(page: Page) -> tuple[np.ndarray, float]:
    """Ruling's colour and how strongly it covers: light blue to as dark as the ink."""
    if page.rng.random() < 0.6:
        return LINE_BLUE, page.rng.uniform(0.5, 1.0)
    return page.colour, page.rng.uniform(0.35, 0.9)


def ruled_lines(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    colour, strength = _line_colour(page)
    gap = rng.uniform(0.3, 0.6) * page.size
    width = rng.uniform(1.0, 3.0)
    slope = np.tan(np.radians(rng.uniform(-3, 3)))
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    along = y - slope * x - rng.uniform(0, gap)
    dist = np.abs((along + gap / 2) % gap - gap / 2)
    page.layers.append((np.clip(width / 2 + 0.5 - dist, 0, 1) * strength, colour))
    if rng.random() < 0.4:  # a margin line
        at = rng.uniform(0.05, 0.3) * page.w
        page.layers.append((np.clip(width / 2 + 0.5 - np.abs(x - at), 0, 1) * 0.8, MARGIN_RED))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def dotted_lines(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    colour, strength = _line_colour(page)
    radius = rng.uniform(0.8, 2.5)
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    if rng.random() < 0.5:  # dotted lines: dots close along each line
        gap_y, gap_x = rng.uniform(0.3, 0.6) * page.size, rng.uniform(2.5, 4) * radius
    else:  # a dot grid
        gap_y = gap_x = rng.uniform(0.15, 0.3) * page.size
    dy = np.abs((y - rng.uniform(0, gap_y) + gap_y / 2) % gap_y - gap_y / 2)
    dx = np.abs((x - rng.uniform(0, gap_x) + gap_x / 2) % gap_x - gap_x / 2)
    page.layers.append((np.clip(radius + 0.5 - np.hypot(dy, dx), 0, 1) * strength, colour))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def graph_paper(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    colour, strength = _line_colour(page)
    if rng.random() < 0.5:
        colour = np.array([0.45, 0.75, 0.6])  # green graph paper
    gap = rng.uniform(0.15, 0.35) * page.size
    width = rng.uniform(0.8, 2.0)
    bold = rng.random() < 0.4
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    cover = np.zeros((page.h, page.w), np.float32)
    for u in (y - rng.uniform(0, gap), x - rng.uniform(0, gap)):
        index = np.floor((u + gap / 2) / gap)
        dist = np.abs(u - index * gap)
        wide = np.where(bold & (index % 5 == 0), 2 * width, width)
        cover = np.maximum(cover, np.clip(wide / 2 + 0.5 - dist, 0, 1))
    page.layers.append((cover * strength, colour))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def _across(page: Page, ys: Callable[[np.ndarray], np.ndarray], steep: bool = False) -> np.ndarray:
    """Points (x, y) of a line ``y = ys(x)`` across the whole page (or, when
    ``steep``, ``x = ys(y)``), beyond its edges."""
    n = page.h if steep else page.w
    u = np.linspace(-0.1 * n, 1.1 * n, 400)
    v = ys(u)
    return np.stack([v, u], axis=1) if steep else np.stack([u, v], axis=1)


def line_across(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    width = page.stroke * rng.uniform(0.4, 1.0)
    if rng.random() < 0.65:  # through the digit
        steep = rng.random() < 0.25
        angle = np.tan(np.radians(rng.uniform(-35, 35)))
        if steep:
            at = left + (right - left) * rng.uniform(0.25, 0.75)
            mid = (top + bottom) / 2
            points = _across(page, lambda u: at + angle * (u - mid), steep=True)
        else:
            at = top + (bottom - top) * rng.uniform(0.2, 0.8)
            mid = (left + right) / 2
            points = _across(page, lambda u: at + angle * (u - mid))
    else:  # underlined: below the digit, edge to edge or a little wider than it
        at = bottom + rng.uniform(0.03, 0.12) * page.size + width / 2
        slope = np.tan(np.radians(rng.uniform(-5, 5)))
        mid = (left + right) / 2
        at = min(at, page.h - 2 - width - abs(slope) * max(mid, page.w - mid))  # wholly inside the picture
        points = _across(page, lambda u: at + slope * (u - mid))
        if rng.random() < 0.5:
            half = (right - left) / 2 * rng.uniform(1.1, 1.5)
            points = points[np.abs(points[:, 0] - mid) <= half]
    page.ink = np.maximum(page.ink, _polyline(page.h, page.w, points, width))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def zig_zag(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    width = page.stroke * rng.uniform(0.4, 0.9)
    height = rng.uniform(0.08, 0.22) * page.size
    period = rng.uniform(0.12, 0.3) * page.size
    mid = (left + right) / 2
    under = rng.random() >= 0.6
    at = bottom + rng.uniform(0.0, 0.1) * page.size + height / 2 if under else \
        top + (bottom - top) * rng.uniform(0.3, 0.7)
    slope = np.tan(np.radians(rng.uniform(-10, 10)))
    if under:  # wholly inside the picture: its teeth not cut by the picture's edge
        at = min(at, page.h - 2 - width - height / 2 - abs(slope) * max(mid, page.w - mid))
    phase = rng.uniform(0, period)
    corners = np.arange(-0.1 * page.w - phase, 1.1 * page.w + period, period / 2)
    signs = np.where(np.arange(len(corners)) % 2 == 0, -1, 1)
    points = np.stack([corners, at + slope * (corners - mid) + signs * height / 2], axis=1)
    page.ink = np.maximum(page.ink, _polyline(page.h, page.w, points, width))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def outline(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A "bubble" pen (even index) or an edge detector (odd), chosen by the generator."""
    page = Page(image, rng)
    if rng.random() < 0.5:
        edge = int(rng.integers(2, 5))  # the outline's width, px
        body = _grow(page.ink > 0.5, max(1, round(edge - page.stroke / 4)))  # room inside for the hollow
        inner = ~_grow(~body, edge)
        page.ink = (body & ~inner).astype(np.float32)
        page.ink = _convolve(page.ink, np.full((2, 2), 0.25, np.float32))  # anti-aliased
        return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))
    soft = _convolve(page.ink, _disc_kernel(rng.uniform(1.0, 2.5)))
    gy, gx = np.gradient(soft)
    magnitude = np.hypot(gy, gx)
    edges = np.clip(magnitude / np.percentile(magnitude[magnitude > 0], 95), 0, 1)
    grey = edges if rng.random() < 0.7 else 1 - edges  # a filter's output: light edges on black, or inverted
    grey = grey + rng.normal(0, 0.02, grey.shape)
    return as_pixels(np.repeat(grey[..., None], 3, axis=2), jpeg_quality=None if rng.random() < 0.5 else 85)


def spatter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    drops = np.zeros((page.h, page.w), np.float32)
    reach = 0.35 * page.size
    for _ in range(int(rng.integers(10, 40))):
        cy = rng.uniform(top - reach, bottom + reach)
        cx = rng.uniform(left - reach, right + reach)
        radius = page.stroke / 2 * min(rng.pareto(2.0) * 0.4 + 0.15, 1.1)
        stretch = rng.uniform(1.0, 1.8)
        turn = rng.uniform(0, np.pi)
        u = (x - cx) * np.cos(turn) + (y - cy) * np.sin(turn)
        v = -(x - cx) * np.sin(turn) + (y - cy) * np.cos(turn)
        drops = np.maximum(drops, np.clip(radius + 0.5 - np.hypot(u / stretch, v), 0, 1))
    page.ink = np.maximum(page.ink, drops)
    return as_pixels(photograph(page.reflectance(), rng, specks=int(rng.integers(15, 60))),
                     jpeg_quality=int(rng.integers(70, 92)))


def blur(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    how = int(rng.integers(3))
    if how == 0:  # motion
        length = rng.uniform(0.1, 0.25) * page.size
        angle = rng.uniform(0, np.pi)
        r = int(np.ceil(length / 2))
        kernel = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
        for t in np.linspace(-length / 2, length / 2, 4 * r + 1):
            kernel[int(round(r + t * np.sin(angle))), int(round(r + t * np.cos(angle)))] += 1
        page.ink = _convolve(page.ink, kernel / kernel.sum())
    elif how == 1:  # defocus
        page.ink = _convolve(page.ink, _disc_kernel(rng.uniform(0.05, 0.11) * page.size))
    else:  # glass: each pixel from a random place nearby
        reach = rng.uniform(0.04, 0.09) * page.size
        y, x = np.mgrid[0 : page.h, 0 : page.w]
        sy = np.clip(np.round(y + rng.uniform(-reach, reach, y.shape)), 0, page.h - 1).astype(int)
        sx = np.clip(np.round(x + rng.uniform(-reach, reach, x.shape)), 0, page.w - 1).astype(int)
        page.ink = page.ink[sy, sx]
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def damaged_picture(kind: str, image: np.ndarray, index: int) -> np.ndarray:
    """MNIST test digit ``image`` (28x28 uint8, ink high) with damage ``kind``
    as a uint8 RGB picture ``(H, W, 3)``; ``index`` (its place in the test
    set) seeds it. ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    rng = np.random.default_rng((SEED, KINDS.index(kind), index))
    image = np.asarray(image, dtype=np.uint8).reshape(28, 28)
    if kind == "mixed background":
        return mixed_background(image, rng, index % 5)
    return {"salt and pepper": salt_and_pepper, "grain": grain, "ruled lines": ruled_lines,
            "dotted lines": dotted_lines, "graph paper": graph_paper, "line across": line_across,
            "zig-zag": zig_zag, "outline": outline, "spatter": spatter, "blur": blur}[kind](image, rng)


def test_digits(n: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test digits ``start`` .. ``start + n`` (uint8 ``(n, 28, 28)``, labels)."""
    from pynet.data.mnist import load_mnist
    from pynet.data.shipped_mix import as_uint8

    data = load_mnist()
    x = as_uint8(data.x_test).reshape(-1, 28, 28)
    return x[start : start + n], data.y_test[start : start + n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument("--index", type=int, default=0, help="the MNIST test digit")
    parser.add_argument("--out", type=Path, default=Path("damaged.png"))
    args = parser.parse_args(argv)
    from PIL import Image

    images, labels = test_digits(1, args.index)
    Image.fromarray(damaged_picture(args.kind, images[0], args.index)).save(args.out)
    print(f"{args.out}: a {labels[0]} with {args.kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
