// The critical path of a fresh load, unthrottled: when each file's request started and its
// download ended (Resource Timing), when the engine's wasm was compiled and on which thread, what
// the main thread did meanwhile (its tasks of 3 ms or more, by what they were), the first paint,
// and `ready`. A probe for reading, not a bench row:
//
//   node bench/load-path.mjs [--view full|embed] [--reps 3] [--trace] [--url http://...]
//
// Without --trace only the page's own timings are read (the trace slows the load a good deal).
//
// It serves dist/ (as the bench does) unless given a URL; the figures are ms from navigation.
import { parseArgs } from "node:util";
import { launch, startServer } from "../tests/e2e/harness.mjs";
import { benchInit } from "./browser.mjs";
import { TARGETS } from "./scenarios.mjs";

const CATEGORIES = [
  "toplevel",
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8.wasm",
  "blink.user_timing",
  "loading",
];

/**
 * Installed before any page script: when the engine's steps settled (ms from navigation), in
 * `window.__steps`: coi.js's early service worker registration and glue import, and the wasm's
 * streaming compilation and instantiation.
 */
function stepTimes() {
  const steps = (window.__steps = {});
  const when = (name, promise) =>
    promise?.then(
      () => (steps[name] ??= performance.now()),
      () => (steps[name] ??= -1),
    );
  let coi;
  Object.defineProperty(window, "coi", {
    configurable: true,
    get: () => coi,
    set(value) {
      coi = value;
      when("swRegistered", value?.early?.worker);
      when("glueImported", value?.early?.glue);
    },
  });
  const compile = WebAssembly.compileStreaming;
  WebAssembly.compileStreaming = function (...args) {
    steps.compileCalled ??= performance.now();
    const p = compile.apply(this, args);
    when("compiled", p);
    return p;
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (...args) {
    const p = instantiate.apply(this, args);
    when("instantiated", p);
    return p;
  };
}

/** The per-function events of lazy compilation: many, and short. */
const LAZY = /CompileLazy|CompileBaseline|AddCompiledCode|PublishCode|GrowMemory|Debug\./;

/** What a main-thread task was mostly about: its longest child events' names (and URLs). */
function describe(task, inside) {
  const named = inside
    .filter((e) => e.ts >= task.ts && e.ts < task.ts + task.dur && e.name !== "RunTask")
    .map((e) => {
      const d = e.args?.data ?? {};
      const url = d.url || d.fileName || d.scriptName || "";
      const tail =
        typeof url === "string" && url ? ` ${url.replace(/^https?:\/\/[^/]+\//, "")}` : "";
      return { label: `${e.name}${tail}`, dur: e.dur ?? 0 };
    });
  const byLabel = new Map();
  for (const n of named) byLabel.set(n.label, Math.max(byLabel.get(n.label) ?? 0, n.dur));
  return [...byLabel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([l, d]) => `${l} ${(d / 1000).toFixed(1)}`)
    .join(", ");
}

async function probe(browser, url, traced) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(benchInit);
    await context.addInitScript(stepTimes);
    const page = await context.newPage();
    if (traced) await browser.startTracing(page, { categories: CATEGORIES });
    let trace;
    let seen;
    try {
      await page.goto(url);
      seen = await page.evaluate(async () => {
        await window.playground.ready;
        const nav = performance.getEntriesByType("navigation")[0];
        const res = performance.getEntriesByType("resource").map((r) => ({
          name: r.name.replace(location.origin + "/", "").replace(/\?.*/, ""),
          start: r.startTime,
          reqStart: r.requestStart,
          respStart: r.responseStart,
          end: r.responseEnd,
          by: r.initiatorType,
        }));
        const paint = performance.getEntriesByType("paint").map((p) => [p.name, p.startTime]);
        return {
          readyAt: window.__bench.readyAt,
          nav: {
            responseStart: nav.responseStart,
            responseEnd: nav.responseEnd,
            domInteractive: nav.domInteractive,
            dcl: nav.domContentLoadedEventStart,
            load: nav.loadEventStart,
          },
          res,
          paint,
          steps: window.__steps,
        };
      });
    } finally {
      if (traced) trace = JSON.parse((await browser.stopTracing()).toString());
    }
    const lines = [];
    lines.push(`ready ${seen.readyAt.toFixed(1)} ms`);
    const round = (k, v) => (typeof v === "number" ? +v.toFixed(1) : v);
    lines.push(`document: ${JSON.stringify(seen.nav, round)}`);
    lines.push(`steps: ${JSON.stringify(seen.steps, round)}`);
    lines.push(`paint: ${seen.paint.map(([n, t]) => `${n} ${t.toFixed(1)}`).join(", ")}`);
    lines.push("files (start / request / first byte / end):");
    for (const r of seen.res.sort((a, b) => a.start - b.start)) {
      if (r.start > seen.readyAt + 50) continue;
      const f = (x) => x.toFixed(1).padStart(7);
      lines.push(
        `  ${f(r.start)} ${f(r.reqStart)} ${f(r.respStart)} ${f(r.end)}  ${r.name} (${r.by})`,
      );
    }
    const wasm = seen.res.find((r) => r.name.endsWith(".wasm"));
    const fcp = seen.paint.find(([n]) => n === "first-contentful-paint")?.[1] ?? null;
    const summary = { ready: seen.readyAt, fcp, wasmStart: wasm?.start, wasmEnd: wasm?.end };
    if (!traced) return { text: lines.join("\n"), summary };
    const events = trace.traceEvents ?? trace;
    const mark = events.find((e) => e.name === "playground-ready" && e.ph !== "M");
    const navTs = mark.ts - seen.readyAt * 1000;
    const ms = (ts) => ((ts - navTs) / 1000).toFixed(1);
    const threads = new Map(
      events
        .filter((e) => e.ph === "M" && e.name === "thread_name")
        .map((e) => [`${e.pid}:${e.tid}`, e.args.name]),
    );
    lines.push("wasm events:");
    for (const e of events.filter(
      (x) => /wasm/i.test(x.name) && x.ph !== "M" && !LAZY.test(x.name),
    )) {
      if (e.ts > mark.ts + 50_000 || e.ts < navTs) continue;
      const t = threads.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
      lines.push(`  ${ms(e.ts).padStart(7)} +${((e.dur ?? 0) / 1000).toFixed(1)} ${e.name} [${t}]`);
    }
    lines.push("main-thread tasks of 3 ms or more:");
    const mine = events.filter(
      (e) =>
        e.pid === mark.pid &&
        e.tid === mark.tid &&
        e.ph === "X" &&
        e.ts >= navTs &&
        e.ts <= mark.ts,
    );
    for (const task of mine.filter((e) => e.name === "RunTask" && e.dur >= 3000)) {
      lines.push(
        `  ${ms(task.ts).padStart(7)} +${(task.dur / 1000).toFixed(1).padStart(5)}  ${describe(task, mine)}`,
      );
    }
    return { text: lines.join("\n"), summary };
  } finally {
    await context.close();
  }
}

