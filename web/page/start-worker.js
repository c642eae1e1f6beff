// The page's first script: it starts Python's worker at once, so Pyodide
// downloads and starts while the rest of the page's modules load (index.html
// runs app.js next, which takes the client over). What the worker reports
// before then (its loading stages, a crash) is kept and handed over with it.
import { WorkerClient } from "../shared/worker-client.js";

const early = [];
export const client = new WorkerClient(new URL("../workers/worker.js", import.meta.url), {
  onProgress: (event) => early.push(() => client.onProgress(event)),
  onCrash: (message) => early.push(() => client.onCrash(message)),
});

// The page's handlers for the worker's events from now on, after those that came before them.
export function takeOver({ onProgress, onCrash }) {
  Object.assign(client, { onProgress, onCrash });
  for (const replay of early.splice(0)) replay();
}
