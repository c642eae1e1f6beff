"""TensorFlow.js training the same networks on the same MNIST images in the
same browser: the comparison column of the benchmark. ``mlp``: 784-128-10,
Adam, batch 128, on the wasm backend. ``cnn``: the mnist example's network
(conv 8@5x5 -> pool -> conv 16@5x5 -> pool -> dense 10), Adam, at a given batch
size; TF.js 4.22's wasm backend has no gradient kernels for convolutions and
pooling, so the run tries it, reports the error, and measures the cpu backend.
TF.js is a dev dependency used only here, never shipped."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from build.serve import serve_in_thread

PAGE = """<!doctype html><meta charset="utf-8"><title>tfjs bench</title>
<script src="tf.min.js"></script><script src="tf-backend-wasm.min.js"></script>
<script type="module" src="bench.js"></script>"""

SCRIPT = """
const SAMPLES = %(samples)d, WARMUP = %(warmup)d, BATCH = %(batch)d, NETWORK = "%(network)s";
async function gunzip(path) {
  const body = (await fetch(path)).body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(body).arrayBuffer());
}
function network() {
  if (NETWORK === "mlp") {
    return tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ] });
  }
  return tf.sequential({ layers: [  // as in tfjs-examples/mnist
    tf.layers.conv2d({ inputShape: [28, 28, 1], kernelSize: 5, filters: 8, activation: "relu",
      kernelInitializer: "varianceScaling" }),
    tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }),
    tf.layers.conv2d({ kernelSize: 5, filters: 16, activation: "relu", kernelInitializer: "varianceScaling" }),
    tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: "varianceScaling" }),
  ] });
}

async function measure(backend, xs, ys) {
  await tf.setBackend(backend);
  await tf.ready();
  const model = network();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const fit = (a, b) => model.fit(xs.slice(a, b), ys.slice(a, b), { batchSize: BATCH, epochs: 1, shuffle: false, yieldEvery: "never" });
  await fit(0, WARMUP);
  const t0 = performance.now();
  await fit(WARMUP, SAMPLES);
  const seconds = (performance.now() - t0) / 1000;
  return { backend: tf.getBackend(), samples: SAMPLES, samples_per_sec: Math.round(SAMPLES / seconds) };
}

try {
  tf.wasm.setWasmPaths(new URL("./", location.href).href);
  const images = await gunzip("train-images-idx3-ubyte.gz");
  const labels = await gunzip("train-labels-idx1-ubyte.gz");
  const n = WARMUP + SAMPLES;
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  const xs = NETWORK === "mlp" ? tf.tensor2d(x, [n, 784]) : tf.tensor4d(x, [n, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from(labels.subarray(8, 8 + n)), "int32"), 10);
  const result = { tfjs: tf.version.tfjs, network: NETWORK, batch_size: BATCH };
  try {
    Object.assign(result, await measure("wasm", xs, ys));
  } catch (err) {
    // 4.22's wasm backend: e.g. "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
    result.wasm_error = String(err).slice(0, 200);
    Object.assign(result, await measure("cpu", xs, ys));
  }
  window.benchResult = result;
} catch (err) {
  window.benchResult = { error: String(err) };
}
"""


def run_tfjs(browser, node_modules: Path, samples: int, network: str = "mlp", batch: int = 128) -> dict:
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
        warmup = 40 * batch if network == "mlp" else 5 * batch
        (site / "bench.js").write_text(SCRIPT % {"samples": samples, "warmup": warmup, "batch": batch, "network": network})
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
        modules = Path(__file__).resolve().parents[1] / "node_modules"
        print(run_tfjs(b, modules, 20_000))
        print(run_tfjs(b, modules, 2_000, "cnn", 64))
        b.close()
