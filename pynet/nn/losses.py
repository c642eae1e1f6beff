"""Softmax fused with cross-entropy, the numerically stable way."""

from __future__ import annotations

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax via log-sum-exp: subtracting the row max first
    means ``exp`` never overflows, even for logits of +-1e4."""
    shifted = logits - logits.max(axis=1, keepdims=True)  # (B, C)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax probabilities (rows sum to 1)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


NO_CLASS = -1  # a label meaning "none of the classes": its target is the uniform distribution


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits) against integer labels.

    The loss is a *mean* over the batch and so is the gradient: the two must
    agree, or the effective learning rate silently scales with batch size.
    A ``NO_CLASS`` label's target is uniform over the classes (outlier
    exposure: a scribble should leave the network unsure).
    """

    def __init__(self) -> None:
        self._probs: np.ndarray | None = None
        self._labels: np.ndarray | None = None

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        """loss = -mean over the batch of log softmax(logits)[label].

        ``logits`` ``(B, C)``; ``labels``: ``(B,)`` class indices (or NO_CLASS),
        or ``(B, C)`` target probabilities (soft targets, e.g. another model's
        answers: knowledge distillation, Hinton, Vinyals and Dean 2015)."""
        logp = log_softmax(logits)  # (B, C)
        self._probs = np.exp(logp)
        self._labels = labels
        if labels.ndim == 2:
            return float(-(labels * logp).sum(axis=1).mean())
        known = labels >= 0
        if known.all():
            return float(-logp[np.arange(len(labels)), labels].mean())
        picked = np.where(known, logp[np.arange(len(labels)), np.where(known, labels, 0)], logp.mean(axis=1))
        return float(-picked.mean())

    def backward(self, divisor: int | None = None) -> np.ndarray:
        """d loss / d logits = (softmax(logits) - target) / B.

        The target is one-hot (uniform for a NO_CLASS label); ``(B, C)``.
        ``divisor``: the whole batch's size when these logits are one shard of
        it (data parallelism), so the shards' gradients add up to the batch's."""
        if self._probs is None or self._labels is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward called before forward")
        grad = self._probs.copy()  # (B, C)
        labels = self._labels
        if labels.ndim == 2:  # soft targets
            grad -= labels
            grad /= divisor or len(labels)
            return grad
        known = labels >= 0
        grad[np.flatnonzero(known), labels[known]] -= 1
        if not known.all():
            grad[~known] -= grad.dtype.type(1.0 / grad.shape[1])
        grad /= divisor or len(labels)
        return grad

    @property
    def probs(self) -> np.ndarray:
        """Softmax probabilities of the last forward pass (for running accuracy)."""
        if self._probs is None:
            raise RuntimeError("no forward pass yet")
        return self._probs

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"
