"""Take the README's screenshots of the built app (docs/*.png).

    .venv/bin/python -m build.screenshots     # after a build (python3 build/dev.py setup)

Drives the real page in headless Chromium: draws an MNIST digit, trains a
short run, evaluates the model and shows its first-layer weights.
"""

from __future__ import annotations

import sys

from build.browser import launch
from build.pagedriver import ROOT, draw_strokes, mnist_test_images, set_settings, wait_evaluated, wait_idle, wait_ready
from build.serve import serve_in_thread

DOCS = ROOT / "docs"


def open_and_draw(browser, url: str, image, **page_options):
    """A fresh page, ready, with ``image`` drawn and classified."""
    page = browser.new_page(**page_options)
    page.goto(url)
    wait_ready(page)
    draw_strokes(page, image)
    page.wait_for_selector('[data-testid="prediction"][data-busy="false"]')
    return page


def main() -> int:
    from playwright.sync_api import sync_playwright

    digits = mnist_test_images(20)
    server, url = serve_in_thread(ROOT / "dist", "/pynet/")
    with sync_playwright() as p:
        browser = launch(p)
        page = open_and_draw(browser, url, digits[0], viewport={"width": 1280, "height": 900})  # a 7
        page.screenshot(path=DOCS / "screenshot.png")

        set_settings(page, **{"hidden-layers": "128", "epochs": 2})
        page.get_by_test_id("train").click()
        wait_idle(page)
        page.locator(".train-card").screenshot(path=DOCS / "training.png")

        page.get_by_test_id("evaluate").click()
        wait_evaluated(page)
        page.locator(".eval-card").screenshot(path=DOCS / "evaluation.png")
        page.locator(".weights-card").screenshot(path=DOCS / "weights.png")

        phone = open_and_draw(browser, url, digits[1], viewport={"width": 375, "height": 667},
                              device_scale_factor=2)  # a 2
        phone.screenshot(path=DOCS / "phone.png")
        browser.close()
    server.shutdown()
    print("written:", ", ".join(str(p.relative_to(ROOT)) for p in sorted(DOCS.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
