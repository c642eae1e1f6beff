// DOM only: every read and write of the page goes through here, and every
// element is found the same way, by its data-testid. No worker, no flow.
import * as format from "./format.js";

export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const $ = byTestId;

const fmtPct = (v) => format.percent(v, 2);
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

// ---- status and errors ------------------------------------------------------
export function setStatus(state, message) {
  $("status").dataset.state = state;
  $("status-text").textContent = message;
}

export function setLoadProgress(fraction) {
  const bar = $("load-progress");
  bar.hidden = fraction === null;
  if (fraction !== null) bar.value = fraction;
}

// `restart`: also offer the "Restart Python" button (after a worker crash).
export function showError(message, { restart = false } = {}) {
  $("error").hidden = !message;
  $("error-text").textContent = message || "";
  $("restart-worker").hidden = !restart;
}

// `elsewhere`: another tab switched to the new build; this one keeps its own.
export function showUpdateReady(show, { elsewhere = false } = {}) {
  $("update-ready").hidden = !show;
  $("update-ready").dataset.reason = elsewhere ? "updated-elsewhere" : "update-waiting";
  $("update-text").textContent = elsewhere
    ? "pynet was updated in another tab. This tab keeps running the version it loaded until you reload."
    : "A new version of pynet has been downloaded.";
}

export function showBuildInfo({ version, wasmBytes }) {
  if (version) $("build-version").textContent = version;
  if (wasmBytes != null) {
    $("memory").textContent = `${format.integer(wasmBytes / 1048576)} MB`;
    $("memory").dataset.wasmBytes = String(wasmBytes);
  }
}

// Which controls can be used now, from the app's state (one place decides).
export function renderControls(state) {
  const idle = state.ready && !state.job;
  const running = state.job === "train" || state.job === "fine-tune";
  $("train").disabled = !idle;
  $("pause").disabled = !running;
  $("stop").disabled = !running;
  $("pause").textContent = state.paused ? "Resume" : "Pause";
  $("pause").setAttribute("aria-pressed", state.paused ? "true" : "false");
  $("fine-tune").disabled = !(idle && state.samples.length > 0);
  $("teach-clear").disabled = state.samples.length === 0;
  $("teach-add").disabled = !state.ready;
  $("evaluate").disabled = !state.ready || state.evaluating;
  $("save-model").disabled = !state.ready;
  $("use-pretrained").disabled = !state.ready;
  $("model-select").disabled = !state.ready;
  // Updating reloads the page: not in the middle of a run.
  $("apply-update").disabled = running;
  $("apply-update").title = running ? "Available when the training run ends" : "";
  // Continuing trains the active model's own layers; a dense network has no convolutions.
  const continuing = $("continue-training").checked;
  $("hidden-layers").disabled = continuing;
  $("architecture").disabled = continuing;
  $("conv-layers").disabled = continuing || $("architecture").value !== "cnn";
  $("batch-norm").disabled = $("conv-layers").disabled;
  $("epochs-label").textContent = continuing ? "More epochs" : "Epochs";
  for (const button of presetButtons()) button.disabled = continuing || !state.ready;
}

// ---- drawing and prediction -------------------------------------------------
export function buildProbabilityBars() {
  const list = $("probabilities");
  for (let d = 0; d < 10; d++) {
    const row = document.createElement("li");
    row.className = "prob-row";
    row.innerHTML = `<span class="prob-digit">${d}</span>
      <span class="prob-track"><span class="prob-fill"></span></span>
      <span class="prob-value">–</span>`;
    row.setAttribute("data-testid", `prob-${d}`);
    row.dataset.value = "0";
    list.append(row);
  }
}

