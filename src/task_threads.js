// Task threads: Web Workers that load the page's own module on the page's own shared memory, the
// way wasm-bindgen-rayon's worker helper starts its pool, so a task thread's records land in the
// same memory as everything else. This file is both the module the engine imports
// (startTaskThreads) and, fetched once as a blob, the script every task thread runs.

/** @param {any} target @param {string} type */
function waitForMsgType(target, type) {
  return new Promise((resolve) => {
    target.addEventListener("message", function onMsg({ data }) {
      if (data == null || data.type !== type) return;
      target.removeEventListener("message", onMsg);
      resolve(data);
    });
  });
}

// In a task thread: instantiate the module on the shared memory with the smaller stack the engine
// asked for (wasm-bindgen's default is 2 MB a thread), say so, then enter the thread's loop, which
// never returns (it waits for jobs with Atomics.wait, which a worker may do).
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  waitForMsgType(self, "playground_task_thread_init").then(async (data) => {
    const pkg = await import(data.mainJS);
    await pkg.default({
      module_or_path: data.module,
      memory: data.memory,
      thread_stack_size: data.stackSize,
    });
    postMessage({ type: "playground_task_thread_ready" });
    try {
      pkg.playground_task_thread(data.mailbox);
    } catch {
      // A trap (a panic aborts on wasm) ends this thread; the run's watchdog reports it.
    }
  });

  // In the pool's starter: instantiate the module on the shared memory, start
  // wasm-bindgen-rayon's pool from here, and say how it went. This worker stays for the page's
  // life: the pool's workers are its children, and a worker's children end with it.
  waitForMsgType(self, "playground_pool_starter_init").then(async (data) => {
    try {
      const pkg = await import(data.mainJS);
      await pkg.default({
        module_or_path: data.module,
        memory: data.memory,
        thread_stack_size: data.stackSize,
      });
      await pkg.playground_pool_start(data.threads);
      postMessage({ type: "playground_pool_started" });
    } catch (e) {
      postMessage({ type: "playground_pool_started", error: String(e?.message ?? e) });
    }
  });
}

// Kept so that Firefox does not collect workers that are only reachable through shared memory
// (https://bugzilla.mozilla.org/show_bug.cgi?id=1702191), as wasm-bindgen-rayon does.
const workers = [];
/** @type {Promise<string> | null} */
let scriptUrl = null;

/** This file as a blob URL, the script of every worker started here: fetched once. */
function workerScript() {
  scriptUrl ??= fetch(import.meta.url)
    .then((r) => r.blob())
    .then((b) => URL.createObjectURL(b));
  return scriptUrl;
}

/**
 * Starts one worker on `url`, hands it `init` and resolves to its first message of type
 * `answer`. A worker the browser refuses (too many, out of memory) fires `error` instead, which
 * rejects with `failed` and the browser's reason.
 * @param {string} url @param {any} init @param {string} answer @param {string} failed
 * @returns {Promise<any>}
 */
function startWorker(url, init, answer, failed) {
  const worker = new Worker(url, { type: "module" });
  workers.push(worker);
  const answered = Promise.race([
    waitForMsgType(worker, answer),
    new Promise((_, reject) =>
      worker.addEventListener("error", (e) =>
        reject(new Error(`${failed}: ${e.message ?? "worker error"}`)),
      ),
    ),
  ]);
  worker.postMessage(init);
  return answered;
}

/**
 * Starts one Web Worker per mailbox and resolves once each has instantiated the module and is
 * about to enter its loop. The script is fetched once, as a blob, for all of them.
 * @param {WebAssembly.Module} module
 * @param {WebAssembly.Memory} memory
 * @param {string} mainJS
 * @param {Uint32Array} mailboxes
 * @param {number} stackSize
 */
export async function startTaskThreads(module, memory, mainJS, mailboxes, stackSize) {
  const url = await workerScript();
  // A few workers start at a time: each start is work on the same few cores, so more at once
  // only makes each slower, and creating hundreds in one go would block the page for seconds.
  const queue = Array.from(mailboxes);
  const startNext = async () => {
    for (let mailbox = queue.shift(); mailbox !== undefined; mailbox = queue.shift()) {
      await startWorker(
        url,
        { type: "playground_task_thread_init", module, memory, mainJS, mailbox, stackSize },
        "playground_task_thread_ready",
        "a task thread failed to start",
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(STARTING_AT_ONCE, queue.length) }, startNext));
}

/**
 * Starts wasm-bindgen-rayon's pool of `threads` from a worker of its own (the pool's starter) and
 * resolves once the pool is up. Started from the page, the pool's start can trap: it hands each
 * pool thread its work through a channel whose lock, when a pool thread holds it at that moment,
 * makes the page wait, which a page may not do (RuntimeError: Atomics.wait cannot be called in
 * this context; https://github.com/RReverser/wasm-bindgen-rayon/issues/36). A worker may wait.
 * @param {WebAssembly.Module} module
 * @param {WebAssembly.Memory} memory
 * @param {string} mainJS
 * @param {number} threads
 * @param {number} stackSize
 */
export async function startPoolOffMain(module, memory, mainJS, threads, stackSize) {
  const { error } = await startWorker(
    await workerScript(),
    { type: "playground_pool_starter_init", module, memory, mainJS, threads, stackSize },
    "playground_pool_started",
    "the pool's starter failed",
  );
  if (error !== undefined) throw new Error(`the worker pool failed to start: ${error}`);
}

/** Workers being started at once. */
const STARTING_AT_ONCE = 8;
