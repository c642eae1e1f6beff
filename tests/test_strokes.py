"""Pen strokes -> the network's input: MNIST-like, and the same whatever the
drawing's size, position, resolution and speed."""

import numpy as np
import pytest

from build.handwriting import PRINTED, flat, mnist_strokes, place
from build.pagedriver import mnist_test_images
from pynet.strokes import STROKE_WIDTH, render_strokes, smooth


def seven(x0=0.0, y0=0.0, size=1.0):
    return flat(place(PRINTED["7 plain"][1], x0, y0, size))


def test_output_is_mnist_like():
    out = render_strokes(seven(), canvas_size=1.0).reshape(28, 28)
    assert out.dtype == np.float32 and out.max() == pytest.approx(1.0)
    rows, cols = np.indices(out.shape)
    com = (rows * out).sum() / out.sum(), (cols * out).sum() / out.sum()
    assert com == pytest.approx((14.0, 14.0), abs=0.02)  # centre of mass, as MNIST
    inked_rows = np.flatnonzero(out.max(axis=1) > 0.05)
    assert 19 <= inked_rows[-1] - inked_rows[0] + 1 <= 21  # the longer side fills the 20-px box


@pytest.mark.parametrize("size,offset,scale", [(0.3, (0.1, 0.6), 280), (0.5, (0.4, 0.05), 280), (1.0, (0, 0), 3000),
                                               (0.3, (0.0, 0.0), 96)])
def test_size_position_and_resolution_do_not_matter(size, offset, scale):
    """A 7 drawn at 30 % of the canvas, off-centre, or on a screen 10x denser:
    the same input as the full-size drawing."""
    base = render_strokes(seven(), canvas_size=1.0)
    other = render_strokes([s * scale for s in seven(*offset, size)], canvas_size=scale)
    np.testing.assert_allclose(other, base, atol=1e-4)


def test_a_fast_stroke_with_sparse_points_is_still_smooth():
    t = np.linspace(0, 2 * np.pi, 200)
    dense = [np.stack([np.cos(t), np.sin(t)], axis=1)]
    sparse = [dense[0][::12]]  # a quick circle: 17 points
    a, b = render_strokes(dense), render_strokes(sparse)
    assert np.abs(a - b).max() < 0.35 and np.abs(a - b).mean() < 0.02
    path = smooth(sparse[0] * 10, 0.75)
    assert len(path) > 5 * len(sparse[0])  # curves between the points, not a polygon


def test_blank_and_specks_give_nothing_and_bad_input_is_refused():
    assert render_strokes([]) is None
    assert render_strokes([np.array([[5.0, 5.0]])]) is None  # a tap
    assert render_strokes([np.array([[5.0, 5.0], [5.5, 5.2]])], canvas_size=280) is None  # a speck
    with pytest.raises(ValueError, match="finite"):
        render_strokes([np.array([[0.0, np.nan], [1.0, 1.0]])])
    with pytest.raises(ValueError, match="too many points"):
        render_strokes([np.zeros((30_000, 2))])


def test_traced_mnist_digits_keep_mnist_s_ink():
    """The pen width is MNIST's: traced test digits, rendered, hold about the
    ink of the originals (measured on 300: within 10 %)."""
    images = mnist_test_images(300)
    rendered = np.stack([render_strokes(flat(mnist_strokes(im))) for im in images])
    ratio = rendered.sum() / (images / 255.0).sum()
    assert 0.9 < ratio < 1.2, ratio
    assert STROKE_WIDTH == 2.6
