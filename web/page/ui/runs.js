// The run history table: one row per run (data-run = its name), newest first.
import { byTestId as $, fmtPct, isNumber } from "./dom.js";
import * as format from "../format.js";

const OPTIMISERS = { adam: "Adam", sgd: "SGD" };

// A run's settings in one line: network, optimiser, rate, schedule, batch, epochs, seed, extras.
export function settingsText(run) {
  const t = run.trainConfig;
  const continued = typeof run.continuedFrom === "string" && run.continuedFrom;
  const first = continued && isNumber(run.firstEpoch) ? run.firstEpoch : 1;
  // A continued run trained epochs `first` to t.epochs of its model's schedule.
  const epochs = !continued ? `${format.integer(t.epochs)} epoch${t.epochs === 1 ? "" : "s"}`
    : first >= t.epochs ? `epoch ${format.integer(t.epochs)}` : `epochs ${format.integer(first)}–${format.integer(t.epochs)}`;
  const parts = [run.description, `${OPTIMISERS[t.optimizer] ?? t.optimizer} lr ${format.short(t.lr)} ${t.schedule}`,
    `batch ${format.integer(t.batch_size)}`, epochs, `seed ${t.seed}`];
  if (continued) parts.splice(1, 0, `continues ${run.continuedFrom}`);
  if (t.augment) parts.push("augment");
  if (t.workers > 1) parts.push(`${t.workers} workers`);
  return parts.join(" · ");
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(testid, text, { disabled = false, title = "" } = {}) {
  const b = document.createElement("button");
  b.type = "button";
  b.dataset.testid = testid;
  b.textContent = text;
  b.disabled = disabled;
  b.title = title;
  return b;
}

const pct = (v) => (isNumber(v) ? fmtPct(v) : "–");

// runs: newest first; held(run): the model name the worker holds for it, or "";
// selected: Set of run names ticked; colourOf(name): the run's colour on the charts, if ticked.
export function showRuns(runs, { held, selected, colourOf, ready }) {
  const body = $("run-history").tBodies[0];
  body.replaceChildren(...runs.map((run) => {
    const tr = document.createElement("tr");
    const model = held(run);
    tr.dataset.run = run.name;
    tr.dataset.model = run.model;
    tr.dataset.held = model ? "true" : "false";
    tr.dataset.valAccuracy = isNumber(run.valAccuracy) ? String(run.valAccuracy) : "";
    tr.dataset.testAccuracy = isNumber(run.testAccuracy) ? String(run.testAccuracy) : "";
    tr.dataset.seconds = isNumber(run.seconds) ? String(run.seconds) : ""; // training time, pauses left out
    const tick = document.createElement("input");
    tick.type = "checkbox";
    tick.dataset.testid = "compare-run";
    tick.checked = selected.has(run.name);
    tick.setAttribute("aria-label", `Compare ${run.name.replace("-", " ")}`);
    const tickCell = document.createElement("td");
    tickCell.append(tick);
    const swatch = document.createElement("span"); // the run's colour on the charts, while ticked
    swatch.className = "swatch";
    const colour = colourOf(run.name);
    swatch.hidden = !colour;
    if (colour) swatch.style.background = colour; // CSSOM: the CSP forbids style attributes
    const stopped = !run.stopped ? ""
      : isNumber(run.stoppedAt) ? ` (stopped at ${format.percent(run.stoppedAt, 0)})` : " (stopped)";
    const name = cell(`${run.name.replace("-", " ")}${stopped}`);
    name.prepend(swatch);
    name.title = `made the model ${run.model}`;
    const actions = document.createElement("td");
    actions.className = "run-actions";
    actions.append(
      button("run-use", "Use", { disabled: !ready || !model,
        title: model ? `Make ${model} the active model` : "Its model is not in this tab any more (it was trained in an earlier visit or before Python restarted)" }),
      button("export-notebook", "Export as notebook", { disabled: !ready || !run.record,
        title: "A Jupyter notebook that trains this run again with pynet on CPython" }),
    );
    tr.append(tickCell, name, cell(settingsText(run), "run-settings"), cell(format.dateTime(run.startedAt)),
      cell(isNumber(run.samplesPerSec) ? format.integer(run.samplesPerSec) : "–", "num"),
      cell(pct(run.valAccuracy), "num"), cell(pct(run.testAccuracy), "num"), actions);
    return tr;
  }));
  $("runs-empty").hidden = runs.length > 0;
  $("runs-scroll-hint").hidden = runs.length === 0;
  $("runs-forget").disabled = runs.length === 0;
}

export const curvesBy = () => $("compare-x").value;

// Whether the browser's store holds what the table shows (no write pending).
export const markStored = (stored) => { $("run-history").dataset.stored = stored ? "true" : "false"; };
