// The run history: every training run of this page, earlier visits' too (kept
// in IndexedDB, the last MAX_RUNS, until Forget runs), with its settings,
// time, speed and accuracies. Ticked runs are overlaid on the comparison
// charts; a run's model can be made active while this tab's Python holds it;
// a run can be exported as a Jupyter notebook that pynet builds from the
// run's training record (pynet/export/notebook.py).
//
// A run is what a Train press made (a job of kind "train" that ended with a
// model). Its curves come from the job's progress events (points every ten
// mini-batches, each epoch's validation), thinned to MAX_POINTS.
import { ASSETS } from "../shared/assets.js";
import { ComparisonCharts, runColour } from "./compare-charts.js";
import { storage } from "./storage.js";
import { download, isNumber, on } from "./ui/dom.js";
import { curvesBy, markStored, showRuns } from "./ui/runs.js";
import { showError } from "./ui/status.js";

const KEY = "runs";
export const MAX_RUNS = 20;
export const MAX_POINTS = 400; // per run, and per run's epochs
const WHEEL_URL = new URL(`../${ASSETS.pynet_wheel}`, import.meta.url).href; // the site's root is one up

// Every other point, the last kept, until at most `max` remain.
function thin(points, max) {
  let out = points;
  while (out.length > max) out = out.filter((_, i) => i % 2 === 1 || i === out.length - 1);
  return out;
}

const numbers = (row, n) => Array.isArray(row) && row.length === n && row.every((v) => v === null || isNumber(v));

// A run as kept in IndexedDB, checked (an older version or a broken store must not break the page).
function cleanRun(raw) {
  if (!raw || typeof raw !== "object" || !/^run-\d{1,9}$/.test(raw.name) || typeof raw.model !== "string") return null;
  const t = raw.trainConfig;
  if (!t || typeof t !== "object" || !isNumber(t.lr) || !isNumber(t.epochs) || !isNumber(raw.startedAt)) return null;
  if (!Array.isArray(raw.points) || !Array.isArray(raw.epochs)) return null;
  const points = raw.points.filter((p) => numbers(p, 4)).slice(0, MAX_POINTS);
  const epochs = raw.epochs.filter((e) => numbers(e, 3)).slice(0, MAX_POINTS);
  return { ...raw, description: String(raw.description ?? "").slice(0, 200), points, epochs };
}

