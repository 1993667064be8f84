// Draws a run's timeline on a canvas: one lane for the event loop, one per worker thread, every
// task a bar from its start to its end, on an axis shared by the runs drawn together. The
// engine's record already says which lane and row each bar goes in (src/timeline.rs); this only
// scales numbers to pixels.

const LABEL_W = 92;
/** Above this many tasks, bars are drawn as pixel coverage instead of one rectangle each. */
const MAX_BARS = 20_000;
const AXIS_H = 22;
const PAD = 6;

/** The lane's name on screen: lane 0 is the event loop, lane k is pool thread k. */
export function laneName(lane) {
  return lane === 0 ? "event loop" : `thread ${lane}`;
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
  };
}

/** A round step for about `target` ticks across `span` ms. */
function tickStep(span, target = 6) {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

function formatMs(ms) {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(2)} s` : `${+ms.toFixed(1)} ms`;
}

/**
 * Creates a figure for `record` and draws it with its axis running to `axisMs`. Returns the
 * figure element; redraw with `draw(figure)` when the width changes.
 */
export function timelineFigure(record, axisMs) {
  const figure = document.createElement("figure");
  figure.className = "timeline";
  figure.dataset.model = record.model;
  figure.dataset.spans = String(record.finished);
  figure.dataset.lanes = String(record.lanes.length);
  const caption = document.createElement("figcaption");
  caption.textContent =
    `${record.model}: ${record.finished} of ${record.tasks} tasks in ` +
    `${formatMs(record.elapsedMs)}` +
    (record.stopped ? " (stopped)" : "") +
    `, lanes: ${record.lanes.map((l) => laneName(l.lane)).join(", ") || "none"}`;
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", caption.textContent);
  figure.append(caption, canvas);
  figure._record = record;
  figure._axisMs = axisMs;
  return figure;
}

/** Draws (or redraws) a figure made by `timelineFigure`, at its current width. */
export function draw(figure) {
  const record = figure._record;
  const canvas = figure.querySelector("canvas");
  const width = Math.max(240, figure.clientWidth);
  const lanes = record.lanes;
  const heights = lanes.map((l) => laneHeight(l.rows));
  const height = AXIS_H + heights.reduce((a, b) => a + b + PAD, 0) + PAD;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  const c = colours(canvas);
  const plotW = width - LABEL_W - PAD;
  const axisMs = Math.max(figure._axisMs, 1e-3);
  const x = (ms) => LABEL_W + (Math.max(0, ms) / axisMs) * plotW;

  // Axis and grid.
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = c.text;
  ctx.strokeStyle = c.grid;
  ctx.textBaseline = "top";
  const step = tickStep(axisMs);
  for (let t = 0; t <= axisMs + 1e-9; t += step) {
    const px = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, AXIS_H - 4);
    ctx.lineTo(px, height);
    ctx.stroke();
    ctx.textAlign = t === 0 ? "left" : "center";
    ctx.fillText(formatMs(t), px, 2);
  }

  // Lanes: background, label, bars. Bars alternate two shades so neighbours stay
  // distinguishable; the lane label, not the colour, says which lane is which.
  const top = new Map();
  let y = AXIS_H;
  lanes.forEach((l, i) => {
    ctx.fillStyle = c.lane;
    ctx.fillRect(LABEL_W, y, plotW, heights[i]);
    ctx.fillStyle = c.text;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(laneName(l.lane), 4, y + heights[i] / 2);
    top.set(l.lane, { y, h: heights[i], rows: l.rows });
    y += heights[i] + PAD;
  });

  const { spanLane } = record;
  if (spanLane.length > MAX_BARS) drawDensity(ctx, record, top, x, dpr, c.bars[0]);
  else drawBars(ctx, record, top, x, c.bars);
}

/**
 * One rectangle per task. Two passes, one per shade (by task id, so back-to-back tasks differ),
 * because switching fillStyle per bar is what makes many bars slow.
 */
function drawBars(ctx, record, top, x, shades) {
  const { spanId, spanLane, spanRow, spanStart, spanEnd } = record;
  for (const shade of [0, 1]) {
    ctx.fillStyle = shades[shade];
    for (let i = 0; i < spanLane.length; i++) {
      if (spanId[i] % 2 !== shade) continue;
      const lane = top.get(spanLane[i]);
      const rowH = lane.h / lane.rows;
      const x0 = x(spanStart[i]);
      // At least one pixel wide, so zero-length tasks still show; a pixel short of the end when
      // wide enough, so back-to-back bars show a gap.
      const w = Math.max(1, x(spanEnd[i]) - x0 - (x(spanEnd[i]) - x0 > 4 ? 1 : 0));
      ctx.fillRect(x0, lane.y + spanRow[i] * rowH, w, Math.max(rowH - (rowH > 3 ? 1 : 0), 0.5));
    }
  }
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
  for (let i = 0; i < spanLane.length; i++) {
    const lane = top.get(spanLane[i]);
    const y = Math.min(H - 1, Math.floor((lane.y + (spanRow[i] * lane.h) / lane.rows) * dpr));
    const x0 = Math.floor(x(spanStart[i]) * dpr);
    const x1 = Math.max(x0 + 1, Math.ceil(x(spanEnd[i]) * dpr));
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
