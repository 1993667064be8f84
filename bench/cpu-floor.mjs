// The browser's floor under the CPU speedup of threads with separate memory (issue 28): in each
// engine (Chromium through playwright, Firefox ESR and WebKitGTK through the end-to-end tests'
// WebDriver code), bench/cpu-floor/ (two bare Web Workers computing the playground's kernel)
// beside the playground's own case (4 CPU tasks of 300 ms, sequential and on 2 threads of
// separate memory, on a page without cross-origin isolation), in alternation, so both see the
// same machine. Every figure comes from the pages; the load average is kept beside each.
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import { launch, startServer } from "../tests/e2e/harness.mjs";
import { callInPage, missing, startEngine } from "../tests/e2e/webdriver.mjs";
import { log } from "./common.mjs";

/**
 * In the playground's page: `reps` pairs of 4 CPU tasks of `delay` ms, sequential and on 2
 * threads, in alternating order, after the threads are started and the work calibrated (as
 * tests/e2e/separate-checks.mjs runs them), and after one pair more that is kept apart
 * (`first`): a fresh page's first runs also pay for drawing its results for the first time,
 * which in WebKitGTK without a GPU takes the cores' share from the threads (BENCHMARKS.md).
 * Self-contained; plain values only.
 */
export async function playgroundCpu({ tasks, delay, reps }) {
  const pg = window.playground;
  await pg.ready;
  await pg.run({ model: "threads", tasks: 2, delay: 10, threads: 2 });
  await pg.run({ model: "sequential", tasks: 1, delay: 50, workload: "cpu" });
  const base = { tasks, delay, workload: "cpu" };
  const first = {
    seqMs: (await pg.run({ model: "sequential", ...base })).elapsedMs,
    parMs: (await pg.run({ model: "threads", ...base, threads: 2 })).elapsedMs,
  };
  const seq = [];
  const par = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const into of rep % 2 ? [par, seq] : [seq, par]) {
      const options =
        into === par ? { model: "threads", ...base, threads: 2 } : { model: "sequential", ...base };
      const r = await pg.run(options);
      into.push({
        elapsedMs: r.elapsedMs,
        memory: r.memory ?? null,
        taskMs: r.spans.map((s) => s.endMs - s.startMs),
      });
    }
  }
  return { seq, par, first, memory: pg.capabilities.memory };
}

/** In bench/cpu-floor/: `window.cpuFloor(options)` once the page has it. Self-contained. */
export async function floorInPage(options) {
  while (!window.cpuFloor) await new Promise((r) => setTimeout(r, 20));
  return window.cpuFloor(options);
}

/**
 * The autogroup nice values of this process and its descendants (the drivers, the browsers):
 * each session's weight against other sessions' for the CPU, whatever its processes' own nice
 * (playwright starts Chromium in a session of its own). Empty where the kernel has no autogroups.
 */
function autogroups() {
  const parent = new Map();
  const nice = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parent.set(pid, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const group = readFileSync(`/proc/${pid}/autogroup`, "utf8");
      nice.set(pid, Number(group.match(/nice (-?\d+)/)[1]));
    } catch {
      // Gone meanwhile, or no autogroups.
    }
  }
  const self = String(process.pid);
  const mine = (pid) => {
    for (let p = pid; p && p !== "0"; p = parent.get(p)) if (p === self) return true;
    return false;
  };
  const values = [...nice].filter(([pid]) => mine(pid)).map(([, n]) => n);
  return [...new Set(values)].sort((x, y) => x - y);
}

