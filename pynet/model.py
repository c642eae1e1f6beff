"""The model: an architecture config plus a Sequential stack built from it.

Like nanoGPT, the config is a small dataclass saved inside every checkpoint,
so ``io.load_model(path)`` can rebuild the network with no other arguments.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from .data import as_float_pixels
from .layers import Dense, Dropout, Layer, ReLU
from .losses import softmax

DTYPES = ("float32", "float64")
MAX_UNITS = 8192  # per hidden layer: a guard against typos like 12800 vs 128


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of a multi-layer perceptron classifier."""

    n_inputs: int = 784
    hidden: tuple[int, ...] = (128,)
    n_classes: int = 10
    dropout: float = 0.0
    dtype: str = "float32"
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the bad field; checked on every construction."""
        if not (isinstance(self.n_inputs, int) and self.n_inputs > 0):
            raise ValueError(f"n_inputs must be a positive integer, got {self.n_inputs!r}")
        if not (isinstance(self.n_classes, int) and self.n_classes >= 2):
            raise ValueError(f"n_classes must be an integer >= 2, got {self.n_classes!r}")
        if len(self.hidden) > 8:
            raise ValueError(f"at most 8 hidden layers are supported, got {len(self.hidden)}")
        for h in self.hidden:
            if not 1 <= h <= MAX_UNITS:
                raise ValueError(f"hidden layer sizes must be between 1 and {MAX_UNITS}, got {h}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}, got {self.dtype!r}")

    @property
    def layer_sizes(self) -> list[int]:
        return [self.n_inputs, *self.hidden, self.n_classes]

    def param_shapes(self) -> list[tuple[int, ...]]:
        """Expected shapes of ``Sequential.parameters()``, in order (W, b per layer)."""
        sizes = self.layer_sizes
        shapes: list[tuple[int, ...]] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            shapes += [(n_in, n_out), (n_out,)]
        return shapes

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ModelConfig":
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("architecture must be a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown architecture fields: {sorted(unknown)}")
        data["hidden"] = tuple(data.get("hidden", ()))
        return cls(**data)

    def describe(self) -> str:
        """Human-readable shape, e.g. ``784-256-128-10``."""
        return "-".join(str(s) for s in self.layer_sizes)


class Sequential:
    """A stack of layers applied in order; the last layer outputs logits."""

    def __init__(self, layers: list[Layer], config: ModelConfig | None = None) -> None:
        self.layers = layers
        self.config = config

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Logits ``(B, n_classes)`` for inputs ``(B, n_inputs)``."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    __call__ = forward

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

    def predict_proba(self, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Class probabilities, computed in chunks to bound memory."""
        x = np.atleast_2d(x)
        dtype = self.parameters()[0].dtype
        out = [softmax(self.forward(as_float_pixels(x[i : i + batch_size], dtype))) for i in range(0, len(x), batch_size)]
        if not out:
            return np.zeros((0, self.layers[-1].params["W"].shape[1]), dtype=np.float32)
        return np.concatenate(out)

    def predict(self, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """Most likely class per row."""
        return self.predict_proba(x, batch_size).argmax(axis=1)

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
