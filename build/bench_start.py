"""The page's cold start next to a bare worker, in headless Chromium: the
Chromium counterpart of ``build.webkit_bench``'s comparison, part of
``python3 build/dev.py bench`` (``build.bench``, ``--only start_vs_bare``) and
runnable alone, for one build or several side by side:

    .venv/bin/python -m build.bench_start --dist dist --dist /tmp/dist-before --runs 9

The bare page (``webkit_bench.write_bare_site``, written to a temporary
directory, never shipped) starts the same Pyodide files in a module worker
and imports NumPy from the same wheel: what any Pyodide app pays before its
own code runs. Every cold start is a fresh browser context (no HTTP cache,
no service worker). Each round starts, for every build in turn, its bare
worker and then its page, the builds' order alternating from round to round,
so a change in the shared machine's speed hits all alike; the report gives
the medians and the page's ratio to its own bare worker.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

from build.serve import serve_in_thread
from build.webkit_bench import write_bare_site

ROOT = Path(__file__).resolve().parents[1]


def prime(url: str) -> None:
    """Request ``url`` once with gzip accepted (the server keeps the encoding)."""
    urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})).read()


def cold_ready(browser, url: str, timings_key: str) -> dict:
    """One cold start in a fresh context: milliseconds from navigation start
    to the page's ``data-ready-at``, and its own breakdown (the body's
    ``data-`` attribute ``timings_key``)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => document.body.dataset.readyAt", timeout=120_000)
        ready, breakdown = page.evaluate(f"() => [document.body.dataset.readyAt, document.body.dataset.{timings_key}]")
        return {"ready_ms": round(float(ready)),
                "breakdown_ms": {k: round(v) for k, v in json.loads(breakdown).items()}}
    finally:
        context.close()


def summary(app: list[dict], bare: list[dict]) -> dict:
    """Medians of one build's cold starts and of its bare worker's, and their ratio."""
    app_ms = statistics.median(r["ready_ms"] for r in app)
    bare_ms = statistics.median(r["ready_ms"] for r in bare)

    def breakdown(runs: list[dict]) -> dict:
        return {k: round(statistics.median(r["breakdown_ms"].get(k, 0) for r in runs)) for k in runs[0]["breakdown_ms"]}

    return {"runs": len(app), "cold_start_ms": round(app_ms), "bare_pyodide_numpy_ms": round(bare_ms),
            "app_over_bare": round(app_ms / bare_ms, 2),
            "cold_start_runs_ms": [r["ready_ms"] for r in app], "bare_runs_ms": [r["ready_ms"] for r in bare],
            "cold_start_breakdown_ms": breakdown(app), "bare_breakdown_ms": breakdown(bare)}


def start_vs_bare(browser, dists: list[Path], runs: int = 7) -> dict[str, dict]:
    """For each build in ``dists``: ``runs`` cold starts of its page and of a
    bare Pyodide + NumPy worker from its own files, interleaved as the module
    says; ``summary`` by build directory."""
    servers, sites = [], []
    with tempfile.TemporaryDirectory(prefix="pynet-bare-") as tmp:
        try:
            for i, dist in enumerate(dists):
                app = serve_in_thread(dist, "/pynet/")
                bare_dir = Path(tmp) / str(i)
                bare_dir.mkdir()
                bare = serve_in_thread(write_bare_site(dist, bare_dir), "/bare/")
                servers += [app[0], bare[0]]
                # The servers gzip on first request, as a static host's cache has it ready: not timed.
                for path in json.loads((dist / "manifest.json").read_text())["files"]:
                    if not path.startswith("mnist/"):
                        prime(app[1] + path)
                for path in ["index.html", "bare.js", "bare-worker.js", *(f"pyodide/{p.name}" for p in (dist / "pyodide").iterdir())]:
                    prime(bare[1] + path)
                sites.append((str(dist), app[1], bare[1]))
            cold_ready(browser, sites[0][2], "timings")  # not counted: the browser's own first start
            results: dict[str, tuple[list, list]] = {name: ([], []) for name, _, _ in sites}
            for round_ in range(runs):
                for name, app_url, bare_url in sites if round_ % 2 == 0 else sites[::-1]:
                    results[name][1].append(cold_ready(browser, bare_url, "timings"))
                    results[name][0].append(cold_ready(browser, app_url, "bootTimings"))
        finally:
            for server in servers:
                server.shutdown()
    return {name: summary(app, bare) for name, (app, bare) in results.items()}


def main() -> int:
    """Cold starts alone: ``.venv/bin/python -m build.bench_start`` (after a build)."""
    from playwright.sync_api import sync_playwright

    from build.browser import launch

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, action="append", help="a built site (repeat to compare builds; "
                        "default dist/)")
    parser.add_argument("--runs", type=int, default=7, help="cold starts of each page and bare worker (default 7)")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = launch(p)
        report = start_vs_bare(browser, [d.resolve() for d in args.dist or [ROOT / "dist"]], args.runs)
        browser.close()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
