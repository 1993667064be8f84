// The CPython side of the bench: bench/python_bench.py run by the machine's python3, one process
// per async N (so memory is measured from a clean start), one for the threads, one for the CPU
// work (calibrated once, the same iteration count for every case) and one for the races.
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { log, median } from "./common.mjs";

const execFileAsync = promisify(execFile);

/** Runs python_bench.py on `scenarios`; its JSON, or `{ error }`. */
async function python(scenarios, timeoutMs) {
  try {
    const { stdout } = await execFileAsync(
      "python3",
      ["bench/python_bench.py", JSON.stringify(scenarios)],
      { timeout: timeoutMs, maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout);
  } catch (err) {
    return { error: err.killed ? `timed out after ${timeoutMs / 1000} s` : String(err.message) };
  }
}

/** Result `i` of a python_bench.py run, in milliseconds, as the report reads it. */
function pyResult(res, i) {
  if (res.error)
    return { status: res.error.startsWith("timed out") ? "timed out" : "error", error: res.error };
  return timesOf(
    res.results[i].reps.map((s) => s * 1000),
    res.results[i],
  );
}

function timesOf(reps, r = {}) {
  return {
    status: "ok",
    reps,
    medianMs: median(reps),
    minMs: Math.min(...reps),
    maxMs: Math.max(...reps),
    rssBytesPerTask: r.rssBytesPerTask ?? null,
    threadStartMs: r.threadStartMs ?? null,
  };
}

/** python3 up to asyncio and threading imported: CPython's "page ready". */
function startup() {
  const starts = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    spawnSync("python3", ["-c", "import asyncio, threading, concurrent.futures"]);
    starts.push(performance.now() - s);
  }
  return median(starts);
}

/**
 * The CPU cases CPython has (3.11 always has a GIL: no "GIL off" case), each on the same
 * `iterations` per task, repetitions interleaved in alternating order (sequential, threads,
 * threads, sequential, ...) so that other work on the machine, and whichever case runs first,
 * weighs on both alike.
 */
async function cpu(S, iterations) {
  const cases = S.cpu.cases.filter((c) => c.gil !== false);
  const list = [];
  for (let rep = 0; rep < S.cpu.reps; rep++) {
    for (const c of rep % 2 ? [...cases].reverse() : cases) {
      list.push({ id: c.id, kind: "cpu", tasks: c.tasks, threads: c.threads, iterations, reps: 1 });
    }
  }
  const res = await python(list, 300_000);
  return cases.map((c) => {
    if (res.error) return { id: c.id, iterations, ...pyResult(res, 0) };
    const reps = res.results.filter((r) => r.id === c.id).map((r) => r.reps[0] * 1000);
    return { id: c.id, iterations, ...timesOf(reps) };
  });
}

/**
 * The convoy: a thread looping `time.sleep(0.001)` beside one computing, at each switch interval;
 * the case without a GIL is the sleeping thread alone (CPython 3.11 always has its GIL).
 */
async function convoy(S, iterations) {
  const { cases, delay, reps } = S.convoy;
  const scenarios = cases.map((c) => ({
    kind: "convoy",
    delayMs: delay,
    iterations,
    switchInterval: c.switchInterval,
    waiters: c.gil ? 1 : 0,
    reps,
  }));
  const res = await python(scenarios, 300_000);
  return cases.map((c, i) => ({
    id: c.id,
    scenario: scenarios[i],
    ...pyResult(res, i),
    wakeLateMs: res.error ? null : res.results[i].wakeLateMs,
  }));
}

/** Lost updates on a shared counter: threads without and with a lock, asyncio with an await. */
async function races(S) {
  const { threads, async: a, reps } = S.races;
  const cases = [
    {
      id: "race-threads",
      kind: "race-threads",
      threads: threads.threads,
      increments: threads.increments,
      lock: false,
      reps,
    },
    {
      id: "race-threads-lock",
      kind: "race-threads",
      threads: threads.threads,
      increments: threads.increments,
      lock: true,
      reps,
    },
    { id: "race-async", kind: "race-async", tasks: a.tasks, increments: a.increments, reps },
  ];
  const res = await python(cases, 300_000);
  return cases.map((c, i) => {
    const { id, ...scenario } = c;
    if (res.error) return { id, scenario, ...pyResult(res, i) };
    const r = res.results[i];
    return {
      id,
      scenario,
      expected: r.expected,
      lost: r.lost,
      lostMedian: median(r.lost),
      ...timesOf(r.reps.map((s) => s * 1000)),
    };
  });
}

