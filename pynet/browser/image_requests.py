"""The page's requests about an opened image ("Open an image"): the browser
decodes the file and sends its RGBA pixels; ``preprocess.read_picture``
turns them into the network's input, which is then answered, taught and
explained exactly as a drawing's (the answer unsure, too, when the picture
path doubts its reading). Loaded when the first image is opened."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from pynet.input.preprocess import Picture, read_picture
from pynet.inside.explain import explain

from .drawing_requests import classification
from .models import ModelRegistry
from .values import as_bytes

MAX_IMAGE_SIDE = 4096  # pixels along each side of an opened image (the page sends at most 640)


def picture_input(pixels: Any, width: int, height: int) -> Picture:
    """RGBA pixels (``width`` x ``height`` x 4 bytes, rows top to bottom, as
    canvas ``getImageData`` gives them) -> the ``Picture``: the ``(784,)``
    float32 input and the picture path's doubt about it.
    ValueError when the size is out of range, the bytes do not match it, or
    the picture holds no digit."""
    if not all(isinstance(v, (int, float)) and float(v).is_integer() and 0 < v <= MAX_IMAGE_SIDE
               for v in (width, height)):
        raise ValueError(f"an image must be 1 to {MAX_IMAGE_SIDE:,} pixels wide and high, got {width} x {height}")
    width, height = int(width), int(height)
    data = as_bytes(pixels)
    if len(data) != width * height * 4:
        raise ValueError(f"{len(data):,} bytes of pixels do not make a {width} x {height} RGBA image")
    picture = read_picture(np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4))
    if picture is None:
        raise ValueError("no digit found in the image: it is blank, too faint, or holds only specks")
    return picture


class ImageRequests:
    """``classify_image``, ``preprocess_image_sample`` and ``explain_image``,
    answered by ``models``' active model."""

    def __init__(self, models: ModelRegistry) -> None:
        self.models = models

    def classify_image(self, pixels: Any, width: int, height: int) -> dict[str, Any]:
        """A picture -> what ``classify`` returns for a drawing (the answer,
        ten probabilities, the 28x28 input; unsure when the picture path
        doubts its reading), and ``preprocess_ms``, the time
        ``picture_input`` took (the benchmark reads it). ValueError as
        ``picture_input``."""
        start = time.perf_counter()
        picture = picture_input(pixels, width, height)
        elapsed = (time.perf_counter() - start) * 1000
        return classification(self.models, picture.input, "image", picture.doubt, picture.cleaned) | \
            {"preprocess_ms": round(elapsed, 2)}

    @staticmethod
    def preprocess_image_sample(pixels: Any, width: int, height: int) -> bytes:
        """The picture as the 784 float32 values the model sees (for teaching)."""
        return picture_input(pixels, width, height).input.astype(np.float32).tobytes()

    def explain_image(self, pixels: Any, width: int, height: int) -> dict[str, Any]:
        """``explain`` for a picture. ValueError as ``picture_input``."""
        return explain(self.models.entry().model, picture_input(pixels, width, height).input) | {"model": self.models.active}
