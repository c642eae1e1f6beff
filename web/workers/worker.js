// The Web Worker that owns the session: the only owner of its Pyodide. No DOM.
//
// Protocol: a request {id, type, args} gets exactly one reply
// {id, type: "result", result} or {id, type: "error", error: {kind, message,
// fields}}. Every request that reaches Python is named after the method
// that answers it (pynet.browser.session.ROUTES: which part of the Session)
// and passed to Session.handle, which turns errors into data; "init",
// "pause", "stop", "memory" and "onnx_file" (Python's onnx_graph, encoded here
// by onnx-file.js) are this worker's own. At start Python imports
// only what the first answer needs; training, pictures and the views inside
// the network load with their first request (and the helper workers' team.js
// with the first job that asks for them). Unsolicited messages: {type:
// "progress", stage, ...} while loading and during a job, {type: "job",
// state: "started" | "done" | "failed", ...} for a job's life, and {type:
// "crash", message} when Python can no longer run.
//
// Long jobs (training, fine-tuning, evaluation: pynet/browser/jobs.py) start with
// their Session method (start_training, ...) like any request; its reply is
// the job's description. Then this worker is a pump: it advances the job in
// ~50 ms slices, posts its progress and yields, so drawings are still
// classified; a job shared with helper workers (data parallelism) hands their
// requests to the team and their replies back. Pause and stop are the pump's
// only state.
import { ASSETS } from "../shared/assets.js";
import { assetUrl, makeCaller, pynetError, startPython, transferables, wasmBytes, yieldToEventLoop } from "./python.js";

const post = (msg) => self.postMessage(msg, transferables(msg));
const progress = (stage, fields = {}) => post({ type: "progress", stage, ...fields });
const errorData = (err) => ({ kind: err?.kind ?? "internal", message: String(err?.message ?? err), fields: err?.fields ?? {} });

let pyodide = null;
let call = null; // Session request by name (python.js makeCaller)

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// `reload`: skip the HTTP cache (after a bad download, which it may hold).
async function fetchBytes(path, onProgress, { reload = false } = {}) {
  const response = await fetch(assetUrl(path), reload ? { cache: "reload" } : {});
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
  // The model downloads while Python starts (CPU-bound for ~0.8 s).
  const modelBytes = fetchBytes(ASSETS.default_model);
  const started = await startPython((stage, message) => progress(stage, { message }));
  pyodide = started.pyodide;
  const tInstall = performance.now();
  pyodide.runPython("from pynet.browser.session import Session\nsession = Session()");
  call = makeCaller(pyodide.globals.get("session"), (message) => post({ type: "crash", message }));
  const tImport = performance.now();
  progress("model", { message: "Loading the pretrained model…" });
  const model = call("add_model", { name: "pretrained", data: await modelBytes });
  const tModel = performance.now();
  const timings = { ...started.timings, import_ms: tImport - tInstall, model_ms: tModel - tImport };
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
      if (!(await caches.match(assetUrl(p)))) await downloads.put(assetUrl(p), new Response(blobs[i]));
    }));
  } catch {
    // no Cache Storage here: MNIST is kept offline after its next download
  }
}

// MNIST is fetched only when first needed, then kept for the session. Its
// files are keyed by the names pynet uses for them (pynet.data.mnist.MNIST_FILES).
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

// Session methods that start a job the pump then runs, and those that need MNIST first.
const JOB_STARTS = new Set(["start_training", "start_fine_tune", "start_evaluate"]);
const NEEDS_MNIST = new Set([...JOB_STARTS, "start_step", "gradient_check"]);

// The pump's state: the job in progress (at most one), from the moment its
// start request arrives, so Pause and Stop pressed while MNIST is still
// downloading are honoured too.
let job = null; // {paused, stopRequested, stopSent, wake}
// The helper workers (team.js): loaded with the first job that asks for them.
let team = null;
let teamLoading = null;
const ensureTeam = () => (teamLoading ??= import("./team.js").then(({ Team }) => (team = new Team())));
const SLICE_MS = 50;

