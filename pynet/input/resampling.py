"""Resampling a picture: exact area averaging to shrink it, linear
interpolation to enlarge it. Pure NumPy."""

from __future__ import annotations

import numpy as np

__all__ = ["resample", "resample_axis"]


def resample_axis(x: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    """Resample ``x`` along ``axis`` to ``n_out`` samples: exact area
    averaging when shrinking (any, also non-integer, scale), linear
    interpolation between pixel centres when enlarging.

    Shrinking reads a running sum at each output cell's two edges (linear
    within an input cell), so it costs O(size), where a product with a
    resampling matrix costs O(size x n_out) -- and NumPy in the browser has
    no BLAS to hide that."""
    x = np.moveaxis(np.asarray(x, dtype=np.float32), axis, -1)
    n_in = x.shape[-1]
    if n_out == n_in:
        out = x
    elif n_out < n_in:
        total = np.concatenate([np.zeros(x.shape[:-1] + (1,), np.float32), np.cumsum(x, axis=-1, dtype=np.float64)], axis=-1)
        edges = np.linspace(0.0, n_in, n_out + 1)
        cell = np.minimum(edges.astype(int), n_in - 1)  # the input cell each edge falls in
        at_edges = total[..., cell] + (edges - cell) * x[..., cell]  # running sum at each edge
        out = (np.diff(at_edges, axis=-1) / (n_in / n_out)).astype(np.float32)
    else:
        pos = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        frac = (pos - lo).astype(np.float32)
        out = x[..., lo] * (1 - frac) + x[..., hi] * frac
    return np.moveaxis(out, -1, axis)


def resample(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """``(H, W)`` -> ``(out_h, out_w)`` float32 by ``resample_axis`` along both axes."""
    return resample_axis(resample_axis(image, out_h, 0), out_w, 1)
