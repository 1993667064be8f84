// "Cost of the machinery": what the engine measured for the latest run of
// each model, each with one line on why it differs.

import { number, precise } from "./format.js";

const latest = new Map();

function bytes(b) {
  if (b >= 1 << 20) return `${number(b / (1 << 20))} MB`;
  if (b >= 1024) return `${number(b / 1024)} KB`;
  return `${number(b)} bytes`;
}

/** Below this many tasks, a run's heap per task says little about one task. */
const FEW_TASKS = 1000;

/** Why starting an async task costs what it did: what that run's tasks did as they started. */
function startWhy(a) {
  if (a.workload === "fetch") {
    return "A function call, an entry in a queue and the browser's fetch() of the task's request: no thread, no stack.";
  }
  if (a.timers === "per-task") {
    return "A function call, an entry in a queue and a browser timer of the task's own: no thread, no stack.";
  }
  return "A function call and an entry in a queue: no thread, no stack, nothing from the browser.";
}

function rows(capabilities) {
  const out = [];
  const a = latest.get("async");
  if (a) {
    // The figure is the run's heap peak over its tasks: with few tasks, what the run needs
    // whatever its size (its record, its output) weighs in, and the line says so.
    out.push([
      `Async: heap per task (${number(a.tasks)} tasks, ${a.timers} executor)`,
      bytes(a.heapBytesPerTask),
      (a.tasks < FEW_TASKS
        ? `This run's whole heap peak (${bytes(a.heapPeakBytes)}) over only ${number(a.tasks)} ` +
          `tasks, so it also counts what a run needs whatever its size; run ` +
          `${number(FEW_TASKS * 10)} tasks to see what one task costs. `
        : "") +
        // CPython's figure per pending asyncio task: BENCHMARKS.md, "Figures behind design
        // choices".
        "A task is a small state machine in one array, plus its span record; CPython 3.11 " +
        "spends about 1,500 bytes of memory on each pending asyncio task.",
    ]);
    // Not measured for some runs (the engine's contract says which): no line then.
    if (a.taskStartUs !== undefined) {
      out.push([
        "Async: creating and starting one task",
        `${precise(a.taskStartUs)} µs`,
        startWhy(a),
      ]);
    }
  }
  if (capabilities.threads) {
    const t = latest.get("threads");
    // A run with more threads than the pool started (or reused) threads of its own.
    const own = t?.threadsStarted !== undefined;
    out.push([
      own ? "Threads: memory per thread started past the pool" : "Threads: memory per pool thread",
      t ? bytes(t.threadBytes) : "run threads to measure",
      "Each thread has its own stack and thread-local storage in the shared wasm memory, used or not.",
    ]);
    // Against the async start measured above, when there is one: the ratio is this page's own.
    const ratio =
      t && a?.taskStartUs ? Number(((t.threadStartMs * 1000) / a.taskStartUs).toPrecision(2)) : 0;
    out.push([
      "Threads: starting one worker thread",
      t ? `${number(t.threadStartMs)} ms` : "run threads to measure",
      "A Web Worker, a module and a wasm instance on the shared memory" +
        (ratio > 1
          ? `: about ${number(ratio)} times the cost of starting one async task, above. `
          : ". ") +
        (own
          ? t.threadsStarted > 0
            ? `This run started ${number(t.threadsStarted)} of its threads, in ` +
              `${number(t.threadsStartMs)} ms of its ${number(t.elapsedMs)} ms.`
            : "This run's threads were left from an earlier run: none started in its time."
          : `The pool of ${capabilities.poolSize} started once, in ` +
            `${number(capabilities.poolStartMs)} ms, before any run.`),
    ]);
  }
  const p = latest.get("processes");
  if (p) {
    out.push([
      "Processes: starting one process",
      p.processesStarted > 0 ? `${number(p.processStartMs)} ms` : "reused (started earlier)",
      "A worker with a wasm instance and memory of its own; kept for the next runs, like a " +
        "multiprocessing.Pool, because starting is the expensive part.",
    ]);
  }
  return out;
}

/** Records a run and redraws the list into `dl`. */
export function showOverhead(dl, record, capabilities) {
  latest.set(record.model, record);
  const items = rows(capabilities).flatMap(([name, value, why]) => {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    const strong = document.createElement("strong");
    strong.textContent = value;
    dd.append(strong, ` — ${why}`);
    return [dt, dd];
  });
  dl.replaceChildren(...items);
}
