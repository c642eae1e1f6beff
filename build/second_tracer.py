"""A second, independent way to turn a bitmap digit into pen strokes, for the
measurement only (the shipped model never trains on its output).

``pynet.input.skeleton`` thins with Zhang and Suen's algorithm and walks the lines
as long strokes that go straight on through junctions. Training varies that
tracer (threshold, spurs, points), but the model could still learn its
quirks, and numbers measured with the same tracer would flatter it. This one
shares nothing with it:

- a different threshold (128 of 255);
- scikit-image's ``skeletonize`` with Lee, Kashyap and Chu's method
  ("Building skeleton models via 3-D medial surface/axis thinning
  algorithms", 1994), not Zhang-Suen;
- a different walk: the skeleton as a graph, one stroke per edge between
  junctions and ends (so a stroke stops at every junction), closed loops as
  closed strokes, branches of under 3 pixels ending in nothing dropped;
- each stroke simplified with Ramer-Douglas-Peucker (0.6 px), so points are
  sparse, as a fast pointer records them.

Points are ``(x, y)`` in the unit square of the digit's own box, y down, as
``pynet.input.skeleton.image_strokes`` gives them.
"""

from __future__ import annotations

import numpy as np

THRESHOLD = 128
MIN_SPUR = 3  # pixels
EPSILON = 0.6  # pixels, Ramer-Douglas-Peucker tolerance

_STEPS = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]


def _graph(skeleton: np.ndarray) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """8-connected pixel graph without the diagonal shortcuts that sit beside
    a 4-connected path (they would make triangles at every corner)."""
    pixels = {(int(r), int(c)) for r, c in zip(*np.nonzero(skeleton))}
    graph = {}
    for r, c in pixels:
        near = []
        for dr, dc in _STEPS:
            q = (r + dr, c + dc)
            if q not in pixels:
                continue
            if dr and dc and ((r + dr, c) in pixels or (r, c + dc) in pixels):
                continue  # reachable through a 4-neighbour
            near.append(q)
        graph[(r, c)] = near
    return graph


def _edges(graph: dict) -> list[list[tuple[int, int]]]:
    """Every edge of the graph between nodes (degree other than 2) as a pixel
    path; then what is left, cycles with no node, as closed paths."""
    nodes = {p for p, n in graph.items() if len(n) != 2}
    seen: set[frozenset] = set()
    paths = []
    for start in sorted(nodes):
        for first in graph[start]:
            if frozenset((start, first)) in seen:
                continue
            path, prev, here = [start, first], start, first
            seen.add(frozenset((start, first)))
            while here not in nodes:
                nxt = next((q for q in graph[here] if q != prev), None)
                if nxt is None or frozenset((here, nxt)) in seen:
                    break
                seen.add(frozenset((here, nxt)))
                path.append(nxt)
                prev, here = here, nxt
            paths.append(path)
    for start in sorted(graph):  # cycles: every pixel of degree 2
        for first in graph[start]:
            if frozenset((start, first)) in seen:
                continue
            path, prev, here = [start, first], start, first
            seen.add(frozenset((start, first)))
            while True:
                nxt = next((q for q in graph[here] if q != prev and frozenset((here, q)) not in seen), None)
                if nxt is None:
                    break
                seen.add(frozenset((here, nxt)))
                path.append(nxt)
                prev, here = here, nxt
            paths.append(path)
    return paths


def _simplify(points: np.ndarray, epsilon: float) -> np.ndarray:
    """Ramer-Douglas-Peucker: the fewest points within ``epsilon`` of the path."""
    if len(points) < 3:
        return points
    a, b = points[0], points[-1]
    ab = b - a
    norm = np.hypot(*ab)
    rel = points - a
    dist = np.abs(ab[0] * rel[:, 1] - ab[1] * rel[:, 0]) / norm if norm > 0 else np.hypot(*rel.T)
    i = int(dist.argmax())
    if dist[i] <= epsilon:
        return np.stack([a, b])
    return np.vstack([_simplify(points[: i + 1], epsilon)[:-1], _simplify(points[i:], epsilon)])


def trace_strokes(image: np.ndarray) -> list[np.ndarray]:
    """A grey 28x28 (or flat 784) uint8 digit, ink high, as strokes."""
    from skimage.morphology import skeletonize

    image = np.asarray(image).reshape(28, 28)
    ink = image >= THRESHOLD
    if not ink.any():
        ink = image > 0
    graph = _graph(skeletonize(ink, method="lee"))
    paths = _edges(graph)
    degree = {p: len(n) for p, n in graph.items()}
    kept = [p for p in paths if len(p) >= MIN_SPUR or (degree[p[0]] != 1 and degree[p[-1]] != 1)] or paths
    if not kept:  # a single pixel
        kept = [[next(iter(graph))]] if graph else [[(14, 14)]]
    strokes = [_simplify(np.array([(c, r) for r, c in p], dtype=float), EPSILON) for p in kept]
    points = np.concatenate(strokes)
    lo, size = points.min(axis=0), max(float(np.ptp(points, axis=0).max()), 1.0)
    return [(s - lo) / size for s in strokes]
