// DOM helpers every panel uses: elements are found by their data-testid, and
// every small image (28x28 digits, filters, feature maps) is drawn by paintTile.
import * as format from "../format.js";

export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const $ = byTestId;

export const fmtPct = (v) => format.percent(v, 2);
export const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

export function on(testid, event, handler) {
  $(testid).addEventListener(event, handler);
}

// Saves bytes (or text) as a file download.
export function download(bytes, filename, type = "application/octet-stream") {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes], { type }));
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// ---- tiles: 28x28 images drawn on small canvases ------------------------------
// Diverging, colour-blind-safe: blue (negative) - white (zero) - orange (positive).
const NEG = [33, 102, 172];
const POS = [230, 97, 1];
export const grey = (v) => [v, v, v];
export function diverging(v) { // v: 0..255 with 127.5 = zero
  const t = (v - 127.5) / 127.5;
  const c = t < 0 ? NEG : POS;
  const a = Math.abs(t);
  return [255 + (c[0] - 255) * a, 255 + (c[1] - 255) * a, 255 + (c[2] - 255) * a];
}

// One painter for every tile: `values` (0..255) from `offset`, coloured by `colour`.
export function paintTile(canvas, values, offset = 0, colour = grey, side = 28) {
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(side, side);
  for (let k = 0; k < side * side; k++) img.data.set([...colour(values[offset + k]), 255], k * 4);
  ctx.putImageData(img, 0, 0);
  return canvas;
}

export function tile(values, offset, colour, label, side = 28) {
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  return paintTile(canvas, values, offset, colour, side);
}

// right (bars: after temperature scaling; dots: before). On the diagonal = honest.
const SVG = "http://www.w3.org/2000/svg";
export function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text) el.textContent = text;
  return el;
}

// A table row of text cells (header cells for a header row).
export function tableRow(texts, header = false) {
  const tr = document.createElement("tr");
  for (const text of texts) {
    const cell = document.createElement(header ? "th" : "td");
    if (header) cell.scope = "col";
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}
