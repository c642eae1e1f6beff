// Classifying the drawing as it changes: one request in flight; changes made
// meanwhile are sent as one request when it returns, so the worker is never
// flooded. Also the drawing's own controls (Clear, Undo, Ctrl/Cmd+Z).
import { on } from "./ui/dom.js";
import { toggleWideArea } from "./ui/number.js";
import { setClassifyBusy, showNumber } from "./ui/prediction.js";
import { showError } from "./ui/status.js";

export function initClassify(app) {
  const { client, state, pad } = app;

  // The digit of a number that teaching and explaining work on (none for a single digit: the whole drawing).
  const digitArgs = (method) => {
    const n = state.answer?.digits?.length ?? 0;
    return method !== "classify" && n > 1 ? { digit: Math.min(state.selectedDigit, n - 1) } : {};
  };

  // A Session method that takes the drawing (its strokes, moved to the worker, not copied).
  app.requestOnDrawing = (method) => {
    if (pad.picture) return app.requestOnPicture(method, pad.picture, digitArgs(method)); // image-input.js
    const strokes = { ...pad.strokesPayload(), ...digitArgs(method) };
    return client.request(method, strokes, [strokes.points.buffer, strokes.lengths.buffer]);
  };

  // The answer shown: the number, its boxes, the selected digit's bars.
  const select = (k) => {
    state.selectedDigit = k;
    showNumber(state.answer, k, (box) => pad.toCss(box), select);
    app.explainNow();
  };
  app.showAnswer = (answer) => {
    state.answer = answer;
    const n = answer?.digits?.length ?? 0;
    state.selectedDigit = state.selectedDigit < n ? state.selectedDigit : 0;
    showNumber(answer, state.selectedDigit, (box) => pad.toCss(box), select);
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
      app.showAnswer(pad.hasInk ? await app.requestOnDrawing("classify") : null);
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

  // A wider drawing area for a number (and back): the strokes are kept, fitted
  // to the new shape (draw.js), and read again; an opened picture is cleared (its boxes
  // were placed for the old shape).
  on("draw-wide", "click", () => {
    toggleWideArea();
    pad.fitToScreen();
    if (pad.picture) {
      pad.clear(false);
      pad.cleared = null;
      app.showAnswer(null);
    } else if (pad.strokes.length) {
      pad.rescale();
    }
  });

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
