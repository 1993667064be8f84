// What the bench measures: the scenarios, their repetitions and caps, and the performance
// targets the playground is held to. Data only; the runners and the report read it.

/** The settings for a full run, or for `--quick` (short delays, small N: checks the harness). */
export function scenarios({ quick, cores }) {
  /** Sleep per task for the async scenarios: 1 s. */
  const asyncDelay = quick ? 200 : 1000;
  /** CPU work: N tasks of about `delay` ms of computation each, sequential vs T = cores. */
  const cpuTasks = quick ? 4 : 8;
  const cpuDelay = quick ? 50 : 250;
  const cpuCase = (id, label, threads, gil, idealMs) => ({
    id,
    label,
    tasks: cpuTasks,
    delay: cpuDelay,
    threads,
    ...(gil != null && { gil }),
    idealMs,
  });
  return {
    quick,
    cores,
    async: {
      delay: asyncDelay,
      tasks: quick ? [3, 1_000, 10_000] : [3, 1_000, 10_000, 100_000, 1_000_000, 10_000_000],
      /** "wheel": the playground's deadline queue; "per-task": one browser timer per task. */
      timers: ["wheel", "per-task"],
      /** Per-task timers skip N above this: a million take seconds to set up, the wheel's point. */
      perTaskMax: 100_000,
    },
    threads: {
      /** Sleep per task: 1 s, so the 2 % target is 20 ms. */
      delay: quick ? 100 : 1000,
      cases: [
        { tasks: 3, threads: 3 },
        { tasks: 16, threads: 2 },
        { tasks: 16, threads: 16 },
      ],
    },
    /** A thread per task past the pool of 16, CPython's one-thread-per-URL program at its
     * scale: each N on a fresh page, whose first run starts its N threads inside its time (one
     * Web Worker each); a second run on that page reuses them. Starting 1,000 workers takes tens
     * of seconds on 2 cores, hence a cap of its own. */
    perTask: {
      delay: quick ? 200 : 1000,
      tasks: quick ? [100] : [100, 1_000],
      capMs: 300_000,
    },
    cpu: {
      tasks: cpuTasks,
      delay: cpuDelay,
      /** Sequential, then T = cores with the simulated GIL off and on. CPython 3.11 runs the
       * sequential and GIL-on cases (it always has a GIL), Pyodide the sequential one. */
      cases: [
        cpuCase("seq", "sequential", 0, null, cpuTasks * cpuDelay),
        // One thread: the baseline of the GIL-on case. The playground's threads are Web Workers and
        // its sequential runs use the page's main thread: the report says whether they compute
        // alike.
        cpuCase("t-1", "T=1 (one thread)", 1, null, cpuTasks * cpuDelay),
        cpuCase("t-nogil", `T=${cores}, GIL off`, cores, false, (cpuTasks * cpuDelay) / cores),
        // One thread computes at a time: the model predicts the sequential time (as the
        // engine's idealMs does), not the cores' share.
        cpuCase("t-gil", `T=${cores}, GIL on`, cores, true, cpuTasks * cpuDelay),
      ],
      /** CPU rows report a median and a spread: at least 5 runs each, interleaved. */
      reps: quick ? 2 : 5,
    },
    /** The convoy effect: one thread computes for `delay` ms while another sleeps 1 ms at a
     * time, at CPython's switch intervals of 5 (the default), 1 and 0.2 ms, and with no GIL to
     * wait for (the playground's gil: false, free-threaded Python; CPython's waiting thread
     * alone). The figure is how late each wake-up was: median, p90, count (`wakeLateMs`). */
    convoy: {
      delay: quick ? 500 : 2000,
      threads: 2,
      cases: [
        { id: "convoy-5", switchInterval: 5, gil: true },
        { id: "convoy-1", switchInterval: 1, gil: true },
        { id: "convoy-0.2", switchInterval: 0.2, gil: true },
        { id: "convoy-free", switchInterval: 5, gil: false },
      ],
      reps: quick ? 1 : 3,
    },
    races: {
      threads: { threads: 2, increments: 1_000_000 },
      async: { tasks: 4, increments: 1_000 },
      reps: quick ? 2 : 5,
    },
    /** Real HTTP requests: the playground against its own latency endpoint (the page's service
     * worker answers it), CPython against scripts/serve.mjs's, with the same N and delay. */
    fetch: {
      cases: [
        { id: "fetch-async-100", model: "async", tasks: 100, delay: 300 },
        { id: "fetch-async-1000", model: "async", tasks: 1_000, delay: 500 },
        { id: "fetch-threads-100", model: "threads", tasks: 100, delay: 300, threads: 16 },
        // A thread per request (the playground's threads started by a first, untimed run).
        { id: "fetch-thread-per-request-100", model: "threads", tasks: 100, delay: 300 },
        { id: "fetch-thread-per-request-1000", model: "threads", tasks: 1_000, delay: 500 },
      ],
      reps: quick ? 1 : 3,
    },
    /** Threads with shared memory (the isolated page: the threaded build's pool) beside threads
     * with memory of their own (a page without isolation: a Web Worker with its own wasm
     * instance each), in Chromium and Firefox ESR (`--only separate`). Each page first runs
     * 2 x 10 ms on 2 threads, untimed, so the 2 threads exist before any clock; a thread per task
     * is measured on the run that starts its threads (their start-up stated) and on runs of the
     * threads kept from it. */
    separate: {
      cases: [
        { id: "sleep-8x300-t2", model: "threads", tasks: 8, delay: 300, threads: 2 },
        {
          id: "sleep-per-task",
          model: "threads",
          tasks: quick ? 16 : 100,
          delay: 300,
          threads: quick ? 16 : 100,
          perTask: true,
        },
        {
          id: "fetch-t16",
          model: "threads",
          tasks: 100,
          delay: 300,
          threads: 16,
          workload: "fetch",
        },
        {
          id: "fetch-per-request",
          model: "threads",
          tasks: 100,
          delay: 300,
          threads: 100,
          workload: "fetch",
        },
      ],
      /** CPU work, sequential and on 2 threads, interleaved: the speedup is sequential ÷ threads. */
      cpu: [
        { id: "cpu-8x250", tasks: 8, delay: quick ? 50 : 250, threads: 2 },
        { id: "cpu-4x300", tasks: 4, delay: quick ? 50 : 300, threads: 2 },
      ],
      /** The GIL: 4 CPU tasks of 200 ms on 2 threads with gil: true, beside sequential. */
      gil: { tasks: 4, delay: quick ? 50 : 200, threads: 2 },
      reps: quick ? 1 : 3,
      capMs: 120_000,
    },
    /** The CPU speedup's floor (`--only cpu-floor`, bench/cpu-floor.mjs): in each engine, the
     * bare page's two Web Workers (each kernel) against one, then the playground's own case
     * (4 CPU tasks of 300 ms, sequential and on 2 threads of separate memory), `rounds` times in
     * turn; each measure `reps` times in alternating order, its median kept. */
    cpuFloor: {
      engines: ["chromium", "firefox", "webkit"],
      kernels: ["wasm", "st", "js"],
      tasks: 4,
      delay: quick ? 100 : 300,
      rounds: quick ? 1 : 3,
      reps: 3,
    },
    /** What the async executor's per-task accounting (busy, scheduled, idle, polls) costs: N
     * tasks of `delay` ms with it and without it, alternated on one page (`--only accounting`). */
    accounting: {
      tasks: quick ? 100_000 : 1_000_000,
      delay: quick ? 200 : 1000,
      reps: quick ? 2 : 5,
    },
    pyodide: {
      tasks: quick ? [3, 1_000] : [3, 1_000, 10_000, 100_000],
      loads: quick ? 1 : 3,
    },
    pageLoads: quick ? 3 : 9,
    reps: quick ? 1 : 3,
    /** A scenario whose first repetition took longer than this runs only once. */
    slowMs: 6_000,
    /** A run past this is stopped (playground) or abandoned (Pyodide) and reported as timed out. */
    capMs: 60_000,
  };
}

