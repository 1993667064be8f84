// @ts-check
// The results table as CSV ("Download CSV"): one line per run, raw numbers rather than the
// table's formatted ones. Small and kept apart from trace.js, which loads when a trace is asked
// for: each run's line is written when it ends.

/** @typedef {import("./playground").Record} RunRecord */

/** @param {unknown} value */
const csvCell = (value) => {
  const text = String(value ?? "");
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The results table's columns, as CSV headers, with raw numbers rather than formatted ones. */
export const CSV_COLUMNS = [
  "model",
  "workload",
  "tasks",
  "delay_ms",
  "threads",
  "elapsed_ms",
  "ideal_ms",
  "elapsed_over_ideal",
  "most_in_flight",
  "stopped",
  "what_happened",
];

/**
 * One CSV line for a run, in CSV_COLUMNS' order.
 * @param {RunRecord} r @param {string} whatHappened the table's sentence for it
 */
export function csvRow(r, whatHappened) {
  const width = r.model === "processes" ? r.processes : r.threads;
  const name = r.model + (r.gil ? " + GIL" : "") + (r.blocking ? " (blocking)" : "");
  return [
    name,
    r.workload,
    r.tasks,
    r.delay,
    width,
    r.elapsedMs,
    r.idealMs,
    r.idealMs ? (r.elapsedMs / r.idealMs).toFixed(3) : "",
    r.peakInFlight,
    r.stopped ? "yes" : "no",
    whatHappened,
  ]
    .map(csvCell)
    .join(",");
}
