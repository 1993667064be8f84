// Draws a run's timeline on a canvas: one lane for the event loop, one per worker thread or
// process, every task a bar from its start to its end, on an axis shared by the runs drawn
// together. The engine's record already says which lane and row each bar goes in
// (src/timeline.rs); this only scales numbers to pixels.
//
// Meaning never rests on colour alone: failed tasks carry a ✕, cancelled ones are
// outlines, time spent waiting for the GIL or a lock is hatched, the GIL's holder has a strip
// along the foot of its lane, and every lane is named in text.

import { duration } from "./format.js";
import { spanStates } from "./schema.js";

const LABEL_W = 92;
const AXIS_H = 22;
const PAD = 6;
/** Room right of the plot, so the last axis label is not cut off. */
const RIGHT = 28;
/** Above this many tasks, bars are drawn as pixel coverage instead of one rectangle each. */
const MAX_BARS = 20_000;
/** Height of an async record's strip of the event loop's turns and its ready queue. */
const TURNS_H = 30;
/** A span's state as a record numbers it (`spanState`): done and failed; the rest cancelled. */
const DONE = spanStates.indexOf("done");
const FAILED = spanStates.indexOf("failed");

/**
 * How much larger than drawn a canvas is shown: its CSS property `--draw-scale` (presentation
 * mode's large type, style.css), else 1. The drawing keeps its own sizes; `prepare` scales it.
 * @param {HTMLCanvasElement} canvas
 */
export function drawScale(canvas) {
  return Number(getComputedStyle(canvas).getPropertyValue("--draw-scale")) || 1;
}

/**
 * Gives `canvas` a backing store of `width` × `height` CSS px (times `scale`, see drawScale) and
 * returns its context, scaled to those px and cleared. The store is only replaced when the size
 * changed: replacing it every live frame cost a new allocation and a layout (the style height)
 * 20 times a second.
 * @param {HTMLCanvasElement} canvas @param {number} width @param {number} height
 * @param {number} [scale]
 */
export function prepare(canvas, width, height, scale = 1) {
  const dpr = (window.devicePixelRatio || 1) * scale;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.height = `${height * scale}px`;
  }
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  // A kept store keeps its state too: back to what a new one starts with, for what we set.
  ctx.lineWidth = 1;
  ctx.textAlign = "start";
  ctx.textBaseline = "alphabetic";
  return ctx;
}

function laneHeight(rows) {
  return Math.max(18, Math.min(120, rows * 6));
}

function colours(canvas) {
  const css = getComputedStyle(canvas);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    text: v("--fg"),
    grid: v("--grid"),
    lane: v("--lane"),
    bars: [v("--bar-0"), v("--bar-1")],
    failed: v("--error"),
    wait: v("--wait"),
    gil: v("--gil") || v("--fg"),
  };
}

