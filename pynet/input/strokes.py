"""A drawing as pen strokes -> the network's 28x28 input, the way MNIST was made.

MNIST's digits were scaled so the longer side of their ink fits a 20x20 box,
anti-aliased, and placed in 28x28 by their centre of mass. Scaling a *bitmap*
of a drawing does the same only if the pen was as thick, relative to the
digit, as MNIST's writers' pens: a digit drawn small with a fixed-width pen
becomes a blob. So the drawing is kept as its pointer path and rendered here,
with the stroke width a fixed share of the 20-px box. The input then does not
depend on how big the person drew, where, on what screen, or how fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SIDE = 28  # output image side
BOX = 20.0  # the ink's longer side, stroke included, as in MNIST
STROKE_WIDTH = 2.6  # in 28x28 pixels: MNIST's pen (calibrated on traced MNIST digits; see tests)
CENTRE = 14.0  # where MNIST's centres of mass sit (measured: mean 13.99, 14.00)
SAMPLE_SPACING = 0.75  # pixels between points of the smoothed path (finer changes no pixel by more than 1 %)
MAX_POINTS = 20_000  # a drawing, not an attack
MAX_STROKES = 500
MIN_EXTENT = 0.02  # a drawing smaller than this share of the canvas is a speck, not a digit
# A stray mark on the page (a tap, a slip of the pen, a small mark beside the
# digit) away from the digit: a stroke at most STRAY_SIZE of the rest of the
# drawing's extent, and at least STRAY_GAP of it away from the rest's box.
# Kept, it made the digit small and off-centre: on 1,000 traced held-out
# digits drawn on a 280-unit canvas, a dot anywhere outside the middle 70 %
# took right answers from 97.4 to 96.8 % and unsure ones from 3.0 to 7.5 % (a
# short tick: 96.3 and 7.8 %); with the page's rules, 97.2 and 3.5 % (the
# tick: 97.1 and 3.5 %; a mark within a pen's width of the digit looks joined
# and stays). Applied to the 5,000 held-out digits of each drawn set (with
# the underline rule), it changed 8-16 drawings (specks and broken pieces the
# tracers kept), each set's accuracy by -0.04 to +0.02 points, and no test
# mark's answer (STRAY_SIZE 0.15 changed 1-7, with the same accuracies; 0.25
# also takes out a check mark or a small second digit beside the digit, which
# a review found made a 1 or a 9 unsure). The page's drawings go through it
# (``pynet.browser.drawing_requests``); training's drawings and the measured sets do not, so
# the shipped model still reproduces bit for bit.
STRAY_SIZE = 0.25
STRAY_GAP = 0.1
MAX_STRAY_MARKS = 8
# The page's pen on screen, as a share of the canvas's width (web/page/draw.js
# INK_SHARE): marks whose centre lines are closer than this look joined to
# the digit, and are kept whatever the rules below say (a review: a 2's base
# drawn as a second stroke, joined on screen, was taken for an underline and
# the 2 read as a sure 7).
ON_SCREEN_PEN = 0.07
# An underline (people underline a 6 or a 9): kept, it made the digit small
# and read it as a 2 (a review: a 5, a 9 and an 8 underlined were unsure 2s
# and 3s). On the 50,000 held-out traced drawings (10 sets) it takes out 11
# lines, all of broken traces (a 2 whose diagonal the tracer lost, its base
# left below the rest): 7 were read right with the line, 1 without it.
UNDERLINE_FLATNESS = 0.3  # its height, at most this share of its width
UNDERLINE_WIDTH = 0.4  # its width, at least this share of the rest's width (or half height, under a 1)
UNDERLINE_GAP = 0.08  # below the rest by at least this share of the rest's height
UNDERLINE_END = 0.1  # the rest's lowest point lies over the line, not within this share of either end


def smooth(points: np.ndarray, spacing: float) -> np.ndarray:
    """A pen path through ``points`` ``(n, 2)``: quadratic curves from midpoint
    to midpoint with each point as control (what the page draws on screen),
    sampled about every ``spacing`` units, so sparse points of a fast stroke
    still give a round curve rather than a polygon."""
    if len(points) < 3:
        return points
    mids = (points[:-1] + points[1:]) / 2  # (n-1, 2)
    a, c, b = mids[:-1], points[1:-1], mids[1:]  # each curve: a -> b with control c
    length = np.hypot(*(c - a).T) + np.hypot(*(b - c).T)
    samples = np.maximum(1, np.ceil(length / spacing).astype(int))  # points per curve, its start excluded
    # All curves at once, by curve index and parameter t of every sample (a
    # Python loop with one linspace per curve cost 0.4 ms per drawing natively).
    curve = np.repeat(np.arange(len(a)), samples)
    first = np.cumsum(samples) - samples
    t = ((np.arange(len(curve)) - first[curve] + 1) / samples[curve])[:, None]
    path = (1 - t) ** 2 * a[curve] + 2 * (1 - t) * t * c[curve] + t**2 * b[curve]
    return np.concatenate([points[:1], mids[:1], path, points[-1:]])


def _segments(strokes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Start points and vectors of every segment; a single point is a
    zero-length segment (a dot)."""
    starts, vectors = [], []
    for s in strokes:
        if len(s) == 1:
            starts.append(s)
            vectors.append(np.zeros_like(s))
        else:
            starts.append(s[:-1])
            vectors.append(np.diff(s, axis=0))
    return np.concatenate(starts), np.concatenate(vectors)


