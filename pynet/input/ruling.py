"""The lines of ruled, dotted and graph paper in a picture's ink mask:
thin straight lines, level or upright, across the whole picture.

Printed rulings are thin, and at the analysis resolution (``ink.ANALYSIS_SIDE``)
a light blue line falls apart into dashes: no connected piece of it spans
the picture, so ``lines.py``'s walk along the centre lines finds nothing.
They are found instead by projecting the ink onto the normal of every
direction within ``MAX_TILT`` of level (and of upright), the direction
(every ``COARSE_STEP`` degrees, then every degree round the best one)
where the projection's peaks are sharpest (largest sum of squared counts,
the usual criterion of projection-profile skew estimation; e.g. Postl,
"Detection of linear oblique structures and skew scan in digitized
documents", ICPR 1986), and taking as lines the runs of at most
``MAX_WIDTH`` pixels across whose ink covers at least ``MIN_COVER`` of the
picture's width (or height) -- and of each outer ``OUTER_SHARE`` of it, and
of each end (``EDGE_SHARE``): a digit's stroke, even a 7's bar or a long
thin stem, does not reach both edges.

Pure NumPy: it runs in the browser too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_TILT = 12  # degrees: a photographed page's lines within this of level or upright
COARSE_STEP = 3  # degrees between the directions tried first; then each degree round the best
MAX_WIDTH = 5  # pixels across: printed rulings (a marker's line through the picture is lines.py's)
MIN_COVER = 0.4  # a line's ink covers at least this share of its length (dotted lines: about half) ...
OUTER_SHARE = 0.25  # ... and of each outer quarter of it
EDGE_SHARE = 0.06  # ... and of each of its ends (this share of its length): it runs to the picture's edges
PEAK_SHARE = 0.5  # the projection's bins at least this share of a peak's count are the same line


@dataclass(frozen=True)
class Ruling:
    """A straight line: the pixels ``(row, col)`` with ``normal @ (row, col)``
    within ``half`` of ``offset`` (``normal`` a unit ``(2,)``), and its two
    ends ``(2, 2)`` at the picture's edges."""

    normal: np.ndarray
    offset: float
    half: float
    ends: np.ndarray


def ruled_lines(mask: np.ndarray) -> list[Ruling]:
    """The level and upright rulings of an ink mask ``(H, W)`` (module description)."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return []
    h, w = mask.shape
    found = []
    for base, length, along in ((0.0, w, xs), (90.0, h, ys)):
        tried: dict[float, tuple] = {}
        # Coarse to fine: every COARSE_STEP degrees, then each degree round the best.
        best = max(np.arange(-MAX_TILT, MAX_TILT + 0.5, COARSE_STEP), key=lambda d: _project(ys, xs, base + d, tried)[0])
        best = max(np.arange(best - COARSE_STEP + 1, best + COARSE_STEP), key=lambda d: _project(ys, xs, base + d, tried)[0])
        _, phi, offsets, counts = _project(ys, xs, base + best, tried)
        found += _peaks(phi, offsets, counts, along, length, (h, w))
    return found


def _project(ys: np.ndarray, xs: np.ndarray, degrees: float, tried: dict[float, tuple]) -> tuple:
    """The ink pixels ``(ys, xs)`` projected on the normal at ``degrees``:
    ``(score, phi, each pixel's bin, counts per bin)``, the score the sum of
    squared counts; remembered in ``tried``."""
    degrees = float(degrees)
    if degrees not in tried:
        phi = np.radians(degrees)
        offsets = np.round(ys * np.cos(phi) + xs * np.sin(phi)).astype(int)
        counts = np.bincount(offsets - offsets.min())
        tried[degrees] = (float((counts.astype(np.float64) ** 2).sum()), phi, offsets, counts)
    return tried[degrees]


def _peaks(phi: float, offsets: np.ndarray, counts: np.ndarray, along: np.ndarray, length: int,
           shape: tuple[int, int]) -> list[Ruling]:
    """The lines among the projection ``counts`` of the ink at normal angle
    ``phi`` (radians; each pixel's bin ``offsets`` and position ``along``
    the line), for lines ``length`` pixels long."""
    normal = np.array([np.cos(phi), np.sin(phi)])
    strong = counts >= MIN_COVER * length
    out = []
    covered = -1
    for peak in np.flatnonzero(strong):
        if peak <= covered or peak > 0 and counts[peak - 1] > counts[peak] or \
                peak + 1 < len(counts) and counts[peak + 1] >= counts[peak]:
            continue  # not the top of its run (the last of a flat top)
        lo = hi = peak
        while lo > 0 and counts[lo - 1] >= PEAK_SHARE * counts[peak]:
            lo -= 1
        while hi + 1 < len(counts) and counts[hi + 1] >= PEAK_SHARE * counts[peak]:
            hi += 1
        covered = hi
        if hi - lo + 1 > MAX_WIDTH:
            continue
        on = (offsets - offsets.min() >= lo) & (offsets - offsets.min() <= hi)
        where = along[on]
        outer = OUTER_SHARE * length
        if (where < outer).sum() < MIN_COVER * outer or (where >= length - outer).sum() < MIN_COVER * outer:
            continue  # ink across the middle only: a digit's stroke
        edge = max(2.0, EDGE_SHARE * length)
        if (where < edge).sum() < MIN_COVER * edge or (where >= length - edge).sum() < MIN_COVER * edge:
            continue  # not to the picture's edges: a digit's stroke (a 4's stem, upright and thin)
        offset = (lo + hi) / 2 + offsets.min()
        out.append(Ruling(normal, float(offset), (hi - lo + 1) / 2, _ends(normal, offset, shape)))
    return out


def _ends(normal: np.ndarray, offset: float, shape: tuple[int, int]) -> np.ndarray:
    """Where the line ``normal @ p == offset`` meets the picture's edges: ``(2, 2)``."""
    h, w = shape
    along = np.array([-normal[1], normal[0]])
    base = normal * offset
    t = np.linspace(-2 * (h + w), 2 * (h + w), 8 * (h + w))
    pts = base + t[:, None] * along
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= h - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= w - 1)
    if not inside.any():
        return np.array([base, base])
    idx = np.flatnonzero(inside)
    return np.stack([pts[idx[0]], pts[idx[-1]]])
