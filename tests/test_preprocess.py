"""A picture of a digit -> the network's input (pynet/input/preprocess.py): MNIST's
box and centre of mass, resampling, and the choice between thinning and
MNIST's recipe by the stroke width."""

import numpy as np
import pytest

from build.handwriting import PRINTED, flat
from build.pen_images import pen_image
from pynet.input import preprocess
from pynet.input.preprocess import centre_of_mass, preprocess_bitmap, preprocess_image
from pynet.input.resampling import resample, resample_axis
from pynet.input.strokes import render_strokes

SEVEN = PRINTED["7 plain"][1]


def area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Exact area averaging as a matrix: each output cell's overlap with each input cell."""
    edges_in, edges_out = np.arange(n_in + 1.0), np.linspace(0.0, n_in, n_out + 1)
    lo = np.maximum(edges_out[:-1, None], edges_in[None, :-1])
    hi = np.minimum(edges_out[1:, None], edges_in[None, 1:])
    overlap = np.clip(hi - lo, 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_in,n_out", [(7, 3), (200, 64), (281, 96), (5, 5), (100, 99), (3, 1)])
def test_shrinking_is_exact_area_averaging(n_in, n_out):
    x = np.random.default_rng(0).random((4, n_in)).astype(np.float32)
    np.testing.assert_allclose(resample_axis(x, n_out, axis=1), x @ area_matrix(n_in, n_out).T, atol=1e-5)
    np.testing.assert_allclose(resample_axis(x.T, n_out, axis=0), (x @ area_matrix(n_in, n_out).T).T, atol=1e-5)


def test_enlarging_interpolates_between_pixel_centres():
    np.testing.assert_allclose(resample_axis(np.array([1.0, 3.0]), 4, axis=0), [1, 1.5, 2.5, 3])
    assert resample(np.ones((3, 5)), 9, 2).shape == (9, 2)


def test_bitmap_recipe_is_mnist_s():
    img = np.zeros((200, 200), dtype=np.float32)
    img[20:180, 90:110] = 1.0  # a tall bar, 160 x 20
    out = preprocess_bitmap(img).reshape(28, 28)
    assert out.dtype == np.float32 and out.max() == pytest.approx(1.0)
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20 and cols[-1] - cols[0] + 1 in (2, 3, 4)  # longer side 20, aspect kept
    r, c = centre_of_mass(out)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5
    assert preprocess_bitmap(np.zeros((5, 5))) is None


def test_blank_faint_and_speck_pictures_give_nothing():
    assert preprocess_image(np.zeros((100, 100), dtype=np.uint8)) is None
    assert preprocess_image(np.full((100, 100), 255, dtype=np.uint8)) is None  # a blank white page
    noise = np.random.default_rng(0).normal(200, 6, (300, 300)).clip(0, 255).astype(np.uint8)
    assert preprocess_image(noise) is None  # a photo of blank paper
    speck = np.full((300, 300), 230, dtype=np.uint8)
    speck[150:152, 150:152] = 20
    assert preprocess_image(speck) is None
    faint = np.full((280, 280), 200, dtype=np.uint8)
    faint[60:220, 135:140] = 195  # 2.5 % darker: not ink
    assert preprocess_image(faint) is None
    assert preprocess_image(np.zeros((100, 100, 4), dtype=np.uint8)) is None  # fully transparent


def test_thin_pen_is_thinned_and_rendered_with_the_standard_pen():
    drawn = render_strokes(flat(SEVEN))
    image = preprocess_image(pen_image(SEVEN, 3))
    assert np.abs(image - drawn).mean() < 0.02  # nearly the drawing's input
    bitmap = preprocess_bitmap(pen_image(SEVEN, 3).astype(np.float32) / 255)
    assert (bitmap > 0.5).sum() < 0.6 * (drawn > 0.5).sum()  # MNIST's recipe alone would keep the thin line


@pytest.mark.parametrize("pen", [22, 45])
def test_thick_pens_take_mnist_s_recipe_and_the_thickest_are_eroded(pen, monkeypatch):
    used = []
    monkeypatch.setattr(preprocess, "mask_strokes", lambda *a: used.append("thinning"))
    monkeypatch.setattr(preprocess, "erode", lambda c, r: used.append(f"erode {r}") or c)
    assert preprocess_image(pen_image(SEVEN, pen)) is not None
    assert used == ([] if pen == 22 else [used[0]]) and "thinning" not in used
    if pen == 45:
        assert used[0].startswith("erode ") and int(used[0].split()[1]) >= 2


def test_polarity_alpha_and_pixel_types_do_not_matter():
    light = pen_image(SEVEN, 8)  # light ink on black
    base = preprocess_image(light)
    variants = {
        "dark on light": 255 - light,
        "RGB": np.dstack([light] * 3),
        "opaque RGBA": np.dstack([light] * 3 + [np.full_like(light, 255)]),
        "black ink on a transparent layer": np.dstack([np.zeros_like(light)] * 3 + [light]),
        "white ink on a transparent layer": np.dstack([np.full_like(light, 255)] * 3 + [light]),
        "coloured ink on a transparent layer": np.dstack([np.full_like(light, 40), np.full_like(light, 90),
                                                          np.full_like(light, 200), light]),
        "uint16": light.astype(np.uint16) * 257,
        "float in [0, 1]": light.astype(np.float32) / 255,
        "float in [0, 255]": light.astype(np.float64),
    }
    for name, image in variants.items():
        np.testing.assert_allclose(preprocess_image(image), base, atol=2e-3, err_msg=name)


def test_size_and_position_do_not_matter():
    small = preprocess_image(pen_image(SEVEN, 8))
    page = np.zeros((900, 1200), dtype=np.uint8)
    page[500:780, 100:380] = pen_image(SEVEN, 8)  # the same digit off-centre on a bigger page
    assert np.abs(preprocess_image(page) - small).mean() < 0.01
    big = np.kron(pen_image(SEVEN, 8), np.ones((5, 5), dtype=np.uint8))  # 1,400 px: drawn 5x larger
    assert np.abs(preprocess_image(big) - small).mean() < 0.02


def test_a_filled_blob_is_described_by_its_bitmap():
    y, x = np.mgrid[:200, :200]
    disk = ((y - 100) ** 2 + (x - 100) ** 2 < 70**2).astype(np.uint8) * 255
    out = preprocess_image(disk).reshape(28, 28)
    assert (out > 0.5).sum() > 150  # still a filled round shape, not a dot or a line


def test_bad_arrays_are_refused():
    for bad in (np.zeros((2, 2, 2, 2)), np.zeros((5, 5, 2)), np.zeros((0, 5)), np.array([["a"]])):
        with pytest.raises(ValueError):
            preprocess_image(bad)
    with pytest.raises(ValueError, match="NaN"):
        preprocess_image(np.full((10, 10), np.nan))


@pytest.mark.parametrize("name", list(PRINTED))
def test_a_hairline_pen_on_a_big_page_keeps_every_stroke(name):
    """A pen about 0.5-1 % of the digit's size (a screenshot, a scan, a paint
    program's thinnest brush on a big canvas) is under a pixel wide where the
    ink is thinned; straight strokes along a pixel row or column used to
    vanish there (a 2 without its base read as a sure 7, a 1 as nothing at
    all -- a new user's review). The page sizes move the strokes against the
    pixel grid."""
    strokes = PRINTED[name][1]
    reference = preprocess_image(pen_image(strokes, 8))  # a pen like MNIST's on a 280 px page
    for page, share in [(800, 0.005), (800, 0.01), (803, 0.005), (803, 0.01), (2000, 0.006)]:
        image = preprocess_image(pen_image(strokes, round(share * 0.8 * page), page_px=page))
        assert image is not None, (page, share)
        assert np.abs(image - reference).mean() < 0.05, (page, share)
        assert (image > 0.5).sum() >= 0.75 * (reference > 0.5).sum(), (page, share)  # no stroke lost