async function startJob(type, args) {
  if (job) throw pynetError({ kind: "state", message: "a job is already in progress" });
  job = { paused: false, stopRequested: false, stopSent: false, wake: null };
  try {
    await ensureMnist();
    await yieldToEventLoop(); // a Stop sent while MNIST was parsed arrives now
    if (job.stopRequested) {
      job = null;
      return { job: null, stopped: true };
    }
    const reply = call(type, args);
    pump(reply.job); // runs on; its end is a "job" message
    return reply;
  } catch (err) {
    job = null;
    throw err;
  }
}

async function pump(description) {
  const control = job;
  const { kind } = description;
  post({ type: "job", state: "started", job: description });
  try {
    if (description.replicas > 0) {
      try {
        await ensureTeam();
        progress("workers", { kind, started: team.size, count: description.replicas });
        await team.ensure(description.replicas, description.architecture, (p) => progress("workers", { kind, ...p }));
      } catch (err) {
        throw pynetError({ kind: "workers", message: `could not start ${description.replicas} helper ` +
          `worker${description.replicas === 1 ? "" : "s"} (${err.message}); try fewer workers` });
      }
    }
    let replies = null;
    let failure = null;
    let inFlight = null;
    let pausedMs = 0;
    for (;;) {
      if (control.stopRequested && !control.stopSent) {
        call("stop_job");
        control.stopSent = true;
      }
      if (control.paused && !control.stopRequested) {
        const since = performance.now();
        await new Promise((resolve) => { control.wake = resolve; });
        pausedMs += performance.now() - since; // not the job's time: Python leaves it out of the run's seconds
        continue;
      }
      const update = call("advance", { budget_ms: SLICE_MS, replies, failure, paused_ms: pausedMs });
      replies = failure = null;
      pausedMs = 0;
      if (update.progress) progress(update.progress.stage, { kind, ...update.progress });
      if (update.done) {
        post({ type: "job", state: "done", kind, result: update.result });
        return;
      }
      if (update.requests) { // the helpers start; the next advance computes this worker's share
        inFlight = team.send(update.requests);
        inFlight.catch(() => {}); // handled when awaited
        continue;
      }
      if (update.wait) {
        try {
          replies = await inFlight;
        } catch (err) {
          failure = err.message;
        }
        inFlight = null;
        continue;
      }
      await yieldToEventLoop(); // lets pause/stop/classify messages in
    }
  } catch (err) {
    try {
      call("drop_job"); // when the failure was not Python's (e.g. a helper could not start), Python still holds it
    } catch {
      // Python itself has failed: the crash message says so
    }
    post({ type: "job", state: "failed", kind, error: errorData(err) });
  } finally {
    job = null;
    if (team?.size) team.releaseSoon();
  }
}

function wake() {
  const resolve = job?.wake;
  if (resolve) { job.wake = null; resolve(); }
}

// The worker's own requests.
const own = {
  init: () => ready,
  pause() {
    if (!job) return { paused: false }; // the job has not reached the worker yet, or has just ended
    job.paused = !job.paused;
    if (!job.paused) wake();
    return { paused: job.paused };
  },
  stop() {
    if (!job) return { stopped: false };
    job.stopRequested = true;
    wake();
    return { stopped: true };
  },
  // Save as ONNX: the active model's graph as Python describes it, encoded as an .onnx file's bytes.
  async onnx_file(args) {
    const graph = call("onnx_graph", args);
    const { encodeOnnx } = await import("./onnx-file.js");
    return encodeOnnx(graph);
  },
  // Python's memory in this worker and in each helper.
  async memory() {
    return { wasm_bytes: wasmBytes(pyodide), helpers: team ? await team.memory().catch(() => []) : [] };
  },
};

self.onmessage = async (event) => {
  const { id, type, args = {} } = event.data;
  try {
    if (type !== "init") await ready;
    let result;
    if (type in own) result = await own[type](args);
    else if (JOB_STARTS.has(type)) result = await startJob(type, args);
    else {
      if (NEEDS_MNIST.has(type)) await ensureMnist();
      result = call(type, args);
    }
    post({ id, type: "result", result: result ?? null });
  } catch (err) {
    post({ id, type: "error", error: errorData(err) });
  }
};
