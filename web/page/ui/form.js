// The training form: its fields take limits, defaults and messages from pynet's settings table.
import { byTestId as $ } from "./dom.js";
import * as format from "../format.js";

const form = () => $("train-form");
const fieldNames = () => [...form().elements].filter((el) => el.name).map((el) => el.name);
const CHOICE_LABELS = {
  adam: "Adam", sgd: "SGD+momentum", constant: "Constant", cosine: "Cosine decay",
  "warmup-cosine": "Warm-up+cosine", step: "Step decay", mlp: "Dense (MLP)",
  cnn: "Convolutional",
};

function limitsText(rule) {
  // The fields take numbers as pynet parses them (English digits and point), so their limits are written so.
  const n = (v) => format.integer(Number(v), "en");
  if (rule.kind === "integer") return `${n(rule.min)} to ${n(rule.max)}`;
  if (rule.kind === "number") {
    if (rule.min_exclusive && !rule.max_exclusive) return `more than ${rule.min}, at most ${rule.max}`;
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

// The settings that shape the network, as the fields hold them even while
// greyed out (Continue shows the continued model's there): architecture and
// hidden, and for a convolutional network conv and batch_norm.
export function architectureSettings() {
  const { conv, batch_norm: batchNorm, ...values } = networkFields();
  return values.architecture === "cnn" ? { ...values, conv, batch_norm: batchNorm } : values;
}

// All four network fields as they stand (to put back after Continue).
export function networkFields() {
  const el = (name) => form().elements.namedItem(name);
  return { architecture: el("architecture").value, hidden: el("hidden").value, conv: el("conv").value,
    batch_norm: el("batch_norm").checked };
}

// Tell the form's listeners (the address mirror, the live check) that fields
// were filled by the page rather than typed.
export const announceSettingsChanged = () => form().dispatchEvent(new Event("input"));

// Fill the form with a preset's values (from pynet.recipes.presets, via the schema).
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

// The one-click presets: a button per pynet.recipes.presets.FORM_PRESETS name, "preset-<name>".
export const presetButtons = () => document.querySelectorAll('[data-testid^="preset-"]');
