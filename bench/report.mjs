// The bench's output: BENCHMARKS.md (the tables and the targets, then bench/design-figures.md as
// it is), bench/results.json (everything measured) and www/bench-results.json (the small summary
// the page's "Compare with Python" panel reads: www/compare.js), plus the Markdown on stdout.
import { readFileSync, writeFileSync } from "node:fs";
import * as prettier from "prettier";
import { log, median } from "./common.mjs";
import { TARGETS } from "./scenarios.mjs";

const fmtS = (ms) => (ms == null ? "—" : `${(ms / 1000).toFixed(3)} s`);
const fmtMs = (ms) => (ms == null ? "—" : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtKB = (b) =>
  b == null ? "—" : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} KB`;
const ratio = (ms, ideal) => (ms == null || !ideal ? "—" : `${(ms / ideal).toFixed(3)}×`);
const n = (x) => x.toLocaleString("en-US");
/** "1.98–2.05 s": the spread of a measurement's repetitions (3 decimals under a second). */
const spread = (r) => {
  const d = r.maxMs < 1000 ? 3 : 2;
  return `${(r.minMs / 1000).toFixed(d)}–${(r.maxMs / 1000).toFixed(d)} s`;
};

/** A measured cell: the median (and the spread, for `withSpread`), or why there is none. */
function cell(r, { capMs, withSpread = false }) {
  if (!r) return { text: "—", ms: null };
  if (r.status === "ok") {
    const text = withSpread ? `${fmtS(r.medianMs)} (${spread(r)})` : fmtS(r.medianMs);
    // A figure for another N (CPython's million beside ten million) is no ratio to this ideal.
    if (r.label) return { text: `${text} (${r.label})`, ms: null };
    return { text, ms: r.medianMs };
  }
  if (r.status === "timed out") return { text: `timed out (> ${capMs / 1000} s)`, ms: null };
  return { text: r.status === "error" ? `error: ${r.error}` : r.status, ms: null };
}

function longest(pg, py) {
  const f = (r) =>
    r?.status === "ok" ? (r.longestTaskRunMs > 0 ? fmtMs(r.longestTaskRunMs) : "< 50 ms") : "—";
  return py === undefined ? f(pg) : `${f(pg)} / ${f(py)}`;
}

/** The main table's rows: one per playground scenario, with CPython and Pyodide beside it. */
function buildRows(R, S) {
  const rows = [];
  for (const a of R.playground.async) {
    // CPython runs at most a million asyncio tasks (ten million would take minutes): the
    // playground's larger N stands beside CPython's million, said so in the cell.
    const cpN = Math.min(a.tasks, 1_000_000);
    const cp1 = R.cpython?.async.find((x) => x.tasks === cpN);
    const cp = cp1 && cpN !== a.tasks ? { ...cp1, label: `N=${n(cpN)}` } : cp1;
    const py = R.pyodide?.async.find((x) => x.tasks === a.tasks);
    rows.push({
      id: `async-${a.tasks}-${a.timers}`,
      scenario: `async sleep ${a.delay / 1000} s, N=${n(a.tasks)} (${a.timers} timers)`,
      pg: a,
      cp,
      py: py ?? (R.pyodide ? { status: "not run (too slow)" } : null),
      idealMs: a.idealMs,
      longest: longest(a, py ?? null),
    });
  }
  for (const t of R.playground.threads) {
    const cp = R.cpython?.threads.find((x) => x.tasks === t.tasks && x.threads === t.threads);
    rows.push({
      id: `threads-${t.tasks}-${t.threads}`,
      scenario: `threads sleep ${t.delay / 1000} s, N=${t.tasks} T=${t.threads}${t.threads === t.tasks ? " (a thread per task)" : ""}`,
      pg: t,
      cp,
      py: R.pyodide ? { status: "no threads" } : null,
      idealMs: t.idealMs,
      longest: longest(t),
    });
  }
  // A thread per task past the pool: the run that started its threads, then the one that reused
  // them, each beside CPython's program (which starts its threads in every run).
  for (const t of R.playground.perTask ?? []) {
    const cp = R.cpython?.perTask?.find((x) => x.tasks === t.tasks);
    const base = `threads sleep ${t.delay / 1000} s, N=${n(t.tasks)}, a thread per task`;
    for (const [key, how] of [
      ["started", "threads started in the run"],
      ["reused", "threads kept from the run before"],
    ]) {
      rows.push({
        id: `per-task-${t.tasks}-${key}`,
        scenario: `${base} (${how})`,
        pg: t[key],
        cp,
        py: R.pyodide ? { status: "no threads" } : null,
        idealMs: t.idealMs,
        longest: longest(t[key]),
      });
    }
  }
  for (const c of R.playground.cpu) {
    const cp =
      c.gil === false
        ? { status: "n/a (3.11 has a GIL)" }
        : R.cpython?.cpu.find((x) => x.id === c.id);
    const py =
      c.id === "seq"
        ? R.pyodide?.cpu.find((x) => x.id === "seq")
        : R.pyodide
          ? { status: "no threads" }
          : null;
    rows.push({
      id: `cpu-${c.id}`,
      scenario: `CPU ${c.tasks} × ${c.delay} ms, ${c.label}`,
      cpu: true,
      pg: c,
      cp,
      py,
      idealMs: c.idealMs,
      longest: longest(c),
    });
  }
  return rows;
}

function table(rows, S) {
  const head = [
    "Scenario",
    "Playground",
    "CPython",
    "Pyodide",
    "Ideal",
    "Playground ÷ ideal",
    "CPython ÷ ideal",
    "Pyodide ÷ ideal",
    "Longest main-thread task (playground / Pyodide)",
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((h, i) => (i ? "---:" : "---")).join("|")}|`,
  ];
  for (const r of rows) {
    const opts = { capMs: S.capMs, withSpread: r.cpu };
    const [pg, cp, py] = [cell(r.pg, opts), cell(r.cp, opts), cell(r.py, opts)];
    lines.push(
      `| ${[r.scenario, pg.text, cp.text, py.text, fmtS(r.idealMs), ratio(pg.ms, r.idealMs), ratio(cp.ms, r.idealMs), ratio(py.ms, r.idealMs), r.longest].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

function pageTable(R) {
  const p = R.playground.page;
  const py = R.pyodide;
  const lat = (m) => p[`firstRunLatency_${m}`]?.medianMs;
  const rows = [
    [
      "Page load: navigation to ready (median)",
      fmtMs(p.readyMs),
      `${fmtMs(R.cpython?.startupMs)} (python3 start + imports)`,
      fmtMs(py?.readyMs),
    ],
    ["Embed (run view) load: navigation to ready (median)", fmtMs(p.embed?.readyMs), "—", "—"],
    [
      "Bare page (bench/pool-start/): navigation to the engine instantiated (median)",
      fmtMs(p.poolStarts?.engineAt?.medianMs),
      "—",
      "—",
    ],
    [`Worker pool start-up (pool of ${p.poolSize}, on the page)`, fmtMs(p.poolStartMs), "—", "—"],
    ...Object.entries(p.poolStarts?.sizes ?? {}).map(([threads, x]) => [
      `Worker pool start-up (pool of ${threads}, on a bare page: bench/pool-start/)`,
      fmtMs(x.medianMs),
      "—",
      "—",
    ]),
    [
      "First visit, each distinct file gzipped (the bench's own count)",
      `${fmtKB(p.firstVisit.gzip)} (${p.firstVisit.files} files, ${fmtKB(p.firstVisit.raw)} raw)`,
      "—",
      py?.firstVisit
        ? `${fmtKB(py.firstVisit.gzip)} (${py.firstVisit.files} files, ${fmtKB(py.firstVisit.raw)} raw)`
        : "—",
    ],
    [
      "First-run latency, threads N=3 T=3 (fresh page, pool started)",
      fmtMs(lat("threads")),
      "—",
      "—",
    ],
    [
      "First-run latency, threads N=3 T=3 (fresh page, asked for before the pool was up)",
      `${fmtMs(lat("threads-early"))} (${fmtMs(p["firstRunLatency_threads-early"]?.poolWaitMs)} of it waiting for the pool)`,
      "—",
      "—",
    ],
    ["First-run latency, async N=3 (fresh page)", fmtMs(lat("async")), "—", "—"],
    ...R.playground.async
      .filter((a) => a.tasks >= 100_000 && a.timers === "wheel")
      .map((a) => {
        const cp = R.cpython?.async.find((x) => x.tasks === a.tasks);
        return [
          `Memory per pending async task, N=${n(a.tasks)}`,
          a.memory?.bytesPerTask != null
            ? `${a.memory.bytesPerTask.toFixed(1)} B (live heap growth)`
            : "not measured",
          cp?.rssBytesPerTask != null ? `${cp.rssBytesPerTask.toFixed(0)} B (RSS growth)` : "—",
          "—",
        ];
      }),
  ];
  const lines = ["| Measure | Playground | CPython | Pyodide |", "|---|---:|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

/** The races: CPython's rows with the playground's same program beside them. */
function raceRows(R) {
  const label = (s) =>
    s.kind === "race-async"
      ? `asyncio, ${s.tasks} tasks × ${n(s.increments)}, \`await asyncio.sleep(0)\` between read and write`
      : `${s.threads} threads × ${n(s.increments)} \`counter += 1\`, ${s.lock ? "with a threading.Lock" : "no lock"}`;
  const pg = (id) => (R.playground?.races ?? []).find((r) => r.id === id) ?? null;
  return (R.cpython?.races ?? []).map((r) => ({
    id: r.id,
    scenario: label(r.scenario),
    playground: pg(r.id),
    cpython: r,
  }));
}

function raceTable(races) {
  const lines = [
    "| Scenario | CPython lost, median (min–max) | CPython time | Playground lost, median (min–max) | Playground ns per update | Correct count |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  const lostOf = (list) => `${n(median(list))} (${n(Math.min(...list))}–${n(Math.max(...list))})`;
  for (const { scenario, cpython: r, playground: p } of races) {
    const lost = r.status === "ok" ? lostOf(r.lost) : `${r.status}${r.error ? `: ${r.error}` : ""}`;
    const time = r.status === "ok" ? `${fmtS(r.medianMs)} (${spread(r)})` : "—";
    const pLost = p?.status === "ok" ? lostOf(p.lost) : p ? `${p.status}: ${p.error}` : "not run";
    const pNs = p?.status === "ok" ? p.nsPerUpdate.toFixed(1) : "—";
    lines.push(
      `| ${scenario} | ${lost} | ${time} | ${pLost} | ${pNs} | ${r.expected != null ? n(r.expected) : "—"} |`,
    );
  }
  return lines.join("\n");
}

/** The convoy: how late a thread woke from 1 ms sleeps beside a computing one, both sides. */
function convoyTable(R, S) {
  const pg = R.playground?.convoy ?? [];
  const cp = R.cpython?.convoy ?? [];
  if (!pg.length && !cp.length) return "Not measured in this run.";
  const late = (r) =>
    r?.status === "ok" && r.wakeLateMs?.median != null
      ? `${r.wakeLateMs.median.toFixed(2)} ms (p90 ${r.wakeLateMs.p90.toFixed(2)})`
      : r
        ? `${r.status}${r.error ? `: ${r.error}` : ""}`
        : "not run";
  const lines = [
    "| Case | CPython 3.11, wake-up late: median (p90) | Playground, wake-up late: median (p90) |",
    "|---|---:|---:|",
  ];
  for (const c of S.convoy.cases) {
    const label = c.gil
      ? `GIL, switch interval ${c.switchInterval} ms`
      : "no GIL (CPython: the sleeping thread alone; playground: gil off, free-threaded)";
    lines.push(
      `| ${label} | ${late(cp.find((r) => r.id === c.id))} | ${late(pg.find((r) => r.id === c.id))} |`,
    );
  }
  return lines.join("\n");
}

/** The playground's own race figures: lost updates per million and ns per update, and deadlock detection. */
function playgroundRaceTable(R) {
  const rows = R.playground?.races ?? [];
  if (!rows.length) return "Not measured in this run.";
  const lines = [
    "| Playground case | Lost per million updates, median | ns per update, median | Deadlock found after |",
    "|---|---:|---:|---:|",
  ];
  for (const r of rows) {
    if (r.status !== "ok") {
      lines.push(`| ${r.id} | ${r.status}: ${r.error} | — | — |`);
      continue;
    }
    const o = r.options;
    const what =
      o.workload === "deadlock"
        ? `deadlock, ${o.threads} threads, locks in opposite order`
        : `${o.model === "async" ? `async, ${o.tasks} tasks, await inside` : `${o.threads} thread${o.threads > 1 ? "s" : ""}`}, sync=${o.sync ?? "none"}, ${n(o.tasks * o.increments)} updates`;
    const perMillion =
      r.expected != null && r.lost.every((x) => x != null)
        ? n(Math.round((median(r.lost) / r.expected) * 1e6))
        : "—";
    const ns = o.workload === "counter" ? r.nsPerUpdate.toFixed(1) : "—";
    const dl = r.deadlockDetectMs != null ? `${r.deadlockDetectMs.toFixed(0)} ms` : "—";
    lines.push(`| ${what} | ${perMillion} | ${ns} | ${dl} |`);
  }
  return lines.join("\n");
}

/** The fetch rows: the playground beside CPython, same N and delay, and what answered each. */
function fetchTable(R, S) {
  const pg = R.playground?.fetch;
  const cp = R.cpython?.fetch;
  if (!pg && !cp) return "Not measured in this run.";
  const head = [
    "Scenario",
    "Playground",
    "CPython",
    "Ideal",
    "Playground ÷ ideal",
    "CPython ÷ ideal",
    "Requests under way at once where answered (playground / CPython)",
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((h, i) => (i ? "---:" : "---")).join("|")}|`,
  ];
  const peaks = (xs) => (xs?.length ? xs.map((x) => (x == null ? "—" : n(x))).join(", ") : "—");
  for (const c of S.fetch.cases) {
    const p = pg?.find((x) => x.id === c.id);
    const q = cp?.find((x) => x.id === c.id);
    const idealMs = Math.ceil(c.tasks / (c.threads ?? c.tasks)) * c.delay;
    const what =
      c.model === "async"
        ? `async fetch ${c.delay} ms, N=${n(c.tasks)} (CPython: asyncio, \`asyncio.open_connection\`)`
        : c.threads
          ? `threads fetch ${c.delay} ms, N=${n(c.tasks)} T=${c.threads} (CPython: \`ThreadPoolExecutor(${c.threads})\`, http.client)`
          : `threads fetch ${c.delay} ms, N=${n(c.tasks)}, a thread per request (playground: threads kept from a first run that started them; CPython: \`threading.Thread\`, http.client)`;
    const opts = { capMs: S.capMs, withSpread: true };
    const [a, b] = [p ? cell(p, opts) : { text: "not measured", ms: null }, cell(q, opts)];
    const at = `${p ? `${peaks(p.requestsPeak)} (${[...new Set(p.answeredBy)].join(", ")})` : "—"} / ${q ? peaks(q.serverPeak) : "—"}`;
    lines.push(
      `| ${[what, a.text, b.text, fmtS(idealMs), ratio(a.ms, idealMs), ratio(b.ms, idealMs), at].join(" | ")} |`,
    );
  }
  for (const f of R.playground?.fetchFloor ?? []) {
    const a = cell(f, { capMs: S.capMs, withSpread: true });
    lines.push(
      `| Chromium's floor: a bare page, ${n(f.tasks)} fetch() of ${f.delay} ms to a minimal service worker (bench/fetch-floor/) | ${a.text} | — | ${fmtS(f.idealMs)} | ${ratio(a.ms, f.idealMs)} | — | not counted |`,
    );
  }
  return lines.join("\n");
}

/** A cell of the separate-memory table: the median and spread, or the engine's refusal. */
function sepCell(r, S, more = "") {
  if (r?.status === "refused") return `refused: ${r.error.replace(/\|/g, "\\|")}`;
  const text = cell(r, { capMs: S.separate.capMs, withSpread: true }).text;
  return r?.status === "ok" ? `${text}${more}` : text;
}

/** The rows of one browser's page, by case, as the table reads them. */
function sepRows(X) {
  const byId = (p, id) => p.cases?.find((c) => c.id === id);
  const rows = [];
  for (const c of X.cases) {
    const what = `${c.workload === "fetch" ? "fetch" : "sleep"} ${c.delay} ms, N=${n(c.tasks)}`;
    if (c.perTask) {
      const started = (p) => byId(p, c.id)?.started;
      rows.push([
        `threads ${what}, a thread per task: the run that started its threads (their start-up inside its time)`,
        Math.ceil(c.tasks / c.threads) * c.delay,
        (p, S) => {
          const r = started(p);
          const [count, ms] = [r?.threadsStarted?.[0], r?.threadsStartMs?.[0]];
          const more = count
            ? `; ${n(count)} threads started in it, in ${fmtMs(ms)}`
            : "; no thread started in it";
          return sepCell(r, S, more);
        },
      ]);
      rows.push([
        `threads ${what}, a thread per task: threads kept from the run before`,
        Math.ceil(c.tasks / c.threads) * c.delay,
        (p, S) => sepCell(byId(p, c.id), S),
      ]);
      continue;
    }
    const how = c.threads === c.tasks ? "a thread per request (threads kept)" : `T=${c.threads}`;
    rows.push([
      `threads ${what}, ${c.workload === "fetch" ? how : `T=${c.threads}`}`,
      Math.ceil(c.tasks / c.threads) * c.delay,
      (p, S) => {
        const r = byId(p, c.id);
        const peak = Math.max(...(r?.requestsPeak ?? []).filter((x) => x != null));
        const more =
          c.workload === "fetch"
            ? `; answered by ${r?.answeredBy?.join(" and ") || "nothing"}${Number.isFinite(peak) ? `, at most ${n(peak)} at once` : ""}`
            : "";
        return sepCell(r, S, more);
      },
    ]);
  }
  for (const c of X.cpu) {
    const what = `CPU ${c.tasks} × ${c.delay} ms`;
    const of = (p) => p.cpu?.find((x) => x.id === c.id);
    rows.push([`${what}, sequential`, c.tasks * c.delay, (p, S) => sepCell(of(p)?.seq, S)]);
    rows.push([
      `${what}, ${c.threads} threads`,
      (c.tasks * c.delay) / c.threads,
      (p, S) => sepCell(of(p)?.par, S),
    ]);
    rows.push([
      `${what}: speedup, sequential ÷ ${c.threads} threads (medians)`,
      null,
      (p) => (of(p)?.speedup != null ? `${of(p).speedup.toFixed(2)}×` : "—"),
    ]);
  }
  const g = X.gil;
  rows.push([
    `GIL: CPU ${g.tasks} × ${g.delay} ms on ${g.threads} threads, gil: true`,
    g.tasks * g.delay,
    (p, S) => {
      const r = p.gil;
      const more = r?.overSequential != null ? ` (${r.overSequential.toFixed(2)}× sequential)` : "";
      return sepCell(r?.par, S, more);
    },
  ]);
  rows.push([
    "GIL hand-off: on shared memory, the gap from one thread dropping the GIL to the other " +
      "taking it (between the record's holds), median (p90) of each run's hand-offs; on separate " +
      "memory, the record's `gilHandoffMs`: a waiting thread's message to the page and the " +
      "grant's way back (its wait for the lock, timed by the thread, less its time queued behind " +
      "the holder), each run's mean, median of the runs",
    null,
    (p) => gilHandoffCell(p),
  ]);
  return rows;
}

/**
 * The GIL hand-off row's cell for page `p`: the gaps between holds on shared memory, the
 * record's `gilHandoffMs` on separate memory, each named; the hand-offs counted in each run.
 */
function gilHandoffCell(p) {
  const r = p.gil;
  if (r?.par?.status === "refused") return "refused (above)";
  const counts = (r?.handoffs ?? []).filter((x) => x != null);
  const runs = counts.length ? `; ${counts.map(n).join(", ")} hand-offs` : "";
  if (p.memory === "separate") {
    if (r && !r.handoffMs) return "not measured (results from before `gilHandoffMs`)";
    const means = (r?.handoffMs ?? []).filter((x) => x != null);
    if (!means.length) return "—";
    const each = means.map((x) => x.toFixed(3)).join(", ");
    return `\`gilHandoffMs\` ${median(means).toFixed(3)} ms (runs: ${each})${runs}`;
  }
  const gaps = (r?.gapMs ?? []).filter(Boolean);
  if (!gaps.length) return "—";
  const med = median(gaps.map((x) => x.median));
  const p90 = median(gaps.map((x) => x.p90));
  return `gap ${med.toFixed(3)} ms (p90 ${p90.toFixed(3)} ms)${runs}`;
}

/** Each browser's measured pages, in the table's column order: isolated, then not. */
function sepColumns(sep) {
  const cols = [];
  for (const b of sep.browsers) {
    for (const kind of ["isolated", "notIsolated"]) {
      const p = b[kind];
      const page = kind === "isolated" ? "isolated page" : "page without isolation";
      const mem = p?.memory ? `${p.memory} memory` : "not run";
      cols.push({ b, p, head: `${b.browser} ${b.version ?? ""}: ${page}, ${mem}` });
    }
  }
  return cols;
}

/** Shared memory beside separate memory, both browsers, and the issue's two targets. */
function separateSection(R, S) {
  const sep = R.separate;
  if (!sep || !S.separate) return "Not measured in this run.";
  const X = S.separate;
  const cols = sepColumns(sep);
  const lines = [
    `| Case | Ideal | ${cols.map((c) => c.head).join(" | ")} |`,
    `|---|---:|${cols.map(() => "---:").join("|")}|`,
  ];
  const colCell = (c, fn) => {
    if (c.b.status !== "ok") return `not run: ${c.b.reason}`;
    if (c.p?.status !== "ok")
      return c.p?.status === "error" ? `error: ${c.p.error}` : (c.p?.status ?? "—");
    return fn(c.p, S);
  };
  for (const [what, ideal, fn] of sepRows(X)) {
    lines.push(
      `| ${what} | ${ideal == null ? "" : fmtS(ideal)} | ${cols.map((c) => colCell(c, fn)).join(" | ")} |`,
    );
  }
  const method = `Each browser loads the isolated page (the threaded build: its pool's threads share one memory) and the same build served without cross-origin isolation (each thread a Web Worker with its own wasm instance), and runs the same cases through \`playground.run\`; each sleep and fetch case runs once untimed, then ${X.reps} times, the CPU and GIL cases ${X.reps} times interleaved with sequential; median (fastest–slowest); 2 threads exist before every clock, and a thread per task is shown on the run that started its threads (their start-up stated) and on the threads kept from it. Chromium through playwright, Firefox ESR through WebDriver (tests/e2e/webdriver.mjs). The page without isolation comes from \`scripts/serve.mjs --no-isolation\`, which serves the page's service worker empty, so its requests go to that HTTP/1.1 server (at most 6 connections); the isolated page's service worker answers them.`;
  return [lines.join("\n"), "", method, "", ...separateTargets(sep)].join("\n");
}

/** "1.95× (1.93–1.99×)": the median of the rounds' ratios and their spread. */
function ratioCell(xs) {
  if (!xs.length) return "—";
  const m = `${median(xs).toFixed(2)}×`;
  return xs.length > 1 ? `${m} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×)` : m;
}

/**
 * The CPU speedup's floor: per engine, two bare Web Workers against one on bench/cpu-floor/
 * (each kernel) beside the playground's 4 CPU tasks on 2 threads of separate memory, and the
 * load average around them.
 */
function cpuFloorSection(R, S) {
  const F = R.cpuFloor;
  const X = S.cpuFloor;
  if (!F || !X) return "Not measured in this run.";
  const kernels = {
    wasm: "the kernel in a bare wasm module",
    st: "the plain build's CPU task",
    js: "a JavaScript loop",
  };
  const lines = [
    `| Engine | ${X.kernels.map((k) => `Two bare workers ÷ one: ${kernels[k]}`).join(" | ")} | The playground: sequential ÷ 2 threads | Its first pair on a fresh page | Load average |`,
    `|---|${X.kernels.map(() => "---:").join("|")}|---:|---:|---:|`,
  ];
  for (const e of F.engines) {
    if (e.status !== "ok") {
      lines.push(`| ${e.name} | not run: ${e.reason} |${X.kernels.map(() => "").join(" |")} | | |`);
      continue;
    }
    const floors = X.kernels.map((k) => ratioCell(e.rounds.map((r) => r.floors[k].ratio)));
    const pg = e.rounds.map((r) => r.playground);
    const pgCell = `${ratioCell(pg.map((p) => p.ratio))}: ${fmtS(median(pg.map((p) => p.seqMs)))} ÷ ${fmtS(median(pg.map((p) => p.parMs)))}`;
    const loads = e.rounds.flatMap((r) => [
      ...Object.values(r.floors).map((f) => f.load),
      r.playground.load,
    ]);
    const groups = [...new Set(e.rounds.flatMap((r) => r.autogroupNice ?? []))];
    const load =
      `${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}` +
      (groups.length ? `; autogroup nice ${groups.sort((x, y) => x - y).join(", ")}` : "");
    const firsts = pg.filter((p) => p.first).map((p) => p.first.seqMs / p.first.parMs);
    const firstCell = firsts.length ? ratioCell(firsts) : "not measured";
    lines.push(
      `| ${e.name} ${e.version ?? ""} | ${floors.join(" | ")} | ${pgCell} | ${firstCell} | ${load} |`,
    );
  }
  const method = `bench/cpu-floor/ starts two Web Workers, each with a kernel of its own: the playground's CPU kernel (src/workload.rs) as a hand-written wasm module compiled in each worker, the plain build's own \`processTask\` (dist/pkg/st: the call a thread of separate memory makes), or a JavaScript loop; warms both, calibrates the work on the first alone, then times ${X.tasks} tasks of ${X.delay} ms on one worker and on both at once (each task one message, as the playground's threads get them), ${X.reps} times in alternating order; the ratio is the medians' (one worker's time ÷ two workers'). The playground's case is issue 28's: ${X.tasks} CPU tasks of ${X.delay} ms, sequential and on 2 threads, on the page without isolation, ${X.reps} times in alternating order after a warm-up and after one pair of the case itself, shown apart (a fresh page's first runs also pay for drawing its results for the first time; in WebKitGTK, which draws with Mesa's software GL on this machine without a GPU, that drawing takes a share of the cores from the threads). Each engine runs ${X.rounds} rounds of the bare page then the playground, in turn; a cell is the median of the rounds and their spread. Chromium through playwright, Firefox ESR and WebKitGTK (MiniBrowser on Xvfb) through WebDriver (tests/e2e/webdriver.mjs). Where the bare workers stay under 1.5×, the machine did not give the browser two cores: other sessions' programs take their share of the CPU whatever their nice value (the kernel's autogroups), without raising the load average above the cores. The last column gives the autogroup nice of the bench's session and of its browsers' (where the kernel has autogroups): below 0, they had the cores before other sessions' programs, whose load the load average then is.`;
  const targetLines = F.engines
    .filter((e) => e.status === "ok")
    .map((e) => {
      const pg = median(e.rounds.map((r) => r.playground.ratio));
      const bare = median(e.rounds.map((r) => r.floors.st?.ratio ?? r.floors[X.kernels[0]].ratio));
      return `- ${verdict(pg >= TARGETS.separateCpuSpeedup)} — ${e.name}, separate memory: ${X.tasks} CPU tasks of ${X.delay} ms on 2 threads at least ${TARGETS.separateCpuSpeedup}× faster than sequential (issue 28): ${pg.toFixed(2)}×, where two bare workers reached ${bare.toFixed(2)}× (medians of the rounds).`;
    });
  return [lines.join("\n"), "", method, "", ...targetLines].join("\n");
}

/** Issue 28's two targets on separate memory, per browser, with the load its part ran at. */
function separateTargets(sep) {
  const out = [];
  for (const b of sep.browsers) {
    if (b.status !== "ok") {
      out.push(`- not measured — ${b.browser}: ${b.reason}.`);
      continue;
    }
    const p = ["notIsolated", "isolated"].map((k) => b[k]).find((x) => x?.memory === "separate");
    const load = `load average ${b.loadAverageAtStart[0].toFixed(2)} at the start of ${b.browser}'s part, ${b.loadAverageAtEnd[0].toFixed(2)} at its end, ${sep.cores} cores`;
    const sleep = p?.cases?.find((c) => c.id === "sleep-8x300-t2");
    const sleepMet =
      sleep?.status === "ok" ? sleep.medianMs <= TARGETS.separateSleepWithinMs : null;
    out.push(
      `- ${verdict(sleepMet)} — ${b.browser}, separate memory: 8 × 300 ms on 2 threads within ${fmtS(TARGETS.separateSleepWithinMs)} (issue 28): ${sleep?.status === "ok" ? `median ${fmtS(sleep.medianMs)} (${spread(sleep)})` : (sleep?.status ?? "no page with separate memory")}; ${load}.`,
    );
    // Above one runnable program per core, others took the cores from the threads too.
    const busy = Math.max(b.loadAverageAtStart[0], b.loadAverageAtEnd[0]) > sep.cores;
    const busyNote = busy
      ? "; the load average was above the cores, so other programs held them too: this speedup is theirs as much as the threads'"
      : "";
    const cpu = p?.cpu?.find((c) => c.tasks === 4 && c.threads === 2);
    const cpuMet = cpu?.speedup != null ? cpu.speedup >= TARGETS.separateCpuSpeedup : null;
    out.push(
      `- ${verdict(cpuMet)} — ${b.browser}, separate memory: ${cpu?.tasks ?? 4} CPU tasks of ${cpu?.delay ?? "—"} ms on 2 threads at least ${TARGETS.separateCpuSpeedup}× faster than sequential (issue 28): ${cpu?.speedup != null ? `${cpu.speedup.toFixed(2)}× (medians ${fmtS(cpu.seq.medianMs)} ÷ ${fmtS(cpu.par.medianMs)})` : "not measured"}; ${load}${busyNote}.`,
    );
  }
  return out;
}

/** Each performance target: met, not met, or not measured, with the numbers. */
function targets(R, S) {
  const T = [];
  const add = (name, met, detail) => T.push({ name, met, detail });
  const pg = R.playground;
  const wheel = (N) => pg.async.find((a) => a.tasks === N && a.timers === "wheel");
  for (const [N, limit] of TARGETS.asyncWithin) {
    const a = wheel(N);
    const name = `Async, delay 1000 ms, N=${n(N)} within ${limit / 1000} s`;
    if (S.async.delay !== 1000 || !a) add(name, null, "not measured in this run");
    else if (a.status !== "ok") add(name, false, `${a.status}${a.error ? `: ${a.error}` : ""}`);
    else
      add(
        name,
        a.medianMs <= limit,
        `median ${fmtS(a.medianMs)} (reps ${a.reps.map((x) => fmtS(x)).join(", ")}), timers: ${a.timers}`,
      );
  }
  {
    const big = [wheel(100_000), wheel(1_000_000), wheel(10_000_000)].filter(
      (a) => a?.status === "ok",
    );
    const limit = TARGETS.longestTaskMs;
    const name = `No main-thread task over ${limit} ms during the async runs at N=100,000, 1,000,000 and 10,000,000`;
    if (!big.length) add(name, null, "not measured in this run");
    else {
      const worst = Math.max(...big.map((a) => a.longestTaskRunMs));
      add(
        name,
        worst <= limit,
        `longest task during the run: ${worst > 0 ? fmtMs(worst) : "none over 50 ms"} (including building the record and drawing it: ${fmtMs(Math.max(...big.map((a) => a.longestTaskCallMs)))})`,
      );
    }
    const tenM = wheel(10_000_000);
    const gapName = `The page keeps drawing during the 10,000,000-task async run: no frame gap over ${TARGETS.frameGapMs} ms`;
    if (tenM?.status !== "ok" || tenM.longestFrameGapMs == null) {
      add(gapName, null, "not measured in this run");
    } else {
      add(
        gapName,
        tenM.longestFrameGapMs <= TARGETS.frameGapMs,
        `longest stretch of the run without a frame: ${fmtMs(tenM.longestFrameGapMs)} (worst of ${tenM.reps.length} runs; from the run's start to its last task's end, so the record built after it is left out: the line above gives that task)`,
      );
    }
  }
  for (const [N, limit] of TARGETS.bytesPerTask) {
    const m = wheel(N)?.memory;
    const name = `Memory per pending async task at N=${n(N)} at most ${limit} B of wasm heap`;
    if (m?.bytesPerTask == null) add(name, null, "not measured in this run");
    else
      add(
        name,
        m.bytesPerTask <= limit,
        `${m.bytesPerTask.toFixed(1)} B per task: live heap (stats().heapBytes) ${fmtKB(m.heapBytes.before)} before the run, ${fmtKB(m.heapBytes.midRun)} at mid-run with ${n(m.pendingAtMidRun ?? 0)} tasks pending, on a fresh page; it includes the run's per-task record (spans)`,
      );
  }
  {
    const grew = pg.async.filter((x) => x.memory?.wasmGrowthAcrossRepeats != null);
    const name2 = "Wasm memory does not grow across repeated runs";
    if (!grew.length) add(name2, null, "not measured");
    else {
      const worst = (k) => grew.reduce((w, x) => Math.max(w, x.memory[k] ?? 0), 0);
      add(
        name2,
        worst("wasmGrowthAcrossRepeats") <= 0,
        `largest growth from the first to the last of ${grew[0].memory.repeats} runs of one scenario on one page: wasm memory ${fmtKB(worst("wasmGrowthAcrossRepeats"))}, live heap ${fmtKB(worst("heapGrowthAcrossRepeats"))} (over ${grew.length} async scenarios)`,
      );
    }
  }
  for (const t of pg.threads) {
    const pct = TARGETS.threadsOver * 100;
    const name = `Threads sleep N=${t.tasks} T=${t.threads} within ${pct} % of ${fmtS(t.idealMs)}`;
    if (t.status !== "ok") add(name, false, t.status);
    else
      add(
        name,
        t.medianMs <= t.idealMs * (1 + TARGETS.threadsOver),
        `median ${fmtS(t.medianMs)} (${(((t.medianMs - t.idealMs) / t.idealMs) * 100).toFixed(2)} % over)`,
      );
  }
  {
    const name = `A thread per task up to ${n(TARGETS.perTaskThreads)} threads (at least 256)`;
    const t = pg.perTask?.at(-1);
    const s = t?.started;
    const cp = R.cpython?.perTask?.find((x) => x.tasks === t?.tasks);
    if (!t) add(name, null, "not measured");
    else if (s.status !== "ok") add(name, false, `N=${n(t.tasks)}: ${s.status} ${s.error ?? ""}`);
    else
      add(
        name,
        t.tasks >= TARGETS.perTaskThreads,
        `${n(t.tasks)} threads of ${fmtS(t.delay)}: started inside the run in ${fmtS(s.threadsStartMs)} (${fmtMs(s.threadStartMs)} and ${fmtKB(s.threadBytes)} of wasm heap per thread; CPython ${fmtMs(cp?.threadStartMs)} per thread), the run ${fmtS(s.medianMs)}; with the threads kept from that run ${fmtS(t.reused.medianMs)}; CPython ${fmtS(cp?.medianMs)}`,
      );
  }
  {
    const p = pg.page;
    const two = p.poolStarts?.sizes?.[2];
    const sixteen = p.poolStarts?.sizes?.[16];
    add(
      `Pool start-up for 2 workers at most ${TARGETS.poolStartMs} ms`,
      two ? two.medianMs <= TARGETS.poolStartMs : null,
      two
        ? `median ${fmtMs(two.medianMs)} over ${two.reps.length} fresh loads of bench/pool-start/, a bare page that starts the engine's pool and nothing else (${two.reps.map(fmtMs).join(", ")}); a pool of 16 there: ${fmtMs(sixteen?.medianMs)}; the playground's page starts a pool of ${p.poolSize} after ready, in ${fmtMs(p.poolStartMs)} (median of ${p.loads.length} loads), while the page is still settling`
        : `the page starts a pool of ${p.poolSize}, not 2: ${fmtMs(p.poolStartMs)} (median of ${p.loads.length} loads); a 2-worker pool is not measured`,
    );
    const l = p.firstRunLatency_threads;
    add(
      `Pool started before the first run; the first run starts tasks within ${TARGETS.firstRunLatencyMs} ms`,
      l ? l.medianMs <= TARGETS.firstRunLatencyMs : null,
      l
        ? `threads N=3 T=3 on a fresh page once its pool had started: first task started ${fmtMs(l.medianMs)} after run() was called (median; reps ${l.reps.map(fmtMs).join(", ")}); async, 100 ms after ready: ${fmtMs(p.firstRunLatency_async?.medianMs)}; threads asked for 100 ms after ready, before the pool was up: ${fmtMs(p["firstRunLatency_threads-early"]?.medianMs)}, of which ${fmtMs(p["firstRunLatency_threads-early"]?.poolWaitMs)} waiting for the pool (outside its elapsed time)`
        : "not measured",
    );
  }
  {
    const seq = pg.cpu.find((c) => c.id === "seq");
    const par = pg.cpu.find((c) => c.id === "t-nogil");
    const want = TARGETS.cpuSpeedupPerCore * S.cores;
    const name = `CPU work with T = cores (${S.cores}): speedup at least ${want.toFixed(1)}×`;
    if (seq?.status !== "ok" || par?.status !== "ok")
      add(name, null, `not measured: ${seq?.error ?? par?.error ?? par?.status ?? ""}`);
    else {
      const s = seq.medianMs / par.medianMs;
      add(
        name,
        s >= want,
        `${s.toFixed(2)}× (sequential ${fmtS(seq.medianMs)}, ${S.cores} threads ${fmtS(par.medianMs)}; medians of ${seq.reps.length})`,
      );
    }
  }
  {
    const p = pg.page;
    for (const [view, v] of Object.entries(p.visits ?? {})) {
      add(
        `First visit (${view}) at most ${TARGETS.firstVisitGzipBytes / 1000} KB compressed, every response of the page and its workers until 1 s after ready, no file twice`,
        v.bytes <= TARGETS.firstVisitGzipBytes && v.repeated.length === 0,
        `${fmtKB(v.bytes)} in ${v.responses} responses (headers included), as the server sent them (brotli, precompressed); ${v.repeated.length ? `downloaded more than once: ${v.repeated.join(", ")}` : "no file downloaded twice"}; largest: ${v.files
          .slice(0, 4)
          .map((f) => `${f.path} ${fmtKB(f.bytes)}`)
          .join(", ")}`,
      );
    }
    // The floor under both: a bare page (bench/pool-start/) that loads the same engine and nothing
    // else, measured on the same machine in the same run.
    const bare = p.poolStarts?.engineAt;
    const floor = bare
      ? `; the floor, a bare page that only loads the engine (bench/pool-start/): instantiated ${fmtMs(bare.medianMs)} after navigation (median of ${bare.reps.length})`
      : "";
    add(
      `Page ready within ${TARGETS.readyMs} ms of navigation`,
      p.readyMs <= TARGETS.readyMs,
      `median ${fmtMs(p.readyMs)} over ${p.loads.length} fresh loads (${p.loads.map((l) => fmtMs(l.readyMs)).join(", ")})${floor}`,
    );
    if (p.embed) {
      add(
        `Embed (run view) ready within ${TARGETS.readyMs} ms of navigation`,
        p.embed.readyMs <= TARGETS.readyMs,
        `median ${fmtMs(p.embed.readyMs)} over ${p.embed.loads.length} fresh loads (${p.embed.loads.map(fmtMs).join(", ")})${floor}`,
      );
    }
  }
  {
    // Issue 32: ready measured against the floor of the same run, on whatever machine runs it.
    const p = pg.page;
    const bare = p.poolStarts?.engineAt?.medianMs;
    for (const [view, ms, want] of [
      ["Page ready", p.readyMs, TARGETS.readyOverFloor],
      ["Embed (run view) ready", p.embed?.readyMs, TARGETS.embedReadyOverFloor],
    ]) {
      add(
        `${view} within ${want}× the bare page's floor`,
        bare && ms != null ? ms <= want * bare : null,
        bare && ms != null
          ? `${fmtMs(ms)} against ${fmtMs(bare)}: ${(ms / bare).toFixed(2)}×`
          : "not measured",
      );
    }
  }
  for (const f of TARGETS.fetchWithin) {
    const a = pg.fetch?.find((x) => x.id === f.id);
    const name = `Async fetch ${n(f.tasks)} × ${f.delay} ms within ${(f.ms / 1000).toFixed(1)} s`;
    if (!a) add(name, null, "not measured in this run");
    else if (a.status !== "ok") add(name, false, `${a.status}${a.error ? `: ${a.error}` : ""}`);
    else
      add(
        name,
        a.medianMs <= f.ms,
        `median ${fmtS(a.medianMs)} (reps ${a.reps.map((x) => fmtS(x)).join(", ")}), answered by the page's ${[...new Set(a.answeredBy)].join(", ")}, ${a.requestsPeak.map(n).join(" / ")} under way there at once`,
      );
  }
  for (const [view, l] of Object.entries(R.lighthouse ?? {})) {
    const want = TARGETS.lighthouse;
    add(
      `Lighthouse (${view}, mobile) at least ${want.performance} / ${want.accessibility} / ${want.bestPractices}`,
      l.status === "ok"
        ? l.performance >= want.performance &&
            l.accessibility >= want.accessibility &&
            l.bestPractices >= want.bestPractices
        : null,
      l.status === "ok"
        ? `performance ${l.performance}, accessibility ${l.accessibility}, best practices ${l.bestPractices}; LCP ${fmtMs(l.lcpMs)}, TBT ${fmtMs(l.tbtMs)}, CLS ${l.cls?.toFixed(3)}`
        : `not measured: ${l.error}`,
    );
  }
  for (const [view, l] of Object.entries(R.lighthouse ?? {})) {
    add(
      `Lighthouse (${view}, mobile) TBT at most ${fmtMs(TARGETS.lighthouseTbtMs)}, LCP at most ${fmtMs(TARGETS.embedRunLcpMs)}`,
      l.status === "ok"
        ? l.tbtMs <= TARGETS.lighthouseTbtMs && l.lcpMs <= TARGETS.embedRunLcpMs
        : null,
      l.status === "ok"
        ? `TBT ${fmtMs(l.tbtMs)}, LCP ${fmtMs(l.lcpMs)}`
        : `not measured: ${l.error}`,
    );
  }
  const run = R.lighthouse?.["embed, run view"];
  if (run) {
    add(
      `Lighthouse mobile LCP of the embed's run view at most ${fmtMs(TARGETS.embedRunLcpMs)}`,
      run.status === "ok" ? run.lcpMs <= TARGETS.embedRunLcpMs : null,
      run.status === "ok" ? `LCP ${fmtMs(run.lcpMs)}` : `not measured: ${run.error}`,
    );
  }
  return T;
}

/** One line: what CPython's GIL did to the CPU work on this machine, from the measured rows. */
function gilLine(R, S) {
  const cp = R.cpython;
  const seq = cp?.cpu?.find((c) => c.id === "seq");
  const gil = cp?.cpu?.find((c) => c.id === "t-gil");
  if (seq?.status !== "ok" || gil?.status !== "ok") return "- CPython's GIL: not measured.";
  const r = gil.medianMs / seq.medianMs;
  return `- CPython ${cp.version}'s GIL on this machine: the same ${S.cpu.tasks} × ${n(cp.cpuIterations)} loop iterations took ${r.toFixed(2)}× as long on ${S.cores} threads as one after another (median ${fmtS(gil.medianMs)} vs ${fmtS(seq.medianMs)}); without a GIL ${S.cores} cores would make it ${(1 / S.cores).toFixed(2)}×. Only one thread runs Python code at a time, so threads buy pure-Python CPU work nothing.`;
}

/**
 * One line: how the playground's simulated GIL compares with one thread, from the measured rows,
 * and whether sequential (on the page's main thread) computes as fast as one worker thread. It
 * did not until Chromium stopped inlining the kernel into the sequential runner (see
 * workload::compute and BENCHMARKS.md, "Figures behind design choices"): it was slower than a
 * worker, which made GIL-on look faster than sequential.
 */
function workerLine(R, S) {
  const pg = R.playground.cpu;
  const [seq, one, gil] = ["seq", "t-1", "t-gil"].map((id) => pg.find((c) => c.id === id));
  if ([seq, one, gil].some((c) => c?.status !== "ok"))
    return "- The playground's GIL: not measured.";
  const main = seq.medianMs / one.medianMs;
  const same = Math.abs(main - 1) <= 0.05;
  return (
    `- The playground's simulated GIL: ${S.cores} threads took ${(gil.medianMs / one.medianMs).toFixed(2)}× as long as one thread (median ${fmtS(gil.medianMs)} vs ${fmtS(one.medianMs)}). ` +
    `Sequential, on the page's main thread, took ${main.toFixed(2)}× one worker thread's time for the same work (${fmtS(seq.medianMs)})` +
    (same
      ? ", so the two compare directly."
      : `: ${main > 1 ? "slower" : "faster"} by more than 5 %, so compare GIL-on with one thread, not with sequential.`)
  );
}

/** The first visits' responses by file, and the biggest parts of the threaded wasm (twiggy). */
function bytesSection(R) {
  const v = R.playground.page.visits;
  if (!v) return "Not measured in this run.";
  const out = [];
  for (const [view, visit] of Object.entries(v)) {
    out.push(
      `${view}: ${fmtKB(visit.bytes)} in ${visit.responses} responses, from navigation until 1 s after ready in a fresh profile, as sent (brotli, headers included; brotli's highest level, precompressed by scripts/dist.mjs, as a host that serves precompressed files sends).\n`,
      "| file | bytes sent | responses |",
      "|---|---|---|",
      ...visit.files.map(
        (f) => `| \`${f.path}\` | ${fmtKB(f.bytes)} | ${f.times} (${f.statuses.join(", ")}) |`,
      ),
      "",
    );
  }
  const g = R.playground.page.visitGzip;
  if (g) {
    const wasm = g.files.find((f) => f.path.endsWith(".wasm"));
    out.push(
      `From a host that compresses on the fly with gzip instead (GitHub Pages does), the full page's first visit is ${fmtKB(g.bytes)} in ${g.responses} responses${wasm ? ` (\`${wasm.path}\` ${fmtKB(wasm.bytes)})` : ""}: the same visit from a browser that accepts only gzip.\n`,
    );
  }
  const w = R.wasmBreakdown;
  if (w?.byCrate?.length) {
    const pct = (b) => `${((b / w.total) * 100).toFixed(1)} %`;
    out.push(
      `The wasm module by crate, and the playground's own code by module (\`twiggy top\` on ${w.file}: the plain build as linked, with function names, before wasm-bindgen and wasm-opt, ${fmtKB(w.total)} raw without the name section and wasm-bindgen's descriptors; the threaded build adds rayon and the thread glue; a generic function counts where it is defined, e.g. core's futures around the playground's).\n`,
      "| crate or module | raw bytes | share |",
      "|---|---|---|",
      ...w.byCrate.slice(0, 24).map((c) => `| ${c.crate} | ${fmtKB(c.bytes)} | ${pct(c.bytes)} |`),
      "",
      "Its largest items:\n",
      "| item | raw bytes |",
      "|---|---|",
      ...w.items.map(
        (i) =>
          `| \`${i.name
            .replace(/\|/g, "\\|")
            .replace(/\[[0-9a-f]{16}\]/g, "")
            .slice(0, 100)}\` | ${n(i.bytes)} |`,
      ),
    );
  } else out.push(`Wasm breakdown: ${w?.error ?? "twiggy not installed"}.`);
  return out.join("\n") + runNote(R.bytesRun, "bytes", "These figures");
}

