// The playground's side of the bench: the built page (dist/) in headless Chromium, driven through
// `window.playground.run(...)`. Page loads, first-run latency, async (both timer kinds), threads
// and CPU work, with memory from `playground.stats()`.
import { firstVisitBytes, freshPage } from "./browser.mjs";
import { chunkInputs, loadTraces } from "./load-trace.mjs";
import { startServer } from "../tests/e2e/harness.mjs";
import { log, median, repeat, sleep, summarise } from "./common.mjs";
import { TARGETS } from "./scenarios.mjs";

/**
 * One playground run, measured in the page: elapsed, first and last task start, first-run
 * latency (from the run() call to the first task's start), the longest main-thread task during
 * the run proper and during the whole call (which includes building the record and the page
 * drawing it), and `playground.stats()` (wasm memory) before, at mid-run and after. Span
 * aggregates come from the record's typed arrays: no object per task.
 */
async function runInPage({ options, capMs, sampleAtMs }) {
  const pg = window.playground;
  const b = window.__bench;
  const stats = async () => ({ ...(await pg.stats()) });
  const before = await stats();
  let during = null;
  const sampler =
    sampleAtMs != null
      ? setTimeout(async () => {
          const p = pg.progress();
          during = { ...(await stats()), done: p?.done ?? null, total: p?.total ?? null };
        }, sampleAtMs)
      : null;
  let timedOut = false;
  const cap = setTimeout(() => {
    timedOut = true;
    pg.stop();
  }, capMs);
  // Frames the page drew while the call was under way (its live view draws on each one).
  const frames = [];
  let drawing = true;
  const onFrame = (t) => {
    frames.push(t);
    if (drawing) requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  const callAt = performance.now();
  let rec;
  try {
    rec = await pg.run(options);
  } catch (err) {
    return { error: err.message, field: err.field ?? null };
  } finally {
    clearTimeout(cap);
    clearTimeout(sampler);
    drawing = false;
  }
  const returnAt = performance.now();
  const after = await stats();
  await new Promise((r) => setTimeout(r, 60)); // let the last long-task entries arrive
  let first = Infinity;
  let last = -Infinity;
  for (const s of rec.spanStart) {
    if (s < first) first = s;
    if (s > last) last = s;
  }
  const runFrom = rec.startedAt - performance.timeOrigin;
  // The longest stretch of the run proper (from its start to its last task's end) without a
  // frame: how long the live view stood still while tasks ran. A gap that goes on past the run's
  // end counts up to it: after the end the engine builds the record, one long task at ten million
  // tasks, which `longestTaskCallMs` reports. (Counted whole, a gap that began just before the
  // end and lasted through that task once put that task's time on the ten-million-task row.)
  const runTo = runFrom + rec.elapsedMs;
  let longestFrameGapMs = 0;
  for (let i = 1; i < frames.length; i++) {
    const still = Math.min(frames[i], runTo) - Math.max(frames[i - 1], runFrom);
    longestFrameGapMs = Math.max(longestFrameGapMs, still);
  }
  return {
    elapsedMs: rec.elapsedMs,
    engineIdealMs: rec.idealMs,
    stopped: rec.stopped,
    timedOut,
    finished: rec.finished,
    peakInFlight: rec.peakInFlight,
    failed: rec.failed,
    answeredBy: rec.answeredBy ?? null,
    requestsPeak: rec.peakRequestsInFlight ?? null,
    echo: {
      delay: rec.delay,
      timers: rec.timers,
      workload: rec.workload,
      gil: rec.gil,
      threads: rec.threads,
    },
    iterationsPerTask: rec.iterationsPerTask ?? null,
    // How long a threads run waited for the pool to start, outside its elapsed time.
    poolWaitMs: rec.poolWaitMs ?? null,
    // Threads started past the pool inside this run, and what each cost (threads runs).
    threadsStarted: rec.threadsStarted ?? null,
    threadsStartMs: rec.threadsStartMs ?? null,
    threadStartMs: rec.threadStartMs ?? null,
    threadBytes: rec.threadBytes ?? null,
    distinctLanes: rec.lanes.length,
    firstStartMs: rec.finished ? first : null,
    lastStartMs: rec.finished ? last : null,
    firstRunLatencyMs: rec.finished ? runFrom + first - callAt : null,
    callMs: returnAt - callAt,
    longestTaskRunMs: b.longest(runFrom, runTo),
    longestTaskCallMs: b.longest(callAt, returnAt),
    longestFrameGapMs,
    stats: { before, during, after },
  };
}

async function playgroundReady(page) {
  return page.evaluate(async () => {
    await window.playground.ready;
    return {
      // performance.now() when `ready` resolved (window.playground's setter hook), else now.
      readyAt: window.__bench.readyAt ?? performance.now(),
      capabilities: { ...window.playground.capabilities },
    };
  });
}

/** A fresh page with the playground ready (`options` for its browser context). */
async function readyPage(browser, url, options) {
  const opened = await freshPage(browser, url, options);
  opened.ready = await playgroundReady(opened.page);
  return opened;
}

const inPage = (page, S, options, sampleAtMs) =>
  page.evaluate(runInPage, { options, capMs: S.capMs, sampleAtMs });

/** Page load to ready, bytes of a first visit, first-run latency: each in a fresh context. */
async function pageLoads(browser, url, S) {
  const out = {};
  const loads = [];
  for (let i = 0; i < S.pageLoads; i++) {
    const { context, page, requests, ready } = await readyPage(browser, url);
    if (i === 0) {
      await page.waitForLoadState("networkidle");
      out.firstVisit = await firstVisitBytes(requests);
      out.capabilities = ready.capabilities;
    }
    // The first run on a fresh page, in turn: threads once the pool has started (the target's
    // case), async, and threads asked for before the pool is up (it waits for the pool, outside
    // its elapsed time, and its record says how long).
    const kind = ["threads", "async", "threads-early"][i % 3];
    if (kind === "threads") await page.evaluate(() => window.playground.threadsReady);
    await sleep(100); // the first click comes after the page settled
    const options =
      kind === "async"
        ? { model: "async", tasks: 3, delay: 100 }
        : { model: "threads", tasks: 3, delay: 100, threads: 3 };
    const first = await inPage(page, S, options);
    // The pool starts after ready, in the background (or for a threads run): its time is known
    // once it is up, not at ready.
    const poolStartMs = await page.evaluate(() => window.playground.threadsReady);
    loads.push({
      readyMs: ready.readyAt,
      poolStartMs,
      firstRun: {
        model: kind,
        latencyMs: first.firstRunLatencyMs,
        poolWaitMs: first.poolWaitMs,
        error: first.error,
      },
      problems: page.problems,
    });
    await context.close();
  }
  out.loads = loads;
  out.readyMs = median(loads.map((l) => l.readyMs));
  const pools = loads.map((l) => l.poolStartMs).filter((ms) => ms != null);
  out.poolStartMs = pools.length ? median(pools) : null;
  out.poolSize = out.capabilities.poolSize;
  for (const m of ["threads", "async", "threads-early"]) {
    const runs = loads.filter((l) => l.firstRun.model === m && l.firstRun.latencyMs != null);
    const xs = runs.map((l) => l.firstRun.latencyMs);
    // Only threads records say how long they waited for the pool.
    const waits = runs.map((l) => l.firstRun.poolWaitMs).filter((ms) => ms != null);
    out[`firstRunLatency_${m}`] = xs.length
      ? { medianMs: median(xs), reps: xs, poolWaitMs: waits.length ? median(waits) : null }
      : null;
  }
  return out;
}

/**
 * A first visit as the server saw it: a fresh profile opens `url`, and every response the page
 * and its workers receive from navigation until 1 s after `ready` is counted, in the bytes the
 * server sent (compressed, headers included). Files fetched more than once are named.
 */
async function visitBytes(browser, server, url, options) {
  server.sent.length = 0;
  const { context, page } = await readyPage(browser, url, options);
  await sleep(1000);
  await sleep(100); // the server logs a response once it is sent
  const lines = server.sent.splice(0);
  await context.close();
  const byPath = new Map();
  let bytes = 0;
  for (const line of lines) {
    const [, status, sent, path] = line.split(" ");
    bytes += Number(sent);
    const f = byPath.get(path) ?? { path, bytes: 0, times: 0, statuses: [] };
    f.bytes += Number(sent);
    f.times += 1;
    f.statuses.push(Number(status));
    byPath.set(path, f);
  }
  const files = [...byPath.values()].sort((a, b) => b.bytes - a.bytes);
  return {
    bytes,
    responses: lines.length,
    repeated: files.filter((f) => f.times > 1).map((f) => `${f.path} ×${f.times}`),
    files,
  };
}

/**
 * The first visits: the full page and the embed's run view as the bench's server sends them
 * (brotli, from dist/'s precompressed files), and the full page once more from a browser that
 * accepts only gzip, which the server then compresses on the fly: what a reader gets from a host
 * that compresses that way, as GitHub Pages does.
 */
export async function firstVisits(browser, url, server) {
  return {
    visits: {
      "full page": await visitBytes(browser, server, url),
      "embed, run view": await visitBytes(browser, server, url + TARGETS.embedQuery),
    },
    visitGzip: await visitBytes(browser, server, url, {
      extraHTTPHeaders: { "Accept-Encoding": "gzip, deflate" },
    }),
  };
}

/**
 * What each panel loads later (www/panels.js), one panel at a time: on a fresh page, a second
 * after ready, the panel is opened as a link to it does (its hash, without scrolling, so no
 * neighbour comes near the screen), and the responses the server sends until it has loaded and
 * filled (and 300 ms more) are counted for it.
 */
async function panelBytes(browser, server, url) {
  const probe = await readyPage(browser, url);
  const panels = await probe.page.evaluate(() =>
    [...document.querySelectorAll("[data-panel]")].map((el) => ({
      name: el.dataset.panel,
      id: el.id,
    })),
  );
  await probe.context.close();
  const out = [];
  for (const { name, id } of panels) {
    const { context, page } = await readyPage(browser, url, NO_WORKER);
    await sleep(1100); // a second after ready, and the server's log of what was sent before
    server.sent.length = 0;
    await page.evaluate((hash) => {
      history.replaceState(null, "", hash);
      dispatchEvent(new HashChangeEvent("hashchange"));
    }, `#${id}`);
    await page
      .waitForFunction(
        (n) => {
          const el = document.querySelector(`[data-panel="${n}"]`);
          // The comparison with Python fetches its figures once its module is in.
          return el.dataset.panelState === "loaded" && (n !== "compare" || el.querySelector("tr"));
        },
        name,
        { timeout: 30_000 },
      )
      .catch(() => {});
    await sleep(300);
    const lines = server.sent.splice(0);
    const state = await page.evaluate(
      (n) => document.querySelector(`[data-panel="${n}"]`).dataset.panelState,
      name,
    );
    await context.close();
    out.push({ panel: name, state, ...sentBytes(lines) });
  }
  out.push(await predictBytes(browser, server, url));
  return out;
}

/** The bytes and files of the server's log `lines` ("... <bytes> <path>"). */
const sentBytes = (lines) => ({
  bytes: lines.reduce((a, l) => a + Number(l.split(" ")[2]), 0),
  files: lines.map((l) => ({ path: l.split(" ")[3], bytes: Number(l.split(" ")[2]) })),
});

/**
 * The panels' pages run without the service worker: it would keep every file of the build for
 * offline use a few seconds after ready (www/offline.js), which on a loaded machine fell into a
 * slow panel's count, and once it has, it answers the panels' files itself.
 */
const NO_WORKER = { serviceWorkers: /** @type {const} */ ("block") };

/**
 * Predict first's module, which loads when the reader turns the option on: a fresh page, a
 * second after ready (as for the panels), "Predict first" ticked, and what was sent until its
 * prompt asked.
 */
async function predictBytes(browser, server, url) {
  const { context, page } = await readyPage(browser, url, NO_WORKER);
  await sleep(1100);
  server.sent.length = 0;
  await page.evaluate(() => {
    const box = /** @type {HTMLInputElement} */ (document.getElementById("predict"));
    box.checked = true;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const asked = await page
    .waitForSelector("#predict-run .predict-question", { state: "attached", timeout: 30_000 })
    .then(
      () => "loaded",
      () => "not asked",
    );
  await sleep(300);
  const lines = server.sent.splice(0);
  await context.close();
  return { panel: "predict first (option turned on)", state: asked, ...sentBytes(lines) };
}

/** Async: each (timers, N) on a fresh page, so memory growth is measured from a clean start. */
async function asyncRuns(browser, url, S) {
  const out = [];
  const { delay } = S.async;
  for (const timers of S.async.timers) {
    for (const tasks of S.async.tasks) {
      if (timers === "per-task" && tasks > S.async.perTaskMax) continue;
      const { context, page } = await readyPage(browser, url);
      // The pool starts in the background after ready; its threads' stacks (about 2 MB each)
      // come from the same heap, so memory per task is measured once it is up.
      await page.evaluate(() => window.playground.threadsReady);
      log(`playground: async N=${tasks} timers=${timers}`);
      const options = { model: "async", tasks, delay, timers };
      const runs = await repeat(S.reps, () => inPage(page, S, options, delay / 2), S);
      out.push({
        tasks,
        delay,
        timers,
        idealMs: delay,
        ...summarise(runs, S, { memory: memoryOf(runs, tasks) }),
      });
      await context.close();
    }
  }
  return out;
}

/**
 * The async executor's per-task accounting, on and off in turn on one page (the engine's hidden
 * `__setAccounting`), N tasks each: elapsed and heap per pending task (growth at mid-run) for
 * each, their medians, and whether the accounting stays within the targets.
 */
export async function accountingRuns(browser, url, S) {
  const { tasks, delay, reps } = S.accounting;
  const { context, page } = await readyPage(browser, url);
  await page.evaluate(() => window.playground.threadsReady);
  const setAccounting = (on) =>
    page.evaluate(async (on) => {
      const { loadEngine } = await import("./engine.js");
      (await loadEngine()).wasm.__setAccounting(on);
    }, on);
  const options = { model: "async", tasks, delay };
  const runs = { on: [], off: [] };
  // One untimed run first: the first run of a page grows its wasm memory.
  await inPage(page, S, options, null);
  for (let i = 0; i < reps; i++) {
    for (const mode of i % 2 ? ["off", "on"] : ["on", "off"]) {
      await setAccounting(mode === "on");
      log(`playground: accounting ${mode}, async N=${tasks}`);
      const r = await inPage(page, S, options, delay / 2);
      const { before, during } = r.stats;
      runs[mode].push({
        elapsedMs: r.elapsedMs,
        bytesPerTask: during ? (during.heapBytes - before.heapBytes) / tasks : null,
      });
    }
  }
  await setAccounting(true);
  await context.close();
  const med = (xs) => median(xs.filter((x) => x != null));
  const of = (mode) => ({
    elapsedMs: med(runs[mode].map((r) => r.elapsedMs)),
    bytesPerTask: med(runs[mode].map((r) => r.bytesPerTask)),
    runs: runs[mode],
  });
  const on = of("on");
  const off = of("off");
  return {
    tasks,
    delay,
    on,
    off,
    over: on.elapsedMs / off.elapsedMs - 1,
    met:
      on.elapsedMs <= off.elapsedMs * (1 + TARGETS.accountingOver) &&
      on.bytesPerTask <= TARGETS.accountingBytesPerTask,
  };
}

/**
 * A thread per task past the pool: on a fresh page the first run starts its N threads inside its
 * time, as CPython's program does; the second run on that page reuses them.
 */
export async function perTaskRuns(browser, url, S) {
  const out = [];
  const { delay, tasks: counts, capMs } = S.perTask;
  const cap = { ...S, capMs };
  for (const tasks of counts) {
    const { context, page } = await readyPage(browser, url);
    await page.evaluate(() => window.playground.threadsReady);
    const options = { model: "threads", tasks, delay, threads: tasks };
    log(`playground: threads N=${tasks}, a thread per task (started in the run, then reused)`);
    const first = await inPage(page, cap, options);
    const reused = await inPage(page, cap, options);
    const keep = (r) => ({
      threadsStarted: r.threadsStarted,
      threadsStartMs: r.threadsStartMs,
      threadStartMs: r.threadStartMs,
      threadBytes: r.threadBytes,
      distinctLanes: r.distinctLanes,
    });
    out.push({
      tasks,
      threads: tasks,
      delay,
      idealMs: delay,
      started: summarise([first], cap, keep(first)),
      reused: summarise([reused], cap, keep(reused)),
    });
    await context.close();
  }
  return out;
}

/** Threads: time.sleep-like blocking in T pool threads; ideal ceil(N / T) delays. */
async function threadRuns(browser, url, S) {
  const out = [];
  const { delay } = S.threads;
  const { context, page } = await readyPage(browser, url);
  for (const { tasks, threads } of S.threads.cases) {
    log(`playground: threads N=${tasks} T=${threads}`);
    const options = { model: "threads", tasks, delay, threads };
    const runs = await repeat(S.reps, () => inPage(page, S, options), { slowMs: Infinity });
    const idealMs = Math.ceil(tasks / threads) * delay;
    out.push({ tasks, threads, delay, idealMs, ...summarise(runs, S) });
  }
  await context.close();
  return out;
}

/**
 * CPU: sequential vs T = cores, GIL off and on. All on one page, which calibrates its work once
 * (on the warm-up run), so every case does the same number of iterations; the repetitions are
 * interleaved, in alternating order, so a busy moment on the machine hits every case alike.
 */
async function cpuRuns(browser, url, S) {
  const { context, page } = await readyPage(browser, url);
  const optionsOf = (c) => ({
    model: c.threads ? "threads" : "sequential",
    tasks: c.tasks,
    delay: c.delay,
    workload: "cpu",
    ...(c.threads && { threads: c.threads, ...(c.gil != null && { gil: c.gil }) }),
  });
  log("playground: cpu warm-up (calibrates the work)");
  await inPage(page, S, { ...optionsOf(S.cpu.cases[0]), tasks: 1 });
  const runs = new Map(S.cpu.cases.map((c) => [c.id, []]));
  for (let rep = 0; rep < S.cpu.reps; rep++) {
    for (const c of rep % 2 ? [...S.cpu.cases].reverse() : S.cpu.cases) {
      log(`playground: cpu ${c.label} (${rep + 1}/${S.cpu.reps})`);
      runs.get(c.id).push(await inPage(page, S, optionsOf(c)));
    }
  }
  await context.close();
  return S.cpu.cases.map((c) => {
    const rs = runs.get(c.id);
    return { ...c, iterationsPerTask: rs[0]?.iterationsPerTask ?? null, ...summarise(rs, S) };
  });
}

/**
 * Memory from `playground.stats()`, each scenario on a fresh page. Per task: the growth of the
 * live heap (`heapBytes`) from before the first run to its middle, when every task is pending,
 * divided by N; it includes whatever the run keeps per task (its spans too). Across repeats:
 * wasm memory and live heap after the first run vs after the last one.
 */
function memoryOf(runs, tasks) {
  const s = runs.map((r) => r.stats).filter((x) => x?.before);
  if (!s.length) return null;
  const [first, last] = [s[0], s.at(-1)];
  const series = (k) => ({
    before: first.before[k],
    midRun: first.during?.[k] ?? null,
    afterFirst: first.after?.[k] ?? null,
    afterLast: last.after?.[k] ?? null,
  });
  const mid = first.during?.heapBytes;
  return {
    measure: "heapBytes",
    bytesPerTask: mid == null ? null : (mid - first.before.heapBytes) / tasks,
    pendingAtMidRun: first.during?.total != null ? first.during.total - first.during.done : null,
    wasmMemoryBytes: series("wasmMemoryBytes"),
    heapBytes: series("heapBytes"),
    repeats: s.length,
    wasmGrowthAcrossRepeats:
      s.length > 1 ? last.after.wasmMemoryBytes - first.after.wasmMemoryBytes : null,
    heapGrowthAcrossRepeats: s.length > 1 ? last.after.heapBytes - first.after.heapBytes : null,
  };
}

/**
 * The convoy on one page: a thread that sleeps 1 ms at a time beside one that computes, with the
 * GIL at each switch interval and without it; each case's wake-up lateness is the median of its
 * runs' medians (and p90s), with every run's count.
 */
export async function convoyRuns(browser, url, S) {
  const { cases, delay, threads, reps } = S.convoy;
  const { context, page } = await readyPage(browser, url);
  await page.evaluate(() => window.playground.threadsReady);
  const out = [];
  for (const c of cases) {
    log(`playground: ${c.id}`);
    const options = { model: "threads", workload: "convoy", threads, delay, gil: c.gil };
    if (c.gil) options.switchInterval = c.switchInterval;
    const runs = [];
    for (let i = 0; i < reps; i++) {
      runs.push(
        await page.evaluate(
          (o) =>
            window.playground.run(o).then(
              (r) => ({ late: r.wakeLateMs, ms: r.elapsedMs, handoffs: r.gilHandoffs ?? null }),
              (e) => ({ error: e.message }),
            ),
          options,
        ),
      );
    }
    const failed = runs.find((r) => r.error);
    out.push(
      failed
        ? { id: c.id, status: "error", error: failed.error }
        : {
            id: c.id,
            status: "ok",
            options,
            wakeLateMs: {
              median: median(runs.map((r) => r.late.median ?? NaN)),
              p90: median(runs.map((r) => r.late.p90 ?? NaN)),
              count: runs.map((r) => r.late.count),
            },
            medians: runs.map((r) => r.late.median),
            ms: runs.map((r) => r.ms),
            handoffs: runs.map((r) => r.handoffs),
          },
    );
  }
  await context.close();
  return out;
}

/**
 * The races on one page: the shared counter without a guard, with a lock and with an atomic add,
 * on 1 and 2 threads; async with an await inside; and how long the engine took to find a
 * deadlock. Ids match CPython's race rows where CPython has the same program.
 */
export async function raceRuns(browser, url, S) {
  const { threads: t, async: a, reps } = S.races;
  const counter = { workload: "counter", increments: t.increments };
  const cases = [
    {
      id: "race-threads",
      options: { ...counter, model: "threads", tasks: t.threads, threads: t.threads },
    },
    {
      id: "race-threads-lock",
      options: { ...counter, model: "threads", tasks: t.threads, threads: t.threads, sync: "lock" },
    },
    {
      id: "race-threads-atomic",
      options: {
        ...counter,
        model: "threads",
        tasks: t.threads,
        threads: t.threads,
        sync: "atomic",
      },
    },
    { id: "race-1thread", options: { ...counter, model: "threads", tasks: 1, threads: 1 } },
    {
      id: "race-1thread-lock",
      options: { ...counter, model: "threads", tasks: 1, threads: 1, sync: "lock" },
    },
    {
      id: "race-1thread-atomic",
      options: { ...counter, model: "threads", tasks: 1, threads: 1, sync: "atomic" },
    },
    {
      id: "race-async",
      options: {
        workload: "counter",
        model: "async",
        tasks: a.tasks,
        increments: a.increments,
        awaitInside: true,
      },
    },
    {
      id: "deadlock-threads",
      options: { workload: "deadlock", model: "threads", tasks: 2, threads: 2, delay: 100 },
    },
  ];
  const { context, page } = await readyPage(browser, url);
  await page.evaluate(() => window.playground.threadsReady);
  const out = [];
  for (const c of cases) {
    log(`playground: ${c.id}`);
    const runs = [];
    for (let i = 0; i < reps; i++) {
      runs.push(
        await page.evaluate(
          (o) =>
            window.playground.run(o).then(
              (r) => ({
                lost: r.lostUpdates ?? null,
                expected: r.counterExpected ?? null,
                ms: r.elapsedMs,
                nsPerUpdate: r.nsPerUpdate ?? null,
                deadlockDetectMs: r.deadlockDetectMs ?? null,
              }),
              (e) => ({ error: e.message }),
            ),
          c.options,
        ),
      );
    }
    const failed = runs.find((r) => r.error);
    out.push(
      failed
        ? { id: c.id, status: "error", error: failed.error }
        : {
            id: c.id,
            status: "ok",
            options: c.options,
            lost: runs.map((r) => r.lost),
            ms: runs.map((r) => r.ms),
            expected: runs[0].expected,
            nsPerUpdate: median(runs.map((r) => r.nsPerUpdate ?? 0)),
            deadlockDetectMs:
              runs[0].deadlockDetectMs == null ? null : median(runs.map((r) => r.deadlockDetectMs)),
          },
    );
  }
  await context.close();
  return out;
}

/**
 * Fetch: real HTTP requests to the page's latency endpoint (answered by its service worker on
 * this server; the record says what answered and how many were under way there at once), async
 * on the pool, and with a thread per request, on one fresh page after a warm-up run of 10
 * requests. A thread-per-request case first runs once untimed, which starts its threads (a Web
 * Worker each, tens of ms apiece: the per-task rows measure that); its figures are runs on the
 * threads kept from it, like CPython's threads that start in a fraction of a millisecond.
 *
 * Beside each async case, Chromium's own floor: bench/fetch-floor/, a bare page sending the same
 * fetch() calls to a minimal service worker, served by scripts/serve.mjs like the playground. Their
 * repetitions alternate with the playground's (in alternating order), so a busy moment on the
 * machine weighs on both alike. Resolves to `{ fetch, floor }`.
 */
export async function fetchRuns(browser, url, S) {
  const { context, page } = await readyPage(browser, url);
  const floorServer = await startServer({ root: "bench/fetch-floor" });
  const floorContext = await browser.newContext();
  const out = [];
  const floor = [];
  try {
    const floorPage = await floorContext.newPage();
    await floorPage.goto(floorServer.url);
    await floorPage.waitForFunction(() => window.floorReady === true, null, { timeout: 30_000 });
    await floorPage.evaluate(() => window.floor(10, 10, "warm-up"));
    await page.evaluate(() => window.playground.threadsReady);
    await inPage(page, S, { model: "async", tasks: 10, delay: 10, workload: "fetch" });
    for (const c of S.fetch.cases) {
      log(`playground: ${c.id}`);
      const options = { model: c.model, tasks: c.tasks, delay: c.delay, workload: "fetch" };
      if (c.model === "threads") options.threads = c.threads ?? c.tasks;
      if (c.model === "threads" && !c.threads) await inPage(page, S, options);
      const runs = [];
      const floorRuns = [];
      for (let rep = 0; rep < S.fetch.reps; rep++) {
        const ours = async () => runs.push(await inPage(page, S, options));
        const bare = async () =>
          floorRuns.push({
            elapsedMs: await floorPage.evaluate(
              ([n, ms, run]) => window.floor(n, ms, run),
              [c.tasks, c.delay, rep],
            ),
          });
        if (c.model !== "async") await ours();
        else if (rep % 2) await bare().then(ours);
        else await ours().then(bare);
      }
      const failed = runs.find((r) => r.failed > 0 || r.error);
      out.push({
        ...c,
        idealMs: Math.ceil(c.tasks / (c.threads ?? c.tasks)) * c.delay,
        answeredBy: runs.map((r) => r.answeredBy),
        requestsPeak: runs.map((r) => r.requestsPeak),
        ...(failed
          ? { status: "error", error: failed.error ?? `${failed.failed} requests failed` }
          : summarise(runs, S)),
      });
      if (floorRuns.length) floor.push({ ...c, idealMs: c.delay, ...summarise(floorRuns, S) });
    }
  } finally {
    await context.close();
    await floorContext.close();
    floorServer.close();
  }
  return { fetch: out, floor };
}

/** Navigation to ready of the embed's run view (`<async-vs-threads>`'s default): fresh loads. */
async function embedLoads(browser, url, S) {
  const readyMs = [];
  for (let i = 0; i < S.pageLoads; i++) {
    const { context, ready } = await readyPage(browser, url + TARGETS.embedQuery);
    readyMs.push(ready.readyAt);
    await context.close();
  }
  return { readyMs: median(readyMs), loads: readyMs };
}

/**
 * The worker pool's start-up by size, on bench/pool-start/: a bare page that loads the engine
 * and calls its `startPool(threads)`, nothing else. The page's own pool is 16 (measured above,
 * while the page is still settling); the target is for 2. Each load is a fresh context, so the
 * workers fetch and compile as on a first visit; the sizes alternate, so a busy moment on the
 * machine weighs on both alike. On the way, each load gives the floor under `ready`: navigation
 * to the engine instantiated on a page with nothing else. Resolves to
 * `{ sizes: { [threads]: { medianMs, reps } }, engineAt: { medianMs, reps } }`.
 */
async function poolStarts(browser, S) {
  const root = await startServer({ root: "." });
  const reps = { 2: [], 16: [] };
  const engineAt = [];
  try {
    // One load first, not counted: the server compresses each file on its first request.
    await poolStartLoad(browser, root, 2);
    for (let i = 0; i < S.pageLoads; i++) {
      for (const threads of i % 2 ? [16, 2] : [2, 16]) {
        const load = await poolStartLoad(browser, root, threads);
        reps[threads].push(load.poolMs);
        engineAt.push(load.engineAt);
      }
    }
  } finally {
    root.close();
  }
  const sizes = {};
  for (const [threads, xs] of Object.entries(reps))
    sizes[threads] = { medianMs: median(xs), reps: xs };
  // Every load, both sizes: the pool starts only after the engine is instantiated.
  return { sizes, engineAt: { medianMs: median(engineAt), reps: engineAt } };
}

/** One fresh load of bench/pool-start/ with a pool of `threads`: `{ poolMs, engineAt }`. */
async function poolStartLoad(browser, root, threads) {
  const { context, page } = await freshPage(
    browser,
    `${root.url}bench/pool-start/?threads=${threads}`,
  );
  try {
    await page.waitForFunction(() => window.poolStart, null, { timeout: 30_000 });
    const load = await page.evaluate(async () => ({
      poolMs: await window.poolStart,
      engineAt: window.engineAt,
    }));
    if (page.problems?.length) throw new Error(`bench/pool-start: ${page.problems.join("; ")}`);
    return load;
  } finally {
    await context.close();
  }
}

/**
 * A fresh page's load: ready and first runs, the embed's ready, the bare page's floor, the bytes
 * of a first visit, what each panel loads later, and the main thread's work before ready with the
 * CPU slowed fourfold, by module (load-trace.mjs).
 */
export async function loadRuns(browser, url, S, server) {
  log("playground: page loads");
  const page = await pageLoads(browser, url, S);
  log("playground: embed loads");
  page.embed = await embedLoads(browser, url, S);
  log("playground: worker pool start-up by size (bench/pool-start/)");
  page.poolStarts = await poolStarts(browser, S);
  log("playground: first-visit bytes (full page, embed)");
  Object.assign(page, await firstVisits(browser, url, server));
  log("playground: what each panel loads when first used");
  page.panels = await panelBytes(browser, server, url);
  page.distChunks = chunkInputs();
  log("playground: traced loads, CPU slowed fourfold");
  page.traces = await loadTraces(
    browser,
    [
      ["full page", url],
      ["embed, run view", url + TARGETS.embedQuery],
    ],
    S.quick ? 1 : 3,
  );
  return page;
}

/** Everything the bench measures in the playground. */
export async function benchPlayground(browser, url, S, server) {
  const page = await loadRuns(browser, url, S, server);
  const async = await asyncRuns(browser, url, S);
  const threads = await threadRuns(browser, url, S);
  const perTask = await perTaskRuns(browser, url, S);
  const cpu = await cpuRuns(browser, url, S);
  const races = await raceRuns(browser, url, S);
  const convoy = await convoyRuns(browser, url, S);
  const { fetch, floor } = await fetchRuns(browser, url, S);
  return { page, async, threads, perTask, cpu, races, convoy, fetch, fetchFloor: floor };
}
