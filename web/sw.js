// The service worker: makes the site work offline and keeps each build whole.
//
// Every file in the build's manifest.json is precached, checked against its
// sha256, into a cache named after the build ("pynet-<version>"); the page is
// then served only from that cache, so old and new files never mix. MNIST
// (11 MB, listed under manifest "lazy") is the exception: it is cached the
// first time training or evaluation fetches it, because most visitors only
// draw and should not pay 11 MB for it up front; an update carries it over
// from the previous cache when its hash is unchanged.
//
// A new build installs in the background and waits; the page shows "update
// ready" and, when the user accepts, sends "skip-waiting" and reloads.
//
// Several tabs: each page (and the Python worker it starts) keeps being served
// the build it was loaded with, even after another tab accepted an update, so
// no tab ever runs new files under an old page. The worker records which build
// each client belongs to (navigations get the newest; a worker gets its page's)
// and deletes an old build's cache only when no open client uses it.

const VERSION = "__BUILD_VERSION__"; // stamped by build/build_site.py
const PREFIX = "pynet-";
const CACHE = PREFIX + VERSION;
const scopeUrl = (path) => new URL(path, self.registration.scope).href;
// Which build each client runs, kept in Cache Storage: it must outlive this
// worker (browsers stop idle service workers) and be read by the next build's.
const CLIENTS = "pynet:clients";
const CLIENTS_KEY = () => scopeUrl("__pynet-clients__");

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// Fetch one file of this build, bypassing the HTTP cache, and refuse it unless
// it is byte for byte the file the manifest names (a half-deployed server
// would otherwise hand us a mix of two builds).
async function fetchVerified(path, expected) {
  const response = await fetch(scopeUrl(path), { cache: "no-cache" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  if ((await sha256Hex(body)) !== expected.sha256) throw new Error(`${path} does not match build ${VERSION}`);
  // Only the type: the body is already decoded, so the transfer's
  // Content-Encoding and Content-Length no longer describe it.
  return new Response(body, { headers: { "Content-Type": response.headers.get("Content-Type") ?? "" } });
}

async function cachedManifest(cacheName) {
  const response = await (await caches.open(cacheName)).match(scopeUrl("manifest.json"));
  return response ? response.json() : null;
}

// A lazily cached file from an older build, if its content is unchanged.
async function carryOver(path, sha256) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const old = await cachedManifest(name);
    if (old?.files?.[path]?.sha256 !== sha256) continue;
    const response = await (await caches.open(name)).match(scopeUrl(path));
    if (response) return response;
  }
  return null;
}

// Lazy files the page downloaded before this worker controlled it (MNIST on
// the very first visit): the page leaves a copy in DOWNLOADS; keep the ones
// that match this build and drop the copies.
const DOWNLOADS = "pynet:downloads"; // not "pynet-…": activation would delete it

async function keepDownloads(manifest) {
  const cache = await caches.open(CACHE);
  const downloads = await caches.open(DOWNLOADS);
  await Promise.all((manifest.lazy ?? []).map(async (path) => {
    const copy = await downloads.match(scopeUrl(path));
    if (!copy) return;
    if (!(await cache.match(scopeUrl(path)))) {
      const body = await copy.arrayBuffer();
      if ((await sha256Hex(body)) === manifest.files[path].sha256) {
        await cache.put(scopeUrl(path), new Response(body, { headers: { "Content-Type": "application/octet-stream" } }));
      }
    }
    await downloads.delete(scopeUrl(path));
  }));
}

async function precache() {
  const manifestResponse = await fetch(scopeUrl("manifest.json"), { cache: "no-cache" });
  const manifest = await manifestResponse.clone().json();
  if (manifest.version !== VERSION) throw new Error(`the server has build ${manifest.version}, not ${VERSION}`);
  const lazy = new Set(manifest.lazy ?? []);
  const cache = await caches.open(CACHE);
  const entries = Object.entries(manifest.files);
  await Promise.all(entries.map(async ([path, expected]) => {
    if (lazy.has(path)) {
      const previous = await carryOver(path, expected.sha256);
      if (previous) await cache.put(scopeUrl(path), previous);
      return;
    }
    await cache.put(scopeUrl(path), await fetchVerified(path, expected));
  }));
  // The site's root URL is index.html.
  await cache.put(scopeUrl("./"), await cache.match(scopeUrl("index.html")));
  await cache.put(scopeUrl("manifest.json"), manifestResponse);
  await keepDownloads(manifest);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().catch(async (err) => {
    await caches.delete(CACHE); // no half-filled cache; the browser retries later
    throw err;
  }));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Every other build is retired: its cache goes once no open tab runs it.
    // Clients no build has seen (the first visit's page and its Python
    // worker, loaded from the network) run this build.
    registry = null; // re-read what the previous build's worker recorded
    const reg = await loadRegistry();
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) reg.retired.add(name.slice(PREFIX.length));
    }
    for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "all" })) {
      if (!reg.clients.has(client.id)) reg.clients.set(client.id, VERSION);
    }
    await prune();
    // The first visit's page (and its worker) start using the cache at once,
    // so MNIST fetched in this visit is already kept for offline use.
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  else if (event.data === "keep-downloads") event.waitUntil(cachedManifest(CACHE).then((m) => m && keepDownloads(m)));
  else if (event.data === "prune") event.waitUntil(pruneUntilSettled());
});

