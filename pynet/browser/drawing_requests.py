"""The page's requests about the drawing: its answer (``classify``: the
number it holds, digit by digit) and the network's input for teaching
(``preprocess_sample``). The first answer the page waits for, so this imports
only what it needs: the strokes' grouping and rendering, the active model's
forward pass, and judging its confidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from pynet.input.number_drawing import FoundDigit, drawing_digits, single_digit
from pynet.input.strokes import check_strokes
from pynet.input.test_time import read
from pynet.training.confidence import judge_digits

from .models import ModelRegistry
from .values import as_bytes

MAX_CANVAS = 10_000  # units along each side of the drawing's canvas


def drawing_strokes(points: Any, lengths: Any, width: float, height: float) -> list[np.ndarray]:
    """A drawing as the page sends it -> its checked strokes ``(n, 2)``.
    ``points`` are float32 (x, y) pairs in canvas units, ``lengths`` the
    number of points of each stroke (int32), ``width``/``height`` the
    canvas's size. Raises ValueError when the lengths do not match the points
    or the canvas is out of range."""
    xy = np.frombuffer(as_bytes(points), dtype=np.float32).reshape(-1, 2)
    counts = np.frombuffer(as_bytes(lengths), dtype=np.int32)
    if (counts <= 0).any() or int(counts.sum()) != len(xy):
        raise ValueError(f"the strokes' lengths ({int(counts.sum())} points) do not match the {len(xy)} points")
    if not (0 < width <= MAX_CANVAS and 0 < height <= MAX_CANVAS):
        raise ValueError(f"the canvas must be 1 to 10,000 units wide and high, got {width} x {height}")
    return check_strokes(np.split(xy, np.cumsum(counts)[:-1])) if len(counts) else []


def nth_digit(found: list[FoundDigit], digit: Any) -> np.ndarray | None:
    """The input of digit ``digit`` (0 at the left) of ``found``; None when
    nothing was found. ValueError when there is no such digit."""
    if not found:
        return None
    if isinstance(digit, bool) or not isinstance(digit, (int, float)) or not float(digit).is_integer() \
            or not 0 <= digit < len(found):
        raise ValueError(f"there is no digit {digit!r}: the number has {len(found)} digit(s), 0 to {len(found) - 1}")
    return found[int(digit)].x


def drawing_input(points: Any, lengths: Any, width: float, height: float, digit: Any = None) -> np.ndarray | None:
    """A drawing -> the ``(784,)`` input the network sees, or None when
    nothing is drawn: with ``digit`` None, the whole drawing as one digit
    (stray marks and an underline left out: ``number_drawing.single_digit``);
    else that digit of the number it holds (0 at the left). Raises as
    ``drawing_strokes`` and ``nth_digit``."""
    strokes = drawing_strokes(points, lengths, width, height)
    if not strokes:
        return None
    if digit is None:
        return single_digit(strokes, width, height)
    return nth_digit(drawing_digits(strokes, width, height), digit)


def number_classification(models: ModelRegistry, found: list[FoundDigit], what: str) -> dict[str, Any] | None:
    """The active model's answer for each digit of a number, each read as
    given and in four more views (``test_time.read``, one forward pass):
    each digit's ``confidence.judge_digits`` (digit, confidence, unsure,
    alternatives, doubt; a number's digits held to a higher bar; why it is unsure
    in words, ``why``, as ``pynet predict`` says it), all ten probabilities, its 28x28 input (784 bytes)
    and its ``box`` (x0, y0, x1, y1 in the drawing's or picture's units),
    as ``digits``; the first digit's fields but its box (a single digit's
    answer, as before numbers); and ``number``, the digits read as a string.
    None when ``found`` is empty. Raises RuntimeError without a model,
    ValueError when its outputs overflow."""
    if not found:
        return None
    x = np.stack([f.x for f in found])
    with np.errstate(all="ignore"):
        probs = read(models.entry().model.predict_proba, x)
    if not np.isfinite(probs).all():
        raise ValueError(f"model {models.active} gives no valid answer for this {what} (its outputs overflow); "
                         "choose or train another model")
    digits = [a | {"probs": [float(v) for v in p],
                   "input": np.round(f.x * 255).astype(np.uint8).tobytes(),
                   "box": [round(float(v), 1) for v in f.box]}
              for a, p, f in zip(judge_digits(probs, found), probs, found)]
    first = {k: v for k, v in digits[0].items() if k != "box"}
    return first | {"number": "".join(str(d["digit"]) for d in digits), "digits": digits}


class DrawingRequests:
    """``classify`` and ``preprocess_sample``, answered by ``models``' active model."""

    def __init__(self, models: ModelRegistry) -> None:
        self.models = models
        self.rendered: dict = {}  # the digits last drawn, by their strokes (number_drawing.drawing_digits)

    def classify(self, points: Any, lengths: Any, width: float, height: float) -> dict[str, Any] | None:
        """A drawing (as ``drawing_strokes`` takes it) -> the number it holds
        (``number_classification``; one digit: ``classification``'s answer
        with ``number`` and ``digits`` beside it); None when nothing is
        drawn. Raises as ``drawing_strokes``, ``number_classification``, and
        ValueError for more than ``number_drawing.MAX_DIGITS`` digits."""
        strokes = drawing_strokes(points, lengths, width, height)
        return number_classification(self.models, drawing_digits(strokes, width, height, self.rendered), "drawing")

    @staticmethod
    def preprocess_sample(points: Any, lengths: Any, width: float, height: float, digit: Any = None) -> bytes | None:
        """The drawing (or its digit ``digit``) as the 784 float32 values the
        model sees (for teaching), or None when nothing is drawn. Raises as
        ``drawing_input``."""
        x = drawing_input(points, lengths, width, height, digit)
        return None if x is None else x.astype(np.float32).tobytes()