/**
 * A fresh load's main-thread work before ready, CPU slowed fourfold, by module; what each panel
 * loads later; and when these figures were measured, if not with the rest of the bench.
 */
function loadSection(R) {
  const p = R.playground.page;
  const chunks = p.distChunks ?? {};
  const out = [];
  const bare = p.poolStarts?.engineAt?.medianMs;
  const vs = (ms) => (bare ? ` (${(ms / bare).toFixed(2)}× the bare page's ${fmtMs(bare)})` : "");
  out.push(
    `Page ready, median of ${p.loads.length} fresh loads: full page ${fmtMs(p.readyMs)}${vs(p.readyMs)}; embed run view ${fmtMs(p.embed?.readyMs)}${p.embed ? vs(p.embed.readyMs) : ""}. The bare page (bench/pool-start/) loads the engine and nothing else: the floor under ready on this machine, in this run.\n`,
  );
  for (const [view, t] of Object.entries(p.traces ?? {})) {
    out.push(
      `${view}, CPU slowed fourfold (Lighthouse's mobile setting): ready ${fmtMs(t.readyMs)} after navigation (median of ${t.loads.length}: ${t.loads.map(fmtMs).join(", ")}); the main thread computed ${fmtMs(t.cpuMs)} before it. By script (the bundle, and the modules in it) or browser work, median CPU time:\n`,
      "| script or work | CPU ms before ready | modules in it |",
      "|---|---:|---|",
      ...t.groups
        .filter((g) => g.cpuMs >= 0.5)
        .map(
          (g) =>
            `| \`${g.group}\` | ${g.cpuMs.toFixed(1)} | ${g.inputs?.length ? g.inputs.join(", ") : "—"} |`,
        ),
      "",
    );
  }
  if (p.panels?.length) {
    out.push(
      "What loads later, per panel (www/panels.js): on a fresh page, a second after ready (without the service worker, which keeps the build for offline use a few seconds after ready), the panel opened as a link to it does, and the responses sent until it filled, as sent (brotli, headers included). Each panel also loads when a reader scrolls near it; the code panel also after a run ends, once the browser is idle. Predict first's module (predict.js) loads only while its option is on: with a link's `predict=1` (or an embed's `predict`) as the page starts, else when the reader ticks it (its row: on such a page, ticked, until its prompt asked); trace.js (the trace export and `playground.trace`) with its first use.\n",
      "| panel | state | bytes sent | files (and the modules in each bundle) |",
      "|---|---|---:|---|",
      ...p.panels.map(
        (x) =>
          `| ${x.panel} | ${x.state} | ${fmtKB(x.bytes)} | ${x.files.map((f) => `\`${f.path}\` ${fmtKB(f.bytes)}${chunks[f.path.slice(1)] ? ` (${chunks[f.path.slice(1)].join(", ")})` : ""}`).join(", ") || "—"} |`,
      ),
      "",
    );
  }
  const l = R.loadRun;
  if (l)
    out.push(
      `These figures and Lighthouse's were measured on ${l.date} by \`node bench/run.mjs --only load\` (load average ${l.loadAverageAtStart[0].toFixed(2)} at the start, ${l.loadAverageAtEnd[0].toFixed(2)} at the end) and spliced into the full run above; a full run measures them with the rest.`,
    );
  return out.join("\n");
}

