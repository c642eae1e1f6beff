// The status line, errors, update notices and the footer.
import { byTestId as $ } from "./dom.js";
import * as format from "../format.js";

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
// `origin`: what the error is about (e.g. "image": a file that could not be
// used), so that moving on from it clears it (clearError) and nothing else.
export function showError(message, { restart = false, origin = "" } = {}) {
  $("error").hidden = !message;
  $("error-text").textContent = message || "";
  $("error").dataset.origin = message ? origin : "";
  $("restart-worker").hidden = !restart;
}

// Hides the error if it is about `origin` (the person drew after a bad file).
export function clearError(origin) {
  if (!$("error").hidden && $("error").dataset.origin === origin) showError("");
}

// `elsewhere`: another tab switched to the new build; this one keeps its own.
export function showUpdateReady(show, { elsewhere = false } = {}) {
  $("update-ready").hidden = !show;
  $("update-ready").dataset.reason = elsewhere ? "updated-elsewhere" : "update-waiting";
  $("update-text").textContent = elsewhere
    ? "pynet was updated in another tab. This tab keeps running the version it loaded until you reload."
    : "A new version of pynet has been downloaded.";
}

// `helpers`: [{worker, wasm_bytes}] of the helper workers running now.
export function showBuildInfo({ version, wasmBytes, helpers }) {
  if (version) $("build-version").textContent = version;
  if (wasmBytes != null) {
    const mib = (n) => format.integer(n / 1048576);
    const extra = helpers?.length ? ` + ${helpers.length} helper worker${helpers.length === 1 ? "" : "s"}: ` +
      `${helpers.map((h) => mib(h.wasm_bytes)).join(", ")} MB` : "";
    $("memory").textContent = `${mib(wasmBytes)} MB${extra}`;
    $("memory").dataset.wasmBytes = String(wasmBytes);
    $("memory").dataset.helperBytes = JSON.stringify((helpers ?? []).map((h) => h.wasm_bytes));
  }
}