// result: {digit, confidence, unsure, alternatives, probs, input} or null (nothing drawn).
export function showPrediction(result) {
  const unsure = !!result?.unsure;
  const guess = result ? (unsure ? `${result.digit} or ${result.alternatives[0]}?` : String(result.digit)) : "";
  const inline = $("inline-prediction");
  inline.replaceChildren();
  if (result) {
    const pct = document.createElement("small");
    pct.textContent = unsure ? "unsure" : format.percent(result.confidence);
    inline.append(guess, pct);
  }
  const pred = $("prediction");
  pred.textContent = result ? String(result.digit) : "";
  pred.dataset.digit = result ? String(result.digit) : "";
  pred.dataset.confidence = result ? result.confidence.toFixed(4) : "";
  pred.dataset.unsure = unsure ? "true" : "false";
  pred.setAttribute("aria-label", !result ? "no prediction"
    : unsure ? `unsure: ${guess}` : `predicted ${result.digit}, ${format.percent(result.confidence, 1)} confident`);
  $("prediction-note").textContent = unsure ? `Unsure: ${guess}` : "";
  for (let d = 0; d < 10; d++) {
    const row = $(`prob-${d}`);
    const p = result ? result.probs[d] : 0;
    row.dataset.value = String(p);
    row.classList.toggle("most-likely", !!result && d === result.digit);
    row.querySelector(".prob-fill").style.transform = `scaleX(${p})`;
    row.querySelector(".prob-value").textContent = result ? format.percent(p, 1) : "–";
  }
  showNetworkInput(result?.input ?? null);
}

// The 28x28 image the network saw (784 bytes), or black when nothing is drawn.
function showNetworkInput(pixels) {
  paintTile($("network-input"), pixels ?? new Uint8Array(784));
  $("network-input").dataset.ink = pixels ? String(pixels.reduce((a, b) => a + b, 0)) : "0";
}

// Tests and probes wait for data-busy="false"; the benchmark reads the latency.
export function setClassifyBusy(busy, latencyMs) {
  $("prediction").dataset.busy = busy ? "true" : "false";
  if (latencyMs !== undefined) $("prediction").dataset.latencyMs = latencyMs.toFixed(1);
}

// ---- models -----------------------------------------------------------------
// Only numbers that are numbers are shown (a file's metadata is untrusted).
const accuracyText = (info, sep) => (isNumber(info.test_accuracy) ? `${sep}${fmtPct(info.test_accuracy)}` : "");

export function showModel(info, { remembered = false } = {}) {
  const el = $("model-name");
  el.textContent = `${info.name} (${info.architecture}${accuracyText(info, " · ")}${isNumber(info.test_accuracy) ? " test accuracy" : ""})`;
  el.dataset.name = info.name;
  el.dataset.testAccuracy = isNumber(info.test_accuracy) ? String(info.test_accuracy) : "";
  el.dataset.remembered = remembered ? "true" : "false";
}

export function markModelRemembered(name) {
  if ($("model-name").dataset.name === name) $("model-name").dataset.remembered = "true";
}

export function showModelList(models, active) {
  $("model-select").replaceChildren(...models.map((m) =>
    new Option(`${m.name} (${m.architecture})${accuracyText(m, " — ")}`, m.name, false, m.name === active)));
}

export const selectedModel = () => $("model-select").value;

// Saves bytes as a file download.
export function download(bytes, filename) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// ---- training form ------------------------------------------------------------
const form = () => $("train-form");
const fieldNames = () => [...form().elements].filter((el) => el.name).map((el) => el.name);
const CHOICE_LABELS = {
  adam: "Adam", sgd: "SGD + momentum", constant: "Constant", cosine: "Cosine decay",
  "warmup-cosine": "Warm-up, then cosine", step: "Step (÷10 at 50 %, 75 %)", mlp: "Dense (MLP)",
  cnn: "Convolutional (CNN)",
};

function limitsText(rule) {
  // The fields take numbers as pynet parses them (English digits and point), so their limits are written so.
  const n = (v) => format.integer(Number(v), "en");
  if (rule.kind === "integer") return `${n(rule.min)} to ${n(rule.max)}`;
  if (rule.kind === "number") {
    return `${rule.min_exclusive ? "above" : "from"} ${rule.min} ${rule.max_exclusive ? "below" : "to"} ${rule.max}`;
  }
  if (rule.kind === "sizes") return `e.g. ${rule.example}; up to ${rule.max_items} layers of ${n(rule.min)}–${n(rule.max)}`;
  if (rule.kind === "conv") {
    return `filters per block, e.g. 8,16 (${rule.default_kernel}×${rule.default_kernel}) or 32x3,64x3; ` +
      `up to ${rule.max_items} blocks of ${n(rule.min)}–${n(rule.max)}`;
  }
  return "";
}

