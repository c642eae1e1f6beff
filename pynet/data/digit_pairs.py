"""Two digits touching, read as one: pictures the network is taught to be
unsure of (outlier exposure, as ``scribbles.py``'s marks).

A number's digits that touch or overlap come to the network as one group
when the number finder cannot cut them apart, and a lone picture of two
touching digits ("31") is read whole. Trained on digits only, the network
read such a pair as one of its digits, often surely: on 300 scanned
four-digit numbers of held-out digits, a 1 touching its neighbour was
swallowed and the number read wrong and sure 5 times (2026-12-08,
``build.number_accuracy``'s composition). Each pair here is two training
digits scaled to one height (each varied by ``SIZE``), their baselines
moved by ``BASELINE``, the second's ink beginning ``OVERLAP`` of the height
before the first's ends (never more than ``MOST_OF_NARROWER`` of the
narrower digit's width, so that no pair hides one digit behind the other
and looks like one digit), ink combined by maximum, then read as the
picture path reads a digit (``preprocess.network_input``).
"""

from __future__ import annotations

import numpy as np

from pynet.input.preprocess import network_input
from pynet.input.resampling import resample

from .traced_mnist import as_pixels, parallel_map

SIZE = (0.85, 1.15)  # each digit's height, times the pair's nominal height
BASELINE = 0.08  # each digit's bottom moved up or down by up to this share of the height
OVERLAP = (0.0, 0.12)  # the second digit's ink begins this share of the height before the first's ends
MOST_OF_NARROWER = 0.4  # ... and by at most this share of the narrower digit's width
HEIGHT = 56  # px: the pair's nominal digit height when composed (then read down to 28 x 28)
INK = 0.1  # a 28 x 28 digit's ink: pixels above this share of full brightness


def _crop(image: np.ndarray) -> np.ndarray:
    """A 28x28 digit (floats in [0, 1]) cropped to its ink's box."""
    rows, cols = np.flatnonzero(image.max(axis=1) > INK), np.flatnonzero(image.max(axis=0) > INK)
    return image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def touching_pair(first: np.ndarray, second: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """Two 28x28 digits (uint8 pixels) composed touching or overlapping,
    read as the picture path reads one digit -> the ``(784,)`` uint8 input,
    or None when the path finds nothing to read."""
    parts = []
    for image in (first, second):
        crop = _crop(image.astype(np.float32) / 255)
        tall = max(2, round(HEIGHT * rng.uniform(*SIZE)))
        wide = max(1, round(crop.shape[1] * tall / crop.shape[0]))
        parts.append(np.clip(resample(crop, tall, wide), 0, 1))
    (a, b) = parts
    overlap = min(rng.uniform(*OVERLAP) * HEIGHT, MOST_OF_NARROWER * min(a.shape[1], b.shape[1]))
    left_b = max(0, a.shape[1] - int(round(overlap)))
    bottom = HEIGHT + round(HEIGHT * BASELINE) + 2
    bottoms = [bottom + round(rng.uniform(-BASELINE, BASELINE) * HEIGHT) for _ in parts]
    height = max(bt for bt in bottoms) + 2
    page = np.zeros((height, left_b + b.shape[1] + 4), dtype=np.float32)
    for part, x, bt in ((a, 2, bottoms[0]), (b, 2 + left_b, bottoms[1])):
        top = max(0, bt - part.shape[0])
        region = page[top : top + part.shape[0], x : x + part.shape[1]]
        np.maximum(region, part[: region.shape[0], : region.shape[1]], out=region)
    x = network_input(page)
    return None if x is None else as_pixels(x)


def _pairs_chunk(args: tuple[np.ndarray, np.ndarray, int, int]) -> np.ndarray:
    firsts, seconds, seed, start = args
    out = np.zeros((len(firsts), 784), dtype=np.uint8)
    found = np.zeros(len(firsts), dtype=bool)
    for j, (a, b) in enumerate(zip(firsts, seconds)):
        x = touching_pair(a, b, np.random.default_rng((seed, start + j)))
        if x is not None:
            out[j], found[j] = x, True
    return out[found]


def touching_pairs(images: np.ndarray, n: int, seed: int, processes: int | None = None) -> np.ndarray:
    """``n`` pairs of touching digits drawn at random from ``images``
    ``(N, 784)`` uint8 (training digits only), each read as one digit ->
    ``(M, 784)`` uint8, M <= n (a pair the path finds nothing in is left
    out). The same pairs on any number of ``processes``."""
    squares = images.reshape(-1, 28, 28)
    pick = np.random.default_rng((seed, 31))
    pairs = pick.integers(0, len(squares), size=(n, 2))
    jobs = [(squares[pairs[s : s + 500, 0]], squares[pairs[s : s + 500, 1]], seed, s) for s in range(0, n, 500)]
    parts = parallel_map(_pairs_chunk, jobs, processes)
    return np.concatenate(parts) if parts else np.zeros((0, 784), np.uint8)
