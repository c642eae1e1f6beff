// The page's side of the worker's one long job (pynet/browser/jobs.py; the worker's
// pump in worker.js). The job's state is `state.job`:
//
//   null while no job runs, else
//   { kind:     "train" | "fine-tune" | "evaluate",
//     phase:    "starting"  the request is on its way (MNIST may be downloading)
//               "workers"   helper workers are starting (data parallelism)
//               "running"   training steps, features, or the evaluation's images
//               "finishing" the end of a run: checking the new model
//     paused:   the pump is paused (Pause; training only)
//     stopping: Stop was pressed; the job wraps up and keeps what it made
//     workers:  how many workers share it (1: the worker alone) }
//
// It changes only here: when a job is requested (`run`) and on the worker's
// events (`onEvent`: {type: "job", state: started | done | failed} and
// {type: "progress", stage}). Feature modules subscribe to the stages they
// show (`onStage`), and to a job's "started", "done" ({kind, result}) and
// "failed" ({kind, error}).
import { asError } from "../shared/worker-client.js";

export class Jobs {
  constructor({ client, state, render }) {
    this.client = client;
    this.state = state;
    this.render = render;
    this.stageHandlers = new Map(); // stage -> [handler]
    this.pending = null; // {resolve, reject} of the job in progress
  }

  onStage(stage, handler) {
    if (!this.stageHandlers.has(stage)) this.stageHandlers.set(stage, []);
    this.stageHandlers.get(stage).push(handler);
  }

  // Starts `method` (start_training, start_fine_tune, start_evaluate) and
  // resolves when the job ends: {result, stopped}. `prepare` runs first, once
  // the job is the page's (e.g. clearing the charts); Stop pressed meanwhile
  // means the request is never sent.
  async run(kind, method, args, prepare = async () => {}) {
    if (this.state.job) throw new Error(`a ${this.state.job.kind} job is already in progress`);
    this.state.job = { kind, phase: "starting", paused: false, stopping: false, workers: 1 };
    this.render();
    const ended = new Promise((resolve, reject) => { this.pending = { resolve, reject }; });
    try {
      await prepare();
      if (this.state.job.stopping) {
        this.end();
        return { result: null, stopped: true };
      }
      // The job's events may arrive before this reply: `ended` is already set up for them.
      const reply = await this.client.request(method, args);
      if (!reply.job) { // stopped while MNIST was downloading
        this.end();
        return { result: null, stopped: true };
      }
    } catch (err) {
      this.end();
      throw err;
    }
    return ended;
  }

  onEvent(msg) {
    const job = this.state.job;
    if (msg.type === "job") {
      const pending = this.pending;
      if (msg.state === "started") {
        if (job) Object.assign(job, { phase: "running", workers: msg.job.workers });
        this.emit("started", msg.job);
      } else if (msg.state === "done") {
        const stopped = !!job?.stopping || !!msg.result?.summary?.stopped;
        this.end();
        this.emit("done", msg);
        pending?.resolve({ result: msg.result, stopped });
      } else if (msg.state === "failed") {
        this.end();
        this.emit("failed", msg);
        pending?.reject(asError(msg.error));
      }
      this.render();
      return;
    }
    if (job) {
      const phase = { workers: "workers", finish: "finishing" }[msg.stage] ?? (job.phase === "workers" ? "running" : null);
      if (phase && phase !== job.phase) {
        job.phase = phase;
        this.render();
      }
    }
    this.emit(msg.stage, msg);
  }

  emit(stage, msg) {
    for (const handler of this.stageHandlers.get(stage) ?? []) handler(msg);
  }

  end() {
    this.state.job = null;
    this.pending = null;
    this.render();
  }

  async pause() {
    const { paused } = await this.client.request("pause");
    if (this.state.job) this.state.job.paused = paused;
    this.render();
    return paused;
  }

  stop() {
    if (!this.state.job) return;
    this.state.job.stopping = true;
    this.render();
    this.client.request("stop").catch(() => {});
  }
}
