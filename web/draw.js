// The drawing surface: Pointer Events (mouse, touch, pen), white ink on black
// like MNIST. Calls onChange() whenever the ink changes.
import { byTestId } from "./ui.js";

export const STROKE_WIDTH = 20; // canvas px on a 280 px canvas: MNIST-like after scaling to 20 px

export class DrawingPad {
  constructor(onChange) {
    const canvas = byTestId("draw-canvas");
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.onChange = onChange;
    this.last = null;
    this.hasInk = false;
    this.clear(false);
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
      canvas.addEventListener(type, () => { this.last = null; });
    }
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) / r.width) * this.canvas.width,
      y: ((e.clientY - r.top) / r.height) * this.canvas.height,
    };
  }

  down(e) {
    if (e.button !== undefined && e.button > 0) return;
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.last = this.point(e);
    this.stroke(this.last, this.last);
  }

  move(e) {
    if (!this.last) return;
    e.preventDefault();
    // Coalesced events give smooth lines from fast pens and touch screens.
    const events = e.getCoalescedEvents?.() ?? [e];
    for (const ev of events.length ? events : [e]) {
      const p = this.point(ev);
      this.stroke(this.last, p);
      this.last = p;
    }
  }

  stroke(from, to) {
    const ctx = this.ctx;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = STROKE_WIDTH;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    if (from.x === to.x && from.y === to.y) {
      // Canvas prunes zero-length segments, so a tap would leave no ink: draw a dot.
      ctx.fillStyle = "#fff";
      ctx.arc(from.x, from.y, STROKE_WIDTH / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    }
    this.hasInk = true;
    this.onChange();
  }

  clear(notify = true) {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.hasInk = false;
    this.last = null;
    if (notify) this.onChange();
  }

  pixels() {
    const { width, height } = this.canvas;
    return { pixels: this.ctx.getImageData(0, 0, width, height).data, width, height };
  }
}
