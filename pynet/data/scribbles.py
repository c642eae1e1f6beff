"""Scribbles that are not digits, for "outlier exposure" (Hendrycks et al.,
2019): trained towards a uniform answer (label -1, see ``losses.py``), they
teach the network to be unsure of marks that are not digits -- a hash, an
asterisk, a zigzag -- instead of calling them a confident 4.

They are drawn with the same pen as the page's drawings (``strokes.py``): many
turns or several crossing strokes, so none of them reads as a digit. Closed
shapes come in families that no digit has: polygons and star polygons with
sharp corners, two or three nested outlines, spirals of two turns or more, and
outlines with two to five small marks inside (one dot inside an oval is a
dotted zero, so never fewer than two). An oval alone is a 0 and is never one.
"""

from __future__ import annotations

import numpy as np

from pynet.input.strokes import render_strokes


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


def _any_random_walk(rng: np.random.Generator) -> list[np.ndarray]:
    """The first round's wandering line, kept as it came out, straight or not
    (the ``"open"`` families, which the first round's model was trained with)."""
    k = int(rng.integers(12, 24))
    angles = np.cumsum(rng.normal(0, 1.4, k))
    steps = np.stack([np.cos(angles), np.sin(angles)], axis=1) * rng.uniform(0.05, 0.2, (k, 1))
    return [np.cumsum(steps, axis=0)]


def _random_walk(rng: np.random.Generator) -> list[np.ndarray]:
    """A wandering line; one that came out nearly straight (its points' narrow
    spread under a fifth of the wide one) is drawn again: it would be a 1."""
    while True:
        (points,) = _any_random_walk(rng)
        spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
        if spread[1] >= 0.2 * spread[0]:
            return [points]


def _loops(rng: np.random.Generator) -> list[np.ndarray]:
    t = np.linspace(0, 2 * np.pi, 24)[:, None]
    out = []
    for _ in range(int(rng.integers(3, 6))):
        centre, radii = rng.uniform(0.2, 0.8, 2), rng.uniform(0.08, 0.25, 2)
        out.append(centre + radii * np.concatenate([np.cos(t), np.sin(t)], axis=1))
    return out


def _blob(rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.uniform(0.3, 0.7, (int(rng.integers(25, 40)), 2))]


def straight_sides(corners: np.ndarray, step: float = 0.02) -> np.ndarray:
    """Straight sides through ``corners`` ``(k, 2)``, with a point every
    ``step`` or so: the renderer's curves through the corners alone would
    round them off, as a pointer's many points along a side do not."""
    pieces = [corners[:1]]
    for a, b in zip(corners[:-1], corners[1:]):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        pieces.append(a + (b - a) * (np.arange(1, n + 1) / n)[:, None])
    return np.concatenate(pieces)


