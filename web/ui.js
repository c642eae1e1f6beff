// DOM only: renders state the wiring module hands it. No worker, no logic.
export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const $ = byTestId;

export function setStatus(state, message) {
  const el = $("status");
  el.dataset.state = state;
  el.querySelector(".status-text").textContent = message;
}

export function setLoadProgress(fraction) {
  const bar = document.getElementById("load-progress");
  if (!bar) return;
  bar.hidden = fraction === null;
  if (fraction !== null) bar.value = fraction;
}

export function buildProbabilityBars() {
  const list = document.getElementById("probabilities");
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

export function showPrediction(result) {
  const inline = document.querySelector(".inline-prediction");
  inline.replaceChildren();
  if (result) {
    const pct = document.createElement("small");
    pct.textContent = `${(result.confidence * 100).toFixed(0)}%`;
    inline.append(String(result.digit), pct);
  }
  const pred = $("prediction");
  if (!result) {
    pred.textContent = "";
    pred.dataset.confidence = "";
    pred.setAttribute("aria-label", "no prediction");
  } else {
    pred.textContent = String(result.digit);
    pred.dataset.confidence = result.confidence.toFixed(4);
    pred.setAttribute("aria-label", `predicted ${result.digit}, ${(result.confidence * 100).toFixed(1)}% confident`);
  }
  for (let d = 0; d < 10; d++) {
    const row = $(`prob-${d}`);
    const p = result ? result.probs[d] : 0;
    row.dataset.value = String(p);
    row.classList.toggle("most-likely", !!result && d === result.digit);
    row.querySelector(".prob-fill").style.transform = `scaleX(${p})`;
    row.querySelector(".prob-value").textContent = result ? `${(p * 100).toFixed(1)}%` : "–";
  }
}

export function showModel(info) {
  const acc = info.test_accuracy != null ? ` · ${(info.test_accuracy * 100).toFixed(2)}% test accuracy` : "";
  $("model-name").textContent = `${info.name} (${info.architecture}${acc})`;
  $("model-name").dataset.name = info.name;
  $("model-name").dataset.testAccuracy = info.test_accuracy ?? "";
}

// `restart`: also offer the "Restart Python" button (after a worker crash).
export function showError(message, { restart = false } = {}) {
  const el = $("error");
  el.hidden = !message;
  el.querySelector(".error-text").textContent = message || "";
  $("restart-worker").hidden = !restart;
}

export function showUpdateReady(show) {
  $("update-ready").hidden = !show;
}

export function showBuildInfo({ version, wasmBytes }) {
  if (version) $("build-version").textContent = version;
  if (wasmBytes != null) {
    $("memory").textContent = `${(wasmBytes / 1048576).toFixed(0)} MB`;
    $("memory").dataset.wasmBytes = String(wasmBytes);
  }
}

const fmtPct = (v) => `${(v * 100).toFixed(2)}%`;

export function setFieldError(field, message) {
  const input = document.getElementById(field);
  const err = document.getElementById(`${field}-error`);
  input.setAttribute("aria-invalid", message ? "true" : "false");
  if (err) err.textContent = message || "";
}

export function setTrainingButtons(state) {
  // state: "idle" | "running" | "paused"
  $("train").disabled = state !== "idle";
  $("pause").disabled = state === "idle";
  $("stop").disabled = state === "idle";
  $("pause").textContent = state === "paused" ? "Resume" : "Pause";
  $("pause").setAttribute("aria-pressed", state === "paused" ? "true" : "false");
  // Updating reloads the page: not in the middle of a run.
  $("apply-update").disabled = state !== "idle";
  $("apply-update").title = state === "idle" ? "" : "Available when the training run ends";
}

export function showTrainProgress(p) {
  const el = $("train-progress");
  for (const [key, attr] of [["epoch", "epoch"], ["samples", "samples"], ["totalSamples", "total-samples"],
    ["samplesPerSec", "samples-per-sec"], ["loss", "loss"], ["valAccuracy", "val-accuracy"]]) {
    if (p[key] !== undefined && p[key] !== null) el.setAttribute(`data-${attr}`, String(p[key]));
  }
  const bar = document.getElementById("train-bar");
  if (p.fraction !== undefined) bar.value = p.fraction;
  if (p.text) document.getElementById("train-text").textContent = p.text;
}

export function showModelList(models, active) {
  const select = document.getElementById("model-select");
  select.replaceChildren(...models.map((m) => {
    const acc = m.test_accuracy != null ? ` — ${fmtPct(m.test_accuracy)}` : "";
    return new Option(`${m.name} (${m.architecture})${acc}`, m.name, false, m.name === active);
  }));
}

// Colour-blind-safe sequential scale (light yellow -> dark blue, viridis-like ends).
function heat(t) {
  const stops = [[255, 255, 217], [199, 233, 180], [65, 182, 196], [34, 94, 168], [8, 29, 88]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return { bg: `rgb(${c.join(",")})`, fg: t > 0.45 ? "#fff" : "#111" };
}

export function showEvaluation(report) {
  const acc = $("test-accuracy");
  acc.dataset.value = String(report.accuracy);
  acc.textContent = fmtPct(report.accuracy);

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

  const gallery = $("misclassified");
  const pixels = report.misclassified_pixels;
  gallery.replaceChildren(...report.misclassified.map((m, i) => {
    const fig = document.createElement("figure");
    fig.dataset.true = String(m.true);
    fig.dataset.pred = String(m.pred);
    const canvas = document.createElement("canvas");
    canvas.width = 28; canvas.height = 28;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `test digit ${m.index}: a ${m.true} classified as ${m.pred}`);
    const img = canvas.getContext("2d").createImageData(28, 28);
    for (let k = 0; k < 784; k++) {
      const v = pixels[i * 784 + k];
      img.data.set([v, v, v, 255], k * 4);
    }
    canvas.getContext("2d").putImageData(img, 0, 0);
    const cap = document.createElement("figcaption");
    cap.textContent = `${m.true} → ${m.pred}`;
    fig.append(canvas, cap);
    return fig;
  }));
}

export function showTeachCount(n) {
  const el = $("teach-count");
  el.dataset.count = String(n);
  el.textContent = n === 0 ? "No samples yet" : `${n} sample${n === 1 ? "" : "s"}`;
  $("fine-tune").disabled = n === 0;
  $("teach-clear").disabled = n === 0;
}

// Diverging, colour-blind-safe: blue (negative) - white (zero) - orange (positive).
const NEG = [33, 102, 172];
const POS = [230, 97, 1];

export function showWeights({ units, pixels }) {
  const tiles = [];
  for (let u = 0; u < units; u++) {
    const canvas = document.createElement("canvas");
    canvas.width = 28; canvas.height = 28;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `weights of hidden unit ${u + 1}`);
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(28, 28);
    for (let k = 0; k < 784; k++) {
      const t = (pixels[u * 784 + k] - 127.5) / 127.5; // -1..1, 0 = zero weight
      const c = t < 0 ? NEG : POS;
      const a = Math.abs(t);
      img.data.set([255 + (c[0] - 255) * a, 255 + (c[1] - 255) * a, 255 + (c[2] - 255) * a, 255], k * 4);
    }
    ctx.putImageData(img, 0, 0);
    tiles.push(canvas);
  }
  $("weights-view").replaceChildren(...tiles);
  $("weights-view").dataset.units = String(units);
}
