// The flow: what happens when. The app's state lives in one object; the page
// is read and written only through ui.js, Python only through the worker.
import { WorkerClient } from "./worker-client.js";
import { DrawingPad } from "./draw.js";
import * as ui from "./ui.js";
import { TrainingCharts } from "./charts.js";
import * as format from "./format.js";
import { storage } from "./storage.js";
import { registerOffline, buildVersion, keepDownloadsForOffline } from "./offline.js";

const state = {
  ready: false, // Python is up and a model is loaded
  crashed: false,
  job: null, // the running training job: "train" | "fine-tune" | null
  paused: false,
  evaluating: false,
  schema: null, // pynet's settings table and limits (the worker's ready reply)
  models: new Map(), // name -> info of every model the worker holds
  active: null, // the model that classifies
  samples: [], // taught drawings: {label, x: 784 float32 as bytes}
  classify: { inFlight: false, dirty: false, lastInkChange: 0 },
  recentProgress: [], // [time, samples] of the last few seconds of training
  runs: 0, // training runs started on this page
  explaining: false, // an explanation request is in flight
  step: null, // the step-through: {stage: stages done (0-4)} while one is set up
  stopRequested: false, // Stop was pressed during this run (maybe before the worker heard of it)
};

const client = new WorkerClient(new URL("./worker.js", import.meta.url), { onProgress, onCrash });
const charts = new TrainingCharts();
function render() {
  ui.renderControls(state);
  renderStep();
}

// ---- models -------------------------------------------------------------------
function setActiveModel(info, { remembered = false } = {}) {
  state.models.set(info.name, info);
  state.active = info.name;
  ui.showModel(info, { remembered });
  ui.showModelList([...state.models.values()], state.active);
  showContinueHint();
  client.request("first_layer_weights").then(ui.showWeights,
    (err) => ui.showError(`Could not show the weights: ${err.message}`));
  if (pad.hasInk) classifyNow();
  else explainNow();
}

// "trained-1", "trained-2", …: the first name not taken.
function uniqueName(base) {
  for (let n = 1; ; n++) if (!state.models.has(`${base}-${n}`)) return `${base}-${n}`;
}

// The last trained or loaded model survives a reload (IndexedDB).
async function rememberActiveModel() {
  try {
    const name = state.active;
    const bytes = await client.request("model_bytes");
    await storage.set("model", { name, bytes });
    ui.markModelRemembered(name);
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
    setActiveModel(await client.request("add_model", { name: saved.name, data: saved.bytes }), { remembered: true });
  } catch (err) {
    await storage.delete("model").catch(() => {});
    ui.showError(`Your last model could not be restored (${err.message}); using the pretrained one.`);
  }
}

function showContinueHint() {
  const info = state.models.get(state.active);
  if (!ui.continueTraining() || !info) {
    ui.showContinueHint("");
    return;
  }
  const where = info.epoch_samples > 0 ? `part-way through epoch ${info.epochs_done + 1}`
    : `after ${info.epochs_done} epoch${info.epochs_done === 1 ? "" : "s"}`;
  ui.showContinueHint(`Train continues ${info.name} (${info.architecture}) from where it stopped, ${where}, ` +
    (info.has_optimizer ? "with its optimiser state." : "with a fresh optimiser (the model carries no optimiser state)."));
}

// ---- progress events from the worker -------------------------------------------
const LOAD_STAGES = { runtime: 0.15, packages: 0.6, model: 0.9 };
const loading = (event) => {
  ui.setStatus("loading", event.message);
  ui.setLoadProgress(LOAD_STAGES[event.stage]);
};
const mb = (n) => format.decimal(n / 1e6, 1);