/** When rows measured alone (`--only <part>`) were measured, as a paragraph; else nothing. */
function runNote(run, part, what) {
  if (!run) return "";
  return `\n\n${what} were measured on ${run.date} by \`node bench/run.mjs --only ${run.part ?? part}\` (load average ${run.loadAverageAtStart[0].toFixed(2)} at the start, ${run.loadAverageAtEnd[0].toFixed(2)} at the end) and spliced into the full run above; a full run measures them with the rest.`;
}

/** How the fetch rows were measured, and when, if not with the rest of the bench. */
function fetchNotes(R, S) {
  const f = R.fetchRun;
  return [
    `- Each case ran ${S.fetch.reps} times (median, and the spread fastest–slowest). The playground runs on one fresh page after a warm-up run of 10 requests; its requests go to the page's latency endpoint, which the page's service worker (scripts/latency-sw.js) answers inside the browser after the delay, with a 204 and no body. "Under way at once" is measured where they were answered, from when each request arrived there (the record's \`requestsPeak\`, each repetition).`,
    "- CPython (bench/python_bench.py, standard library only) sends the same requests to scripts/serve.mjs's latency endpoint, the server the bench serves the page from, which answers after the delay with a 200 and a 10-byte body; its counter (`api/latency/count`) gives the most under way at once. asyncio opens a connection per request (`asyncio.open_connection`, the GET written by hand, no connection limit, unlike aiohttp's default of 100); the threads use `http.client`, blocking.",
    "- Chromium's floor: the same requests from a bare page (bench/fetch-floor/: a loop of fetch() calls, each body awaited) to a minimal service worker that answers after setTimeout(delay) with a 204 and no body, as the playground's does; what the browser itself costs on this machine, with nothing of the playground in the way. Its repetitions alternate with the playground's async ones.",
    f
      ? `- These rows were measured on ${f.date} by \`node bench/run.mjs --only fetch\` (load average ${f.loadAverageAtStart[0].toFixed(2)} at the start, ${f.loadAverageAtEnd[0].toFixed(2)} at the end) and spliced into the full run above; a full run measures them with the rest.`
      : "- Measured with the rest of this run.",
  ].join("\n");
}

