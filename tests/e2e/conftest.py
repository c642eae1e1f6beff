"""End-to-end fixtures: the built site served under a sub-path, a Chromium
(system one preferred), and a page that records requests and console errors."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))

from browser import CHROMIUM_ARGS, system_chromium  # noqa: E402
from serve import serve_in_thread  # noqa: E402

from pynet.data import find_mnist_dir, read_idx  # noqa: E402

BASE = "/pynet/"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Prefer a system Chromium (Playwright cannot download browsers everywhere)."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    exe = system_chromium()
    if exe:
        args["executable_path"] = exe
    return args


@pytest.fixture(scope="session")
def dist_dir() -> Path:
    dist = ROOT / "dist"
    if not (dist / "index.html").exists():
        from build_site import build

        build(dist)
    return dist


@pytest.fixture(scope="session")
def site_url(dist_dir) -> str:
    server, url = serve_in_thread(dist_dir, BASE)
    yield url
    server.shutdown()


class PageLog:
    """Everything the page asked for and complained about."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []

    def foreign_requests(self, site_url: str) -> list[str]:
        origin = urlparse(site_url).netloc
        return [u for u in self.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).netloc != origin]


@pytest.fixture
def page_log(context) -> PageLog:
    log = PageLog()
    context.on("request", lambda req: log.requests.append(req.url))
    return log


def wait_ready(page, timeout: float = 60_000) -> None:
    page.wait_for_selector('[data-testid="status"][data-state="ready"]', timeout=timeout)


@pytest.fixture
def app(page, site_url, page_log):
    """The app, loaded and ready to classify."""
    page.on("console", lambda m: page_log.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_log.errors.append(str(e)))
    page.goto(site_url)
    wait_ready(page)
    return page


def mnist_digits_for_bench(n: int) -> np.ndarray:
    """The first ``n`` MNIST test images, 28x28 uint8."""
    return read_idx(find_mnist_dir(ROOT) / "t10k-images-idx3-ubyte")[:n]


@pytest.fixture(scope="session")
def mnist_test_digits() -> dict[int, np.ndarray]:
    """The first test image of each digit, as 28x28 uint8."""
    directory = find_mnist_dir(ROOT)
    images = read_idx(directory / "t10k-images-idx3-ubyte")
    labels = read_idx(directory / "t10k-labels-idx1-ubyte")
    return {d: images[np.flatnonzero(labels == d)[0]] for d in range(10)}


def draw_strokes(page, image: np.ndarray, threshold: int = 128) -> None:
    """Draw a 28x28 image as mouse strokes: one horizontal drag per run of
    bright pixels in each row (real pointer events, no pixel injection)."""
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


def settled_prediction(page) -> dict:
    """Wait until no classification is pending, then read the prediction."""
    page.wait_for_selector('[data-testid="prediction"][data-busy="false"]', timeout=10_000)
    pred = page.get_by_test_id("prediction")
    probs = [float(page.get_by_test_id(f"prob-{d}").get_attribute("data-value")) for d in range(10)]
    return {"text": pred.text_content(), "confidence": pred.get_attribute("data-confidence"), "probs": probs}
