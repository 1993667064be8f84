// The task table of an async run: each task's busy, scheduled and idle ms and its polls, from the
// record's columns (busyMs, scheduledMs, idleMs, polls, in the order of spanId), sortable by each.
// Built only when opened: a table of 10,000 rows is a task of its own. Renders only; the record's
// notes say what the figures mean.
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

/**
 * A `<details>` with the record's task table, or null for a record without one (not async, or
 * accounted in a sample: `accountedEvery` above 1).
 */
export function taskTable(record) {
  const rows = record.busyMs?.length ?? 0;
  if (!rows || record.accountedEvery !== 1 || rows > MAX_ROWS) return null;
  const details = document.createElement("details");
  details.className = "task-table";
  const summary = document.createElement("summary");
  summary.textContent = "Tasks: busy, scheduled, idle, polls";
  details.append(summary);
  details.addEventListener("toggle", () => details.open && build(details, record), { once: true });
  return details;
}

function build(details, record) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  let order = Array.from(record.busyMs, (_, i) => i);
  const fill = () => {
    body.replaceChildren(
      ...order.map((i) => {
        const tr = document.createElement("tr");
        tr.dataset.id = String(record.spanId[i]);
        for (const [, key] of COLUMNS) {
          const td = document.createElement("td");
          td.textContent = key ? number(record[key][i]) : `url${record.spanId[i] + 1}`;
          tr.append(td);
        }
        return tr;
      }),
    );
  };
  for (const [label, key] of COLUMNS) {
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
