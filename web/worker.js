// The Web Worker: the only owner of Pyodide. No DOM here.
// Protocol: requests {id, type, ...} get exactly one reply
// {id, type: "result", result} or {id, type: "error", error}; unsolicited
// {type: "progress", ...} events report loading and training.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { ASSETS } from "./assets.js";

const url = (path) => new URL(path, import.meta.url).href;
const post = (msg, transfer = []) => self.postMessage(msg, transfer);
const progress = (fields) => post({ type: "progress", ...fields });

let pyodide = null;
let session = null;

// Convert a Python return value to plain JS and free the proxy (or memory grows).
function toJs(value) {
  if (value && typeof value.toJs === "function") {
    const out = value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    value.destroy();
    return out;
  }
  return value;
}

// Call a Session method; Python exceptions become Errors with a clean message.
function call(method, ...args) {
  const fn = session[method];
  try {
    return toJs(fn(...args));
  } catch (err) {
    // After a fatal error (e.g. wasm out of memory) Pyodide is unusable:
    // tell the page, which offers a restart.
    if (err?.pyodide_fatal_error) progress({ stage: "crashed", message: String(err.message ?? err) });
    throw new Error(pythonMessage(err));
  } finally {
    fn.destroy();
  }
}

function pythonMessage(err) {
  const text = String(err && err.message ? err.message : err);
  // The last line of a Python traceback is "module.ExcType: message".
  const last = text.trim().split("\n").pop();
  const match = /^[\w.]+: (.*)$/.exec(last);
  return match ? match[1].replace(/^'(.*)'$/, "$1") : last;
}

async function fetchBytes(path, onProgress) {
  const response = await fetch(url(path));
  if (!response.ok) throw new Error(`could not fetch ${path} (HTTP ${response.status})`);
  const total = Number(response.headers.get("content-length")) || 0;
  if (!onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.length; }
  return out;
}

async function boot() {
  const t0 = performance.now();
  progress({ stage: "runtime", message: "Starting Python (Pyodide)…" });
  // The model and the wheels download while Python starts (CPU-bound for
  // ~0.8 s); loadPackage then finds the wheels in the browser's cache.
  const modelBytes = fetchBytes(ASSETS.default_model);
  for (const wheel of [ASSETS.numpy_wheel, ASSETS.pynet_wheel]) {
    fetch(url(wheel)).then((r) => r.arrayBuffer()).catch(() => {}); // only warms the cache
  }
  pyodide = await loadPyodide({ indexURL: url("./pyodide/"), packages: [] });
  const tRuntime = performance.now();
  progress({ stage: "packages", message: "Loading NumPy and pynet…" });
  // Loaded by URL there is no dependency resolution: NumPy is listed first.
  await pyodide.loadPackage([url(ASSETS.numpy_wheel), url(ASSETS.pynet_wheel)], { messageCallback: () => {} });
  const tInstall = performance.now();
  pyodide.runPython("from pynet.web import Session\nsession = Session()");
  session = pyodide.globals.get("session");
  const tImport = performance.now();
  progress({ stage: "model", message: "Loading the pretrained model…" });
  const info = call("add_model", "pretrained", await modelBytes);
  const tModel = performance.now();
  const timings = {
    runtime_ms: tRuntime - t0, install_ms: tInstall - tRuntime, import_ms: tImport - tInstall, model_ms: tModel - tImport,
  };
  return { model: info, seconds: (tModel - t0) / 1000, timings };
}

const ready = boot();

// On a first visit the service worker may not control this worker yet, so
// downloads do not pass through it: leave a copy where it picks them up for
// offline use (sw.js keepDownloads). Files Cache Storage already holds (served
// by the service worker) need no copy. Response() copies the bytes.
async function leaveCopyForOffline(paths, blobs) {
  try {
    const downloads = await caches.open("pynet:downloads");
    await Promise.all(paths.map(async (p, i) => {
      if (!(await caches.match(url(p)))) await downloads.put(url(p), new Response(blobs[i]));
    }));
  } catch {
    // no Cache Storage here: MNIST is kept offline after its next download
  }
}

