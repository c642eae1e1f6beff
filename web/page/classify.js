// Classifying the drawing as it changes: one request in flight; changes made
// meanwhile are sent as one request when it returns, so the worker is never
// flooded. Also the drawing's own controls (Clear, Undo, Ctrl/Cmd+Z).
import { on } from "./ui/dom.js";
import { setClassifyBusy, showPrediction } from "./ui/prediction.js";
import { showError } from "./ui/status.js";

export function initClassify(app) {
  const { client, state, pad } = app;

  // A Session method that takes the drawing (its strokes, moved to the worker, not copied).
  app.requestOnDrawing = (method) => {
    if (pad.picture) return app.requestOnPicture(method); // an opened image in the drawing's place (image-input.js)
    const strokes = pad.strokesPayload();
    return client.request(method, strokes, [strokes.points.buffer, strokes.lengths.buffer]);
  };

  app.classifyNow = async () => {
    const c = state.classify;
    if (!state.ready) return;
    c.lastInkChange = performance.now();
    setClassifyBusy(true);
    if (c.inFlight) { c.dirty = true; return; }
    c.inFlight = true;
    c.dirty = false;
    try {
      showPrediction(pad.hasInk ? await app.requestOnDrawing("classify") : null);
    } catch (err) {
      showError(`Could not classify the drawing: ${err.message}`);
    } finally {
      c.inFlight = false;
      if (c.dirty) {
        app.classifyNow();
      } else {
        setClassifyBusy(false, performance.now() - c.lastInkChange); // ink change -> probabilities shown
        app.explainNow();
      }
    }
  };

  on("clear", "click", () => pad.clear());
  on("undo", "click", () => pad.undo());
  // Ctrl+Z / Cmd+Z undoes the last stroke, unless a text field has the focus (its own undo).
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLElement && event.target.matches("input, textarea, select");
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "z" && !typing) {
      event.preventDefault();
      pad.undo();
    }
  });
}
