// @ts-check
// The playground's public JavaScript API, the same object the page's own buttons use:
//
//   import { playground } from "./playground.js";   // or window.playground on the page
//   await playground.ready;
//   const r = await playground.run({ model: "async", tasks: 3, delay: 1000 });
//   r.elapsedMs; r.spans; // [{ id, lane, startMs, endMs, state }, ...]
//   JSON.stringify(await playground.trace(r)); // Chrome trace-event JSON, for Perfetto or DevTools
//
// Types: playground.d.ts (generated from the engine's Rust). The engine checks options once,
// runs every model of `model: "all"`, and builds the whole record; this module only forwards,
// and announces every run, whoever asked for it, on `playground.events`: "start" and "end"
// around each run() call, and "runstart", "runend" (the record) or "runerror" around each
// model's run inside it. That is how the page draws API runs.
import { fetchReady, loadEngine, startPool } from "./engine.js";
import { schema } from "./schema.js";

/** @typedef {import("./playground").Playground} Playground */
/** @typedef {import("./playground").Capabilities} Capabilities */

const events = new EventTarget();

/** @type {Capabilities} What this page can do; filled in when `ready` resolves. */
const capabilities = {
  threads: false,
  memory: "separate",
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  hardwareConcurrency: navigator.hardwareConcurrency || 1,
  poolSize: 0,
  maxThreads: 0,
  poolStartMs: null,
  poolOnDemand: false,
  reason: "The engine is still loading.",
  fetch: false,
  fetchAnsweredBy: null,
  fetchReason: null,
};

// The loaded wasm module, for the synchronous calls; null until ready.
/** @type {any} */
let wasmNow = null;

const ready = loadEngine().then(({ wasm, capabilities: found }) => {
  wasmNow = wasm;
  Object.assign(capabilities, found);
  return capabilities;
});

/** @type {(started: Promise<number | null>) => void} */
let settlePool = () => {};
/**
 * Resolves once the worker pool has started, to its start time in ms, or to null where this page
 * has no threads. Reading it starts nothing: it settles with the pool, whoever starts it.
 * @type {Promise<number | null>}
 */
const threadsReady = new Promise((resolve) => (settlePool = resolve));

/** Starts the pool (once) and settles `threadsReady` with it. */
function ensurePool() {
  const started = startPool().then((ms) => (capabilities.poolStartMs = ms));
  settlePool(started);
  return started;
}
ready.then((caps) => {
  // Threads of separate memory have no pool to start (each run takes its own workers).
  if (caps.memory !== "shared") settlePool(Promise.resolve(null));
  // The embed view starts no worker until a run needs threads (`poolOnDemand`); the full page
  // starts its pool as soon as the engine is ready, in the background.
  else if (!caps.poolOnDemand) ensurePool();
});

/** @param {string} type @param {unknown} detail */
function emit(type, detail) {
  events.dispatchEvent(new CustomEvent(type, { detail }));
}

/** @param {unknown} model @returns whether a run of `model` uses the worker pool */
const usesPool = (model) =>
  model === "threads" || (model === "all" && schema.allModels.includes("threads"));

/** @type {Playground["run"]} */
async function run(options = {}) {
  const { wasm } = await loadEngine();
  // The engine waits for a pool that is starting; it is this module's to start one.
  if (capabilities.memory === "shared" && usesPool(options?.model)) ensurePool();
  // On a first visit the service worker that answers fetch runs may not control the page yet;
  // the wait is not part of the run (its clock starts inside the engine).
  if (options?.workload === "fetch") await fetchReady();
  return wasm.run(options, emit);
}

/** @type {Playground["check"]} */
async function check(options = {}) {
  const { wasm } = await loadEngine();
  return wasm.check(options);
}

/** @type {Playground["progress"]} */
function progress() {
  return wasmNow?.progress() ?? null;
}

/** @type {Playground["live"]} */
function live() {
  return wasmNow?.live() ?? null;
}

/** @type {Playground["stop"]} */
async function stop() {
  const { wasm } = await loadEngine();
  if (!wasm.stop()) return false;
  await new Promise((resolve) => events.addEventListener("end", resolve, { once: true }));
  return true;
}

/** @type {Promise<Record<string, string>> | null} snippets.json, fetched on the first call. */
let snippets = null;

/**
 * The excerpts' text is a file next to this module (written with the wasm module, from the same
 * source), not data inside the module: only the code panel needs it.
 * @type {Playground["rustCode"]}
 */
async function rustCode(
  model,
  workload = "sleep",
  blocking = false,
  timers = "wheel",
  options = {},
) {
  const { wasm } = await loadEngine();
  /** @type {string[]} */
  const names = wasm.rustCodeNames(model, workload, blocking, timers, options);
  snippets ??= fetch(new URL("snippets.json", import.meta.url)).then((r) => {
    if (!r.ok) throw new Error(`snippets.json: HTTP ${r.status}`);
    return r.json();
  });
  // A failed fetch is tried again at the next call.
  const text = await snippets.catch((err) => {
    snippets = null;
    throw err;
  });
  return names.map((name) => ({ name, code: text[name] ?? "" }));
}

/** @type {Playground["demoSentence"]} */
function demoSentence(key, runs) {
  return wasmNow?.demoSentence(key, runs, capabilities.reason ?? undefined) ?? null;
}

/** @type {Playground["questions"]} */
async function questions(options = {}) {
  const { wasm } = await loadEngine();
  return wasm.questions(options);
}

/** @type {Playground["judge"]} */
function judge(record, prediction) {
  return wasmNow?.judge(record, prediction) ?? null;
}

/** @type {Playground["costs"]} */
function costs() {
  const { threads, poolSize, poolStartMs } = capabilities;
  return wasmNow?.costs(threads, poolSize, poolStartMs ?? undefined) ?? [];
}

/**
 * trace.js loads with the first trace asked for: a page that never exports one never needs it.
 * @type {Playground["trace"]}
 */
async function trace(record) {
  return (await import("./trace.js")).trace(record);
}

/** @type {Playground["stats"]} */
function stats() {
  return wasmNow?.stats() ?? null;
}

/**
 * "You are the scheduler": the engine keeps the game and its two real threads; this only
 * forwards. Where threads cannot share this page's memory the engine's plain build rejects
 * with a sentence, given the page's reason.
 * @type {Playground["scheduler"]}
 */
const scheduler = {
  async start(options = {}) {
    const { wasm } = await loadEngine();
    return wasm.schedulerStart(options, capabilities.reason ?? undefined);
  },
  async step(thread = "random") {
    const { wasm } = await loadEngine();
    return wasm.schedulerStep(thread);
  },
  state: () => wasmNow?.schedulerState() ?? null,
  stop: () => wasmNow?.schedulerStop() ?? false,
};

/** @type {Playground} */
export const playground = {
  ready,
  threadsReady,
  capabilities,
  schema,
  run,
  check,
  progress,
  live,
  stop,
  stats,
  rustCode,
  demoSentence,
  questions,
  judge,
  costs,
  events,
  trace,
  scheduler,
};
export { schema };
