"""How long the page takes to read a number while it is written: in Chromium,
the time from the last ink change to the number shown (``prediction``'s
``data-latency-ms``), the sixth digit of "420753" on the wide drawing area
undone and drawn again fast, ``--times`` times; beside it, in another tab in
turn, a lone 3 on the square area, the same way.

    python -m build.number_latency [--dist dist] [--times 40]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from build.browser import CHROMIUM_ARGS, system_chromium
from build.handwriting import PRINTED
from build.pagedriver import draw_path, settled_prediction, wait_ready
from build.serve import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
NUMBER = ("4 open", "2 curved", "0 oval", "7 plain", "5 classic", "3 round")


def _redraw(page, wide: bool) -> float:
    """Undo the last digit, draw it again fast; the latency of the answer (ms)."""
    page.bring_to_front()
    page.get_by_test_id("undo").click()
    settled_prediction(page)
    if wide:
        draw_path(page, PRINTED[NUMBER[-1]][1], 0.13, 0.02 + 0.16 * (len(NUMBER) - 1), 0.3, steps=1)
    else:
        draw_path(page, PRINTED[NUMBER[-1]][1], 0.8, 0.1, 0.1, steps=1)
    settled_prediction(page)
    return float(page.get_by_test_id("prediction").get_attribute("data-latency-ms"))


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--times", type=int, default=40)
    args = parser.parse_args(argv)
    server, url = serve_in_thread(args.dist, "/pynet/")
    try:
        with sync_playwright() as p:
            exe = system_chromium()
            browser = p.chromium.launch(args=CHROMIUM_ARGS, **({"executable_path": exe} if exe else {}))
            pages = {}
            for wide in (True, False):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                wait_ready(page)
                if wide:
                    page.get_by_test_id("draw-wide").click()
                    for k, name in enumerate(NUMBER):
                        draw_path(page, PRINTED[name][1], 0.13, 0.02 + 0.16 * k, 0.3, steps=2)
                else:
                    draw_path(page, PRINTED[NUMBER[-1]][1], 0.8, 0.1, 0.1, steps=2)
                print(f"read: {settled_prediction(page)['text']}", flush=True)
                pages[wide] = page
            latency: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(args.times):
                for wide, page in pages.items():
                    latency[wide].append(_redraw(page, wide))
            for wide, ms in latency.items():
                print(f"{'6 digits' if wide else '1 digit '}: p50 {np.percentile(ms, 50):.1f} ms, "
                      f"p95 {np.percentile(ms, 95):.1f} ms ({len(ms)} times)")
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
