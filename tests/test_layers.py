import numpy as np
import pytest

from gradcheck import assert_close_grads, assert_model_gradients, numerical_grad
from pynet.nn.layers import Dense, Dropout, ReLU
from pynet.nn.losses import SoftmaxCrossEntropy, log_softmax, softmax
from pynet.nn.model import ModelConfig, build_model


def test_dense_gradients_match_finite_differences(rng, layer_path):
    layer = layer_path.Dense(5, 4, rng=rng, dtype=np.float64)
    x = rng.normal(size=(3, 5))
    upstream = rng.normal(size=(3, 4))  # loss = sum(upstream * y)

    def loss() -> float:
        return float((upstream * layer.forward(x)).sum())

    loss()
    dx = layer.backward(upstream)
    for key in ("W", "b"):
        assert_close_grads(layer.grads[key].copy(), numerical_grad(loss, layer.params[key]))
    assert_close_grads(dx, numerical_grad(loss, x))


def test_first_layer_skipping_zero_columns_is_exact(rng, layer_path):
    layer = layer_path.Dense(12, 5, rng=rng, dtype=np.float64, needs_input_grad=False)
    x = rng.normal(size=(4, 12))
    x[:, [0, 3, 4, 9]] = 0.0  # pixels blank across the whole batch
    upstream = rng.normal(size=(4, 5))

    def loss() -> float:
        return float((upstream * layer.forward(x)).sum())

    out = layer.forward(x)
    np.testing.assert_allclose(out, x @ layer.params["W"] + layer.params["b"], rtol=1e-12)
    assert (getattr(layer, "_cols", None) is not None) == (layer_path.__name__ == "pynet.wasm")  # the tab's only
    layer.backward(upstream)
    grad_w = layer.grads["W"].copy()
    assert_close_grads(grad_w, numerical_grad(loss, layer.params["W"]))
    assert not grad_w[[0, 3, 4, 9]].any()


def test_dense_without_input_grad_returns_none(rng):
    layer = Dense(3, 2, rng=rng, needs_input_grad=False)
    layer.forward(np.ones((2, 3), dtype=np.float32))
    assert layer.backward(np.ones((2, 2), dtype=np.float32)) is None


def test_relu_gradient(rng):
    relu = ReLU()
    x = rng.normal(size=(4, 6))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    upstream = rng.normal(size=x.shape)

    def loss() -> float:
        return float((upstream * relu.forward(x)).sum())

    loss()
    assert_close_grads(relu.backward(upstream), numerical_grad(loss, x))


def test_dropout_gradient_with_fixed_mask_and_identity_at_inference(rng):
    drop = Dropout(0.5, rng=np.random.default_rng(0))
    x = rng.normal(size=(4, 6))
    assert drop.forward(x, training=False) is x
    y = drop.forward(x, training=True)
    mask = drop._scale_mask.copy()
    assert set(np.unique(mask)) <= {0.0, 2.0}
    np.testing.assert_allclose(y, x * mask)
    np.testing.assert_allclose(drop.backward(np.ones_like(x)), mask)


def test_dropout_rejects_bad_rate():
    with pytest.raises(ValueError, match="dropout rate"):
        Dropout(1.0)


def test_softmax_cross_entropy_gradient(rng):
    loss_fn = SoftmaxCrossEntropy()
    logits = rng.normal(size=(5, 4))
    labels = rng.integers(0, 4, 5)

    def loss() -> float:
        return loss_fn.forward(logits, labels)

    loss()
    assert_close_grads(loss_fn.backward(), numerical_grad(loss, logits))


def test_loss_hand_example():
    # logits (0, ln 3): softmax = (1/4, 3/4); label 1 -> loss = -ln(3/4)
    loss = SoftmaxCrossEntropy().forward(np.array([[0.0, np.log(3.0)]]), np.array([1]))
    assert loss == pytest.approx(-np.log(0.75))


def test_softmax_is_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(logits, np.array([1, 0]))
    assert np.isfinite(loss)
    assert np.isfinite(loss_fn.backward()).all()
    assert np.isfinite(log_softmax(logits)).all()
    np.testing.assert_allclose(softmax(logits).sum(axis=1), 1.0)


@pytest.mark.parametrize("hidden,dropout", [((7,), 0.0), ((6, 5), 0.0), ((), 0.0)])
def test_whole_model_gradients_end_to_end(rng, hidden, dropout, layer_path):
    model = build_model(ModelConfig(n_inputs=8, hidden=hidden, n_classes=3, dtype="float64", seed=3))
    assert all(type(layer) is layer_path.Dense for layer in model.layers if layer.params)
    x = rng.normal(size=(6, 8))
    y = rng.integers(0, 3, 6)
    assert_model_gradients(model, x, y)


def test_initialisation_is_seeded_and_scaled():
    a = build_model(ModelConfig(hidden=(256,), seed=5)).parameters()[0]
    b = build_model(ModelConfig(hidden=(256,), seed=5)).parameters()[0]
    c = build_model(ModelConfig(hidden=(256,), seed=6)).parameters()[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)  # He normal
    assert a.dtype == np.float32


def test_model_predict_shapes_and_repr(rng):
    model = build_model(ModelConfig(n_inputs=4, hidden=(3,), n_classes=2))
    probs = model.predict_proba(rng.normal(size=(5, 4)).astype(np.float32))
    assert probs.shape == (5, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert model.predict(rng.normal(size=(5, 4)).astype(np.float32)).shape == (5,)
    assert "Dense(4, 3" in repr(model)


@pytest.mark.parametrize("kwargs,match", [
    ({"hidden": (0,)}, "hidden: each size must be from 1"),
    ({"hidden": (100000,)}, "hidden: each size must be from 1 to 8,192"),
    ({"hidden": (16.9,)}, "hidden: each size must be a whole number"),
    ({"hidden": (True,)}, "hidden: each size must be a whole number"),
    ({"seed": -1}, "seed"),
    ({"seed": "3"}, "seed: must be a whole number"),
    ({"dropout": 1.5}, "dropout"),
    ({"dtype": "int8"}, "dtype"),
    ({"n_classes": 1}, "n_classes"),
])
def test_model_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**kwargs)


def test_no_class_labels_pull_towards_uniform(rng):
    """Outlier exposure: a NO_CLASS (-1) label's target is the uniform distribution."""
    from pynet.nn.losses import NO_CLASS

    loss_fn = SoftmaxCrossEntropy()
    logits = rng.normal(size=(4, 5))
    labels = np.array([2, NO_CLASS, 0, NO_CLASS])

    def loss() -> float:
        return loss_fn.forward(logits, labels)

    value = loss()
    logp = log_softmax(logits)
    assert value == pytest.approx(-(logp[0, 2] + logp[1].mean() + logp[2, 0] + logp[3].mean()) / 4)
    assert_close_grads(loss_fn.backward(), numerical_grad(loss, logits))
    uniform = np.zeros((1, 5))
    assert loss_fn.forward(uniform, np.array([NO_CLASS])) == pytest.approx(np.log(5))  # the minimum
