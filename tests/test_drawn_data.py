"""The recipe's drawn data: deterministic whatever the number of processes,
drawn from the right split, font families kept apart, clear errors when fonts
or Pillow are missing; and the independent tracer of the measurement."""

import builtins
from dataclasses import replace

import numpy as np
import pytest

from build.pagedriver import mnist_test_images, mnist_test_labels
from build.second_tracer import trace_strokes
from pynet.data import fonts
from pynet.data.shipped_mix import DrawnMix, extend, font_drawings
from pynet.data.traced_mnist import traced, traced_drawings
from pynet.input.strokes import render_strokes

pytestmark = pytest.mark.mnist


@pytest.fixture(scope="module")
def digits():
    return mnist_test_images(12), mnist_test_labels(12)


def test_drawings_are_keyed_by_seed_and_index_not_by_process_count(digits):
    images, _ = digits
    one = traced_drawings(images, seed=3, copies=2, processes=1, chunk=5)
    two = traced_drawings(images, seed=3, copies=2, processes=2, chunk=5)
    np.testing.assert_array_equal(one, two)
    assert one.shape == (24, 784) and one.dtype == np.uint8
    assert not np.array_equal(one[0], one[1])  # two copies of a digit differ
    again = traced_drawings(images[4:6], seed=3, copies=2, processes=1)
    assert not np.array_equal(again, one[8:12])  # keyed by the index within the array given


def test_tracing_varies_its_threshold_and_spurs(digits):
    images, _ = digits
    counts = {sum(len(s) for s in traced(images[0], np.random.default_rng(k))) for k in range(12)}
    assert len(counts) > 2


def test_extend_adds_drawings_of_each_split_and_keeps_dtype(digits, tmp_path):
    images, labels = digits
    x = images.reshape(-1, 784).astype(np.float32) / 255
    mix = DrawnMix(traced_copies=2, font_copies=1, val_traced_copies=1, val_font_copies=1)
    splits = extend(mix, x[:8], labels[:8], x[8:], labels[8:], processes=1)
    xt, yt, xv, yv = splits.x_train, splits.y_train, splits.x_val, splits.y_val
    n_train_glyphs = len(fonts.digit_glyphs(fonts.TRAIN_FAMILIES))
    n_val_glyphs = len(fonts.digit_glyphs(fonts.VALIDATION_FAMILIES))
    assert len(xt) == 8 + 16 + n_train_glyphs and len(xv) == 4 + 4 + n_val_glyphs
    assert xt.dtype == np.float32 and 0 <= xt.min() and xt.max() <= 1
    np.testing.assert_array_equal(yt[8:24], np.repeat(labels[:8], 2))  # drawings of the training digits only
    np.testing.assert_array_equal(yv[4:8], labels[8:])
    assert splits.jitter.shape == (len(xt),) and splits.jitter.all()  # by default drawings are jittered like images
    plain = replace(mix, font_copies=0, val_font_copies=0, jitter_drawings=False)
    unjittered = extend(plain, x[:8], labels[:8], x[8:], labels[8:], processes=1).jitter
    assert unjittered.shape == (24,) and unjittered[:8].all() and not unjittered[8:].any()


def test_damaged_pictures_are_read_by_the_picture_path_and_keyed_by_seed_and_index(digits):
    """The shipped mix's damaged pictures: each a training digit pictured
    with a kind of damage and read by the picture path, what the network
    sees of it; the same on any number of processes, and jittered like the
    images, after the drawings."""
    from pynet.data.damage import damaged
    from pynet.data.shipped_mix import DAMAGE_SEED, damaged_inputs
    from pynet.data.traced_mnist import as_pixels
    from pynet.input.preprocess import read_picture

    images, labels = digits
    flat = images.reshape(-1, 784)
    counts = (("zig-zag", 3), ("spatter", 2))
    one = damaged_inputs(counts, flat, labels, seed=4, processes=1)
    two = damaged_inputs(counts, flat, labels, seed=4, processes=2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    x, y = one
    assert x.shape == (5, 784) and x.dtype == np.uint8 and set(y.tolist()) <= set(labels.tolist())
    # the first is a zig-zag through one of the digits, as the picture path reads it
    index = int(np.sort(np.random.default_rng((4, DAMAGE_SEED)).choice(12, 3, replace=False))[0])
    picture = damaged("zig-zag", images[index], np.random.default_rng((4, DAMAGE_SEED, 7, index)), variant=index)
    np.testing.assert_array_equal(x[0], as_pixels(read_picture(picture).input))
    assert y[0] == labels[index]
    mix = DrawnMix(traced_copies=1, font_copies=0, val_traced_copies=0, val_font_copies=0, jitter_drawings=False,
                   damaged=counts, damaged_repeats=2)
    splits = extend(mix, flat[:8].astype(np.float32) / 255, labels[:8], flat[8:], labels[8:], processes=1)
    assert len(splits.x_train) == 8 + 8 + 2 * len(y) and splits.x_train.max() <= 1  # in the images' dtype
    assert splits.jitter[:8].all() and not splits.jitter[8:16].any() and splits.jitter[16:].all()
    with pytest.raises(ValueError, match="unknown kind"):
        damaged("coffee stain", images[0], np.random.default_rng(0))


def test_font_families_are_split_three_ways_and_all_installed():
    train, val, test = map(set, (fonts.TRAIN_FAMILIES, fonts.VALIDATION_FAMILIES, fonts.TEST_FAMILIES))
    assert not (train & val or train & test or val & test)
    for family in train | val | test:
        assert fonts.font_files(family)  # pinned in package.json, installed by npm ci


def test_font_digits_cover_the_printed_styles_mnist_lacks():
    images, labels = font_drawings(("source-code-pro",), copies=4, seed=0, crossed_sevens=1.0, processes=1)
    assert images.shape == (len(fonts.font_files("source-code-pro")) * 10 * 4, 784)
    assert sorted(set(labels.tolist())) == list(range(10))
    # Every one a drawing: ink in the 20-px box, centred by mass like MNIST.
    x = images.reshape(-1, 28, 28).astype(float)
    assert (x.sum(axis=(1, 2)) > 0).all()
    strokes = fonts.glyph_strokes(fonts.font_files("source-code-pro")[0], "1")
    assert np.ptp(np.concatenate(strokes)[:, 0]) > 0.5  # a 1 with a base and a flag, not a stick


def test_missing_fonts_and_missing_pillow_say_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(fonts.FontsNotFound, match="npm ci"):
        fonts.font_files("roboto", tmp_path)
    real_import = builtins.__import__

    def no_pillow(name, *args, **kwargs):
        if name.startswith("PIL"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pillow)
    with pytest.raises(ImportError, match=r"pynet\[fonts\]"):
        fonts.glyph_image(fonts.font_files("roboto")[0], "4")


def test_the_independent_tracer_redraws_mnist_digits_faithfully(digits):
    images, _ = digits
    for image in images:
        strokes = trace_strokes(image)
        drawn = render_strokes(strokes)
        original = image.reshape(-1).astype(np.float32) / 255
        assert np.corrcoef(drawn, original)[0, 1] > 0.6
        assert all(len(s) <= 30 for s in strokes)  # sparse points, as a fast pointer records them