def _turned(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Points about (0.5, 0.5), turned by a random angle and stretched by a random aspect."""
    a = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return 0.5 + ((points - 0.5) * [np.exp(rng.uniform(-0.35, 0.35)), 1.0]) @ rot.T


def _polygon_corners(rng: np.random.Generator, centre: np.ndarray, radius: float) -> np.ndarray:
    """A closed polygon (3-6 corners, unevenly spaced) or star polygon (5 or 7
    points, drawn in one stroke), as its corners with the first repeated."""
    if rng.random() < 0.3:
        n = int(rng.choice([5, 7]))
        order = (np.arange(n + 1) * (2 if n == 5 else 3)) % n
        angles = 2 * np.pi * order / n + rng.uniform(0, 2 * np.pi)
        radii = np.full(n + 1, radius)
    else:
        n = int(rng.integers(3, 7))
        angles = np.sort(rng.uniform(0, 2 * np.pi / n, n) * 0.5 + 2 * np.pi * np.arange(n) / n) + rng.uniform(0, 6.3)
        angles = np.append(angles, angles[0])
        radii = radius * rng.uniform(0.8, 1.0, n + 1)
        radii[-1] = radii[0]
    return centre + radii[:, None] * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _oval(rng: np.random.Generator, centre: np.ndarray, radius: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 40)[:, None] + rng.uniform(0, 2 * np.pi)
    radii = radius * np.array([1.0, rng.uniform(0.7, 1.0)])
    return centre + radii * np.concatenate([np.cos(t), np.sin(t)], axis=1)


def _closed_polygon(rng: np.random.Generator) -> list[np.ndarray]:
    """A triangle, quadrilateral, pentagon, hexagon or star, corners kept sharp."""
    return [_turned(straight_sides(_polygon_corners(rng, np.array([0.5, 0.5]), 0.45)), rng)]


def _outline(rng: np.random.Generator, centre: np.ndarray, radius: float, oval: bool) -> np.ndarray:
    return _oval(rng, centre, radius) if oval else straight_sides(_polygon_corners(rng, centre, radius))


def _nested(rng: np.random.Generator) -> list[np.ndarray]:
    """Two or three outlines (ovals or polygons) inside each other, about nearly one centre."""
    out, radius = [], 0.45
    for _ in range(int(rng.integers(2, 4))):
        centre = 0.5 + rng.normal(0, 0.03, 2)
        out.append(_outline(rng, centre, radius, rng.random() < 0.6))
        radius *= rng.uniform(0.4, 0.7)
    return [_turned(s, rng) for s in out]


def _spiral(rng: np.random.Generator) -> list[np.ndarray]:
    """An Archimedean spiral of 2 to 2.8 turns (more fill the 28x28 image with
    ink), from the inside out, either way round."""
    turns = rng.uniform(2.0, 2.8)
    t = np.linspace(0, turns * 2 * np.pi, int(turns * 24))
    r = rng.uniform(0.0, 0.08) + (0.45 - 0.04) * t / t[-1]
    sign = rng.choice([-1.0, 1.0])
    points = 0.5 + np.stack([r * np.cos(sign * t), r * np.sin(sign * t)], axis=1)
    return [_turned(points, rng)]


def _marks_inside(rng: np.random.Generator) -> list[np.ndarray]:
    """An oval or polygon with two to five small marks inside: dots, dashes,
    short arcs or little crosses, none touching the outline."""
    strokes = [_outline(rng, np.array([0.5, 0.5]), 0.45, rng.random() < 0.6)]
    for _ in range(int(rng.integers(2, 6))):
        centre = 0.5 + rng.uniform(-0.22, 0.22, 2)
        kind, size = rng.integers(4), rng.uniform(0.04, 0.1)
        if kind == 0:  # a dot: a tap of the pen
            strokes.append(centre[None, :])
        elif kind == 1:  # a dash
            a = rng.uniform(0, np.pi)
            d = size * np.array([np.cos(a), np.sin(a)])
            strokes.append(np.stack([centre - d, centre + d]))
        elif kind == 2:  # a short arc
            t = np.linspace(0, rng.uniform(1.5, 3.0), 8)[:, None] + rng.uniform(0, 2 * np.pi)
            strokes.append(centre + size * 1.5 * np.concatenate([np.cos(t), np.sin(t)], axis=1))
        else:  # a little cross
            strokes += [np.stack([centre - size, centre + size]), np.stack([centre + [size, -size], centre - [size, -size]])]
    turned = _turned(np.concatenate(strokes), rng)
    bounds = np.cumsum([len(s) for s in strokes])[:-1]
    return np.split(turned, bounds)


# The families a recipe draws from, by name (a recipe records the name, so the
# scribbles it trained on can be drawn again): "open", the six of open strokes
# the first pretrained model was trained with; "open+closed", those with the
# closed shapes no digit has and the random walks that come out straight
# drawn again.
FAMILIES = {
    "open": (_zigzag, _crossing_lines, _grid, _any_random_walk, _loops, _blob),
    "open+closed": (_zigzag, _crossing_lines, _grid, _random_walk, _loops, _blob, _closed_polygon, _nested, _spiral,
                    _marks_inside),
}
DEFAULT_FAMILIES = "open+closed"
KINDS = FAMILIES[DEFAULT_FAMILIES]


def scribbles(n: int, seed: int = 0, families: str = DEFAULT_FAMILIES) -> np.ndarray:
    """``n`` scribbles as flat uint8 28x28 images (MNIST's format), taking
    the ``families`` (a name in ``FAMILIES``) in turn. ValueError for an
    unknown name."""
    if families not in FAMILIES:
        raise ValueError(f"unknown scribble families {families!r}; choose one of {', '.join(FAMILIES)}")
    kinds = FAMILIES[families]
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 784), dtype=np.uint8)
    for i in range(n):
        image = render_strokes(kinds[i % len(kinds)](rng))
        if image is not None:
            out[i] = np.round(image * 255).astype(np.uint8)
    return out
