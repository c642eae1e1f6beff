// The evaluation report: accuracy, confusion matrix, per class, distribution, calibration, gallery.
import { byTestId as $, fmtPct, grey, svg, tile } from "./dom.js";
import * as format from "../format.js";
import { announceProgress } from "./announce.js";

// Colour-blind-safe sequential scale (light yellow -> dark blue, viridis-like ends).
function heat(t) {
  const stops = [[255, 255, 217], [199, 233, 180], [65, 182, 196], [34, 94, 168], [8, 29, 88]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return { bg: `rgb(${c.join(",")})`, fg: t > 0.45 ? "#fff" : "#111" };
}

export function setEvaluating(busy, fraction = 0, what = "Evaluating") {
  $("evaluate").textContent = busy ? `${what}… ${format.percent(fraction)}` : "Evaluate active model";
  $("evaluate").dataset.busy = busy ? "true" : "false";
}

export function showEvaluation(report) {
  document.querySelector(".eval-card .eval-grid").hidden = false; // empty until the first evaluation
  $("misclassified").closest("figure").hidden = false;
  const acc = $("test-accuracy");
  acc.dataset.value = String(report.accuracy);
  acc.textContent = fmtPct(report.accuracy);
  $("evaluated-model").textContent = `(${report.model}${report.workers > 1 ? `, ${report.workers} workers` : ""})`; // the active model may have changed since
  announceProgress(`Evaluated ${report.model}: test accuracy ${fmtPct(report.accuracy)}. The confusion matrix and ` +
    "per-class accuracy follow as tables.");

  const cm = report.confusion_matrix;
  const table = $("confusion-matrix");
  const head = `<tr><th></th>${cm.map((_, d) => `<th scope="col">${d}</th>`).join("")}</tr>`;
  table.innerHTML = head + cm.map((row, t) => {
    return `<tr><th scope="row">${t}</th>${row.map((count, p) =>
      `<td data-true="${t}" data-pred="${p}" data-count="${count}"${count >= 1000 ? ' class="wide"' : ""} ` +
      `title="true ${t}, predicted ${p}: ${count}">${count}</td>`, // 4-digit counts in a smaller type, to fit a desktop's narrow cells
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

// The models Evaluate can compare the active one with ("" = none), keeping the choice while it is held.
export function showCompareChoices(names) {
  const select = $("compare-model");
  const chosen = select.value;
  select.replaceChildren(new Option("no other model", ""), ...names.map((n) => new Option(n, n)));
  select.value = names.includes(chosen) ? chosen : "";
}

export const comparedModel = () => $("compare-model").value;

// Where two models disagree on the test set: counts, and the digits with both answers.
export function showComparison(c) {
  const box = $("comparison");
  box.hidden = !c;
  if (!c) {
    $("disagreements").replaceChildren();
    return;
  }
  box.dataset.disagreements = String(c.disagreements);
  box.dataset.first = c.first;
  box.dataset.second = c.second;
  const n = format.integer;
  $("comparison-text").textContent = c.disagreements === 0
    ? `${c.first} and ${c.second} give the same answer on all ${n(c.images)} test digits.`
    : `${c.first} (A) and ${c.second} (B, ${fmtPct(c.second_accuracy)} test accuracy) disagree on ${n(c.disagreements)} ` +
      `of ${n(c.images)} test digits: A is right on ${n(c.first_right)}, B on ${n(c.second_right)}, neither on ` +
      `${n(c.neither_right)}.` + (c.gallery.length < c.disagreements ? ` The first ${n(c.gallery.length)}:` : "");
  $("disagreements").replaceChildren(...c.gallery.map((g, i) => {
    const fig = document.createElement("figure");
    Object.assign(fig.dataset, { index: String(g.index), true: String(g.true), first: String(g.first),
      second: String(g.second) });
    const cap = document.createElement("figcaption");
    for (const [label, answer] of [["A", g.first], ["B", g.second]]) {
      const span = document.createElement("span");
      span.textContent = `${label} ${answer}`;
      span.className = answer === g.true ? "right" : "wrong";
      cap.append(span, " ");
    }
    fig.append(tile(c.gallery_pixels, i * 784, grey, `test digit ${g.index}, a ${g.true}: ${c.first} says ${g.first}, ` +
      `${c.second} says ${g.second}`), cap);
    fig.title = `test digit ${g.index}: a ${g.true}`;
    return fig;
  }));
}

// Reliability diagram: for each confidence bin, how often the answers were


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
