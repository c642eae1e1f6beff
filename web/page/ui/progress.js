// The training progress line and bar.
import { byTestId as $ } from "./dom.js";
import { announceProgress } from "./announce.js";

export function showTrainProgress(p) {
  const el = $("train-progress");
  for (const [key, attr] of [["run", "run"], ["epoch", "epoch"], ["samples", "samples"], ["totalSamples", "total-samples"],
    ["samplesPerSec", "samples-per-sec"], ["loss", "loss"], ["valAccuracy", "val-accuracy"], ["workers", "workers"]]) {
    if (p[key] !== undefined && p[key] !== null) el.setAttribute(`data-${attr}`, String(p[key]));
  }
  if (p.fraction !== undefined) $("train-bar").value = p.fraction;
  if (p.text) $("train-text").textContent = p.text;
  announceProgress(p.text, { frequent: !!p.frequent }); // to a screen reader: milestones, and steps now and then
}
