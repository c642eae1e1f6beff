// Teaching: the samples' count and label; the first-layer weights panel.
import { byTestId as $, diverging, tile } from "./dom.js";

export function showTeachCount(n) {
  const el = $("teach-count");
  el.dataset.count = String(n);
  el.textContent = n === 0 ? "No samples yet" : `${n} sample${n === 1 ? "" : "s"}`;
}

export const teachLabel = () => Number($("teach-label").value);

// What the last fine-tune did (or is doing); `result` is the new model's info.
export function showTeachResult(text, result = null) {
  const el = $("teach-result");
  el.textContent = text || "";
  el.dataset.model = result?.name ?? "";
  const check = result?.summary?.check;
  el.dataset.checkBefore = check ? String(check.before) : "";
  el.dataset.checkAfter = check ? String(check.after) : "";
  el.dataset.samplesRight = check ? String(check.samples_right) : "";
}

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
