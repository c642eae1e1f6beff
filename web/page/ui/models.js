// The active model and the list of models.
import { byTestId as $, fmtPct, isNumber } from "./dom.js";

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
