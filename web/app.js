// Wiring: connects the drawing pad, the worker client and the UI.
import { WorkerClient } from "./worker-client.js";
import { DrawingPad } from "./draw.js";
import * as ui from "./ui.js";

const STAGES = { runtime: 0.15, packages: 0.6, model: 0.9 };

const client = new WorkerClient(new URL("./worker.js", import.meta.url), (event) => {
  if (event.stage in STAGES) {
    ui.setStatus("loading", event.message);
    ui.setLoadProgress(STAGES[event.stage]);
  }
});

// Classification is throttled: one request in flight; changes made meanwhile
// are sent as one request when it returns, so the worker is never flooded.
let inFlight = false;
let dirty = false;
let ready = false;
const predictionEl = document.querySelector('[data-testid="prediction"]');

async function classifyNow() {
  if (!ready) return;
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
    if (dirty) classifyNow();
    else predictionEl.dataset.busy = "false";
  }
}

const pad = new DrawingPad(document.querySelector('[data-testid="draw-canvas"]'), classifyNow);
ui.buildProbabilityBars();
ui.showPrediction(null);

document.querySelector('[data-testid="clear"]').addEventListener("click", () => {
  pad.clear();
});
document.querySelector("#error-dismiss").addEventListener("click", () => ui.showError(""));

ui.setStatus("loading", "Loading…");
client.request("init").then(
  ({ model, seconds }) => {
    ready = true;
    ui.setLoadProgress(null);
    ui.showModel(model);
    ui.setStatus("ready", `Ready in ${seconds.toFixed(1)} s — draw a digit`);
    if (pad.hasInk) classifyNow();
  },
  (err) => {
    ui.setLoadProgress(null);
    ui.setStatus("error", "Could not start");
    ui.showError(`Python failed to start: ${err.message}`);
  },
);
