// Python in a Web Worker: starting Pyodide with NumPy and pynet, and calling
// a Python object's methods by request name. Shared by the worker that owns
// the session (worker.js) and its helper workers (replica.js). No DOM here.
import { loadPyodide } from "../pyodide/pyodide.mjs";
import { ASSETS } from "../shared/assets.js";

// A file of the site by its path from the site's root (one up from workers/).
export const assetUrl = (path) => new URL(`../${path}`, import.meta.url).href;

// Pyodide with NumPy and the pynet wheel. `onStage(stage, message)` reports progress.
export async function startPython(onStage = () => {}) {
  onStage("runtime", "Starting Python (Pyodide)…");
  for (const wheel of [ASSETS.numpy_wheel, ASSETS.pynet_wheel]) {
    fetch(assetUrl(wheel)).then((r) => r.arrayBuffer()).catch(() => {}); // only warms the cache
  }
  const t0 = performance.now();
  const pyodide = await loadPyodide({ indexURL: assetUrl("./pyodide/"), packages: [] });
  const tRuntime = performance.now();
  onStage("packages", "Loading NumPy and pynet…");
  // Loaded by URL there is no dependency resolution: NumPy is listed first.
  // The pynet wheel holds the bytecode of what the workers import beside its sources (build/precompile.py).
  await pyodide.loadPackage([assetUrl(ASSETS.numpy_wheel), assetUrl(ASSETS.pynet_wheel)], { messageCallback: () => {} });
  return { pyodide, timings: { runtime_ms: tRuntime - t0, install_ms: performance.now() - tRuntime } };
}

// Convert a Python return value to plain JS and free the proxy (or memory grows).
export function toJs(value) {
  if (value && typeof value.toJs === "function") {
    const out = value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    value.destroy();
    return out;
  }
  return value;
}

// An Error carrying pynet's {kind, message, fields} (pynet/browser/dispatch.py).
export function pynetError({ kind, message, fields }) {
  return Object.assign(new Error(message), { kind, fields: fields ?? {} });
}

// Calls `target.handle(method, args)` (pynet's request dispatcher: see
// pynet.browser.session.Session.handle) and returns the result, or throws its error.
// null/undefined arguments are left out (Python's defaults apply). After a
// fatal error (e.g. wasm out of memory) Pyodide is unusable: `onFatal` runs.
export function makeCaller(target, onFatal) {
  return (method, args = {}) => {
    const clean = Object.fromEntries(Object.entries(args).filter(([, v]) => v != null));
    let reply;
    try {
      reply = toJs(target.handle(method, clean));
    } catch (err) {
      if (err?.pyodide_fatal_error) onFatal(String(err.message ?? err));
      throw pynetError({ kind: "internal", message: String(err?.message ?? err).trim().split("\n").pop() });
    }
    if (reply.error) throw pynetError(reply.error);
    return reply.result;
  };
}

// wasm memory only grows, so this is the high-water mark of Python's heap.
// (pyodide._module is Emscripten's Module: private, but there in 0.29.)
export const wasmBytes = (pyodide) => pyodide._module.HEAPU8.buffer.byteLength;

// The buffers of the typed arrays inside `value` (a request's arguments or a
// reply), to move rather than copy them across workers. Only arrays that own
// their whole buffer (copies out of Python's memory) are moved, each once: a
// view into a larger buffer, like wasm memory, is copied.
export function transferables(value, out = new Set()) {
  if (ArrayBuffer.isView(value)) {
    if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer) {
      out.add(value.buffer);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v) => transferables(v, out));
  } else if (value && typeof value === "object") {
    Object.values(value).forEach((v) => transferables(v, out));
  }
  return [...out];
}

export const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));
