// The "Open an image" control (data-testid open-image: an <input type="file"
// accept="image/*">, which on a phone also offers the camera).
import { byTestId as $, on } from "./dom.js";

// handler(file) for each file the person picks.
export function onImageChosen(handler) {
  on("open-image", "change", () => {
    const input = $("open-image");
    const file = input.files[0];
    input.value = ""; // picking the same file again fires change again
    if (file) handler(file);
  });
}

// One more file handled (answered or refused): what tests and the benchmark wait for.
export function markImageHandled() {
  const input = $("open-image");
  input.dataset.handled = String(Number(input.dataset.handled ?? 0) + 1);
}

// The last opening's timings, read by the benchmark (build/bench_images.py):
// the browser's decoding, then Python's part (with the transfer), and the pixels sent.
// (preprocessMs: Python's preprocess_image alone, as Python timed it.)
export function showImageTimings({ decodeMs, classifyMs, preprocessMs, width, height }) {
  Object.assign($("open-image").dataset, { decodeMs: decodeMs.toFixed(1), classifyMs: classifyMs.toFixed(1),
    preprocessMs: String(preprocessMs), pixels: `${width}x${height}` });
}
