// Threads with shared memory beside threads with memory of their own (issue 28), in Chromium and
// in Firefox ESR: the same runs on the isolated page (the threaded build's pool: shared memory)
// and on a page without cross-origin isolation (the plain build: each thread a Web Worker with
// its own wasm instance). Chromium through playwright (as the rest of the bench), Firefox through
// the end-to-end tests' WebDriver code (tests/e2e/webdriver.mjs). Every figure comes from the
// runs' records; what a page refuses is reported with the engine's own sentence.
import os from "node:os";
import { startServer } from "../tests/e2e/harness.mjs";
import { callInPage, missing, ready, startEngine } from "../tests/e2e/webdriver.mjs";
import { freshPage } from "./browser.mjs";
import { log, summarise } from "./common.mjs";

/**
 * In the page: one run of `options` through `window.playground.run`, stopped after `capMs`;
 * plain values only (Chromium: page.evaluate; Firefox: WebDriver, whose scripts see typed arrays
 * through a wrapper that only `Array.from` copies). GIL hand-offs are read from the record: the
 * gaps between its holds, from one thread dropping the GIL to another taking it (on shared
 * memory, the hand-offs themselves), and `gilHandoffMs`, what one took, timed in the run
 * (separate memory, where the GIL is handed by messages). Self-contained.
 */
export async function measureInPage({ options, capMs }) {
  const pg = window.playground;
  await pg.ready;
  let timedOut = false;
  const cap = setTimeout(() => {
    timedOut = true;
    pg.stop();
  }, capMs);
  let r;
  try {
    r = await pg.run(options);
  } catch (e) {
    return { error: String(e?.message ?? e), field: e?.field ?? null };
  } finally {
    clearTimeout(cap);
  }
  const holder = Array.from(r.gilHolder ?? []);
  const start = Array.from(r.gilStart ?? []);
  const end = Array.from(r.gilEnd ?? []);
  const order = holder.map((_, i) => i).sort((a, b) => start[a] - start[b]);
  const gaps = [];
  for (let k = 1; k < order.length; k++) {
    const [p, q] = [order[k - 1], order[k]];
    if (holder[p] !== holder[q]) gaps.push(start[q] - end[p]);
  }
  gaps.sort((a, b) => a - b);
  // The record's own GIL figures, whatever their names (a count today; a cost, where measured).
  const gilFields = {};
  for (const [k, v] of Object.entries(r)) {
    if (!/^gil./.test(k) || ["gilHolder", "gilStart", "gilEnd"].includes(k)) continue;
    if (v == null || typeof v?.BYTES_PER_ELEMENT === "number" || typeof v === "function") continue;
    gilFields[k] = JSON.parse(JSON.stringify(v));
  }
  return {
    elapsedMs: r.elapsedMs,
    timedOut,
    stopped: r.stopped,
    finished: r.finished,
    failed: r.failed ?? 0,
    memory: r.memory ?? null,
    answeredBy: r.answeredBy ?? null,
    requestsPeak: r.peakRequestsInFlight ?? null,
    poolWaitMs: r.poolWaitMs ?? null,
    threadsStarted: r.threadsStarted ?? null,
    threadsStartMs: r.threadsStartMs ?? null,
    threadStartMs: r.threadStartMs ?? null,
    checksum: r.checksum ?? null,
    gil: r.gil,
    gilHolds: holder.length,
    gilHandoffMs: r.gilHandoffMs ?? null,
    gilGapMs: gaps.length
      ? {
          median: gaps[gaps.length >> 1],
          p90: gaps[Math.floor(gaps.length * 0.9)],
          count: gaps.length,
        }
      : null,
    gilFields,
  };
}

