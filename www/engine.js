// The engine loader: the one module that knows there are two wasm builds. It picks one by
// feature detection, loads it once (one memoised promise) and starts the worker pool, so the
// rest of the page only ever awaits `loadEngine()`.
//
// Two builds, as wasm-bindgen-rayon's demo and Squoosh do: a page without
// cross-origin isolation cannot share memory with workers, so it gets the plain module and never
// downloads code it cannot run.
import { threads as wasmThreads } from "./vendor/wasm-feature-detect.js";

/** Threads the pool starts with: at least 16 whatever the core count, so "one thread per task"
 * can be shown for up to 16 tasks; each idle pool thread costs about 2 MB of wasm memory. */
const MIN_POOL_THREADS = 16;

/**
 * Most threads a threads run may start, one Web Worker each, past the pool. Headless Chromium
 * holds the engine's own ceiling (`MAX_THREADS`, src/params/limits.rs; see the README's "A thread
 * per task" and BENCHMARKS.md).
 * Firefox lets a site have at most 512 workers (dom.workers.maxPerDomain) and queues the rest
 * without an error, which would hang a run: 512 less the pool and the processes' 16 workers.
 * Threads of separate memory each hold a wasm memory of their own, and V8 (Chromium) reserves
 * several GiB of address space for each (github.com/nodejs/node/issues/41319) from a fixed budget
 * per page: past a limit a new instance fails ("Out of memory: Cannot allocate Wasm memory for
 * new instance", BENCHMARKS.md). 100 leaves room for the page's own instance and the processes'.
 * @param {number} poolSize
 * @param {boolean} shared whether threads share the page's memory
 */
