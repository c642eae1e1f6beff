// Firefox smoke test, run by tests/e2e/test_firefox.py: Debian's firefox-esr,
// headless, driven by puppeteer-core over WebDriver BiDi. It serves dist/
// itself (under /pynet/) so it can take the server away for the offline part.
//
//   node tests/firefox/smoke.mjs DIST FIREFOX DRAWINGS.json [IMAGE ...]
//
// DRAWINGS.json: [{digit, strokes: [[[x, y], ...], ...]}] in the unit square;
// IMAGE: pictures of a digit to open with "Open an image", one after another.
// Prints one JSON object with what it measured; exits non-zero on failure.
/* global document, location */ // (in the functions that run in the page)
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import puppeteer from "puppeteer-core";

const [dist, firefox, drawingsFile, ...imageFiles] = process.argv.slice(2);
const drawings = JSON.parse(readFileSync(drawingsFile, "utf8"));
const BASE = "/pynet/";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

function serve() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(BASE)) { res.writeHead(404).end(); return; }
    let file = normalize(join(dist, path.slice(BASE.length)));
    if (!file.startsWith(normalize(dist))) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const result = {};
const server = await serve();
const url = `http://127.0.0.1:${server.address().port}${BASE}`;
const browser = await puppeteer.launch({ browser: "firefox", executablePath: firefox, headless: true,
  protocol: "webDriverBiDi", args: ["--width=1280", "--height=900"] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  const t0 = Date.now();
  await page.goto(`${url}#lr=0.02&seed=4&colour=red`); // a shared link: it fills the form, nothing runs
  const ready = () => page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 90_000 });
  await ready();
  result.ready_ms = Date.now() - t0;
  result.version = await browser.version();
  await page.waitForSelector('[data-testid="link-note"]:not([hidden])', { timeout: 30_000 });
  result.link = await page.evaluate(() => ({
    lr: document.querySelector('[data-testid="learning-rate"]').value,
    seed: document.querySelector('[data-testid="seed"]').value,
    note: document.querySelector('[data-testid="link-note"]').textContent,
  }));

  async function draw(strokes, share, x0, y0) {
    await page.click('[data-testid="clear"]');
    const box = await (await page.$('[data-testid="draw-canvas"]')).boundingBox();
    const size = box.width * share;
    for (const stroke of strokes) {
      const at = ([x, y]) => [box.x + box.width * x0 + x * size, box.y + box.height * y0 + y * size];
      await page.mouse.move(...at(stroke[0]));
      await page.mouse.down();
      for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
      await page.mouse.up();
    }
    await page.waitForSelector('[data-testid="prediction"][data-busy="false"]', { timeout: 15_000 });
    return page.$eval('[data-testid="prediction"]', (el) => Number(el.dataset.digit));
  }

  result.classified = [];
  for (const d of drawings) {
    for (const [share, x0, y0] of [[0.8, 0.1, 0.1], [0.3, 0.55, 0.05]]) {
      result.classified.push({ digit: d.digit, size: share, got: await draw(d.strokes, share, x0, y0) });
    }
  }

  // A number on the wide drawing area (the second drawing, then the first, side by side), then the square area again.
  // The last digit drawn is kept by the switch (where it was drawn): cleared first, as a person starting a number does.
  await page.click('[data-testid="draw-wide"]');
  await page.click('[data-testid="clear"]');
  {
    const box = await (await page.$('[data-testid="draw-canvas"]')).boundingBox();
    const size = box.width * 0.2;
    for (const [strokes, x0] of [[drawings[1].strokes, 0.04], [drawings[0].strokes, 0.28]]) {
      for (const stroke of strokes) {
        const at = ([x, y]) => [box.x + box.width * x0 + x * size, box.y + box.height * 0.25 + y * size];
        await page.mouse.move(...at(stroke[0]));
        await page.mouse.down();
        for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
        await page.mouse.up();
      }
    }
    await page.waitForSelector('[data-testid="prediction"][data-busy="false"]', { timeout: 15_000 });
    result.number = await page.$eval('[data-testid="prediction"]', (el) => el.textContent);
  }
  await page.click('[data-testid="draw-wide"]');

  // Open an image: decoded by Firefox's own decoder (createImageBitmap, OffscreenCanvas; an SVG via <img>).
  result.images = [];
  for (const imageFile of imageFiles) {
    await page.$eval('[data-testid="prediction"]', (el) => { el.dataset.digit = "pending"; });
    const input = await page.$('[data-testid="open-image"]');
    await input.uploadFile(imageFile);
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').dataset.digit !== "pending" ||
      document.querySelector('[data-testid="error-text"]').textContent.length > 0, { timeout: 30_000, polling: 100 });
    result.images.push({
      digit: await page.$eval('[data-testid="prediction"]', (el) => el.dataset.digit),
      error: await page.$eval('[data-testid="error-text"]', (el) => el.textContent),
    });
  }

  // A short training run of a CNN with batch norm (convolutions, pooling and
  // batch statistics through Firefox's WebAssembly too).
  // On two workers (a helper Pyodide in a nested worker: data parallelism).
  await page.click('[data-testid="preset-tfjs-bn"]');
  await page.$eval('[data-testid="workers"]', (el) => {
    el.value = "2";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.click('[data-testid="train"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-progress"]').dataset.samples) >= 8000,
    { timeout: 180_000, polling: 200 });
  await page.click('[data-testid="stop"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="model-name"]').dataset.name === "trained-1",
    { timeout: 60_000, polling: 200 });
  result.trained = await page.$eval('[data-testid="model-name"]', (el) => el.textContent);
  await page.waitForSelector('[data-testid="run-history"] tr[data-run="run-1"]', { timeout: 30_000 });
  result.hash = await page.evaluate(() => location.hash); // the form, mirrored in the address
  await page.waitForSelector('[data-testid="run-history"][data-stored="true"]', { timeout: 30_000 });
  result.workers = await page.$eval('[data-testid="train-progress"]', (el) => el.dataset.workers);
  await page.waitForFunction(() => document.querySelector('[data-testid="memory"]').dataset.helperBytes !== "[]",
    { timeout: 30_000, polling: 200 });
  result.helper_bytes = await page.$eval('[data-testid="memory"]', (el) => JSON.parse(el.dataset.helperBytes));

  // Offline: the service worker has the build; the server goes away; reload.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, { timeout: 60_000, polling: 200 });
  await new Promise((resolve) => server.close(resolve));
  server.closeAllConnections?.();
  await page.reload();
  await ready();
  result.offline_classified = await draw(drawings[0].strokes, 0.6, 0.2, 0.2);
  // The run history outlives the visit (IndexedDB).
  await page.waitForSelector('[data-testid="run-history"] tr[data-run="run-1"]', { timeout: 30_000 });
  result.runs_after_reload = await page.$$eval('[data-testid="run-history"] tbody tr', (rows) => rows.map((r) => r.dataset.run));
  result.errors = errors;
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
