"""Take the screenshots of the built app that the README and docs/ show (docs/*.png).

    .venv/bin/python -m build.screenshots        # after a build (python3 build/dev.py setup)
    .venv/bin/python -m build.screenshots runs   # only docs/runs.png

Drives the real page in headless Chromium: draws an MNIST digit, shows the
shipped CNN's filters, evaluates it, opens the three "look inside" views,
trains the TensorFlow.js example CNN with batch norm for an epoch, draws on a
phone, and overlays two runs of the quick MLP in the run history.
"""

from __future__ import annotations

import sys

from build.browser import launch
from build.pagedriver import (
    ROOT,
    draw_strokes,
    mnist_test_images,
    set_settings,
    start_training,
    wait_evaluated,
    wait_idle,
    wait_ready,
)
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


def open_panel(page, testid: str) -> None:
    page.get_by_test_id(testid).locator("summary").click()


def runs_shot(browser, url: str) -> None:
    """Two runs of the quick MLP, one epoch each at two learning rates, overlaid."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    wait_ready(page)
    for lr in ("0.008", "0.0005"):
        page.get_by_test_id("preset-in-tab").click()
        set_settings(page, epochs=1, learning_rate=lr)
        start_training(page)
        wait_idle(page, 600_000)
    rows = page.locator('[data-testid="run-history"] tbody tr')
    for i in range(2):
        rows.nth(i).get_by_test_id("compare-run").check()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=compare-accuracy-chart] canvas').length === 1")
    page.wait_for_timeout(300)
    page.locator(".runs-card").screenshot(path=DOCS / "runs.png")
    page.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    only = sys.argv[1:]
    digits = mnist_test_images(20)
    server, url = serve_in_thread(ROOT / "dist", "/pynet/")
    with sync_playwright() as p:
        browser = launch(p)
        if only == ["runs"]:
            runs_shot(browser, url)
            browser.close()
            server.shutdown()
            print("written: docs/runs.png")
            return 0
        runs_shot(browser, url)
        page = open_and_draw(browser, url, digits[0], viewport={"width": 1280, "height": 900})  # a 7
        page.screenshot(path=DOCS / "screenshot.png")
        page.locator(".weights-card").screenshot(path=DOCS / "weights.png")  # the shipped CNN's filters

        page.get_by_test_id("evaluate").click()
        wait_evaluated(page)
        page.locator(".eval-card").screenshot(path=DOCS / "evaluation.png")

        open_panel(page, "explain")
        page.wait_for_function("() => document.querySelector('[data-testid=explain]').dataset.busy === 'false'")
        page.get_by_test_id("explain").screenshot(path=DOCS / "explain.png")
        open_panel(page, "explain")  # closed again
        open_panel(page, "step-panel")
        for stage in ("forward", "loss", "backward"):
            page.get_by_test_id("step-batch").click()
            page.wait_for_function(f"() => document.querySelector('[data-testid=step-view]').dataset.stage === '{stage}'",
                                   timeout=120_000)
        page.get_by_test_id("step-panel").screenshot(path=DOCS / "step.png")
        open_panel(page, "step-panel")
        open_panel(page, "gradient-check-panel")
        page.get_by_test_id("gradient-check").click()
        page.wait_for_function("() => document.querySelector('[data-testid=gradient-check-verdict]').dataset.maxRelError !== ''",
                               timeout=120_000)
        page.get_by_test_id("gradient-check-panel").screenshot(path=DOCS / "gradient-check.png")

        page.get_by_test_id("preset-tfjs-bn").click()  # one epoch, with batch norm
        page.get_by_test_id("train").click()
        wait_idle(page, 600_000)
        page.locator(".train-card").screenshot(path=DOCS / "training.png")

        phone = open_and_draw(browser, url, digits[1], viewport={"width": 375, "height": 667},
                              device_scale_factor=2, has_touch=True, is_mobile=True)  # a 2
        phone.screenshot(path=DOCS / "phone.png")
        browser.close()
    server.shutdown()
    print("written:", ", ".join(str(p.relative_to(ROOT)) for p in sorted(DOCS.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