function maxThreadsHere(poolSize, shared) {
  const agent = navigator.userAgent;
  if (/\bFirefox\//.test(agent)) return 512 - poolSize - 16;
  // Chrome/ (HeadlessChrome/ too, and every browser built on Chromium).
  if (!shared && /Chrome\//.test(agent)) return 100;
  return 1000;
}

/**
 * Why threads cannot share memory here, as a code (its sentence is the engine's: `threadsReason`,
 * src/params/no_shared_memory.rs), or null if they can: coi.js's reason for a page that stays
 * without isolation, `not-isolated` without one, `unsupported` for an isolated page whose
 * browser has no WebAssembly threads.
 */
async function noSharedMemory() {
  // Without coi.js (the API imported by another page) there is nothing to wait for. With it,
  // this stays pending on the page that is about to reload into an isolated one.
  const coi = await globalThis.coi?.isolation;
  if (!globalThis.crossOriginIsolated) return coi ?? "not-isolated";
  if (typeof SharedArrayBuffer !== "function" || !(await wasmThreads())) return "unsupported";
  return null;
}

let engine = null;

/**
 * The embed view (a page inside a documentation page). It starts its worker pool only with the
 * first threads run (`capabilities.poolOnDemand`), and starts downloading the engine only once it
 * has painted (see firstPaint). embed-view.js, a classic script that runs before this module,
 * decides it from the link (`embed=1`) and marks `<html class="embed">`: read here, so that the
 * rule lives in one place, and a page that only imports the API (no embed-view.js) is never an
 * embed, whatever its own URL says.
 */
const embedded = globalThis.document?.documentElement.classList.contains("embed") ?? false;

// Loaded by its own <script type="module" async> in index.html, the module starts the engine at
// once; the page's modules pick up the same promise through loadEngine().
if (globalThis.document) queueMicrotask(() => loadEngine());

/**
 * Loads the engine once. Resolves to `{ wasm, capabilities }`: `wasm` is the wasm-bindgen
 * module, `capabilities` what this page can do. The worker pool is started separately
 * (`startPool`), so the engine is usable as soon as it is instantiated.
 */
export function loadEngine() {
  engine ??= load();
  return engine;
}

/**
 * Makes the page's service worker (www/coi-serviceworker.js, which also answers the fetch
 * workload's latency endpoint: scripts/latency-sw.js) control this page, when it can: a browser
 * opens at most 6 connections to one HTTP/1.1 server, and the worker, inside the browser, has no
 * such limit. On a static host coi.js has registered it already (the page reloaded into it); on
 * a page the server isolates, coi.js registers it as the page begins (or this function, without
 * coi.js); on a page that stays without isolation, coi.js registers it with no reload. Resolves,
 * once registration has ended, to `{ why, claimed, registered }`: the code of why it cannot
 * answer (null if it can; the engine's `fetchReason` writes the sentence), a promise that
 * settles when it controls the page (installing and claiming take a few hundred ms on a first
 * visit, which only a fetch run waits for, not `ready`: see `fetchReady`), and whether this page
 * registered it.
 */
async function serviceWorkerAnswering() {
  const container = globalThis.navigator?.serviceWorker;
  const now = Promise.resolve(); // claimed already, or never will be
  const registering = globalThis.coi?.early?.worker;
  if (container?.controller && !registering) {
    return { why: null, claimed: now, registered: false };
  }
  // A page that stays without isolation (an embed the browser cannot isolate): coi.js has
  // registered the worker with no reload.
  const answering = globalThis.coi?.answering;
  if (answering) return answeredWithoutIsolation(answering);
  // A page that is not isolated is coi.js's to register (it reloads into the worker); without
  // that library (the --no-isolation server serves it empty) there is nothing to register.
  if (!container || globalThis.crossOriginIsolated !== true) {
    const why = globalThis.isSecureContext ? refused() : "insecure";
    return { why, claimed: now, registered: false };
  }
  try {
    // Registered early, it may control the page already.
    const claimed = container.controller
      ? now
      : new Promise((resolve) =>
          container.addEventListener("controllerchange", resolve, { once: true }),
        );
    await (registering ??
      container.register(new URL("coi-serviceworker.js", import.meta.url).href));
    // If it never claims the page, fetch runs go ahead after 5 s, answered by the server if it
    // can (each record says who answered its requests).
    const late = new Promise((resolve) => setTimeout(resolve, 5000));
    return { why: null, claimed: Promise.race([claimed, late]), registered: true };
  } catch {
    // Refused: service workers blocked (a setting or a policy). A cross-site frame is not
    // refused by Chromium: it gets a worker of its own, in storage partitioned by the top site.
    return { why: refused(), claimed: now, registered: false };
  }
}

/** The code of a refused registration: an embed's refusal has a sentence of its own. */
const refused = () => (globalThis.top !== globalThis.self ? "framed-refused" : "blocked");

/**
 * Waits until the worker coi.js registered without isolation (`coi.answering`) controls the page,
 * 5 s at most, before the engine says what answers fetch: api/status.json, fetched through the
 * worker once it is in control, then says it does.
 * @param {Promise<unknown>} answering
 */
async function answeredWithoutIsolation(answering) {
  const now = Promise.resolve();
  const late = new Promise((resolve) => setTimeout(resolve, 5000, "late"));
  try {
    const claimed = await Promise.race([answering, late]);
    return { why: claimed === "late" ? "not-claimed" : null, claimed: now, registered: false };
  } catch {
    return { why: refused(), claimed: now, registered: false };
  }
}

/**
 * The fetch workload needs something that answers its latency endpoint: the page's service
 * worker, or else what api/status.json says (the project's server answers it; a static host
 * serves the file that says nothing does). Resolves to `{ url, answeredBy, why, claimed }`, `why`
 * the code of the reason there is none (its sentence is the engine's: `fetchReason`).
 */
async function latencyEndpoint() {
  const worker = await serviceWorkerAnswering();
  // Registered by this page, so perhaps not in control yet: it will answer (it is this project's
  // own worker, which always does), and a fetch run waits until it controls the page.
  if (worker.registered) {
    return {
      url: new URL("api/latency", import.meta.url).href,
      answeredBy: "service worker",
      why: null,
      claimed: worker.claimed,
    };
  }
  try {
    const status = await (await fetch(new URL("api/status.json", import.meta.url))).json();
    if (status.latency === true) {
      return {
        url: new URL("api/latency", import.meta.url).href,
        answeredBy: status.answeredBy === "service worker" ? "service worker" : "server",
        why: null,
        claimed: worker.claimed,
      };
    }
  } catch {
    // Unreadable: as if there were no endpoint.
  }
  return { url: null, answeredBy: null, why: worker.why ?? "blocked", claimed: worker.claimed };
}

/**
 * Settles when the fetch workload's requests go where the engine says they do (the page's
 * service worker controls the page, on a first visit); a fetch run waits for it, outside its
 * elapsed time.
 */
export function fetchReady() {
  return loadEngine().then(({ endpointClaimed }) => endpointClaimed);
}

/** The pool's start, once: resolves to the ms it took, or null where there are no threads. */
let pool = null;

/**
 * Starts the worker pool if this page has threads and it is not started yet; resolves when it is
 * up. Runs do not need to wait for it: a threads run asked for meanwhile waits in the engine.
 */
export function startPool() {
  pool ??= loadEngine().then(({ wasm, capabilities }) =>
    capabilities.memory === "shared" ? wasm.startPool(capabilities.poolSize) : null,
  );
  return pool;
}

/**
 * Settles once the page has painted for the first time: at once where no paint will come soon
 * (a hidden page, a browser without paint timing), and after 500 ms at the latest (a frame the
 * browser does not render yet, such as an embed below the fold).
 *
 * The embed view waits for it before it downloads the engine, its largest file: a guest on
 * someone else's page shows its text first, and leaves the network to the host page until then.
 * Lighthouse's simulated slow phone counts every download that ended before the first paint as
 * holding that paint up, and with the engine among them the embed's largest paint came much
 * later. The wait makes `ready` a little later, because the paint entry arrives only after the
 * main thread's first long task (the page's modules); the figures are in BENCHMARKS.md. The
 * embed view takes that cost (bundled, its `ready` is still sooner than before); the full page,
 * whose engine is what a visitor came for, does not wait (tried: `ready` later, and no change in
 * Lighthouse's LCP that the machine's load let one see).
 * @returns {Promise<void>}
 */
function firstPaint() {
  const painted = () =>
    performance.getEntriesByType("paint").some((e) => e.name === "first-contentful-paint");
  if (
    typeof document === "undefined" ||
    document.visibilityState !== "visible" ||
    !PerformanceObserver.supportedEntryTypes?.includes("paint") ||
    painted()
  ) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const observer = new PerformanceObserver(() => painted() && done());
    const timer = setTimeout(done, 500);
    function done() {
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    }
    observer.observe({ type: "paint" });
  });
}

