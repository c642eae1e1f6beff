"""The page in WebKit, Safari's engine (every browser on an iPhone is WebKit):
WebKitGTK's MiniBrowser under a private Xvfb, driven over WebDriver by
Selenium (``build.webkit``, ``build.webkit_page``). A smoke test: ready,
digits drawn with the mouse at two sizes, the explain panel, pictures opened
(PNG, SVG, and a PNG cut in half refused), a short training
run with its charts, Evaluate, Fine-tune, Save (the browser's real download)
→ Load with identical predictions, and an offline reload.

The browser runs with ``LANG=C.UTF-8`` and no ``LC_ALL``, as most Linux
containers do: WebKitGTK then reports ``navigator.language == "C"``, which is
not a language tag, and training must not care (issue 22)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from build import webkit
from build import webkit_page as wp
from build.handwriting import PRINTED
from build.serve import serve_in_thread

pytestmark = pytest.mark.skipif(webkit.unavailable_reason() is not None,
                                reason=f"WebKit cannot run here: {webkit.unavailable_reason()}")

def image_files(folder: Path) -> dict[str, Path]:
    """A 4 written dark on light with a thin pen (PNG), a drawing program's 7
    (SVG), and the 4's file cut in half."""
    from PIL import Image

    from build.pen_images import pen_image

    files = {name: folder / name for name in ("four.png", "seven.svg", "cut.png")}
    Image.fromarray(pen_image(PRINTED["4 closed"][1], 5, dark_on_light=True)).save(files["four.png"])
    files["seven.svg"].write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" '
        'fill="white"/><path d="M25 15 H75 L45 88" fill="none" stroke="black" stroke-width="2"/></svg>')
    whole = files["four.png"].read_bytes()
    files["cut.png"].write_bytes(whole[: len(whole) // 2])
    return files


def test_webkit_smoke(dist_dir, tmp_path, capsys):
    server, url = serve_in_thread(dist_dir, "/pynet/")
    result: dict = {}
    try:
        with webkit.launch(lang="C.UTF-8") as browser:
            driver = browser.driver
            result["version"] = webkit.version(driver)
            driver.get(url)
            result["ready_ms"] = round(wp.wait_ready(driver))
            result["navigator_language"] = driver.execute_script("return navigator.language;")
            assert result["navigator_language"] == "C"  # the locale of issue 22, as WebKitGTK reports it
            # WebKit reports 4 cores for any device with fewer than 8 (2 here): the
            # form does not trust it past 2 workers, and says why.
            cores = driver.execute_script("return navigator.hardwareConcurrency;")
            workers = driver.execute_script("return document.querySelector('[data-testid=workers]').value;")
            hint = driver.execute_script("return document.querySelector('[data-testid=hint-workers]').textContent;")
            result["reported_cores"], result["default_workers"] = cores, workers
            assert int(workers) == min(2, cores), (cores, workers)
            assert ("fewer than 8" if cores < 8 else "8 cores or more") in hint, hint
            from tests.e2e.test_site import SELECT_CHOICES_CUT_SHORT

            assert driver.execute_script(f"return ({SELECT_CHOICES_CUT_SHORT})();") == []  # at the window's width

            # Digits drawn with the mouse, large and small, in two places.
            for name in ("7 plain", "2 curved", "4 closed"):
                digit, strokes = PRINTED[name]
                for share, left, top in ((0.8, 0.1, 0.1), (0.3, 0.55, 0.05)):
                    got = wp.draw_and_classify(driver, strokes, share, left, top)["digit"]
                    assert got == digit, f"{name} at {share:.0%} of the canvas was read as {got}"

            # A number on the wide drawing area: a 2 and a 7 side by side, then the square area again.
            wp.click(driver, "draw-wide")
            wp.click(driver, "clear")  # the last digit drawn is kept by the switch: cleared, as a person starting a number does
            wp.draw_path(driver, PRINTED["2 curved"][1], 0.2, 0.04, 0.1)
            wp.draw_path(driver, PRINTED["7 plain"][1], 0.2, 0.28, 0.1)
            wp.prediction(driver)
            number = driver.execute_script("return document.querySelector('[data-testid=prediction]').textContent;")
            assert number == "27", f"the number 27 was read as {number!r}"
            wp.click(driver, "draw-wide")

            # The explain panel follows the drawing (the shipped CNN's layers).
            driver.find_element("css selector", '[data-testid="explain"] summary').click()
            seven = PRINTED["7 plain"][1]
            wp.draw_and_classify(driver, seven, 0.7, 0.15, 0.15)
            explained = wp.wait_until(driver, """const el = document.querySelector('[data-testid=explain]');
                return el.dataset.busy === 'false' && el.dataset.digit !== '' &&
                    {digit: Number(el.dataset.digit), layers: Number(document.querySelector('[data-testid=activations]').dataset.layers)};""",
                30, "the explanation did not appear")
            assert explained["digit"] == 7 and explained["layers"] >= 4, explained

            # Open an image (WebKit's own decoder): a thin-pen 4, an SVG 7, and the
            # 4's file cut in half, which is refused from its structure.
            images = image_files(tmp_path)
            opened = [wp.open_image(driver, images[name]) for name in ("four.png", "seven.svg", "cut.png")]
            assert [(o["digit"], o["error"]) for o in opened[:2]] == [("4", ""), ("7", "")], opened
            assert "damaged or truncated" in opened[2]["error"] and "cut.png" in opened[2]["error"], opened
            wp.click(driver, "error-dismiss")

            # A short training run of the quick MLP on two workers (a helper
            # Pyodide in a nested worker), stopped part-way.
            wp.click(driver, "preset-in-tab")
            wp.set_field(driver, "workers", "2")
            wp.start_training(driver)
            wp.wait_samples(driver, 8000)
            wp.click(driver, "stop")
            wp.wait_model(driver, "trained-1")
            wp.wait_idle(driver)
            charts = driver.execute_script("""return {
                canvases: document.querySelectorAll('[data-testid=loss-chart] canvas, [data-testid=accuracy-chart] canvas').length,
                note: document.querySelector('[data-testid=charts-note]').hidden ? '' :
                    document.querySelector('[data-testid=charts-note]').textContent,
                error: document.querySelector('[data-testid=error]').hidden ? '' :
                    document.querySelector('[data-testid=error-text]').textContent};""")
            assert charts == {"canvases": 2, "note": "", "error": ""}, charts  # uPlot loads despite "C"
            result["samples_per_sec"] = int(wp.attribute(driver, "train-progress", "data-samples-per-sec"))
            time.sleep(0.5)  # the footer's memory reading follows the run
            result["wasm_memory_mb_after_training"] = round(wp.wasm_memory_bytes(driver) / 2**20)
            assert wp.attribute(driver, "train-progress", "data-workers") == "2"
            helper_bytes = json.loads(wp.wait_until(
                driver, "const b = document.querySelector('[data-testid=memory]').dataset.helperBytes;"
                        "return b && b !== '[]' ? b : null;", 30, "no helper worker's memory was shown"))
            result["helper_wasm_memory_mb"] = [round(b / 2**20) for b in helper_bytes]

            # Evaluate it, then fine-tune it on a taught drawing (still with "C").
            wp.click(driver, "evaluate")
            result["test_accuracy"] = float(wp.wait_until(
                driver, "return document.querySelector('[data-testid=test-accuracy]').dataset.value;", 60,
                "the evaluation did not finish"))
            assert result["test_accuracy"] > 0.8  # the quick MLP after 8,000 samples: about 89 %
            wp.draw_and_classify(driver, seven, 0.8, 0.1, 0.1)
            wp.set_field(driver, "teach-label", "7")
            wp.click(driver, "teach-add")
            wp.wait_until(driver, "return document.querySelector('[data-testid=teach-count]').dataset.count === '1';", 10,
                          "the sample was not added")
            wp.click(driver, "fine-tune")
            wp.wait_model(driver, "trained-1+you-1")
            wp.wait_idle(driver)

            # Save downloads the model; loading that file through the page's own file
            # input gives identical predictions.
            before = wp.prediction(driver)  # the fine-tuned model's answer to the drawing
            wp.click(driver, "save-model")
            saved = wp.wait_for_download(browser.downloads / "pynet-trained-1+you-1.npz")
            from pynet.io.model_file import load_model

            assert load_model(saved).model.config.hidden == (128,)  # CPython reads the download unchanged
            driver.find_element("css selector", '[data-testid="load-model"]').send_keys(str(saved))
            wp.wait_model(driver, "pynet-trained-1+you-1", 30)
            after = wp.prediction(driver)  # the page classifies the same drawing with the loaded model
            assert after["probs"] == before["probs"]

            # Offline: the service worker has the build; the server goes away; reload.
            wp.wait_until(driver, "return navigator.serviceWorker?.controller != null;", 60,
                          "no service worker took control")
            server.shutdown()
            server.server_close()
            driver.refresh()
            result["offline_ready_ms"] = round(wp.wait_ready(driver))
            assert wp.draw_and_classify(driver, seven, 0.6, 0.2, 0.2)["digit"] == 7
    finally:
        server.shutdown()
        server.server_close()
    with capsys.disabled():
        print("\nWebKit:", json.dumps(result))
    assert result["ready_ms"] < 60_000
