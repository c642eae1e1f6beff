"""End-to-end fixtures: the built site served under a sub-path, a Chromium
(system one preferred), and a page that records requests and console errors.
Page actions live in ``build.pagedriver`` (shared with the benchmark)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from build.browser import CHROMIUM_ARGS, system_chromium
from build.pagedriver import first_test_digit_of_each_class, wait_ready
from build.serve import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
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
    dist = Path(os.environ.get("PYNET_DIST", ROOT / "dist"))  # another build of the site, for side-by-side work
    if not (dist / "index.html").exists():
        from build.build_site import build

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


@pytest.fixture
def app(page, site_url, page_log):
    """The app, loaded and ready to classify."""
    page.on("console", lambda m: page_log.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_log.errors.append(str(e)))
    page.goto(site_url)
    wait_ready(page)
    return page


@pytest.fixture(scope="session")
def mnist_test_digits() -> dict:
    """The first test image of each digit, as 28x28 uint8."""
    return first_test_digit_of_each_class()
