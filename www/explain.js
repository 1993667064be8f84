// One or two plain sentences on what a run shows, next to its result. Words only: every figure
// comes from the engine's record.

import { number } from "./format.js";

const ms = (x) => `${number(x)} ms`;
const times = (x) => `${x.toFixed(2)}×`;
const plural = (n, one, many) => `${number(n)} ${n === 1 ? one : many}`;
/** Tasks of `r` that never started: neither finished, failed nor cancelled. */
const unstarted = (r) => r.tasks - r.finished - r.failed - r.cancelled;

function failure(r) {
  if (r.fail === null || r.fail === undefined || !r.errors.length) return null;
  const k = r.fail;
  switch (r.model) {
    case "async":
      // With a limit, tasks still waiting for their turn never start: dropping them is all.
      return r.failMode === "try_join_all"
        ? `Task ${k} failed; try_join_all ended the run there (${ms(r.elapsedMs)}) and dropped, so ` +
            `cancelled, the other ${plural(r.cancelled, "task", "tasks")} in flight` +
            (unstarted(r) > 0 ? `; ${plural(unstarted(r), "task", "tasks")} never started.` : ".") +
            // Measured with the code panel's program under CPython 3.11 (tests/e2e/teach.test.mjs).
            (r.limit != null && unstarted(r) > 0
              ? " In CPython the semaphore hands the failed task's place to the next task before " +
                "the TaskGroup's cancellation reaches it, so that one starts and is cancelled at once."
              : "")
        : `Task ${k} failed; join_all let the other ${r.finished} finish and handed the error back ` +
            `with the results.`;
    case "threads":
      // A panic aborts its worker thread: nothing is handed back, and the engine's error says
      // what the run saw instead.
      if (r.crashed && r.error) return r.error;
      return (
        `Task ${k} failed in its thread; the other threads went on (${plural(r.finished, "task", "tasks")} done), ` +
        // The code panel's program: a thread of its own per task when there are enough
        // (threading.Thread), else a pool (ThreadPoolExecutor); see www/code.js.
        (r.threads >= r.tasks
          ? `and the error came back with the results because the program handed it back: a ` +
            `threading.Thread's exception otherwise stays in its thread (Python prints it there).`
          : `and the error reached the caller with the results, as future.exception() hands it back.`)
      );
    case "sequential":
      return r.tasks - k - 1 > 0
        ? `Task ${k} failed and the loop stopped there: ` +
            `${plural(r.tasks - k - 1, "task", "tasks")} never ran.`
        : `Task ${k} failed; it was the last, so the loop had run every task.`;
    case "processes":
      return (
        `Task ${k} failed in its process; the others were unaffected and the error came back ` +
        `in that task's message (its result's get() raises it in the parent).`
      );
    default:
      return null;
  }
}

/** Async with `offload`: what handing the work to the pool's threads did to the run. */
function offloadEffect(r, cores) {
  // The engine's note says what offloading did to the event loop; this says what it did to
  // the run.
  return r.workload === "cpu"
    ? `The pool's threads computed the tasks in parallel while the event loop awaited them: ` +
        `speedup ${times(r.speedup)} on the ${cores} cores this browser reports. In CPython the ` +
        `GIL would let one of them compute at a time: asyncio.to_thread keeps the loop free but ` +
        `does not speed up pure-Python CPU work (a ProcessPoolExecutor does).`
    : `The blocking calls ran on the pool's threads while the event loop awaited them: ` +
        `${ms(r.elapsedMs)} for an ideal of ${ms(r.idealMs)}.`;
}

