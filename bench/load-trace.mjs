// The work a fresh load does before the page is ready, by module: Chromium traces a fresh page
// with its CPU slowed fourfold (Emulation.setCPUThrottlingRate 4, what Lighthouse's mobile run
// applies) and the main thread's time until `window.playground.ready` resolves is put down to the
// script it ran (the URL of the innermost script frame of the trace's events) or, outside any
// script, to what the browser did (parsing the HTML, style and layout, garbage collection, ...).
//
// Each group counts CPU time: a task's thread time shared among the events inside it by their
// own (self) wall time, so a moment when the OS ran another program instead is not counted. On a
// loaded machine that keeps the figures close to the page's own cost.
import { existsSync, readFileSync } from "node:fs";
import { benchInit } from "./browser.mjs";
import { median } from "./common.mjs";

const CATEGORIES = [
  "toplevel",
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8",
  "v8.execute",
  "blink.user_timing",
  // The JS sampling profiler: which script a module's evaluation or a callback ran, where the
  // trace's own events name none (v8.evaluateModule, microtasks).
  "disabled-by-default-v8.cpu_profiler",
];

/** Which www modules went into each bundle of dist/ (scripts/dist.mjs writes it), if known. */
export function chunkInputs() {
  const file = "target/dist-chunks.json";
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
}

/** The URL an event names, if any: its script, or the module it compiles or evaluates. */
function urlOf(e) {
  const d = e.args?.data ?? e.args ?? {};
  const u = d.url || d.fileName || d.scriptName || e.args?.fileName || "";
  return typeof u === "string" && /^https?:/.test(u) ? u : "";
}

/**
 * The profiler's samples on thread (pid, tid): `[{ ts, url }]`, `url` the innermost frame's
 * script that has one ("" for the VM's own: program, garbage collector, idle).
 */
