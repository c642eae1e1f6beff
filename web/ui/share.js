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
export function refreshShareUrl(url) {
  const field = $("share-url");
  if (field.hidden || field.value === url) return;
  field.value = url;
  showShareStatus("", false);
}

export function showShareStatus(text, copied) {
  $("share-status").textContent = text;
  $("share-status").dataset.copied = copied ? "true" : "false";
}

// The form's workers field is the device's until the person (or a link) sets it.
export const workersChosen = () => $("workers").dataset.chosen === "true";
export const chooseWorkers = () => { $("workers").dataset.chosen = "true"; };
