// A helper worker for data parallelism: a Pyodide of its own holding a
// replica of the network (pynet.browser.team.ReplicaSession). The worker that owns
// the session starts it, sends it a shard of each batch (or some images to
// evaluate) with the current weights, and gets gradients (or outputs) back.
// Requests and replies follow the page's protocol: {id, type, args} ->
// {id, type: "result" | "error", ...}; "memory" is this script's own.
import { makeCaller, startPython, transferables, wasmBytes } from "./python.js";

const post = (msg) => self.postMessage(msg, transferables(msg));

const ready = (async () => {
  const t0 = performance.now();
  const { pyodide } = await startPython();
  pyodide.runPython("from pynet.browser.team import ReplicaSession\nreplica = ReplicaSession()");
  const call = makeCaller(pyodide.globals.get("replica"), (message) => post({ type: "crash", message }));
  return { pyodide, call, bootMs: performance.now() - t0 };
})();

self.onmessage = async (event) => {
  const { id, type, args = {} } = event.data;
  try {
    const { pyodide, call, bootMs } = await ready;
    const result = type === "memory" ? { wasm_bytes: wasmBytes(pyodide), boot_ms: bootMs } : call(type, args);
    post({ id, type: "result", result: result ?? null });
  } catch (err) {
    post({ id, type: "error", error: { kind: err.kind ?? "internal", message: String(err.message ?? err), fields: err.fields ?? {} } });
  }
};
