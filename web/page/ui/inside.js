// Looking inside: the explanation, the step-through and the gradient check.
import { byTestId as $, diverging, grey, paintTile, svg, tableRow, tile } from "./dom.js";
import * as format from "../format.js";

const floats = (bytes) => new Float32Array(bytes.slice().buffer); // Python bytes -> numbers
const fmt = (v) => (v == null ? "–" : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2)
  : format.decimal(v, Math.abs(v) >= 10 ? 2 : 4));

export const explainOpen = () => $("explain").open;

// values (floats) -> 0..255 for a tile: [0, max] for non-negative maps, symmetric otherwise.
function scaled(values, colour) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const out = new Uint8Array(values.length);
  if (colour === diverging) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    values.forEach((v, i) => { out[i] = Math.round(127.5 + 127.5 * v / m); });
  } else {
    const m = hi > 0 ? hi : 1;
    values.forEach((v, i) => { out[i] = Math.round(255 * Math.max(0, v) / m); });
  }
  return out;
}

function layerView(entry) {
  const box = document.createElement("div");
  box.className = "layer";
  box.dataset.layer = entry.layer;
  const title = document.createElement("h4");
  const values = floats(entry.values);
  const signed = entry.min < 0;
  const colour = signed ? diverging : grey;
  if (entry.channels) {
    title.textContent = `${entry.layer}: ${entry.channels} feature maps of ${entry.side}×${entry.side}` +
      (entry.shown < entry.channels ? ` (first ${entry.shown})` : "") + `, values ${fmt(entry.min)} to ${fmt(entry.max)}`;
    const maps = document.createElement("div");
    maps.className = "maps";
    const n = entry.side * entry.side;
    for (let c = 0; c < entry.shown; c++) {
      const map = scaled(values.subarray(c * n, (c + 1) * n), colour);
      maps.append(tile(map, 0, colour, `${entry.layer}, channel ${c + 1}`, entry.side));
    }
    box.append(title, maps);
  } else {
    title.textContent = `${entry.layer}: ${entry.units} units` + (entry.shown < entry.units ? ` (first ${entry.shown})` : "") +
      `, values ${fmt(entry.min)} to ${fmt(entry.max)}`;
    const strip = document.createElement("canvas");
    strip.className = "strip";
    strip.width = entry.shown;
    strip.height = 1;
    strip.setAttribute("role", "img");
    strip.setAttribute("aria-label", `${entry.layer}: activations of ${entry.shown} units`);
    const ctx = strip.getContext("2d");
    const img = ctx.createImageData(entry.shown, 1);
    scaled(values, colour).forEach((v, i) => img.data.set([...colour(v), 255], i * 4));
    ctx.putImageData(img, 0, 0);
    box.append(title, strip);
  }
  return box;
}

// report: pynet.inside.explain.explain(...) or null (nothing drawn).
export function showExplanation(report) {
  $("explain").dataset.digit = report ? String(report.digit) : "";
  $("explain-status").textContent = report
    ? `${report.model} answers ${report.digit} in one pass over the input as given (the bars average it with four ` +
      "more views). Below: each layer's response, from the input to the answer."
    : "Draw a digit: every layer's response to it appears here, live.";
  $("saliency-digit").textContent = report ? String(report.digit) : "–";
  const saliency = report ? floats(report.saliency) : new Float32Array(784);
  paintTile($("saliency"), scaled(saliency, diverging), 0, diverging);
  $("saliency").dataset.max = report ? String(report.saliency_max) : "";
  $("saliency").dataset.digit = report ? String(report.digit) : "";
  const c = report?.contributions;
  // The units are the output layer's inputs; c.layer (e.g. "11: Dense(256, 10, …)") names that layer, on hover.
  $("contributions-title").textContent = c ? `The ${c.kind} feeding the output layer that pushed hardest for ` +
    `${report.digit} (and against)` : "What pushed for and against the answer";
  $("contributions-title").title = c ? `output layer ${c.layer}` : "";
  $("contributions").replaceChildren(...(c ? [...c.for, ...c.against] : []).map((u) => {
    const li = document.createElement("li");
    li.dataset.unit = String(u.unit);
    li.dataset.contribution = String(u.contribution);
    li.textContent = `unit ${u.unit}: activation ${fmt(u.activation)} × weight ${fmt(u.weight)} = ` +
      `${u.contribution >= 0 ? "+" : ""}${fmt(u.contribution)}`;
    return li;
  }));
  $("activations").replaceChildren(...(report ? report.layers.map(layerView) : []));
  $("activations").dataset.layers = String(report ? report.layers.length : 0);
}