const progressHandlers = {
  runtime: loading,
  packages: loading,
  model: loading,
  mnist: ({ bytes, total }) => ui.showTrainProgress({
    fraction: total ? bytes / total : 0,
    text: `Downloading MNIST: ${mb(bytes)} of ${mb(total)} MB (${format.percent(total ? bytes / total : 0)})`,
  }),
  "mnist-parse": () => {
    ui.showTrainProgress({ text: "Preparing MNIST…" });
    keepDownloadsForOffline();
  },
  "train-start": (job) => ui.showTrainProgress({
    fraction: job.samples / job.total_samples, epoch: job.first_epoch, samples: job.samples,
    totalSamples: job.total_samples,
    text: `Training ${job.architecture} (${format.integer(job.n_params)} weights)` +
      (job.first_epoch > 1 || job.samples > 0 ? `, continuing in epoch ${job.first_epoch} of ${job.epochs}…` : "…"),
  }),
  train: onTrainUpdate,
  finish: ({ images, total }) => ui.showTrainProgress({
    text: `Checking the new model on ${format.integer(total)} held-out and test images: ${format.percent(images / total)}`,
  }),
  evaluate: ({ images, total }) => ui.setEvaluating(true, images / total),
};

function onProgress(event) {
  progressHandlers[event.stage]?.(event);
}

function onTrainUpdate({ step, points, epochs }) {
  charts.add(points, epochs);
  if (!step) return;
  // samples/s averaged over the last few seconds of wall-clock time
  const now = performance.now();
  const recent = state.recentProgress;
  recent.push([now, step.samples]);
  while (recent.length > 2 && now - recent[0][0] > 3000) recent.shift();
  const [t0, s0] = recent[0];
  const rate = now > t0 && step.samples > s0 ? ((step.samples - s0) * 1000) / (now - t0) : step.samples_per_sec;
  const eta = rate > 0 ? (step.total_samples - step.samples) / rate : 0;
  const lastVal = epochs.length ? epochs[epochs.length - 1].val_accuracy : null;
  ui.showTrainProgress({
    epoch: step.epoch, samples: step.samples, totalSamples: step.total_samples,
    samplesPerSec: Math.round(rate), loss: step.running_loss.toFixed(4),
    valAccuracy: lastVal ?? undefined,
    fraction: step.samples / step.total_samples,
    text: `Epoch ${step.epoch} · ${format.integer(step.samples)} / ${format.integer(step.total_samples)} samples · ` +
      `${format.integer(rate)} samples/s · lr ${format.significant(step.lr, 2)} · loss ${format.decimal(step.running_loss, 3)} · ` +
      `accuracy ${format.percent(step.running_accuracy, 1)}` +
      (lastVal != null ? ` · validation ${format.percent(lastVal, 2)}` : "") + ` · ETA ${format.integer(Math.ceil(eta))} s`,
  });
}

// ---- classifying ---------------------------------------------------------------
// Throttled: one request in flight; changes made meanwhile are sent as one
// request when it returns, so the worker is never flooded.
// A Session method that takes the drawing (its strokes, moved to the worker, not copied).
function requestOnDrawing(method) {
  const strokes = pad.strokesPayload();
  return client.request(method, strokes, [strokes.points.buffer, strokes.lengths.buffer]);
}

async function classifyNow() {
  const c = state.classify;
  if (!state.ready) return;
  c.lastInkChange = performance.now();
  ui.setClassifyBusy(true);
  if (c.inFlight) { c.dirty = true; return; }
  c.inFlight = true;
  c.dirty = false;
  try {
    if (!pad.hasInk) {
      ui.showPrediction(null);
    } else {
      ui.showPrediction(await requestOnDrawing("classify"));
    }
  } catch (err) {
    ui.showError(`Could not classify the drawing: ${err.message}`);
  } finally {
    c.inFlight = false;
    if (c.dirty) {
      classifyNow();
    } else {
      ui.setClassifyBusy(false, performance.now() - c.lastInkChange); // ink change -> probabilities shown
      explainNow();
    }
  }
}

const pad = new DrawingPad(classifyNow);
ui.buildProbabilityBars();
ui.showPrediction(null);
ui.on("clear", "click", () => pad.clear());
ui.on("undo", "click", () => pad.undo());
// Ctrl+Z / Cmd+Z undoes the last stroke, unless a text field has the focus (its own undo).
document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLElement && event.target.matches("input, textarea, select");
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "z" && !typing) {
    event.preventDefault();
    pad.undo();
  }
});
ui.on("error-dismiss", "click", () => ui.showError(""));

