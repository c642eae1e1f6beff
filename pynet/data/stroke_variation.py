"""The variation people's hands bring, applied to pen strokes before they are
rendered (``strokes.render_strokes``), so the shipped model learns the page's
own input from many hands rather than one tracer's.

Each draw is keyed by a ``numpy.random.Generator`` the caller seeds (by data
set, index and copy), so the same seed gives the same strokes on every run.

What varies, in the order applied (points are ``(x, y)``, y down, in any unit;
sizes below are shares of the drawing's longer side):

- slant (a horizontal shear), rotation and aspect (narrow and wide digits);
- elastic distortion of the path: a smooth random displacement field, in the
  spirit of Simard, Steinkraus and Platt, "Best practices for convolutional
  neural networks applied to visual document analysis", ICDAR 2003 (they
  smooth a random field over the bitmap; a sum of a few random low-frequency
  waves is the same kind of field, evaluated at the path's points);
- small gaps (a stroke lifted and put down again), overshoots past a stroke's
  end, and strokes split where the hand might have lifted;
- uneven point spacing and density (pointer events come faster or slower than
  the pen moves), and a little tremor.

Stroke order and direction are not varied: the renderer draws the same image
for strokes in any order or direction (``tests/test_stroke_variation.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StrokeVariation:
    """How much each kind of variation may move a drawing (ranges are drawn uniformly)."""

    max_rotation: float = 22.0  # degrees, either way
    max_slant: float = 0.45  # horizontal shear x += slant * (centre_y - y); 0.45 ~ 24 degrees
    min_aspect: float = 0.5  # width factor, drawn log-uniformly in [min, max]
    max_aspect: float = 1.6
    p_affine: float = 0.85  # share of drawings that are slanted, rotated and stretched at all
    elastic: float = 0.035  # displacement amplitude of the field (share of the longer side)
    waves: int = 4  # random waves summed per axis of the field
    p_gap: float = 0.15  # per stroke
    gap: tuple[float, float] = (0.02, 0.06)
    p_overshoot: float = 0.2  # per stroke end
    overshoot: tuple[float, float] = (0.02, 0.08)
    p_split: float = 0.15  # per stroke: lifted and put down at the same place
    spacing: tuple[float, float] = (0.012, 0.07)  # mean distance between the recorded points
    tremor: float = 0.003  # per-point noise (standard deviation)


DEFAULT = StrokeVariation()


def _extent(points: np.ndarray) -> tuple[np.ndarray, float]:
    lo, hi = points.min(axis=0), points.max(axis=0)
    return (lo + hi) / 2, float(max((hi - lo).max(), 1e-9))


def affine(strokes: list[np.ndarray], rotation: float, slant: float, aspect: float) -> list[np.ndarray]:
    """Strokes slanted (shear factor), rotated (degrees, clockwise on screen)
    and stretched horizontally by ``aspect``, about the drawing's centre."""
    centre, _ = _extent(np.concatenate(strokes))
    a = np.deg2rad(rotation)
    rotate = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    shear = np.array([[1.0, -slant], [0.0, 1.0]])  # y down: a positive slant leans the top right
    stretch = np.diag([aspect, 1.0])
    m = rotate @ stretch @ shear
    return [(s - centre) @ m.T + centre for s in strokes]


def elastic(strokes: list[np.ndarray], rng: np.random.Generator, amplitude: float, waves: int) -> list[np.ndarray]:
    """Every point moved by one smooth random field: ``waves`` sinusoids per
    axis, 0.4-1.4 cycles across the drawing, in random directions and phases,
    of combined standard deviation ``amplitude`` x the longer side."""
    centre, size = _extent(np.concatenate(strokes))
    directions = rng.uniform(0, 2 * np.pi, (2, waves))
    freq = rng.uniform(0.4, 1.4, (2, waves)) * 2 * np.pi / size
    k = np.stack([np.cos(directions), np.sin(directions)], axis=-1) * freq[..., None]  # (2, waves, 2)
    phase = rng.uniform(0, 2 * np.pi, (2, waves))
    weight = amplitude * size * np.sqrt(2.0 / waves)  # sin's variance is 1/2
    out = []
    for s in strokes:
        arg = np.einsum("pd,awd->paw", s - centre, k) + phase  # (points, axis, waves)
        out.append(s + weight * np.sin(arg).sum(axis=-1))
    return out


