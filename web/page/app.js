// The page's entry: wires the flow modules together, and handles start-up, a
// crash of Python and its restart. The worker was started already, by
// start-worker.js (index.html loads it first); this takes its client over. The
// page is read and written only through ui/*, Python only through the worker;
// the state is one object (state.js) and the worker's long job is followed in
// jobs.js.
import { client, takeOver } from "./start-worker.js";
import { DrawingPad } from "./draw.js";
import { state } from "./state.js";
import { Jobs } from "./jobs.js";
import { registerOffline, buildVersion, keepDownloadsForOffline } from "./offline.js";
import { initClassify } from "./classify.js";
import { initEvaluation } from "./evaluation.js";
import { initImageInput } from "./image-input.js";
import { initInside } from "./inside.js";
import { initModels } from "./models.js";
import { initRuns } from "./runs.js";
import { initShare } from "./share.js";
import { initTeaching } from "./teaching.js";
import { initTraining, tabMemoryMB } from "./training.js";
import { renderControls } from "./ui/controls.js";
import { on } from "./ui/dom.js";
import { buildProbabilityBars, showPrediction } from "./ui/prediction.js";
import { watchPen } from "./ui/announce.js";
import { clearError, setLoadProgress, setStatus, showBuildInfo, showError, showUpdateReady } from "./ui/status.js";
import * as format from "./format.js";

const app = { state };
app.render = () => {
  renderControls(state);
  app.renderStep?.();
};
app.client = client;
app.jobs = new Jobs({ client: app.client, state, render: () => app.render() });
app.pad = new DrawingPad(() => {
  clearError("image"); // drawing again moves on from a file that could not be used
  app.classifyNow();
});

// Python's memory, shown in the footer (wasm memory never shrinks: a high-water
// mark), the helper workers' too while they run.
app.showMemory = () => {
  if (!state.ready) return;
  app.client.request("memory").then(({ wasm_bytes: wasmBytes, helpers }) => showBuildInfo({ wasmBytes, helpers }), () => {});
};

initClassify(app);
initImageInput(app); // "Open an image": a picture answered in the drawing's place
initInside(app);
initModels(app);
initTraining(app);
initTeaching(app);
initEvaluation(app);
initRuns(app);
initShare(app);
// The model list changed: what depends on which models Python holds follows.
app.modelsChanged = () => {
  app.showCompareChoices();
  app.showRuns();
};

// ---- events from the worker -----------------------------------------------------
const LOAD_STAGES = { runtime: 0.15, packages: 0.6, model: 0.9 };
function onEvent(event) {
  if (event.type === "progress" && event.stage in LOAD_STAGES) {
    setStatus("loading", event.message);
    setLoadProgress(LOAD_STAGES[event.stage]);
    return;
  }
  if (event.stage === "mnist-parse") keepDownloadsForOffline();
  if (event.type === "job" && event.state === "started") app.showMemory();
  app.jobs.onEvent(event);
}

buildProbabilityBars();
watchPen(); // the answer is announced once the pen is up (ui/announce.js)
showPrediction(null);
on("error-dismiss", "click", () => showError(""));

// ---- start-up, crash and restart ------------------------------------------------
async function start() {
  setStatus("loading", "Loading…");
  try {
    // Both are answered as soon as Python is up: the tab's budget needs no second round trip.
    const [{ model, schema, seconds, timings }] = await Promise.all([
      app.client.request("init"), app.client.request("set_device", { memory_mb: tabMemoryMB() })]);
    state.schema = schema;
    app.applySchema(schema);
    state.ready = true;
    document.body.dataset.bootTimings = JSON.stringify(timings); // read by the benchmark
    document.body.dataset.readyAt = performance.now().toFixed(0); // ms since navigation start
    setLoadProgress(null);
    app.setActiveModel(model);
    app.render();
    setStatus("ready", `Ready in ${format.decimal(seconds, 1)} s — draw a digit`);
    await app.readSharedLink();
    await app.restoreRememberedModel();
    app.showMemory();
  } catch (err) {
    if (state.crashed) return;
    setLoadProgress(null);
    setStatus("error", "Could not start");
    showError(`Python failed to start: ${err.message}`);
  }
}

// An uncaught error or a fatal Pyodide error (e.g. out of memory) in the
// worker. The page keeps the drawing, the settings, the samples and the saved
// model; "Restart Python" starts a fresh worker without reloading the page.
function onCrash(message) {
  if (state.crashed) return;
  state.crashed = true;
  state.ready = false;
  app.jobs.onEvent({ type: "job", state: "failed", error: { kind: "crash", message: `Python stopped (${message})` } });
  app.render();
  setStatus("error", "Python stopped");
  showError(`Python stopped working (${message}). Your drawing, settings and saved model are kept: ` +
    "press Restart Python to carry on.", { restart: true });
}

on("restart-worker", "click", async () => {
  showError("");
  app.client.restart();
  Object.assign(state, { crashed: false, job: null, models: new Map(), active: null });
  app.forgetRunModels();
  app.modelsChanged();
  app.render();
  await start();
  if (state.ready && app.pad.hasInk) app.classifyNow();
});

app.render();
takeOver({ onProgress: onEvent, onCrash }); // the worker's events so far, and from now on
// The service worker is registered once Python is up, so precaching the
// build does not compete with the first start for bandwidth.
let applyUpdate = () => location.reload();
on("apply-update", "click", () => applyUpdate());
start().finally(() => registerOffline({
  onUpdateReady(apply) {
    applyUpdate = apply;
    showUpdateReady(true);
  },
  onUpdatedElsewhere() {
    // This tab keeps its build (files, worker, wheel) until the person reloads.
    applyUpdate = () => location.reload();
    showUpdateReady(true, { elsewhere: true });
  },
}));
app.restoreSamples();
app.restoreRuns();
buildVersion().then((version) => showBuildInfo({ version }), () => {});
