// The engine loader: the one module that knows there are two wasm builds. It picks one by
// feature detection, loads it once (one memoised promise) and starts the worker pool, so the
// rest of the page only ever awaits `loadEngine()`.
//
// Two builds, as wasm-bindgen-rayon's demo and Squoosh do (issue #4): a page without
// cross-origin isolation cannot share memory with workers, so it gets the plain module and never
// downloads code it cannot run.
import { threads as wasmThreads } from "./vendor/wasm-feature-detect.js";

/** Threads the pool starts with: at least 16 whatever the core count, so "one thread per task"
 * can be shown for up to 16 tasks; each idle pool thread costs about 2 MB of wasm memory. */
export const MIN_POOL_THREADS = 16;

const NO_ISOLATION_REASON =
  "Threads are off because this page is not cross-origin isolated: browsers only share memory " +
  "(SharedArrayBuffer) with Web Workers on pages served with the COOP and COEP headers, which " +
  "./build.sh serve sends.";

/** Why threads cannot run here, or null if they can. */
async function threadsUnavailableReason() {
  if (!globalThis.crossOriginIsolated) return NO_ISOLATION_REASON;
  if (typeof SharedArrayBuffer !== "function" || !(await wasmThreads())) {
    return "Threads are off because this browser does not support WebAssembly threads.";
  }
  return null;
}

let engine = null;

/**
 * Loads the engine once. Resolves to `{ wasm, capabilities }`: `wasm` is the wasm-bindgen
 * module (run, check, progress, stop, limits), `capabilities` what this page can do.
 */
export function loadEngine() {
  engine ??= load();
  return engine;
}

async function load() {
  const reason = await threadsUnavailableReason();
  const threads = reason === null;
  const wasm = threads
    ? await import("./pkg/mt/playground.js")
    : await import("./pkg/st/playground.js");
  await wasm.default();
  const hardwareConcurrency = navigator.hardwareConcurrency || 1;
  let poolSize = 0;
  let poolStartMs = null;
  if (threads) {
    poolSize = Math.max(MIN_POOL_THREADS, hardwareConcurrency);
    poolStartMs = await wasm.startPool(poolSize);
  }
  return {
    wasm,
    capabilities: {
      threads,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency,
      poolSize,
      poolStartMs,
      reason,
    },
  };
}
