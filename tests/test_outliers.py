"""Scribbles for outlier exposure: every family draws something, the same seed
gives the same scribbles, and none of them is shaped like a digit in the ways
the families promise (no straight line, no lone oval, no spiral of under two
turns, marks inside an outline come at least in pairs)."""

import numpy as np

from pynet import outliers


def test_every_kind_draws_ink_and_a_seed_repeats_exactly():
    x = outliers.scribbles(3 * len(outliers.KINDS), seed=5)
    assert x.shape == (3 * len(outliers.KINDS), 784) and x.dtype == np.uint8
    assert (x.reshape(len(x), -1).max(axis=1) > 200).all()
    np.testing.assert_array_equal(x, outliers.scribbles(3 * len(outliers.KINDS), seed=5))
    assert not np.array_equal(x, outliers.scribbles(3 * len(outliers.KINDS), seed=6))


def test_random_walks_are_never_nearly_straight():
    rng = np.random.default_rng(0)
    for _ in range(300):
        (points,) = outliers._random_walk(rng)
        spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
        assert spread[1] >= 0.2 * spread[0]


def test_spirals_turn_at_least_twice():
    rng = np.random.default_rng(1)
    for _ in range(50):
        (points,) = outliers._spiral(rng)
        angles = np.unwrap(np.arctan2(*(points - 0.5).T[::-1]))  # about its centre, (0.5, 0.5)
        assert abs(angles[-1] - angles[0]) >= 2 * 2 * np.pi * 0.9


def test_closed_shapes_have_sharp_corners_and_marks_come_in_pairs_or_more():
    rng = np.random.default_rng(2)
    for _ in range(50):
        (polygon,) = outliers._closed_polygon(rng)
        np.testing.assert_allclose(polygon[0], polygon[-1], atol=1e-9)  # closed
        steps = np.hypot(*np.diff(polygon, axis=0).T)
        assert steps.max() < 0.05  # many points along each side: the renderer keeps the corners
        strokes = outliers._marks_inside(rng)
        inside = [len(s) for s in strokes[1:]]
        assert len(inside) >= 2  # one dot inside an oval would be a dotted zero
        nested = outliers._nested(rng)
        assert 2 <= len(nested) <= 3