/** CPU work: how many computed at once, and what it cost the page or the GIL. */
function cpuEffect(r, cores) {
  const speed = `speedup ${times(r.speedup)}`;
  if (r.model === "async" || r.model === "sequential") {
    return (
      `CPU work never waits, so one event loop computes one task at a time (${speed}); ` +
      `meanwhile the page's loop was busy for up to ${ms(r.eventLoopBusyMs)} at a stretch.`
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
    `${r.model === "processes" ? r.processes : r.threads} ${r.model} computed in parallel: ${speed} on ` +
    `the ${cores} cores this browser reports.`
  );
}

/** Waiting work (sleep or fetch), by model: how many waited at once, against the ideal. */
function waitEffect(r) {
  const n = r.tasks;
  switch (r.model) {
    case "async": {
      // A semaphore (limit) or a connection limit lets only so many wait at once: the engine's
      // ideal then has the tasks wait in rounds, not all together.
      if (r.atOnce !== null) {
        return (
          `The ${number(n)} tasks waited at most ${number(r.atOnce)} at a time on one thread ` +
          `(up to ${number(r.peakInFlight)} in flight): ${ms(r.elapsedMs)}, for an ideal of ` +
          `ceil(${number(n)} / ${number(r.atOnce)}) × ${ms(r.delay)} = ${ms(r.idealMs)}.`
        );
      }
      return (
        `All ${number(n)} tasks waited at once on one thread (up to ${number(r.peakInFlight)} ` +
        `in flight): ${ms(r.elapsedMs)}, about one ${r.workload === "fetch" ? "round of requests" : "delay"}.`
      );
    }
    case "threads":
      // More threads than tasks: the others had nothing to do.
      if (n < r.threads) {
        return (
          `${plural(n, "task", "tasks")} on ${r.threads} threads: ${n === 1 ? "it" : "each"} ` +
          `blocked a thread of ${n === 1 ? "its" : "their"} own, ${ms(r.idealMs)} ideal.`
        );
      }
      return (
        `${r.threads} threads each blocked on one task at a time: ` +
        `ceil(${n} / ${r.threads}) × ${ms(r.delay)} = ${ms(r.idealMs)} ideal.`
      );
    case "sequential":
      return `One task after another: ${n} × ${ms(r.delay)}.`;
    case "processes": {
      const all = plural(r.processes, "process", "processes");
      const started = r.processesStarted ?? 0;
      if (started === 0) {
        return `${all}, sharing nothing, left from an earlier run: none had to be started.`;
      }
      const cost = `(${ms(r.processStartMs)} each, not counted in elapsed)`;
      return started >= r.processes
        ? `${all}, sharing nothing; ${r.processes === 1 ? "it" : `all ${started}`} had to be ` +
            `started ${cost}.`
        : `${all}, sharing nothing; ${started} had to be started ${cost} and the other ` +
            `${r.processes - started} were reused.`;
    }
    default:
      return "";
  }
}

/** What the run shows when nothing failed, or null where the engine's notes tell it. */
function effect(r) {
  // What the browser says, which need not be the machine's count: WebKit rounds it (4 on this
  // project's 2-core machines), so sentences say "this browser reports".
  const cores = navigator.hardwareConcurrency || 1;
  // The counter's tasks do not wait (delay plays no part), and the deadlock's lock waits are not
  // the model's usual rounds: the engine's notes tell those runs. Processes keep their sentence,
  // which is about starting them.
  if (r.workload === "counter" && r.model !== "processes") return null;
  if (r.workload === "deadlock" && (r.model === "async" || r.model === "threads")) return null;
  if (r.model === "async" && r.offload) return offloadEffect(r, cores);
  if (r.model === "async" && r.blocking) {
    return (
      `Each task blocked the event loop instead of awaiting: they ran one after another ` +
      `(about ${r.tasks} × ${ms(r.delay)}), and the page could not even paint for up to ` +
      `${ms(r.eventLoopBusyMs)} at a stretch.`
    );
  }
  if (r.workload === "cpu") return cpuEffect(r, cores);
  if (r.model === "threads" && r.gil) {
    return (
      `Waiting releases the GIL, so even with it on the ${r.workload === "fetch" ? "requests" : "waits"} ` +
      `overlapped: ${ms(r.elapsedMs)} for an ideal of ${ms(r.idealMs)}.`
    );
  }
  return waitEffect(r);
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