function histogram(counts) {
  const max = Math.max(...counts, 1);
  const w = 80 / counts.length;
  const bars = counts.map((n, i) => svg("rect", { x: i * w, y: 18 - 18 * n / max, width: Math.max(w - 0.5, 0.5),
    height: 18 * n / max, fill: "#0072b2" }));
  const el = svg("svg", { viewBox: "0 0 80 18", role: "img", "aria-label": "histogram" });
  el.append(...bars);
  return el;
}

const ARRAY_COLUMNS = ["array", "shape", "dtype", "mean", "std", "min", "max", "histogram", "computed by"];

export function showStepStage(result) {
  const stage = result?.stage ?? "";
  $("step-stage").dataset.stage = stage;
  $("step-stage").dataset.loss = result?.loss != null ? String(result.loss) : "";
  $("step-stage").textContent = !result ? "" : `Stage ${result.index} of ${$("step-stages").children.length}: ${stage}` +
    (result.loss != null ? ` · loss ${format.decimal(result.loss, 4)}` : "") + ` · batch of ${result.batch_size}, epoch ${result.epoch}`;
  [...$("step-stages").children].forEach((li, i) => { // the chips, in the library's stage order
    li.dataset.state = !result ? "" : i < result.index - 1 ? "done" : i === result.index - 1 ? "current" : "";
  });
  const table = $("step-view");
  table.dataset.stage = stage;
  if (!result) { table.replaceChildren(); return; }
  const head = tableRow([...ARRAY_COLUMNS, ...(stage === "update" ? ["change ÷ size"] : [])], true);
  const rows = result.arrays.map((a) => {
    const tr = tableRow([a.name, `(${a.shape.join(", ")})`, a.dtype, fmt(a.mean), fmt(a.std), fmt(a.min), fmt(a.max)]);
    tr.dataset.name = a.name;
    tr.dataset.mean = String(a.mean);
    const hist = document.createElement("td");
    hist.append(histogram(a.histogram));
    const src = document.createElement("td");
    if (a.source) {
      const code = document.createElement("code");
      code.textContent = `${a.source.file}:${a.source.line}  ${a.source.code}`;
      src.append(code);
    } else {
      src.textContent = "the data";
    }
    tr.append(hist, src);
    if (stage === "update") {
      const td = document.createElement("td");
      td.textContent = a.relative_change == null ? "–" : a.relative_change.toExponential(2);
      td.dataset.relativeChange = String(a.relative_change ?? "");
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

export function setStepControls({ label, canStep, canApply }) {
  $("step-batch").textContent = label;
  $("step-batch").disabled = !canStep;
  $("step-apply").disabled = !canApply;
}

export function showGradientCheck(report) {
  const verdict = $("gradient-check-verdict");
  verdict.dataset.maxRelError = report ? String(report.max_relative_error) : "";
  verdict.textContent = !report ? "" : `${report.model}: largest relative error ${report.max_relative_error.toExponential(2)} — ` +
    (report.max_relative_error < 1e-4 ? "backpropagation agrees with finite differences."
      : "check the layers with large errors (a ReLU or max-pool right at a kink can cause one).");
  const head = tableRow(["layer", "parameter", "entry", "backprop", "finite differences", "relative error"], true);
  const rows = [];
  for (const layer of report?.layers ?? []) {
    for (const e of layer.entries) {
      const tr = tableRow([layer.layer, layer.param, `[${e.index.join(", ")}]`, e.analytic.toExponential(6),
        e.numeric.toExponential(6), e.relative_error.toExponential(2)]);
      tr.dataset.layer = layer.layer;
      tr.dataset.param = layer.param;
      tr.dataset.relError = String(e.relative_error);
      rows.push(tr);
    }
  }
  $("gradient-check-results").replaceChildren(...(report ? [head, ...rows] : []));
}

// Tests wait for data-busy="false" on these.
export function setExplainBusy(busy) {
  $("explain").dataset.busy = busy ? "true" : "false";
}

export function setGradientCheckBusy(busy, ready = true) {
  $("gradient-check").disabled = busy || !ready;
  $("gradient-check").textContent = busy ? "Checking…" : "Run the gradient check";
  $("gradient-check-panel").dataset.busy = busy ? "true" : "false";
}
