// Evaluate: the active model on the 10,000 test digits, as a job in the
// worker (split across the form's number of workers).
import { on } from "./ui/dom.js";
import { setEvaluating, showEvaluation } from "./ui/evaluation.js";
import { readSettings } from "./ui/form.js";
import { showError } from "./ui/status.js";

export function initEvaluation(app) {
  const { state, jobs } = app;
  const evaluating = () => state.job?.kind === "evaluate";
  jobs.onStage("mnist", ({ bytes, total }) => evaluating() && setEvaluating(true, total ? bytes / total : 0, "Downloading MNIST"));
  jobs.onStage("workers", ({ kind, started, count }) => kind === "evaluate" &&
    setEvaluating(true, started / count, "Starting workers"));
  jobs.onStage("evaluate", ({ images, total }) => setEvaluating(true, images / total));

  on("evaluate", "click", async () => {
    if (!state.ready || state.job) return;
    const workers = Number(readSettings().workers) || 1;
    setEvaluating(true, 0);
    try {
      const { result } = await jobs.run("evaluate", "start_evaluate", { workers });
      if (result) showEvaluation(result);
      app.showMemory();
    } catch (err) {
      if (!state.crashed) showError(`Evaluation failed: ${err.message}`);
    } finally {
      setEvaluating(false);
    }
  });
}
