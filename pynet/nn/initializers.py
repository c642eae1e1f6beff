"""Weight initialisers, seeded through an explicit ``np.random.Generator``."""

from __future__ import annotations

import numpy as np

INITIALIZERS = ("he", "glorot")


def init_weights(
    kind: str, n_in: int, n_out: int, rng: np.random.Generator, dtype: np.dtype | type
) -> np.ndarray:
    """He-normal suits ReLU layers (keeps activation variance ~constant);
    Glorot-uniform suits the linear output layer feeding softmax."""
    if kind == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    elif kind == "glorot":
        limit = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-limit, limit, size=(n_in, n_out))
    else:
        raise ValueError(f"unknown initialiser {kind!r}; choose one of {INITIALIZERS}")
    return w.astype(dtype)
