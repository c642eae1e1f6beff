"""Classification metrics computed from true and predicted labels."""

from __future__ import annotations

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions that match (0.0 for empty input)."""
    return float(np.mean(y_true == y_pred)) if len(y_true) else 0.0


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """``cm[t, p]`` counts samples of true class ``t`` predicted as ``p``."""
    flat = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_accuracy(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Recall of each class (NaN for a class with no samples)."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    support = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, np.diag(cm) / support, np.nan)


def prediction_distribution(y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """How often each class was predicted."""
    return np.bincount(np.asarray(y_pred, dtype=np.int64), minlength=n_classes)


def misclassified_indices(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Indices of the samples the model got wrong, in order."""
    return np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))


def classification_report(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> dict:
    """All of the above as plain Python lists (JSON-ready)."""
    return {
        "accuracy": accuracy(y_true, y_pred),
        "per_class_accuracy": [None if np.isnan(a) else float(a) for a in per_class_accuracy(y_true, y_pred, n_classes)],
        "confusion_matrix": confusion_matrix(y_true, y_pred, n_classes).tolist(),
        "prediction_distribution": prediction_distribution(y_pred, n_classes).tolist(),
        "n_samples": int(len(y_true)),
    }
