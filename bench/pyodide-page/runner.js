// The Pyodide side of the benchmark: the same asyncio program a learner would run in
// CPython, run by Pyodide (CPython compiled to wasm) in the same Chromium as the playground.
// bench/run.mjs opens this page and calls `window.pyBench`:
//
//   const info = await pyBench.ready;          // { readyMs, pyodide, python }
//   const r = await pyBench.gather(1000, 1000); // { elapsedMs, pythonSeconds, t0 }
//   await pyBench.cpu(8, iterations);            // the CPU loop of python_bench.py
//   await pyBench.threadsProbe();                // what threading.Thread.start() does here
//
// Pyodide comes from the npm package (node_modules/pyodide), never from a CDN.
import { loadPyodide } from "../../node_modules/pyodide/pyodide.mjs";

const status = document.getElementById("status");

// The learner's program: asyncio.gather of N sleeps, timed inside Python too.
const PROGRAM = `
import asyncio, sys, time

async def gather_sleeps(tasks, delay_s):
    t0 = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(delay_s) for _ in range(tasks)))
    return time.perf_counter() - t0

# The CPU task of bench/python_bench.py, the same loop run with the same iteration count.
def spin(iterations):
    total = 0
    for i in range(iterations):
        total += i * i
    return total

def cpu_sequential(tasks, iterations):
    t0 = time.perf_counter()
    for _ in range(tasks):
        spin(iterations)
    return time.perf_counter() - t0

# What happens when a learner starts a thread here.
def threads_probe():
    import threading
    try:
        threading.Thread(target=time.sleep, args=(0,)).start()
        return "threading.Thread.start() works"
    except Exception as e:
        return f"threading.Thread.start() raises {type(e).__name__}: {e}"
`;

async function load() {
  const pyodide = await loadPyodide({
    indexURL: new URL("../../node_modules/pyodide/", import.meta.url).href,
  });
  pyodide.runPython(PROGRAM);
  const readyMs = performance.now(); // since navigation start
  const python = pyodide.runPython("sys.version.split()[0]");
  status.textContent = `Pyodide ${pyodide.version} (Python ${python}) ready in ${Math.round(readyMs)} ms`;
  return { pyodide, info: { readyMs, pyodide: pyodide.version, python } };
}

const loaded = load();

/** Runs asyncio.gather of `tasks` sleeps of `delayMs`; resolves to the elapsed times. */
async function gather(tasks, delayMs) {
  const { pyodide } = await loaded;
  const fn = pyodide.globals.get("gather_sleeps");
  try {
    const t0 = performance.now();
    const pythonSeconds = await fn(tasks, delayMs / 1000);
    const elapsedMs = performance.now() - t0;
    return { elapsedMs, pythonSeconds, t0 };
  } finally {
    fn.destroy();
  }
}

/** Runs `tasks` CPU loops of `iterations` one after another; resolves to the elapsed times. */
async function cpu(tasks, iterations) {
  const { pyodide } = await loaded;
  const fn = pyodide.globals.get("cpu_sequential");
  try {
    const t0 = performance.now();
    const pythonSeconds = fn(tasks, iterations);
    return { elapsedMs: performance.now() - t0, pythonSeconds, t0 };
  } finally {
    fn.destroy();
  }
}

/** What `threading.Thread(...).start()` does in Pyodide, as a sentence. */
async function threadsProbe() {
  const { pyodide } = await loaded;
  return pyodide.runPython("threads_probe()");
}

window.pyBench = { ready: loaded.then(({ info }) => info), gather, cpu, threadsProbe };