const { values } = parseArgs({
  options: {
    view: { type: "string", default: "full" },
    reps: { type: "string", default: "3" },
    trace: { type: "boolean", default: false },
    url: { type: "string" },
    roots: { type: "string" },
  },
});
const query = values.view === "embed" ? TARGETS.embedQuery : "";
const browser = await launch();
try {
  if (values.roots) await compare(values.roots.split(","));
  else await show();
} finally {
  await browser.close();
}

/** Each load's path in full. */
async function show() {
  const server = values.url ? null : await startServer();
  try {
    const url = (values.url ?? server.url) + query;
    await probe(browser, url, false); // not shown: the first load after the server starts
    for (let i = 0; i < Number(values.reps); i++) {
      console.log(`--- load ${i + 1}: ${url}`);
      console.log((await probe(browser, url, values.trace)).text);
    }
  } finally {
    server?.close();
  }
}

/**
 * Builds side by side (`--roots dist,/tmp/other`), fresh loads alternated (the order flips each
 * round): each load's ready, first paint and the wasm's download, then the medians.
 */
async function compare(roots) {
  const servers = await Promise.all(roots.map((root) => startServer({ root })));
  try {
    const out = roots.map(() => []);
    for (const s of servers) await probe(browser, s.url + query, false);
    for (let i = 0; i < Number(values.reps); i++) {
      const order = i % 2 ? [...roots.keys()].reverse() : [...roots.keys()];
      for (const k of order) {
        const { summary } = await probe(browser, servers[k].url + query, false);
        out[k].push(summary);
        const f = (x) => (x == null ? "-" : x.toFixed(0));
        console.log(
          `${roots[k]}: ready ${f(summary.ready)} fcp ${f(summary.fcp)} wasm ${f(summary.wasmStart)}-${f(summary.wasmEnd)}`,
        );
      }
    }
    // The median, and the lower quartile: on a machine other programs load in bursts, the
    // quartile is the figure least moved by them.
    const at = (q) => (xs) => {
      const v = xs.filter((x) => x != null).sort((a, b) => a - b);
      return v.length ? v[Math.floor((v.length - 1) * q)] : null;
    };
    const med = at(0.5);
    const quartile = at(0.25);
    for (const [k, root] of roots.entries()) {
      const pick = (key) => med(out[k].map((s) => s[key]))?.toFixed(0);
      const before = out[k].filter((s) => s.wasmEnd != null && s.fcp != null && s.wasmEnd <= s.fcp);
      console.log(
        `${root}: median ready ${pick("ready")} ms, lower quartile ${quartile(out[k].map((s) => s.ready)).toFixed(0)} ms (${out[k].map((s) => s.ready.toFixed(0)).join(" ")}), ` +
          `first paint ${pick("fcp")}, wasm ${pick("wasmStart")}-${pick("wasmEnd")}; ` +
          `the wasm's download ended before the first paint in ${before.length} of ${out[k].length}`,
      );
    }
  } finally {
    for (const s of servers) s.close();
  }
}
