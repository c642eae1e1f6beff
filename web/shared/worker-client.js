// Request/reply with a Web Worker by id. Shared: the page talks to its Python
// worker with it (page/app.js), and that worker to its helpers (workers/team.js).
// shared/ holds only what both sides import (and the build's assets.js).
// pynet's errors arrive as {kind, message, fields} (pynet/browser/dispatch.py): an
// Error with those properties.
export function asError(error) {
  if (typeof error === "string") return new Error(error);
  return Object.assign(new Error(error?.message ?? "unknown error"), { kind: error?.kind ?? "internal", fields: error?.fields ?? {} });
}

// Talks to the worker: each request gets an id; its promise settles on the
// matching reply. Progress events go to `onProgress`; a crash (an uncaught
// error in the worker, or Python reporting it can no longer run) fails every
// pending request and is reported to `onCrash`.
export class WorkerClient {
  constructor(workerUrl, { onProgress, onCrash }) {
    this.onProgress = onProgress;
    this.onCrash = onCrash;
    this.pending = new Map();
    this.nextId = 1;
    this.start(workerUrl);
  }

  start(workerUrl) {
    this.workerUrl = workerUrl;
    this.worker = new Worker(workerUrl, { type: "module" });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.crashed(`the worker crashed: ${event.message || "unknown error"}`);
    };
  }

  crashed(message) {
    this.onCrash?.(message);
    this.failAll(new Error(message));
  }

  receive(msg) {
    if (msg.type === "progress" || msg.type === "job") {
      this.onProgress?.(msg);
      return;
    }
    if (msg.type === "crash") {
      this.crashed(msg.message);
      return;
    }
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (msg.type === "result") entry.resolve(msg.result);
    else entry.reject(asError(msg.error));
  }

  // `args` are the keyword arguments of the pynet.browser.session.Session method `type`.
  request(type, args = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, args }, transfer);
    });
  }

  failAll(error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  // Throw the worker away (e.g. after a crash) and start a fresh one.
  restart() {
    this.worker.terminate();
    this.failAll(new Error("the worker was restarted"));
    this.start(this.workerUrl);
  }
}
