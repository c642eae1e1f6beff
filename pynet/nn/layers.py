"""Layers: each `forward` caches what its `backward` needs.

Shapes follow scikit-learn/numpy-ml: inputs are ``(n_samples, n_features)``,
a Dense weight matrix is ``(n_in, n_out)``. Parameters and their gradients live
in dicts keyed ``"W"``/``"b"`` and are updated *in place* by the optimisers, so
references held elsewhere (the optimiser, a snapshot buffer) stay valid.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .initializers import init_weights

SPARSE_COLUMNS_BELOW = 0.9  # skip zero input columns only when it saves >= 10 %


class Layer:
    """Base class: a layer without parameters passes gradients straight through."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    state: dict[str, np.ndarray]  # kept but not trained (batch norm's running statistics)

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}
        self.state = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer ``y = x @ W + b``.

    ``needs_input_grad=False`` (used for the first layer) skips computing the
    gradient with respect to the input, which nobody needs for raw pixels: it
    saves one of the three matrix products per batch.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        *,
        init: str = "he",
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type = np.float32,
        needs_input_grad: bool = True,
    ) -> None:
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
        self._cols: np.ndarray | None = None  # input columns used, when zero ones are skipped

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        w = self.params["W"]
        self._cols = None
        if not self.needs_input_grad and kernels.USE_EINSUM:
            # Raw-pixel input: columns that are zero across the whole batch add
            # nothing to x @ W and get a zero weight gradient, so leave them out.
            # MNIST batches of 128 use ~527 of 784 pixels: 6,358 -> 7,272
            # samples/s for 784-128-10 in Pyodide (measured). Not done natively,
            # where BLAS makes the gather cost more than it saves.
            cols = np.flatnonzero(x.any(axis=0))
            if len(cols) < SPARSE_COLUMNS_BELOW * self.n_in:
                self._cols = cols
                x, w = x[:, cols], w[cols]  # (B, k), (k, n_out)
        self._x = x  # (B, n_in) or (B, k)
        out = kernels.dense_forward(x, w)  # (B, n_out)
        out += self.params["b"]
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        if self._x is None:
            raise RuntimeError("Dense.backward called before forward")
        # Gradients are written into the existing arrays so optimisers that
        # hold references to them see the new values.
        grad_w = self.grads["W"]
        if self._cols is None:
            kernels.dense_weight_grad(self._x, grad_out, out=grad_w)  # (n_in, n_out)
        else:
            part = np.empty((len(self._cols), self.n_out), dtype=grad_w.dtype)
            kernels.dense_weight_grad(self._x, grad_out, out=part)  # (k, n_out)
            grad_w.fill(0)
            grad_w[self._cols] = part
        np.sum(grad_out, axis=0, out=self.grads["b"])  # (n_out,)
        if not self.needs_input_grad:
            return None
        return kernels.dense_input_grad(grad_out, self.params["W"])  # (B, n_in)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, init={self.init!r})"


class ReLU(Layer):
    """Rectified linear unit; remembers where the input was positive."""

    def __init__(self) -> None:
        super().__init__()
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0
        return np.maximum(x, 0, dtype=x.dtype)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._mask is None:
            raise RuntimeError("ReLU.backward called before forward")
        return grad_out * self._mask

    def __repr__(self) -> str:
        return "ReLU()"


class Dropout(Layer):
    """Inverted dropout: scales kept units by ``1/(1-rate)`` while training so
    inference needs no rescaling. Identity when ``training`` is False."""

    def __init__(self, rate: float, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.rng = rng if rng is not None else np.random.default_rng(0)
        # When the input is one shard of a batch (data parallelism): the batch's
        # size and the shard's rows, so the masks are those of the whole batch.
        self.shard: tuple[slice, int] | None = None
        self._scale_mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self._scale_mask = None
            return x
        if self.shard is None:
            keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
        else:
            rows, batch_size = self.shard
            keep = self.rng.random((batch_size, *x.shape[1:]), dtype=np.float32)[rows] >= self.rate
        self._scale_mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.rate)
        return x * self._scale_mask

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        return grad_out if self._scale_mask is None else grad_out * self._scale_mask

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate})"
