// The prediction card: the answer, ten probability bars, what the network sees;
// for a number, the number read out and the selected digit's bars (number.js
// draws the boxes and the tiles).
import { byTestId as $, paintTile } from "./dom.js";
import * as format from "../format.js";
import { announceAnswer } from "./announce.js";
import { numberSpans, numberText, showDigitBoxes, showDigitInputs } from "./number.js";

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
  const guess = result ? (unsure ? format.unsureGuess(result) : String(result.digit)) : "";
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
  // why the answer is unsure beyond the network's doubt (a picture's clutter, a finding in doubt), as pynet predict
  // says it; a sure answer says what was cleaned off the picture first (a line crossing the digit out, drops of ink)
  $("prediction-note").textContent = unsure ? `Unsure: ${guess}` + (result.why ? ` Why: ${result.why}.` : "")
    : result?.why ? `Cleaned first: ${result.why}.` : "";
  for (let d = 0; d < 10; d++) {
    const row = $(`prob-${d}`);
    const p = result ? result.probs[d] : 0;
    row.dataset.value = String(p);
    row.classList.toggle("most-likely", !!result && d === result.digit);
    row.querySelector(".prob-fill").style.transform = `scaleX(${p})`;
    row.querySelector(".prob-value").textContent = result ? format.percent(p, 1) : "–";
  }
  showNetworkInput(result?.input ?? null);
  announceAnswer(result); // to a screen reader, once the drawing has settled (announce.js)
}

// result: classify's answer for a drawing or picture ({digit, ..., number,
// digits: [{digit, confidence, unsure, alternatives, probs, input, box}]}) or
// null; selected: the digit whose bars are shown; toCss maps a box to CSS px of
// the drawing area; onSelect(K) when a digit is picked. One digit: as before numbers.
export function showNumber(result, selected, toCss, onSelect) {
  const digits = result?.digits ?? (result ? [result] : []);
  const shown = digits.map((d) => ({ ...d, box: toCss(d.box) }));
  showDigitBoxes(shown, selected, onSelect);
  showDigitInputs(digits, selected, onSelect);
  const pred = $("prediction");
  pred.classList.toggle("number", digits.length > 1);
  if (digits.length < 2) {
    showPrediction(result);
    pred.dataset.number = result ? String(result.digit) : "";
    return;
  }
  const d = digits[selected];
  showPrediction(d);
  const text = numberText(digits);
  pred.replaceChildren(...numberSpans(digits, selected)); // its text: the number's digits
  pred.dataset.number = pred.textContent;
  pred.setAttribute("aria-label", `read ${text.replaceAll("?", " (unsure)")}; digit ${selected + 1} selected`);
  const inline = $("inline-prediction");
  inline.replaceChildren(text);
  const unsure = digits.filter((x) => x.unsure).length;
  // why each unsure digit is (not only the selected one's), as pynet predict lists them
  const whys = format.digitReasons(digits);
  $("prediction-note").textContent = `Digit ${selected + 1} of ${digits.length}` +
    (unsure ? `; ${unsure} unsure (marked ?)` : "") + ": click or tap a digit's box to see its bars." +
    (whys.length ? ` ${whys.join("; ").replace(/^d/, "D")}.` : "");
  announceAnswer({ ...d, digits, selected }); // the number, then the selected digit (announce.js)
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
