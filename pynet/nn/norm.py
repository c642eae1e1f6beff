"""Batch normalisation for convolution blocks: ``BatchNorm2D``.

Each channel is normalised to zero mean and unit variance over the batch and
the pixels, then scaled and shifted by learned ``gamma`` and ``beta``. While
training it uses the batch's own statistics and keeps running averages of
them; in evaluation (``training=False``) it uses those running averages, so a
single drawing is classified the same whatever else is in its batch. The
running averages are the layer's ``state``: not trained by the optimiser, but
saved in the model file and restored with the weights.

Why it is here: TensorFlow.js's example network trained for one epoch in the
tab reaches 98.70 % on average without it and 98.88 % with it (six seeds
each, natively, measured), so it is an option of the convolution blocks.

Like the other convolution layers, the arrays are NCHW by shape with the
batch innermost in memory (see ``conv.py``), so each channel's values are one
contiguous row of ``H*W*N`` floats and the statistics are plain row reductions.
"""

from __future__ import annotations

import numpy as np

from .conv import batch_first, batch_last
from .layers import Layer

MOMENTUM = 0.9  # running = MOMENTUM * running + (1 - MOMENTUM) * batch (Keras's convention, default 0.99; PyTorch's momentum=0.1 is this 0.9)
EPS = 1e-5  # added to the variance: no division by zero for a channel that is constant over a batch


class BatchNorm2D(Layer):
    """Per-channel batch normalisation of ``(N, C, H, W)`` feature maps."""

    def __init__(self, channels: int, *, dtype: np.dtype | type = np.float32) -> None:
        super().__init__()
        self.channels = channels
        self.params = {"gamma": np.ones(channels, dtype=dtype), "beta": np.zeros(channels, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.state = {"mean": np.zeros(channels, dtype=dtype), "var": np.ones(channels, dtype=dtype)}
        self._xhat: np.ndarray | None = None  # (C, H*W*N), normalised input
        self._inv_std: np.ndarray | None = None  # (C,)
        self._shape: tuple[int, int, int, int] | None = None  # (C, H, W, N)
        self._training = False

    def update_running_stats(self, mean: np.ndarray, var: np.ndarray, m: int) -> None:
        """Move the running averages towards a batch's per-channel ``mean`` and
        biased ``var`` over ``m`` values each; the running variance is kept
        unbiased (m / (m - 1)), as PyTorch and Keras keep it."""
        unbiased = var * (m / (m - 1)) if m > 1 else var
        running_mean, running_var = self.state["mean"], self.state["var"]
        running_mean *= MOMENTUM
        running_mean += (1 - MOMENTUM) * mean
        running_var *= MOMENTUM
        running_var += (1 - MOMENTUM) * unbiased

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel (the batch's mean and var while training)."""
        n, c, h, w = x.shape
        rows = batch_last(x).reshape(c, -1)  # (C, H*W*N): one row per channel
        if training:
            mean = rows.mean(axis=1)
            centered = rows - mean[:, None]
            var = np.mean(centered * centered, axis=1)
            self.update_running_stats(mean, var, rows.shape[1])
        else:
            centered = rows - self.state["mean"][:, None]
            var = self.state["var"]
        inv_std = (1 / np.sqrt(var + EPS)).astype(rows.dtype)
        xhat = centered * inv_std[:, None]
        self._xhat, self._inv_std, self._shape, self._training = xhat, inv_std, (c, h, w, n), training
        out = xhat * self.params["gamma"][:, None] + self.params["beta"][:, None]
        return batch_first(out.reshape(c, h, w, n))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """dgamma = sum(dy * xhat), dbeta = sum(dy), dx = gamma / std * (dy - mean(dy) - xhat * mean(dy * xhat))."""
        if self._xhat is None or self._inv_std is None or self._shape is None:
            raise RuntimeError("BatchNorm2D.backward called before forward")
        c, h, w, n = self._shape
        g = batch_last(grad_out).reshape(c, -1)  # (C, H*W*N)
        xhat = self._xhat
        np.sum(g, axis=1, out=self.grads["beta"])
        np.sum(g * xhat, axis=1, out=self.grads["gamma"])
        scale = (self.params["gamma"] * self._inv_std)[:, None]
        if self._training:
            # The batch's mean and variance depend on every input too, hence the
            # two means; taken from the parameter gradients just computed.
            m = g.shape[1]
            dx = scale * (g - self.grads["beta"][:, None] / m - xhat * (self.grads["gamma"][:, None] / m))
        else:
            dx = g * scale  # fixed statistics: an affine map per channel
        return batch_first(dx.reshape(c, h, w, n))

    def __repr__(self) -> str:
        return f"BatchNorm2D({self.channels})"