/** The figures behind design choices, measured once and kept by hand, copied as they are. */
const DESIGN_FIGURES = new URL("./design-figures.md", import.meta.url);

const verdict = (m) => (m === true ? "**met**" : m === false ? "**not met**" : "not measured");

function markdown(R, S, rows, races, T) {
  const m = R.machine;
  const pgIters = R.playground.cpu.find((c) => c.iterationsPerTask != null)?.iterationsPerTask;
  const notes = [
    `- Machine: ${m.cores} cores (${m.cpu}), ${m.os}; Chromium ${m.chromium} headless; CPython ${m.python}; Pyodide ${m.pyodide ?? "—"} (Python ${m.pyodidePython ?? "—"}); Node ${m.node}. Load average (1 min) ${m.loadAverageAtStart[0].toFixed(2)} at the start, ${m.loadAverageAtEnd[0].toFixed(2)} at the end.`,
    `- Each scenario ran ${S.reps} time${S.reps > 1 ? "s" : ""} and the median is shown; a scenario whose first run took over ${S.slowMs / 1000} s ran once. Runs past ${S.capMs / 1000} s are reported as timed out.`,
    `- CPU rows ran ${S.cpu.reps} times each, the cases interleaved in alternating order, and show the median with the spread (fastest–slowest). Every case of one column does the same work: the playground calibrates its kernel once on one page and runs every CPU case there (${pgIters != null ? `${n(pgIters)} iterations per task` : "iterations not reported"}); CPython's pure-Python loop is calibrated once to about ${S.cpu.delay} ms per task (${R.cpython?.cpuIterations != null ? `${n(R.cpython.cpuIterations)} iterations` : "not calibrated"}) and every CPython and Pyodide CPU case runs that count.`,
    gilLine(R, S),
    workerLine(R, S),
    `- Ideal: one delay for async, ceil(N / T) delays for threads, total work / cores for CPU (N × per-task work for sequential).`,
    `- Async runs each start on a fresh page. "wheel" timers are the playground's deadline queue, "per-task" one gloo timer per task. "Longest main-thread task" is the longest task the browser reported (PerformanceObserver 'longtask', which only sees tasks over 50 ms) during the run proper.`,
    `- CPython runs bench/python_bench.py (one process per async N, so memory is measured from a clean start). Pyodide cannot start threads (${R.pyodide?.threadsProbe ?? "not probed"}).`,
  ];
  return `# Benchmarks

Produced by \`./build.sh bench\` (\`node bench/run.mjs\`) on ${R.date}${S.quick ? " — QUICK MODE (--quick): not the real figures" : ""}. The whole bench took ${(R.benchSeconds / 60).toFixed(1)} min.

${table(rows, S)}

${pageTable(R)}

${notes.join("\n")}

## Fetch: real HTTP requests

${fetchTable(R, S)}

${fetchNotes(R, S)}

## Load: the work before ready

${loadSection(R)}

## Where the bytes go

${bytesSection(R)}

## Convoy (GIL)

A thread looping \`time.sleep(0.001)\` beside one that computes for ${S.convoy?.delay ?? 2000} ms: how late each wake-up was. With the GIL, the waking thread must take it back from the computing one, which drops it only when asked after the switch interval (\`sys.setswitchinterval\`). Each case ran ${S.convoy?.reps ?? 3} times; the figure is the median of the runs' medians.

${S.convoy ? convoyTable(R, S) : "Not measured in this run."}${runNote(R.convoyRun, "convoy", "These rows")}

## Threads: shared memory beside memory of their own (Chromium, Firefox ESR)

${separateSection(R, S)}${runNote(R.separateRun, "separate", "These rows")}

### The CPU speedup's floor (Chromium, Firefox ESR, WebKitGTK)

${cpuFloorSection(R, S)}${runNote(R.cpuFloorRun, "cpu-floor", "These rows")}

## Races (CPython)

A counter shared without protection loses updates when two writers interleave between its read and its write. Each row ran ${S.races.reps} times.

${races.length ? raceTable(races) : "Not measured in this run."}

The playground's threads really share memory and run in parallel, so its unguarded counter loses updates at once; CPython 3.11's GIL switches threads only at the loop's jump back, so it loses none (free-threaded 3.13t would). Its own cases, with the lock and the atomic add on 1 and 2 threads:

${playgroundRaceTable(R)}

## Targets

${T.map((t) => `- ${verdict(t.met)} — ${t.name}: ${t.detail}.`).join("\n")}

${readFileSync(DESIGN_FIGURES, "utf8")}`;
}

