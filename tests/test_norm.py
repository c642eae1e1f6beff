"""Batch normalisation: finite-difference gradients (float64) in both modes,
the running statistics, and what they mean for saving, resuming and copying."""

import io
import json

import numpy as np
import pytest

from gradcheck import assert_layer_gradients, assert_model_gradients
from pynet.config import ModelConfig, TrainConfig
from pynet.io.model_file import load_model, model_to_bytes
from pynet.nn.conv import batch_first
from pynet.nn.model import build_model
from pynet.nn.norm import BatchNorm2D
from pynet.training.trainer import Trainer, TrainingDiverged

BN_CNN = ModelConfig(conv=((3, 5), (4, 3)), hidden=(), batch_norm=True, seed=4)


def layer_with_random_params(rng, channels=3):
    layer = BatchNorm2D(channels, dtype=np.float64)
    layer.params["gamma"][:] = rng.normal(1, 0.5, channels)
    layer.params["beta"][:] = rng.normal(0, 0.5, channels)
    return layer


@pytest.mark.parametrize("batch_last_memory", [False, True])
def test_training_forward_normalises_each_channel_over_batch_and_pixels(rng, batch_last_memory):
    x = rng.normal(3, 2, size=(5, 3, 4, 6))
    if batch_last_memory:  # how the convolution layers hand arrays over
        x = batch_first(np.ascontiguousarray(x.transpose(1, 2, 3, 0)))
    layer = BatchNorm2D(3, dtype=np.float64)
    out = layer.forward(x, training=True)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-4)  # eps = 1e-5 against variance ~4


@pytest.mark.parametrize("training", [True, False])
def test_gradients_match_finite_differences(rng, training):
    layer = layer_with_random_params(rng)
    layer.state["mean"][:] = rng.normal(size=3)
    layer.state["var"][:] = rng.uniform(0.5, 2, size=3)
    x = rng.normal(1, 2, size=(4, 3, 3, 5))
    upstream = rng.normal(size=x.shape)
    saved = {k: v.copy() for k, v in layer.state.items()}

    def forward() -> np.ndarray:
        out = layer.forward(x, training=training)
        for k, v in saved.items():  # the statistics are not what is differentiated
            layer.state[k][:] = v
        return out

    assert_layer_gradients(layer, x, upstream, forward)


