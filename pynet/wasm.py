"""The tab's fast path: Dense and Conv2D for NumPy without BLAS (Pyodide).

``pynet/nn`` writes its matrix products as ``@``. Natively NumPy hands them
to BLAS, and nothing is faster. Pyodide's NumPy has no BLAS: ``@`` falls back
to a naive triple loop that stores to memory on every multiply-add, while
``np.einsum`` with both operands contiguous along the summed axis runs
NumPy's unrolled sum-of-products loop. Measured in Pyodide 0.29 (Node 20),
batch 128, 784 -> 128, float32:

    forward  x @ W     18.0 ms   einsum("bi,hi->bh", x, W.T copy)    7.1 ms
    dW       x.T @ g   16.6 ms   einsum("ib,hb->ih", x.T, g.T copies) 8.3 ms
    dx       g @ W.T   15.4 ms   einsum("bh,ih->bi", g, W)            8.4 ms

(the transposed copies cost ~0.1 ms each). A convolution's three products
over im2col columns (weights ``(F, K)``, columns ``(K, P)``, K = C*k*k window
values, P = Ho*Wo*N output pixels) keep the innermost loop on P, contiguous
in both operands: "fk,kp->fp" and "fk,fp->kp" run the unrolled multiply-add
over rows of P floats, "fp,kp->fk" the unrolled dot product. Measured for
TensorFlow.js's mnist network, batch 64 (conv 16@5x5 over 8 channels, F=16,
K=200, P=4,096): forward 4.8 ms (``w @ cols``: 9.6 ms), weight gradient
4.7 ms, input gradient 4.9 ms.

The classes below are ``nn``'s, with only those products (and the first
layer's skipped columns) changed; ``enable()`` makes ``build_model`` build
them, so every model of the tab has them: new, loaded from a file, copied, a
helper worker's replica. ``pynet.browser`` calls it in Pyodide; natively
nothing does, and BLAS's ``@`` stays. The tests check gradients on both.
"""

from __future__ import annotations

import numpy as np

from pynet.nn import conv, layers, model

# The first Dense layer skips zero input columns only when that saves >= 10 %.
SPARSE_COLUMNS_BELOW = 0.9


class Dense(layers.Dense):
    """``nn.Dense`` with einsum products; the first layer (which needs no
    input gradient) leaves out the input columns that are zero across the
    whole batch: they add nothing to ``x @ W`` and get a zero weight gradient.
    MNIST batches of 128 use ~527 of 784 pixels: 6,358 -> 7,272 samples/s for
    784-128-10 in Pyodide (measured). Not done natively, where BLAS makes the
    gather cost more than it saves."""

    _cols: np.ndarray | None = None  # the input columns used, when zero ones are skipped

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = x @ W + b, as einsum("bi,hi->bh", x, W.T), over the nonzero columns of x."""
        w = self.params["W"]
        self._cols = None
        if not self.needs_input_grad:
            cols = np.flatnonzero(x.any(axis=0))
            if len(cols) < SPARSE_COLUMNS_BELOW * self.n_in:
                self._cols = cols
                x, w = x[:, cols], w[cols]  # (B, k), (k, n_out)
        self._x = x  # (B, n_in) or (B, k)
        out = np.einsum("bi,hi->bh", x, np.ascontiguousarray(w.T))  # (B, n_out)
        out += self.params["b"]
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """dW = einsum("ib,hb->ih", x.T, dy.T), db = dy summed, dx = einsum("bh,ih->bi", dy, W)."""
        if self._x is None:
            raise RuntimeError("Dense.backward called before forward")
        grad_w = self.grads["W"]
        x_t, g_t = np.ascontiguousarray(self._x.T), np.ascontiguousarray(grad_out.T)
        if self._cols is None:
            np.einsum("ib,hb->ih", x_t, g_t, out=grad_w)  # (n_in, n_out)
        else:
            grad_w.fill(0)
            grad_w[self._cols] = np.einsum("ib,hb->ih", x_t, g_t)  # (k, n_out) into their rows
        np.sum(grad_out, axis=0, out=self.grads["b"])
        return np.einsum("bh,ih->bi", grad_out, self.params["W"]) if self.needs_input_grad else None


class Conv2D(conv.Conv2D):
    """``nn.Conv2D`` with einsum products over the im2col columns."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = W * x + b, as einsum("fk,kp->fp", W, cols) over im2col columns."""
        self._cols = self.windows(x)  # (K, P)
        out = np.einsum("fk,kp->fp", self.params["W"].reshape(self.filters, -1), self._cols)  # (F, P)
        out += self.params["b"][:, None]
        return self.feature_maps(out)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """dW = einsum("fp,kp->fk", dy, cols), db = dy summed, dx = col2im(einsum("fk,fp->kp", W, dy))."""
        if self._cols is None or self._padded_shape is None:
            raise RuntimeError("Conv2D.backward called before forward")
        g = conv.batch_last(grad_out).reshape(self.filters, -1)  # (F, P)
        w2d = self.params["W"].reshape(self.filters, -1)  # (F, K)
        np.einsum("fp,kp->fk", g, self._cols, out=self.grads["W"].reshape(self.filters, -1))
        np.sum(g, axis=1, out=self.grads["b"])
        return self.input_grad(np.einsum("fk,fp->kp", w2d, g)) if self.needs_input_grad else None


def enable() -> None:
    """Rebind the two names ``nn.model.build_model`` builds from, so that from
    now on it makes these layers instead of ``nn``'s; ``load_model``,
    ``copy_model`` and the helper workers' replicas all build through it.
    Nothing of ``nn`` itself changes."""
    model.Dense, model.Conv2D = Dense, Conv2D


def enabled() -> bool:
    """Whether ``build_model`` builds the fast layers."""
    return model.Dense is Dense
