"""Stroke variation: deterministic by seed, each kind does what it says, and
the renderer ignores what is not varied (stroke order and direction)."""

import numpy as np

from build.handwriting import PRINTED, flat
from pynet.data.stroke_variation import StrokeVariation, affine, elastic, lift_and_overshoot, resample, vary
from pynet.input.strokes import render_strokes

FOUR = flat(PRINTED["4 open"][1])
SEVEN = flat(PRINTED["7 crossed"][1])
NONE = StrokeVariation(max_rotation=0, max_slant=0, min_aspect=1, max_aspect=1, p_affine=0, elastic=0, p_gap=0,
                       p_overshoot=0, p_split=0, spacing=(0.01, 0.01), tremor=0)


def extent(strokes):
    points = np.concatenate(strokes)
    return np.ptp(points, axis=0)


def test_same_seed_same_drawing_and_another_seed_another():
    a = vary(FOUR, np.random.default_rng((1, 2, 3)))
    b = vary(FOUR, np.random.default_rng((1, 2, 3)))
    c = vary(FOUR, np.random.default_rng((1, 2, 4)))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(render_strokes(a), render_strokes(c))


def test_without_variation_the_drawing_is_unchanged_but_for_point_spacing():
    out = vary(FOUR, np.random.default_rng(0), NONE)
    # Sparse points cut corners when smoothed (as the page's pen does), so compare with the path densely sampled.
    dense = [resample(s, np.random.default_rng(1), 0.002) for s in FOUR]
    assert np.abs(render_strokes(out) - render_strokes(dense)).max() < 0.1


def test_aspect_rotation_and_slant():
    w, h = extent(FOUR)
    narrow = extent(affine(FOUR, 0.0, 0.0, 0.6))
    np.testing.assert_allclose(narrow, [0.6 * w, h])
    upright = [np.array([[0.5, 0.0], [0.5, 1.0]])]
    turned = affine(upright, 90.0, 0.0, 1.0)[0]
    np.testing.assert_allclose(turned, [[1.0, 0.5], [0.0, 0.5]], atol=1e-12)  # a vertical stroke lies down
    leaning = affine(upright, 0.0, 0.3, 1.0)[0]
    assert leaning[0, 0] > leaning[1, 0]  # top (y = 0) right of the bottom: leaning right


def test_elastic_field_is_smooth_and_of_the_asked_size():
    line = [np.stack([np.linspace(0, 1, 200), np.full(200, 0.5)], axis=1)]
    moved = elastic(line, np.random.default_rng(3), 0.04, 4)[0]
    shift = moved - line[0]
    assert 0.005 < np.abs(shift).mean() < 0.12
    assert np.abs(np.diff(shift, axis=0)).max() < 0.02  # neighbours move together: a smooth field


def test_gaps_split_strokes_and_overshoots_lengthen_them():
    rng = np.random.default_rng(0)
    always_gap = StrokeVariation(p_gap=1.0, p_split=0.0, p_overshoot=0.0)
    line = [np.stack([np.linspace(0, 1, 50), np.zeros(50)], axis=1)]
    parts = lift_and_overshoot(line, rng, always_gap, 1.0)
    assert len(parts) == 2 and parts[1][0, 0] - parts[0][-1, 0] >= 0.02
    over = lift_and_overshoot(line, rng, StrokeVariation(p_gap=0, p_split=0, p_overshoot=1.0), 1.0)
    assert len(over) == 1 and over[0][0, 0] < 0 and over[0][-1, 0] > 1


def test_resampling_keeps_the_ends_and_spaces_points_unevenly():
    line = np.stack([np.linspace(0, 1, 500), np.zeros(500)], axis=1)
    out = resample(line, np.random.default_rng(1), 0.05)
    np.testing.assert_array_equal(out[[0, -1]], line[[0, -1]])
    gaps = np.diff(out[1:-1, 0])
    assert 10 < len(out) < 60 and gaps.std() > 0.2 * gaps.mean()


def test_the_renderer_ignores_stroke_order_and_direction():
    # Why vary() does not shuffle or reverse strokes: it would change nothing.
    reordered = [s[::-1] for s in SEVEN[::-1]]
    np.testing.assert_array_equal(render_strokes(reordered), render_strokes(SEVEN))


def test_every_printed_style_survives_a_thousand_variations():
    rng = np.random.default_rng(5)
    for _, strokes in PRINTED.values():
        for _ in range(60):
            image = render_strokes(vary(flat(strokes), rng))
            assert image is not None and np.isfinite(image).all() and image.max() > 0.9
