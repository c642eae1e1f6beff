// What a screen reader hears about the answer: one polite announcement per
// answer, in the visually hidden live region `announcement`, once the
// drawing has settled: the answer arrives ANNOUNCE_AFTER_MS after the last
// change and no stroke is being drawn. The visible answer changes with every
// stroke point and is not a live region, so a screen reader is not
// interrupted while the user draws. The text names the answer, how sure the
// network is, why it is unsure beyond the network's doubt (as the note under
// the bars says it), and each digit's probability (those of at least 1 %; the
// rest are said to be under 1 %). An opened image is announced the same way.
// Long jobs speak through `progress-announcement`: their milestones at once,
// the running step line at most every PROGRESS_EVERY_MS (the visible line
// changes several times a second and is not a live region).
import { byTestId as $ } from "./dom.js";
import * as format from "../format.js";

export const ANNOUNCE_AFTER_MS = 700;
let timer = 0;
let last = "";
let penDown = false;

// Tracks the pen on the drawing area (a stroke in progress postpones the announcement).
export function watchPen() {
  const canvas = $("draw-canvas");
  canvas.addEventListener("pointerdown", () => { penDown = true; });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    canvas.addEventListener(type, () => { penDown = false; });
  }
}

// The sentence for `result` ({digit, confidence, unsure, alternatives, probs}), or "" for none.
// A number (result.digits of two or more, result.selected the digit shown) is
// read out digit by digit, the unsure ones named, then the selected digit.
export function describeAnswer(result) {
  if (!result) return "";
  if (result.digits?.length > 1) {
    const { digits, selected } = result;
    const doubts = digits.flatMap((d, k) => d.unsure
      ? [`digit ${k + 1} unsure, ${format.unsureGuess(d).slice(0, -1)}${d.why ? `, because ${d.why}` : ""}`] : []);
    const number = `Read the number ${digits.map((d) => d.digit).join(" ")}${doubts.length ? ` (${doubts.join("; ")})` : ""}.`;
    const shown = { ...digits[selected], why: "" }; // its reason was said with the number's
    return `${number} Digit ${selected + 1} of ${digits.length}: ${describeAnswer(shown)}`;
  }
  const sure = format.percent(result.confidence, 1);
  const opening = result.unsure
    // the network's own figure named as the network's: a digit may be unsure at 100 % (finding it is in doubt,
    // or a number's bar); "2 is 100.0% likely" after "Unsure: 2?" read as a contradiction (a walkthrough)
    ? `Unsure: ${format.unsureGuess(result)} ${result.why ? `Why: ${result.why}. ` : ""}The network gives ${result.digit} ${sure}.`
    : `Predicted ${result.digit}, ${sure} sure.${result.why ? ` Cleaned first: ${result.why}.` : ""}`;
  const ranked = result.probs.map((p, d) => [d, p]).sort((a, b) => b[1] - a[1]);
  const shown = ranked.filter(([, p]) => p >= 0.01);
  const parts = shown.map(([d, p]) => `${d}: ${format.percent(p, 1)}`);
  const rest = ranked.length - shown.length;
  const under = format.percent(0.01);
  const tail = rest === 0 ? "" : shown.length === 1 ? `; every other digit under ${under}` : `; the other ${rest} under ${under}`;
  return `${opening} Probabilities: ${parts.join(", ")}${tail}.`;
}

// Called with every answer shown: announces the latest once it has settled.
export function announceAnswer(result) {
  clearTimeout(timer);
  const text = describeAnswer(result);
  if (!text) {
    last = ""; // cleared: the same answer drawn again is announced again
    return;
  }
  const speak = () => {
    if (penDown) { timer = setTimeout(speak, ANNOUNCE_AFTER_MS); return; }
    if (text === last) return;
    last = text;
    $("announcement").textContent = text;
  };
  timer = setTimeout(speak, ANNOUNCE_AFTER_MS);
}

export const PROGRESS_EVERY_MS = 15_000;
let lastProgress = -Infinity;

// A line of a long job's progress; `frequent` lines (steps, downloads) are spoken at most every PROGRESS_EVERY_MS.
export function announceProgress(text, { frequent = false } = {}) {
  const now = performance.now();
  if (!text || (frequent && now - lastProgress < PROGRESS_EVERY_MS)) return;
  lastProgress = frequent ? now : -Infinity; // after a milestone, the next step line is spoken
  $("progress-announcement").textContent = text;
}