/**
 * Real HTTP requests, the same N and delay as the playground's fetch rows, to the latency
 * endpoint of the bench's own scripts/serve.mjs (`url`: `api/latency`), whose counter says how many
 * were under way there at once: asyncio with `asyncio.open_connection` (a connection per
 * request, no limit), and http.client on a pool of T threads or a thread per request.
 */
export async function benchCPythonFetch(S, url) {
  const countUrl = `${url}/count`;
  const out = [];
  for (const c of S.fetch.cases) {
    log(`CPython: fetch ${c.id}`);
    const res = await python(
      [
        {
          kind: c.model === "async" ? "fetch-async" : "fetch-threads",
          tasks: c.tasks,
          threads: c.threads ?? c.tasks,
          delayMs: c.delay,
          url,
          countUrl,
          reps: S.fetch.reps,
        },
      ],
      180_000,
    );
    out.push({
      id: c.id,
      serverPeak: res.error ? null : res.results[0].serverPeak,
      ...pyResult(res, 0),
    });
  }
  return out;
}

/** One threading.Thread per task, each time.sleep(delay): the playground's perTask rows. */
export async function perTask(S) {
  log("CPython: a thread per task");
  const { delay, tasks } = S.perTask;
  const list = tasks.map((n) => ({
    kind: "threads",
    tasks: n,
    threads: n,
    delayMs: delay,
    reps: S.reps,
  }));
  const res = await python(list, 180_000);
  return tasks.map((n, i) => ({ tasks: n, threads: n, ...pyResult(res, i) }));
}

/** Everything the bench measures in CPython. `iterations`: the calibrated CPU loop. */
export async function benchCPython(S, latencyUrl) {
  const out = { async: [], threads: [] };
  const v = spawnSync("python3", ["-c", "import platform; print(platform.python_version())"]);
  out.version = v.stdout?.toString().trim() || null;
  out.startupMs = startup();
  // Ten million asyncio tasks would take minutes and more memory than the machine has (each
  // takes over a kilobyte, BENCHMARKS.md): CPython runs up to 1,000,000, and the report puts
  // that figure beside the playground's 10,000,000.
  for (const tasks of S.async.tasks.filter((t) => t <= 1_000_000)) {
    log(`CPython: async N=${tasks}`);
    // 1,000,000 takes tens of seconds: it runs once.
    const reps = tasks >= 1_000_000 ? 1 : S.reps;
    const res = await python([{ kind: "async", tasks, delayMs: S.async.delay, reps }], 120_000);
    out.async.push({ tasks, ...pyResult(res, 0) });
  }
  log("CPython: threads");
  const { delay, cases } = S.threads;
  const tres = await python(
    cases.map((c) => ({ kind: "threads", ...c, delayMs: delay, reps: S.reps })),
    180_000,
  );
  cases.forEach((c, i) => out.threads.push({ ...c, ...pyResult(tres, i) }));
  out.perTask = await perTask(S);

  log("CPython: calibrating the CPU loop once");
  const cal = await python([{ kind: "calibrate", delayMs: S.cpu.delay }], 60_000);
  out.cpuIterations = cal.error ? null : cal.results[0].iterations;
  if (out.cpuIterations) {
    log(`CPython: cpu, ${out.cpuIterations} iterations per task`);
    out.cpu = await cpu(S, out.cpuIterations);
  } else {
    out.cpu = S.cpu.cases
      .filter((c) => c.gil !== false)
      .map((c) => ({ id: c.id, status: "error", error: `calibration failed: ${cal.error}` }));
  }
  out.convoy = await benchCPythonConvoy(S);
  log("CPython: races");
  out.races = await races(S);
  out.fetch = await benchCPythonFetch(S, latencyUrl);
  return out;
}

/** The convoy, its CPU work calibrated to the case's delay (`--only convoy` runs just this). */
export async function benchCPythonConvoy(S) {
  log("CPython: convoy");
  const cal = await python([{ kind: "calibrate", delayMs: S.convoy.delay }], 60_000);
  return convoy(S, cal.error ? 0 : cal.results[0].iterations);
}