def rasterize(strokes: list[np.ndarray], width: float, side: int = SIDE) -> np.ndarray:
    """Ink in [0, 1] at each pixel centre of a ``side`` x ``side`` grid (pixel
    ``(r, c)`` is centred at ``(c + 0.5, r + 0.5)``): 1 within half the pen
    width of the path, fading to 0 over one pixel (anti-aliasing).

    Segments are taken a run of 32 at a time, each run against only the pixels
    near it (consecutive segments of a path are close together): a whole 28x28
    grid against every segment cost 6x more (measured natively, 16 -> 2.5 ms
    for a scribble)."""
    starts, vectors = _segments(strokes)  # (S, 2) each, (x, y)
    ends = starts + vectors
    lengths2 = (vectors**2).sum(axis=1)
    inv_l2 = 1.0 / np.where(lengths2 > 0, lengths2, 1.0)
    reach = width / 2 + 1.0  # beyond this, no ink
    dist2 = np.full((side, side), np.inf)
    centres = np.arange(side) + 0.5
    for i in range(0, len(starts), 32):
        a, v, inv = starts[i : i + 32], vectors[i : i + 32], inv_l2[i : i + 32]
        lo = np.floor(np.minimum(a, ends[i : i + 32]).min(axis=0) - reach).clip(0, side).astype(int)
        hi = np.ceil(np.maximum(a, ends[i : i + 32]).max(axis=0) + reach).clip(0, side).astype(int)
        if (hi <= lo).any():
            continue
        # x and y apart rather than as a trailing axis of 2: NumPy's reductions
        # over a length-2 axis dominated (with the vectorised smooth above, a
        # scribble's whole render went from 5.0 to 0.9 ms natively, bit for bit
        # the same image).
        rx = centres[lo[0] : hi[0]][None, :, None] - a[:, 0]  # (1, w, s)
        ry = centres[lo[1] : hi[1]][:, None, None] - a[:, 1]  # (h, 1, s)
        t = np.clip((rx * v[:, 0] + ry * v[:, 1]) * inv, 0.0, 1.0)  # (h, w, s)
        d2 = ((rx - t * v[:, 0]) ** 2 + (ry - t * v[:, 1]) ** 2).min(axis=-1)  # (h, w)
        region = dist2[lo[1] : hi[1], lo[0] : hi[0]]
        np.minimum(region, d2, out=region)
    return np.clip(width / 2 + 0.5 - np.sqrt(dist2), 0.0, 1.0).astype(np.float32)


