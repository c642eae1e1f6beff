"""Looking inside a network: why it gave an answer, and whether its gradients
are right.

- ``explain``: every layer's activations for one input, the input-gradient
  saliency of the predicted class (which pixels would change its score most),
  and the units feeding the output that pushed hardest for or against it;
- ``gradient_check``: finite differences in float64 against backpropagation
  on a few parameters of each layer -- the check the unit tests run, as a
  report a person can read.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pynet.nn.conv import Reshape
from pynet.nn.layers import Dropout
from pynet.nn.losses import SoftmaxCrossEntropy
from pynet.nn.model import Sequential, copy_model

MAX_CHANNELS = 64  # feature maps shown per convolution layer
MAX_UNITS = 512  # units shown per dense layer
TOP_UNITS = 8  # strongest contributions listed


def layer_name(index: int, layer: Any) -> str:
    return f"{index}: {layer!r}"


def _activation(index: int, layer: Any, out: np.ndarray) -> dict[str, Any]:
    """One layer's output for one input, as the page draws it: feature maps
    (channels x h x w) or a strip of units, with its value range."""
    a = out[0]
    entry: dict[str, Any] = {"layer": layer_name(index, layer), "kind": type(layer).__name__,
                             "shape": list(out.shape[1:]), "min": float(a.min()), "max": float(a.max())}
    if a.ndim == 3:  # (C, H, W)
        shown = a[:MAX_CHANNELS]
        entry |= {"channels": int(a.shape[0]), "shown": int(len(shown)), "side": int(a.shape[1]),
                  "values": np.ascontiguousarray(shown, dtype=np.float32).tobytes()}
    else:
        shown = a[:MAX_UNITS]
        entry |= {"units": int(a.size), "shown": int(shown.size), "values": shown.astype(np.float32).tobytes()}
    return entry


def explain(model: Sequential, x: np.ndarray) -> dict[str, Any]:
    """Activations, saliency and contributions for one input ``x`` (784,)."""
    xb = np.asarray(x, dtype=model.parameters()[0].dtype).reshape(1, -1)
    # The first trainable layer normally skips its input gradient (nobody
    # needs it in training); the saliency does.
    first = next(layer for layer in model.layers if layer.params)
    saved = first.needs_input_grad
    first.needs_input_grad = True
    try:
        h, activations, inputs = xb, [], []
        for i, layer in enumerate(model.layers):
            inputs.append(h)
            h = layer.forward(h, training=False)
            if not isinstance(layer, (Reshape, Dropout)):
                activations.append(_activation(i, layer, h))
        logits = h  # (1, C)
        probs = model.proba_from_logits(logits)[0]
        digit = int(probs.argmax())
        grad: np.ndarray | None = np.zeros_like(logits)
        grad[0, digit] = 1.0  # d(logit of the answer)
        for layer in reversed(model.layers):
            grad = layer.backward(grad)
        saliency = np.asarray(grad, dtype=np.float64).reshape(-1)  # d logit / d pixel
    finally:
        first.needs_input_grad = saved
    # The output layer's inputs (hidden units, or a CNN's features) times
    # their weights to the answer: what pushed for it, and against it.
    output = model.layers[-1]
    feeding = inputs[-1][0]
    contributions = feeding * output.params["W"][:, digit]
    order = np.argsort(contributions)
    top = [{"unit": int(j), "activation": float(feeding[j]), "weight": float(output.params["W"][j, digit]),
            "contribution": float(contributions[j])} for j in order[::-1][:TOP_UNITS]]
    against = [{"unit": int(j), "activation": float(feeding[j]), "weight": float(output.params["W"][j, digit]),
                "contribution": float(contributions[j])} for j in order[:TOP_UNITS] if contributions[j] < 0]
    return {
        "digit": digit,
        "probs": [float(p) for p in probs],
        "layers": activations,
        "saliency": saliency.astype(np.float32).tobytes(),
        "saliency_max": float(np.abs(saliency).max()),
        "contributions": {"layer": layer_name(len(model.layers) - 1, output), "bias": float(output.params["b"][digit]),
                          "for": top, "against": against,
                          "kind": "features" if model.config.conv and not model.config.hidden else "hidden units"},
    }


def as_float64(model: Sequential) -> Sequential:
    """A float64 copy (finite differences need the precision)."""
    return copy_model(model, "float64")


ERROR_FLOOR = 1e-6  # derivatives smaller than this are compared absolutely (see gradient_check)


def gradient_check(model: Sequential, x: np.ndarray, y: np.ndarray, per_layer: int = 3, seed: int = 0,
                   eps: float = 1e-5) -> list[dict[str, Any]]:
    """For ``per_layer`` random entries of each parameter: the mean loss's
    derivative by central differences and by backpropagation, in float64,
    with dropout off. Relative error = |a - n| / max(|a|, |n|, 1e-6): a
    central difference carries round-off of about 1e-16 * loss / eps ~ 1e-11,
    which is no longer small next to a derivative of 1e-8 (measured on the
    shipped CNN: 3e-4 "relative" error at eps 1e-6 for a bias whose gradient
    is 1.3e-8; with the floor and eps 1e-5, 4e-6)."""
    net = as_float64(model)
    for layer in net.layers:  # every gradient, the input's too (harmless, and checks more code)
        if hasattr(layer, "needs_input_grad"):
            layer.needs_input_grad = True
    xb = np.asarray(x, dtype=np.float64)
    loss_fn = SoftmaxCrossEntropy()

    def loss() -> float:
        return loss_fn.forward(net.forward(xb, training=False), y)

    loss()
    net.backward(loss_fn.backward())
    rng = np.random.default_rng(seed)
    report = []
    for i, layer in enumerate(net.layers):
        for key, param in layer.params.items():
            analytic_all = layer.grads[key].copy()
            entries = []
            for flat in rng.choice(param.size, size=min(per_layer, param.size), replace=False):
                index = np.unravel_index(int(flat), param.shape)
                old = param[index]
                param[index] = old + eps
                plus = loss()
                param[index] = old - eps
                minus = loss()
                param[index] = old
                numeric = (plus - minus) / (2 * eps)
                analytic = float(analytic_all[index])
                error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), ERROR_FLOOR)
                entries.append({"index": [int(v) for v in index], "analytic": analytic, "numeric": float(numeric),
                                "relative_error": float(error)})
            report.append({"layer": layer_name(i, layer), "param": key, "shape": list(param.shape),
                           "entries": entries, "max_relative_error": max(e["relative_error"] for e in entries)})
    return report


