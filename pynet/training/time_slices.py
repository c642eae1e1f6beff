"""Work done in time slices: the browser worker runs long passes in slices of
about 50 ms and classifies drawings in between (the end of a run, Evaluate,
a helper-less share of the logits), so a pass yields a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pynet.nn.model import Sequential

SLICE_FLOATS = 2_000_000  # activations per chunk: ~30 ms of the shipped CNN in the tab


def slice_rows(model: Sequential) -> int:
    """Rows per chunk: about ``SLICE_FLOATS`` floats of activations (16 to 2,048 rows)."""
    return max(16, min(2048, SLICE_FLOATS // model.config.training_floats_per_sample()))


def logits_in_chunks(model: Sequential, x: np.ndarray, rows: int | None = None) -> Iterator[np.ndarray]:
    """``model.logits(x)``, ``rows`` rows at a time (by default ``slice_rows``):
    yields ``(rows, n_classes)`` arrays in order."""
    rows = rows or slice_rows(model)
    for i in range(0, len(x), rows):
        yield model.logits(x[i : i + rows], rows)
