"""Central-difference gradient checking (float64), shared by the tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pynet.nn.losses import SoftmaxCrossEntropy


def numerical_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, perturbing ``x`` in place."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def assert_close_grads(analytic: np.ndarray, numeric: np.ndarray, rtol: float = 1e-5) -> None:
    err = np.abs(analytic - numeric).max() / max(np.abs(numeric).max(), 1e-8)
    assert err < rtol, f"relative gradient error {err:.2e}"


def assert_layer_gradients(layer, x: np.ndarray, upstream: np.ndarray,
                           forward: Callable[[], np.ndarray] | None = None) -> None:
    """One layer's backward -- every parameter's gradient and the input's --
    against central differences of ``sum(upstream * output)``."""
    run = forward or (lambda: layer.forward(x))

    def loss() -> float:
        return float((upstream * run()).sum())

    loss()
    dx = layer.backward(upstream)
    for key, param in layer.params.items():
        assert_close_grads(layer.grads[key].copy(), numerical_grad(loss, param))
    assert_close_grads(dx, numerical_grad(loss, x))


def assert_model_gradients(model, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Backpropagation through a whole (float64) model and its loss against
    central differences on every parameter; returns the analytic gradients."""
    loss_fn = SoftmaxCrossEntropy()

    def loss() -> float:
        return loss_fn.forward(model.forward(x, training=True), y)

    loss()
    model.backward(loss_fn.backward())
    analytic = [g.copy() for g in model.gradients()]
    for g, p in zip(analytic, model.parameters()):
        assert_close_grads(g, numerical_grad(loss, p))
    return analytic
