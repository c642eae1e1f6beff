// Shareable settings. The training form is mirrored in the page's address
// (#lr=0.01&epochs=3…) as the person edits it: history.replaceState, so
// editing adds no history entries. Opening such a link fills the form and
// says so; what the link says goes through pynet's settings table
// (the read_link request: unknown keys ignored with a note, each bad value its
// field's message) and nothing runs until Train is pressed. Copy link uses the
// Clipboard API where the browser allows it, else selects the link's text.
//
// The address's fragment is read, not its query: a fragment never reaches the
// server or the service worker's cache keys, so a link works offline too.
import { on } from "./ui/dom.js";
import {
  architectureSettings, continueTraining, onSettingsInput, presetButtons, readSettings, setSettings, showFieldErrors,
} from "./ui/form.js";
import { chooseWorkers, refreshShareUrl, showLinkNote, showShareStatus, showShareUrl, workersChosen } from "./ui/share.js";
import * as format from "./format.js";

const MAX_LINK = 4096; // pynet.browser.links.MAX_LINK: longer is not a link of this page, and is not parsed
const MAX_PAIRS = 64; // pynet.browser.links.MAX_PAIRS: Python reads no more

// The form's settings as a fragment: every field in use; workers only when
// chosen (else the device decides, as the form does). While a model is
// being continued (`continuing`: its name), the network is its own (those
// fields are greyed out, and a link without them had opened as another
// network) and the model is named (pynet.browser.links.CONTINUED): the link cannot
// carry the model, and the page that opens it says so.
function fragmentOfForm(continuing) {
  const params = new URLSearchParams();
  const settings = { ...readSettings(), ...(continuing ? architectureSettings() : {}) };
  for (const [name, value] of Object.entries(settings)) {
    if (name === "workers" && !workersChosen()) continue;
    params.set(name, String(value));
  }
  if (continuing) params.set("continued", continuing);
  return params.toString();
}

// A fragment's key/value pairs (at most MAX_PAIRS) and how many it had.
export function fragmentPairs(fragment) {
  const pairs = [];
  let total = 0;
  for (const pair of new URLSearchParams(fragment)) {
    total += 1;
    if (pairs.length < MAX_PAIRS) pairs.push(pair);
  }
  return { pairs, total };
}

export function initShare(app) {
  const { client, state } = app;
  const continuing = () => (continueTraining() && state.active) || "";
  const formFragment = () => fragmentOfForm(continuing());
  const linkOfForm = () => `${location.origin}${location.pathname}${location.search}#${formFragment()}`;
  let mirroring = false; // from when the link (if any) has been read: before, the form is not the person's yet
  let timer = 0;

  const mirror = () => {
    if (!mirroring) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      refreshShareUrl(linkOfForm());
      try {
        history.replaceState(history.state, "", `#${formFragment()}`);
      } catch {
        // an address the browser will not rewrite (e.g. some sandboxed frames): the link button still works
      }
    }, 250);
  };
  onSettingsInput(mirror);
  for (const button of presetButtons()) button.addEventListener("click", mirror);

  // Once Python is up (the form has its fields); again when the person edits
  // the address's settings part in this tab (a fragment change reloads nothing).
  let read = false;
  app.readSharedLink = async ({ again = false } = {}) => {
    if (read && !again) return;
    read = true;
    const fragment = location.hash.slice(1);
    try {
      if (!fragment) return;
      if (fragment.length > MAX_LINK) {
        showLinkNote(`This link's settings part is ${format.integer(fragment.length)} characters long, far more than ` +
          "a link of this page carries: it was ignored, and the form keeps its own settings.");
        return;
      }
      const { pairs, total } = fragmentPairs(fragment);
      const { values, errors, notes, continued } = await client.request("read_link", { pairs, total });
      if ("workers" in values) chooseWorkers();
      setSettings(values);
      app.render();
      const checked = await client.request("validate_settings", { settings: readSettings() });
      const bad = { ...checked, ...errors };
      showFieldErrors(bad);
      const names = Object.keys(values);
      const parts = [names.length ? `The form holds the settings of the link you opened (${names.join(", ")}). ` +
        "Nothing runs until you press Train." : "The link you opened carries no settings of this form."];
      if (continued) {
        parts.push(`It was copied while continuing the model “${continued}”, which a link cannot carry: Train here ` +
          "trains a new network of that shape from the start (the sender can share the model itself with Save model).");
      }
      if (Object.keys(bad).length) parts.push(`Check the fields marked in red (${Object.keys(bad).join(", ")}).`);
      if (notes.length) parts.push(`${notes.join("; ")}.`.replace(/^./, (c) => c.toUpperCase()));
      showLinkNote(parts.join(" "));
    } catch (err) {
      showLinkNote(`The link's settings could not be read (${err.message}); the form keeps its own.`);
    } finally {
      mirroring = true;
      if (fragment) mirror(); // the address now says what the form holds
    }
  };

  // Fired by the address bar, Back and Forward; never by mirror's replaceState.
  window.addEventListener("hashchange", () => {
    if (state.ready && read) app.readSharedLink({ again: true });
  });

  on("share-link", "click", async () => {
    if (!state.ready) return;
    mirroring = true;
    const url = linkOfForm();
    history.replaceState(history.state, "", `#${formFragment()}`);
    showShareUrl(url);
    try {
      await navigator.clipboard.writeText(url); // throws where not allowed; undefined outside secure contexts
      showShareStatus("Link copied.", true, url);
    } catch {
      showShareUrl(url, { select: true });
      showShareStatus("Your browser does not let the page copy: the link is selected, press Ctrl+C (⌘C on a Mac).", false,
        url);
    }
  });
}
