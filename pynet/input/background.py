"""The paper under a picture's ink: its lighting, estimated from the paper
alone, and a pixel-level estimate that keeps a shadow's edge sharp.

Works on pictures whose ink is dark (``ink.find_ink`` turns light ink on a
dark ground into its negative first). Pure NumPy.
"""

from __future__ import annotations

import numpy as np

BACKGROUND_PERCENTILE = 80  # of a tile: the paper's level while the tile is at most 80 % ink
MIN_PAPER_SHARE = 0.15  # a tile with less paper than this takes its level from the lighting's surface
OUTLIER_SIGMAS = 3.0  # a tile this much darker than the lighting's surface is ink
FIT_ROUNDS = 6


def block_background(image: np.ndarray, block: int, ink: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The paper's level in each ``block`` x ``block`` tile (edge tiles padded
    by repetition) -> ``(levels, valid)``, both ``(gh, gw)``. Without an
    ``ink`` mask: the tile's ``BACKGROUND_PERCENTILE`` (right while a tile is
    at most that share ink). With one: the mean of the tile's pixels that
    are not ink (the mask holds the ink's soft edges and specks too, so what
    is left is paper and its noise), valid where at least
    ``MIN_PAPER_SHARE`` of the tile is not ink."""
    h, w = image.shape
    gh, gw = -(-h // block), -(-w // block)

    def tiles(a: np.ndarray) -> np.ndarray:
        padded = np.pad(a, ((0, gh * block - h), (0, gw * block - w)), mode="edge")
        return padded.reshape(gh, block, gw, block).transpose(0, 2, 1, 3).reshape(gh, gw, block * block)

    values = tiles(image)
    if ink is None:
        # The percentile by rank (np.partition): np.percentile's interpolation took 2.5 ms a call in
        # Pyodide (under Node, on a busy machine), most of this function's time.
        rank = round(BACKGROUND_PERCENTILE / 100 * (block * block - 1))
        return np.partition(values, rank, axis=2)[..., rank], np.ones((gh, gw), dtype=bool)
    paper = ~tiles(ink)
    count = paper.sum(axis=2)
    levels = (values * paper).sum(axis=2) / np.maximum(count, 1)
    valid = count >= MIN_PAPER_SHARE * block * block
    return np.where(valid, levels, 0.0), valid


def background_grid(levels: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Tile levels of the paper ``(gh, gw)`` with the tiles that are really
    ink (or not ``valid``) replaced by the lighting's surface. Starting from
    the valid tiles' median, tiles more than ``OUTLIER_SIGMAS`` robust
    standard deviations darker than the current surface are left out and a
    quadratic surface in the tile's position (lighting: gradients,
    vignetting) is fitted by least squares to the rest, ``FIT_ROUNDS``
    times; the tiles left out take the surface's value, the others keep
    their own (local detail such as a shadow's edge)."""
    gh, gw = levels.shape
    y, x = np.meshgrid(np.linspace(-1, 1, gh), np.linspace(-1, 1, gw), indexing="ij")
    design = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1).reshape(-1, 6)[:, : min(6, gh * gw)]
    values, valid = levels.reshape(-1).astype(np.float64), valid.reshape(-1)
    if valid.sum() < design.shape[1]:
        return np.full((gh, gw), np.median(values[valid]) if valid.any() else np.median(values))
    keep = valid
    fit = np.full_like(values, np.median(values[valid]))  # a robust start: least squares over ink tiles bends to them
    for _ in range(FIT_ROUNDS):
        residual = values - fit  # negative: darker, towards the ink
        spread = 1.4826 * float(np.median(np.abs(residual[keep]))) + 0.01
        now = valid & (residual > -OUTLIER_SIGMAS * spread)
        if now.sum() < design.shape[1]:
            break
        keep = now
        fit = design @ np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
    return np.where(keep, values, fit).reshape(gh, gw)


def interpolate_grid(grid: np.ndarray, block: float, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of a grid of block values (each at its block's
    centre) at pixel coordinates ``rows`` ``(h,)`` and ``cols`` ``(w,)`` of
    the image the blocks tile -> ``(h, w)``."""

    def axis(coords: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = np.clip((coords + 0.5) / block - 0.5, 0, n - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        return lo, hi, (pos - lo).astype(np.float32)

    r0, r1, fr = axis(rows, grid.shape[0])
    c0, c1, fc = axis(cols, grid.shape[1])
    g = grid.astype(np.float32)
    top = g[r0][:, c0] * (1 - fc) + g[r0][:, c1] * fc
    bottom = g[r1][:, c0] * (1 - fc) + g[r1][:, c1] * fc
    return top * (1 - fr[:, None]) + bottom * fr[:, None]


def running_extreme(img: np.ndarray, size: int, reduce, axis: int) -> np.ndarray:
    """``reduce`` (np.maximum or np.minimum) over a centred window of ``size``
    (odd) pixels along ``axis``, edges repeated: windows doubled in
    log2(size) passes, then two overlapping ones joined."""
    half = size // 2
    x = np.moveaxis(img, axis, 0)
    out = np.concatenate([np.repeat(x[:1], half, axis=0), x, np.repeat(x[-1:], half, axis=0)])
    span = 1  # out[j] = reduce of the padded input's [j, j + span)
    while span * 2 <= size:
        out = reduce(out[:-span], out[span:])
        span *= 2
    if span < size:
        out = reduce(out[: len(out) - (size - span)], out[size - span :])
    return np.moveaxis(out, 0, axis)


def square_extreme(img: np.ndarray, size: int, reduce) -> np.ndarray:
    """``reduce`` (np.maximum or np.minimum) over centred ``size`` x ``size``
    squares (``size`` odd), edges repeated: ``running_extreme`` along each
    axis in turn. np.maximum: a grey or binary dilation; np.minimum: an
    erosion."""
    return running_extreme(running_extreme(img, size, reduce, 0), size, reduce, 1)


def closing(img: np.ndarray, size: int) -> np.ndarray:
    """Grey-level closing (maximum, then minimum, over ``size`` x ``size``
    squares): dark features narrower than ``size`` vanish, brighter regions
    keep their edges -- paper's brightness under the ink, a shadow's edge
    kept sharp (the usual background estimate of document binarisation)."""
    return square_extreme(square_extreme(img, size, np.maximum), size, np.minimum)


def opening(img: np.ndarray, size: int) -> np.ndarray:
    """Grey-level (or binary) opening (minimum, then maximum, over ``size``
    x ``size`` squares): light features narrower than ``size`` vanish --
    the closing's twin, for light marks on a dark ground."""
    return square_extreme(square_extreme(img, size, np.minimum), size, np.maximum)
