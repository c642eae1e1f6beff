// Wiring: connects the drawing pad, the worker client and the UI.
import { WorkerClient } from "./worker-client.js";
import { DrawingPad } from "./draw.js";
import * as ui from "./ui.js";
import { TrainingCharts } from "./charts.js";
import { readSettings } from "./train-settings.js";
import { storage } from "./storage.js";
import { registerOffline, buildVersion, keepDownloadsForOffline } from "./offline.js";

const STAGES = { runtime: 0.15, packages: 0.6, model: 0.9 };

const $ = ui.byTestId;
const MAX_MODEL_FILE = 64 * 1024 * 1024; // same limit as pynet.io

const client = new WorkerClient(new URL("./worker.js", import.meta.url), { onProgress, onCrash });
const charts = new TrainingCharts($("loss-chart"), $("accuracy-chart"));

// Models the worker holds: name -> info; the active one is used to classify.
const models = new Map();
let activeModel = null;

function setActiveModel(info) {
  models.set(info.name, info);
  activeModel = info.name;
  ui.showModel(info);
  $("model-name").dataset.remembered = "false";
  ui.showModelList([...models.values()], activeModel);
  client.request("weights").then(ui.showWeights, (err) => ui.showError(`Could not show the weights: ${err.message}`));
  if (pad.hasInk) classifyNow();
}

// "trained-1", "trained-2", …: the first name not taken (restored models keep theirs).
function uniqueName(base) {
  for (let n = 1; ; n++) if (!models.has(`${base}-${n}`)) return `${base}-${n}`;
}

// The last trained or loaded model survives a reload (IndexedDB).
async function rememberActiveModel() {
  try {
    const name = activeModel;
    const bytes = await client.request("saveModel");
    await storage.set("model", { name, bytes });
    if (name === activeModel) $("model-name").dataset.remembered = "true";
  } catch (err) {
    ui.showError(`The model works, but could not be kept for next time: ${err.message}`);
  }
}

async function restoreRememberedModel() {
  let saved;
  try {
    saved = await storage.get("model");
  } catch {
    return; // no IndexedDB (e.g. some private modes): nothing to restore
  }
  if (!saved) return;
  try {
    setActiveModel(await client.request("loadModel", { name: saved.name, bytes: saved.bytes }));
  } catch (err) {
    await storage.delete("model").catch(() => {});
    ui.showError(`Your last model could not be restored (${err.message}); using the pretrained one.`);
  }
}

// ---- progress events from the worker ----------------------------------
const train = { recent: [] }; // [time, samples] of the last few seconds

function onProgress(event) {
  if (event.stage in STAGES) {
    ui.setStatus("loading", event.message);
    ui.setLoadProgress(STAGES[event.stage]);
  } else if (event.stage === "mnist") {
    const mb = (n) => (n / 1e6).toFixed(1);
    const pct = event.total ? Math.round((100 * event.bytes) / event.total) : 0;
    ui.showTrainProgress({ fraction: event.total ? event.bytes / event.total : 0,
      text: `Downloading MNIST: ${mb(event.bytes)} of ${mb(event.total)} MB (${pct}%)` });
  } else if (event.stage === "mnist-parse") {
    ui.showTrainProgress({ text: "Preparing MNIST…" });
    keepDownloadsForOffline();
  } else if (event.stage === "train-start") {
    ui.showTrainProgress({ fraction: 0, epoch: 1, samples: 0, totalSamples: event.total_samples,
      text: `Training ${event.architecture} (${event.n_params.toLocaleString()} weights)…` });
  } else if (event.stage === "train") {
    onTrainUpdate(event);
  } else if (event.stage === "crashed") {
    onCrash(event.message);
  } else if (event.stage === "evaluate") {
    $("evaluate").textContent = "Evaluating…";
  }
}

function onTrainUpdate({ step, points, epochs }) {
  charts.add(points, epochs);
  if (!step) return;
  // samples/s averaged over the last few seconds of wall-clock time
  const now = performance.now();
  train.recent.push([now, step.samples]);
  while (train.recent.length > 2 && now - train.recent[0][0] > 3000) train.recent.shift();
  const [t0, s0] = train.recent[0];
  const rate = now > t0 ? ((step.samples - s0) * 1000) / (now - t0) : step.samples_per_sec;
  const eta = rate > 0 ? (step.total_samples - step.samples) / rate : 0;
  const lastVal = epochs.length ? epochs[epochs.length - 1].val_accuracy : null;
  ui.showTrainProgress({
    epoch: step.epoch, samples: step.samples, totalSamples: step.total_samples,
    samplesPerSec: Math.round(rate), loss: step.running_loss.toFixed(4),
    valAccuracy: lastVal ?? undefined,
    fraction: step.samples / step.total_samples,
    text: `Epoch ${step.epoch} · ${step.samples.toLocaleString()} / ${step.total_samples.toLocaleString()} samples · ` +
      `${Math.round(rate).toLocaleString()} samples/s · loss ${step.running_loss.toFixed(3)} · ` +
      `accuracy ${(step.running_accuracy * 100).toFixed(1)}%` +
      (lastVal != null ? ` · validation ${(lastVal * 100).toFixed(2)}%` : "") + ` · ETA ${Math.ceil(eta)} s`,
  });
}