// The registry: {clients: {clientId: build}, retired: [builds]}. Kept in
// memory while this worker runs, saved after each change (one at a time).
let registry = null;
let saving = Promise.resolve();

async function loadRegistry() {
  registry ??= (async () => {
    const stored = await (await caches.open(CLIENTS)).match(CLIENTS_KEY());
    const data = stored ? await stored.json() : {};
    return { clients: new Map(Object.entries(data.clients ?? {})), retired: new Set(data.retired ?? []) };
  })();
  return registry;
}

async function saveRegistry() {
  const reg = await loadRegistry();
  const body = JSON.stringify({ clients: Object.fromEntries(reg.clients), retired: [...reg.retired] });
  saving = saving.then(async () => (await caches.open(CLIENTS)).put(CLIENTS_KEY(), new Response(body)), () => {});
  return saving;
}

// The build a request's client runs. Navigations load the newest build; a
// worker script runs its page's build; everything else follows its client.
async function buildFor(event) {
  const reg = await loadRegistry();
  const navigate = event.request.mode === "navigate";
  const build = navigate ? VERSION : reg.clients.get(event.clientId) ?? VERSION;
  const created = event.resultingClientId;
  if (created && (navigate || event.request.destination === "worker") && reg.clients.get(created) !== build) {
    reg.clients.set(created, build);
    await saveRegistry();
  }
  return (await caches.has(PREFIX + build)) ? build : VERSION;
}

// Forget closed clients; delete the caches of retired builds nobody runs any
// more. (Only retired ones: a newer build may be installing its cache now.)
// Returns whether a retired build is still in use.
async function prune() {
  const reg = await loadRegistry();
  const live = new Set((await self.clients.matchAll({ includeUncontrolled: true, type: "all" })).map((c) => c.id));
  for (const id of [...reg.clients.keys()]) if (!live.has(id)) reg.clients.delete(id);
  const inUse = new Set([VERSION, ...reg.clients.values()]);
  for (const build of [...reg.retired]) {
    if (inUse.has(build)) continue;
    await caches.delete(PREFIX + build);
    reg.retired.delete(build);
  }
  await saveRegistry();
  return reg.retired.size > 0;
}

// A tab that reloads into the new build asks for a prune as soon as it is
// loaded, when its old document's workers (Python and its helpers) may still
// be shutting down: look again every 2 s for a minute, while a retired build
// is in use. (Half a minute was once too short on a loaded machine: a tab
// that had trained, reloaded while four other processes kept both cores busy.) (A tab that stays on the old build keeps its cache; it is
// pruned at the next navigation or load after that tab goes.)
async function pruneUntilSettled() {
  for (let i = 0; i < 30 && (await prune()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// A lazily fetched file (MNIST) is kept only if it is byte for byte the file
// the manifest names: a captive portal's error page must not be stored.
async function keepIfVerified(cache, href, path, response, manifest) {
  const body = await response.arrayBuffer();
  if ((await sha256Hex(body)) !== manifest.files[path]?.sha256) return;
  await cache.put(href, new Response(body, { headers: { "Content-Type": "application/octet-stream" } }));
}

async function respond(event) {
  const build = await buildFor(event);
  const cache = await caches.open(PREFIX + build);
  const url = new URL(event.request.url);
  url.search = "";
  url.hash = "";
  const hit = await cache.match(url.href);
  if (hit) return hit;
  const response = await fetch(event.request);
  // Lazy files (MNIST) are kept once fetched and verified; in the background,
  // so the page can stream the download (and show its progress) meanwhile.
  const manifest = await cachedManifest(PREFIX + build);
  const path = url.href.slice(self.registration.scope.length);
  if (response.ok && manifest?.lazy?.includes(path)) {
    event.waitUntil(keepIfVerified(cache, url.href, path, response.clone(), manifest));
  }
  if (event.request.mode === "navigate") event.waitUntil(pruneUntilSettled());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  if (request.url === scopeUrl("sw.js")) return;
  event.respondWith(respond(event));
});
