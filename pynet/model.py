"""The model: a Sequential stack of layers built from a ``ModelConfig``.

Like nanoGPT, the config is saved inside every checkpoint, so
``io.load_model(path)`` can rebuild the network with no other arguments.
"""

from __future__ import annotations

import numpy as np

from .config import ModelConfig
from .data import as_float_pixels
from .layers import Dense, Dropout, Layer, ReLU
from .losses import softmax


class Sequential:
    """A stack of layers applied in order; the last layer outputs logits."""

    def __init__(self, layers: list[Layer], config: ModelConfig) -> None:
        self.layers = layers
        self.config = config

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Logits ``(B, n_classes)`` for inputs ``(B, n_inputs)``."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad_logits: np.ndarray) -> None:
        """Backpropagate d(loss)/d(logits); fills every layer's ``grads``."""
        grad: np.ndarray | None = grad_logits
        for layer in reversed(self.layers):
            assert grad is not None, "a layer returned no input gradient mid-stack"
            grad = layer.backward(grad)

    def parameters(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params.values()]

    def gradients(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads.values()]

    @property
    def uses_randomness(self) -> bool:
        """Whether training draws random numbers inside the network (dropout)."""
        return any(isinstance(layer, Dropout) and layer.rate > 0 for layer in self.layers)

    def set_rng(self, rng: np.random.Generator) -> None:
        """Where dropout draws its masks from (the trainer keys it by position)."""
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.rng = rng

    def predict_proba(self, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Class probabilities, computed in chunks to bound memory."""
        x = np.atleast_2d(x)
        dtype = self.parameters()[0].dtype
        out = [softmax(self.forward(as_float_pixels(x[i : i + batch_size], dtype))) for i in range(0, len(x), batch_size)]
        if not out:
            return np.zeros((0, self.n_classes), dtype=dtype)
        return np.concatenate(out)

    def predict(self, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Most likely class per row."""
        return self.predict_proba(x, batch_size).argmax(axis=1)

    @property
    def n_classes(self) -> int:
        return self.config.n_classes

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.parameters())

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"


def build_model(config: ModelConfig) -> Sequential:
    """Dense+ReLU(+Dropout) blocks, then a Dense output layer producing logits."""
    rng = np.random.default_rng(config.seed)
    dtype = np.dtype(config.dtype)
    sizes = config.layer_sizes
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-2], sizes[1:-1])):
        layers += [Dense(n_in, n_out, init="he", rng=rng, dtype=dtype, needs_input_grad=i > 0), ReLU()]
        if config.dropout:
            layers.append(Dropout(config.dropout, rng=rng))
    layers.append(
        Dense(sizes[-2], sizes[-1], init="glorot", rng=rng, dtype=dtype, needs_input_grad=len(sizes) > 2)
    )
    return Sequential(layers, config)