// ---- looking inside -----------------------------------------------------------------
// Explanations are computed only while their panel is open (classifying stays fast).
async function explainNow() {
  if (!state.ready || !ui.explainOpen() || state.explaining) return;
  state.explaining = true;
  ui.setExplainBusy(true);
  try {
    ui.showExplanation(pad.hasInk ? await requestOnDrawing("explain") : null);
  } catch (err) {
    if (!state.crashed) ui.showError(`Could not explain the prediction: ${err.message}`);
  } finally {
    state.explaining = false;
    ui.setExplainBusy(false);
  }
}
ui.on("explain", "toggle", explainNow);

// state.step.stages: the library's stage names (start_step's reply), in order.
const stepDone = (s) => !!s?.stages && s.stage === s.stages.length;
function renderStep() {
  const s = state.step;
  const next = !s ? "Start a step" : stepDone(s) ? "Start another step" : `Next: ${s.stages?.[s.stage] ?? "forward"}`;
  ui.setStepControls({ label: next, canStep: state.ready && !s?.busy, canApply: stepDone(s) && !s.busy });
}

ui.on("step-batch", "click", async () => {
  if (!state.ready || state.step?.busy) return;
  ui.showError("");
  try {
    if (!state.step || stepDone(state.step)) {
      state.step = { stage: 0, busy: true, stages: null };
      renderStep();
      ui.showStepStage(null);
      state.step.stages = (await client.request("start_step", { settings: ui.readSettings() })).stages;
    }
    state.step.busy = true;
    renderStep();
    const result = await client.request("step_stage");
    state.step.stage = result.index;
    ui.showStepStage(result);
  } catch (err) {
    state.step = null;
    if (!state.crashed) ui.showError(`Could not step: ${err.message}`);
  } finally {
    if (state.step) state.step.busy = false;
    renderStep();
  }
});

ui.on("step-apply", "click", async () => {
  try {
    setActiveModel(await client.request("apply_step"));
    state.step = null;
    ui.showStepStage(null);
    renderStep();
    await rememberActiveModel();
  } catch (err) {
    ui.showError(`Could not apply the step: ${err.message}`);
  } finally {
    renderStep();
  }
});

ui.on("gradient-check", "click", async () => {
  ui.setGradientCheckBusy(true);
  try {
    ui.showGradientCheck(await client.request("gradient_check"));
  } catch (err) {
    if (!state.crashed) ui.showError(`The gradient check failed to run: ${err.message}`);
  } finally {
    ui.setGradientCheckBusy(false, state.ready);
  }
});

// ---- training ---------------------------------------------------------------------
// Runs start_training or start_fine_tune in the worker with live progress; the
// result becomes the active model and is remembered.
async function runTraining(method, args) {
  ui.showError("");
  state.job = method === "start_training" ? "train" : "fine-tune";
  state.paused = false;
  state.stopRequested = false;
  state.recentProgress = [];
  state.runs += 1;
  ui.showTrainProgress({ run: state.runs, fraction: 0, epoch: 0, samples: 0, totalSamples: 0, samplesPerSec: 0,
    text: "Starting…" });
  render();
  ui.setStatus("training", state.job === "train" ? "Training…" : "Fine-tuning on your samples…");
  try {
    await charts.reset();
    // Stop pressed while the charts were set up reached the worker before this
    // run did, so the worker had nothing to stop: honour it here.
    const { model, stopped } = state.stopRequested ? { model: null } : await client.request(method, args);
    if (!model) {
      ui.showTrainProgress({ fraction: 0, text: "Stopped before training began. The active model was not changed." });
      return;
    }
    setActiveModel(model);
    const accuracy = typeof model.test_accuracy === "number" ? ` (${format.percent(model.test_accuracy, 2)} on the test set)` : "";
    ui.showTrainProgress({ text: `${stopped ? "Stopped" : "Finished"}: ${model.name} is now the active model${accuracy}. ` +
      "The previous model stays in the list." });
    await rememberActiveModel();
  } catch (err) {
    if (!state.crashed) ui.showError(`Training stopped: ${err.message}. The active model was not changed.`);
    ui.showTrainProgress({ text: `Training failed: ${err.message}` });
  } finally {
    state.job = null;
    state.paused = false;
    render();
    if (!state.crashed) ui.setStatus("ready", "Ready — draw a digit");
    showMemory();
  }
}

