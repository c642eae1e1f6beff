"""Layers: each ``forward`` caches what its ``backward`` needs.

Shapes follow scikit-learn/numpy-ml: inputs are ``(n_samples, n_features)``,
a Dense weight matrix is ``(n_in, n_out)``. Parameters and their gradients live
in dicts keyed ``"W"``/``"b"`` and are updated *in place* by the optimisers, so
references held elsewhere (the optimiser, a snapshot buffer) stay valid.
The first line of each ``forward`` and ``backward`` docstring is the formula
it computes; ``dy`` there is d(loss)/dy, the gradient ``backward`` receives
(``grad_out``), and ``dx``, ``dW``, ``db`` the gradients it computes.
"""

from __future__ import annotations

import numpy as np

INITIALIZERS = ("he", "glorot")


def init_weights(kind: str, n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype | type) -> np.ndarray:
    """A ``(n_in, n_out)`` weight matrix. He-normal suits ReLU layers (keeps the
    activations' variance about constant); Glorot-uniform suits the linear
    output layer feeding softmax. Raises ValueError for another ``kind``."""
    if kind == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    elif kind == "glorot":
        limit = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-limit, limit, size=(n_in, n_out))
    else:
        raise ValueError(f"unknown initialiser {kind!r}; choose one of {INITIALIZERS}")
    return w.astype(dtype)


class Layer:
    """Base class: ``forward(x, training)`` and ``backward(grad_out)``, which
    returns the gradient with respect to the input and fills ``grads``."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    state: dict[str, np.ndarray]  # kept but not trained (batch norm's running statistics)

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}
        self.state = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer ``y = x @ W + b``.

    ``needs_input_grad=False`` (used for the first layer) skips computing the
    gradient with respect to the input, which nobody needs for raw pixels: it
    saves one of the three matrix products per batch.
    """

    def __init__(self, n_in: int, n_out: int, *, init: str = "he", rng: np.random.Generator | None = None,
                 dtype: np.dtype | type = np.float32, needs_input_grad: bool = True) -> None:
        super().__init__()
        rng = rng if rng is not None else np.random.default_rng(0)
        self.n_in, self.n_out, self.init = n_in, n_out, init
        self.needs_input_grad = needs_input_grad
        self.params = {
            "W": init_weights(init, n_in, n_out, rng, dtype),  # (n_in, n_out)
            "b": np.zeros(n_out, dtype=dtype),  # (n_out,)
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = x @ W + b: (B, n_in) -> (B, n_out)."""
        self._x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """dW = x.T @ dy, db = dy summed over the batch, dx = dy @ W.T."""
        if self._x is None:
            raise RuntimeError("Dense.backward called before forward")
        # Written into the existing arrays: the optimiser holds references to them.
        np.matmul(self._x.T, grad_out, out=self.grads["W"])  # (n_in, n_out)
        np.sum(grad_out, axis=0, out=self.grads["b"])  # (n_out,)
        return grad_out @ self.params["W"].T if self.needs_input_grad else None  # (B, n_in)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"


class ReLU(Layer):
    """Rectified linear unit; remembers where the input was positive."""

    def __init__(self) -> None:
        super().__init__()
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = max(x, 0)."""
        self._mask = x > 0
        return np.maximum(x, 0, dtype=x.dtype)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dx = dy where x > 0, else 0."""
        if self._mask is None:
            raise RuntimeError("ReLU.backward called before forward")
        return grad_out * self._mask

    def __repr__(self) -> str:
        return "ReLU()"


class Dropout(Layer):
    """Inverted dropout: scales kept units by ``1/(1-rate)`` while training so
    inference needs no rescaling. Identity when ``training`` is False. The
    masks come from ``self.rng`` (the trainer points it at each batch's
    generator, so a resumed run draws the same masks)."""

    def __init__(self, rate: float, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self._scale_mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = x * keep / (1 - rate), keep ~ Bernoulli(1 - rate) per value, while training."""
        if not training or self.rate == 0.0:
            self._scale_mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
        self._scale_mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.rate)
        return x * self._scale_mask

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dx = dy * keep / (1 - rate)."""
        return grad_out if self._scale_mask is None else grad_out * self._scale_mask

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate})"