def _arc_lengths(s: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(s, axis=0).T))])


def _at(s: np.ndarray, arc: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Points at arc lengths ``where`` along polyline ``s``."""
    return np.stack([np.interp(where, arc, s[:, 0]), np.interp(where, arc, s[:, 1])], axis=1)


def lift_and_overshoot(strokes: list[np.ndarray], rng: np.random.Generator, v: StrokeVariation,
                       size: float) -> list[np.ndarray]:
    """Overshoots past stroke ends (along the end's direction), small gaps and
    splits (a stroke cut in two, with or without a piece missing)."""
    out = []
    for s in strokes:
        if len(s) >= 2:
            for end in (0, -1):
                if rng.random() < v.p_overshoot:
                    inner = s[1] if end == 0 else s[-2]
                    direction = s[end] - inner
                    norm = np.hypot(*direction)
                    if norm > 0:
                        extra = s[end] + direction / norm * rng.uniform(*v.overshoot) * size
                        s = np.vstack([extra[None], s]) if end == 0 else np.vstack([s, extra[None]])
        arc = _arc_lengths(s)
        length = arc[-1]
        cut = rng.random()
        gap = rng.uniform(*v.gap) * size if cut < v.p_gap else 0.0 if cut < v.p_gap + v.p_split else None
        if gap is None or length < 4 * max(gap, 0.05 * size):
            out.append(s)
            continue
        at = rng.uniform(0.25, 0.75) * length
        before, after = arc < at - gap / 2, arc > at + gap / 2
        out.append(np.vstack([s[before], _at(s, arc, np.array([at - gap / 2]))]))
        out.append(np.vstack([_at(s, arc, np.array([at + gap / 2])), s[after]]))
    return out


def resample(s: np.ndarray, rng: np.random.Generator, mean_spacing: float) -> np.ndarray:
    """The polyline as a pointer would record it: points about
    ``mean_spacing`` apart, each gap varied (log-normally, sigma 0.5), both
    ends kept. Corners between recorded points get cut, as on a real screen."""
    arc = _arc_lengths(s)
    length = arc[-1]
    if len(s) < 2 or length <= mean_spacing:
        return s
    steps = mean_spacing * rng.lognormal(0.0, 0.5, int(2 * length / mean_spacing) + 4)
    where = np.cumsum(steps)
    where = where[where < length]
    return np.vstack([s[:1], _at(s, arc, where), s[-1:]])


def vary(strokes: list[np.ndarray], rng: np.random.Generator, v: StrokeVariation = DEFAULT) -> list[np.ndarray]:
    """One person's version of a drawing: ``strokes`` (``(n, 2)`` arrays) with
    every kind of variation of ``v`` drawn from ``rng``. Returns new arrays."""
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not strokes:
        return []
    if rng.random() < v.p_affine:
        aspect = float(np.exp(rng.uniform(np.log(v.min_aspect), np.log(v.max_aspect))))
        strokes = affine(strokes, rng.uniform(-v.max_rotation, v.max_rotation),
                         rng.uniform(-v.max_slant, v.max_slant), aspect)
    _, size = _extent(np.concatenate(strokes))
    strokes = [resample(s, rng, 0.01 * size) for s in strokes]  # dense, so the field bends straight lines
    strokes = elastic(strokes, rng, v.elastic, v.waves)
    strokes = lift_and_overshoot(strokes, rng, v, size)
    spacing = rng.uniform(*v.spacing) * size
    strokes = [resample(s, rng, spacing) for s in strokes]
    return [s + rng.normal(0.0, v.tremor * size, s.shape) for s in strokes]
