// The playground's public JavaScript API, the same object the page's own buttons use:
//
//   import { playground } from "./playground.js";   // or window.playground on the page
//   await playground.ready;
//   const r = await playground.run({ model: "async", tasks: 3, delayMs: 1000 });
//   r.elapsedMs; r.spans; // [{ id, lane, startMs, endMs }, ...]
//
// See README.md, "JavaScript API". Every run, whoever asked for it, is announced on
// `playground.events`: "start" and "end" around each run() call, and "runstart", "runend" (the
// record) or "runerror" around each model's run inside it. That is how the page draws API runs.
import { loadEngine } from "./engine.js";

/** The models "all" runs, in order: the classic comparison. `processes` runs on its own. */
export const MODELS = ["async", "threads", "sequential"];

const events = new EventTarget();

/** What this page can do; filled in when `ready` resolves. */
const capabilities = {
  threads: false,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  hardwareConcurrency: navigator.hardwareConcurrency || 1,
  poolSize: 0,
  poolStartMs: null,
  reason: "The engine is still loading.",
};

// The loaded wasm module, for the synchronous `progress()`; null until ready.
let wasmNow = null;

const ready = loadEngine().then(({ wasm, capabilities: found }) => {
  wasmNow = wasm;
  Object.assign(capabilities, found);
  return capabilities;
});

/** The threads a run uses when none are given: one per core, within the pool. */
function defaultThreads() {
  return Math.min(capabilities.hardwareConcurrency, capabilities.poolSize || 1);
}

/** Span states, as numbered by the engine (src/timeline.rs). */
const SPAN_STATES = ["done", "failed", "cancelled"];

/**
 * Adds `spans` to an engine record: the engine hands spans over as typed arrays (one copy, no
 * object per task); the objects are made only when someone reads `spans`, then kept.
 */
function withSpans(record) {
  let spans = null;
  Object.defineProperty(record, "spans", {
    enumerable: true,
    get() {
      if (spans === null) {
        spans = Array.from(record.spanId, (id, i) => ({
          id,
          lane: record.spanLane[i],
          startMs: record.spanStart[i],
          endMs: record.spanEnd[i],
          state: SPAN_STATES[record.spanState[i]],
        }));
      }
      return spans;
    },
  });
  return record;
}

/** The options the engine reads, with the page's defaults; unknown keys are dropped. */
function withDefaults(options) {
  const { model = "async", threads = defaultThreads() } = options;
  const { tasks, delayMs, timers, workload, gil, blocking, fail, failMode } = options;
  return { model, tasks, delayMs, threads, timers, workload, gil, blocking, fail, failMode };
}

function fieldError(message, field) {
  const err = new Error(message);
  err.field = field;
  return err;
}

let busy = false;

/**
 * Runs tasks under a model. `model` is "async", "threads", "sequential" or "all" (each model in
 * turn; resolves to `{ model: "all", runs: [...] }`). Rejects with an Error naming the bad field
 * and its range, or if a run is already under way.
 */
async function run(options = {}) {
  const { wasm } = await loadEngine();
  if (options === null || typeof options !== "object") {
    throw fieldError("run() takes an object: { model, tasks, delayMs, threads }.", "model");
  }
  const request = withDefaults(options);
  const { model } = request;
  const verdict = wasm.check(request);
  if (!verdict.ok) {
    throw fieldError(verdict.errors.map((e) => e.message).join(" "), verdict.errors[0].field);
  }
  if (busy) throw new Error("A run is already under way: stop it or wait for it to end.");
  busy = true;
  events.dispatchEvent(new CustomEvent("start", { detail: { model } }));
  try {
    if (model !== "all") return await runOne(wasm, request);
    const runs = [];
    for (const m of MODELS) {
      if (m === "threads" && !capabilities.threads) continue;
      const r = await runOne(wasm, { ...request, model: m });
      runs.push(r);
      if (r.stopped) break;
    }
    return { model: "all", runs };
  } finally {
    busy = false;
    events.dispatchEvent(new CustomEvent("end", { detail: { model } }));
  }
}

async function runOne(wasm, request) {
  const { model, tasks } = request;
  events.dispatchEvent(new CustomEvent("runstart", { detail: { model, tasks: Number(tasks) } }));
  // Browsers throttle timers in background tabs: a run that was hidden at any moment is marked
  // as distorted (issue #6). Visibility is the page's to know, not the engine's.
  let hidden = document.hidden;
  const onVisibility = () => (hidden ||= document.hidden);
  document.addEventListener("visibilitychange", onVisibility);
  let record;
  try {
    record = withSpans(await wasm.run(request));
  } catch (err) {
    events.dispatchEvent(new CustomEvent("runerror", { detail: { model, error: err } }));
    throw err;
  } finally {
    document.removeEventListener("visibilitychange", onVisibility);
  }
  record.distorted = hidden;
  if (hidden) {
    record.notes.push(
      "Distorted: the page was hidden during the run, and browsers slow timers in background tabs.",
    );
  }
  events.dispatchEvent(new CustomEvent("runend", { detail: record }));
  return record;
}

/** Checks a request without running it: `{ ok, errors: [{ field, message }] }`. */
async function check(options = {}) {
  const { wasm } = await loadEngine();
  return wasm.check(withDefaults(options ?? {}));
}

/** The run under way, `{ done, total, elapsedMs }`, or null. Synchronous once ready. */
function progress() {
  return wasmNow?.progress() ?? null;
}

/** Stops the run under way; resolves once its `run()` has resolved (with `stopped: true`). */
async function stop() {
  const { wasm } = await loadEngine();
  if (!wasm.stop()) return false;
  await new Promise((resolve) => {
    const done = () => {
      events.removeEventListener("end", done);
      resolve();
    };
    events.addEventListener("end", done);
  });
  return true;
}

/** The Rust code that runs a model and workload: `[{ name, code }]`. Synchronous once ready. */
function rustCode(model, workload = "sleep", blocking = false, timers = "wheel") {
  return wasmNow?.rustCode(model, workload, blocking, timers) ?? [];
}

/** Diagnostics: `{ wasmMemoryBytes, heapBytes, workers, processes, runs }`. Synchronous once ready. */
function stats() {
  return wasmNow?.stats() ?? null;
}

/** The fixed limits: `{ maxTasks, maxDelayMs, maxRunMs, poolSize }`. */
async function limits() {
  const { wasm } = await loadEngine();
  return wasm.limits();
}

export const playground = {
  ready,
  capabilities,
  run,
  check,
  progress,
  stop,
  stats,
  rustCode,
  limits,
  events,
};
export { ready, capabilities, run, check, progress, stop, stats, rustCode, limits, events };