// The form takes its fields' limits and defaults from pynet's settings table
// (sent by the worker). Defaults fill only fields the person has not set yet.
export function applySettingsSchema(schema) {
  for (const [name, rule] of Object.entries(schema.fields)) {
    const input = form().elements.namedItem(name);
    if (!input) continue;
    for (const [key, attr] of [["kind", "kind"], ["min", "min"], ["max", "max"], ["max_items", "maxItems"],
      ["max_kernel", "maxKernel"]]) {
      if (rule[key] !== undefined) input.dataset[attr] = String(rule[key]);
    }
    if (rule.kind === "choice") {
      input.dataset.options = rule.options.join(",");
      if (input.options.length === 0) {
        input.replaceChildren(...rule.options.map((o) => new Option(CHOICE_LABELS[o] ?? o, o)));
        input.value = rule.default;
      }
    } else if (rule.kind === "boolean") {
      if (!input.dataset.defaulted) input.checked = !!rule.default;
    } else if (input.value === "" && !input.dataset.defaulted) {
      input.value = String(rule.default);
    }
    input.dataset.defaulted = "true";
    const hint = $(`hint-${name}`);
    if (hint && limitsText(rule)) hint.textContent = limitsText(rule);
  }
}

// Raw field values by setting name: pynet parses and checks them.
export function readSettings() {
  const values = {};
  for (const el of form().elements) {
    if (!el.name || el.disabled) continue;
    values[el.name] = el.type === "checkbox" ? el.checked : el.value;
  }
  return values;
}

export const continueTraining = () => $("continue-training").checked;

// Fill the form with a preset's values (from pynet.presets, via the schema).
export function setSettings(values) {
  for (const [name, value] of Object.entries(values)) {
    const input = form().elements.namedItem(name);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = !!value;
    else input.value = String(value);
  }
}

export function showFieldErrors(errors) {
  for (const name of fieldNames()) {
    const message = errors[name] ?? "";
    form().elements.namedItem(name).setAttribute("aria-invalid", message ? "true" : "false");
    const el = $(`error-${name}`);
    if (el) el.textContent = message;
  }
}

export function focusField(name) {
  form().elements.namedItem(name)?.focus();
}

export function onSettingsInput(handler) {
  form().addEventListener("input", handler);
  form().addEventListener("change", handler);
}

export function showContinueHint(text) {
  $("continue-hint").hidden = !text;
  $("continue-hint").textContent = text || "";
}

// ---- training progress -----------------------------------------------------
export function showTrainProgress(p) {
  const el = $("train-progress");
  for (const [key, attr] of [["run", "run"], ["epoch", "epoch"], ["samples", "samples"], ["totalSamples", "total-samples"],
    ["samplesPerSec", "samples-per-sec"], ["loss", "loss"], ["valAccuracy", "val-accuracy"]]) {
    if (p[key] !== undefined && p[key] !== null) el.setAttribute(`data-${attr}`, String(p[key]));
  }
  if (p.fraction !== undefined) $("train-bar").value = p.fraction;
  if (p.text) $("train-text").textContent = p.text;
}

// ---- tiles: 28x28 images drawn on small canvases ------------------------------
// Diverging, colour-blind-safe: blue (negative) - white (zero) - orange (positive).
const NEG = [33, 102, 172];
const POS = [230, 97, 1];
export const grey = (v) => [v, v, v];
export function diverging(v) { // v: 0..255 with 127.5 = zero
  const t = (v - 127.5) / 127.5;
  const c = t < 0 ? NEG : POS;
  const a = Math.abs(t);
  return [255 + (c[0] - 255) * a, 255 + (c[1] - 255) * a, 255 + (c[2] - 255) * a];
}

