"""TensorFlow.js (wasm backend) training the same 784-128-10 MLP, Adam, batch
128, on the same MNIST images, in the same browser: the comparison column of
the benchmark. TF.js is a dev dependency used only here, never shipped."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from build.serve import serve_in_thread

PAGE = """<!doctype html><meta charset="utf-8"><title>tfjs bench</title>
<script src="tf.min.js"></script><script src="tf-backend-wasm.min.js"></script>
<script type="module" src="bench.js"></script>"""

SCRIPT = """
const SAMPLES = %(samples)d, WARMUP = 5120, BATCH = 128;
async function gunzip(path) {
  const body = (await fetch(path)).body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(body).arrayBuffer());
}
try {
  tf.wasm.setWasmPaths(new URL("./", location.href).href);
  await tf.setBackend("wasm");
  await tf.ready();
  const images = await gunzip("train-images-idx3-ubyte.gz");
  const labels = await gunzip("train-labels-idx1-ubyte.gz");
  const n = WARMUP + SAMPLES;
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  const xs = tf.tensor2d(x, [n, 784]);
  const ys = tf.oneHot(tf.tensor1d(Array.from(labels.subarray(8, 8 + n)), "int32"), 10);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ] });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  await model.fit(xs.slice(0, WARMUP), ys.slice(0, WARMUP), { batchSize: BATCH, epochs: 1, shuffle: false, yieldEvery: "never" });
  const t0 = performance.now();
  await model.fit(xs.slice(WARMUP, SAMPLES), ys.slice(WARMUP, SAMPLES), { batchSize: BATCH, epochs: 1, shuffle: false, yieldEvery: "never" });
  const seconds = (performance.now() - t0) / 1000;
  window.benchResult = { backend: tf.getBackend(), tfjs: tf.version.tfjs, samples: SAMPLES,
    samples_per_sec: Math.round(SAMPLES / seconds) };
} catch (err) {
  window.benchResult = { error: String(err) };
}
"""


def run_tfjs(browser, node_modules: Path, samples: int) -> dict:
    tf_dir = node_modules / "@tensorflow"
    if not (tf_dir / "tfjs").exists():
        return {"skipped": "npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (dev dependencies) to compare"}
    dist_mnist = node_modules.parent / "dist" / "mnist"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copy2(tf_dir / "tfjs" / "dist" / "tf.min.js", site)
        for f in (tf_dir / "tfjs-backend-wasm" / "dist").iterdir():
            if f.name == "tf-backend-wasm.min.js" or f.suffix == ".wasm":
                shutil.copy2(f, site)
        for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
            shutil.copy2(dist_mnist / name, site)
        (site / "index.html").write_text(PAGE)
        (site / "bench.js").write_text(SCRIPT % {"samples": samples})
        server, url = serve_in_thread(site, "/")
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("() => window.benchResult !== undefined", timeout=600_000)
            result = page.evaluate("() => window.benchResult")
            page.close()
        finally:
            server.shutdown()
    return result


if __name__ == "__main__":  # quick standalone run
    from playwright.sync_api import sync_playwright

    from build.browser import launch

    with sync_playwright() as p:
        b = launch(p)
        print(run_tfjs(b, Path(__file__).resolve().parents[1] / "node_modules", 20_000))
        b.close()
