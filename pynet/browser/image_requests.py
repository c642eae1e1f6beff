"""The page's requests about an opened image ("Open an image"): the browser
decodes the file and sends its RGBA pixels; ``number_picture.picture_digits``
finds the number's digits and ``preprocess.preprocess_image`` turns each (or
the picture of one digit) into the network's input, which is then answered,
taught and explained exactly as a drawing's. Loaded when the first image is
opened."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from pynet.input.number_drawing import FoundDigit
from pynet.input.number_picture import picture_number
from pynet.input.preprocess import preprocess_image
from pynet.inside.explain import explain

from .drawing_requests import nth_digit, number_classification
from .models import ModelRegistry
from .values import as_bytes

MAX_IMAGE_SIDE = 4096  # pixels along each side of an opened image (the page sends at most 640)


def picture_pixels(pixels: Any, width: int, height: int) -> np.ndarray:
    """RGBA pixels (``width`` x ``height`` x 4 bytes, rows top to bottom, as
    canvas ``getImageData`` gives them) -> ``(height, width, 4)`` uint8.
    ValueError when the size is out of range or the bytes do not match it."""
    if not all(isinstance(v, (int, float)) and float(v).is_integer() and 0 < v <= MAX_IMAGE_SIDE
               for v in (width, height)):
        raise ValueError(f"an image must be 1 to {MAX_IMAGE_SIDE:,} pixels wide and high, got {width} x {height}")
    width, height = int(width), int(height)
    data = as_bytes(pixels)
    if len(data) != width * height * 4:
        raise ValueError(f"{len(data):,} bytes of pixels do not make a {width} x {height} RGBA image")
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)


NO_DIGIT = "no digit found in the image: it is blank, too faint, or holds only specks"


def picture_found(image: np.ndarray, read=None) -> list[FoundDigit]:
    """``number_picture.picture_number``; ValueError when the picture holds no digit."""
    found = picture_number(image, read)
    if not found:
        raise ValueError(NO_DIGIT)
    return found


def picture_input(pixels: Any, width: int, height: int, digit: Any = None, read=None) -> np.ndarray:
    """A picture (as ``picture_pixels`` takes it) -> the ``(784,)`` float32
    input: the whole picture as one digit when ``digit`` is None, else that
    digit (0 at the left) of the number it holds. ValueError as
    ``picture_pixels``, when the picture holds no digit, or no such digit.
    ``read``: as ``picture_found``'s (the same as ``classify_image``'s, so
    the digits are the ones the page shows)."""
    image = picture_pixels(pixels, width, height)
    if digit is None:
        x = preprocess_image(image)
        if x is None:
            raise ValueError(NO_DIGIT)
        return x
    x = nth_digit(picture_found(image, read), digit)
    assert x is not None  # picture_found found at least one digit or raised
    return x


class ImageRequests:
    """``classify_image``, ``preprocess_image_sample`` and ``explain_image``,
    answered by ``models``' active model."""

    def __init__(self, models: ModelRegistry) -> None:
        self.models = models

    def classify_image(self, pixels: Any, width: int, height: int) -> dict[str, Any]:
        """A picture -> what ``classify`` returns for a drawing (the number:
        the first digit's answer, ten probabilities and 28x28 input, then
        ``number`` and ``digits``, boxes in the picture's pixels), and
        ``preprocess_ms``, the time finding and preparing the digits took
        (the benchmark reads it). ValueError as ``picture_found``."""
        start = time.perf_counter()
        image = picture_pixels(pixels, width, height)
        found = picture_found(image, self._read)
        elapsed = (time.perf_counter() - start) * 1000
        answer = number_classification(self.models, found, "image")
        assert answer is not None  # picture_found found at least one digit or raised
        return answer | {"preprocess_ms": round(elapsed, 2)}

    def _read(self, x: np.ndarray) -> np.ndarray:
        """The active model's probabilities ``(k, 10)`` for inputs ``(k, 784)``."""
        with np.errstate(all="ignore"):
            return np.nan_to_num(self.models.entry().model.predict_proba(x))

    def preprocess_image_sample(self, pixels: Any, width: int, height: int, digit: Any = None) -> bytes:
        """The picture (or its digit ``digit``) as the 784 float32 values the
        model sees (for teaching). ValueError as ``picture_input``."""
        return picture_input(pixels, width, height, digit, self._read).astype(np.float32).tobytes()

    def explain_image(self, pixels: Any, width: int, height: int, digit: Any = None) -> dict[str, Any]:
        """``explain`` for a picture (or its digit ``digit``). ValueError as ``picture_input``."""
        x = picture_input(pixels, width, height, digit, self._read)
        return explain(self.models.entry().model, x) | {"model": self.models.active}