// One painter for every tile: `values` (0..255) from `offset`, coloured by `colour`.
export function paintTile(canvas, values, offset = 0, colour = grey, side = 28) {
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(side, side);
  for (let k = 0; k < side * side; k++) img.data.set([...colour(values[offset + k]), 255], k * 4);
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function tile(values, offset, colour, label, side = 28) {
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  return paintTile(canvas, values, offset, colour, side);
}

// ---- evaluation -------------------------------------------------------------
// Colour-blind-safe sequential scale (light yellow -> dark blue, viridis-like ends).
function heat(t) {
  const stops = [[255, 255, 217], [199, 233, 180], [65, 182, 196], [34, 94, 168], [8, 29, 88]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return { bg: `rgb(${c.join(",")})`, fg: t > 0.45 ? "#fff" : "#111" };
}

export function setEvaluating(busy, fraction = 0) {
  $("evaluate").textContent = busy ? `Evaluating… ${format.percent(fraction)}` : "Evaluate active model";
}

export function showEvaluation(report) {
  const acc = $("test-accuracy");
  acc.dataset.value = String(report.accuracy);
  acc.textContent = fmtPct(report.accuracy);
  $("evaluated-model").textContent = `(${report.model})`; // the active model may have changed since

  const cm = report.confusion_matrix;
  const table = $("confusion-matrix");
  const head = `<tr><th></th>${cm.map((_, d) => `<th scope="col">${d}</th>`).join("")}</tr>`;
  table.innerHTML = head + cm.map((row, t) => {
    return `<tr><th scope="row">${t}</th>${row.map((count, p) =>
      `<td data-true="${t}" data-pred="${p}" data-count="${count}" title="true ${t}, predicted ${p}: ${count}">${count}</td>`,
    ).join("")}</tr>`;
  }).join("");
  // Colours via CSSOM (the CSP forbids inline style attributes). Off-diagonal
  // errors are rare: a square-root scale keeps them visible.
  for (const td of table.querySelectorAll("td")) {
    const t = Number(td.dataset.true);
    const total = cm[t].reduce((a, b) => a + b, 0) || 1;
    const { bg, fg } = heat(Math.sqrt(Number(td.dataset.count) / total));
    td.style.background = bg;
    td.style.color = fg;
  }

  $("per-class-accuracy").innerHTML = `<tr><th scope="col">digit</th><th scope="col">accuracy</th></tr>` +
    report.per_class_accuracy.map((a, d) =>
      `<tr data-digit="${d}" data-value="${a ?? ""}"><th scope="row">${d}</th><td>${a == null ? "n/a" : fmtPct(a)}</td></tr>`).join("");

  const dist = report.prediction_distribution;
  const max = Math.max(...dist, 1);
  $("prediction-distribution").innerHTML = dist.map((c, d) =>
    `<li data-digit="${d}" data-count="${c}"><span>${d}</span><span class="bar" data-scale="${c / max}"></span><span>${c}</span></li>`).join("");
  for (const bar of $("prediction-distribution").querySelectorAll(".bar")) bar.style.transform = `scaleX(${bar.dataset.scale})`;

  try {
    showCalibration(report.calibration);
  } catch (err) { // the diagram only draws numbers: the rest of the evaluation still shows
    $("calibration-text").textContent = `The reliability diagram could not be drawn (${err.message}).`;
  }

  $("misclassified").replaceChildren(...report.misclassified.map((m, i) => {
    const fig = document.createElement("figure");
    fig.dataset.true = String(m.true);
    fig.dataset.pred = String(m.pred);
    const cap = document.createElement("figcaption");
    cap.textContent = `${m.true} → ${m.pred}`;
    fig.append(tile(report.misclassified_pixels, i * 784, grey, `test digit ${m.index}: a ${m.true} classified as ${m.pred}`), cap);
    return fig;
  }));
}

// Reliability diagram: for each confidence bin, how often the answers were
// right (bars: after temperature scaling; dots: before). On the diagonal = honest.
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text) el.textContent = text;
  return el;
}

