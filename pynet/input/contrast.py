"""How far a picture's ink stands out: its polarity (dark on light or light
on dark, and whether that is a guess), its contrast to the paper under it,
and the contrast from which a pixel is ink (Otsu's threshold above the
paper's noise). Used by ``ink.find_ink`` and ``number_ink.number_ink``.
Pure NumPy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MIN_CONTRAST", "ink_contrast", "ink_threshold", "is_dark_on_light", "otsu_threshold", "two_grounds"]

EXTREME = 0.2  # percentile taken as the darkest (and 100 minus it as the lightest) level, past stray pixels
NOISE_SIGMAS = 6.0  # the threshold stays this many robust standard deviations above the background's noise
MIN_CONTRAST = 0.12  # ink must differ from its background by this share, or the picture holds none
BALANCED = (0.2, 0.8)  # a digit whose surround is this share light lies on two tones ...
TONES_APART = 0.5  # ... this far apart in luminance
RING = 0.03  # the surround: the pixels this share of the picture's side outside the digit's box


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold of values in [0, 1]: the cut between histogram bins
    that maximises the between-class variance."""
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = hist.astype(np.float64) / max(1, hist.sum())
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(p)
    m0 = np.cumsum(p * centres)
    total = m0[-1]
    w1 = 1.0 - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total * w0 - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0.0
    return float(edges[int(np.argmax(between)) + 1])


def is_dark_on_light(lum: np.ndarray) -> bool:
    """The polarity of a picture's luminance ``(h, w)``: the background is
    most of the picture, so its median; the ink is the extreme (``EXTREME``
    percentile) further from it -- a lighting gradient spreads the
    background both ways, but less far than ink. Ink under that share of
    the picture (a 2000 x 1500 page with "47" 160 px high in a thin pen:
    0.1 %) is judged by the extremes themselves."""
    flat = lum.reshape(-1)
    ranks = [round(q / 100 * (flat.size - 1)) for q in (EXTREME, 50, 100 - EXTREME)]
    low, mid, high = np.partition(flat, ranks)[ranks]  # percentiles by rank: np.percentile is slow in the browser
    if mid - low == high - mid:  # the ink is under EXTREME of the picture (a small number on a big page)
        low, high = flat.min(), flat.max()
    return bool(mid - low >= high - mid)  # a tie (a blank page): dark ink on light paper, the usual case


def ink_contrast(lum: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Dark ink's difference from the background as a share of the
    background's brightness (so a shadow scales ink and paper alike),
    clipped to [0, 1]; both ``(h, w)`` in [0, 1]."""
    return np.clip((background - lum) / np.maximum(background, 0.05), 0.0, 1.0)


def ink_threshold(contrast: np.ndarray, otsu_share: float = 1.0) -> float:
    """The contrast above which a pixel is ink: Otsu's threshold, kept
    ``NOISE_SIGMAS`` robust standard deviations (median absolute deviation
    times 1.4826) above the background's median, and at least half of
    ``MIN_CONTRAST``. ``otsu_share``: that share of Otsu's threshold instead
    (under 1: faint ink, still above the noise)."""
    middle = float(np.median(contrast))
    spread = float(np.median(np.abs(contrast - middle)))
    # Noise is also measured between neighbouring pixels (the median absolute
    # difference of horizontal neighbours over sqrt 2, which leaves grain's
    # spread as it is): a background that changes smoothly but faster than
    # the tiles follow it -- fog, a crumpled sheet -- spreads the contrast
    # without being noise, and had lifted the threshold above the ink itself.
    # (every other row tells it as well, in half the time: this runs in the tab)
    neighbours = float(np.median(np.abs(np.diff(contrast[::2], axis=1)))) / np.sqrt(2) if contrast.shape[1] > 1 else spread
    noise = 1.4826 * min(spread, neighbours)
    return max(otsu_share * otsu_threshold(contrast), middle + NOISE_SIGMAS * noise, MIN_CONTRAST / 2)


def two_grounds(small: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Is the background round the digit's ``box`` (top, left, bottom,
    right) in ``small`` ``(h, w)`` two tones far apart -- about as much of
    the ring of pixels just outside the box light as dark (``BALANCED``, by
    Otsu's threshold over the picture), the two ``TONES_APART``? Then the
    digit runs across a light and a dark ground, and the polarity
    (``is_dark_on_light``) is a guess: MNIST-C's "stripe" (Mu and Gilmer
    2019), whose 7 columns at each side are inverted, was read wrong and
    sure for 18 % of its digits. (The whole picture's light share flagged
    tight crops of bold, blurred or outlined digits; the picture's edge,
    photos' vignetting and every desk beside a sheet.)"""
    h, w = small.shape
    reach = max(2, round(RING * max(h, w)))
    top, left = max(0, box[0] - reach), max(0, box[1] - reach)
    bottom, right = min(h, box[2] + reach), min(w, box[3] + reach)
    ring = np.concatenate([small[top, left:right], small[bottom - 1, left:right],
                           small[top:bottom, left], small[top:bottom, right - 1]])
    light = ring > otsu_threshold(small)
    if not BALANCED[0] <= float(light.mean()) <= BALANCED[1]:
        return False
    return float(ring[light].mean() - ring[~light].mean()) >= TONES_APART
