"""Bitmaps of ink -> pen strokes: thinning to centre lines (Zhang and Suen,
"A fast parallel algorithm for thinning digital patterns", CACM 1984) and
tracing the one-pixel-wide lines into polylines.

Used to turn MNIST's handwriting into strokes that pynet's own renderer
(``strokes.render_strokes``) draws like a person's drawing, and to give an
image of a digit drawn with any pen the drawing's standard pen width.
"""

from __future__ import annotations

import numpy as np

Stroke = list[tuple[float, float]]


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


def image_strokes(image: np.ndarray, threshold: int = 100) -> list[Stroke]:
    """A grey image of ink (e.g. a 28x28 MNIST digit, uint8, ink high) as pen
    strokes in the unit square of its own box: thinned, traced, spurs of a
    pixel or two dropped. Points are ``(x, y)``, y down."""
    paths = trace(thin(image >= threshold))
    paths = [p for p in paths if len(p) >= 3] or paths  # drop spurs of a pixel or two
    points = np.array([q for p in paths for q in p], dtype=float)
    (r0, c0), (r1, c1) = points.min(axis=0), points.max(axis=0)
    size = max(r1 - r0, c1 - c0, 1.0)
    return [[((c - c0) / size, (r - r0) / size) for r, c in p] for p in paths]