/** Chromium's side: a fresh context per page (the bench's own Chromium). */
function chromium(browser) {
  let opened = null;
  return {
    name: "Chromium",
    version: browser.version(),
    async open(url) {
      await opened?.context.close();
      opened = await freshPage(browser, url);
      return opened.page.evaluate(async () => {
        const pg = window.playground;
        const caps = { ...(await pg.ready) };
        if (caps.threads && caps.memory === "shared") await pg.threadsReady;
        return caps;
      });
    },
    run: (options, capMs) => opened.page.evaluate(measureInPage, { options, capMs }),
    problems: () => opened?.page.problems ?? [],
    close: () => opened?.context.close(),
  };
}

/** Firefox ESR's side, over WebDriver: one session, a page load per page; or why it cannot run. */
async function firefox() {
  const why = missing("firefox");
  if (why) return { name: "Firefox ESR", skipped: why };
  const engine = await startEngine("firefox");
  const { driver } = engine;
  const version = (await driver.getCapabilities()).get("browserVersion");
  return {
    name: "Firefox ESR",
    version,
    async open(url) {
      await driver.get(url);
      return ready(driver);
    },
    run: (options, capMs) =>
      callInPage(
        driver,
        measureInPage,
        [{ options, capMs }],
        `the run ${JSON.stringify(options)} to end`,
        capMs + 30_000,
      ),
    problems: () => [],
    close: () => engine.close(),
  };
}

/** The figures kept of a run beside its elapsed time, per repetition. */
const extra = (runs) => ({
  memory: [...new Set(runs.map((r) => r.memory))],
  answeredBy: [...new Set(runs.map((r) => r.answeredBy).filter(Boolean))],
  requestsPeak: runs.map((r) => r.requestsPeak),
  poolWaitMs: runs.map((r) => r.poolWaitMs),
  threadsStarted: runs.map((r) => r.threadsStarted),
  threadsStartMs: runs.map((r) => r.threadsStartMs),
  threadStartMs: runs.map((r) => r.threadStartMs),
});

/** Median and spread of `runs`, or why there is none (a refusal keeps the engine's sentence). */
function summary(runs, X) {
  if (!runs.length) return { status: "not run" };
  const failed = runs.find((r) => !r.error && r.failed > 0);
  if (failed) return { status: "error", error: `${failed.failed} requests failed` };
  const refused = runs.find((r) => r.error && r.field);
  if (refused) return { status: "refused", error: refused.error, field: refused.field };
  return summarise(runs, X, runs.some((r) => r.error) ? {} : extra(runs));
}

/** `n` runs of `options` on the side's current page. */
async function runs(side, options, n, X) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await side.run(options, X.capMs);
    out.push(r);
    if (r.error || r.timedOut) break;
  }
  return out;
}

/**
 * The sleep and fetch cases on one page: each first runs once untimed (it starts what the case
 * needs: a thread per task's threads, the requests' first answers), then `reps` times. For a
 * thread per task the untimed run is kept too: the run that started its threads, start-up stated.
 */
async function sleepAndFetch(side, X) {
  const out = [];
  for (const c of X.cases) {
    const { id, perTask, ...options } = c;
    log(`separate: ${side.name} ${id}`);
    const [first] = await runs(side, options, 1, X);
    const measured = first.error ? [first] : await runs(side, options, X.reps, X);
    out.push({
      ...c,
      idealMs: Math.ceil(c.tasks / c.threads) * c.delay,
      ...summary(measured, X),
      ...(perTask && { started: summary([first], X) }),
    });
  }
  return out;
}

/**
 * CPU work on one page, sequential and on threads, the repetitions interleaved in alternating
 * order (a busy moment on the machine weighs on both); one untimed run first calibrates the work.
 * The GIL case the same way, beside its own sequential.
 */
