// Evaluate: the active model on the 10,000 test digits, as a job in the
// worker (split across the form's number of workers); with a second model
// chosen, also where the two disagree.
import { on } from "./ui/dom.js";
import { comparedModel, setEvaluating, showComparison, showCompareChoices, showEvaluation } from "./ui/evaluation.js";
import { readSettings } from "./ui/form.js";
import { showError } from "./ui/status.js";

export function initEvaluation(app) {
  const { state, jobs } = app;
  const evaluating = () => state.job?.kind === "evaluate";
  jobs.onStage("mnist", ({ bytes, total }) => evaluating() && setEvaluating(true, total ? bytes / total : 0, "Downloading MNIST"));
  jobs.onStage("workers", ({ kind, started, count }) => kind === "evaluate" &&
    setEvaluating(true, started / count, "Starting workers"));
  jobs.onStage("evaluate", ({ images, total }) => setEvaluating(true, images / total));

  // Any model the worker holds but the active one can be the second model.
  app.showCompareChoices = () => showCompareChoices([...state.models.keys()].filter((name) => name !== state.active));

  on("evaluate", "click", async () => {
    if (!state.ready || state.job) return;
    const workers = Number(readSettings().workers) || 1;
    const compare = comparedModel();
    setEvaluating(true, 0);
    try {
      const { result } = await jobs.run("evaluate", "start_evaluate", { workers, compare: compare || null });
      if (result) {
        showEvaluation(result);
        showComparison(result.comparison ?? null);
      }
      app.showMemory();
    } catch (err) {
      if (!state.crashed) showError(`Evaluation failed: ${err.message}`);
    } finally {
      setEvaluating(false);
    }
  });
}