export function initRuns(app) {
  const { client, state, jobs } = app;
  const charts = new ComparisonCharts();
  let runs = []; // newest first
  let next = 1; // the next run's number (runs are numbered across visits)
  let current = null; // the run in progress: {startedAt, points, epochs}
  const selected = new Set(); // names of the ticked runs
  const held = new Map(); // run name -> the name this tab's Python holds its model under

  const heldModel = (run) => {
    const model = held.get(run.name);
    return model && state.models.has(model) ? model : "";
  };
  const ticked = () => runs.filter((r) => selected.has(r.name)).reverse(); // oldest first
  // A run's colour follows its number ("run-3": the third colour), so it keeps
  // its colour whichever other runs are ticked.
  const slotOf = (name) => {
    const n = Number.parseInt(name.split("-").pop(), 10);
    return Number.isSafeInteger(n) && n > 0 ? n - 1 : Math.max(0, runs.findIndex((r) => r.name === name));
  };
  const colourOf = (name) => (selected.has(name) ? runColour(slotOf(name)) : "");

  const render = () => showRuns(runs, { held: heldModel, selected, colourOf, ready: state.ready && !state.crashed });
  const redraw = () => charts.show(ticked().map((r) => ({ label: r.name.replace("-", " "), slot: slotOf(r.name),
    points: r.points, epochs: r.epochs })), curvesBy());

  // Writes to the store, one after another; the table says when the store has
  // caught up (data-stored), e.g. before a reload that should find the runs.
  let writes = Promise.resolve();
  let pending = 0;
  function store(write) {
    pending += 1;
    markStored(false);
    writes = writes.then(write).catch(() => {
      // no IndexedDB (some private modes): the history lasts as long as the tab
    }).finally(() => {
      pending -= 1;
      if (!pending) markStored(true);
    });
    return writes;
  }
  const save = () => store(() => storage.set(KEY, { next, runs }));

  app.showRuns = render;
  // The curves of the run that made `model` (while this tab holds it), for a
  // run that continues that model: [[samples, seconds, loss, accuracy]], [[samples, seconds, val]].
  app.curvesOfModel = (model) => runs.find((r) => heldModel(r) === model) ?? null;

  // ---- recording a run ----------------------------------------------------------------
  jobs.onStage("started", (job) => {
    current = job.kind === "train"
      ? { startedAt: Date.now(), points: [], epochs: [], continuedFrom: job.continued_from ?? null,
        firstEpoch: job.first_epoch ?? 1, totalSamples: job.total_samples ?? null } : null;
  });
  jobs.onStage("train", ({ points, epochs }) => {
    if (!current) return;
    for (const p of points) current.points.push([p.samples, p.seconds, p.loss, p.accuracy]);
    for (const e of epochs) current.epochs.push([e.samples, e.seconds, e.val_accuracy]);
    if (current.points.length > 2 * MAX_POINTS) current.points = thin(current.points, MAX_POINTS);
  });
  jobs.onStage("failed", () => { current = null; });
  jobs.onStage("done", ({ kind, result }) => {
    const made = current;
    current = null;
    if (!made || kind !== "train" || !result?.record) return;
    const summary = result.summary ?? {};
    // A run stopped part-way through an epoch: its last validation is the one
    // measured when it ended, drawn where the training stopped.
    const last = made.points.at(-1);
    if (typeof summary.val_accuracy === "number" && last && !(made.epochs.at(-1)?.[0] >= last[0])) {
      made.epochs.push([last[0], last[1], summary.val_accuracy]);
    }
    const run = {
      name: `run-${next}`, model: result.name, startedAt: made.startedAt, description: result.architecture,
      trainConfig: result.record.train_config, continuedFrom: made.continuedFrom, firstEpoch: made.firstEpoch,
      stoppedAt: summary.stopped && made.totalSamples ? (made.points.at(-1)?.[0] ?? 0) / made.totalSamples : null,
      stopped: !!summary.stopped, seconds: summary.train_seconds ?? null,
      samplesPerSec: summary.samples_per_sec ?? null, valAccuracy: summary.val_accuracy ?? null,
      testAccuracy: result.test_accuracy ?? null, record: result.record,
      points: thin(made.points, MAX_POINTS), epochs: thin(made.epochs, MAX_POINTS),
    };
    next += 1;
    held.set(run.name, result.name);
    runs = [run, ...runs].slice(0, MAX_RUNS);
    for (const name of selected) if (!runs.some((r) => r.name === name)) selected.delete(name);
    render();
    redraw();
    save();
  });

  // ---- the models behind runs ---------------------------------------------------------
  // The run whose model is called `model` in this tab's Python ("" if none), for
  // remembering it across a reload (models.js), and the way back after one.
  app.runOfModel = (model) => [...held].find(([, m]) => m === model)?.[0] ?? "";
  app.runModelRestored = (runName, model) => {
    if (typeof runName === "string" && runName) held.set(runName, model);
    render();
  };
  app.forgetRunModels = () => { // Python restarted: it holds none of them
    held.clear();
    render();
  };

  // ---- the table's controls -------------------------------------------------------------
  const rowRun = (target) => runs.find((r) => r.name === target.closest("tr")?.dataset.run);
  on("run-history", "change", (event) => {
    const run = rowRun(event.target);
    if (!run || event.target.dataset.testid !== "compare-run") return;
    if (event.target.checked) selected.add(run.name);
    else selected.delete(run.name);
    render();
    redraw();
  });
  on("run-history", "click", async (event) => {
    const action = event.target.closest("button")?.dataset.testid;
    const run = rowRun(event.target);
    if (!run || !action) return;
    if (action === "run-use") {
      try {
        app.setActiveModel(await client.request("set_active", { name: heldModel(run) }));
      } catch (err) {
        showError(`Could not use ${run.model}: ${err.message}`);
      }
    } else if (action === "export-notebook") {
      try {
        const { filename, text } = await client.request("export_notebook", { record: run.record, wheel_url: WHEEL_URL });
        download(text, filename, "application/x-ipynb+json");
      } catch (err) {
        showError(`Could not export ${run.name.replace("-", " ")}: ${err.message}`);
      }
    }
  });
  on("compare-x", "change", redraw);
  on("runs-forget", "click", async () => {
    runs = [];
    next = 1;
    selected.clear();
    held.clear();
    render();
    redraw();
    await store(() => storage.delete(KEY));
  });

  // ---- earlier visits -----------------------------------------------------------------
  app.restoreRuns = async () => {
    let saved;
    try {
      saved = await storage.get(KEY);
    } catch {
      return;
    }
    if (!saved || !Array.isArray(saved.runs)) return;
    const kept = saved.runs.map(cleanRun).filter(Boolean).slice(0, MAX_RUNS);
    const numberOf = (r) => Number(r.name.slice(4));
    runs = [...runs, ...kept.filter((r) => !runs.some((x) => x.name === r.name))];
    next = Math.max(next, isNumber(saved.next) ? saved.next : 1, ...runs.map((r) => numberOf(r) + 1));
    render();
  };
}
