// The shared-link controls: the note a link leaves, the link's text field and Copy's outcome.
import { byTestId as $ } from "./dom.js";

export function showLinkNote(text) {
  $("link-note").hidden = !text;
  $("link-note").textContent = text;
}

// The link in a visible, selected field: where the Clipboard API is not
// allowed, the person copies it from there.
export function showShareUrl(url, { select = false } = {}) {
  const field = $("share-url");
  field.value = url;
  field.hidden = false;
  if (select) {
    field.focus();
    field.select();
  }
}

// The shown link follows the form once it has changed: a stale link beside
// "Link copied." would share settings the form no longer holds.
// "Link copied." goes too once the form no longer holds what was copied (it
// had stayed through edits and training runs: a review).
export function refreshShareUrl(url) {
  const status = $("share-status");
  if (status.dataset.url && status.dataset.url !== url) showShareStatus("", false);
  const field = $("share-url");
  if (field.hidden || field.value === url) return;
  field.value = url;
  showShareStatus("", false);
}

// "Link copied." is a confirmation: it goes after a few seconds.
const COPIED_SHOWN_MS = 5000;
let copiedTimer = 0;

export function showShareStatus(text, copied, url = "") {
  $("share-status").textContent = text;
  $("share-status").dataset.copied = copied ? "true" : "false";
  $("share-status").dataset.url = text ? url : "";
  clearTimeout(copiedTimer);
  if (copied && text) copiedTimer = setTimeout(() => { $("share-status").textContent = ""; }, COPIED_SHOWN_MS);
}

// The form's workers field is the device's until the person (or a link) sets it.
export const workersChosen = () => $("workers").dataset.chosen === "true";
export const chooseWorkers = () => { $("workers").dataset.chosen = "true"; };
