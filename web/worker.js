// The Web Worker: the only owner of Pyodide. No DOM here.
//
// Protocol: a request {id, type, args} gets exactly one reply
// {id, type: "result", result} or {id, type: "error", error}. Unsolicited
// messages: {type: "progress", stage, ...} while loading and training, and
// {type: "crash", message} when Python can no longer run.
//
// Every request that reaches Python is named after the pynet.web.Session
// method it calls, and its args are that method's keyword arguments, so one
// search for e.g. "model_bytes" finds the feature in the page, here and in
// pynet. Only "init", "pause", "stop" and "memory" are the worker's own.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { ASSETS } from "./assets.js";

const url = (path) => new URL(path, import.meta.url).href;
const post = (msg, transfer = []) => self.postMessage(msg, transfer);
const progress = (stage, fields = {}) => post({ type: "progress", stage, ...fields });

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

// Call session.<method>(**kwargs); Python exceptions become Errors with a clean message.
function call(method, kwargs = {}) {
  const fn = session[method];
  if (typeof fn?.callKwargs !== "function") throw new Error(`pynet's Session has no method ${method}`);
  try {
    return toJs(fn.callKwargs(kwargs));
  } catch (err) {
    // After a fatal error (e.g. wasm out of memory) Pyodide is unusable:
    // tell the page, which offers a restart.
    if (err?.pyodide_fatal_error) post({ type: "crash", message: String(err.message ?? err) });
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

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// `reload`: skip the HTTP cache (after a bad download, which it may hold).
async function fetchBytes(path, onProgress, { reload = false } = {}) {
  const response = await fetch(url(path), reload ? { cache: "reload" } : {});
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
  progress("runtime", { message: "Starting Python (Pyodide)…" });
  // The model and the wheels download while Python starts (CPU-bound for
  // ~0.8 s); loadPackage then finds the wheels in the browser's cache.
  const modelBytes = fetchBytes(ASSETS.default_model);
  for (const wheel of [ASSETS.numpy_wheel, ASSETS.pynet_wheel]) {
    fetch(url(wheel)).then((r) => r.arrayBuffer()).catch(() => {}); // only warms the cache
  }
  pyodide = await loadPyodide({ indexURL: url("./pyodide/"), packages: [] });
  const tRuntime = performance.now();
  progress("packages", { message: "Loading NumPy and pynet…" });
  // Loaded by URL there is no dependency resolution: NumPy is listed first.
  await pyodide.loadPackage([url(ASSETS.numpy_wheel), url(ASSETS.pynet_wheel)], { messageCallback: () => {} });
  const tInstall = performance.now();
  pyodide.runPython("from pynet.web import Session\nsession = Session()");
  session = pyodide.globals.get("session");
  const tImport = performance.now();
  progress("model", { message: "Loading the pretrained model…" });
  const model = call("add_model", { name: "pretrained", data: await modelBytes });
  const tModel = performance.now();
  const timings = {
    runtime_ms: tRuntime - t0, install_ms: tInstall - tRuntime, import_ms: tImport - tInstall, model_ms: tModel - tImport,
  };
  return { model, schema: call("settings_schema"), seconds: (tModel - t0) / 1000, timings };
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

// MNIST is fetched only when first needed, then kept for the session. Its
// files are keyed by the names pynet uses for them (pynet.data.MNIST_FILES).
let mnistLoaded = null;
let mnistFailed = false;
function ensureMnist() {
  mnistLoaded ??= (async () => {
    const names = Object.keys(ASSETS.mnist);
    const loaded = Object.fromEntries(names.map((k) => [k, 0]));
    const totals = Object.fromEntries(names.map((k) => [k, 0]));
    const report = () => {
      const bytes = Object.values(loaded).reduce((a, b) => a + b, 0);
      const total = Object.values(totals).reduce((a, b) => a + b, 0);
      progress("mnist", { bytes, total });
    };
    const blobs = await Promise.all(names.map((k) => fetchBytes(ASSETS.mnist[k], (n, t) => {
      loaded[k] = n; totals[k] = t; report();
    }, { reload: mnistFailed })));
    for (const [i, k] of names.entries()) {
      if ((await sha256Hex(blobs[i])) !== ASSETS.mnist_sha256[k]) {
        throw new Error(`the MNIST download ${ASSETS.mnist[k]} did not arrive intact (something on the network, ` +
          "such as a Wi-Fi login page, replaced it); try again once you are online");
      }
    }
    await leaveCopyForOffline(names.map((k) => ASSETS.mnist[k]), blobs);
    progress("mnist-parse");
    return call("load_mnist", Object.fromEntries(names.map((k, i) => [k, blobs[i]])));
  })();
  mnistLoaded.catch(() => { // a failed download can be retried, past the HTTP cache
    mnistLoaded = null;
    mnistFailed = true;
  });
  return mnistLoaded;
}

// The running training job (at most one). Pause/stop flip flags that the
// training loop checks between time slices.
let job = null;
const SLICE_MS = 50;
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

// Runs a training job that `method` (start_training or start_fine_tune) sets
// up, to its end or until stopped, in time slices.
async function runJob(method, kwargs) {
  if (job) throw new Error("a training run is already in progress");
  // The job exists from the first moment, so Pause and Stop pressed while
  // MNIST is still downloading are honoured too.
  job = { paused: false, stopped: false, wake: null };
  try {
    await ensureMnist();
    await yieldToEventLoop(); // a Stop sent while MNIST was parsed arrives now
    if (job.stopped) return { model: null, stopped: true };
    progress("train-start", call(method, kwargs));
    for (;;) {
      if (job.stopped) break;
      if (job.paused) {
        await new Promise((resolve) => { job.wake = resolve; });
        continue;
      }
      const update = call("train_for", { budget_ms: SLICE_MS });
      progress("train", update);
      if (update.done) break;
      await yieldToEventLoop(); // lets pause/stop/classify messages in
    }
    // Calibrating and testing the new model take seconds for a large CNN:
    // in slices too, so drawings are still classified meanwhile.
    for (;;) {
      const update = call("finish_for", { budget_ms: SLICE_MS });
      progress("finish", update);
      if (update.done) break;
      await yieldToEventLoop();
    }
    return { model: call("finish_training"), stopped: job.stopped };
  } finally {
    job = null;
  }
}

function wake() {
  const resolve = job?.wake;
  if (resolve) { job.wake = null; resolve(); }
}

// Requests that need more than the Session call itself.
const handlers = {
  init: () => ready,
  start_training: (args) => runJob("start_training", args),
  start_fine_tune: (args) => runJob("start_fine_tune", args),
  async start_step(args) {
    await ensureMnist();
    return call("start_step", args);
  },
  async gradient_check(args) {
    await ensureMnist();
    return call("gradient_check", args);
  },
  // In slices, like training: drawings are still classified meanwhile.
  async evaluate(args) {
    await ensureMnist();
    const { total } = call("start_evaluate", args);
    progress("evaluate", { images: 0, total });
    for (;;) {
      const update = call("evaluate_for", { budget_ms: SLICE_MS });
      if (update.done) return update.report;
      progress("evaluate", { images: update.images, total });
      await yieldToEventLoop();
    }
  },
  pause() {
    if (!job) return { paused: false }; // the run has not reached the worker yet, or has just ended
    job.paused = !job.paused;
    if (!job.paused) wake();
    return { paused: job.paused };
  },
  stop() {
    if (!job) return { stopped: false };
    job.stopped = true;
    wake();
    return { stopped: true };
  },
  // wasm memory only grows, so this is the high-water mark of Python's heap.
  // (pyodide._module is Emscripten's Module: private, but there in 0.29.)
  memory: () => ({ wasm_bytes: pyodide._module.HEAPU8.buffer.byteLength }),
};

// Requests answered by the Session method of the same name.
const SESSION_METHODS = new Set([
  "classify", "preprocess_sample", "add_model", "set_active", "model_bytes", "first_layer_weights",
  "validate_settings", "explain", "step_stage", "apply_step",
  "classify_image", "preprocess_image_sample", "explain_image", // an opened image (web/image-input.js)
]);

self.onmessage = async (event) => {
  const { id, type, args = {} } = event.data;
  try {
    if (type !== "init") await ready;
    let result;
    if (type in handlers) result = await handlers[type](args);
    else if (SESSION_METHODS.has(type)) result = call(type, args);
    else throw new Error(`unknown request type ${type}`);
    post({ id, type: "result", result: result ?? null });
  } catch (err) {
    post({ id, type: "error", error: err && err.message ? err.message : String(err) });
  }
};
