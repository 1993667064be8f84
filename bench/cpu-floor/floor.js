// CPU work on two Web Workers, with nothing of the playground around it: the browser's own floor
// under the playground's "4 CPU tasks on 2 threads" speedup (threads of separate memory: a Web
// Worker with a wasm instance each). `window.cpuFloor(options)` starts two fresh workers with the
// kernel (kernels.js), warms both, calibrates the work on the first one alone, then times
// `tasks` tasks of `delay` ms, in alternating order:
//   one worker    the tasks one after another on worker 1 (the same thread each time)
//   two workers   the same tasks on both at once, each taking the next as its own ends
//   main thread   one after another on the page's main thread (the playground's sequential)
// Each task is one message and one answer, as a thread of separate memory is sent its tasks.
// bench/cpu-floor.mjs and tests/e2e/separate-checks.mjs drive it.
import { calibrate, compute, kernelOf } from "./kernels.js";

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function startWorker(kernel) {
  const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
  const ask = (message) =>
    new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
      worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
      worker.postMessage(message);
    });
  return ask({ kernel }).then(() => ({ ask, close: () => worker.terminate() }));
}

/** `tasks` tasks of `iters` on `lanes` (workers, or the main thread), each lane taking the next
 * as its own ends; resolves to the elapsed ms and each task's own ms. */
async function timed(lanes, tasks, iters) {
  let next = 0;
  const taskMs = [];
  const t0 = performance.timeOrigin + performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      while (next < tasks) {
        const r = await lane(next++, iters);
        taskMs.push(r.endMs - r.startMs);
      }
    }),
  );
  return { elapsedMs: performance.timeOrigin + performance.now() - t0, taskMs };
}

window.cpuFloor = async function cpuFloor({ kernel = "wasm", tasks = 4, delay = 300, reps = 3 }) {
  const workers = [await startWorker(kernel), await startWorker(kernel)];
  const main = await kernelOf(kernel);
  try {
    // Both warmed, one at a time; the work is the first worker's speed alone.
    await workers[1].ask({ calibrate: true });
    const { itersPerMs } = await workers[0].ask({ calibrate: true });
    const mainItersPerMs = await calibrate(main);
    const iters = Math.round(itersPerMs * delay);
    const onWorker = (w) => (x, n) => w.ask({ x, iters: n });
    const onMain = async (x, n) => {
      // The page's loop gives the event loop back between tasks, as the playground's does.
      await new Promise((r) => setTimeout(r, 0));
      return compute(main, x, n);
    };
    const cases = {
      oneWorker: [onWorker(workers[0])],
      twoWorkers: workers.map(onWorker),
      mainThread: [onMain],
    };
    const runs = { oneWorker: [], twoWorkers: [], mainThread: [] };
    const names = Object.keys(cases);
    for (let rep = 0; rep < reps; rep++) {
      for (const name of rep % 2 ? [...names].reverse() : names) {
        runs[name].push(await timed(cases[name], tasks, iters));
      }
    }
    const summary = {};
    for (const name of names) {
      summary[name] = {
        medianMs: median(runs[name].map((r) => r.elapsedMs)),
        elapsedMs: runs[name].map((r) => r.elapsedMs),
        taskMedianMs: median(runs[name].flatMap((r) => r.taskMs)),
      };
    }
    return {
      kernel,
      tasks,
      delay,
      reps,
      itersPerMs,
      mainItersPerMs,
      ...summary,
      // The floor: one worker's time for the tasks over two workers' time for the same tasks.
      ratio: summary.oneWorker.medianMs / summary.twoWorkers.medianMs,
      overMain: summary.mainThread.medianMs / summary.twoWorkers.medianMs,
      hardwareConcurrency: navigator.hardwareConcurrency,
    };
  } finally {
    for (const w of workers) w.close();
  }
};
window.cpuFloorReady = true;
