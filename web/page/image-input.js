// "Open an image": a photo, scan or screenshot of a digit, decoded by the
// browser's own decoder, bounded in size, and sent to Python as RGBA pixels.
// pynet (pynet/input/preprocess.py, via the classify_image request) finds the ink and
// gives it the drawing's treatment; the answer is shown exactly as a
// drawing's, and the image stays on the drawing area in the drawing's place
// (draw.js) until the person draws again or clears; a picture of a number
// switches the area to its wide shape. A file that cannot be
// used changes nothing: it is classified before it replaces the drawing.
import { isTruncated } from "./image-check.js";
import { isWideArea, numberView, toggleWideArea } from "./ui/number.js";
import { markImageHandled, onImageChosen, showImageTimings } from "./ui/open-image.js";
import { showError } from "./ui/status.js";

export const MAX_FILE_BYTES = 40 * 2 ** 20; // refused before decoding: a phone photo is 2-12 MB
export const MAX_SOURCE_PIXELS = 50e6; // refused before decoding (a 50 Mpx photo decodes to 200 MB)
// Longest side sent to Python: a digit a fifth of a photo's height is still
// 128 px tall, and Python's work stays bounded (build/bench_images.py measures it).
export const MAX_SIDE = 640;

// The Session method answering each drawing request for an opened image.
const PICTURE_METHODS = {
  classify: "classify_image",
  preprocess_sample: "preprocess_image_sample",
  explain: "explain_image",
};

const megabytes = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

// SVG drawings are vectors: rasterised at MAX_SIDE along their longer side,
// whatever size they declare (an <img> never runs an SVG's scripts or loads
// what it links to).
const isSvg = (file) => file.type === "image/svg+xml" || /\.svgz?$/i.test(file.name);

// The file in an <img> that is never shown: its width and height come from the
// header, and it is decoded only when drawn or decode() is called, so a huge
// image is refused before any pixel is decoded.
function loadImage(file) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(file);
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve(img);
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("the browser cannot read it as an image"));
    };
    img.src = url;
  });
}

// A file -> {bitmap, pixels (RGBA, Uint8ClampedArray), width, height}, at
// most MAX_SIDE pixels along its longer side (createImageBitmap's resize),
// turned upright as its EXIF orientation says. Errors say what is wrong.
export async function decodePicture(file) {
  if (file.size === 0) throw new Error("the file is empty");
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`the file is too large (${megabytes(file.size)}; at most ${megabytes(MAX_FILE_BYTES)})`);
  }
  if (isTruncated(new Uint8Array(await file.arrayBuffer()))) {
    throw new Error("the image is damaged or truncated: the file ends before its image does");
  }
  const svg = isSvg(file);
  const img = await loadImage(file);
  const size = { width: img.naturalWidth, height: img.naturalHeight };
  if (!size.width || !size.height) {
    throw new Error(svg ? "the SVG image declares no width and height" : "the image has no pixels");
  }
  if (!svg && size.width * size.height > MAX_SOURCE_PIXELS) {
    throw new Error(`${size.width}×${size.height} pixels is too large (at most ${MAX_SOURCE_PIXELS / 1e6} million)`);
  }
  const scale = svg ? MAX_SIDE / Math.max(size.width, size.height) : Math.min(1, MAX_SIDE / Math.max(size.width, size.height));
  let width = Math.max(1, Math.min(MAX_SIDE, Math.round(size.width * scale)));
  let height = Math.max(1, Math.min(MAX_SIDE, Math.round(size.height * scale)));
  let bitmap = null;
  if (!svg) {
    try {
      bitmap = await createImageBitmap(file, {
        imageOrientation: "from-image",
        resizeQuality: "high",
        ...(scale < 1 ? { resizeWidth: width, resizeHeight: height } : {}),
      });
    } catch {
      throw new Error("the image is damaged, truncated or in a format this browser cannot decode");
    }
    width = Math.min(bitmap.width, MAX_SIDE); // upright: a rotated photo's sides are swapped
    height = Math.min(bitmap.height, MAX_SIDE);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  try {
    ctx.drawImage(bitmap ?? img, 0, 0, width, height);
  } catch {
    throw new Error("the image is damaged or in a format this browser cannot draw");
  }
  const pixels = ctx.getImageData(0, 0, width, height).data;
  return { bitmap: bitmap ?? canvas.transferToImageBitmap(), pixels, width, height };
}

export function initImageInput(app) {
  const { client, state, pad } = app;

  // The drawing request `method` ("classify", "preprocess_sample", "explain")
  // for a picture (the opened one by default): its pixels are copied, and the
  // copy moved to the worker, so the page keeps them for the next request.
  // extra: the digit of a number to teach or explain ({digit}), as classify.js gives it.
  app.requestOnPicture = (method, picture = pad.picture, extra = {}) => {
    const copy = picture.pixels.slice();
    return client.request(PICTURE_METHODS[method],
      { pixels: copy, width: picture.width, height: picture.height, ...extra }, [copy.buffer]);
  };

  onImageChosen(async (file) => {
    try {
      if (!state.ready) throw new Error("Python is still starting; try again in a moment");
      const t0 = performance.now();
      const picture = await decodePicture(file);
      const t1 = performance.now();
      const answer = await app.requestOnPicture("classify", picture);
      showImageTimings({ decodeMs: t1 - t0, classifyMs: performance.now() - t1, preprocessMs: answer.preprocess_ms,
        width: picture.width, height: picture.height });
      pad.showPicture(picture);
      if ((answer?.digits?.length ?? 0) > 1 && !isWideArea()) { // a number: shown on the wide area, as written ones are
        toggleWideArea();
        pad.fitToScreen();
        pad.scaleStrokes();
      }
      pad.zoomTo(numberView(answer?.digits ?? [], picture.width, picture.height));
      showError("");
      app.showAnswer(answer);
      app.explainNow();
    } catch (err) {
      const shown = pad.picture ? "The picture shown" : "Your drawing";
      showError(`Could not use ${file.name}: ${err.message}. ${shown} and the model are unchanged.`,
        { origin: "image" });
    } finally {
      markImageHandled();
    }
  });
}