// Classification is throttled: one request in flight; changes made meanwhile
// are sent as one request when it returns, so the worker is never flooded.
let inFlight = false;
let dirty = false;
let ready = false;
let lastInkChange = 0;
const predictionEl = document.querySelector('[data-testid="prediction"]');

async function classifyNow() {
  if (!ready) return;
  lastInkChange = performance.now();
  predictionEl.dataset.busy = "true"; // tests and probes wait for "false"
  if (inFlight) { dirty = true; return; }
  inFlight = true;
  dirty = false;
  try {
    if (!pad.hasInk) {
      ui.showPrediction(null);
    } else {
      const { pixels, width, height } = pad.pixels();
      const result = await client.request("classify", { pixels, width, height }, [pixels.buffer]);
      ui.showPrediction(result);
    }
  } catch (err) {
    ui.showError(`Could not classify the drawing: ${err.message}`);
  } finally {
    inFlight = false;
    if (dirty) {
      classifyNow();
    } else {
      // Last ink change -> probabilities on screen, read by the benchmark.
      predictionEl.dataset.latencyMs = (performance.now() - lastInkChange).toFixed(1);
      predictionEl.dataset.busy = "false";
    }
  }
}

const pad = new DrawingPad(document.querySelector('[data-testid="draw-canvas"]'), classifyNow);
ui.buildProbabilityBars();
ui.showPrediction(null);

document.querySelector('[data-testid="clear"]').addEventListener("click", () => {
  pad.clear();
});
document.querySelector("#error-dismiss").addEventListener("click", () => ui.showError(""));

// ---- training ---------------------------------------------------------------
// Trains (type "train") or fine-tunes (type "fineTune") in the worker, with
// live progress; the result becomes the active model and is remembered.
async function runTraining(type, args) {
  ui.showError("");
  ui.setTrainingButtons("running");
  $("fine-tune").disabled = true;
  ui.setStatus("training", type === "train" ? "Training…" : "Fine-tuning on your samples…");
  train.recent = [];
  await charts.reset();
  try {
    const { model, stopped } = await client.request(type, args);
    if (!model) {
      ui.showTrainProgress({ fraction: 0, text: "Stopped before training began. The active model was not changed." });
      return;
    }
    setActiveModel(model);
    ui.showTrainProgress({ text: `${stopped ? "Stopped" : "Finished"}: ${model.name} is now the active model ` +
      `(${(model.test_accuracy * 100).toFixed(2)}% on the test set). The previous model stays in the list.` });
    await rememberActiveModel();
  } catch (err) {
    if (!crashed) ui.showError(`Training stopped: ${err.message}. The active model was not changed.`);
    ui.showTrainProgress({ text: `Training failed: ${err.message}` });
  } finally {
    ui.setTrainingButtons("idle");
    ui.showTeachCount(samples.length);
    if (!crashed) ui.setStatus("ready", "Ready — draw a digit");
    showMemory();
  }
}

$("train").addEventListener("click", () => {
  const form = document.getElementById("train-form");
  const { settings, errors, fields } = readSettings(form);
  for (const f of fields) ui.setFieldError(f, errors[f]);
  if (Object.keys(errors).length) {
    form.querySelector(`#${Object.keys(errors)[0]}`).focus();
    return;
  }
  runTraining("train", { settings, name: uniqueName("trained") });
});

// ---- teaching ---------------------------------------------------------------
// Each sample is the drawing as the model sees it (784 float32) plus its label.
let samples = [];

async function saveSamples() {
  try {
    await storage.set("samples", samples);
  } catch (err) {
    ui.showError(`Your samples could not be kept for next time: ${err.message}`);
  }
}

$("teach-add").addEventListener("click", async () => {
  if (!pad.hasInk) {
    ui.showError("Draw a digit first, then add it as a sample.");
    return;
  }
  const { pixels, width, height } = pad.pixels();
  const x = await client.request("preprocessSample", { pixels, width, height }, [pixels.buffer]);
  if (!x) {
    ui.showError("That drawing is too small to use as a sample.");
    return;
  }
  samples.push({ label: Number($("teach-label").value), x });
  ui.showTeachCount(samples.length);
  ui.showError("");
  await saveSamples();
});

