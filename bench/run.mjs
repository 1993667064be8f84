// The benchmark: the playground's own numbers next to the programs a learner would otherwise
// run, CPython (bench/python_bench.py) and Pyodide (bench/pyodide-page/), in one run.
//
//   node bench/run.mjs            # the full bench, a few minutes on 2 cores (./build.sh bench)
//   node bench/run.mjs --quick    # short delays, small N, fewer repetitions: checks the harness
//   node bench/run.mjs --only fetch
//                                 # the fetch rows alone (about a minute), spliced into the last
//                                 # full run's bench/results.json; the three files are written
//                                 # again from it, as the full run writes them
//   node bench/run.mjs --only load
//                                 # the page's load alone (a few minutes): ready and its floor,
//                                 # first-visit bytes, what each panel loads later, the traced
//                                 # loads with the CPU slowed fourfold, and Lighthouse; spliced
//                                 # into bench/results.json as --only fetch does
//   node bench/run.mjs --only convoy
//                                 # the GIL's convoy alone (a few minutes), both sides,
//                                 # spliced into bench/results.json as --only fetch does
//   node bench/run.mjs --only separate
//                                 # threads with shared memory beside threads with memory of
//                                 # their own (a page without isolation), in Chromium and Firefox
//                                 # ESR (several minutes), spliced into bench/results.json as
//                                 # --only fetch does
//   node bench/run.mjs --only cpu-floor
//                                 # the CPU speedup's floor: two bare Web Workers against one
//                                 # (bench/cpu-floor/) beside the playground's 4 CPU tasks on 2
//                                 # threads of separate memory, in Chromium, Firefox ESR and
//                                 # WebKitGTK (a few minutes), spliced into bench/results.json
//                                 # as --only fetch does
//   node bench/run.mjs --only bytes
//                                 # the first visits' bytes and the wasm module's breakdown
//                                 # alone (about a minute), spliced into bench/results.json as
//                                 # --only fetch does
//   node bench/run.mjs --only accounting
//                                 # the async accounting's cost: a million tasks of 1 s with it
//                                 # and without, alternated on one page; prints the figures
//
// It serves the built page (dist/, cross-origin isolated) with scripts/serve.mjs and the project
// root on a second server (so the Pyodide page can load node_modules/pyodide, never copied into
// www/ or dist/), runs the three sides in turn and writes the reports:
//
//   scenarios.mjs   what is measured, and the targets
//   playground.mjs  the page in headless Chromium, through window.playground.run(...)
//   cpython.mjs     python_bench.py with the machine's python3
//   pyodide.mjs     bench/pyodide-page/ in the same Chromium
//   separate.mjs    shared beside separate memory, in Chromium and Firefox ESR (WebDriver)
//   cpu-floor.mjs   the CPU speedup's floor (bench/cpu-floor/), in the three engines
//   report.mjs      BENCHMARKS.md, bench/results.json, www/bench-results.json
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { launch, startServer } from "../tests/e2e/harness.mjs";
import { benchStart, log } from "./common.mjs";
import { benchCPython, benchCPythonConvoy, benchCPythonFetch } from "./cpython.mjs";
import { benchLighthouse } from "./lighthouse.mjs";
import {
  accountingRuns,
  benchPlayground,
  convoyRuns,
  fetchRuns,
  firstVisits,
  loadRuns,
} from "./playground.mjs";
import { benchPyodide } from "./pyodide.mjs";
import { separateRuns } from "./separate.mjs";
import { cpuFloorRuns } from "./cpu-floor.mjs";
import { writeReports } from "./report.mjs";
import { scenarios } from "./scenarios.mjs";