/** The playground's performance targets (milliseconds, bytes). */
export const TARGETS = {
  /** Async sleep of 1 s: N tasks finish within this many ms. */
  asyncWithin: [
    [100_000, 1050],
    [1_000_000, 1070],
    [10_000_000, 1500],
  ],
  /** Async fetch: N requests of `delay` ms each finish within this many ms (issue 10). */
  fetchWithin: [{ id: "fetch-async-1000", tasks: 1_000, delay: 500, ms: 1_000 }],
  /** No main-thread task longer than this during the async runs at N = 100,000 and up. */
  longestTaskMs: 100,
  /** The accounting's cost at a million tasks: elapsed within this fraction of the runs
   * without it, and at most this many bytes per pending task (issue 30). */
  accountingOver: 0.02,
  accountingBytesPerTask: 48,
  /** Wasm heap per pending async task (live heap growth, span records included), by N. */
  bytesPerTask: [
    [1_000_000, 63],
    [10_000_000, 48],
  ],
  /** Issue 28, threads with separate memory: 8 sleeps of 300 ms on 2 threads within this many
   * ms (ideal 1,200), and 4 CPU tasks of 300 ms on 2 threads at least this many times faster
   * than sequential. */
  separateSleepWithinMs: 1_350,
  separateCpuSpeedup: 1.5,
  /** Threads sleep runs within this fraction over ideal. */
  threadsOver: 0.02,
  /** A threads run may have a thread per task up to this many (issue 13: 1,000, or at least
   * 256 where the browser holds fewer). */
  perTaskThreads: 1_000,
  /** Pool start-up for 2 workers. */
  poolStartMs: 150,
  /** Longest gap between two frames the page draws during the 10M async run. */
  frameGapMs: 100,
  /** First task of the first run after the pool started. */
  firstRunLatencyMs: 20,
  /** CPU work on T = cores: speedup at least this × cores. */
  cpuSpeedupPerCore: 0.9,
  /** Every response the page and its workers receive, navigation to 1 s after ready, fresh
   * profile, compressed as the server sends it (headers included). */
  firstVisitGzipBytes: 100_000,
  readyMs: 300,
  /** The embed as `<async-vs-threads>` makes it by default: the run view. */
  embedQuery: "?embed=1&view=run",
  /** Lighthouse (mobile defaults): performance, accessibility, best practices, for each view. */
  lighthouse: { performance: 95, accessibility: 100, bestPractices: 100 },
  /** Ready against the floor of the same run: a bare page that loads the engine alone. */
  readyOverFloor: 1.5,
  embedReadyOverFloor: 1.3,
  /** Lighthouse (mobile) total blocking time, each view. */
  lighthouseTbtMs: 200,
  /** Lighthouse's mobile LCP for the embed's run view (and, from issue 32, every view). */
  embedRunLcpMs: 1_500,
};
