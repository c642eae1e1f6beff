// The drawing surface: Pointer Events (mouse, touch, pen). It keeps the
// pointer path -- strokes of points in CSS pixels -- which pynet renders into
// the network's 28x28 input (pynet/input/strokes.py), so neither the drawing's size
// nor the screen's resolution matters. On screen: white ink on black, smooth
// quadratic curves through the points (coalesced events included), so fast
// strokes and touch screens give continuous lines, not beads. An opened image
// (image-input.js) can be shown in the drawing's place.
import { byTestId } from "./ui/dom.js";

const INK_SHARE = 0.07; // on-screen pen width, as a share of the canvas's width (pynet.input.strokes.ON_SCREEN_PEN: tested equal)
// ... of its shorter side: the width of the square canvas, the height of the wide one a number is written on
// (pynet.input.number_drawing.pen_width).
const MIN_STEP = 0.5; // CSS px: closer points add nothing
const TAP_SLOP = 6; // CSS px a press on a digit's tag may move and still be a tap (a click), not a stroke

export class DrawingPad {
  constructor(onChange) {
    this.canvas = byTestId("draw-canvas");
    this.ctx = this.canvas.getContext("2d");
    this.onChange = onChange;
    this.strokes = []; // [[{x, y}, ...], ...] in CSS pixels
    this.picture = null; // an opened image shown instead of the drawing (image-input.js)
    this.strokesBeforePicture = []; // what Undo brings back
    this.pictureDrawnOver = null; // an opened image drawing replaced: Undo of the last stroke brings it back
    this.cleared = null; // {strokes, picture} Clear removed, until the next stroke: Undo brings them back
    this.current = null; // the stroke being drawn
    this.pointerId = null;
    this.frame = 0;
    const c = this.canvas;
    c.addEventListener("pointerdown", (e) => this.down(e));
    c.addEventListener("pointermove", (e) => this.move(e));
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) c.addEventListener(type, (e) => this.up(e));
    this.listenToTags(byTestId("digit-boxes"));
    new ResizeObserver(() => this.fitToScreen()).observe(c);
    this.fitToScreen();
  }

  get hasInk() {
    return this.strokes.length > 0 || this.picture !== null;
  }

  // Shows an opened image instead of the drawing (no onChange: it has been
  // classified already). Drawing again or Clear goes back to drawing; Undo
  // brings back the drawing it replaced.
  showPicture(picture) {
    this.strokesBeforePicture = this.picture ? this.strokesBeforePicture : this.strokes;
    this.pictureDrawnOver = null;
    this.cleared = null;
    this.strokes = [];
    this.current = null;
    this.picture = picture;
    this.redraw();
  }

  leavePicture() {
    this.picture = null;
  }

  // Shows only the part `view` [x0, y0, x1, y1] of the opened picture (its
  // pixels as Python saw them), or all of it (null): a number small in a big
  // photo is zoomed to, so that its digits' boxes and tags are not crowded.
  zoomTo(view) {
    if (!this.picture) return;
    this.picture.view = view;
    this.redraw();
  }

  // The opened picture's shown part in the bitmap's pixels, and its place
  // on a canvas of width x height: {sx, sy, sw, sh, x0, y0, fit, k} (k: the
  // picture's pixels, as Python saw them, -> the bitmap's).
  pictureLayout(width, height) {
    const { bitmap, view } = this.picture;
    const k = bitmap.width / this.picture.width; // Python saw at most MAX_SIDE; the bitmap may be larger
    const [sx, sy, sw, sh] = view ? [view[0] * k, view[1] * k, (view[2] - view[0]) * k, (view[3] - view[1]) * k]
      : [0, 0, bitmap.width, bitmap.height];
    const fit = Math.min(width / sw, height / sh);
    return { sx, sy, sw, sh, x0: (width - sw * fit) / 2, y0: (height - sh * fit) / 2, fit, k };
  }

  // Backing store at the screen's resolution: crisp ink on phones.
  fitToScreen() {
    const { width, height } = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.redraw();
  }

  // The drawing area changed shape (a number's wide area, and back): the
  // strokes are fitted to the new one (scaleStrokes), so switching keeps the
  // drawing (and Undo) instead of wiping it, and it is read again.
  rescale() {
    this.scaleStrokes();
    this.changed();
  }

  // rescale without reading the drawing again: the strokes, and those an
  // opened picture replaced (Undo brings them back), fit the new area. Ink
  // that lies inside it stays where it was drawn (a digit drawn before
  // switching to "Write a number" is the number's first); ink that does not
  // keeps its size where that fits (a pen's margin all round), else shrinks
  // just enough, and is centred: scaling the whole old area down instead left
  // a number written on the wide area a third of its size on the square one,
  // under the same pen, and read as blots (a new user's underlined "36": "4?").
  scaleStrokes() {
    const { width: w, height: h } = this.canvas.getBoundingClientRect();
    const margin = INK_SHARE * Math.min(w, h);
    const fit = (strokes) => {
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const stroke of strokes) {
        for (const p of stroke) [x0, y0, x1, y1] = [Math.min(x0, p.x), Math.min(y0, p.y), Math.max(x1, p.x), Math.max(y1, p.y)];
      }
      if (x0 > x1 || (x0 >= 0 && y0 >= 0 && x1 <= w && y1 <= h)) return strokes; // it fits where it is: left as drawn
      const s = Math.min(1, (w - 2 * margin) / Math.max(1, x1 - x0), (h - 2 * margin) / Math.max(1, y1 - y0));
      const dx = (w - (x1 - x0) * s) / 2 - x0 * s;
      const dy = (h - (y1 - y0) * s) / 2 - y0 * s;
      return strokes.map((stroke) => stroke.map((p) => ({ x: p.x * s + dx, y: p.y * s + dy })));
    };
    this.strokes = fit(this.strokes);
    this.strokesBeforePicture = fit(this.strokesBeforePicture);
    this.current = null;
  }

  // A digit's tag (ui/number.js) lies on the drawing, at the top of its
  // digit's box: a stroke started on it is a stroke all the same once the
  // pointer has moved TAP_SLOP px; a tap stays the tag's click. On a phone
  // every stroke begun at a digit's top went to the tag and was lost (a 0
  // written in two halves, a 4's stem: a new user's "2024" read "2026?").
  listenToTags(layer) {
    let pending = null; // {pointerId, x, y, button} of a press on a tag not yet moved
    let dragged = false; // the last press on a tag became a stroke: its click is not a click
    layer.addEventListener("pointerdown", (e) => {
      if (!e.target.closest(".digit-tag") || (e.button !== undefined && e.button > 0) || this.current) return;
      pending = { pointerId: e.pointerId, x: e.clientX, y: e.clientY };
      dragged = false;
    });
    layer.addEventListener("pointermove", (e) => {
      if (!pending || e.pointerId !== pending.pointerId) return;
      if (Math.hypot(e.clientX - pending.x, e.clientY - pending.y) < TAP_SLOP) return;
      const r = this.canvas.getBoundingClientRect();
      const start = { x: pending.x - r.left, y: pending.y - r.top };
      pending = null;
      dragged = true;
      this.begin(e.pointerId, start); // captures the pointer to the canvas: the rest of the stroke comes to it
      this.move(e);
    });
    for (const type of ["pointerup", "pointercancel"]) layer.addEventListener(type, () => { pending = null; });
    layer.addEventListener("click", (e) => {
      if (dragged && e.target.closest(".digit-tag")) e.stopPropagation();
      dragged = false;
    }, true);
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  down(e) {
    if ((e.button !== undefined && e.button > 0) || this.current) return; // one pen at a time
    e.preventDefault();
    this.begin(e.pointerId, this.point(e));
  }

  // A stroke begins at `start` (CSS px on the canvas), pointer `pointerId` captured to the canvas.
  begin(pointerId, start) {
    this.pictureDrawnOver = this.picture ?? (this.strokes.length ? this.pictureDrawnOver : null);
    this.leavePicture();
    this.cleared = null;
    this.canvas.setPointerCapture?.(pointerId);
    this.pointerId = pointerId;
    this.current = [start];
    this.strokes.push(this.current);
    this.changed();
  }

  move(e) {
    if (!this.current || e.pointerId !== this.pointerId) return;
    e.preventDefault();
    const events = e.getCoalescedEvents?.() ?? [];
    let added = false;
    for (const ev of events.length ? events : [e]) {
      const p = this.point(ev);
      const last = this.current[this.current.length - 1];
      if (Math.hypot(p.x - last.x, p.y - last.y) >= MIN_STEP) {
        this.current.push(p);
        added = true;
      }
    }
    if (added) this.changed();
  }

  up(e) {
    if (e.pointerId !== this.pointerId) return;
    this.current = null;
    this.pointerId = null;
  }

  // Removes the last stroke (the Undo button and Ctrl/Cmd+Z), and with the
  // first stroke drawn over an opened image, brings the image back; right
  // after Clear, brings back what it cleared.
  undo() {
    if (this.cleared && !this.hasInk) {
      const { strokes, picture, strokesBeforePicture } = this.cleared;
      this.cleared = null;
      this.strokes = strokes;
      this.picture = picture;
      this.strokesBeforePicture = strokesBeforePicture;
      this.changed();
      return;
    }
    if (this.picture) {
      this.leavePicture();
      this.strokes = this.strokesBeforePicture;
      this.changed();
      return;
    }
    if (!this.strokes.length) return;
    if (this.current === this.strokes[this.strokes.length - 1]) this.current = null;
    this.strokes.pop();
    if (!this.strokes.length && this.pictureDrawnOver) { // the first stroke drawn over an opened image: the image again
      this.picture = this.pictureDrawnOver;
      this.pictureDrawnOver = null;
    }
    this.changed();
  }

  clear(notify = true) {
    if (this.hasInk) {
      this.cleared = { strokes: this.strokes, picture: this.picture, strokesBeforePicture: this.strokesBeforePicture };
    }
    this.leavePicture();
    this.strokes = [];
    this.current = null;
    this.redraw();
    if (notify) this.onChange();
  }

  changed() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.redraw();
      });
    }
    this.onChange();
  }

  // Something for Undo to take back: a stroke, an opened image, or what Clear just cleared.
  get canUndo() {
    return this.hasInk || this.cleared !== null;
  }

  redraw() {
    byTestId("undo").disabled = !this.canUndo; // every change of the drawing comes through here
    const { ctx, canvas } = this;
    const scale = canvas.width / (canvas.getBoundingClientRect().width || canvas.width);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (this.picture) {
      // The image (or the part zoomed to), as large as fits, centred, over a grey
      // checkerboard (the usual sign of transparency: dark and light ink both show on it).
      const { sx, sy, sw, sh, x0, y0, fit } = this.pictureLayout(canvas.width, canvas.height);
      const w = sw * fit, h = sh * fit;
      const cell = Math.max(4, Math.round(canvas.width / 24));
      for (let y = 0; y < h; y += cell) {
        for (let x = 0; x < w; x += cell) {
          ctx.fillStyle = (x / cell + y / cell) % 2 ? "#8a8a8a" : "#b4b4b4";
          ctx.fillRect(x0 + x, y0 + y, Math.min(cell, w - x), Math.min(cell, h - y));
        }
      }
      ctx.drawImage(this.picture.bitmap, sx, sy, sw, sh, x0, y0, w, h);
      return;
    }
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    const width = INK_SHARE * (Math.min(canvas.width, canvas.height) / scale);
    ctx.strokeStyle = ctx.fillStyle = "#fff";
    ctx.lineWidth = width;
    ctx.lineCap = ctx.lineJoin = "round";
    for (const s of this.strokes) {
      ctx.beginPath();
      if (s.length === 1) {
        ctx.arc(s[0].x, s[0].y, width / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      // Quadratic curves from midpoint to midpoint, each point the control:
      // the same path pynet renders for the network (strokes.smooth).
      ctx.moveTo(s[0].x, s[0].y);
      ctx.lineTo((s[0].x + s[1].x) / 2, (s[0].y + s[1].y) / 2);
      for (let i = 1; i < s.length - 1; i++) {
        ctx.quadraticCurveTo(s[i].x, s[i].y, (s[i].x + s[i + 1].x) / 2, (s[i].y + s[i + 1].y) / 2);
      }
      ctx.lineTo(s[s.length - 1].x, s[s.length - 1].y);
      ctx.stroke();
    }
  }

  // A box [x0, y0, x1, y1] of an answer (the drawing's CSS px, or the opened
  // picture's pixels) -> CSS px of the canvas, where the picture is shown.
  toCss(box) {
    if (!this.picture) return box;
    const { width, height } = this.canvas.getBoundingClientRect();
    const { sx, sy, x0, y0, fit, k } = this.pictureLayout(width, height);
    return [x0 + (box[0] * k - sx) * fit, y0 + (box[1] * k - sy) * fit, x0 + (box[2] * k - sx) * fit,
      y0 + (box[3] * k - sy) * fit];
  }

  // The path for pynet: all points as (x, y) float32 pairs, each stroke's
  // length, and the canvas's size (CSS px).
  strokesPayload() {
    const lengths = new Int32Array(this.strokes.map((s) => s.length));
    const points = new Float32Array(lengths.reduce((a, b) => a + b, 0) * 2);
    let k = 0;
    for (const s of this.strokes) for (const p of s) { points[k++] = p.x; points[k++] = p.y; }
    const { width, height } = this.canvas.getBoundingClientRect();
    return { points, lengths, width, height };
  }
}
