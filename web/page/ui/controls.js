// Which controls can be used now, from the app's state (one place decides).
import { byTestId as $ } from "./dom.js";
import { presetButtons } from "./form.js";

export function renderControls(state) {
  const job = state.job; // see jobs.js
  const idle = state.ready && !job && !state.checkingSettings;
  const training = !!job && job.kind !== "evaluate";
  $("train").disabled = !idle;
  $("pause").disabled = !training || job.stopping;
  $("stop").disabled = !training || job.stopping;
  $("pause").textContent = job?.paused ? "Resume" : "Pause";
  $("pause").setAttribute("aria-pressed", job?.paused ? "true" : "false");
  $("fine-tune").disabled = !(idle && state.samples.length > 0);
  $("teach-clear").disabled = state.samples.length === 0;
  $("teach-add").disabled = !state.ready;
  $("evaluate").disabled = !idle;
  $("save-model").disabled = !state.ready;
  $("save-onnx").disabled = !state.ready;
  $("use-pretrained").disabled = !state.ready;
  $("model-select").disabled = !state.ready;
  // Updating reloads the page: not in the middle of a run.
  $("apply-update").disabled = training;
  $("apply-update").title = training ? "Available when the training run ends" : "";
  // Continuing trains the active model's own layers; a dense network has no convolutions.
  const continuing = $("continue-training").checked;
  $("hidden-layers").disabled = continuing;
  $("architecture").disabled = continuing;
  $("conv-layers").disabled = continuing || $("architecture").value !== "cnn";
  $("batch-norm").disabled = $("conv-layers").disabled;
  $("epochs-label").textContent = continuing ? "More epochs" : "Epochs";
  for (const button of presetButtons()) button.disabled = continuing || !state.ready;
  document.body.dataset.job = job ? `${job.kind}:${job.phase}` : ""; // for tests and probes
}