async function cpuAndGil(side, X) {
  const cpuOf = (c, threads, gil) => ({
    model: threads ? "threads" : "sequential",
    tasks: c.tasks,
    delay: c.delay,
    workload: "cpu",
    ...(threads && { threads, gil }),
  });
  await side.run({ ...cpuOf(X.cpu[0], 0), tasks: 1 }, X.capMs);
  const pair = async (c, gil) => {
    const seq = [];
    const par = [];
    for (let rep = 0; rep < X.reps; rep++) {
      const order = rep % 2 ? [par, seq] : [seq, par];
      for (const into of order) {
        const r = await side.run(cpuOf(c, into === par ? c.threads : 0, gil), X.capMs);
        into.push(r);
        if (r.error) return { seq: summary(seq, X), par: summary(par, X), parRuns: par };
      }
    }
    return { seq: summary(seq, X), par: summary(par, X), parRuns: par };
  };
  const cpu = [];
  for (const c of X.cpu) {
    log(`separate: ${side.name} ${c.id}`);
    const { seq, par } = await pair(c, false);
    const speedup = seq.status === "ok" && par.status === "ok" ? seq.medianMs / par.medianMs : null;
    cpu.push({ ...c, seq, par, speedup });
  }
  log(`separate: ${side.name} GIL`);
  const { seq, par, parRuns } = await pair(X.gil, true);
  const ok = parRuns.filter((r) => !r.error);
  const gil = {
    ...X.gil,
    seq,
    par,
    overSequential: seq.status === "ok" && par.status === "ok" ? par.medianMs / seq.medianMs : null,
    handoffs: ok.map((r) => r.gilFields.gilHandoffs ?? null),
    handoffMs: ok.map((r) => r.gilHandoffMs),
    gapMs: ok.map((r) => r.gilGapMs),
    recordFields: ok.map((r) => r.gilFields),
  };
  return { cpu, gil };
}

/** One page (`url`) in one browser: what it offers, then every case. */
async function onePage(side, url, X) {
  const caps = await side.open(url);
  const page = {
    crossOriginIsolated: caps.crossOriginIsolated,
    threads: caps.threads,
    memory: caps.memory,
    poolSize: caps.poolSize,
  };
  if (!caps.threads) return { ...page, status: "no threads" };
  // The 2 threads exist before any clock (a pool's, or kept from this run).
  await side.run({ model: "threads", tasks: 2, delay: 10, threads: 2 }, X.capMs);
  const sleeps = await sleepAndFetch(side, X);
  const { cpu, gil } = await cpuAndGil(side, X);
  return { ...page, status: "ok", cases: sleeps, cpu, gil, problems: side.problems() };
}

/** Both pages in one browser, with the load average around them. */
async function oneBrowser(side, pages, X) {
  if (side.skipped) return { browser: side.name, status: "not run", reason: side.skipped };
  const out = { browser: side.name, version: side.version, loadAverageAtStart: os.loadavg() };
  try {
    for (const [kind, url] of pages) {
      log(`separate: ${side.name}, ${kind}`);
      try {
        out[kind] = await onePage(side, url, X);
      } catch (err) {
        out[kind] = { status: "error", error: String(err.message).split("\n")[0] };
      }
    }
  } finally {
    await side.close();
  }
  return { ...out, status: "ok", loadAverageAtEnd: os.loadavg() };
}

/**
 * Shared memory beside separate memory: Chromium (`browser`, the bench's) and Firefox ESR, each on
 * `isolatedUrl` (the bench's server of dist/) and on a server of dist/ without isolation started
 * here.
 */
export async function separateRuns(browser, isolatedUrl, S) {
  const X = S.separate;
  const plain = await startServer({ isolation: false });
  const pages = [
    ["isolated", isolatedUrl],
    ["notIsolated", plain.url],
  ];
  try {
    const chromiumSide = await oneBrowser(chromium(browser), pages, X);
    const ff = await firefox().catch((err) => ({
      name: "Firefox ESR",
      skipped: `could not start: ${String(err.message).split("\n")[0]}`,
    }));
    const firefoxSide = await oneBrowser(ff, pages, X);
    return { browsers: [chromiumSide, firefoxSide], cores: S.cores };
  } finally {
    plain.close();
  }
}
