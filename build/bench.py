"""Browser benchmark: builds nothing itself (run via `python3 build/dev.py bench`),
serves dist/ on 127.0.0.1, drives headless Chromium and prints a JSON report
(also written to bench-report.json). A benchmark, not a test: it never fails
on slow numbers.

Measures: cold and warm start to `ready`, bytes fetched before ready, classify
latency over 100 drawn MNIST digits, opening an image (``build.bench_images``:
a 12 Mpx phone photo and a 280-px screenshot, in the tab and natively), in-tab training throughput for
784-128-10 Adam b128, for the page's default settings, and for TensorFlow.js's
mnist example CNN at batch 64 and 128 (and with batch norm at 64); time from
Train to the end of a default run and of one epoch of that CNN without and
with batch norm, with their test accuracy; native throughput
of the same networks; and TensorFlow.js training the identical networks in the
same browser (wasm backend; cpu for the CNN, which 4.22's wasm cannot train).
Data parallelism (``build.bench_workers``): that CNN with 1, 2 and 4 workers at
both batch sizes and the scaling efficiency, the shipped model's Evaluate with
one and with all workers, and the head-only (cold and warm) and whole-network
fine-tune of the shipped model on one drawing.
Cold start next to a bare Pyodide + NumPy worker from the same files in the
same browser, alternating, each in a fresh context (``build.bench_start``;
``--only start_vs_bare``, with ``--start-compare DIR`` another build side by side).
In WebKit, when WebKitGTK's MiniBrowser is installed (``build.webkit_bench``):
the same comparison, and the MLP's in-tab throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from build.bench_images import image_opening
from build.bench_start import prime, start_vs_bare
from build.bench_workers import evaluation_scaling, teaching, worker_scaling
from build.browser import launch
from build.pagedriver import (
    ROOT,
    draw_strokes,
    mnist_test_images,
    samples_done,
    set_settings,
    start_training,
    wait_idle,
    wait_ready,
    wait_samples,
)
from build.serve import serve_in_thread
from build.webkit_bench import webkit_report

THROUGHPUT_SAMPLES = 20_000


def ready_at(page) -> float:
    """Wait until ready; milliseconds from navigation start to ready."""
    wait_ready(page)
    return float(page.evaluate("() => document.body.dataset.readyAt"))


def start_and_bytes(browser, url: str, files: dict) -> dict:
    """Cold start (fresh profile), bytes before ready, then warm reloads."""
    context = browser.new_context()
    page = context.new_page()
    sizes: list[int] = []  # as transferred (gzip where the server compresses)
    paths: list[str] = []
    counting = {"on": True}

    def on_finished(request):
        if counting["on"]:
            s = request.sizes()
            sizes.append(s["responseBodySize"] + s["responseHeadersSize"])
            paths.append(request.url[len(url):].split("?")[0] or "index.html")

    page.on("requestfinished", on_finished)
    page.goto(url)
    cold = ready_at(page)
    counting["on"] = False
    timings = json.loads(page.evaluate("() => document.body.dataset.bootTimings"))
    # A second visit, as a returning user makes it: the service worker has
    # cached the build by then. Best of three reloads.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
    warm_runs = []
    for _ in range(3):
        page.reload()
        warm_runs.append(ready_at(page))
    warm_timings = json.loads(page.evaluate("() => document.body.dataset.bootTimings"))
    context.close()
    return {"cold_start_ms": round(cold), "warm_start_ms": round(min(warm_runs)),
            "warm_start_runs_ms": [round(w) for w in warm_runs], "bytes_before_ready": sum(sizes),
            "uncompressed_bytes_before_ready": sum(files.get(p, {}).get("size", 0) for p in set(paths)),
            "requests_before_ready": len(sizes), "cold_start_breakdown_ms": {k: round(v) for k, v in timings.items()},
            "warm_start_breakdown_ms": {k: round(v) for k, v in warm_timings.items()}}


def prime_server(dist: Path, url: str) -> dict:
    """Request every file once so the server has its gzip encodings ready, as
    a static host's cache would; returns the manifest's file list."""
    files = json.loads((dist / "manifest.json").read_text())["files"]
    for path in files:
        if not path.startswith("mnist/"):
            prime(url + path)
    return files


def classify_latency(page, n: int) -> dict:
    latencies = []
    for image in mnist_test_images(n):
        page.get_by_test_id("clear").click()
        draw_strokes(page, image)
        page.wait_for_selector('[data-testid="prediction"][data-busy="false"]')
        latencies.append(float(page.get_by_test_id("prediction").get_attribute("data-latency-ms")))
    latencies.sort()
    return {"n": n, "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (n - 1))], 1), "max_ms": round(latencies[-1], 1)}


def tab_throughput(page, preset: str | None = None, samples: int = THROUGHPUT_SAMPLES, **settings) -> dict:
    """Samples/s over ``samples`` after a 5,000-sample warm-up (wall clock in
    the page, so the yields between slices are included)."""
    if preset:
        page.get_by_test_id(f"preset-{preset}").click()
    set_settings(page, **settings)
    start_training(page)
    wait_samples(page, 5000, 120_000)
    t0, s0 = time.perf_counter(), samples_done(page)
    wait_samples(page, s0 + samples, 300_000)
    t1, s1 = time.perf_counter(), samples_done(page)
    page.get_by_test_id("stop").click()
    wait_idle(page)
    wait_ready(page)
    architecture = page.get_by_test_id("model-name").text_content().split("(")[1].split(" ")[0].rstrip(")")
    return {"architecture": architecture, "batch_size": int(page.get_by_test_id("batch-size").input_value()),
            "samples": s1 - s0, "samples_per_sec": round((s1 - s0) / (t1 - t0))}


def timed_run(page, preset: str | None = None) -> dict:
    """Press Train (with a preset's settings, or the page's defaults after a
    reload) and time it to the trained model; with its test accuracy."""
    if preset:
        page.get_by_test_id(f"preset-{preset}").click()
    else:  # the address without its settings part (the form is mirrored there: a reload would keep the last run's)
        page.goto(page.evaluate("location.href.split('#')[0]"))
        wait_ready(page)
    settings = {k: page.get_by_test_id(k).input_value() for k in ("architecture", "conv-layers", "hidden-layers",
                                                                 "learning-rate", "batch-size", "epochs", "schedule",
                                                                 "workers")}
    settings["batch-norm"] = page.get_by_test_id("batch-norm").is_checked()
    t0 = time.perf_counter()
    start_training(page)
    wait_idle(page, 1_200_000)
    seconds = time.perf_counter() - t0
    total = int(page.get_by_test_id("train-progress").get_attribute("data-total-samples"))
    acc = page.get_by_test_id("model-name").get_attribute("data-test-accuracy")
    return {"preset": preset or "defaults", "settings": settings, "seconds_to_trained_model": round(seconds, 1),
            "samples": total, "samples_per_sec_overall": round(total / seconds),
            "test_accuracy": float(acc) if acc else None}


def tfjs_throughput(browser, network: str = "mlp", batch: int = 128, samples: int = THROUGHPUT_SAMPLES) -> dict:
    """TensorFlow.js training the identical network in the same browser."""
    from build.tfjs_bench import run_tfjs

    try:
        return run_tfjs(browser, ROOT / "node_modules", samples, network, batch)
    except Exception as exc:  # a comparison, not the product: report and carry on
        return {"error": str(exc)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--classify", type=int, default=100, help="drawings for the latency measurement")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-report.json")
    parser.add_argument("--only", help="comma-separated names of in-tab measurements to run (e.g. "
                        "tab_tfjs_cnn_workers,tab_evaluate_shipped_model, or start_vs_bare); start-up, "
                        "TensorFlow.js, WebKit and native figures are then skipped")
    parser.add_argument("--start-runs", type=int, default=7, help="cold starts of the page and of the bare worker "
                        "each, for start_vs_bare (default 7)")
    parser.add_argument("--start-compare", type=Path, action="append", default=[],
                        help="another build whose cold start is measured in the same rounds (e.g. one made before a "
                        "change); repeatable")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from pynet.config import ModelConfig, TrainConfig
    from pynet.recipes.benchmark import native_throughput

    server, url = serve_in_thread(args.dist, "/pynet/")
    report: dict = {"machine": {"python": platform.python_version(), "cores": os.cpu_count()}}
    with sync_playwright() as p:
        browser = launch(p)
        report["browser"] = browser.version
        only = set(args.only.split(",")) if args.only else None
        if only is None:
            report["start"] = start_and_bytes(browser, url, prime_server(args.dist, url))
            print(json.dumps(report["start"]), flush=True)
        if only is None or "start_vs_bare" in only:
            starts = start_vs_bare(browser, [args.dist.resolve(), *(d.resolve() for d in args.start_compare)],
                                   args.start_runs)
            report["start_vs_bare"] = starts.pop(str(args.dist.resolve()))
            if starts:
                report["start_vs_bare_compared"] = starts
            print(json.dumps({"start_vs_bare": report["start_vs_bare"], **starts}), flush=True)
        if only == {"start_vs_bare"}:  # no page of its own to open
            browser.close()
            server.shutdown()
            print(json.dumps(report, indent=2))
            return 0
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(url)
        wait_ready(page)
        if only is None or "classify_latency" in only:
            report["classify_latency"] = classify_latency(page, args.classify)
            print(json.dumps(report["classify_latency"]), flush=True)
        steps = {
            "tab_open_image": lambda: image_opening(page),
            "tab_training_784_128_10": lambda: tab_throughput(
                page, architecture="mlp", hidden_layers="128", learning_rate=0.001, batch_size=128, epochs=1, workers=1),
            "tab_training_default_settings": lambda: timed_run(page),
            "tab_training_tfjs_cnn_batch_64": lambda: tab_throughput(page, "tfjs", 10_000, batch_size=64, workers=1),
            "tab_training_tfjs_cnn_batch_128": lambda: tab_throughput(page, "tfjs", 10_000, batch_size=128, workers=1),
            "tab_tfjs_cnn_workers": lambda: worker_scaling(page, tab_throughput),
            "tab_evaluate_shipped_model": lambda: evaluation_scaling(page, os.cpu_count() or 1),
            "tab_fine_tune_shipped_model": lambda: teaching(page),
            "tab_tfjs_cnn_one_epoch": lambda: timed_run(page, "tfjs"),
            "tab_training_tfjs_bn_cnn_batch_64": lambda: tab_throughput(page, "tfjs-bn", 10_000, batch_size=64, workers=1),
            "tab_tfjs_bn_cnn_one_epoch": lambda: timed_run(page, "tfjs-bn"),
        }
        for name, step in steps.items():
            if only is not None and name not in only:
                continue
            print(f"measuring {name}", flush=True)
            try:
                report[name] = step()
            except Exception as exc:  # a benchmark reports what failed and carries on
                report[name] = {"error": str(exc)[:500]}
                page.reload()
                wait_ready(page)
            print(json.dumps({name: report[name]}), flush=True)
        context.close()
        if only is not None:
            browser.close()
            server.shutdown()
            print(json.dumps(report, indent=2))
            return 0
        report["tfjs_wasm_784_128_10"] = tfjs_throughput(browser)
        for batch in (64, 128):
            report[f"tfjs_cnn_batch_{batch}"] = tfjs_throughput(browser, "cnn", batch, 2_000)
            print(json.dumps({f"tfjs_cnn_batch_{batch}": report[f"tfjs_cnn_batch_{batch}"]}), flush=True)
        browser.close()
    # WebKit (Safari's engine), when WebKitGTK's MiniBrowser is installed: skipped with the reason otherwise.
    print("measuring WebKit", flush=True)
    try:
        report["webkit"] = webkit_report(args.dist)
    except Exception as exc:  # a benchmark reports what failed and carries on
        report["webkit"] = {"error": str(exc)[:500]}
    print(json.dumps({"webkit": report["webkit"]}), flush=True)
    native = native_throughput(ModelConfig(hidden=(128,)), TrainConfig(batch_size=128), 60_000)
    report["native_784_128_10"] = {"samples_per_sec": native["samples_per_sec"], "numpy": native["numpy"]}
    tab = report["tab_training_784_128_10"].get("samples_per_sec", float("nan"))
    report["native_over_tab"] = round(native["samples_per_sec"] / tab, 1)
    tfjs_cnn = ModelConfig(conv=((8, 5), (16, 5)), hidden=())
    for batch in (64, 128):
        native = native_throughput(tfjs_cnn, TrainConfig(batch_size=batch), 20_000)
        tab = report[f"tab_training_tfjs_cnn_batch_{batch}"].get("samples_per_sec", float("nan"))
        report[f"native_tfjs_cnn_batch_{batch}"] = {"samples_per_sec": native["samples_per_sec"],
                                                    "native_over_tab": round(native["samples_per_sec"] / tab, 1)}
    server.shutdown()
    text = json.dumps(report, indent=2)
    args.out.write_text(text + "\n")
    print(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