/**
 * The small summary the page's "Compare with Python" panel reads (www/bench-results.json, kept
 * under 10 KB). Times are in seconds, or a string saying why there is none ("no threads",
 * "timed out", ...); `met` is true, false or null (not measured).
 */
function summary(R, S, rows, T) {
  const s = (r) => (r?.status === "ok" ? Math.round(r.medianMs) / 1000 : (r?.status ?? null));
  return {
    date: R.date,
    machine: {
      cores: R.machine.cores,
      cpu: R.machine.cpu,
      chromium: R.machine.chromium,
      python: R.machine.python,
      pyodide: R.machine.pyodide,
    },
    quick: S.quick,
    rows: rows.map((r) => ({
      id: r.id,
      scenario: r.scenario,
      playgroundS: s(r.pg),
      // CPython's figure for another N says which (the page shows strings as they are).
      cpythonS: r.cp?.label ? `${s(r.cp).toFixed(3)} s (${r.cp.label})` : s(r.cp),
      pyodideS: s(r.py),
      idealS: r.idealMs / 1000,
    })),
    page: {
      readyMs: Math.round(R.playground.page.readyMs),
      firstVisitGzipBytes: R.playground.page.firstVisit.gzip,
      pyodideReadyMs: R.pyodide ? Math.round(R.pyodide.readyMs) : null,
      pyodideFirstVisitGzipBytes: R.pyodide?.firstVisit?.gzip ?? null,
    },
    targets: T.map((t) => ({ target: t.name, met: t.met, detail: t.detail })),
  };
}

async function pretty(file, text, parser) {
  const options = { ...(await prettier.resolveConfig(file)), parser };
  writeFileSync(file, await prettier.format(text, options));
}

/** Adds the rows and targets to `R` and writes the three files; prints the Markdown. */
export async function writeReports(R, S) {
  const rows = buildRows(R, S);
  const races = raceRows(R);
  const T = targets(R, S);
  R.rows = rows.map((r) => ({
    id: r.id,
    scenario: r.scenario,
    idealMs: r.idealMs,
    playground: r.pg,
    cpython: r.cp ?? null,
    pyodide: r.py ?? null,
  }));
  R.races = races;
  R.targets = T;

  const md = markdown(R, S, rows, races, T);
  await pretty("bench/results.json", JSON.stringify(R), "json");
  writeFileSync("BENCHMARKS.md", md);
  let small = summary(R, S, rows, T);
  if (JSON.stringify(small).length > 9_000) {
    small = { ...small, targets: small.targets.map(({ detail, ...t }) => t) };
  }
  await pretty("www/bench-results.json", JSON.stringify(small), "json");
  process.stdout.write(`\n${md}\n`);
  log("wrote bench/results.json, BENCHMARKS.md and www/bench-results.json");
}
