// DOM only: renders state the wiring module hands it. No worker, no logic.
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

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
    row.dataset.testid = `prob-${d}`;
    row.setAttribute("data-testid", `prob-${d}`);
    row.dataset.value = "0";
    list.append(row);
  }
}

export function showPrediction(result) {
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
    row.classList.toggle("top", !!result && d === result.digit);
    row.querySelector(".prob-fill").style.transform = `scaleX(${p})`;
    row.querySelector(".prob-value").textContent = result ? `${(p * 100).toFixed(1)}%` : "–";
  }
}

export function showModel(info) {
  const acc = info.test_accuracy != null ? ` · ${(info.test_accuracy * 100).toFixed(2)}% test accuracy` : "";
  $("model-name").textContent = `${info.name} (${info.architecture}${acc})`;
  $("model-name").dataset.name = info.name;
}

export function showError(message) {
  const el = $("error");
  el.hidden = !message;
  el.querySelector(".error-text").textContent = message || "";
}
