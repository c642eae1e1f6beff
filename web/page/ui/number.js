// A number's digits on the drawing: a box around each digit found (its answer
// beside it, unsure ones marked), which selects the digit whose bars,
// network input and explanation the page shows; and a tile per digit of
// what the network sees. Test ids: digit-K, the box's tag (K from 0 at the left;
// data-digit, data-confidence, data-unsure, aria-pressed when selected), network-input-K.
import { byTestId as $, paintTile } from "./dom.js";
import * as format from "../format.js";

// digits: [{digit, confidence, unsure, alternatives, box: [x0, y0, x1, y1]}] in
// CSS px of the drawing area (toCss maps a picture's pixels there); selected:
// the digit shown below; onSelect(K) when a box is clicked.
export function showDigitBoxes(digits, selected, onSelect) {
  const layer = $("digit-boxes");
  const canvas = $("draw-canvas");
  // The tags are made anew: the one the keyboard was on gets the focus back (Enter on it must not lose it).
  const focused = layer.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
  layer.replaceChildren();
  layer.style.left = `${canvas.offsetLeft}px`;
  layer.style.top = `${canvas.offsetTop}px`;
  layer.dataset.count = String(digits.length);
  digits.forEach((d, k) => {
    const [x0, y0, x1, y1] = d.box;
    // The outline lets the pen through (people draw over their digits); its tag is the button.
    const box = document.createElement("div");
    box.className = `digit-box${d.unsure ? " unsure" : ""}${digits.length === 1 ? " single" : ""}`;
    Object.assign(box.style, { left: `${x0}px`, top: `${y0}px`, width: `${Math.max(8, x1 - x0)}px`,
      height: `${Math.max(8, y1 - y0)}px` });
    const tag = document.createElement("button");
    tag.type = "button";
    tag.className = "digit-tag";
    tag.setAttribute("data-testid", `digit-${k}`);
    tag.dataset.digit = String(d.digit);
    tag.dataset.confidence = d.confidence.toFixed(4);
    tag.dataset.unsure = d.unsure ? "true" : "false";
    tag.setAttribute("aria-pressed", k === selected ? "true" : "false");
    tag.setAttribute("aria-label", d.unsure ? `digit ${k + 1}: unsure, ${format.unsureGuess(d).slice(0, -1)}`
      : `digit ${k + 1}: ${d.digit}, ${format.percent(d.confidence, 1)} confident`);
    tag.textContent = d.unsure ? `${d.digit}?` : String(d.digit);
    if (d.why) tag.title = `Unsure: ${d.why}`; // why finding it is in doubt (number_drawing.doubt_words)
    tag.addEventListener("click", () => onSelect(k));
    box.append(tag);
    layer.append(box);
    if (focused === `digit-${k}`) tag.focus();
  });
  placeTags(layer);
}

// Each digit's tag centred over its box, moved right clear of the tag before
// it, so that no tag covers another (a narrow 1 beside its neighbour, the
// small digits of a photo).
function placeTags(layer) {
  let clear = -Infinity; // where the previous tag ends, in the layer's px
  for (const box of layer.children) {
    const tag = box.firstChild;
    const left = Math.max(box.offsetLeft + (box.offsetWidth - tag.offsetWidth) / 2, clear);
    tag.style.left = `${left - box.offsetLeft - box.clientLeft}px`;
    clear = left + tag.offsetWidth + 2;
  }
}

// Every digit's 28x28 input (784 bytes each), when there are two or more.
export function showDigitInputs(digits, selected, onSelect) {
  const strip = $("network-inputs");
  strip.replaceChildren();
  strip.hidden = digits.length < 2;
  if (digits.length < 2) return;
  digits.forEach((d, k) => {
    const tile = document.createElement("canvas");
    tile.setAttribute("data-testid", `network-input-${k}`);
    tile.setAttribute("role", "img");
    tile.setAttribute("aria-label", `What the network sees of digit ${k + 1}`);
    tile.classList.toggle("selected", k === selected);
    paintTile(tile, d.input);
    tile.dataset.ink = String(d.input.reduce((a, b) => a + b, 0));
    tile.addEventListener("click", () => onSelect(k));
    strip.append(tile);
  });
}

// The number as the big answer: one span a digit, each unsure one muted and
// marked "?" (by CSS: the element's text stays the digits), the selected one underlined.
export function numberSpans(digits, selected) {
  return digits.map((d, k) => {
    const span = document.createElement("span");
    span.className = "number-digit" + (d.unsure ? " unsure" : "") + (k === selected ? " selected" : "");
    span.textContent = String(d.digit);
    return span;
  });
}

// The number read out: "2 0 0 6?" with each unsure digit marked.
export function numberText(digits) {
  return digits.map((d) => (d.unsure ? `${d.digit}?` : String(d.digit))).join("");
}

// Is the drawing area in its wide shape (for a number)?
export function isWideArea() {
  return $("draw-canvas").parentElement.classList.contains("wide");
}

// The drawing area wide (for a number) or square (one digit): returns whether it is now wide.
export function toggleWideArea() {
  const area = $("draw-canvas").parentElement;
  const wide = area.classList.toggle("wide");
  $("draw-wide").setAttribute("aria-pressed", wide ? "true" : "false");
  $("draw-wide").textContent = wide ? "Draw one digit" : "Write a number";
  document.getElementById("draw-title").textContent = wide ? "Write a number" : "Draw a digit";
  return wide;
}

// The part of a picture [x0, y0, x1, y1] (its pixels) to zoom to for a
// number whose digits lie within a small part of it (null: show it whole):
// the digits' boxes and a margin of ZOOM_MARGIN of the tallest digit's height, when
// that is under ZOOM_BELOW of the picture's width and of its height.
const ZOOM_BELOW = 0.6;
const ZOOM_MARGIN = 0.3;
export function numberView(digits, width, height) {
  if (digits.length < 2) return null;
  const tallest = Math.max(...digits.map((d) => d.box[3] - d.box[1]));
  const m = ZOOM_MARGIN * tallest;
  const x0 = Math.max(0, Math.min(...digits.map((d) => d.box[0])) - m);
  const y0 = Math.max(0, Math.min(...digits.map((d) => d.box[1])) - m);
  const x1 = Math.min(width, Math.max(...digits.map((d) => d.box[2])) + m);
  const y1 = Math.min(height, Math.max(...digits.map((d) => d.box[3])) + m);
  return x1 - x0 < ZOOM_BELOW * width && y1 - y0 < ZOOM_BELOW * height ? [x0, y0, x1, y1] : null;
}
