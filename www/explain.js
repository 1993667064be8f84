// One or two plain sentences on what a run shows, next to its result. Words only: every figure
// comes from the engine's record.

import { number } from "./format.js";

const ms = (x) => `${number(x)} ms`;
const times = (x) => `${x.toFixed(2)}×`;

function failure(r) {
  if (r.fail === null || r.fail === undefined || !r.errors.length) return null;
  const k = r.fail;
  switch (r.model) {
    case "async":
      return r.failMode === "try_join_all"
        ? `Task ${k} failed; try_join_all ended the run there (${ms(r.elapsedMs)}) and dropped, so ` +
            `cancelled, the other ${r.cancelled} tasks.`
        : `Task ${k} failed; join_all let the other ${r.finished} finish and handed the error back ` +
            `with the results.`;
    case "threads":
      return (
        `Task ${k} failed in its thread; the other threads went on (${r.finished} tasks done), ` +
        `and the error reached the caller with the results, as future.result() raises it.`
      );
    case "sequential":
      return `Task ${k} failed and the loop stopped there: ${r.tasks - k - 1} tasks never ran.`;
    case "processes":
      return (
        `Task ${k} failed in its process; the others were unaffected and the error came back ` +
        `in that task's message.`
      );
    default:
      return null;
  }
}

function effect(r) {
  const n = r.tasks;
  if (r.model === "async" && r.blocking) {
    return (
      `Each task blocked the event loop instead of awaiting: they ran one after another ` +
      `(about ${n} × ${ms(r.delay)}), and the page could not even paint for up to ` +
      `${ms(r.eventLoopLagMs)}.`
    );
  }
  if (r.workload === "cpu") {
    const speed = `speedup ${times(r.speedup)}`;
    if (r.model === "async" || r.model === "sequential") {
      return (
        `CPU work never waits, so one event loop computes one task at a time (${speed}); ` +
        `meanwhile the page's loop was busy for up to ${ms(r.eventLoopLagMs)} at a stretch.`
      );
    }
    if (r.model === "threads" && r.gil) {
      const waited = r.waitStart.reduce((a, s, i) => a + r.waitEnd[i] - s, 0);
      return (
        `With the GIL only one thread computes at a time: ${speed}, no better than one thread. ` +
        `The hatched stretches are threads waiting for the lock (${ms(waited)} in all).`
      );
    }
    return (
      `${r.model === "processes" ? r.processes : r.threads} ${r.model} computed in parallel: ${speed} with ` +
      `${navigator.hardwareConcurrency || 1} cores.`
    );
  }
  if (r.model === "threads" && r.gil) {
    return (
      `Waiting releases the GIL, so even with it on the ${r.workload === "fetch" ? "requests" : "waits"} ` +
      `overlapped: ${ms(r.elapsedMs)} for an ideal of ${ms(r.idealMs)}.`
    );
  }
  switch (r.model) {
    case "async":
      return (
        `All ${number(n)} tasks waited at once on one thread (up to ${number(r.peakInFlight)} ` +
        `in flight): ${ms(r.elapsedMs)}, about one ${r.workload === "fetch" ? "round of requests" : "delay"}.`
      );
    case "threads":
      return (
        `${r.threads} threads each blocked on one task at a time: ` +
        `ceil(${n} / ${r.threads}) × ${ms(r.delay)} = ${ms(r.idealMs)} ideal.`
      );
    case "sequential":
      return `One task after another: ${n} × ${ms(r.delay)}.`;
    case "processes":
      return (
        `${r.processes} processes, sharing nothing; ${r.processesStarted} had to be started ` +
        `(${ms(r.processStartMs)} each, not counted in elapsed) and the rest were reused.`
      );
    default:
      return "";
  }
}

/** The sentences for a run's record. */
export function explain(r) {
  const parts = [];
  const f = failure(r);
  if (r.stopped) parts.push(`Stopped: ${r.finished} of ${r.tasks} tasks had finished.`);
  // A failure changes the story: tell that one, not the usual effect.
  else parts.push(f ?? effect(r));
  parts.push(...r.notes);
  return parts.filter(Boolean).join(" ");
}
