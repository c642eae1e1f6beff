// Live training charts with uPlot (loaded lazily: not on the start-up path).
// The page keeps the history; progress events carry only new points.
import { byTestId } from "./ui/dom.js";

let uPlotModule = null;
const loadUPlot = async () => (uPlotModule ??= (await import("./vendor/uPlot.esm.js")).default);

function makeChart(uPlot, el, series, yRange) {
  const opts = {
    width: Math.max(200, el.clientWidth),
    height: el.clientHeight || 220,
    legend: { show: true },
    scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
    axes: [{ label: "samples", size: 40 }, { size: 50 }],
    series: [{}, ...series],
  };
  const data = [[], ...series.map(() => [])];
  const chart = new uPlot(opts, data, el);
  new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: el.clientHeight || 220 })).observe(el);
  return { chart, data };
}

export class TrainingCharts {
  constructor() {
    this.lossEl = byTestId("loss-chart");
    this.accEl = byTestId("accuracy-chart");
    this.loss = null;
    this.acc = null;
  }

  async reset() {
    const uPlot = await loadUPlot();
    this.lossEl.replaceChildren();
    this.accEl.replaceChildren();
    this.loss = makeChart(uPlot, this.lossEl, [{ label: "loss", stroke: "#0072b2", width: 2 }]);
    this.acc = makeChart(uPlot, this.accEl, [
      { label: "training", stroke: "#0072b2", width: 2 },
      { label: "validation", stroke: "#d55e00", width: 2, spanGaps: true, points: { show: true, size: 7 } },
    ], [0, 1]);
  }

  // points: [{samples, loss, accuracy}], epochs: [{samples, val_accuracy}]
  add(points, epochs) {
    if (!this.loss) return;
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
    if (points.length || epochs.length) this.acc.chart.setData(this.acc.data);
  }
}
