"""The page's requests about the drawing: its answer (``classify``) and the
network's input for teaching (``preprocess_sample``). The first answer the
page waits for, so this imports only what it needs: the strokes' rendering,
the active model's forward pass, and judging its confidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from pynet.input.strokes import ON_SCREEN_PEN, check_strokes, drop_stray_marks, drop_underline, render_strokes
from pynet.training.confidence import judge

from .models import ModelRegistry
from .values import as_bytes

MAX_CANVAS = 10_000  # units along each side of the drawing's canvas


def drawing_input(points: Any, lengths: Any, width: float, height: float) -> np.ndarray | None:
    """A drawing as pen strokes -> the ``(784,)`` input the network sees, or
    None when nothing is drawn. ``points`` are float32 (x, y) pairs in canvas
    units, ``lengths`` the number of points of each stroke (int32),
    ``width``/``height`` the canvas's size. Stray marks away from the digit
    and an underline are left out. Raises ValueError when the lengths do not
    match the points or the canvas is out of range."""
    xy = np.frombuffer(as_bytes(points), dtype=np.float32).reshape(-1, 2)
    counts = np.frombuffer(as_bytes(lengths), dtype=np.int32)
    if (counts <= 0).any() or int(counts.sum()) != len(xy):
        raise ValueError(f"the strokes' lengths ({int(counts.sum())} points) do not match the {len(xy)} points")
    if not (0 < width <= MAX_CANVAS and 0 < height <= MAX_CANVAS):
        raise ValueError(f"the canvas must be 1 to 10,000 units wide and high, got {width} x {height}")
    if not len(counts):
        return None
    joined = ON_SCREEN_PEN * width  # marks closer than the pen on screen look joined: never left out
    strokes = drop_underline(drop_stray_marks(check_strokes(np.split(xy, np.cumsum(counts)[:-1])), joined), joined)
    return render_strokes(strokes, canvas_size=max(width, height))


def classification(models: ModelRegistry, x: np.ndarray, what: str, doubt: str = "", cleaned: str = ""
                   ) -> dict[str, Any]:
    """The active model's answer for the input ``x`` ``(784,)`` of a ``what``
    (a drawing, an image): ``confidence.judge``'s (digit, confidence, unsure,
    alternatives; for a picture, the picture path's ``doubt`` and what it
    ``cleaned``, ``preprocess.Picture``), all ten probabilities, and the
    28x28 input (784 bytes).
    Raises RuntimeError without a model, ValueError when its outputs overflow."""
    with np.errstate(all="ignore"):
        probs = models.entry().model.predict_proba(x[None])[0]
    if not np.isfinite(probs).all():  # a loaded model that passed io's probe but overflows here
        raise ValueError(f"model {models.active} gives no valid answer for this {what} (its outputs overflow); "
                         "choose or train another model")
    return judge(probs, bool(doubt), bool(cleaned)) | {"probs": [float(p) for p in probs], "input": np.round(x * 255).astype(np.uint8).tobytes()}


class DrawingRequests:
    """``classify`` and ``preprocess_sample``, answered by ``models``' active model."""

    def __init__(self, models: ModelRegistry) -> None:
        self.models = models

    def classify(self, points: Any, lengths: Any, width: float, height: float) -> dict[str, Any] | None:
        """A drawing (as ``drawing_input`` takes it) -> ``classification``;
        None when nothing is drawn. Raises as those two."""
        x = drawing_input(points, lengths, width, height)
        return None if x is None else classification(self.models, x, "drawing")

    @staticmethod
    def preprocess_sample(points: Any, lengths: Any, width: float, height: float) -> bytes | None:
        """The drawing as the 784 float32 values the model sees (for teaching),
        or None when nothing is drawn. Raises as ``drawing_input``."""
        x = drawing_input(points, lengths, width, height)
        return None if x is None else x.astype(np.float32).tobytes()
