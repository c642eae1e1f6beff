// Live training charts with uPlot (loaded lazily: not on the start-up path).
// The page keeps the history; progress events carry only new points.
//
// The charts only draw what the progress text already says, so nothing here
// may end a run: if uPlot cannot be loaded or fails to draw (or to resize),
// the charts are cleared, a one-line note says so, and training goes on.
import { byTestId } from "./ui/dom.js";
import { locale, number } from "./format.js";
import { importUPlot } from "./uplot-loader.js";

let uPlotModule = null;
export const loadUPlot = async () => (uPlotModule ??= await importUPlot(locale));

// The page's number format for uPlot's axes and legend (its own format is
// navigator.language's; see uplot-loader.js).
const axisValues = (u, splits) => splits.map((v) => (v == null ? "" : number(v)));
const legendValue = (u, v, seriesIdx, dataIdx) => (dataIdx == null ? "--" : v == null ? "" : number(v));

// A uPlot chart in `el` that follows its width (and its height, unless
// `height` is given: a chart whose legend shows below it grows its element);
// `onError` gets a failure to resize.
export function makeChart(uPlot, el, series, yRange, onError, xLabel = "samples", height = null) {
  const plotHeight = () => height ?? (el.clientHeight || 220);
  const opts = {
    width: Math.max(200, el.clientWidth),
    height: plotHeight(),
    legend: { show: true },
    scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
    axes: [{ label: xLabel, size: 40, values: axisValues }, { size: 50, values: axisValues }],
    series: [{ label: xLabel, value: legendValue }, ...series.map((s) => ({ value: legendValue, ...s }))],
  };
  const data = [[], ...series.map(() => [])];
  const chart = new uPlot(opts, data, el);
  const resize = new ResizeObserver(() => {
    try {
      chart.setSize({ width: Math.max(200, el.clientWidth), height: plotHeight() });
    } catch (err) {
      onError(err);
    }
  });
  resize.observe(el);
  return { chart, data, resize };
}

export class TrainingCharts {
  constructor() {
    this.lossEl = byTestId("loss-chart");
    this.accEl = byTestId("accuracy-chart");
    this.noteEl = byTestId("charts-note");
    this.loss = null;
    this.acc = null;
  }

  // New, empty charts for a run. Never throws: a failure leaves a note instead.
  async reset() {
    this.clear();
    this.showNote("");
    this.showFigures(true);
    try {
      const uPlot = await loadUPlot();
      const onError = (err) => this.fail(err);
      this.loss = makeChart(uPlot, this.lossEl, [{ label: "loss", stroke: "#0072b2", width: 2 }], null, onError);
      this.acc = makeChart(uPlot, this.accEl, [
        { label: "training", stroke: "#0072b2", width: 2 },
        { label: "validation", stroke: "#d55e00", width: 2, spanGaps: true, points: { show: true, size: 7 } },
      ], [0, 1], onError);
    } catch (err) {
      this.fail(err);
    }
  }

  // points: [{samples, loss, accuracy}], epochs: [{samples, val_accuracy}]. Never throws.
  add(points, epochs) {
    if (!this.loss || !this.acc) return;
    try {
      const [lx, ly] = this.loss.data;
      const [ax, at, av] = this.acc.data;
      for (const p of points) {
        lx.push(p.samples); ly.push(p.loss);
        ax.push(p.samples); at.push(p.accuracy); av.push(null);
      }
      for (const e of epochs) {
        if (e.val_accuracy == null) continue;
        ax.push(e.samples); at.push(null); av.push(e.val_accuracy);
      }
      if (points.length) this.loss.chart.setData(this.loss.data);
      // What the loss chart spans, in samples (for tests and for reading the page's state).
      this.lossEl.dataset.samplesFrom = String(lx[0] ?? "");
      this.lossEl.dataset.samplesTo = String(lx.at(-1) ?? "");
      if (points.length || epochs.length) this.acc.chart.setData(this.acc.data);
    } catch (err) {
      this.fail(err);
    }
  }

  // The curves a continued run starts from (a run record's points and epochs,
  // runs.js), in order of samples so that each validation point follows the
  // training up to it. Never throws.
  addEarlier(points, epochs) {
    const asPoints = (rows) => rows.map(([samples, , loss, accuracy]) => ({ samples, loss, accuracy }));
    let i = 0;
    for (const [samples, , val] of epochs) {
      const start = i;
      while (i < points.length && points[i][0] <= samples) i += 1;
      this.add(asPoints(points.slice(start, i)), [{ samples, val_accuracy: val }]);
    }
    this.add(asPoints(points.slice(i)), []);
  }

  // The charts are gone for this run; the progress text carries on.
  fail(err) {
    console.warn("pynet: the training charts failed:", err);
    this.clear();
    this.showFigures(false);
    this.showNote(`The charts could not be shown (${err?.message ?? err}); training goes on without them.`);
  }

  // The charts' figures (title and plot area) take no room while they cannot be drawn.
  showFigures(show) {
    for (const el of [this.lossEl, this.accEl]) {
      const figure = el.closest("figure");
      if (figure) figure.hidden = !show;
    }
  }

  clear() {
    for (const c of [this.loss, this.acc]) {
      try {
        c?.resize.disconnect();
        c?.chart.destroy();
      } catch {
        // a chart that failed half-way may not tear down cleanly: its element is emptied below
      }
    }
    this.loss = null;
    this.acc = null;
    this.lossEl.replaceChildren();
    this.accEl.replaceChildren();
  }

  showNote(text) {
    if (!this.noteEl) return;
    this.noteEl.hidden = !text;
    this.noteEl.textContent = text;
  }
}