// Field messages come from pynet (validate_settings), live while typing.
async function checkSettings() {
  const errors = await client.request("validate_settings", { settings: ui.readSettings() });
  ui.showFieldErrors(errors);
  return errors;
}

let settingsTimer = 0;
ui.onSettingsInput(() => {
  clearTimeout(settingsTimer);
  if (state.ready) settingsTimer = setTimeout(() => checkSettings().catch(() => {}), 150);
});
ui.on("architecture", "change", render);
for (const button of ui.presetButtons()) {
  button.addEventListener("click", () => {
    ui.setSettings(state.schema.presets[button.dataset.testid.slice("preset-".length)]);
    render();
    checkSettings().catch(() => {});
  });
}
ui.on("continue-training", "change", () => {
  render();
  showContinueHint();
  if (state.ready) checkSettings().catch(() => {});
});

ui.on("train", "click", async () => {
  if (!state.ready || state.job) return;
  state.job = "checking"; // Train stays pressed while pynet checks the settings
  render();
  let errors;
  try {
    errors = await checkSettings();
  } catch (err) {
    errors = null;
    ui.showError(`Could not check the settings: ${err.message}`);
  }
  const bad = errors ? Object.keys(errors) : [];
  if (!errors || bad.length) {
    state.job = null;
    render();
    if (bad.length) ui.focusField(bad[0]);
    return;
  }
  runTraining("start_training", {
    settings: ui.readSettings(), name: uniqueName("trained"), continue_active: ui.continueTraining(),
  });
});

ui.on("pause", "click", async () => {
  const { paused } = await client.request("pause");
  state.paused = paused;
  render();
  ui.setStatus("training", paused ? "Training paused" : "Training…");
});

ui.on("stop", "click", () => {
  state.stopRequested = true;
  return client.request("stop");
});

// ---- teaching ---------------------------------------------------------------------
async function saveSamples() {
  try {
    await storage.set("samples", state.samples);
  } catch (err) {
    ui.showError(`Your samples could not be kept for next time: ${err.message}`);
  }
}

ui.on("teach-add", "click", async () => {
  if (!pad.hasInk) {
    ui.showError("Draw a digit first, then add it as a sample.");
    return;
  }
  const x = await requestOnDrawing("preprocess_sample");
  if (!x) {
    ui.showError("That drawing is too small to use as a sample.");
    return;
  }
  state.samples.push({ label: ui.teachLabel(), x });
  ui.showTeachCount(state.samples.length);
  ui.showError("");
  render();
  await saveSamples();
});

ui.on("fine-tune", "click", () => {
  if (!state.ready || state.job || !state.samples.length) return;
  const all = new Uint8Array(state.samples.length * 784 * 4);
  state.samples.forEach((s, i) => all.set(s.x, i * 784 * 4));
  runTraining("start_fine_tune", {
    samples: all, labels: state.samples.map((s) => s.label), name: uniqueName(`${state.active.split("+")[0]}+you`),
  });
});

ui.on("teach-clear", "click", async () => {
  state.samples = [];
  ui.showTeachCount(0);
  render();
  await storage.delete("samples").catch(() => {});
});

// ---- evaluation -----------------------------------------------------------------
ui.on("evaluate", "click", async () => {
  state.evaluating = true;
  render();
  try {
    ui.showEvaluation(await client.request("evaluate"));
    showMemory();
  } catch (err) {
    if (!state.crashed) ui.showError(`Evaluation failed: ${err.message}`);
  } finally {
    state.evaluating = false;
    ui.setEvaluating(false);
    render();
  }
});

// ---- models -------------------------------------------------------------------------
ui.on("model-select", "change", async () => {
  try {
    setActiveModel(await client.request("set_active", { name: ui.selectedModel() }));
  } catch (err) {
    ui.showError(err.message);
  }
});

