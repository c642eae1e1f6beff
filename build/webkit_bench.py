"""WebKit's part of ``python3 build/dev.py bench`` (``build.bench``): the app's
cold start next to a bare Pyodide + NumPy worker in the same browser, the quick
MLP's in-tab training throughput, and Python's wasm memory after that run.

The bare page (written to a temporary directory, served beside dist/, never
shipped) starts the same Pyodide files the app ships in a module worker and
imports NumPy from the same wheel: what any Pyodide app pays before its own
code runs. Each cold start is a fresh MiniBrowser (an ephemeral profile: no
HTTP cache, no service worker); bare and app runs alternate, so a change in the
shared machine's speed hits both alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from build import webkit
from build import webkit_page as wp
from build.serve import serve_in_thread

THROUGHPUT_SAMPLES = 20_000

BARE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pyodide + NumPy, nothing else</title>
<script type="module" src="bare.js"></script></head><body>starting</body></html>
"""
BARE_PAGE_JS = """// Starts the worker; records when it answers (ms since navigation start, like the app's readyAt).
const worker = new Worker(new URL("./bare-worker.js", import.meta.url), { type: "module" });
worker.onmessage = (event) => {
  document.body.dataset.readyAt = performance.now().toFixed(0);
  document.body.dataset.timings = JSON.stringify(event.data);
  document.body.textContent = "ready";
};
"""
BARE_WORKER_JS = """import { loadPyodide } from "./pyodide/pyodide.mjs";
const t0 = performance.now();
const pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href, packages: [] });
const t1 = performance.now();
await pyodide.loadPackage(new URL("./%(numpy_wheel)s", import.meta.url).href, { messageCallback: () => {} });
pyodide.runPython("import numpy");
self.postMessage({ runtime_ms: t1 - t0, numpy_ms: performance.now() - t1 });
"""


def write_bare_site(dist: Path, out: Path) -> Path:
    """The bare Pyodide + NumPy page in ``out``, using dist/'s Pyodide and NumPy wheel."""
    assets = json.loads((dist / "manifest.json").read_text())["assets"]
    (out / "index.html").write_text(BARE_HTML)
    (out / "bare.js").write_text(BARE_PAGE_JS)
    (out / "bare-worker.js").write_text(BARE_WORKER_JS % {"numpy_wheel": assets["numpy_wheel"]})
    (out / "pyodide").symlink_to(dist / "pyodide", target_is_directory=True)
    (out / "wheels").symlink_to(dist / "wheels", target_is_directory=True)
    return out


def cold_start(url: str, timings_key: str, timeout_s: float = 120.0) -> dict:
    """A fresh MiniBrowser opens ``url``: milliseconds from navigation start to
    the page's ``data-ready-at``, and the page's own breakdown of them (the
    ``data-`` attribute ``timings_key`` of its body)."""
    with webkit.launch() as browser:
        driver = browser.driver
        driver.get(url)
        ready = float(wp.wait_until(driver, "return document.body.dataset.readyAt;", timeout_s, f"{url} was not ready"))
        breakdown = json.loads(driver.execute_script("return document.body.dataset[arguments[0]];", timings_key))
        return {"ready_ms": round(ready), "breakdown_ms": {k: round(v) for k, v in breakdown.items()}}


def mlp_throughput(url: str) -> dict:
    """Samples/s of the quick MLP's network (784-128-10, Adam, batch 128) over
    ``THROUGHPUT_SAMPLES`` after a 5,000-sample warm-up, as ``build.bench``
    measures it in Chromium; then Python's wasm memory after the run."""
    with webkit.launch() as browser:
        driver = browser.driver
        driver.get(url)
        wp.wait_ready(driver)
        for testid, value in {"architecture": "mlp", "hidden-layers": "128", "learning-rate": "0.001",
                              "batch-size": "128", "epochs": "1"}.items():
            wp.set_field(driver, testid, value)
        wp.start_training(driver)
        wp.wait_samples(driver, 5000, 120)
        t0, s0 = time.perf_counter(), wp.samples_done(driver)
        wp.wait_samples(driver, s0 + THROUGHPUT_SAMPLES, 300)
        t1, s1 = time.perf_counter(), wp.samples_done(driver)
        wp.click(driver, "stop")
        wp.wait_idle(driver)
        time.sleep(0.5)  # the footer's memory reading follows the run
        return {"architecture": "784-128-10", "batch_size": 128, "samples": s1 - s0,
                "samples_per_sec": round((s1 - s0) / (t1 - t0)),
                "wasm_memory_bytes_after_training": wp.wasm_memory_bytes(driver),
                "browser": webkit.version(driver)}


def webkit_report(dist: Path, runs: int = 3) -> dict:
    """WebKit's numbers, or ``{"skipped": why}`` where WebKit cannot run."""
    reason = webkit.unavailable_reason()
    if reason:
        return {"skipped": reason}
    app_server, app_url = serve_in_thread(dist, "/pynet/")
    with tempfile.TemporaryDirectory(prefix="pynet-bare-") as tmp:
        bare_server, bare_url = serve_in_thread(write_bare_site(dist, Path(tmp)), "/bare/")
        try:
            app, bare = [], []
            for _ in range(runs):
                bare.append(cold_start(bare_url, "timings"))
                app.append(cold_start(app_url, "bootTimings"))
            app_ms = statistics.median(r["ready_ms"] for r in app)
            bare_ms = statistics.median(r["ready_ms"] for r in bare)
            report = {
                "cold_start_ms": round(app_ms), "cold_start_runs": app,
                "bare_pyodide_numpy_ms": round(bare_ms), "bare_pyodide_numpy_runs": bare,
                "app_over_bare": round(app_ms / bare_ms, 2),
            }
            report["tab_training_784_128_10"] = mlp_throughput(app_url)
        finally:
            bare_server.shutdown()
            app_server.shutdown()
    return report


def main() -> int:
    """WebKit's part alone: ``.venv/bin/python -m build.webkit_bench`` (after a build)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=Path(__file__).resolve().parents[1] / "dist")
    parser.add_argument("--runs", type=int, default=3, help="cold starts of each page (default 3)")
    args = parser.parse_args()
    print(json.dumps(webkit_report(args.dist, args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