/** A round step for about `target` ticks across `span` ms. */
function tickStep(span, target = 6) {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

/**
 * Creates a figure for `record`, with `explanation` under its caption. Draw it (again when the
 * width changes) with `draw(figure, record, axisMs)`.
 */
export function timelineFigure(record, explanation = "") {
  const figure = document.createElement("figure");
  figure.className = "timeline";
  figure.dataset.model = record.model;
  figure.dataset.spans = String(record.finished);
  figure.dataset.lanes = String(record.lanes.length);
  figure.dataset.gilHolds = String(record.gilHolder?.length ?? 0);
  const caption = document.createElement("figcaption");
  caption.textContent =
    `${record.model}${record.gil ? " + GIL" : ""} (${record.workload}): ` +
    `${record.finished} of ${record.tasks} tasks done in ${duration(record.elapsedMs)}` +
    (record.failed ? `, ${record.failed} failed` : "") +
    (record.cancelled ? `, ${record.cancelled} cancelled` : "") +
    (record.stopped ? " (stopped)" : "") +
    `; lanes: ${record.lanes.map((l) => l.label).join(", ") || "none"}` +
    (record.gil ? "; strip along a lane's foot: that thread held the GIL, hatched: it waited" : "");
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${caption.textContent}. ${explanation}`);
  const what = document.createElement("p");
  what.className = "what";
  what.textContent = explanation;
  figure.append(caption, canvas, what);
  return figure;
}

/**
 * The record as it stood at `now` ms: spans that had started, ended at `now` if they had not
 * ended yet (a live snapshot's running spans have a NaN end), waits likewise. Drawing a run live
 * and replaying it are the same drawing of a record cut at a moment.
 */
function cut(record, now) {
  const keep = [];
  for (let i = 0; i < record.spanStart.length; i++) if (record.spanStart[i] <= now) keep.push(i);
  /** @type {(a: any, f?: (v: number, i: number) => number) => any} */
  const pick = (a, f = (v) => v) => a.constructor.from(keep, (i) => f(a[i], i));
  const ended = (i) => record.spanEnd[i] <= now;
  const waits = [];
  const waitStart = record.waitStart ?? [];
  for (let i = 0; i < waitStart.length; i++) if (waitStart[i] <= now) waits.push(i);
  const pickWait = (a, f = (v) => v) => Float64Array.from(waits, (i) => f(a[i]));
  const holds = [];
  const gilStart = record.gilStart ?? [];
  for (let i = 0; i < gilStart.length; i++) if (gilStart[i] <= now) holds.push(i);
  const pickHold = (a, f = (v) => v) => Float64Array.from(holds, (i) => f(a[i]));
  return {
    lanes: record.lanes,
    spanId: pick(record.spanId),
    spanLane: pick(record.spanLane),
    spanRow: pick(record.spanRow),
    spanStart: pick(record.spanStart),
    spanEnd: pick(record.spanEnd, (e, i) => (ended(i) ? e : now)),
    // A span still under way is drawn as running (as done), not yet as failed or cancelled.
    spanState: pick(record.spanState, (s, i) => (ended(i) ? s : DONE)),
    waitLane: pickWait(record.waitLane ?? []),
    waitId: pickWait(record.waitId ?? []),
    waitKind: pickWait(record.waitKind ?? []),
    waitStart: pickWait(waitStart),
    // A wait under way (NaN end, live) lasts until now.
    waitEnd: pickWait(record.waitEnd ?? [], (e) => (e <= now ? e : now)),
    gilHolder: pickHold(record.gilHolder ?? []),
    gilStart: pickHold(gilStart),
    // The holder now (NaN end, live) holds it until now.
    gilEnd: pickHold(record.gilEnd ?? [], (e) => (e <= now ? e : now)),
    ...cutTurns(record, now),
  };
}

/** The event loop's turns that had begun by `now` (async records; live snapshots have none). */
function cutTurns(record, now) {
  const start = record.loopTurnStart;
  if (!start?.length) return {};
  let n = 0;
  while (n < start.length && start[n] <= now) n++;
  return {
    loopTurnStart: start.subarray(0, n),
    loopTurnEnd: record.loopTurnEnd.subarray(0, n).map((e) => Math.min(e, now)),
    loopTurnReady: record.loopTurnReady.subarray(0, n),
  };
}

/**
 * Calls `redraw` on the next frame whenever `element`'s width changes. Figures are drawn at their
 * width and their height follows what they draw, so redrawing inside the ResizeObserver callback
 * would resize the observed element during delivery; browsers then report "ResizeObserver loop
 * completed with undelivered notifications" as an uncaught error (WebKit does so readily).
 * Redrawing on the next frame, and only when the width changed, never feeds the observer back.
 */
export function redrawOnResize(element, redraw) {
  let width = -1;
  let queued = false;
  new ResizeObserver((entries) => {
    const now = entries[entries.length - 1].contentRect.width;
    if (now === width) return;
    width = now;
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      redraw();
    });
  }).observe(element);
}

/**
 * Draws (or redraws) a figure made by `timelineFigure` for `record`, at its current width, with
 * its time axis running to `axisMs` (figures drawn together share one axis). With `now`, draws
 * the run as it stood at that moment (live, or replayed), with a line marking it.
 */
export function draw(figure, full, axisMs, now = Infinity) {
  const record = Number.isFinite(now) ? cut(full, now) : full;
  const canvas = figure.querySelector("canvas");
  // Reads before writes: a layout read after a write makes the browser lay the page out again.
  const scale = drawScale(canvas);
  const width = Math.max(240, figure.clientWidth / scale);
  const c = colours(canvas);
  const lanes = record.lanes;
  const heights = lanes.map((l) => laneHeight(l.rows));
  // An async record's own strip for the event loop's turns, above its lanes.
  const turns = full.loopTurnStart?.length ? TURNS_H + PAD : 0;
  const height = AXIS_H + turns + heights.reduce((a, b) => a + b + PAD, 0) + PAD;
  const dpr = (window.devicePixelRatio || 1) * scale;
  const ctx = prepare(canvas, width, height, scale);
  const plotW = width - LABEL_W - RIGHT;
  const axis = Math.max(axisMs, 1e-3);
  const x = (ms) => LABEL_W + (Math.max(0, ms) / axis) * plotW;

  // Axis and grid.
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = c.text;
  ctx.strokeStyle = c.grid;
  ctx.textBaseline = "top";
  // About one label per 80 px, so labels never overlap on a phone.
  const step = tickStep(axisMs, Math.max(3, Math.floor(plotW / 80)));
  for (let t = 0; t <= axisMs + 1e-9; t += step) {
    const px = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H - 4);
    ctx.lineTo(px, height);
    ctx.stroke();
    ctx.textAlign = t === 0 ? "left" : "center";
    ctx.fillText(duration(t, { short: true }), px, 2);
  }

  if (turns) drawTurns(ctx, record, x, plotW, c);
  figure.dataset.turns = String(full.loopTurnStart?.length ?? 0);

  // Lanes: background and label.
  const top = new Map();
  let y = AXIS_H + turns;
  lanes.forEach((l, i) => {
    ctx.fillStyle = c.lane;
    ctx.fillRect(LABEL_W, y, plotW, heights[i]);
    ctx.fillStyle = c.text;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(l.label, 4, y + heights[i] / 2);
    top.set(l.lane, { y, h: heights[i], rows: l.rows });
    y += heights[i] + PAD;
  });

  if (record.spanLane.length > MAX_BARS) drawDensity(ctx, record, top, x, dpr, c.bars[0]);
  else drawBars(ctx, record, top, x, c);
  drawHolds(ctx, record, top, x, c.gil);
  if (Number.isFinite(now)) {
    // The "now" line.
    const px = Math.round(x(now)) + 0.5;
    ctx.strokeStyle = c.text;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H - 4);
    ctx.lineTo(px, height);
    ctx.stroke();
  }
  figure.dataset.drawn = "true";
}

/**
 * The event loop's turns (`loopTurnStart`...): each turn, a slice of polls, as a dark bar along
 * the strip's top (the loop running tasks; between bars it is idle or the browser has it), and
 * the ready queue's length at each turn's end as a filled step, scaled to its largest.
 */
function drawTurns(ctx, record, x, plotW, c) {
  const y = AXIS_H;
  ctx.fillStyle = c.lane;
  ctx.fillRect(LABEL_W, y, plotW, TURNS_H);
  ctx.fillStyle = c.text;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText("loop turns", 4, y + 7);
  ctx.fillText("ready queue", 4, y + TURNS_H - 7);
  const { loopTurnStart: start, loopTurnEnd: end, loopTurnReady: ready } = record;
  if (!start?.length) return;
  for (let i = 0; i < start.length; i++) {
    ctx.fillRect(x(start[i]), y, Math.max(1, x(end[i]) - x(start[i])), 6);
  }
  let most = 0;
  for (const n of ready) most = Math.max(most, n);
  if (!most) return;
  const base = y + TURNS_H;
  const h = (n) => (n / most) * (TURNS_H - 9);
  ctx.fillStyle = c.bars[0];
  ctx.beginPath();
  ctx.moveTo(x(start[0]), base);
  for (let i = 0; i < start.length; i++) {
    ctx.lineTo(x(start[i]), base - (i ? h(ready[i - 1]) : h(ready[0])));
    ctx.lineTo(x(end[i]), base - h(ready[i]));
  }
  ctx.lineTo(x(end.at(-1)), base);
  ctx.fill();
}

/** Where bar `i` goes, as fillRect wants it: x, y, width, height. */
function barBox(record, top, x, i) {
  const lane = top.get(record.spanLane[i]);
  const rowH = lane.h / lane.rows;
  const x0 = x(record.spanStart[i]);
  const x1 = x(record.spanEnd[i]);
  // At least one pixel wide, so zero-length tasks still show; a pixel short of the end when
  // wide enough, so back-to-back bars show a gap.
  const w = Math.max(1, x1 - x0 - (x1 - x0 > 4 ? 1 : 0));
  const h = Math.max(rowH - (rowH > 3 ? 1 : 0), 0.5);
  return [x0, lane.y + record.spanRow[i] * rowH, w, h];
}

/**
 * One rectangle per task. Done tasks in two passes, one per shade (by task id, so back-to-back
 * tasks differ), because switching fillStyle per bar is what makes many bars slow; then failed
 * and cancelled tasks and the waits (GIL or lock) on top.
 */
function drawBars(ctx, record, top, x, c) {
  const { spanId, spanState } = record;
  for (const shade of [0, 1]) {
    ctx.fillStyle = c.bars[shade];
    for (let i = 0; i < spanId.length; i++) {
      if (spanState[i] !== DONE || spanId[i] % 2 !== shade) continue;
      ctx.fillRect(...barBox(record, top, x, i));
    }
  }
  for (let i = 0; i < spanId.length; i++) {
    if (spanState[i] === DONE) continue;
    const [bx, by, w, h] = barBox(record, top, x, i);
    if (spanState[i] === FAILED) {
      // Failed: error colour and a ✕ at its end.
      ctx.fillStyle = c.failed;
      ctx.fillRect(bx, by, w, h);
      ctx.fillStyle = c.text;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText("✕", bx + w + 2, by + h / 2);
    } else {
      // Cancelled: an outline of where it was cut off.
      ctx.strokeStyle = c.bars[0];
      ctx.lineWidth = 1;
      ctx.strokeRect(bx + 0.5, by + 0.5, Math.max(w - 1, 1), Math.max(h - 1, 0.5));
    }
  }
  // Waits for the GIL or a lock: hatched over the task's bar (in its row, when the lane has
  // several; a GIL wait covers its thread's lane).
  const { waitLane, waitStart, waitEnd, waitId } = record;
  if (!waitLane?.length) return;
  const pattern = hatch(ctx, c.wait);
  const index = new Map();
  for (let i = 0; i < spanId.length; i++) index.set(spanId[i], i);
  for (let i = 0; i < waitLane.length; i++) {
    const lane = top.get(waitLane[i]);
    if (!lane) continue;
    const x0 = x(waitStart[i]);
    const w = Math.max(1, x(waitEnd[i]) - x0);
    const span = index.get(waitId?.[i]);
    ctx.fillStyle = pattern;
    if (lane.rows > 1 && span !== undefined) {
      const [, by, , h] = barBox(record, top, x, span);
      ctx.fillRect(x0, by, w, h);
    } else ctx.fillRect(x0, lane.y, w, lane.h - 1);
  }
}

/**
 * Who held the GIL: a strip along the foot of the holder's lane, from when it took the GIL to
 * when it dropped it (at least a pixel, so a brief hold still shows).
 */
function drawHolds(ctx, record, top, x, colour) {
  const { gilHolder, gilStart, gilEnd } = record;
  if (!gilHolder?.length) return;
  ctx.fillStyle = colour;
  for (let i = 0; i < gilHolder.length; i++) {
    const lane = top.get(gilHolder[i]);
    if (!lane) continue;
    const x0 = x(gilStart[i]);
    const end = Number.isNaN(gilEnd[i]) ? gilStart[i] : gilEnd[i];
    ctx.fillRect(x0, lane.y + lane.h - 4, Math.max(1, x(end) - x0), 3);
  }
}

function hatch(ctx, colour) {
  const tile = document.createElement("canvas");
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext("2d");
  t.fillStyle = colour;
  t.fillRect(0, 0, 6, 6);
  t.strokeStyle = "rgba(0, 0, 0, 0.55)";
  t.beginPath();
  t.moveTo(0, 6);
  t.lineTo(6, 0);
  t.stroke();
  return ctx.createPattern(tile, "repeat");
}

/**
 * Many tasks: mark every device pixel some task covers, in one pass over the tasks (a difference
 * array per pixel row, then a running sum), instead of a million rectangles.
 */
function drawDensity(ctx, record, top, x, dpr, colour) {
  const { spanLane, spanRow, spanStart, spanEnd } = record;
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  const diff = new Int32Array(W * H + 1);
  // This loop runs once per task (ten million in the biggest run), so it does plain arithmetic
  // on typed arrays: each lane's top and row height in device pixels, indexed by lane number,
  // and `x` unrolled (it is linear from 0 ms on). With a Map lookup and a call per task it froze
  // the page for a long moment at ten million (BENCHMARKS.md).
  let lanes = 0;
  for (const lane of top.keys()) lanes = Math.max(lanes, lane + 1);
  const laneTop = new Float64Array(lanes);
  const rowH = new Float64Array(lanes);
  for (const [lane, { y, h, rows }] of top) {
    laneTop[lane] = y * dpr;
    rowH[lane] = (h / rows) * dpr;
  }
  const x0At = x(0) * dpr;
  const perMs = (x(1) - x(0)) * dpr;
  for (let i = 0; i < spanLane.length; i++) {
    const lane = spanLane[i];
    const y = Math.min(H - 1, Math.floor(laneTop[lane] + spanRow[i] * rowH[lane]));
    const x0 = Math.floor(x0At + Math.max(0, spanStart[i]) * perMs);
    const x1 = Math.max(x0 + 1, Math.ceil(x0At + Math.max(0, spanEnd[i]) * perMs));
    diff[y * W + x0] += 1;
    diff[y * W + Math.min(x1, W)] -= 1;
  }
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = colour;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
  const image = ctx.getImageData(0, 0, W, H);
  const px = image.data;
  for (let yy = 0; yy < H; yy++) {
    let covered = 0;
    for (let xx = 0; xx < W; xx++) {
      covered += diff[yy * W + xx];
      if (covered > 0) {
        const o = (yy * W + xx) * 4;
        px[o] = r;
        px[o + 1] = g;
        px[o + 2] = b;
        px[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}