ui.on("save-model", "click", async () => {
  try {
    ui.download(await client.request("model_bytes"), `pynet-${state.active}.npz`);
  } catch (err) {
    ui.showError(`Could not save the model: ${err.message}`);
  }
});

ui.on("use-pretrained", "click", async () => {
  setActiveModel(await client.request("set_active", { name: "pretrained" }));
  await storage.delete("model").catch(() => {}); // next visit starts with the pretrained model
});

ui.on("load-model", "change", async (event) => {
  const input = event.target;
  const file = input.files[0];
  input.value = ""; // picking the same file again fires change again
  if (!file) return;
  try {
    const limit = state.schema.max_model_bytes;
    if (file.size > limit) {
      throw new Error(`the file is too large (${format.decimal(file.size / 1e6, 1)} MB; the limit is ${format.integer(limit / 1e6)} MB)`);
    }
    const data = new Uint8Array(await file.arrayBuffer());
    const name = file.name.replace(/\.npz$/i, "") || "loaded";
    setActiveModel(await client.request("add_model", { name, data }, [data.buffer]));
    ui.showError("");
    await rememberActiveModel();
  } catch (err) {
    ui.showError(`Could not load ${file.name}: ${err.message}. The active model is still ${state.active}.`);
  }
});

// ---- start-up, crash and restart ------------------------------------------------
// Python's memory, shown in the footer (wasm memory never shrinks: a high-water mark).
function showMemory() {
  if (!state.ready) return;
  client.request("memory").then(({ wasm_bytes }) => ui.showBuildInfo({ wasmBytes: wasm_bytes }), () => {});
}

async function start() {
  ui.setStatus("loading", "Loading…");
  try {
    const { model, schema, seconds, timings } = await client.request("init");
    state.schema = schema;
    ui.applySettingsSchema(schema);
    state.ready = true;
    document.body.dataset.bootTimings = JSON.stringify(timings); // read by the benchmark
    document.body.dataset.readyAt = performance.now().toFixed(0); // ms since navigation start
    ui.setLoadProgress(null);
    setActiveModel(model);
    render();
    ui.setStatus("ready", `Ready in ${format.decimal(seconds, 1)} s — draw a digit`);
    await restoreRememberedModel();
    showMemory();
  } catch (err) {
    if (state.crashed) return;
    ui.setLoadProgress(null);
    ui.setStatus("error", "Could not start");
    ui.showError(`Python failed to start: ${err.message}`);
  }
}

// An uncaught error or a fatal Pyodide error (e.g. out of memory) in the
// worker. The page keeps the drawing, the settings, the samples and the saved
// model; "Restart Python" starts a fresh worker without reloading the page.
function onCrash(message) {
  if (state.crashed) return;
  state.crashed = true;
  state.ready = false;
  render();
  ui.setStatus("error", "Python stopped");
  ui.showError(`Python stopped working (${message}). Your drawing, settings and saved model are kept: ` +
    "press Restart Python to carry on.", { restart: true });
}

ui.on("restart-worker", "click", async () => {
  ui.showError("");
  client.restart();
  Object.assign(state, { crashed: false, job: null, paused: false, evaluating: false, models: new Map(), active: null });
  render();
  await start();
  if (state.ready && pad.hasInk) classifyNow();
});

render();
// The service worker is registered once Python is up, so precaching the
// build does not compete with the first start for bandwidth.
let applyUpdate = () => location.reload();
ui.on("apply-update", "click", () => applyUpdate());
start().finally(() => registerOffline({
  onUpdateReady(apply) {
    applyUpdate = apply;
    ui.showUpdateReady(true);
  },
  onUpdatedElsewhere() {
    // This tab keeps its build (files, worker, wheel) until the person reloads.
    applyUpdate = () => location.reload();
    ui.showUpdateReady(true, { elsewhere: true });
  },
}));
storage.get("samples").then((saved) => {
  state.samples = saved ?? [];
  ui.showTeachCount(state.samples.length);
  render();
}, () => {});

buildVersion().then((version) => ui.showBuildInfo({ version }), () => {});