/**
 * Starts one build's download and compilation: the long part of starting, so begun before the
 * glue module and its imports load, not after them.
 * @param {"mt" | "st"} build
 */
function compile(build) {
  const url = new URL(`./pkg/${build}/playground_bg.wasm`, import.meta.url);
  const painted = embedded ? firstPaint() : Promise.resolve();
  const compiled = WebAssembly.compileStreaming(painted.then(() => fetch(url)));
  // Left to the glue's own error path if it fails (e.g. a server that sends the wrong MIME type).
  compiled.catch(() => {});
  return { url, compiled };
}

/**
 * The process worker's script (the processes model, and threads with separate memory). On a page
 * that stays without isolation and was not served by the page's service worker (an embed the
 * worker answers with no reload: coi.js), `direct` asks the worker to hand the script on as the
 * server sends it, as the page itself came: WebKitGTK refuses a worker whose script has a COEP
 * header its page lacks (tests/e2e/docs.test.mjs, a cross-site embed on a static host).
 */
function processWorkerUrl() {
  const url = new URL("process.js", import.meta.url);
  const coi = globalThis.coi;
  if (coi && globalThis.crossOriginIsolated !== true && !coi.servedByWorker) {
    url.searchParams.set("direct", "1");
  }
  return url.href;
}

async function load() {
  const endpoint = latencyEndpoint();
  // An isolated page with SharedArrayBuffer loads the threaded build unless the browser lacks
  // WebAssembly threads, which the test below answers only once the page's busy main thread gets to
  // it, later on a fresh load: so that build and its glue start loading now (the glue as the page
  // began, in coi.js, where it is there), and are dropped in that rare case. A page not isolated
  // yet may be about to reload, and waits.
  const likely = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === "function";
  const early = likely ? compile("mt") : null;
  const earlyGlue = likely
    ? (globalThis.coi?.early?.glue ?? import("./pkg/mt/playground.js"))
    : null;
  earlyGlue?.catch(() => {}); // awaited below if it is used
  const why = await noSharedMemory();
  const threads = why === null;
  const { url, compiled } = threads && early ? early : compile(threads ? "mt" : "st");
  const wasm = threads
    ? await (earlyGlue ?? import("./pkg/mt/playground.js"))
    : await import("./pkg/st/playground.js");
  await wasm.default({ module_or_path: await compiled.catch(() => url) });
  const hardwareConcurrency = navigator.hardwareConcurrency || 1;
  const poolSize = threads ? Math.max(MIN_POOL_THREADS, hardwareConcurrency) : 0;
  // Without shared memory, threads are Web Workers with a wasm instance each (the process
  // worker, src/runner/separate_threads.rs): no pool to share.
  const maxThreads = maxThreadsHere(poolSize, threads);
  const latency = await endpoint;
  wasm.configure({
    fetchUrl: latency.url,
    processUrl: processWorkerUrl(),
    // So that a refused threads run names the real reason: an isolated page whose browser has
    // no WebAssembly threads (WebKitGTK) is not "not isolated".
    threadsOff: globalThis.crossOriginIsolated ? "unsupported" : "not-isolated",
    memory: threads ? "shared" : "separate",
    maxThreads,
  });
  // The engine checks threads runs against the pool this page will have, before it has started.
  // Only the threaded build has it: `threads` says that build was loaded.
  if (threads) /** @type {typeof import("./pkg/mt/playground.js")} */ (wasm).planPool(poolSize);
  return {
    wasm,
    endpointClaimed: latency.claimed,
    capabilities: {
      // Threads run everywhere: on shared memory where the threaded build loaded, else on
      // workers with memory of their own (`reason` says why).
      threads: true,
      memory: /** @type {"shared" | "separate"} */ (threads ? "shared" : "separate"),
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency,
      // The pool this page will have; it starts after the engine is ready (startPool), so
      // async and sequential runs never wait for it.
      poolSize,
      maxThreads,
      poolStartMs: null,
      poolOnDemand: embedded,
      reason: why === null ? null : wasm.threadsReason(why),
      fetch: latency.url !== null,
      fetchAnsweredBy: latency.answeredBy,
      fetchReason: latency.why === null ? null : wasm.fetchReason(latency.why),
    },
  };
}
