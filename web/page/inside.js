// Looking inside the active model: the explanation (live while its panel is
// open), one training step stage by stage, and the gradient check.
import { on } from "./ui/dom.js";
import { readSettings } from "./ui/form.js";
import {
  explainOpen, setExplainBusy, setGradientCheckBusy, setStepControls, showExplanation, showGradientCheck, showStepStage,
} from "./ui/inside.js";
import { showError } from "./ui/status.js";

export function initInside(app) {
  const { client, state, pad } = app;

  // Explanations are computed only while their panel is open (classifying stays fast).
  app.explainNow = async () => {
    if (!state.ready || !explainOpen() || state.explaining) return;
    state.explaining = true;
    setExplainBusy(true);
    try {
      showExplanation(pad.hasInk ? await app.requestOnDrawing("explain") : null);
    } catch (err) {
      if (!state.crashed) showError(`Could not explain the prediction: ${err.message}`);
    } finally {
      state.explaining = false;
      setExplainBusy(false);
    }
  };
  on("explain", "toggle", () => app.explainNow());

  // state.step.stages: the library's stage names (start_step's reply), in order.
  const stepDone = (s) => !!s?.stages && s.stage === s.stages.length;
  app.renderStep = () => {
    const s = state.step;
    const next = !s ? "Start a step" : stepDone(s) ? "Start another step" : `Next: ${s.stages?.[s.stage] ?? "forward"}`;
    setStepControls({ label: next, canStep: state.ready && !s?.busy, canApply: stepDone(s) && !s.busy });
  };

  on("step-batch", "click", async () => {
    if (!state.ready || state.step?.busy) return;
    showError("");
    try {
      if (!state.step || stepDone(state.step)) {
        state.step = { stage: 0, busy: true, stages: null };
        app.renderStep();
        showStepStage(null);
        state.step.stages = (await client.request("start_step", { settings: readSettings() })).stages;
      }
      state.step.busy = true;
      app.renderStep();
      const result = await client.request("step_stage");
      state.step.stage = result.index;
      showStepStage(result);
    } catch (err) {
      state.step = null;
      if (!state.crashed) showError(`Could not step: ${err.message}`);
    } finally {
      if (state.step) state.step.busy = false;
      app.renderStep();
    }
  });

  on("step-apply", "click", async () => {
    try {
      app.setActiveModel(await client.request("apply_step"));
      state.step = null;
      showStepStage(null);
      app.renderStep();
      await app.rememberActiveModel();
    } catch (err) {
      showError(`Could not apply the step: ${err.message}`);
    } finally {
      app.renderStep();
    }
  });

  on("gradient-check", "click", async () => {
    setGradientCheckBusy(true);
    try {
      showGradientCheck(await client.request("gradient_check"));
    } catch (err) {
      if (!state.crashed) showError(`The gradient check failed to run: ${err.message}`);
    } finally {
      setGradientCheckBusy(false, state.ready);
    }
  });
}
