"""A picture's pixels, whatever their format, as luminance in [0, 1], and
shrunk by block means for the analysis. Pure NumPy."""

from __future__ import annotations

import numpy as np

__all__ = ["luminance", "shrink"]


def luminance(image: np.ndarray) -> np.ndarray:
    """``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)`` pixels -> ``(H, W)`` float32
    luminance in [0, 1] (ITU-R BT.601 weights).

    Value ranges: uint8 0-255, uint16 0-65535, bool, and floats in 0-1 (or
    0-255 when larger values occur). Transparency is composited away: when
    most of the picture is opaque, over the opaque part's median luminance (a
    sheet of paper with a transparent surround stays a sheet of paper);
    when most is transparent (ink on a transparent layer), over the opposite
    of the opaque part's mean luminance, so dark ink lands on white and light
    ink on black. ValueError for other shapes or dtypes."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] in (1, 3, 4):
        channels = img.shape[2]
    elif img.ndim == 2:
        channels, img = 1, img[..., None]
    else:
        raise ValueError(f"expected a (H, W), (H, W, 3) or (H, W, 4) image, got shape {img.shape}")
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ValueError(f"the image is empty (shape {img.shape})")
    top = _full_scale(img)

    def channel(k: int) -> np.ndarray:  # one channel at a time: no float copy of all four
        values = img[..., k].astype(np.float32) * np.float32(1 / top)
        return np.clip(values, 0.0, 1.0) if img.dtype.kind == "f" else values

    lum = channel(0) if channels == 1 else 0.299 * channel(0) + 0.587 * channel(1) + 0.114 * channel(2)
    if channels != 4:
        return lum
    alpha = channel(3)
    if alpha.min() >= 254 / 255:  # opaque: nothing to composite
        return lum
    opaque = float(alpha.mean())
    if opaque == 0:
        return np.ones_like(lum)  # all transparent: a blank page
    if opaque >= 0.5:
        background = float(np.median(lum[alpha >= 0.5]))
    else:
        background = 0.0 if float((lum * alpha).sum() / alpha.sum()) > 0.5 else 1.0
    return alpha * lum + (1 - alpha) * np.float32(background)


def _full_scale(img: np.ndarray) -> float:
    """The value of full intensity by the conventions of the pixels' dtype:
    255 (uint8), 65535 (uint16), 1 (bool; floats up to 1), 255 (floats or
    other integers with larger values). ValueError for non-numbers, NaN or
    infinity."""
    if img.dtype == np.uint8:
        return 255.0
    if img.dtype == np.uint16:
        return 65535.0
    if img.dtype.kind == "b":
        return 1.0
    if img.dtype.kind not in "iuf":
        raise ValueError(f"pixels must be numbers, got dtype {img.dtype}")
    if img.dtype.kind == "f" and not np.isfinite(img).all():
        raise ValueError("the image holds NaN or infinite values")
    return 255.0 if float(img.max()) > 1.0 else 1.0


def shrink(image: np.ndarray, max_side: int) -> tuple[np.ndarray, int]:
    """Block means by the smallest whole factor that brings the longer side to
    at most ``max_side`` (edges padded by repetition): ``(shrunk, factor)``."""
    h, w = image.shape
    factor = max(1, -(-max(h, w) // max_side))
    if factor == 1:
        return image, 1
    ph, pw = -(-h // factor) * factor, -(-w // factor) * factor
    padded = np.pad(image, ((0, ph - h), (0, pw - w)), mode="edge")
    return padded.reshape(ph // factor, factor, pw // factor, factor).mean(axis=(1, 3)), factor
