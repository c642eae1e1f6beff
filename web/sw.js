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
// ready" and, when the user accepts, sends "skip-waiting"; the new worker then
// deletes the old caches and the page reloads.

const VERSION = "__BUILD_VERSION__"; // stamped by build/build_site.py
const PREFIX = "pynet-";
const CACHE = PREFIX + VERSION;
const scopeUrl = (path) => new URL(path, self.registration.scope).href;

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
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    // The first visit's page (and its worker) start using the cache at once,
    // so MNIST fetched in this visit is already kept for offline use.
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  else if (event.data === "keep-downloads") event.waitUntil(cachedManifest(CACHE).then((m) => m && keepDownloads(m)));
});

async function respond(event) {
  const cache = await caches.open(CACHE);
  const url = new URL(event.request.url);
  url.search = "";
  url.hash = "";
  const hit = await cache.match(url.href);
  if (hit) return hit;
  const response = await fetch(event.request);
  // Lazy files (MNIST) are kept once fetched. Stored in the background so
  // the page can stream the download (and show its progress) meanwhile.
  const lazy = (await cachedManifest(CACHE))?.lazy ?? [];
  if (response.ok && lazy.includes(url.href.slice(self.registration.scope.length))) {
    event.waitUntil(cache.put(url.href, response.clone()));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  if (request.url === scopeUrl("sw.js")) return;
  event.respondWith(respond(event));
});
