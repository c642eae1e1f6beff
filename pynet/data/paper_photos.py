"""A page with an MNIST digit written on it, photographed: the pictures of
``damage.py`` (the shipped model's damaged training pictures, and
``build/damaged_pictures.py``'s test sets), and the lighting of
``build/pen_images.paper_photo``.

The digit is MNIST's bitmap scaled up (bicubic) with its edges sharpened
like a felt pen's (``upscale_digit``), on off-white paper (``Page``); the
photo adds uneven light and vignetting, sensor noise and dust specks
(``photograph``), then a JPEG (``as_pixels``). Pillow scales and
compresses (``fonts.require_pillow``); the rest is NumPy.
"""

from __future__ import annotations

import io

import numpy as np

from pynet.input.strokes import rasterize

PAPER_RGB = np.array([0.95, 0.92, 0.85])  # off-white paper's reflectance
PEN_RGB = np.array([0.1, 0.12, 0.3])  # dark blue ink's


def lighting(h: int, w: int, shadow: bool = False) -> np.ndarray:
    """A phone photo's light over an ``(h, w)`` page, ``(h, w)`` float: brighter
    to the right and down, darker in the corners (vignetting); with
    ``shadow``, a hard shadow (0.55 of the light) across a third of it."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    light = 0.55 + 0.4 * x + 0.15 * y - 0.35 * ((x - 0.5) ** 2 + (y - 0.5) ** 2)
    if shadow:
        light = light * np.where(x + 0.4 * y > 0.9, 0.55, 1.0)
    return light


SIDES = (120, 360)  # the picture's shorter side, pixels
DIGIT_SHARE = (0.5, 0.72)  # the digit's height (its 20-px MNIST box) over the picture's shorter side
INKS = np.array([PEN_RGB, [0.08, 0.08, 0.1], [0.05, 0.1, 0.45], [0.15, 0.15, 0.15]])  # blue, black, royal, pencil-ish


def upscale_digit(image: np.ndarray, height: int) -> np.ndarray:
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
        digit = upscale_digit(image, full)
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
    ``lighting`` (turned a random way when ``flip``), sensor noise
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


def polyline(h: int, w: int, points: np.ndarray, width: float) -> np.ndarray:
    """Coverage ``(h, w)`` of a pen ``width`` px wide along ``points`` ``(n, 2)``
    of (x, y), anti-aliased over a pixel."""
    side = max(h, w)
    return rasterize([points], float(width), side=side)[:h, :w]


def disc_kernel(radius: float) -> np.ndarray:
    """A flat disc of ``radius`` pixels, summing to 1: defocus blur's kernel."""
    r = int(np.ceil(radius))
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    k = (np.hypot(y, x) <= radius).astype(np.float32)
    return k / k.sum()


def convolve(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``img`` ``(h, w)`` convolved with a small ``kernel``, edges repeated (FFT-free, a loop over taps)."""
    kh, kw = kernel.shape
    p = np.pad(img, ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)), mode="edge")
    out = np.zeros_like(img)
    for dy, dx in zip(*np.nonzero(kernel)):
        out += kernel[dy, dx] * p[dy : dy + img.shape[0], dx : dx + img.shape[1]]
    return out


def grow_mask(mask: np.ndarray, radius: int) -> np.ndarray:
    """``mask`` dilated ``radius`` times by the 4-neighbourhood."""
    out = mask.copy()
    for _ in range(radius):
        p = np.pad(out, 1)
        out = out | p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return out
