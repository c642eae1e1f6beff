"""Lines through the whole picture found on the centre lines of a
picture's ink (``skeleton.thin``): a straight line or a zig-zag crossing or
underlining a digit, drawn from edge to edge.

The centre lines are taken as a graph -- junctions (where three or more
runs of the centre line meet: pixels with three or more neighbours once the
corners of the centre line's staircases are taken out, with the centre line
as far round them as the ink is deep, plus ``JUNCTION_REACH`` pixels; a
piece between two junctions no longer than the ink there is deep makes them
one) joined by the pieces of centre line between them. A line is

- two pieces from the picture's edge on one straight line (within
  ``PAIR_TURN`` degrees and ``PAIR_OFFSET`` pixels of each other), whatever
  the digit's strokes make of the centre line where it crosses them; or
- what a walk from a piece's end at the edge finds, through the junctions,
  at each trying first the piece that goes on most nearly straight (or
  along the line's general heading, or mirrored about it: a zig-zag's next
  tooth), never turning by more than ``MAX_TURN``, to the edge again (a
  line crossing a digit's stroke meets it at a junction and goes on beyond
  it; the digit's stroke turns away, or ends).

Its strip is where its pieces outside the digit lie, fitted by a straight
line: their distance from it plus the ink's depth there (the pen's half
width), and the distance of their ink, ``STRIP_PERCENTILE``, plus
``BAND_MARGIN``: a zig-zag's strip holds its teeth. A line needing a strip over ``MAX_STRIP`` of the picture's
shorter side, or whose straight pieces turn away from its direction
(``ARM_TURN``), is none.

Pure NumPy, with a little Python per junction: it runs in the browser too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .components import MAX_DEPTH, Components, grow, label
from .skeleton import prune_spurs, thin, without_stairs

SPUR_DEPTHS = 2.0  # spurs up to this many times the centre line's depth (plus a pixel) are thinning's, at corners
JUNCTION_REACH = 2  # pixels: junction pixels this close together are one junction
MAX_TURN = 40.0  # degrees: a line goes on through a junction within this of straight (or of mirrored)
DIRECTION_SKIP, DIRECTION_REACH = 4, 14  # pixels of a piece (this far from its end) giving its direction there
BAND_MARGIN = 1.5  # pixels beyond the line's half width that go with it (soft edges, JPEG)
STRIP_PERCENTILE = 98  # of the line's centre pixels' distances from its straight fit plus depth: the strip
ARM_STRAIGHTNESS, ARM_TURN = 4.0, 20.0  # a piece outside the digit this straight keeps within this (degrees) of the line
PAIR_TURN, PAIR_OFFSET = 8.0, 3.0  # degrees, pixels: two pieces this well aligned are one straight line
MAX_STRIP = 0.2  # of the picture's shorter side: a line needing a strip half this wide is none to take out
MAX_WALK = 200  # pieces a walk may try in all (a guard: a walk never revisits a piece)


@dataclass(frozen=True)
class Strip:
    """A line's strip: the pixels ``p`` (row, col) with
    ``|(p - through) @ normal| <= reach`` (``through``, ``normal`` ``(2,)``),
    and where the line meets the picture's edge, ``ends`` ``(n, 2)``; for a
    line found by a walk, ``path``: the pixels ``(H, W)`` bool within its
    pen's half width (plus ``BAND_MARGIN``) of its centre line, all along --
    through the digit too, so a stroke in the strip but off the line (a 9's
    loop above a zig-zag's teeth) stays."""

    through: np.ndarray
    normal: np.ndarray
    reach: float
    ends: np.ndarray
    path: np.ndarray | None = None


def through_lines(candidates: np.ndarray, deep: np.ndarray) -> list[Strip]:
    """The strips of the lines through the whole picture among the ink
    ``candidates`` ``(H, W)`` (components reaching two of its sides), given
    every ink pixel's ``depth`` ``deep`` (module description)."""
    graph = _centre_lines(candidates, deep)
    if graph is None:
        return []
    near_junction = grow(graph.nodes > 0, int(deep.max()) + JUNCTION_REACH)
    found = _straight_pairs(graph, near_junction)
    used = {p for path in found for p in path}
    for e in range(graph.count):
        for start, _ in graph.edge_ends[e]:
            if e in used:
                continue
            path = graph.walk(e, start)
            if path is not None:
                found.append(path)
                used.update(path)
    pieces = label(candidates & ~near_junction)
    strips = [_strip(graph, path, pieces, near_junction, deep) for path in found]
    return [s for s in strips if s is not None]


def _centre_lines(candidates: np.ndarray, deep: np.ndarray) -> _Graph | None:
    """The graph of the centre lines of ``candidates`` ``(H, W)``, thinned
    with the picture's edge pixels repeated outwards so that a line's centre
    line runs to the edge (Zhang-Suen thinning shortens a line's end by about
    its width: by twice the depth of the ink near the edge -- at the edge
    itself it is cut short), spurs pruned but for those running beyond the
    edge (a line's end near a zig-zag's last corner); None when empty."""
    near_edge = np.ones_like(candidates)
    near_edge[MAX_DEPTH:-MAX_DEPTH, MAX_DEPTH:-MAX_DEPTH] = False
    rim = deep[candidates & near_edge]
    pad = int(min(2 * MAX_DEPTH, 2 * (rim.max() if len(rim) else 1) + 2))
    skeleton = without_stairs(thin(np.pad(candidates, pad, mode="edge")))
    inside = skeleton[pad:-pad, pad:-pad]
    if not inside.any():
        return None
    pruned = prune_spurs(skeleton, SPUR_DEPTHS * float(np.median(deep[inside])) + 1)
    cut = label(skeleton & ~pruned)
    beyond = np.ones_like(skeleton)
    beyond[pad:-pad, pad:-pad] = False
    pruned |= np.isin(cut.labels, np.unique(cut.labels[beyond & (cut.labels > 0)]))
    return _Graph(pruned[pad:-pad, pad:-pad], deep)


def _strip(graph: _Graph, path: list[int], pieces: Components, near_junction: np.ndarray, deep: np.ndarray
           ) -> Strip | None:
    """The strip of the line made of ``path``'s pieces (module description),
    or None when it is none: too wide a strip, or pieces turning away.
    ``pieces``: the components of the candidates' ink away from the
    junctions (``near_junction``)."""
    h, w = near_junction.shape
    arms = [p for p in path if graph.edge_ends[p]]
    arm_pixels = np.concatenate([graph.pixels[p] for p in arms])
    through = arm_pixels.mean(axis=0)
    normal = _normal(arm_pixels - through)
    along = np.array([normal[1], -normal[0]])
    # Away from the junctions, where the digit's ink is deeper: the centre line's distance from the
    # fit plus the ink's depth there, and the ink of the pieces alongside (the teeth of a dense
    # zig-zag merge into one band, deep round a straight centre line) -- not the digit's ink joined to them.
    far = arm_pixels[~near_junction[arm_pixels[:, 0], arm_pixels[:, 1]]]
    far = far if len(far) else arm_pixels
    spread = [np.abs((far - through) @ normal) + deep[far[:, 0], far[:, 1]]]
    own = np.unique(pieces.labels[far[:, 0], far[:, 1]])
    ink = np.argwhere(np.isin(pieces.labels, own[own > 0]))
    t = (ink - through) @ along
    for p in arms:
        mine = graph.pixels[p][~near_junction[graph.pixels[p][:, 0], graph.pixels[p][:, 1]]]
        if len(mine):
            span = (mine - through) @ along
            spread.append(np.abs((ink[(t >= span.min()) & (t <= span.max())] - through) @ normal))
    reach = float(np.percentile(np.concatenate(spread), STRIP_PERCENTILE)) + BAND_MARGIN
    if reach > MAX_STRIP * min(h, w) or not _arms_agree(graph, arms, near_junction, normal):
        return None  # not a line, or one too wavy to take out
    ends = np.array([at for p in arms for at, _ in graph.edge_ends[p]]
                    + [graph.node_at_edge[n] for p in path for n, _, _ in graph.ends[p] if n in graph.node_at_edge])
    on_path = None
    if len(path) != 2:  # walked (a straight pair is two pieces with the digit between them)
        centre = np.isin(graph.edges, np.array(path) + 1)
        centre |= np.isin(graph.nodes, [n for p in path for n, _, _ in graph.ends[p]]) & graph.skeleton
        on_path = grow(centre, float(np.percentile(deep[far[:, 0], far[:, 1]], STRIP_PERCENTILE)) + BAND_MARGIN)
    return Strip(through, normal, reach, ends, on_path)


def _neighbour_stack(mask: np.ndarray) -> np.ndarray:
    """``(8, H, W)``: each pixel's 8 neighbours, north then clockwise (outside: False)."""
    p = np.pad(mask, 1)
    h, w = mask.shape
    offsets = ((0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0), (0, 0))
    return np.stack([p[dy : dy + h, dx : dx + w] for dy, dx in offsets])


def _root(parent: np.ndarray, i: int) -> int:
    """The root of ``i`` in a union-find ``parent`` array (paths halved on the way)."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return int(i)


class _Graph:
    """The centre lines as junctions (``nodes``, labels ``(H, W)``) and the
    pieces between them (``edges``), with where each piece meets each
    junction and the picture's edge, and its direction there."""

    def __init__(self, skeleton: np.ndarray, deep: np.ndarray) -> None:
        h, w = skeleton.shape
        junction = skeleton & (_neighbour_stack(skeleton).sum(axis=0) >= 3)
        # A junction reaches as far as the ink around it is deep (plus JUNCTION_REACH): where a line
        # crosses a thick stroke, thinning leaves two junctions a stroke's width apart, one crossing.
        reach = np.where(junction, deep, 0)
        node_area = np.zeros_like(junction)
        for r in range(int(reach.max()), -1, -1):
            node_area = grow(node_area, 1) | (reach > r) if r else node_area | junction
        node_area = grow(node_area, JUNCTION_REACH)
        blobs = label(node_area)
        self.nodes = blobs.labels  # junctions whose reaches touch are one
        self.skeleton = skeleton
        edge = np.zeros((h, w), bool)
        edge[0], edge[-1], edge[:, 0], edge[:, -1] = True, True, True, True
        self.node_at_edge: dict[int, np.ndarray] = {}  # junction -> where it meets the picture's edge
        for n in np.flatnonzero(blobs.touches_border) + 1:
            t, lft, b, r = blobs.boxes[n - 1]
            ys, xs = np.nonzero((blobs.labels[t:b, lft:r] == n) & edge[t:b, lft:r])
            self.node_at_edge[int(n)] = np.array([ys.mean() + t, xs.mean() + lft])
        edges = label(skeleton & ~node_area)
        self.edges = edges.labels
        self.count = edges.count
        ys, xs = np.nonzero(self.edges)
        order = np.argsort(self.edges[ys, xs], kind="stable")
        ys, xs = ys[order], xs[order]
        starts = np.searchsorted(self.edges[ys, xs], np.arange(1, self.count + 2))
        self.pixels = [np.stack([ys[starts[i] : starts[i + 1]], xs[starts[i] : starts[i + 1]]], axis=1)
                       for i in range(self.count)]  # (n, 2) (row, col) of each piece
        # Where pieces touch junctions: (piece, junction) pairs and the piece's pixels beside them.
        pn = np.pad(self.nodes, 1)
        pieces, nodes, where = [], [], []
        for dy, dx in ((0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0), (0, 0)):
            beside = pn[dy : dy + h, dx : dx + w]
            hit = (self.edges > 0) & (beside > 0)
            pieces.append(self.edges[hit])
            nodes.append(beside[hit])
            where.append(np.argwhere(hit))
        pairs = np.stack([np.concatenate(pieces), np.concatenate(nodes)], axis=1)
        where_all = np.concatenate(where).astype(np.float64)
        # A piece no longer than the ink round it is deep joins its two junctions into one: the
        # crossing of a line and a stroke, or a zig-zag's tooth inside a stroke.
        unique = np.unique(pairs, axis=0)
        merged = np.arange(self.nodes.max() + 1)
        per_piece = np.bincount(unique[:, 0], minlength=self.count + 1)
        for e in np.flatnonzero(per_piece == 2):
            px = self.pixels[e - 1]
            if len(px) <= 2 * int(deep[px[:, 0], px[:, 1]].max()) + JUNCTION_REACH:
                a, b = (_root(merged, int(t)) for t in unique[unique[:, 0] == e, 1])
                merged[max(a, b)] = min(a, b)
                self.pixels[e - 1] = px[:0]  # the piece is part of the junction now
        roots = np.array([_root(merged, i) for i in range(len(merged))])
        self.nodes = roots[self.nodes]
        pairs[:, 1] = roots[pairs[:, 1]]
        unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        counts = np.bincount(inverse, minlength=len(unique))
        at_rows = np.bincount(inverse, weights=where_all[:, 0]) / counts
        at_cols = np.bincount(inverse, weights=where_all[:, 1]) / counts
        self.ends: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {i: [] for i in range(self.count)}
        self.at_node: dict[int, list[tuple[int, np.ndarray]]] = {}
        for (e, n), y, x in zip(unique.tolist(), at_rows, at_cols):
            if not len(self.pixels[e - 1]):
                continue
            at = np.array([y, x])
            direction = self._direction(e - 1, at)
            self.ends[e - 1].append((n, at, direction))
            self.at_node.setdefault(n, []).append((e - 1, direction))
        # Ends at the picture's edge: the centre line's pixels in its outermost rows and columns
        # (``remove_lines`` thins the mask with its edge pixels repeated outwards, so a line's
        # centre line runs right to the edge), one end per run of them.
        border = np.zeros((h, w), bool)
        border[0], border[-1], border[:, 0], border[:, -1] = True, True, True, True
        runs = label(skeleton & border & (self.edges > 0))
        self.edge_ends: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {i: [] for i in range(self.count)}
        for r in range(runs.count):
            t, lft, b, rt = runs.boxes[r]
            y, x = np.nonzero(runs.labels[t:b, lft:rt] == r + 1)
            at = np.array([y.mean() + t, x.mean() + lft])
            e = int(self.edges[int(y[0]) + t, int(x[0]) + lft]) - 1
            if not len(self.pixels[e]):
                continue  # a piece taken into a junction: the junction reaches the edge
            self.edge_ends[e].append((at, self._direction(e, at)))

    def _direction(self, e: int, at: np.ndarray) -> np.ndarray:
        """Unit direction from ``at`` into piece ``e``: towards its pixels
        ``DIRECTION_SKIP`` to ``DIRECTION_REACH`` pixels away (past the bend a
        thick stroke's junction puts in a centre line), or its farthest."""
        pts = self.pixels[e]
        away = np.abs(pts - at).max(axis=1)
        near = pts[(away >= DIRECTION_SKIP) & (away <= DIRECTION_REACH)]
        v = (near.mean(axis=0) if len(near) else pts[np.argmax(away)]) - at
        n = float(np.hypot(*v))
        return v / n if n > 0 else v

    def walk(self, e: int, start: np.ndarray) -> list[int] | None:
        """The pieces of a line entering at piece ``e``'s end ``start`` (at the
        picture's edge), through junctions, to another end at the edge; None
        when every way stops first (module description). Depth first: at a
        junction the best-aligned piece is tried first, then the others
        within ``MAX_TURN`` (a digit's stroke can go on as straight as the
        line, and end), at most ``MAX_WALK`` pieces tried in all."""
        budget = [MAX_WALK]
        return self._go([e], None, start, budget)

    def _go(self, path: list[int], came_from: int | None, start: np.ndarray, budget: list[int]) -> list[int] | None:
        e = path[-1]
        if any(len(path) > 1 or np.abs(at - start).max() > DIRECTION_REACH for at, _ in self.edge_ends[e]):
            return path  # out at the picture's edge again
        onward = [(n, at, d) for n, at, d in self.ends[e] if n != came_from]
        if not onward:
            return None
        node, at, out = onward[0]
        d_in = -out  # arriving at the junction along piece e
        heading = at - start
        norm = float(np.hypot(*heading))
        heading = heading / norm if norm > 0 else d_in
        mirrored = 2 * float(d_in @ heading) * heading - d_in  # a zig-zag's next tooth
        limit = float(np.cos(np.radians(MAX_TURN)))
        scored = sorted(((max(float(d @ d_in), float(d @ heading), float(d @ mirrored)), c)
                         for c, d in self.at_node.get(node, []) if c not in path), reverse=True)
        for score, c in scored:
            if score < limit or budget[0] <= 0:
                break
            budget[0] -= 1
            found = self._go(path + [c], node, start, budget)
            if found is not None:
                return found
        return path if node in self.node_at_edge and len(path) > 1 else None  # out through the junction


def _straight(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(mean, normal)`` of the straight line through ``pts`` ``(n, 2)`` when they
    lie along one (``ARM_STRAIGHTNESS`` times longer than they stray from it)."""
    if len(pts) < 2 * DIRECTION_REACH:
        return None
    mean = pts.mean(axis=0)
    normal = _normal(pts - mean)
    extent = float(np.ptp((pts - mean) @ np.array([normal[1], -normal[0]])))
    strays = float(np.percentile(np.abs((pts - mean) @ normal), STRIP_PERCENTILE))
    return (mean, normal) if extent >= ARM_STRAIGHTNESS * (strays + 1) else None


def _straight_pairs(graph: _Graph, near_junction: np.ndarray) -> list[list[int]]:
    """Straight lines through the picture: a piece from edge to edge, or two
    pieces from the edge into the digit on one straight line (within
    ``PAIR_TURN`` of each other's direction and ``PAIR_OFFSET`` pixels of
    each other's line) -- whatever the digit's strokes make of the centre
    line where the line crosses them."""
    found, fits = [], {}
    for e in range(graph.count):
        if not graph.edge_ends[e]:
            continue
        if len(graph.edge_ends[e]) >= 2 and not graph.ends[e]:
            found.append([e])  # alone from edge to edge
            continue
        pts = graph.pixels[e]
        fit = _straight(pts[~near_junction[pts[:, 0], pts[:, 1]]])
        if fit is not None:
            fits[e] = fit
    arms = sorted(fits)
    taken: set[int] = set()
    for i, a in enumerate(arms):
        for b in arms[i + 1 :]:
            if a in taken or b in taken:
                continue
            (ma, na), (mb, nb) = fits[a], fits[b]
            if abs(float(na @ nb)) < np.cos(np.radians(PAIR_TURN)):
                continue
            if abs(float((mb - ma) @ na)) > PAIR_OFFSET or abs(float((ma - mb) @ nb)) > PAIR_OFFSET:
                continue
            found.append([a, b])
            taken.update((a, b))
    return found


def _arms_agree(graph: _Graph, arms: list[int], near_junction: np.ndarray, normal: np.ndarray) -> bool:
    """Whether each of a line's pieces outside the digit long enough to have
    a direction of its own (``ARM_STRAIGHTNESS`` times longer than it
    strays from its own straight fit) runs within ``ARM_TURN`` of the whole
    line's direction (``normal``'s normal): a walk that turned into a
    digit's stroke and out along another line is no line."""
    for arm in arms:
        pts = graph.pixels[arm]
        pts = pts[~near_junction[pts[:, 0], pts[:, 1]]]
        if len(pts) < 2 * DIRECTION_REACH:
            continue
        centred = pts - pts.mean(axis=0)
        own = _normal(centred)
        along = np.array([own[1], -own[0]])
        extent = float(np.ptp(centred @ along))
        strays = float(np.percentile(np.abs(centred @ own), STRIP_PERCENTILE))
        if extent >= ARM_STRAIGHTNESS * (strays + 1) and abs(float(along @ normal)) > np.sin(np.radians(ARM_TURN)):
            return False
    return True


def _normal(points: np.ndarray) -> np.ndarray:
    """The unit normal ``(2,)`` (row, col) of the straight line best through
    ``points`` ``(n, 2)`` centred on their mean: their minor principal axis."""
    _, _, vectors = np.linalg.svd(points.astype(np.float64), full_matrices=False)
    along = vectors[0]
    return np.array([-along[1], along[0]])
