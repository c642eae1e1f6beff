"""Convolutional layers: ``Conv2D``, ``MaxPool2D`` and the shape changers
``Reshape`` and ``Flatten``. Shapes are channels-first, ``(N, C, H, W)``, and
``W`` is ``(filters, C, k, k)``. Each convolution is one matrix product over
im2col columns.

The speed trick: *by shape* the arrays are NCHW, but between these layers
their *memory* is ordered ``(C, H, W, N)`` -- the batch innermost (NumPy's
strides hide it: ``x.transpose(1, 2, 3, 0)`` of such an array is a
contiguous view). Every copy and shift of a convolution then moves rows of
``width * batch`` floats instead of ``width``: in Pyodide (batch 64,
TensorFlow.js's example network) a training step of the convolution layers
went from 34.5 to 28.5 ms (measured), col2im alone 3.96 -> 0.83 ms.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer

PADDINGS = ("valid", "same")


def batch_last(x: np.ndarray) -> np.ndarray:
    """``(N, C, H, W)`` -> a C-contiguous ``(C, H, W, N)`` array (a view when
    ``x`` came from these layers, a copy otherwise)."""
    return np.ascontiguousarray(x.transpose(1, 2, 3, 0))


def batch_first(x: np.ndarray) -> np.ndarray:
    """``(C, H, W, N)`` -> the ``(N, C, H, W)`` view of it (no copy)."""
    return x.transpose(3, 0, 1, 2)


def im2col(x: np.ndarray, k: int) -> np.ndarray:
    """``(C, H, W, N)`` -> ``(C*k*k, Ho*Wo*N)``: column ``p`` holds the k x k
    window of every channel under output pixel ``p``. One slice copy per
    kernel offset (k*k of them), each moving whole rows of ``Wo*N`` floats."""
    c, h, w, n = x.shape
    ho, wo = h - k + 1, w - k + 1
    cols = np.empty((c, k, k, ho, wo, n), dtype=x.dtype)
    for di in range(k):
        for dj in range(k):
            cols[:, di, dj] = x[:, di : di + ho, dj : dj + wo]
    return cols.reshape(c * k * k, ho * wo * n)


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int], k: int) -> np.ndarray:
    """The adjoint of ``im2col``: add every column's window back onto a
    ``(C, H, W, N)`` image (windows overlap, so contributions sum)."""
    c, h, w, n = shape
    ho, wo = h - k + 1, w - k + 1
    windows = cols.reshape(c, k, k, ho, wo, n)
    out = np.zeros(shape, dtype=cols.dtype)
    for di in range(k):
        for dj in range(k):
            out[:, di : di + ho, dj : dj + wo] += windows[:, di, dj]
    return out


class Conv2D(Layer):
    """2-D convolution, stride 1, ``"valid"`` (no padding) or ``"same"``
    (zero-padded so the output keeps the input's size; odd kernels)."""

    def __init__(self, in_channels: int, filters: int, kernel: int, *, padding: str = "valid",
                 rng: np.random.Generator | None = None, dtype: np.dtype | type = np.float32,
                 needs_input_grad: bool = True) -> None:
        super().__init__()
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
        if padding == "same" and kernel % 2 == 0:
            raise ValueError(f"'same' padding needs an odd kernel size, got {kernel}")
        rng = rng if rng is not None else np.random.default_rng(0)
        self.in_channels, self.filters, self.kernel, self.padding = in_channels, filters, kernel, padding
        self.needs_input_grad = needs_input_grad
        fan_in = in_channels * kernel * kernel
        self.params = {
            # He-normal: the convolution feeds a ReLU.
            "W": rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(filters, in_channels, kernel, kernel)).astype(dtype),
            "b": np.zeros(filters, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cols: np.ndarray | None = None
        self._padded_shape: tuple[int, int, int, int] | None = None

    @property
    def pad(self) -> int:
        return self.kernel // 2 if self.padding == "same" else 0

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y[f,i,j] = sum over c,u,v of W[f,c,u,v] x[c,i+u,j+v] + b[f]: one product W @ im2col columns."""
        self._cols = self.windows(x)  # (C*k*k, Ho*Wo*N)
        out = self.params["W"].reshape(self.filters, -1) @ self._cols  # (F, C*k*k) @ (C*k*k, Ho*Wo*N)
        out += self.params["b"][:, None]
        return self.feature_maps(out)  # (N, F, Ho, Wo)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """dW = dy @ cols.T, db = dy summed over pixels and batch, dx = col2im(W.T @ dy)."""
        if self._cols is None or self._padded_shape is None:
            raise RuntimeError("Conv2D.backward called before forward")
        g = batch_last(grad_out).reshape(self.filters, -1)  # (F, Ho*Wo*N)
        np.matmul(g, self._cols.T, out=self.grads["W"].reshape(self.filters, -1))  # (F, C*k*k), in place
        np.sum(g, axis=1, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return self.input_grad(self.params["W"].reshape(self.filters, -1).T @ g)  # (C*k*k, Ho*Wo*N) -> images

    def windows(self, x: np.ndarray) -> np.ndarray:
        """``(N, C, H, W)`` -> its im2col columns ``(C*k*k, Ho*Wo*N)``, zero-padded
        first for ``"same"``; remembers the padded shape for the way back."""
        n, c, h, w = x.shape
        p = self.pad
        xb = batch_last(x)  # (C, H, W, N)
        if p:
            padded = np.zeros((c, h + 2 * p, w + 2 * p, n), dtype=xb.dtype)
            padded[:, p : p + h, p : p + w] = xb
            xb = padded
        self._padded_shape = xb.shape
        return im2col(xb, self.kernel)

    def feature_maps(self, out: np.ndarray) -> np.ndarray:
        """The product's ``(F, Ho*Wo*N)`` -> the ``(N, F, Ho, Wo)`` view of it."""
        _, hp, wp, n = self._padded_shape
        k = self.kernel
        return batch_first(out.reshape(self.filters, hp - k + 1, wp - k + 1, n))

    def input_grad(self, cols_grad: np.ndarray) -> np.ndarray:
        """The columns' gradient ``(C*k*k, Ho*Wo*N)`` -> the input's ``(N, C, H, W)``."""
        dx = col2im(cols_grad, self._padded_shape, self.kernel)  # (C, Hp, Wp, N)
        p = self.pad
        if p:
            dx = dx[:, p:-p, p:-p]
        return batch_first(dx)

    def __repr__(self) -> str:
        return f"Conv2D({self.in_channels}, {self.filters}, kernel={self.kernel}, padding={self.padding!r})"


class MaxPool2D(Layer):
    """2x2 max-pooling, stride 2. An odd last row or column is dropped (as in
    TensorFlow's "valid" pooling). Pools in two steps, rows then columns, each
    on long contiguous runs; remembers which of each pair won (the first on a
    tie) so the gradient goes to exactly one input."""

    def __init__(self) -> None:
        super().__init__()
        self._rows_won: np.ndarray | None = None
        self._cols_won: np.ndarray | None = None
        self._shape: tuple[int, int, int, int] | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = the largest value of each 2x2 window: (N, C, H, W) -> (N, C, H/2, W/2)."""
        n, c, h, w = x.shape
        h2, w2 = h // 2, w // 2
        xb = batch_last(x)  # (C, H, W, N)
        if h % 2 or w % 2:
            xb = np.ascontiguousarray(xb[:, : 2 * h2, : 2 * w2])
        self._shape = (c, h, w, n)
        rows = xb.reshape(c, h2, 2, 2 * w2 * n)  # row pairs
        self._rows_won = rows[:, :, 1] > rows[:, :, 0]
        m1 = np.maximum(rows[:, :, 0], rows[:, :, 1])  # (C, H2, W*N)
        cols = m1.reshape(c, h2, w2, 2, n)  # column pairs
        self._cols_won = cols[:, :, :, 1] > cols[:, :, :, 0]
        return batch_first(np.maximum(cols[:, :, :, 0], cols[:, :, :, 1]))  # (N, C, H2, W2)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dx = dy at each window's largest value, 0 at the other three."""
        if self._shape is None or self._rows_won is None or self._cols_won is None:
            raise RuntimeError("MaxPool2D.backward called before forward")
        c, h, w, n = self._shape
        h2, w2 = h // 2, w // 2
        g = batch_last(grad_out)  # (C, H2, W2, N)
        g1 = np.empty((c, h2, w2, 2, n), dtype=g.dtype)
        np.multiply(g, self._cols_won, out=g1[:, :, :, 1])
        np.subtract(g, g1[:, :, :, 1], out=g1[:, :, :, 0])  # exactly g or 0
        g1 = g1.reshape(c, h2, 2 * w2 * n)
        g0 = np.empty((c, h2, 2, 2 * w2 * n), dtype=g.dtype)
        np.multiply(g1, self._rows_won, out=g0[:, :, 1])
        np.subtract(g1, g0[:, :, 1], out=g0[:, :, 0])
        dx = g0.reshape(c, 2 * h2, 2 * w2, n)
        if (2 * h2, 2 * w2) != (h, w):
            full = np.zeros(self._shape, dtype=dx.dtype)
            full[:, : 2 * h2, : 2 * w2] = dx
            dx = full
        return batch_first(dx)

    def __repr__(self) -> str:
        return "MaxPool2D(2)"


class Reshape(Layer):
    """Flat rows ``(N, C*H*W)`` -> images ``(N, C, H, W)`` (a view)."""

    def __init__(self, shape: tuple[int, int, int]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = x as images: (N, C*H*W) -> (N, C, H, W)."""
        return x.reshape(len(x), *self.shape)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dx = dy as rows: (N, C, H, W) -> (N, C*H*W)."""
        return grad_out.reshape(len(grad_out), -1)

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"


class Flatten(Layer):
    """Images ``(N, C, H, W)`` -> rows ``(N, C*H*W)`` in C, H, W order."""

    def __init__(self) -> None:
        super().__init__()
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = x as rows: (N, C, H, W) -> (N, C*H*W)."""
        self._shape = x.shape
        return x.reshape(len(x), -1)  # copies the batch-last memory into rows

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dx = dy as images: (N, C*H*W) -> (N, C, H, W)."""
        if self._shape is None:
            raise RuntimeError("Flatten.backward called before forward")
        return grad_out.reshape(self._shape)

    def __repr__(self) -> str:
        return "Flatten()"
