// The task table of a run: each task's busy, scheduled and idle ms and its polls, from the record's
// columns (busyMs, scheduledMs, idleMs, polls, in the order of spanId), sortable by each; threads and
// sequential runs have no polls (their polls column is empty), so the table has none, and the
// record's own sentence for it (taskTimesNote, written by the engine) says what their split means.
// Built only when opened: a table of 10,000 rows is a task of its own. Renders only.
import { number } from "./format.js";

/** The columns, by the record's names: the vocabulary of tokio-console. */
const COLUMNS = [
  ["task", null],
  ["busy ms", "busyMs"],
  ["scheduled ms", "scheduledMs"],
  ["idle ms", "idleMs"],
  ["polls", "polls"],
];

/** Most rows: runs up to this many tasks have the table (bigger ones keep a sample). */
const MAX_ROWS = 10_000;

/** Bins of each histogram. */
const BINS = 24;

/** The columns `record` has (polls only where tasks were polled). */
function columnsOf(record) {
  return COLUMNS.filter(([, key]) => !key || record[key]?.length);
}

/**
 * A `<details>` with the record's task table, or for a run whose tasks were accounted in a sample
 * (`accountedEvery` above 1) histograms of the sample's busy, scheduled and idle ms; null for a
 * record without accounting (not async on the playground's executor).
 */
export function taskTable(record) {
  const rows = record.busyMs?.length ?? 0;
  if (!rows) return null;
  const table = record.accountedEvery === 1 && rows <= MAX_ROWS;
  const details = document.createElement("details");
  details.className = "task-table";
  const summary = document.createElement("summary");
  const names = columnsOf(record)
    .filter(([, key]) => key)
    .map(([label]) => label.replace(" ms", ""));
  summary.textContent = table
    ? `Tasks: ${names.join(", ")}`
    : "Tasks: busy, scheduled and idle, as histograms";
  details.append(summary);
  if (record.taskTimesNote) {
    const note = document.createElement("p");
    note.className = "task-table-note";
    note.textContent = record.taskTimesNote;
    details.append(note);
  }
  details.addEventListener(
    "toggle",
    () => details.open && (table ? build(details, record) : histograms(details, record)),
    { once: true },
  );
  return details;
}

/** One histogram per column (tasks per bin, from 0 to the column's largest), side by side. */
function histograms(details, record) {
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute(
    "aria-label",
    "Histograms of the accounted tasks' busy, scheduled and idle ms",
  );
  details.append(canvas);
  const width = Math.max(300, details.clientWidth);
  const height = 110;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = "100%";
  canvas.style.height = `${height}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.scale(dpr, dpr);
  const style = getComputedStyle(canvas);
  const cols = COLUMNS.filter(([, key]) => key && key !== "polls");
  const w = width / cols.length;
  cols.forEach(([label, key], k) => {
    const values = record[key];
    let most = 0;
    for (const v of values) most = Math.max(most, v);
    const counts = new Array(BINS).fill(0);
    for (const v of values) counts[Math.min(BINS - 1, Math.floor((v / (most || 1)) * BINS))]++;
    const top = Math.max(...counts);
    const x0 = k * w + 8;
    const plotW = w - 16;
    ctx.fillStyle = style.getPropertyValue("--bar-0");
    counts.forEach((n, b) => {
      const h = (n / top) * (height - 40);
      ctx.fillRect(x0 + (b * plotW) / BINS, height - 24 - h, plotW / BINS - 1, h);
    });
    ctx.fillStyle = style.getPropertyValue("--fg") || style.color;
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText(label, x0, 12);
    ctx.fillText("0", x0, height - 8);
    ctx.textAlign = "right";
    // Busy times of waiting tasks are fractions of a ms: two significant digits there.
    ctx.fillText(
      most > 0 && most < 1 ? `${most.toPrecision(2)}` : number(most),
      x0 + plotW,
      height - 8,
    );
    ctx.textAlign = "left";
  });
  details.dataset.histograms = String(cols.length);
}

function build(details, record) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  const columns = columnsOf(record);
  let order = Array.from(record.busyMs, (_, i) => i);
  const fill = () => {
    body.replaceChildren(
      ...order.map((i) => {
        const tr = document.createElement("tr");
        tr.dataset.id = String(record.spanId[i]);
        for (const [, key] of columns) {
          const td = document.createElement("td");
          td.textContent = key ? number(record[key][i]) : `url${record.spanId[i] + 1}`;
          tr.append(td);
        }
        return tr;
      }),
    );
  };
  for (const [label, key] of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    if (key) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.dataset.sort = key;
      button.addEventListener("click", () => {
        // Largest first; a second click on the same column reverses.
        const desc = th.getAttribute("aria-sort") !== "descending";
        const col = record[key];
        order = order.toSorted((a, b) => (desc ? col[b] - col[a] : col[a] - col[b]));
        for (const other of head.cells) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        fill();
      });
      th.append(button);
    } else th.textContent = label;
    head.append(th);
  }
  fill();
  const scroll = document.createElement("div");
  scroll.className = "task-table-scroll";
  scroll.append(table);
  details.append(scroll);
}