process.chdir(join(dirname(fileURLToPath(import.meta.url)), "..")); // serve.mjs is found by a relative path

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-python": { type: "boolean", default: false },
    "no-pyodide": { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const ALONE = ["fetch", "load", "convoy", "separate", "cpu-floor", "accounting", "bytes"];
if (flags.only != null && !ALONE.includes(flags.only)) {
  throw new Error(
    `--only ${flags.only}: the parts that run alone are ${ALONE.map((p) => `"${p}"`).join(", ")}`,
  );
}
/**
 * Where the module's bytes go, by `twiggy top` (crates.io; build.sh installs it for the bench):
 * the linker's output of the plain build, the one file twiggy 0.7 parses (it panics on the
 * threaded build and on wasm-bindgen's output) and the only one with function names. Left out:
 * the name section and the custom sections and descriptor functions that wasm-bindgen removes.
 * Grouped by crate, plus the largest items; raw bytes, before wasm-opt.
 */
function wasmBreakdown() {
  const file = "target/st/wasm32-unknown-unknown/release/playground.wasm";
  try {
    const json = execFileSync("twiggy", ["top", "-n", "1000000", "-f", "json", file], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const items = JSON.parse(json).filter(
      (i) => !/^custom section|subsection|__wbindgen_describe|^type\[|^import /.test(i.name),
    );
    // The playground's own code by its top module (report, scheduler, races...): what each part
    // of the page costs in the module, whether or not the first screen uses it.
    const crateOf = (name) => {
      if (/^data\[/.test(name)) return "static data (strings, tables)";
      const m = name.match(/^<*([a-z_0-9]+)\[[0-9a-f]+\](?:::([a-z_0-9]+))?/);
      if (!m) return "other (std generics, glue)";
      return m[1] === "playground" && m[2] ? `playground::${m[2]}` : m[1];
    };
    const byCrate = new Map();
    let total = 0;
    for (const i of items) {
      total += i.shallow_size;
      const c = crateOf(i.name);
      byCrate.set(c, (byCrate.get(c) ?? 0) + i.shallow_size);
    }
    return {
      file,
      total,
      byCrate: [...byCrate]
        .map(([crate, bytes]) => ({ crate, bytes }))
        .sort((a, b) => b.bytes - a.bytes),
      items: items.slice(0, 15).map((i) => ({ name: i.name, bytes: i.shallow_size })),
    };
  } catch (err) {
    return { file, error: `twiggy failed: ${String(err.message).split("\n")[0]}` };
  }
}

const S = scenarios({ quick: flags.quick, cores: os.cpus().length });

if (flags.only === "fetch") {
  await onlyFetch();
  process.exit(0);
}
if (flags.only === "load") {
  await onlyLoad();
  process.exit(0);
}
if (flags.only === "convoy") {
  await onlyConvoy();
  process.exit(0);
}
if (flags.only === "separate") {
  await spliceAlone("separate", startServer, async (R, browser, www) => {
    R.separate = await separateRuns(browser, www.url, S);
    // The floor's rows say when they were measured: here, not at the last --only cpu-floor.
    const floorRun = {
      date: new Date().toISOString(),
      loadAverageAtStart: os.loadavg(),
      part: "separate",
    };
    R.cpuFloor = await cpuFloorRuns(S.cpuFloor, browser);
    R.cpuFloorRun = { ...floorRun, loadAverageAtEnd: os.loadavg() };
  });
  process.exit(0);
}
if (flags.only === "cpu-floor") {
  await spliceAlone("cpuFloor", startServer, async (R, browser) => {
    R.cpuFloor = await cpuFloorRuns(S.cpuFloor, browser);
  });
  process.exit(0);
}
if (flags.only === "bytes") {
  await onlyBytes();
  process.exit(0);
}
if (flags.only === "accounting") {
  const [browser, www] = await Promise.all([launch(), startServer()]);
  try {
    const loadAverageAtStart = os.loadavg();
    const result = await accountingRuns(browser, www.url, S);
    console.log(
      JSON.stringify({ ...result, loadAverageAtStart, loadAverageAtEnd: os.loadavg() }, null, 2),
    );
  } finally {
    await browser.close();
    www.close();
  }
  process.exit(0);
}

/**
 * One part measured alone (`--only <part>`): `measure(R, browser, www)` puts its figures in place
 * of the last full run's in bench/results.json, `R.<part>Run` says when and at what load, and
 * the reports are written again from it by the same code as a full run (so a full run
 * reproduces them).
 */
async function spliceAlone(part, serve, measure) {
  const R = JSON.parse(readFileSync("bench/results.json", "utf8"));
  if (R.quick !== S.quick)
    throw new Error(`--only ${part}: results.json is from a --quick run, or the other way round`);
  const [browser, www] = await Promise.all([launch(), serve()]);
  const run = { date: new Date().toISOString(), loadAverageAtStart: os.loadavg() };
  try {
    await measure(R, browser, www);
  } finally {
    await browser.close();
    www.close();
  }
  R[`${part}Run`] = { ...run, loadAverageAtEnd: os.loadavg() };
  await writeReports(R, S);
}

/** The fetch rows alone, both sides. */
function onlyFetch() {
  return spliceAlone("fetch", startServer, async (R, browser, www) => {
    const { fetch, floor } = await fetchRuns(browser, www.url, S);
    R.playground.fetch = fetch;
    R.playground.fetchFloor = floor;
    if (R.cpython) R.cpython.fetch = await benchCPythonFetch(S, `${www.url}api/latency`);
  });
}

/** The convoy alone, both sides. */
function onlyConvoy() {
  return spliceAlone("convoy", startServer, async (R, browser, www) => {
    R.playground.convoy = await convoyRuns(browser, www.url, S);
    if (R.cpython) R.cpython.convoy = await benchCPythonConvoy(S);
  });
}

/** The server of dist/ that logs every response's size (a first visit is counted as sent). */
async function bytesServer() {
  const www = await startServer({ args: ["--log-bytes"] });
  /** The server's `sent <status> <bytes> <path>` lines, kept until a visit's count reads them. */
  www.sent = [];
  let partial = "";
  www.child.stdout.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop();
    for (const l of lines) if (l.startsWith("sent ")) www.sent.push(l);
  });
  return www;
}

/** The first visits' bytes alone, and where the module's bytes go. */
function onlyBytes() {
  return spliceAlone("bytes", bytesServer, async (R, browser, www) => {
    Object.assign(R.playground.page, await firstVisits(browser, www.url, www));
    R.wasmBreakdown = wasmBreakdown();
    const { visits, visitGzip } = R.playground.page;
    for (const [view, v] of [...Object.entries(visits), ["full page, gzip only", visitGzip]])
      log(`${view}: ${v.bytes} bytes in ${v.responses} responses`);
  });
}

/** The page's load alone: page loads and Lighthouse. */
function onlyLoad() {
  return spliceAlone("load", bytesServer, async (R, browser, www) => {
    R.playground.page = await loadRuns(browser, www.url, S, www);
    R.lighthouse = await benchLighthouse(www.url);
  });
}

let [browser, www, rootServer] = await Promise.all([
  launch(),
  // dist/, cross-origin isolated: the page as users get it; it logs every response's size, so
  // a first visit is counted as downloaded, workers included.
  bytesServer(),
  flags["no-pyodide"] ? null : startServer({ root: "." }), // for node_modules/pyodide
]);
const R = { date: new Date().toISOString(), quick: S.quick };
try {
  R.machine = {
    cores: S.cores,
    cpu: os.cpus()[0]?.model?.trim() ?? "unknown",
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryBytes: os.totalmem(),
    chromium: browser.version(),
    node: process.version,
    loadAverageAtStart: os.loadavg(),
  };
  if (os.loadavg()[0] > 0.5 * S.cores) {
    log(`warning: load average ${os.loadavg()[0].toFixed(2)}: other work will skew the figures`);
  }
  R.settings = S;
  R.playground = await benchPlayground(browser, www.url, S, www);
  R.lighthouse = await benchLighthouse(www.url);
  R.separate = await separateRuns(browser, www.url, S);
  if (!flags["no-python"]) R.cpython = await benchCPython(S, `${www.url}api/latency`);
  R.machine.python = R.cpython?.version ?? null;
  if (rootServer) {
    // The browser sat idle through the CPython runs; if it went away meanwhile (another job on
    // the machine may end Chromium processes), Pyodide gets a new one rather than no row.
    if (!browser.isConnected()) {
      log("warning: the browser went away; launching a new one for Pyodide");
      browser = await launch();
    }
    const url = `${rootServer.url}bench/pyodide-page/`;
    R.pyodide = await benchPyodide(browser, url, S, R.cpython?.cpuIterations ?? null);
    R.machine.pyodide = R.pyodide.version;
    R.machine.pyodidePython = R.pyodide.python;
  }
} finally {
  await browser.close();
  www.close();
  rootServer?.close();
}
R.wasmBreakdown = wasmBreakdown();
R.benchSeconds = (performance.now() - benchStart) / 1000;
R.machine.loadAverageAtEnd = os.loadavg();
await writeReports(R, S);
