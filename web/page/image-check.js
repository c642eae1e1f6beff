// Is an image file whole? Browsers differ on a file cut short (a download
// that stopped, a copy that failed): Chromium refuses it, Firefox decodes
// the part that is there and shows the rest blank, and the network then
// reads half a digit, often surely (a new user's review in Firefox,
// 2026-11-30). So the page checks the file's own structure first, the same
// in every browser: PNG's chunks up to IEND, JPEG's segments up to the
// end-of-image marker (data a camera appends after it is not read), and the
// lengths that RIFF (WebP) and BMP headers declare. Other formats are left
// to the browser.

const be32 = (b, i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const le32 = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const ascii = (b, i, n) => String.fromCharCode(...b.subarray(i, i + n));

// PNG: 8-byte signature, then chunks (length, type, data, CRC) up to IEND.
function pngIsWhole(b) {
  let i = 8;
  while (i + 12 <= b.length) {
    const length = be32(b, i);
    if (ascii(b, i + 4, 4) === "IEND") return true;
    i += 12 + length;
  }
  return false;
}

// JPEG: segments after SOI; after each start of scan, entropy-coded data up
// to the next marker that is not a restart (FFD0-FFD7) or a stuffed FF00.
function jpegIsWhole(b) {
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) { i += 1; continue; } // junk between segments: browsers skip it too
    const marker = b[i + 1];
    if (marker === 0xd9) return true; // end of image
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += marker === 0xff ? 1 : 2; continue; }
    if (i + 3 >= b.length) return false;
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
    if (marker === 0xda) {
      while (i + 1 < b.length && !(b[i] === 0xff && b[i + 1] !== 0 && (b[i + 1] < 0xd0 || b[i + 1] > 0xd7))) i += 1;
    }
  }
  return false;
}

// true when the bytes are a PNG, JPEG, WebP or BMP that ends before its image does.
export function isTruncated(b) {
  if (b.length >= 8 && be32(b, 0) === 0x89504e47 && be32(b, 4) === 0x0d0a1a0a) return !pngIsWhole(b);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xd8) return !jpegIsWhole(b);
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return le32(b, 4) + 8 > b.length;
  if (b.length >= 6 && ascii(b, 0, 2) === "BM") return le32(b, 2) > b.length;
  return false;
}
