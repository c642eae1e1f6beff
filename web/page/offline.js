// Registers the service worker (offline use) and tells the user when a new
// build has been downloaded and is ready. The update only takes over when the
// user says so: reloading mid-training would throw the run away. When another
// tab accepts an update, this tab keeps running the build it loaded (the
// service worker serves it that build) and is told so.

// onUpdateReady(apply): a new build waits; apply() activates it and reloads.
// onUpdatedElsewhere(): another tab activated a new build.
// Returns the registration, or null where service workers are unavailable
// (e.g. plain http on a non-localhost host).
export async function registerOffline({ onUpdateReady, onUpdatedElsewhere }) {
  if (!("serviceWorker" in navigator)) return null;
  let registration;
  try {
    registration = await navigator.serviceWorker.register(new URL("../sw.js", import.meta.url));
  } catch {
    return null; // the app still works online
  }
  if (!registration) return null; // e.g. service workers blocked by policy
  let hadController = !!navigator.serviceWorker.controller;
  let requested = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (requested) location.reload();
    else if (hadController) onUpdatedElsewhere();
    hadController = true; // a first visit's page is taken over once, by its own build
  });
  const offer = (worker) => onUpdateReady(() => {
    requested = true;
    if (worker.state === "activated") location.reload(); // another tab already switched
    else worker.postMessage("skip-waiting");
  });
  if (registration.waiting && hadController) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const incoming = registration.installing;
    incoming?.addEventListener("statechange", () => {
      // "installed" with a page already controlled = an update, not the first install.
      if (incoming.state === "installed" && navigator.serviceWorker.controller) offer(incoming);
    });
  });
  // Clean up builds no open tab runs any more (e.g. the one this tab replaced).
  navigator.serviceWorker.ready.then((r) => r.active?.postMessage("prune"), () => {});
  // Long-lived tabs look for a new build now and then.
  setInterval(() => registration.update().catch(() => {}), 60 * 60 * 1000);
  return registration;
}

// The build this page runs (from the manifest the service worker cached with it).
export async function buildVersion() {
  const response = await fetch(new URL("../manifest.json", import.meta.url));
  return (await response.json()).version;
}

// The worker has just downloaded MNIST and left a copy in Cache Storage: ask
// the service worker to keep it for offline use (it may not have controlled
// the page during the download, on a first visit).
export function keepDownloadsForOffline() {
  navigator.serviceWorker?.ready.then((registration) => registration.active?.postMessage("keep-downloads"), () => {});
}