def check_strokes(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Finite ``(n, 2)`` point arrays, within bounds; ValueError otherwise."""
    if len(strokes) > MAX_STROKES:
        raise ValueError(f"too many strokes ({len(strokes)}; at most {MAX_STROKES})")
    out = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    if sum(len(s) for s in out) > MAX_POINTS:
        raise ValueError(f"too many points (at most {MAX_POINTS:,})")
    if any(len(s) == 0 for s in out) or not all(np.isfinite(s).all() for s in out):
        raise ValueError("every stroke needs at least one finite point")
    return out


def _boxes(strokes: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Each stroke's box ``lo``, ``hi`` ``(n, 2)``, and the box of all the
    other strokes beside each (``rest_lo``, ``rest_hi``), from running minima
    and maxima on either side: no stroke's points are gathered twice."""
    lo = np.array([s.min(axis=0) for s in strokes])
    hi = np.array([s.max(axis=0) for s in strokes])
    inf = np.full((1, 2), np.inf)
    rest_lo = np.minimum(np.vstack([inf, np.minimum.accumulate(lo)[:-1]]),
                         np.vstack([np.minimum.accumulate(lo[::-1])[::-1][1:], inf]))
    rest_hi = np.maximum(np.vstack([-inf, np.maximum.accumulate(hi)[:-1]]),
                         np.vstack([np.maximum.accumulate(hi[::-1])[::-1][1:], -inf]))
    return lo, hi, rest_lo, rest_hi


def drop_stray_marks(strokes: Sequence[np.ndarray], min_gap: float = 0.0) -> list[np.ndarray]:
    """The strokes without small marks lying away from the rest of the
    drawing (``STRAY_SIZE``, ``STRAY_GAP``, and at least ``min_gap`` units),
    the one farthest away first, at most ``MAX_STRAY_MARKS``. Marks within
    the drawing's box (a smiley's eyes, a dotted or dashed digit's pieces)
    are kept."""
    kept = list(strokes)
    for _ in range(MAX_STRAY_MARKS):
        if len(kept) < 2:
            break
        lo, hi, rest_lo, rest_hi = _boxes(kept)
        rest = (rest_hi - rest_lo).max(axis=1)
        own = (hi - lo).max(axis=1)
        gap = np.hypot(*np.maximum(np.maximum(rest_lo - hi, lo - rest_hi), 0).T)
        stray = (rest > 0) & (own <= STRAY_SIZE * rest) & (gap >= np.maximum(STRAY_GAP * rest, min_gap))
        if not stray.any():
            break
        del kept[int(np.argmax(np.where(stray, gap / np.where(rest > 0, rest, 1), -1)))]
    return kept


def drop_underline(strokes: Sequence[np.ndarray], min_gap: float = 0.0) -> list[np.ndarray]:
    """The strokes without an underline: one nearly straight, nearly flat
    stroke (``UNDERLINE_FLATNESS``) at least ``UNDERLINE_WIDTH`` of the
    rest's width (of half its height, under a narrow digit), wholly below the
    rest with a gap of at least ``UNDERLINE_GAP`` of the rest's height (and
    ``min_gap`` units: the page passes its pen's width, ``ON_SCREEN_PEN``), and
    under the rest's lowest point (``UNDERLINE_END``). People underline a 6
    or a 9 to tell them apart; a 2's or a 1's base touches the digit and
    stays, and so does a 2's base drawn apart (the 2 ends above its end)."""
    if len(strokes) < 2:
        return list(strokes)
    lo, hi, rest_lo, rest_hi = _boxes(strokes)
    size, rest_size = hi - lo, rest_hi - rest_lo  # (n, 2): width, height
    candidates = ((size[:, 0] > 0) & (size[:, 1] <= UNDERLINE_FLATNESS * size[:, 0])
                  & (rest_size[:, 1] > 0)
                  & (lo[:, 1] >= rest_hi[:, 1] + np.maximum(UNDERLINE_GAP * rest_size[:, 1], min_gap))
                  & (size[:, 0] >= UNDERLINE_WIDTH * np.maximum(rest_size[:, 0], rest_size[:, 1] / 2)))
    for i in np.flatnonzero(candidates):  # at most one stroke can lie below all the others
        s = strokes[i]
        if np.hypot(*np.diff(s, axis=0).T).sum() > 1.25 * np.hypot(*size[i]):
            continue  # not straight: a stroke that turns back is part of a digit
        rest = [t for j, t in enumerate(strokes) if j != i]
        lowest = max(rest, key=lambda t: t[:, 1].max())  # the stroke that reaches lowest
        lowest_x = lowest[np.argmax(lowest[:, 1]), 0]
        if lo[i, 0] + UNDERLINE_END * size[i, 0] <= lowest_x <= hi[i, 0] - UNDERLINE_END * size[i, 0]:
            return rest
    return list(strokes)


def render_strokes(
    strokes: Sequence[np.ndarray], canvas_size: float | None = None, width: float = STROKE_WIDTH
) -> np.ndarray | None:
    """Strokes (lists of ``(x, y)`` points in any unit, y down) -> the ``(784,)``
    float32 MNIST-style input, or None when nothing (or only a speck, under
    ``MIN_EXTENT`` of ``canvas_size``) is drawn."""
    strokes = check_strokes(strokes)
    if not strokes:
        return None
    points = np.concatenate(strokes)
    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = float((hi - lo).max())
    if extent == 0 or (canvas_size and extent < MIN_EXTENT * canvas_size):
        return None
    # The path, scaled so the ink (the path plus half a pen width on each side)
    # spans BOX pixels along its longer side, then smoothed.
    scale = (BOX - width) / extent
    scaled = [smooth((s - lo) * scale, SAMPLE_SPACING) for s in strokes]
    # Centre of mass to the field's centre. Moving the path moves the image
    # exactly, so render once to find the centre of mass, then once in place.
    first = rasterize([s + (SIDE - BOX) / 2 for s in scaled], width)
    total = first.sum()
    rows, cols = np.indices(first.shape)
    com = np.array([(cols * first).sum() / total, (rows * first).sum() / total])  # (x, y), in pixel indices
    shift = (SIDE - BOX) / 2 + (CENTRE - com)
    return rasterize([s + shift for s in scaled], width).reshape(-1)
