// Runs overlaid: the loss and accuracy curves of the ticked runs on two uPlot
// charts, one colour per run, against samples seen or seconds of training (pauses left out).
//
// Like the live charts (charts.js), these only draw: a failure to load uPlot
// or to draw clears them and leaves a one-line note, and nothing else stops.
import { byTestId } from "./ui/dom.js";
import { loadUPlot, makeChart } from "./charts.js";

// Okabe & Ito's colour-blind-safe palette (without its yellow, too light on white);
// past seven runs the colours repeat with dashes.
const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];
const DASHES = [[], [8, 4], [2, 3]];
const PLOT_HEIGHT = 220; // px; the legend goes below, in the chart's element
export const runColour = (i) => COLOURS[i % COLOURS.length];
const runDash = (i) => DASHES[Math.floor(i / COLOURS.length) % DASHES.length];

// uPlot.join needs each table's x strictly increasing.
function increasing(xs, ...columns) {
  const keep = xs.map((x, i) => i === 0 || x > xs[i - 1]);
  return [xs, ...columns].map((col) => col.filter((_, i) => keep[i]));
}

export class ComparisonCharts {
  constructor() {
    this.boxEl = byTestId("compare-charts");
    this.lossEl = byTestId("compare-loss-chart");
    this.accEl = byTestId("compare-accuracy-chart");
    this.noteEl = byTestId("compare-note");
    this.charts = [];
  }

  // runs: [{label, slot (its colour's index), points: [[samples, seconds, loss, accuracy]], epochs: [[samples, seconds, val_accuracy]]}];
  // by: "samples" | "seconds". Never throws.
  async show(runs, by) {
    this.clear();
    this.note("");
    this.boxEl.hidden = runs.length === 0;
    this.boxEl.dataset.by = by;
    if (!runs.length) return;
    try {
      const uPlot = await loadUPlot();
      const at = by === "seconds" ? 1 : 0;
      const lossTables = [];
      const accTables = [];
      const lossSeries = [];
      const accSeries = [];
      runs.forEach((run) => {
        const i = run.slot; // the run's own colour and dash, whichever others are shown
        const style = { stroke: runColour(i), dash: runDash(i), width: 2, spanGaps: true };
        const xs = run.points.map((p) => p[at]);
        lossTables.push(increasing(xs, run.points.map((p) => p[2])));
        accTables.push(increasing(xs, run.points.map((p) => p[3])));
        lossSeries.push({ label: run.label, ...style });
        accSeries.push({ label: `${run.label} training`, ...style });
        if (!run.epochs.length) return; // no epoch ended: no validation points to list
        accTables.push(increasing(run.epochs.map((e) => e[at]), run.epochs.map((e) => e[2])));
        accSeries.push({ label: `${run.label} validation`, ...style, width: 1, dash: [4, 3],
          points: { show: true, size: 7, fill: runColour(i) } });
      });
      const xLabel = by === "seconds" ? "seconds" : "samples";
      const onError = (err) => this.fail(err);
      this.draw(uPlot, this.lossEl, lossSeries, lossTables, null, xLabel, onError);
      this.draw(uPlot, this.accEl, accSeries, accTables, [0, 1], xLabel, onError);
    } catch (err) {
      this.fail(err);
    }
  }

  draw(uPlot, el, series, tables, yRange, xLabel, onError) {
    const made = makeChart(uPlot, el, series, yRange, onError, xLabel, PLOT_HEIGHT);
    this.charts.push(made);
    made.chart.setData(uPlot.join(tables));
  }

  fail(err) {
    console.warn("pynet: the run comparison charts failed:", err);
    this.clear();
    this.boxEl.hidden = true;
    this.note(`The curves could not be drawn (${err?.message ?? err}).`);
  }

  clear() {
    for (const c of this.charts) {
      try {
        c.resize.disconnect();
        c.chart.destroy();
      } catch {
        // emptied below
      }
    }
    this.charts = [];
    this.lossEl.replaceChildren();
    this.accEl.replaceChildren();
  }

  note(text) {
    this.noteEl.hidden = !text;
    this.noteEl.textContent = text;
  }
}