function samplesOf(events, pid, tid) {
  const out = [];
  const profiles = new Map();
  for (const e of events) {
    if (e.pid !== pid) continue;
    if (e.name === "Profile" && e.tid === tid)
      profiles.set(e.id, { ts: e.args.data.startTime, nodes: new Map() });
    if (e.name !== "ProfileChunk") continue;
    const p = profiles.get(e.id);
    if (!p) continue;
    const d = e.args.data ?? {};
    for (const n of d.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    const samples = d.cpuProfile?.samples ?? [];
    const deltas = d.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      p.ts += deltas[i] ?? 0;
      let node = p.nodes.get(samples[i]);
      while (node && !node.callFrame?.url) node = p.nodes.get(node.parent);
      out.push({ ts: p.ts, url: node?.callFrame.url ?? "" });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** JS the trace runs without naming its script: the profiler's samples say which. */
const UNNAMED_JS =
  /^(v8\.evaluateModule|RunMicrotasks|v8\.callFunction|FunctionCall|EventDispatch|v8\.run|BlinkScheduler_PerformMicrotaskCheckpoint|TimerFire|FireAnimationFrame|V8\.Bytecode.*)$/;

/** What the browser was doing in an event outside any script. */
function browserWork(name) {
  if (/^ParseHTML$/.test(name)) return "(browser) HTML parse";
  if (/GC|Scavenge|MarkCompact|Sweep/i.test(name)) return "(browser) garbage collection";
  if (/wasm/i.test(name)) return "(browser) wasm compile / instantiate";
  if (
    /Layout|Style|Paint|Layer|Composite|Commit|Raster|HitTest|Animation|Frame|IntersectionObserver|ResizeObserver/i.test(
      name,
    )
  )
    return "(browser) style, layout, paint";
  if (/mojo|SimpleWatcher|Resource|Loader|Navigation|CommitLoad/i.test(name))
    return "(browser) loading, messages from other processes";
  if (/WindowProxy|Context|InstallConditionalFeatures/.test(name))
    return "(browser) JS context set-up";
  if (/^(RunTask|ThreadControllerImpl::RunTask)$/.test(name))
    return "(browser) tasks, outside any traced event";
  return "(browser) other";
}

/**
 * Groups the main thread's self time before `readyTs` (trace clock, µs) by module. Returns
 * `{ [group]: cpuMs }` and the total.
 */
function byModule(events, pid, tid, fromTs, readyTs, origin) {
  const samples = samplesOf(events, pid, tid);
  const mine = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === "X" && e.dur != null)
    .filter((e) => e.ts >= fromTs && e.ts < readyTs)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const groups = new Map();
  const add = (g, ms) => groups.set(g, (groups.get(g) ?? 0) + ms);
  let i = 0;
  while (i < mine.length) {
    const task = mine[i];
    if (task.name !== "RunTask") {
      i++;
      continue;
    }
    // The task's events, nested by time: each one's self time goes to the innermost URL above it.
    const end = task.ts + task.dur;
    const inside = [];
    for (i++; i < mine.length && mine[i].ts < end; i++) inside.push(mine[i]);
    const self = new Map();
    const stack = [{ e: task, label: browserWork(task.name), child: 0 }];
    const close = (frame) => {
      const own = Math.max(0, frame.e.dur - frame.child);
      if (frame.label !== "(js)") {
        self.set(frame.label, (self.get(frame.label) ?? 0) + own);
        return;
      }
      // Shared among the scripts the profiler caught running in the event, by sample count.
      const caught = new Map();
      for (const x of samples) {
        if (x.ts < frame.e.ts) continue;
        if (x.ts > frame.e.ts + frame.e.dur) break;
        if (x.url) caught.set(x.url, (caught.get(x.url) ?? 0) + 1);
      }
      const total = [...caught.values()].reduce((a, b) => a + b, 0);
      if (!total) self.set("(js) unattributed", (self.get("(js) unattributed") ?? 0) + own);
      for (const [u, k] of caught) {
        const g = origin(u);
        self.set(g, (self.get(g) ?? 0) + (own * k) / total);
      }
    };
    for (const e of inside) {
      while (stack.length > 1 && e.ts >= stack.at(-1).e.ts + stack.at(-1).e.dur) close(stack.pop());
      const parent = stack.at(-1);
      parent.child += Math.min(e.dur, parent.e.ts + parent.e.dur - e.ts);
      const url = urlOf(e);
      const label = url
        ? origin(url)
        : !parent.label.startsWith("(browser)")
          ? parent.label
          : UNNAMED_JS.test(e.name)
            ? "(js)"
            : browserWork(e.name);
      stack.push({ e, label, child: 0 });
    }
    while (stack.length) close(stack.pop());
    // The task's thread time, shared by wall time (tdur can misread a little: at most its wall).
    const cpu = Math.min(task.tdur ?? task.dur, task.dur) / 1000;
    const wall = [...self.values()].reduce((a, b) => a + b, 0) || 1;
    for (const [g, us] of self) add(g, (cpu * us) / wall);
  }
  return groups;
}

/** One fresh load of `url` under fourfold CPU throttling: ready time and time by module. */
async function tracedLoad(browser, url) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(benchInit);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    await browser.startTracing(page, { categories: CATEGORIES });
    let trace;
    let readyAt;
    try {
      await page.goto(url);
      readyAt = await page.evaluate(async () => {
        await window.playground.ready;
        return window.__bench.readyAt;
      });
    } finally {
      trace = JSON.parse((await browser.stopTracing()).toString());
    }
    const events = trace.traceEvents ?? trace;
    const mark = events.find((e) => e.name === "playground-ready" && e.ph !== "M");
    if (!mark) throw new Error("the trace has no playground-ready mark");
    const navTs = mark.ts - readyAt * 1000;
    const site = new URL(url).origin;
    const origin = (u) => {
      const path = u.startsWith(site) ? new URL(u).pathname.slice(1) || "index.html" : u;
      return path.replace(/\?.*$/, "");
    };
    const groups = byModule(events, mark.pid, mark.tid, navTs, mark.ts, origin);
    return { readyMs: readyAt, groups: Object.fromEntries(groups) };
  } finally {
    await context.close();
  }
}

/**
 * `reps` traced fresh loads of each view: `{ [view]: { readyMs, loads, groups: [{ group,
 * cpuMs, inputs }] } }`, each group's figure the median over the loads (a group absent from a
 * load counts 0 there), largest first.
 */
export async function loadTraces(browser, views, reps) {
  const chunks = chunkInputs();
  const out = {};
  for (const [view, url] of views) {
    const loads = [];
    // One load first, not counted: the server compresses each file on its first request.
    await tracedLoad(browser, url);
    for (let i = 0; i < reps; i++) loads.push(await tracedLoad(browser, url));
    const names = new Set(loads.flatMap((l) => Object.keys(l.groups)));
    const groups = [...names]
      .map((group) => ({
        group,
        cpuMs: median(loads.map((l) => l.groups[group] ?? 0)),
        inputs: chunks[group] ?? null,
      }))
      .sort((a, b) => b.cpuMs - a.cpuMs);
    const totals = loads.map((l) => Object.values(l.groups).reduce((a, b) => a + b, 0));
    out[view] = {
      readyMs: median(loads.map((l) => l.readyMs)),
      loads: loads.map((l) => l.readyMs),
      cpuMs: median(totals),
      groups,
    };
  }
  return out;
}
