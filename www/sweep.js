// The scaling sweep: each model over growing task counts with the current
// settings, elapsed time against task count on log scales, so a learner sees async stay flat
// while a fixed pool of threads climbs. Counts a model would need over SKIP_MS for are skipped,
// and said so: the ideal time comes from the engine's own check.
import { number } from "./format.js";

export const COUNTS = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
/** Longest ideal time of one point; a whole sweep then stays within a minute or two. */
const SKIP_MS = 10_000;

const MARKERS = {
  async: "circle",
  threads: "square",
  sequential: "triangle",
  processes: "diamond",
};

/**
 * Runs the sweep through the public API. `onPoint({ model, tasks, elapsedMs })` after each run,
 * `onSkip({ model, tasks, reason })` for each count left out. Stops at the first stopped run.
 */
export async function sweep(playground, options, onPoint, onSkip) {
  const models = playground.schema.models.filter(
    (m) => m !== "threads" || playground.capabilities.threads,
  );
  for (const model of models) {
    for (const tasks of COUNTS) {
      const verdict = await playground.check({ ...options, model, tasks });
      if (!verdict.ok) {
        onSkip({ model, tasks, reason: verdict.errors[0].message });
        break;
      }
      const ideal = verdict.runs[0].idealMs;
      if (ideal !== null && ideal > SKIP_MS) {
        onSkip({ model, tasks, reason: `would take about ${number(ideal / 1000)} s` });
        break;
      }
      const r = await playground.run({ ...options, model, tasks });
      if (r.stopped) return;
      onPoint({ model, tasks, elapsedMs: r.elapsedMs });
    }
  }
}

function marker(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === "circle") ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (shape === "square") ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else if (shape === "triangle") {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.lineTo(x - r, y + r);
    ctx.closePath();
  } else {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
  }
  ctx.fill();
}

/** The chart's margins in CSS px: left (for the time labels), bottom (task labels), top, right. */
const L = 58;
const B = 34;
const T = 10;
const R = 12;

/** `container`'s canvas (made on first use), sized to its width, with its context in CSS px. */
function chartCanvas(container) {
  let canvas = container.querySelector("canvas");
  if (!canvas) {
    canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    container.append(canvas);
  }
  const width = Math.max(280, container.clientWidth);
  const height = Math.round(Math.min(360, width * 0.55));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  return { canvas, ctx, width, height };
}

/**
 * The chart's log scales for `points`: `x` from 1 to the most tasks (at least 10), `y` over the
 * powers of ten from `lo` to `hi` that hold every elapsed time (at least 100 ms to 1 s).
 */
function scales(points, width, height) {
  const maxTasks = Math.max(10, ...points.map((p) => p.tasks));
  const elapsed = points.map((p) => Math.max(p.elapsedMs, 1));
  const lo = Math.floor(Math.log10(Math.min(...elapsed, 100)));
  const hi = Math.ceil(Math.log10(Math.max(...elapsed, 1000)));
  const x = (n) => L + (Math.log10(n) / Math.log10(maxTasks)) * (width - L - R);
  const y = (ms) => T + (1 - (Math.log10(Math.max(ms, 1)) - lo) / (hi - lo)) * (height - T - B);
  return { maxTasks, lo, hi, x, y };
}

/** The grid and labels: a line per power of ten of tasks and of elapsed time. */
function drawAxes(ctx, width, height, { maxTasks, lo, hi, x, y }, fg, grid) {
  ctx.font = "12px system-ui, sans-serif";
  ctx.strokeStyle = grid;
  ctx.fillStyle = fg;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let n = 1; n <= maxTasks; n *= 10) {
    ctx.beginPath();
    ctx.moveTo(x(n), T);
    ctx.lineTo(x(n), height - B);
    ctx.stroke();
    ctx.fillText(n >= 1000 ? `${n / 1000}k` : String(n), x(n), height - B + 4);
  }
  ctx.fillText("tasks (log scale)", L + (width - L - R) / 2, height - 14);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let e = lo; e <= hi; e++) {
    const ms = 10 ** e;
    ctx.beginPath();
    ctx.moveTo(L, y(ms));
    ctx.lineTo(width - R, y(ms));
    ctx.stroke();
    ctx.fillText(ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`, L - 4, y(ms));
  }
}

/** One line per model through its points, in task order, with the model's marker on each. */
function drawLines(ctx, points, models, { x, y }, colour) {
  for (const m of models) {
    const mine = points.filter((p) => p.model === m).sort((a, b) => a.tasks - b.tasks);
    ctx.strokeStyle = colour(m);
    ctx.fillStyle = colour(m);
    ctx.lineWidth = 2;
    ctx.beginPath();
    mine.forEach((p, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, x(p.tasks), y(p.elapsedMs)));
    ctx.stroke();
    ctx.lineWidth = 1;
    for (const p of mine) marker(ctx, MARKERS[m], x(p.tasks), y(p.elapsedMs), 4.5);
  }
}

/** The chart's numbers as `container`'s table (made on first use): a row per task count. */
function fillTable(container, points, models) {
  let table = container.querySelector("table");
  if (!table) {
    table = document.createElement("table");
    table.className = "sweep-table";
    container.append(table);
  }
  const head = document.createElement("tr");
  for (const h of ["Tasks", ...models.map((m) => `${m} (${MARKERS[m]}), ms`)]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const body = COUNTS.filter((n) => points.some((p) => p.tasks === n)).map((n) => {
    const tr = document.createElement("tr");
    tr.dataset.tasks = String(n);
    const cells = [number(n)];
    for (const m of models) {
      const p = points.find((q) => q.model === m && q.tasks === n);
      cells.push(p ? number(p.elapsedMs) : "—");
      if (p) tr.dataset[m] = String(p.elapsedMs);
    }
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...body);
}

/** Draws `points` into `container` as a log-log chart plus a table of the same numbers. */
export function drawSweep(container, points) {
  const css = getComputedStyle(container);
  const colour = (m) => css.getPropertyValue(`--model-${m}`).trim();
  const fg = css.getPropertyValue("--fg").trim();
  const grid = css.getPropertyValue("--grid").trim();
  const { canvas, ctx, width, height } = chartCanvas(container);
  const scale = scales(points, width, height);
  drawAxes(ctx, width, height, scale, fg, grid);
  const models = [...new Set(points.map((p) => p.model))];
  drawLines(ctx, points, models, scale, colour);
  canvas.setAttribute(
    "aria-label",
    `Elapsed time against task count, log scales: ${models.join(", ")}. The table below has the numbers.`,
  );
  fillTable(container, points, models);
}