function showCalibration(cal) {
  const el = $("calibration");
  el.dataset.ece = String(cal.ece);
  el.dataset.eceUncalibrated = String(cal.ece_uncalibrated);
  el.dataset.temperature = String(cal.temperature);
  const x0 = 30, y0 = 190, size = 180; // plot area: (x0, y0 - size) .. (x0 + size, y0)
  const at = (conf, acc) => [x0 + conf * size, y0 - acc * size];
  const parts = [
    svg("rect", { x: x0, y: y0 - size, width: size, height: size, fill: "#f6f8fa", stroke: "#d8dee4" }),
    svg("line", { x1: x0, y1: y0, x2: x0 + size, y2: y0 - size, stroke: "#8c959f", "stroke-dasharray": "4 3" }),
  ];
  for (const b of cal.bins) {
    if (!b.count) continue;
    const [left] = at(b.low, 0);
    const [, top] = at(0, b.accuracy);
    parts.push(svg("rect", { x: left + 0.5, y: top, width: (b.high - b.low) * size - 1, height: y0 - top,
      fill: "#0072b2", "fill-opacity": 0.75, "data-count": b.count }));
  }
  for (const b of cal.bins_uncalibrated) {
    if (!b.count) continue;
    const [cx, cy] = at(b.confidence, b.accuracy);
    parts.push(svg("circle", { cx, cy, r: 2.5, fill: "#d55e00" }));
  }
  for (const t of [0, 0.5, 1]) {
    parts.push(svg("text", { x: at(t, 0)[0], y: y0 + 14, "text-anchor": "middle", "font-size": 10 }, format.number(t)));
    parts.push(svg("text", { x: x0 - 4, y: at(0, t)[1] + 3, "text-anchor": "end", "font-size": 10 }, format.number(t)));
  }
  parts.push(svg("text", { x: x0 + size / 2, y: 218, "text-anchor": "middle", "font-size": 10 }, "confidence"));
  el.replaceChildren(...parts);
  el.setAttribute("aria-label", `Reliability diagram: expected calibration error ${fmtPct(cal.ece)} ` +
    `(${fmtPct(cal.ece_uncalibrated)} before temperature scaling)`);
  $("calibration-text").textContent = `Expected calibration error ${fmtPct(cal.ece)} with temperature ` +
    `${format.decimal(cal.temperature, 2)} (bars), ${fmtPct(cal.ece_uncalibrated)} without it (dots). ` +
    "On the dashed line, a confidence of 90 % is right 90 % of the time.";
}

// ---- teaching and weights ----------------------------------------------------
export function showTeachCount(n) {
  const el = $("teach-count");
  el.dataset.count = String(n);
  el.textContent = n === 0 ? "No samples yet" : `${n} sample${n === 1 ? "" : "s"}`;
}

export const teachLabel = () => Number($("teach-label").value);

// A tile per hidden unit (28x28 input weights) or per first-layer filter (k x k).
export function showWeights({ units, side, kind, pixels }) {
  const what = kind === "filters" ? "filter" : "hidden unit";
  const tiles = [];
  for (let u = 0; u < units; u++) {
    tiles.push(tile(pixels, u * side * side, diverging, `weights of ${what} ${u + 1}`, side));
  }
  $("weights-view").replaceChildren(...tiles);
  $("weights-view").dataset.units = String(units);
  $("weights-view").dataset.kind = kind;
  $("weights-hint").textContent = kind === "filters"
    ? `Each tile is one ${side}×${side} filter of the first convolution (orange: it responds to ink there, ` +
      "blue: to its absence). It slides over the whole image, so it detects a stroke pattern anywhere."
    : `Each tile is one hidden unit's ${side * side} input weights drawn as a ${side}×${side} image ` +
      `(orange: the unit likes ink there, blue: it dislikes it). Up to 64 units are shown.`;
}

// ---- wiring helpers ------------------------------------------------------------
export function on(testid, event, handler) {
  $(testid).addEventListener(event, handler);
}

// The one-click presets: a button per pynet.presets.FORM_PRESETS name, "preset-<name>".
export const presetButtons = () => document.querySelectorAll('[data-testid^="preset-"]');

// ---- looking inside -----------------------------------------------------------
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

// report: pynet.explain.explain(...) or null (nothing drawn).
export function showExplanation(report) {
  $("explain").dataset.digit = report ? String(report.digit) : "";
  $("explain-status").textContent = report
    ? `${report.model} answers ${report.digit}. Below: each layer's response, from the input to the answer.`
    : "Draw a digit: every layer's response to it appears here, live.";
  $("saliency-digit").textContent = report ? String(report.digit) : "–";
  const saliency = report ? floats(report.saliency) : new Float32Array(784);
  paintTile($("saliency"), scaled(saliency, diverging), 0, diverging);
  $("saliency").dataset.max = report ? String(report.saliency_max) : "";
  $("saliency").dataset.digit = report ? String(report.digit) : "";
  const c = report?.contributions;
  $("contributions-title").textContent = c ? `The ${c.kind} of ${c.layer} that pushed hardest for ${report.digit} (and against)`
    : "What pushed for and against the answer";
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

// A table row of text cells (header cells for a header row).
function tableRow(texts, header = false) {
  const tr = document.createElement("tr");
  for (const text of texts) {
    const cell = document.createElement(header ? "th" : "td");
    if (header) cell.scope = "col";
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}

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
