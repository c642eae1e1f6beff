import numpy as np
import pytest

from pynet.preprocess import area_resize_matrix, centre_of_mass, preprocess_drawing, to_ink


def draw_seven(size: int = 280, offset=(0, 0), scale: float = 1.0, thickness: int = 18) -> np.ndarray:
    """A '7' as white strokes on black, like the page's canvas."""
    img = np.zeros((size, size), dtype=np.uint8)
    oy, ox = offset

    def box(r0, r1, c0, c1):
        img[int(oy + r0 * scale) : int(oy + r1 * scale), int(ox + c0 * scale) : int(ox + c1 * scale)] = 255

    box(60, 60 + thickness, 80, 200)  # top bar
    for r in range(60, 220):  # diagonal
        c = 200 - (r - 60) * 0.6
        box(r, r + 1, c - thickness / 2, c + thickness / 2)
    return img


def test_blank_and_tiny_speck_give_nothing():
    assert preprocess_drawing(np.zeros((100, 100), dtype=np.uint8)) is None
    assert preprocess_drawing(np.full((100, 100), 255, dtype=np.uint8)) is None  # blank white page
    speck = np.zeros((100, 100), dtype=np.uint8)
    speck[50, 50] = 255
    assert preprocess_drawing(speck) is None


def test_output_is_mnist_like():
    out = preprocess_drawing(draw_seven())
    assert out.shape == (784,) and out.dtype == np.float32
    img = out.reshape(28, 28)
    assert img.max() == pytest.approx(1.0)
    r, c = centre_of_mass(img)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5
    rows, cols = np.flatnonzero(img.any(axis=1)), np.flatnonzero(img.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == 20  # longer side is 20 px


def test_shift_and_scale_invariance():
    base = preprocess_drawing(draw_seven())
    shifted = preprocess_drawing(draw_seven(offset=(40, -50)))
    scaled = preprocess_drawing(draw_seven(scale=0.6, thickness=11))
    assert np.abs(base - shifted).max() < 1e-6
    assert np.abs(base - scaled).mean() < 0.05


def test_aspect_ratio_kept():
    img = np.zeros((200, 200), dtype=np.uint8)
    img[20:180, 90:110] = 255  # a tall thin "1": 160 x 20
    out = preprocess_drawing(img).reshape(28, 28)
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20
    assert cols[-1] - cols[0] + 1 in (2, 3)  # 20 * 20/160 = 2.5


def test_inverted_background_and_rgba_inputs_agree():
    gray = draw_seven()
    base = preprocess_drawing(gray)
    inverted = preprocess_drawing(255 - gray)  # black ink on white paper
    rgba_opaque = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    rgba_transparent = np.dstack([np.zeros_like(gray)] * 3 + [gray])  # black ink, alpha = coverage
    for other in (inverted, preprocess_drawing(rgba_opaque), preprocess_drawing(rgba_transparent)):
        np.testing.assert_allclose(other, base, atol=1e-5)
    floats = preprocess_drawing(gray.astype(np.float32) / 255)
    np.testing.assert_allclose(floats, base, atol=1e-5)


def test_area_resize_preserves_mean_and_handles_upscaling():
    m = area_resize_matrix(7, 3)
    np.testing.assert_allclose(m.sum(axis=1), 1.0)
    x = np.arange(7, dtype=float)
    assert (m @ x).mean() == pytest.approx(x.mean())
    up = area_resize_matrix(2, 4)
    np.testing.assert_allclose(up @ np.array([1.0, 3.0]), [1, 1, 3, 3])


def test_bad_shapes_rejected():
    with pytest.raises(ValueError, match="image"):
        to_ink(np.zeros((2, 2, 2, 2)))
