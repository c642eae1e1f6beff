"""Digits as a person draws them: pen strokes, for the tests, the benchmark and
the page driver.

Two sources, neither an MNIST bitmap pasted onto the canvas:

- ``mnist_strokes``: real handwriting, MNIST's test digits, thinned to their
  centre lines (Zhang-Suen) and traced into pen strokes, so they can be
  replayed at any size, position and speed, with a mouse or a finger;
- ``PRINTED``: hand-made printed and script styles MNIST has few of (a 1 with
  a flag and a base, a 6 with a round bowl, a crossed 7, a 4 drawn closed).

Points are ``(x, y)`` in the unit square, y down.
"""

from __future__ import annotations

import math

import numpy as np

from pynet.skeleton import Stroke, image_strokes, thin, trace  # noqa: F401 -- re-exported for the tests

mnist_strokes = image_strokes  # a 28x28 MNIST digit as strokes


# ---- printed and script styles --------------------------------------------------
def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24) -> Stroke:
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, end, n)]


PRINTED: dict[str, tuple[int, list[Stroke]]] = {
    "0 oval": (0, [_arc(0.5, 0.5, 0.3, 0.46, -90, 270, 40)]),
    "1 stick": (1, [[(0.5, 0.03), (0.5, 0.97)]]),
    "1 with a flag": (1, [[(0.28, 0.25), (0.52, 0.03), (0.52, 0.97)]]),
    "1 with a flag and a base": (1, [[(0.3, 0.22), (0.52, 0.03), (0.52, 0.97)], [(0.3, 0.97), (0.74, 0.97)]]),
    "2 curved": (2, [[(0.22, 0.28), (0.3, 0.1), (0.5, 0.03), (0.7, 0.1), (0.78, 0.28), (0.7, 0.48),
                      (0.2, 0.96), (0.82, 0.96)]]),
    "3 round": (3, [[(0.22, 0.14), (0.5, 0.03), (0.76, 0.14), (0.74, 0.34), (0.46, 0.48), (0.78, 0.62),
                     (0.8, 0.82), (0.5, 0.97), (0.2, 0.87)]]),
    "3 flat top": (3, [[(0.22, 0.05), (0.78, 0.05), (0.46, 0.42), (0.74, 0.55), (0.79, 0.78), (0.5, 0.97),
                        (0.2, 0.86)]]),
    "4 open": (4, [[(0.58, 0.03), (0.15, 0.65), (0.88, 0.65)], [(0.66, 0.32), (0.66, 0.97)]]),
    "4 closed": (4, [[(0.66, 0.97), (0.66, 0.03), (0.16, 0.66), (0.88, 0.66)]]),
    "5 classic": (5, [[(0.8, 0.04), (0.28, 0.04), (0.23, 0.45), (0.55, 0.38), (0.78, 0.53), (0.8, 0.78),
                       (0.52, 0.97), (0.2, 0.88)]]),
    "6 round bowl": (6, [[(0.72, 0.04), (0.42, 0.22), (0.24, 0.52), (0.25, 0.8), (0.48, 0.97), (0.72, 0.88),
                          (0.78, 0.68), (0.58, 0.52), (0.34, 0.56), (0.25, 0.7)]]),
    "7 plain": (7, [[(0.16, 0.05), (0.84, 0.05), (0.42, 0.97)]]),
    "7 crossed": (7, [[(0.16, 0.05), (0.84, 0.05), (0.42, 0.97)], [(0.36, 0.5), (0.76, 0.5)]]),
    "8 two loops": (8, [[(0.5, 0.48), (0.27, 0.32), (0.3, 0.1), (0.5, 0.03), (0.7, 0.1), (0.73, 0.32),
                         (0.5, 0.48), (0.24, 0.68), (0.28, 0.92), (0.5, 0.98), (0.72, 0.92), (0.76, 0.68),
                         (0.5, 0.48)]]),
    "9 straight stem": (9, [[(0.74, 0.3), (0.6, 0.07), (0.38, 0.05), (0.25, 0.22), (0.3, 0.42), (0.5, 0.5),
                             (0.72, 0.4), (0.74, 0.28), (0.74, 0.97)]]),
    "9 curved tail": (9, [[(0.74, 0.28), (0.55, 0.05), (0.3, 0.12), (0.28, 0.38), (0.5, 0.48), (0.74, 0.34),
                           (0.72, 0.62), (0.55, 0.97)]]),
}

# Marks that are not digits: a person's scribbles, letters and stray strokes.
NOT_DIGITS: dict[str, list[Stroke]] = {
    "zigzag scribble": [[(0.05, 0.3), (0.95, 0.35), (0.08, 0.5), (0.9, 0.55), (0.1, 0.7), (0.95, 0.75),
                         (0.05, 0.9), (0.9, 0.95)]],
    "hash": [[(0.3, 0.05), (0.25, 0.95)], [(0.7, 0.05), (0.65, 0.95)], [(0.05, 0.35), (0.95, 0.35)],
             [(0.05, 0.65), (0.95, 0.65)]],
    "asterisk": [[(0.5, 0.05), (0.5, 0.95)], [(0.1, 0.25), (0.9, 0.75)], [(0.1, 0.75), (0.9, 0.25)]],
    "letter W": [[(0.05, 0.05), (0.25, 0.95), (0.5, 0.35), (0.75, 0.95), (0.95, 0.05)]],
    "letter M": [[(0.05, 0.95), (0.1, 0.05), (0.5, 0.6), (0.9, 0.05), (0.95, 0.95)]],
    "letter K": [[(0.2, 0.05), (0.2, 0.95)], [(0.8, 0.05), (0.22, 0.55), (0.85, 0.95)]],
    "smiley": [_arc(0.5, 0.5, 0.45, 0.45, 0, 360, 40), [(0.35, 0.35), (0.36, 0.36)], [(0.65, 0.35), (0.66, 0.36)],
               _arc(0.5, 0.55, 0.25, 0.2, 20, 160, 16)],
    "spiral": [[(0.5 + 0.45 * (t / 30) * math.cos(t / 2.2), 0.5 + 0.45 * (t / 30) * math.sin(t / 2.2))
                for t in range(31)]],
}


def place(strokes: list[Stroke], x: float, y: float, size: float) -> list[Stroke]:
    """Strokes from the unit square to a ``size``-wide box at ``(x, y)``."""
    return [[(x + px * size, y + py * size) for px, py in s] for s in strokes]


def flat(strokes: list[Stroke]) -> list[np.ndarray]:
    return [np.asarray(s, dtype=np.float64) for s in strokes]
