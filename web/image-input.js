// "Open an image": a photo, scan or screenshot of a digit, decoded by the
// browser's own decoder, bounded in size, and sent to Python as RGBA pixels.
// pynet (pynet/preprocess.py) finds the ink and gives it the drawing's
// treatment; the answer is shown exactly as a drawing's. A file that cannot
// be used changes nothing: it is classified before it replaces the drawing.
import { byTestId } from "./ui.js";

export const MAX_FILE_BYTES = 40 * 2 ** 20; // a phone photo is 2-12 MB
export const MAX_SOURCE_PIXELS = 50e6; // refused before decoding (a 50 Mpx photo decodes to 200 MB)
// Longest side sent to Python: a digit a fifth of a photo's height is still 100 px
// tall, and the work stays bounded (pynet takes about 40 ms for 640 x 480 in the tab).
export const MAX_SIDE = 640;

let client = null;

// A picture instead of the drawing: the Session method for each drawing request.
const PICTURE_REQUESTS = {
  classify: (picture) => requestOnPicture("classify_image", picture),
  preprocess_sample: (picture) => requestOnPicture("preprocess_image_sample", picture),
  explain: (picture) => requestOnPicture("explain_image", picture),
};

function requestOnPicture(method, { pixels, width, height }) {
  const copy = pixels.slice(); // the page keeps its pixels; the copy moves to the worker
  return client.request(method, { pixels: copy, width, height }, [copy.buffer]);
}

// The request `method` ("classify", "preprocess_sample", "explain") for a picture.
export function pictureRequest(method, picture) {
  if (!(method in PICTURE_REQUESTS)) throw new Error(`${method} is not available for an opened image`);
  return PICTURE_REQUESTS[method](picture);
}

const megabytes = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

// Width and height from the file's header, via an <img> that is never shown
// or decoded (browsers decode images when they are drawn or decode() is called).
function imageSize(file) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(file);
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve({ width: img.naturalWidth, height: img.naturalHeight });
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("the browser cannot read it as an image"));
    };
    img.src = url;
  });
}

// A file -> {bitmap, pixels (RGBA, Uint8ClampedArray), width, height}, at
// most MAX_SIDE pixels along its longer side, turned upright as its EXIF
// orientation says. Errors say what is wrong with the file.
export async function decodePicture(file) {
  if (file.size === 0) throw new Error("the file is empty");
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`the file is too large (${megabytes(file.size)}; at most ${megabytes(MAX_FILE_BYTES)})`);
  }
  const size = await imageSize(file);
  if (!size.width || !size.height) throw new Error("the image has no pixels");
  if (size.width * size.height > MAX_SOURCE_PIXELS) {
    throw new Error(`${size.width}×${size.height} pixels is too large (at most ${MAX_SOURCE_PIXELS / 1e6} million)`);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(size.width, size.height));
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, {
      imageOrientation: "from-image",
      resizeQuality: "high",
      ...(scale < 1 ? { resizeWidth: Math.max(1, Math.round(size.width * scale)),
        resizeHeight: Math.max(1, Math.round(size.height * scale)) } : {}),
    });
  } catch {
    throw new Error("the image is damaged, truncated or in a format this browser cannot decode");
  }
  const width = Math.min(bitmap.width, MAX_SIDE);
  const height = Math.min(bitmap.height, MAX_SIDE);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0, width, height);
  return { bitmap, pixels: ctx.getImageData(0, 0, width, height).data, width, height };
}

// Wires the control: an opened file is decoded, classified and, only then,
// handed to onOpened(picture, answer); a failure goes to onError(message).
export function setupImageInput({ worker, isReady, onOpened, onError }) {
  client = worker;
  const input = byTestId("open-image");
  input.addEventListener("change", async () => {
    const file = input.files[0];
    input.value = ""; // picking the same file again fires change again
    if (!file) return;
    try {
      if (!isReady()) throw new Error("Python is still starting; try again in a moment");
      const t0 = performance.now();
      const picture = await decodePicture(file);
      const t1 = performance.now();
      const answer = await pictureRequest("classify", picture);
      // Read by the benchmark: decoding in the browser, then Python's part (with the transfer).
      Object.assign(input.dataset, { decodeMs: (t1 - t0).toFixed(1), classifyMs: (performance.now() - t1).toFixed(1),
        pixels: `${picture.width}x${picture.height}` });
      onOpened(picture, answer);
    } catch (err) {
      onError(`Could not use ${file.name}: ${err.message}. Your drawing and the model are unchanged.`);
    }
  });
}
