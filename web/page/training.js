// Training in the tab: the form (checked live by pynet), the presets, Train,
// Pause, Stop, and the run's progress and charts. The run itself is a job in
// the worker (jobs.js); its model becomes the active one.
import { TrainingCharts } from "./charts.js";
import { byTestId, on } from "./ui/dom.js";
import {
  announceSettingsChanged, applySettingsSchema, continueTraining, focusField, networkFields, onSettingsInput,
  presetButtons, readSettings, setSettings, showContinueHint, showFieldErrors,
} from "./ui/form.js";
import { showTrainProgress } from "./ui/progress.js";
import { setStatus, showError } from "./ui/status.js";
import * as format from "./format.js";

const phoneSized = () => Math.min(window.screen?.width ?? 1024, window.innerWidth) < 600;

// WebKit (Safari, and every browser on an iPhone; navigator.vendor "Apple
// Computer, Inc.") does not report the cores: against fingerprinting it says
// 4 for any device with fewer than 8 and 8 from 8 on (WebCore's
// NavigatorBase::hardwareConcurrency). On a 2-core machine it said 4, and 4
// workers trained at half the rate of 2 (a new user's review in WebKitGTK,
// 2026-11-30: 4,190 against 8,454 samples/s).
const coresAreClamped = () => navigator.vendor === "Apple Computer, Inc.";

// The form's default number of workers: the cores the browser reports, at
// most 4 (at most 2 where the count is clamped, as no device has fewer), and
// 1 on a phone-sized screen (pynet's settings table bounds it).
export function defaultWorkers() {
  const cores = navigator.hardwareConcurrency || 1;
  return phoneSized() ? 1 : Math.max(1, Math.min(coresAreClamped() ? 2 : 4, cores));
}

// What the workers hint says of this device's cores.
function coresNote(cores) {
  if (!cores) return "";
  if (!coresAreClamped()) return ` (this device has ${cores})`;
  return ` (this browser reports ${cores} for any device with ${cores >= 8 ? "8 cores or more" : "fewer than 8"})`;
}

// The memory this tab should keep to, in MB: phones end tabs far sooner than
// desktops (Apple publishes no number; see docs/performance.md, "Memory as
// Safari counts it"), and where the browser reports the device's memory
// (navigator.deviceMemory, GB, Chromium only) a quarter of it. pynet caps
// the workers by it (pynet/browser/budget.py).
export function tabMemoryMB() {
  if (phoneSized()) return 384;
  const gb = navigator.deviceMemory;
  return gb ? Math.min(2048, Math.max(384, gb * 256)) : 2048;
}