def test_running_statistics_follow_the_batches_and_are_used_for_evaluation(rng):
    layer = BatchNorm2D(2, dtype=np.float64)
    x = rng.normal([[[[1.0]], [[-4.0]]]], [[[[2.0]], [[0.5]]]], size=(8, 2, 3, 3))
    for _ in range(200):
        layer.forward(x, training=True)
    values = x.transpose(1, 0, 2, 3).reshape(2, -1)
    np.testing.assert_allclose(layer.state["mean"], values.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(layer.state["var"], values.var(axis=1, ddof=1), rtol=1e-6)  # unbiased, as PyTorch
    # In evaluation one sample's output does not depend on the rest of its batch.
    alone = layer.forward(x[:1], training=False)
    np.testing.assert_allclose(layer.forward(x, training=False)[:1], alone, rtol=1e-12)


def test_whole_cnn_with_batch_norm_gradients_end_to_end(rng, layer_path):
    model = build_model(ModelConfig(conv=((2, 3), (3, 3)), hidden=(5,), padding="same", batch_norm=True,
                                    dtype="float64", seed=1))
    assert [type(layer).__name__ for layer in model.layers[1:5]] == ["Conv2D", "MaxPool2D", "BatchNorm2D", "ReLU"]
    x = rng.random((6, 784))
    assert_model_gradients(model, x, rng.integers(0, 10, 6))


def test_config_counts_the_batch_norm_parameters_and_statistics():
    assert BN_CNN.describe() == "conv3x5bn-conv4x3bn-10"
    model = build_model(BN_CNN)
    assert [p.shape for p in model.parameters()] == BN_CNN.param_shapes()
    assert [a.shape for a in model.state()] == BN_CNN.state_shapes() == [(3,), (3,), (4,), (4,)]
    assert model.n_params == BN_CNN.n_params == build_model(ModelConfig(conv=BN_CNN.conv, hidden=())).n_params + 14


def train_bn_cnn(rng, epochs=2):
    x = rng.random((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    model = build_model(BN_CNN)
    trainer = Trainer(model, TrainConfig(epochs=epochs, batch_size=16, lr=0.01, augment=True, seed=3), x, y)
    trainer.run()
    return model, trainer, x


def test_save_load_keeps_the_statistics_and_the_predictions(rng):
    model, trainer, x = train_bn_cnn(rng)
    assert not np.allclose(model.state()[0], 0)  # the statistics moved
    again, _, _ = train_bn_cnn(np.random.default_rng(1234))
    for a, b in zip(model.arrays(), again.arrays()):  # seeded: the same run twice
        np.testing.assert_array_equal(a, b)
    loaded = load_model(model_to_bytes(model, trainer.optimizer))
    assert loaded.model.config == BN_CNN
    for a, b in zip(model.state(), loaded.model.state()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.model.predict_proba(x), model.predict_proba(x))


def test_a_resumed_batch_norm_run_ends_with_the_same_weights_and_statistics(rng):
    from pynet.recipes.runs import continuation
    from pynet.training.record import training_metadata

    x = rng.random((80, 784), dtype=np.float32)
    y = rng.integers(0, 10, 80)
    cfg = TrainConfig(epochs=2, batch_size=16, lr=0.01, schedule="cosine", seed=5)
    whole = build_model(BN_CNN)
    Trainer(whole, cfg, x, y).run()
    first = Trainer(build_model(BN_CNN), cfg, x, y)
    steps = first.steps()
    for _ in range(7):
        next(steps)
    loaded = load_model(model_to_bytes(first.model, first.optimizer, training_metadata(first, name="half", val_size=0)))
    cont = continuation(loaded, cfg, None, train_size=80)
    Trainer(loaded.model, cont.config, x, y, None, None, cont.optimizer, cont.progress, cont.history).run()
    for a, b in zip(whole.arrays(), loaded.model.arrays()):
        np.testing.assert_array_equal(a, b)


def test_divergence_restores_the_statistics_too(rng):
    x = rng.random((64, 784), dtype=np.float32) * 1e4
    model = build_model(BN_CNN)
    trainer = Trainer(model, TrainConfig(epochs=3, batch_size=16, lr=10.0, optimizer="sgd"), x, rng.integers(0, 10, 64))
    with pytest.raises(TrainingDiverged):
        trainer.run()
    assert all(np.isfinite(a).all() for a in model.arrays())
    assert all((v >= 0).all() for v in model.state()[1::2])


def test_version_2_convolution_files_still_load(rng):
    cnn = build_model(ModelConfig(conv=((2, 5),), hidden=()))
    with np.load(io.BytesIO(model_to_bytes(cnn))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arch = json.loads(str(arrays["architecture"]))
    arrays["architecture"] = np.array(json.dumps({k: v for k, v in arch.items() if k != "batch_norm"}))
    arrays["format_version"] = np.array(2)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    x = rng.random((3, 784), dtype=np.float32)
    loaded = load_model(buf.getvalue()).model
    assert loaded.config.batch_norm is False
    np.testing.assert_array_equal(loaded.predict_proba(x), cnn.predict_proba(x))


def test_a_model_copy_has_the_same_arrays_and_is_independent(rng):
    from pynet.nn.model import copy_model

    model, _, x = train_bn_cnn(rng, epochs=1)
    copy = copy_model(model)
    for a, b in zip(model.arrays(), copy.arrays()):
        np.testing.assert_array_equal(a, b)
        assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(copy.predict_proba(x), model.predict_proba(x))
    assert copy_model(model, "float64").parameters()[0].dtype == np.float64
