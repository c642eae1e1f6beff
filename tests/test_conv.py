"""Convolutional layers: finite-difference gradients (float64) on both product
paths, an independent reference convolution, and whole small CNNs."""

import numpy as np
import pytest

from gradcheck import assert_close_grads, assert_layer_gradients, assert_model_gradients, numerical_grad
from pynet.config import ModelConfig, parse_settings
from pynet.constraints import SettingsError
from pynet.nn.conv import Conv2D, Flatten, MaxPool2D, Reshape
from pynet.nn.model import build_model


def reference_conv(x, w, b, pad):
    """Direct loops over output pixels: slow, obviously right."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - k + 1, wd + 2 * pad - k + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = np.einsum("nckl,fckl->nf", xp[:, :, i : i + k, j : j + k], w) + b
    return out


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_forward_matches_direct_loops(rng, padding, layer_path):
    layer = layer_path.Conv2D(3, 4, 3, padding=padding, rng=rng, dtype=np.float64)
    layer.params["b"][:] = rng.normal(size=4)
    x = rng.normal(size=(2, 3, 7, 6))
    got = layer.forward(x)
    want = reference_conv(x, layer.params["W"], layer.params["b"], layer.pad)
    assert got.shape == want.shape == ((2, 4, 7, 6) if padding == "same" else (2, 4, 5, 4))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_gradients_match_finite_differences(rng, padding, layer_path):
    layer = layer_path.Conv2D(2, 3, 3, padding=padding, rng=rng, dtype=np.float64)
    layer.params["b"][:] = rng.normal(size=3)
    x = rng.normal(size=(2, 2, 5, 6))
    assert_layer_gradients(layer, x, rng.normal(size=layer.forward(x).shape))


def test_first_conv_skips_its_input_gradient(rng):
    layer = Conv2D(1, 2, 3, rng=rng, needs_input_grad=False)
    out = layer.forward(rng.normal(size=(2, 1, 6, 6)).astype(np.float32))
    assert layer.backward(np.ones_like(out)) is None


@pytest.mark.parametrize("side", [(6, 8), (7, 5)])  # even, and odd sides (last row/column dropped)
def test_max_pool_values_and_gradient(rng, side):
    pool = MaxPool2D()
    x = rng.normal(size=(3, 2, *side))
    out = pool.forward(x)
    h2, w2 = side[0] // 2, side[1] // 2
    want = x[:, :, : 2 * h2, : 2 * w2].reshape(3, 2, h2, 2, w2, 2).max(axis=(3, 5))
    np.testing.assert_array_equal(out, want)
    upstream = rng.normal(size=out.shape)

    def loss() -> float:
        return float((upstream * pool.forward(x)).sum())

    loss()
    assert_close_grads(pool.backward(upstream), numerical_grad(loss, x))


def test_max_pool_sends_a_tie_to_one_input_only():
    pool = MaxPool2D()
    x = np.ones((1, 1, 2, 2))
    pool.forward(x)
    grad = pool.backward(np.full((1, 1, 1, 1), 5.0))
    assert grad.sum() == 5.0 and (grad != 0).sum() == 1


def test_reshape_and_flatten_round_trip(rng):
    x = rng.normal(size=(4, 2 * 3 * 3))
    images = Reshape((2, 3, 3)).forward(x)
    assert images.shape == (4, 2, 3, 3)
    flat = Flatten()
    rows = flat.forward(images)
    np.testing.assert_array_equal(rows, x)
    np.testing.assert_array_equal(flat.backward(rows), images)


@pytest.mark.parametrize("conv,hidden,padding", [(((3, 3),), (), "valid"), (((2, 3), (3, 3)), (5,), "same"),
                                                 (((2, 5), (4, 3)), (), "valid")])
def test_whole_cnn_gradients_end_to_end(rng, conv, hidden, padding, layer_path):
    model = build_model(ModelConfig(n_inputs=144, conv=conv, hidden=hidden, padding=padding, n_classes=3,
                                    dtype="float64", seed=2))
    assert all(type(layer) in (layer_path.Conv2D, layer_path.Dense) for layer in model.layers if layer.params)
    x = rng.normal(size=(3, 144))
    y = rng.integers(0, 3, 3)
    analytic = assert_model_gradients(model, x, y)
    assert [g.shape for g in analytic] == model.config.param_shapes()


def test_cnn_config_geometry_and_description():
    tfjs = ModelConfig(conv=((8, 5), (16, 5)), hidden=())
    assert tfjs.describe() == "conv8x5-conv16x5-10"
    assert tfjs.feature_sides() == [12, 4] and tfjs.flat_size == 256
    assert tfjs.n_params == 8 * 25 + 8 + 16 * 8 * 25 + 16 + 256 * 10 + 10
    same = ModelConfig(conv=((16, 5), (32, 5)), padding="same", hidden=(128,))
    assert same.feature_sides() == [14, 7] and same.flat_size == 32 * 49
    assert same.describe() == "conv16x5s-conv32x5s-128-10"


@pytest.mark.parametrize("values,field,match", [
    ({"conv": "8,abc"}, "conv", "like 8,16 or 32x3,64x3"),
    ({"conv": "8x9,8x9,8x9"}, "conv", "does not fit"),
    ({"conv": "8x4", "padding": "same"}, "conv", "odd kernel"),
    ({"conv": "1000"}, "conv", "filters must be from 1 to 256"),
    ({"conv": "8x11"}, "conv", "kernel size must be from 1 to 9"),
    ({"conv": "8,8,8,8,8"}, "conv", "at most 4"),
    ({"architecture": "cnn", "conv": ""}, "conv", "at least one block"),
    ({"architecture": "rnn"}, "architecture", "one of mlp, cnn"),
])
def test_conv_settings_errors_name_their_field(values, field, match):
    with pytest.raises(SettingsError, match=match) as err:
        parse_settings(values)
    assert err.value.field == field


def test_conv_settings_parse():
    model, _ = parse_settings({"architecture": "cnn", "conv": "8,16", "hidden": ""})
    assert model.conv == ((8, 5), (16, 5)) and model.hidden == ()
    model, _ = parse_settings({"architecture": "mlp", "conv": "8,16", "hidden": "64"})
    assert model.conv == () and model.hidden == (64,)  # the conv field is kept but not used
    model, _ = parse_settings({"conv": "32x3, 64x3"})
    assert model.conv == ((32, 3), (64, 3))


def test_cnn_save_load_round_trip_and_seeded_determinism(rng):
    from pynet.config import TrainConfig
    from pynet.io.model_file import load_model, model_to_bytes
    from pynet.training.trainer import Trainer

    x = rng.random((96, 784), dtype=np.float32)
    y = rng.integers(0, 10, 96)
    cfg = ModelConfig(conv=((4, 5), (6, 3)), hidden=(12,), padding="same", dropout=0.2, seed=7)

    def train():
        model = build_model(cfg)
        trainer = Trainer(model, TrainConfig(epochs=2, batch_size=32, augment=True, seed=3), x, y)
        trainer.run()
        return model, trainer.optimizer

    (a, opt), (b, _) = train(), train()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa, pb)
    loaded = load_model(model_to_bytes(a, opt))
    assert loaded.model.config == cfg
    np.testing.assert_array_equal(loaded.model.predict_proba(x), a.predict_proba(x))
    assert loaded.make_optimizer().t == opt.t


def test_version_1_files_still_load(rng):
    import io
    import json

    from pynet.io.model_file import load_model, model_to_bytes

    mlp = build_model(ModelConfig(hidden=(8,)))
    with np.load(io.BytesIO(model_to_bytes(mlp))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arch = json.loads(str(arrays["architecture"]))
    arrays["architecture"] = np.array(json.dumps({k: v for k, v in arch.items() if k not in ("conv", "padding", "batch_norm")}))
    arrays["format_version"] = np.array(1)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    x = rng.random((3, 784), dtype=np.float32)
    np.testing.assert_array_equal(load_model(buf.getvalue()).model.predict_proba(x), mlp.predict_proba(x))


def test_cnn_prediction_is_chunked_to_bound_memory(rng):
    model = build_model(ModelConfig(conv=((32, 5), (64, 5)), hidden=()))
    chunk = 16_000_000 // model.config.training_floats_per_sample()
    assert 16 < chunk < 2048
    x = rng.random((chunk + 5, 784), dtype=np.float32)
    np.testing.assert_allclose(model.predict_proba(x)[-5:], model.predict_proba(x[-5:]), rtol=1e-5, atol=1e-7)
