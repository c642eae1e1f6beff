// Teaching the active model your handwriting: samples (kept in IndexedDB),
// then Fine-tune. By default only the dense head learns, on features of the
// frozen convolution blocks (pynet/browser/finetune.py: seconds); "Whole network"
// trains every layer briefly, as a short training run.
import { storage } from "./storage.js";
import { byTestId, on } from "./ui/dom.js";
import { setStatus, showError } from "./ui/status.js";
import { showTeachCount, showTeachResult, teachLabel } from "./ui/teach.js";
import * as format from "./format.js";

export function initTeaching(app) {
  const { state, jobs } = app;

  const saveSamples = async () => {
    try {
      await storage.set("samples", state.samples);
    } catch (err) {
      showError(`Your samples could not be kept for next time: ${err.message}`);
    }
  };

  app.restoreSamples = () => storage.get("samples").then((saved) => {
    state.samples = saved ?? [];
    showTeachCount(state.samples.length);
    app.render();
  }, () => {});

  on("teach-add", "click", async () => {
    if (!app.pad.hasInk) {
      showError("Draw a digit first, then add it as a sample.");
      return;
    }
    const x = await app.requestOnDrawing("preprocess_sample");
    if (!x) {
      showError("That drawing is too small to use as a sample.");
      return;
    }
    state.samples.push({ label: teachLabel(), x });
    showTeachCount(state.samples.length);
    showError("");
    app.render();
    await saveSamples();
  });

  const headOnly = () => !byTestId("fine-tune-whole").checked;
  jobs.onStage("fine-tune", (p) => {
    const what = { features: "Computing features of your samples and the MNIST mix",
      train: "Training the dense layers", check: "Checked" }[p.phase];
    showTeachResult(p.phase === "check" ? null : `${what}: ${format.percent((p.images ?? p.samples ?? 0) / (p.total || 1))}…`);
  });

  // A whole-network fine-tune is a short training run: its progress is shown
  // here too, where the person pressed Fine-tune, not only in the Train card.
  jobs.onStage("train", (p) => {
    if (p.kind !== "fine-tune" || !p.step) return;
    showTeachResult(`Training the whole network: ${format.percent(p.step.samples / (p.step.total_samples || 1))}…`);
  });
  jobs.onStage("finish", (p) => {
    if (p.kind !== "fine-tune") return;
    showTeachResult(`Checking the new model on ${format.integer(p.total)} held-out and test images: ` +
      `${format.percent(p.images / (p.total || 1))}…`);
  });

  on("fine-tune", "click", async () => {
    if (!state.ready || state.job || !state.samples.length) return;
    const all = new Uint8Array(state.samples.length * 784 * 4);
    state.samples.forEach((s, i) => all.set(s.x, i * 784 * 4));
    const args = { samples: all, labels: state.samples.map((s) => s.label), whole_network: !headOnly() };
    const t0 = performance.now();
    showTeachResult("Starting…");
    if (!headOnly()) {
      const before = state.models.get(state.active); // the model the whole network starts from
      const result = await app.runTrainingJob("fine-tune", "start_fine_tune", args);
      if (!result) {
        showTeachResult("");
        return;
      }
      const pct = (v) => (typeof v === "number" ? format.percent(v, 2) : "–");
      const was = typeof before?.test_accuracy === "number" ? ` (before: ${pct(before.test_accuracy)})` : "";
      showTeachResult(`${result.name} is active (whole network, ${format.decimal((performance.now() - t0) / 1000, 1)} s). ` +
        `Checked on held-out MNIST images: ${pct(result.summary?.val_accuracy)}; on the 10,000 test images: ` +
        `${pct(result.test_accuracy)}${was}.`, result);
      return;
    }
    showError("");
    setStatus("training", "Fine-tuning on your samples…");
    try {
      const { result } = await jobs.run("fine-tune", "start_fine_tune", args);
      if (!result) return;
      app.setActiveModel(result);
      const c = result.summary.check;
      const pct = (v) => format.percent(v, 1);
      showTeachResult(`${result.name} is active (${format.decimal((performance.now() - t0) / 1000, 1)} s). ` +
        `Checked on ${format.integer(c.images)} held-out MNIST images: ${pct(c.after)} (before: ${pct(c.before)}); ` +
        `your samples read as taught: ${c.samples_right} of ${c.samples}.`, result);
      await app.rememberActiveModel();
    } catch (err) {
      if (!state.crashed) showError(`Fine-tuning failed: ${err.message}. The active model was not changed.`);
      showTeachResult("");
    } finally {
      if (!state.crashed) setStatus("ready", "Ready — draw a digit");
      app.showMemory();
    }
  });

  on("teach-clear", "click", async () => {
    state.samples = [];
    showTeachCount(0);
    app.render();
    await storage.delete("samples").catch(() => {});
  });
}