// MNIST is fetched only when first needed, then kept for the session.
let mnistLoaded = null;
function ensureMnist() {
  mnistLoaded ??= (async () => {
    const keys = Object.keys(ASSETS.mnist);
    const loaded = Object.fromEntries(keys.map((k) => [k, 0]));
    const totals = Object.fromEntries(keys.map((k) => [k, 0]));
    const report = () => {
      const bytes = Object.values(loaded).reduce((a, b) => a + b, 0);
      const total = Object.values(totals).reduce((a, b) => a + b, 0);
      progress({ stage: "mnist", bytes, total });
    };
    const blobs = await Promise.all(keys.map((k) => fetchBytes(ASSETS.mnist[k], (n, t) => {
      loaded[k] = n; totals[k] = t; report();
    })));
    await leaveCopyForOffline(keys.map((k) => ASSETS.mnist[k]), blobs);
    progress({ stage: "mnist-parse" });
    const [trainImages, trainLabels, testImages, testLabels] = [
      "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ].map((k) => blobs[keys.indexOf(k)]);
    return call("load_mnist", trainImages, trainLabels, testImages, testLabels);
  })();
  mnistLoaded.catch(() => { mnistLoaded = null; }); // a failed download can be retried
  return mnistLoaded;
}

// The running training job (at most one). Pause/stop flip flags that the
// training loop checks between time slices.
let job = null;
const SLICE_MS = 50;
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

// Runs a training job set up by `start` (a Session call) to its end or until
// stopped, in time slices; used by both "train" and "fineTune".
async function runJob(start) {
  if (job) throw new Error("a training run is already in progress");
  // The job exists from the first moment, so Pause and Stop pressed while
  // MNIST is still downloading are honoured too.
  job = { paused: false, stopped: false, wake: null };
  try {
    await ensureMnist();
    await yieldToEventLoop(); // a Stop sent while MNIST was parsed arrives now
    if (job.stopped) return { model: null, stopped: true };
    progress({ stage: "train-start", ...start() });
    for (;;) {
      if (job.stopped) break;
      if (job.paused) {
        await new Promise((resolve) => { job.wake = resolve; });
        continue;
      }
      const update = call("train_for", SLICE_MS);
      progress({ stage: "train", ...update });
      if (update.done) break;
      await yieldToEventLoop(); // lets pause/stop/classify messages in
    }
    const model = call("finish_training");
    return { model, stopped: job.stopped };
  } finally {
    job = null;
  }
}

function wake() {
  const resolve = job?.wake;
  if (resolve) { job.wake = null; resolve(); }
}

const handlers = {
  async init() {
    return ready;
  },
  async classify({ pixels, width, height }) {
    return call("classify", pixels, width, height) ?? null;
  },
  async train({ settings, name }) {
    return runJob(() => call("start_training", settings, name));
  },
  async fineTune({ samples, labels, name }) {
    return runJob(() => call("start_fine_tune", samples, labels, name));
  },
  async preprocessSample({ pixels, width, height }) {
    return call("preprocess_sample", pixels, width, height) ?? null;
  },
  async pause() {
    if (!job) throw new Error("no training run to pause");
    job.paused = !job.paused;
    if (!job.paused) wake();
    return { paused: job.paused };
  },
  async stop() {
    if (!job) return { stopped: false };
    job.stopped = true;
    wake();
    return { stopped: true };
  },
  async evaluate() {
    await ensureMnist();
    progress({ stage: "evaluate" });
    return call("evaluate");
  },
  async setActive({ name }) {
    return call("set_active", name);
  },
  async saveModel() {
    return call("model_bytes");
  },
  async loadModel({ name, bytes }) {
    return call("add_model", name, bytes);
  },
  async weights() {
    return call("first_layer_weights");
  },
  async memory() {
    // wasm memory only grows, so this is the high-water mark of Python's heap.
    // (pyodide._module is Emscripten's Module: private, but there in 0.29.)
    return { wasm_bytes: pyodide._module.HEAPU8.buffer.byteLength };
  },
};

self.onmessage = async (event) => {
  const { id, type, ...args } = event.data;
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request type ${type}`);
    if (type !== "init") await ready;
    const result = await handler(args);
    post({ id, type: "result", result });
  } catch (err) {
    post({ id, type: "error", error: err && err.message ? err.message : String(err) });
  }
};
