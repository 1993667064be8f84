// @ts-check
// A run as a Chrome trace-event file (what Perfetto's UI and the browser's DevTools performance
// panel open): `{ traceEvents: [...] }`, times in microseconds on the run's clock.
//
// - one complete event (`ph: "X"`) per task, named "task <id>", with its state in `args`;
// - `pid` per model (a record of `model: "all"` holds several runs: pid 1, 2, 3 in turn, each on
//   its own clock from 0), named by `process_name` metadata;
// - `tid` per lane (0 the event loop, k pool thread k, 2000 + k process k + 1), named after the
//   lane's label by `thread_name` metadata. A lane where tasks overlap (async: every task on the
//   one event loop at once) has several rows in the timeline; trace viewers need the events of one
//   thread to nest, so row r > 0 of lane l gets a tid of its own, ROW_TIDS + l * MAX_ROWS + r,
//   named "<label> · row r + 1";
// - each wait for the (simulated) GIL as its own complete event, "waiting for the GIL", on its
//   thread, inside the task that waited;
// - who held the GIL, one "holding the GIL" event per hold on a track of its own ("GIL holder",
//   tid GIL_TID, shown first), with the holding thread's lane in `args.thread`.
//
// A million tasks make a million events: both builders work in slices and give the page back
// between them, so a large export never freezes it.

import { spanStates } from "./schema.js";

/** @typedef {import("./playground").Record} RunRecord */
/** @typedef {import("./playground").AllRecord} AllRecord */

/** Events built between two yields to the page. */
const SLICE = 20_000;
/** Where the tids of rows after the first start, clear of every lane number. */
const ROW_TIDS = 10_000_000;
const MAX_ROWS = 1_000_000;
/** The track of the GIL's holder (threads runs with the GIL), clear of lanes and rows. */
const GIL_TID = ROW_TIDS - 1;

const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

/** @param {RunRecord | AllRecord} record @returns {RunRecord[]} */
const runsOf = (record) => ("runs" in record ? record.runs : [record]);

/** @param {number} lane @param {number} row */
const tidOf = (lane, row) => (row === 0 ? lane : ROW_TIDS + lane * MAX_ROWS + row);

const us = (ms) => Math.round(ms * 1000);

/**
 * Every event of `record`, one at a time: metadata first, then tasks, then GIL waits.
 * @param {RunRecord | AllRecord} record
 */
export function* traceEvents(record) {
  const runs = runsOf(record);
  for (const [i, run] of runs.entries()) {
    const pid = i + 1;
    yield {
      ph: "M",
      name: "process_name",
      pid,
      tid: 0,
      args: { name: `${run.model}: ${run.tasks} tasks, ${run.delay} ms, ${run.workload}` },
    };
    yield { ph: "M", name: "process_sort_index", pid, tid: 0, args: { sort_index: pid } };
    for (const lane of run.lanes) {
      for (let row = 0; row < Math.max(1, lane.rows); row++) {
        const tid = tidOf(lane.lane, row);
        const name = row === 0 ? lane.label : `${lane.label} · row ${row + 1}`;
        yield { ph: "M", name: "thread_name", pid, tid, args: { name } };
        yield { ph: "M", name: "thread_sort_index", pid, tid, args: { sort_index: tid } };
      }
    }
    if (run.gilHolder?.length) {
      yield { ph: "M", name: "thread_name", pid, tid: GIL_TID, args: { name: "GIL holder" } };
      yield { ph: "M", name: "thread_sort_index", pid, tid: GIL_TID, args: { sort_index: -1 } };
    }
    const { spanId, spanLane, spanRow, spanStart, spanEnd, spanState } = run;
    for (let k = 0; k < spanId.length; k++) {
      // A task the run stopped before it ended has no end: it is drawn up to the run's end.
      const ended = !Number.isNaN(spanEnd[k]);
      const end = ended ? spanEnd[k] : run.elapsedMs;
      const args = { id: spanId[k], state: ended ? spanStates[spanState[k]] : "unfinished" };
      yield {
        ph: "X",
        name: `task ${spanId[k]}`,
        cat: run.model,
        ts: us(spanStart[k]),
        dur: Math.max(0, us(end) - us(spanStart[k])),
        pid,
        tid: tidOf(spanLane[k], spanRow[k]),
        args,
      };
    }
    const { gilHolder, gilStart, gilEnd } = run;
    for (let k = 0; k < (gilHolder?.length ?? 0); k++) {
      const end = Number.isNaN(gilEnd[k]) ? run.elapsedMs : gilEnd[k];
      yield {
        ph: "X",
        name: "holding the GIL",
        cat: "gil",
        ts: us(gilStart[k]),
        dur: Math.max(0, us(end) - us(gilStart[k])),
        pid,
        tid: GIL_TID,
        args: { thread: gilHolder[k] },
      };
    }
    const { waitLane, waitStart, waitEnd } = run;
    for (let k = 0; k < (waitLane?.length ?? 0); k++) {
      yield {
        ph: "X",
        name: "waiting for the GIL",
        cat: "gil",
        ts: us(waitStart[k]),
        dur: Math.max(0, us(waitEnd[k]) - us(waitStart[k])),
        pid,
        tid: waitLane[k],
      };
    }
  }
}

/**
 * The trace as an object, `{ traceEvents, displayTimeUnit }`, built in slices.
 * @param {RunRecord | AllRecord} record
 */
export async function trace(record) {
  const events = [];
  for (const event of traceEvents(record)) {
    events.push(event);
    if (events.length % SLICE === 0) await yieldToPage();
  }
  return { traceEvents: events, displayTimeUnit: "ms" };
}

/**
 * The trace as a JSON file (a Blob), written slice by slice without ever holding every event as
 * an object: what "Download trace" saves.
 * @param {RunRecord | AllRecord} record
 */
export async function traceBlob(record) {
  const parts = ['{"displayTimeUnit":"ms","traceEvents":[\n'];
  let slice = [];
  let first = true;
  const flush = () => {
    parts.push((first ? "" : ",\n") + slice.map((e) => JSON.stringify(e)).join(",\n"));
    first = false;
    slice = [];
  };
  for (const event of traceEvents(record)) {
    slice.push(event);
    if (slice.length === SLICE) {
      flush();
      await yieldToPage();
    }
  }
  if (slice.length) flush();
  parts.push("\n]}\n");
  return new Blob(parts, { type: "application/json" });
}