$("fine-tune").addEventListener("click", () => {
  const all = new Uint8Array(samples.length * 784 * 4);
  samples.forEach((s, i) => all.set(s.x, i * 784 * 4));
  runTraining("fineTune", {
    samples: all, labels: samples.map((s) => s.label), name: uniqueName(`${activeModel.split("+")[0]}+you`),
  });
});

$("teach-clear").addEventListener("click", async () => {
  samples = [];
  ui.showTeachCount(0);
  await storage.delete("samples").catch(() => {});
});

$("pause").addEventListener("click", async () => {
  const { paused } = await client.request("pause");
  ui.setTrainingButtons(paused ? "paused" : "running");
  ui.setStatus("training", paused ? "Training paused" : "Training…");
});

$("stop").addEventListener("click", () => client.request("stop"));

// ---- evaluation -----------------------------------------------------------
$("evaluate").addEventListener("click", async () => {
  const button = $("evaluate");
  button.disabled = true;
  try {
    ui.showEvaluation(await client.request("evaluate"));
    showMemory();
  } catch (err) {
    if (!crashed) ui.showError(`Evaluation failed: ${err.message}`);
  } finally {
    button.disabled = false;
    button.textContent = "Evaluate active model";
  }
});

// ---- models -----------------------------------------------------------------
document.getElementById("model-select").addEventListener("change", async (event) => {
  try {
    setActiveModel(await client.request("setActive", { name: event.target.value }));
  } catch (err) {
    ui.showError(err.message);
  }
});

$("save-model").addEventListener("click", async () => {
  try {
    const bytes = await client.request("saveModel");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    link.download = `pynet-${activeModel}.npz`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (err) {
    ui.showError(`Could not save the model: ${err.message}`);
  }
});

$("use-pretrained").addEventListener("click", async () => {
  setActiveModel(await client.request("setActive", { name: "pretrained" }));
  await storage.delete("model").catch(() => {}); // next visit starts with the pretrained model
});

$("load-model").addEventListener("change", async (event) => {
  const input = event.target;
  const file = input.files[0];
  input.value = ""; // picking the same file again fires change again
  if (!file) return;
  try {
    if (file.size > MAX_MODEL_FILE) {
      throw new Error(`the file is too large (${(file.size / 1e6).toFixed(1)} MB; the limit is 64 MB)`);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const name = file.name.replace(/\.npz$/i, "") || "loaded";
    const info = await client.request("loadModel", { name, bytes }, [bytes.buffer]);
    setActiveModel(info);
    ui.showError("");
    await rememberActiveModel();
  } catch (err) {
    ui.showError(`Could not load ${file.name}: ${err.message}. The active model is still ${activeModel}.`);
  }
});

// ---- start-up, crash and restart ------------------------------------------
// Python's memory, shown in the footer (wasm memory never shrinks: a high-water mark).
function showMemory() {
  if (!ready) return;
  client.request("memory").then(({ wasm_bytes }) => ui.showBuildInfo({ wasmBytes: wasm_bytes }), () => {});
}

async function start() {
  ui.setStatus("loading", "Loading…");
  try {
    const { model, seconds, timings } = await client.request("init");
    ready = true;
    document.body.dataset.bootTimings = JSON.stringify(timings); // read by the benchmark
    document.body.dataset.readyAt = performance.now().toFixed(0); // ms since navigation start
    ui.setLoadProgress(null);
    setActiveModel(model);
    ui.setStatus("ready", `Ready in ${seconds.toFixed(1)} s — draw a digit`);
    await restoreRememberedModel();
    showMemory();
  } catch (err) {
    if (crashed) return;
    ui.setLoadProgress(null);
    ui.setStatus("error", "Could not start");
    ui.showError(`Python failed to start: ${err.message}`);
  }
}

// An uncaught error or a fatal Pyodide error (e.g. out of memory) in the
// worker. The page keeps the drawing, the settings, the samples and the saved
// model; "Restart Python" starts a fresh worker without reloading the page.
let crashed = false;
function onCrash(message) {
  if (crashed) return;
  crashed = true;
  ready = false;
  ui.setStatus("error", "Python stopped");
  ui.showError(`Python stopped working (${message}). Your drawing, settings and saved model are kept: ` +
    "press Restart Python to carry on.", { restart: true });
}

$("restart-worker").addEventListener("click", async () => {
  ui.showError("");
  client.restart();
  crashed = false;
  models.clear();
  ui.setTrainingButtons("idle");
  await start();
  if (ready && pad.hasInk) classifyNow();
});

// The service worker is registered once Python is up, so precaching the
// build does not compete with the first start for bandwidth.
start().finally(() => registerOffline((apply) => {
  ui.showUpdateReady(true);
  $("apply-update").onclick = apply;
}));
storage.get("samples").then((saved) => {
  samples = saved ?? [];
  ui.showTeachCount(samples.length);
}, () => {});

buildVersion().then((version) => ui.showBuildInfo({ version }), () => {});