/** The engines by the names `X.engines` uses. */
const NAMES = { chromium: "Chromium", firefox: "Firefox ESR", webkit: "WebKitGTK" };

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** One engine's side: `open(url)`, `call(fn, arg)` in the page, `close()`; or why it cannot run. */
async function side(engine, given) {
  if (engine === "chromium") {
    const browser = given ?? (await launch());
    let context = null;
    let page = null;
    return {
      name: NAMES.chromium,
      version: browser.version(),
      async open(url) {
        await context?.close();
        context = await browser.newContext();
        page = await context.newPage();
        page.on("pageerror", (err) => log(`cpu-floor: Chromium page error ${err.message}`));
        await page.goto(url);
      },
      call: (fn, arg) => page.evaluate(fn, arg),
      close: () => (given ? context?.close() : browser.close()),
    };
  }
  const why = missing(engine);
  if (why) return { name: NAMES[engine], skipped: why };
  const { driver, close } = await startEngine(engine);
  const version = (await driver.getCapabilities()).get("browserVersion");
  return {
    name: NAMES[engine],
    version,
    open: (url) => driver.get(url),
    call: (fn, arg) => callInPage(driver, fn, [arg], `${fn.name} to end`, 300_000),
    close,
  };
}

/**
 * `X.rounds` rounds per engine of `X.engines`, each the floor (every kernel of `X.kernels`) then
 * the playground's case; resolves to `{ engines: [{ name, version, status, rounds }], cores }`,
 * each round `{ floors: { kernel: figures }, playground }` with the load average at its start.
 * Chromium is `browser` (the bench's) if given, else one launched here.
 */
export async function cpuFloorRuns(X, browser = null) {
  const [root, plain] = await Promise.all([
    startServer({ root: ".", isolation: false }),
    startServer({ isolation: false }),
  ]);
  const out = [];
  try {
    for (const engine of X.engines) {
      const s = await side(engine, browser).catch((err) => ({
        name: engine,
        skipped: String(err.message),
      }));
      if (s.skipped) {
        out.push({ name: s.name, status: "not run", reason: s.skipped });
        continue;
      }
      const rounds = [];
      try {
        for (let round = 0; round < X.rounds; round++) {
          const floors = {};
          for (const kernel of X.kernels) {
            log(`cpu-floor: ${s.name}, round ${round + 1}, the bare page (${kernel})`);
            const load = os.loadavg()[0];
            await s.open(`${root.url}bench/cpu-floor/`);
            const f = await s.call(floorInPage, {
              kernel,
              tasks: X.tasks,
              delay: X.delay,
              reps: X.reps,
            });
            floors[kernel] = { ...f, load, loadAfter: os.loadavg()[0] };
          }
          log(`cpu-floor: ${s.name}, round ${round + 1}, the playground`);
          const load = os.loadavg()[0];
          await s.open(plain.url);
          const p = await s.call(playgroundCpu, { tasks: X.tasks, delay: X.delay, reps: X.reps });
          const seqMs = median(p.seq.map((r) => r.elapsedMs));
          const parMs = median(p.par.map((r) => r.elapsedMs));
          const playground = {
            ...p,
            seqMs,
            parMs,
            ratio: seqMs / parMs,
            load,
            loadAfter: os.loadavg()[0],
          };
          rounds.push({ floors, playground, autogroupNice: autogroups() });
          const fl = X.kernels.map((k) => `${k} ${floors[k].ratio.toFixed(2)}x`).join(", ");
          log(
            `cpu-floor: ${s.name} round ${round + 1}: floor ${fl}; playground ${playground.ratio.toFixed(2)}x ` +
              `(sequential ${seqMs.toFixed(0)} ms, 2 threads ${parMs.toFixed(0)} ms; ` +
              `its first pair ${(p.first.seqMs / p.first.parMs).toFixed(2)}x); load ${load.toFixed(2)}`,
          );
        }
      } finally {
        await s.close();
      }
      out.push({ name: s.name, version: s.version, status: "ok", rounds });
    }
  } finally {
    root.close();
    plain.close();
  }
  return { engines: out, cores: os.availableParallelism() };
}

// Alone, without the reports: node bench/cpu-floor.mjs [engine...] prints the figures as JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { scenarios } = await import("./scenarios.mjs");
  const X = scenarios({ quick: false, cores: os.availableParallelism() }).cpuFloor;
  const engines = process.argv.slice(2);
  const r = await cpuFloorRuns({ ...X, engines: engines.length ? engines : X.engines });
  console.log(JSON.stringify(r, null, 1));
}
