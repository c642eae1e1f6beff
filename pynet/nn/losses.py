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


def target_distribution(labels: np.ndarray, n_classes: int, dtype: np.dtype) -> np.ndarray:
    """The distribution each row should predict, ``(B, C)``.

    A class index gives one-hot; ``NO_CLASS`` gives uniform (outlier exposure:
    a scribble should leave the network unsure; Hendrycks, Mazeika and
    Dietterich 2019). ``labels`` already ``(B, C)`` are target probabilities
    (soft targets, e.g. another model's answers: knowledge distillation,
    Hinton, Vinyals and Dean 2015) and are returned as they are."""
    if labels.ndim == 2:
        return labels
    target = np.zeros((len(labels), n_classes), dtype=dtype)
    known = labels != NO_CLASS
    target[np.flatnonzero(known), labels[known]] = 1
    target[~known] = 1 / n_classes
    return target


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits) against the labels' targets.

    The loss is a *mean* over the batch and so is the gradient: the two must
    agree, or the effective learning rate silently scales with batch size.
    """

    def __init__(self) -> None:
        self._probs: np.ndarray | None = None
        self._target: np.ndarray | None = None

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        """loss = -mean over the batch of sum over classes of target * log softmax(logits).

        With a one-hot target that is -mean log softmax(logits)[label].
        ``logits`` ``(B, C)``; ``labels``: ``(B,)`` class indices (or NO_CLASS),
        or ``(B, C)`` target probabilities (``target_distribution``)."""
        logp = log_softmax(logits)  # (B, C)
        self._probs = np.exp(logp)
        self._target = target_distribution(labels, logits.shape[1], logits.dtype)
        return float(-(self._target * logp).sum(axis=1).mean())

    def backward(self, divisor: int | None = None) -> np.ndarray:
        """d loss / d logits = (softmax(logits) - target) / B, ``(B, C)``.

        ``divisor``: the whole batch's size when these logits are one shard of
        it (data parallelism), so the shards' gradients add up to the batch's."""
        if self._probs is None or self._target is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward called before forward")
        return (self._probs - self._target) / (divisor or len(self._target))

    @property
    def probs(self) -> np.ndarray:
        """Softmax probabilities of the last forward pass (for running accuracy)."""
        if self._probs is None:
            raise RuntimeError("no forward pass yet")
        return self._probs

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"
