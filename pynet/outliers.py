"""Scribbles that are not digits, for "outlier exposure" (Hendrycks et al.,
2019): trained towards a uniform answer (label -1, see ``losses.py``), they
teach the network to be unsure of marks that are not digits -- a hash, an
asterisk, a zigzag -- instead of calling them a confident 4.

They are drawn with the same pen as the page's drawings (``strokes.py``): many
turns or several crossing strokes, so none of them reads as a digit.
"""

from __future__ import annotations

import numpy as np

from .strokes import render_strokes


def _zigzag(rng: np.random.Generator) -> list[np.ndarray]:
    k = int(rng.integers(6, 11))
    x = np.where(np.arange(k) % 2 == 0, rng.uniform(0.0, 0.25, k), rng.uniform(0.75, 1.0, k))
    y = np.sort(rng.uniform(0, 1, k))
    if rng.random() < 0.5:
        x, y = y, x  # vertical zigzag
    return [np.stack([x, y], axis=1)]


def _crossing_lines(rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.uniform(0, 1, (2, 2)) for _ in range(int(rng.integers(3, 7)))]


def _grid(rng: np.random.Generator) -> list[np.ndarray]:
    """Two or three roughly parallel strokes crossed by two or three others:
    a hash sign, a tic-tac-toe board."""
    angle = rng.uniform(0, np.pi)
    strokes = []
    for direction in (angle, angle + np.pi / 2 + rng.normal(0, 0.2)):
        along = np.array([np.cos(direction), np.sin(direction)])
        across = np.array([-along[1], along[0]])
        for offset in np.linspace(-1, 1, int(rng.integers(2, 4))) * rng.uniform(0.15, 0.3):
            tilt = along + across * rng.normal(0, 0.08)
            centre = 0.5 + across * offset + rng.normal(0, 0.03, 2)
            half = rng.uniform(0.3, 0.45)
            strokes.append(np.stack([centre - tilt * half, centre + tilt * half]))
    return strokes


def _random_walk(rng: np.random.Generator) -> list[np.ndarray]:
    k = int(rng.integers(12, 24))
    angles = np.cumsum(rng.normal(0, 1.4, k))
    steps = np.stack([np.cos(angles), np.sin(angles)], axis=1) * rng.uniform(0.05, 0.2, (k, 1))
    return [np.cumsum(steps, axis=0)]


def _loops(rng: np.random.Generator) -> list[np.ndarray]:
    t = np.linspace(0, 2 * np.pi, 24)[:, None]
    out = []
    for _ in range(int(rng.integers(3, 6))):
        centre, radii = rng.uniform(0.2, 0.8, 2), rng.uniform(0.08, 0.25, 2)
        out.append(centre + radii * np.concatenate([np.cos(t), np.sin(t)], axis=1))
    return out


def _blob(rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.uniform(0.3, 0.7, (int(rng.integers(25, 40)), 2))]


KINDS = (_zigzag, _crossing_lines, _grid, _random_walk, _loops, _blob)


def scribbles(n: int, seed: int = 0) -> np.ndarray:
    """``n`` scribbles as flat uint8 28x28 images (MNIST's format)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 784), dtype=np.uint8)
    for i in range(n):
        image = render_strokes(KINDS[i % len(KINDS)](rng))
        if image is not None:
            out[i] = np.round(image * 255).astype(np.uint8)
    return out