export function initTraining(app) {
  const { client, state, jobs } = app;
  const charts = new TrainingCharts();
  let recent = []; // [time, samples] of the last few seconds of training
  let runs = 0; // training runs started on this page

  app.applySchema = (schema) => {
    applySettingsSchema(schema);
    const workers = byTestId("workers");
    if (!workers.dataset.chosen) workers.value = String(Math.min(defaultWorkers(), schema.fields.workers.max));
    byTestId("hint-workers").textContent = `${byTestId("hint-workers").textContent}: one per core is fastest` +
      coresNote(navigator.hardwareConcurrency) + "; each takes a share of every batch (data parallelism)";
  };
  byTestId("workers").addEventListener("input", (e) => { e.target.dataset.chosen = "true"; });

  // While Continue is ticked the greyed-out network fields show the active
  // model's network (they had kept the form's own, another network), and a
  // copied link carries it; unticking gives the form's own back.
  let ownArchitecture = null;
  app.followContinue = () => {
    const info = state.models.get(state.active);
    if (continueTraining() && info?.form) {
      ownArchitecture ??= networkFields();
      setSettings(info.form);
    } else if (!continueTraining() && ownArchitecture) {
      setSettings(ownArchitecture);
      ownArchitecture = null;
    } else {
      return;
    }
    app.render();
    announceSettingsChanged();
  };

  app.showContinueHint = () => {
    const info = state.models.get(state.active);
    if (!continueTraining() || !info) {
      showContinueHint("");
      return;
    }
    const where = info.epoch_samples > 0 ? `part-way through epoch ${info.epochs_done + 1}`
      : `after ${info.epochs_done} epoch${info.epochs_done === 1 ? "" : "s"}`;
    const counts = info.epoch_samples > 0
      ? ` Finishing epoch ${info.epochs_done + 1} counts as the first of the epochs in the form (1: just finish it).` : "";
    showContinueHint(`Train continues ${info.name} (${info.architecture}) from where it stopped, ${where}, ` +
      (info.has_optimizer ? "with its optimiser state." : "with a fresh optimiser (the model carries no optimiser state).") +
      counts);
  };

  // Field messages come from pynet (validate_settings), live while typing.
  const checkSettings = async () => {
    const errors = await client.request("validate_settings", { settings: readSettings() });
    showFieldErrors(errors);
    return errors;
  };
  let settingsTimer = 0;
  onSettingsInput(() => {
    clearTimeout(settingsTimer);
    if (state.ready) settingsTimer = setTimeout(() => checkSettings().catch(() => {}), 150);
  });
  on("architecture", "change", app.render);
  for (const button of presetButtons()) {
    button.addEventListener("click", () => {
      setSettings(state.schema.presets[button.dataset.testid.slice("preset-".length)]);
      app.render();
      checkSettings().catch(() => {});
    });
  }
  on("continue-training", "change", () => {
    app.followContinue();
    app.render();
    app.showContinueHint();
    if (state.ready) checkSettings().catch(() => {});
  });

  // ---- a run's progress (the worker's job events) --------------------------------
  const mb = (n) => format.decimal(n / 1e6, 1);
  const trainingJob = () => state.job && state.job.kind !== "evaluate";
  jobs.onStage("mnist", ({ bytes, total }) => trainingJob() && showTrainProgress({
    frequent: true,
    fraction: total ? bytes / total : 0,
    text: `Downloading MNIST: ${mb(bytes)} of ${mb(total)} MB (${format.percent(total ? bytes / total : 0)})`,
  }));
  jobs.onStage("mnist-parse", () => trainingJob() && showTrainProgress({ text: "Preparing MNIST…" }));
  jobs.onStage("workers", ({ kind, started, count, boot_ms: bootMs }) => {
    if (kind === "evaluate") return;
    showTrainProgress({ text: `Starting ${count} helper worker${count === 1 ? "" : "s"} (one Python each): ` +
      `${started} of ${count} ready` + (bootMs ? `, the last in ${format.decimal(bootMs / 1000, 1)} s` : "") + "…" });
  });
  jobs.onStage("started", (job) => {
    if (job.kind === "evaluate" || job.mode === "head") return;
    recent = [];
    showTrainProgress({
      fraction: job.samples / job.total_samples, epoch: job.first_epoch, samples: job.samples,
      totalSamples: job.total_samples, workers: job.workers,
      text: `Training ${job.description} (${format.integer(job.n_params)} weights)` +
        (job.workers > 1 ? ` on ${job.workers} workers` : "") +
        (job.first_epoch > 1 || job.samples > 0 ? `, continuing in epoch ${job.first_epoch} of ${job.epochs}…` : "…"),
    });
  });
  jobs.onStage("train", ({ step, points, epochs }) => {
    charts.add(points, epochs);
    if (!step) return;
    // samples/s averaged over the last few seconds of wall-clock time
    const now = performance.now();
    recent.push([now, step.samples]);
    while (recent.length > 2 && now - recent[0][0] > 3000) recent.shift();
    const [t0, s0] = recent[0];
    const rate = now > t0 && step.samples > s0 ? ((step.samples - s0) * 1000) / (now - t0) : step.samples_per_sec;
    const eta = rate > 0 ? (step.total_samples - step.samples) / rate : 0;
    const lastVal = epochs.length ? epochs[epochs.length - 1].val_accuracy : null;
    if (state.job?.paused) return; // a step already under way when Pause was pressed: the line keeps "paused"
    showTrainProgress({
      frequent: true, epoch: step.epoch, samples: step.samples, totalSamples: step.total_samples,
      samplesPerSec: Math.round(rate), loss: step.running_loss.toFixed(4),
      valAccuracy: lastVal ?? undefined,
      fraction: step.samples / step.total_samples,
      text: `Epoch ${step.epoch} · ${format.integer(step.samples)} / ${format.integer(step.total_samples)} samples · ` +
        `${format.integer(rate)} samples/s · lr ${format.significant(step.lr, 2)} · loss ${format.decimal(step.running_loss, 3)} · ` +
        `accuracy ${format.percent(step.running_accuracy, 1)}` +
        (lastVal != null ? ` · validation ${format.percent(lastVal, 2)}` : "") + ` · ETA ${format.integer(Math.ceil(eta))} s`,
    });
  });
  jobs.onStage("finish", ({ images, total }) => showTrainProgress({
    frequent: true,
    text: `Checking the new model on ${format.integer(total)} held-out and test images: ${format.percent(images / total)}`,
  }));

  // Runs a training job (start_training, or a whole-network start_fine_tune):
  // the result becomes the active model and is remembered.
  app.runTrainingJob = async (kind, method, args, { fromTrain = document.activeElement === byTestId("train") } = {}) => {
    showError("");
    runs += 1;
    showTrainProgress({ run: runs, fraction: 0, epoch: 0, samples: 0, totalSamples: 0, samplesPerSec: 0,
      text: "Starting…" });
    setStatus("training", kind === "train" ? "Training…" : "Fine-tuning on your samples…");
    // Keyboard focus: Train is disabled while the run lasts, so focus moves to
    // Stop (not to the page's body), and back to Train when the run ends.
    const refocus = () => {
      if (fromTrain && [document.body, byTestId("stop")].includes(document.activeElement)) byTestId("train").focus();
    };
    let outcome;
    try {
      // Charts are display only: if they cannot be set up, the run goes on without them.
      const earlier = args.continue_active ? app.curvesOfModel?.(state.active) : null; // the curve this run goes on
      outcome = await jobs.run(kind, method, args, async () => {
        if (fromTrain) byTestId("stop").focus();
        await charts.reset().catch(() => {});
        if (earlier) charts.addEarlier(earlier.points, earlier.epochs);
      });
    } catch (err) {
      refocus();
      if (!state.crashed) {
        if (err.kind === "settings") showFieldErrors(err.fields);
        showError(`Training stopped: ${err.message}. The run was discarded; the active model was not changed.`);
        setStatus("ready", "Ready — draw a digit"); // the run is over: the status must not stay on "Training…"
      }
      showTrainProgress({ text: `Training failed: ${err.message}` });
      return null;
    }
    const { result, stopped } = outcome;
    let shown = false;
    try {
      if (!result) {
        showTrainProgress({ fraction: 0, text: "Stopped before training began. The active model was not changed." });
        return null;
      }
      app.setActiveModel(result);
      const accuracy = typeof result.test_accuracy === "number" ? ` (${format.percent(result.test_accuracy, 2)} on the test set)` : "";
      const note = result.summary?.note ? ` ${result.summary.note}.` : "";
      showTrainProgress({ text: `${stopped ? "Stopped" : "Finished"}: ${result.name} is now the active model${accuracy}.` +
        `${note} The previous model stays in the list.` });
      shown = true;
    } catch (err) { // the run succeeded; only showing it failed
      showError(`${result.name} is the active model, but the page could not show all of it: ${err.message}`);
    } finally {
      // Ready as the run ends, before the model is written to the browser's
      // store below (a test saw "Training…" with Train already enabled).
      if (!state.crashed) setStatus("ready", "Ready — draw a digit");
      refocus();
      app.showMemory();
    }
    if (shown) await app.rememberActiveModel(); // never throws: it says itself when it cannot keep the model
    return result;
  };

  on("train", "click", async () => {
    if (!state.ready || state.job || state.checkingSettings) return;
    const fromTrain = document.activeElement === byTestId("train"); // before the settings check disables it
    state.checkingSettings = true; // Train stays pressed while pynet checks the settings
    app.render();
    let errors;
    try {
      errors = await checkSettings();
    } catch (err) {
      errors = null;
      showError(`Could not check the settings: ${err.message}`);
    } finally {
      state.checkingSettings = false;
    }
    const bad = errors ? Object.keys(errors) : [];
    if (!errors || bad.length) {
      app.render();
      if (bad.length) focusField(bad[0]);
      return;
    }
    app.runTrainingJob("train", "start_training", { settings: readSettings(), name: "trained",
      continue_active: continueTraining() }, { fromTrain });
  });

  on("pause", "click", async () => {
    const paused = await jobs.pause();
    setStatus("training", paused ? "Training paused" : "Training…");
    recent = []; // the rate (and ETA) starts again from the next step: a pause is not slowness
    const line = byTestId("train-text").textContent ?? "";
    if (paused && line.includes(" · ETA ")) showTrainProgress({ text: line.replace(/ · ETA .*$/, " · paused") });
  });
  on("stop", "click", () => jobs.stop());
}
