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

Stroke = list[tuple[float, float]]


# ---- MNIST digits as strokes -----------------------------------------------------
def thin(image: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to one-pixel-wide lines."""
    img = np.pad(image.astype(bool), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = {name: np.roll(np.roll(img, -dy, 0), -dx, 1) for name, (dy, dx) in {
                "p2": (-1, 0), "p3": (-1, 1), "p4": (0, 1), "p5": (1, 1),
                "p6": (1, 0), "p7": (1, -1), "p8": (0, -1), "p9": (-1, -1)}.items()}
            ring = [p[k] for k in ("p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p2")]
            neighbours = sum(r.astype(int) for r in ring[:-1])
            transitions = sum((~a & b).astype(int) for a, b in zip(ring[:-1], ring[1:]))
            if step == 0:
                extra = ~(p["p2"] & p["p4"] & p["p6"]) & ~(p["p4"] & p["p6"] & p["p8"])
            else:
                extra = ~(p["p2"] & p["p4"] & p["p8"]) & ~(p["p2"] & p["p6"] & p["p8"])
            remove = img & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & extra
            if remove.any():
                img &= ~remove
                changed = True
        if not changed:
            return img[1:-1, 1:-1]


def trace(skeleton: np.ndarray) -> list[list[tuple[int, int]]]:
    """One-pixel-wide lines -> polylines of (row, col), each edge walked once:
    start at line ends (then at whatever is left, e.g. the loop of an 0), and
    at a junction keep going as straight as possible."""
    pixels = {(int(r), int(c)) for r, c in zip(*np.nonzero(skeleton))}

    def neighbours(p):
        r, c = p
        return [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if (dr or dc) and (r + dr, c + dc) in pixels]

    used: set[frozenset] = set()
    paths = []

    def walk(start):
        path, here, heading = [start], start, None
        while True:
            options = [n for n in neighbours(here) if frozenset((here, n)) not in used]
            if not options:
                return path
            if heading is not None:
                options.sort(key=lambda n: -((n[0] - here[0]) * heading[0] + (n[1] - here[1]) * heading[1]))
            nxt = options[0]
            used.add(frozenset((here, nxt)))
            heading = (nxt[0] - here[0], nxt[1] - here[1])
            path.append(nxt)
            here = nxt

    ends = sorted(p for p in pixels if len(neighbours(p)) == 1)
    for start in ends + sorted(pixels):
        while any(frozenset((start, n)) not in used for n in neighbours(start)):
            path = walk(start)
            if len(path) > 1:
                paths.append(path)
    return paths


def mnist_strokes(image: np.ndarray, threshold: int = 100) -> list[Stroke]:
    """A 28x28 MNIST digit as pen strokes in the unit square (of its own box)."""
    paths = trace(thin(image >= threshold))
    paths = [p for p in paths if len(p) >= 3] or paths  # drop spurs of a pixel or two
    points = np.array([q for p in paths for q in p], dtype=float)
    (r0, c0), (r1, c1) = points.min(axis=0), points.max(axis=0)
    size = max(r1 - r0, c1 - c0, 1.0)
    return [[((c - c0) / size, (r - r0) / size) for r, c in p] for p in paths]


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
