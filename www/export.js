// @ts-check
// The page's "Download trace" (the latest action's runs as Chrome trace-event JSON, see
// trace.js) and "Download CSV" (every run of the results table, one line each, raw numbers).
// Wired by main.js; it only listens to the API's events, as the results table does. trace.js
// loads with the first "Download trace".
import { CSV_COLUMNS, csvRow } from "./csv.js";

/** @typedef {import("./playground").Playground} Playground */
/** @typedef {import("./playground").Record} RunRecord */

/** Saves `blob` as `name` through a temporary link (no inline script, no new window). */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the blob by the next task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * @param {Playground} playground
 */
export function wireExports(playground) {
  const traceButton = /** @type {HTMLButtonElement | null} */ (
    document.getElementById("download-trace")
  );
  const csvButton = /** @type {HTMLButtonElement | null} */ (
    document.getElementById("download-csv")
  );
  const status = document.getElementById("export-status");
  if (!traceButton || !csvButton) return;
  /** @type {RunRecord[]} The latest action's runs (all three for "Run all three"). */
  let batch = [];
  /** @type {string[]} One CSV line per run of the results table, oldest first. */
  const lines = [];

  playground.events.addEventListener("start", () => (batch = []));
  playground.events.addEventListener("runend", (e) => {
    const r = /** @type {CustomEvent} */ (e).detail;
    batch.push(r);
    lines.push(csvRow(r, r.explanation));
    traceButton.disabled = false;
    csvButton.disabled = false;
  });

  traceButton.addEventListener("click", async () => {
    if (!batch.length) return;
    const runs = batch;
    traceButton.disabled = true;
    status.textContent = "Writing the trace…";
    const record = runs.length === 1 ? runs[0] : { model: /** @type {"all"} */ ("all"), runs };
    let blob;
    try {
      blob = await (await import("./trace.js")).traceBlob(record);
    } catch (error) {
      status.textContent = `The trace could not be written (${error.message}); reload to try again.`;
      traceButton.disabled = false;
      return;
    }
    const tasks = runs.reduce((n, r) => n + r.tasks, 0);
    save(blob, `async-vs-threads-${runs.map((r) => r.model).join("-")}-${tasks}.trace.json`);
    status.textContent =
      `Trace of ${runs.length === 1 ? "the last run" : `the last ${runs.length} runs`} saved: ` +
      "open it in ui.perfetto.dev or the browser's DevTools (Performance, Load profile).";
    traceButton.disabled = false;
  });

  csvButton.addEventListener("click", () => {
    const text = [CSV_COLUMNS.join(","), ...lines].join("\r\n") + "\r\n";
    save(new Blob([text], { type: "text/csv" }), "async-vs-threads-results.csv");
    status.textContent = `Results table saved as CSV (${lines.length} runs).`;
  });
}
