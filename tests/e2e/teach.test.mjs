// The teaching, end to end: each claim of the async-vs-threads comparison happens, measured, in the
// built page: CPU work and the GIL, real fetches, blocking in async, failing tasks, processes,
// overhead, the code side by side and the sweep.
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { apiRun, assertClean, chromiumSuite, open, ready, runFromUi } from "./harness.mjs";

const env = chromiumSuite({ page: true });

const run = (options) => apiRun(env.page, options);

/**
 * The most spans of `r` running at one moment, on distinct lanes: proof that work ran at the same
 * time, which, unlike a speedup, other programs on a busy machine cannot take away.
 */
function overlapping(r) {
  const edges = r.spans.flatMap((sp) => [
    [sp.startMs, 1],
    [sp.endMs, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

describe("CPU work, threads and the GIL", () => {
  test("a CPU run asked for at once on a fresh page measures the page's speed after the pool has started", async (t) => {
    // Calibrating while the pool's workers started (both cores busy) measured the kernel at
    // 246-457 thousand iterations per ms instead of about 535 here: every CPU task of that page
    // then fell short of its delay, and one thread's runs read "speedups" of 1.06-1.20×.
    const p = await open(env.browser, env.server.url);
    try {
      const r = await p.evaluate(async () => {
        const caps = await window.playground.ready;
        let poolUpAt = null;
        if (caps.threads) window.playground.threadsReady.then(() => (poolUpAt = performance.now()));
        const rec = await window.playground.run({
          model: "sequential",
          tasks: 2,
          delay: 200,
          workload: "cpu",
        });
        return {
          threads: caps.threads,
          poolUpAt: poolUpAt === null ? null : performance.timeOrigin + poolUpAt,
          startedAt: rec.startedAt,
          speedup: rec.speedup,
        };
      });
      if (!r.threads) return t.skip("no pool on this page");
      assert.ok(r.poolUpAt !== null && r.startedAt >= r.poolUpAt, JSON.stringify(r));
      assert.ok(r.speedup < 1.1, `one thread's speedup ${r.speedup}`);
      assertClean(p);
    } finally {
      await p.context().close();
    }
  });

  test("threads compute in parallel (speedup close to the cores); with the GIL, no faster than sequential", async () => {
    const cores = env.caps.hardwareConcurrency;
    const t = Math.min(cores, 4);
    const tasks = 2 * t;
    const base = { tasks, delay: 250, workload: "cpu" };
    // Fresh worker threads run their first CPU tasks 10-40 % slower while the browser warms
    // their code up; measure the steady state, as the benchmark does.
    await run({ ...base, model: "threads", threads: t });
    const seq = await run({ ...base, model: "sequential" });
    const par = await run({ ...base, model: "threads", threads: t });
    const gil = await run({ ...base, model: "threads", threads: t, gil: true });
    const speedup = seq.elapsedMs / par.elapsedMs;
    const gilSpeedup = seq.elapsedMs / gil.elapsedMs;
    console.log(
      `cpu: sequential ${seq.elapsedMs} ms, ${t} threads ${par.elapsedMs} ms (${speedup.toFixed(2)}x), ` +
        `GIL ${gil.elapsedMs} ms (${gilSpeedup.toFixed(2)}x)`,
    );
    // The speedups are printed, not asserted: on a shared 2-core machine other programs take
    // cores away. That the threads computed at the same time is what the claim rests on.
    assert.equal(par.peakInFlight, t);
    assert.equal(overlapping(par), t, `${t} CPU tasks at once on ${t} threads`);
    assert.equal(new Set(par.lanesUsed).size, t);
    // The same work: the same checksum whatever ran it.
    assert.equal(par.checksum, seq.checksum);
    assert.equal(gil.checksum, seq.checksum);
    assert.match(seq.checksum, /^[0-9a-f]{16}$/);
    // With the GIL threads waited for it, and the record says so for the timeline.
    assert.ok(gil.waits > 0 && gil.waitMs > 100, `waits ${gil.waits}, ${gil.waitMs} ms`);
    assert.equal(gil.gil, true);
    assert.equal(par.waits, 0);
  });

  test("async gets no speedup from CPU work and its event loop is busy meanwhile", async () => {
    const r = await run({ model: "async", tasks: 4, delay: 100, workload: "cpu" });
    assert.equal(r.peakInFlight, 1, "one task at a time");
    assert.ok(r.speedup < 1.2, `speedup ${r.speedup}`);
    assert.ok(r.eventLoopLagMs >= 60, `lag ${r.eventLoopLagMs}`);
    // Each task's computing is one stretch of the thread: at least one task's 100 ms of work.
    assert.ok(r.eventLoopBusyMs >= 80, `busy ${r.eventLoopBusyMs}`);
  });

  test("sleeping threads still overlap with the GIL on (waiting releases it)", async () => {
    const r = await run({ model: "threads", tasks: 4, delay: 300, threads: 4, gil: 1 });
    assert.ok(r.elapsedMs < 450, `elapsed ${r.elapsedMs}`);
    assert.equal(r.peakInFlight, 4);
  });
});

describe("real fetches", () => {
  test("async and threads requests go through the network stack, and overlap", async () => {
    assert.equal(env.caps.fetch, true);
    const a = await run({ model: "async", tasks: 5, delay: 300, workload: "fetch" });
    const t = await run({
      model: "threads",
      tasks: 4,
      delay: 300,
      threads: 4,
      workload: "fetch",
      gil: 1,
    });
    // The page's service worker answers them (no connection limit); tests/e2e/network.test.mjs
    // covers the server's side.
    assert.equal(a.answeredBy, "service worker");
    assert.equal(t.answeredBy, "service worker");
    assert.ok(a.elapsedMs >= 299 && a.elapsedMs < 700, `async fetch ${a.elapsedMs}`);
    assert.ok(t.elapsedMs >= 299 && t.elapsedMs < 700, `threads fetch with the GIL ${t.elapsedMs}`);
    assert.ok(a.peakInFlight >= 5 && t.peakInFlight === 4);
  });

  test("a connection limit of six caps how many requests are in flight", async () => {
    const r = await run({
      model: "async",
      tasks: 12,
      delay: 200,
      workload: "fetch",
      connections: 6,
    });
    assert.equal(r.idealMs, 400);
    assert.equal(r.idealInFlight, 6, "the ideal's rounds: six requests at a time");
    assert.ok(r.elapsedMs >= 399, `elapsed ${r.elapsedMs}`);
    assert.ok(r.notes.some((n) => /connections=6 held the run/.test(n)));
  });
});

describe("the classic async mistake", () => {
  test("a blocking call in async tasks runs them one after another and stalls the loop", async () => {
    const r = await run({ model: "async", tasks: 4, delay: 200, blocking: 1 });
    assert.ok(r.elapsedMs >= 799 && r.elapsedMs < 1200, `elapsed ${r.elapsedMs}`);
    assert.equal(r.idealMs, 800);
    assert.equal(r.idealInFlight, 1, "one task at a time");
    assert.equal(r.peakInFlight, 1);
    assert.ok(r.eventLoopLagMs >= 150, `lag ${r.eventLoopLagMs}`);
    assert.ok(
      r.eventLoopBusyMs >= 199,
      `a blocking call holds the thread: busy ${r.eventLoopBusyMs}`,
    );
    const err = await env.page.evaluate(() =>
      window.playground
        .run({ model: "async", tasks: 100, delay: 1000, blocking: 1 })
        .catch((e) => e.message),
    );
    assert.match(err, /event loop busy.*at most 5,000 ms/);
  });
});

describe("a failing task", () => {
  test("async join_all: the others finish; try_join_all: the first error ends the run", async () => {
    const all = await run({ model: "async", tasks: 4, delay: 200, fail: 1 });
    assert.equal(all.error, "task 1 failed");
    assert.deepEqual([all.finished, all.failed, all.cancelled], [3, 1, 0]);
    assert.ok(all.elapsedMs >= 199);
    const first = await run({
      model: "async",
      tasks: 4,
      delay: 200,
      fail: 1,
      failMode: "try_join_all",
    });
    assert.deepEqual([first.finished, first.failed, first.cancelled], [0, 1, 3]);
    assert.deepEqual(first.spans.map((s) => s.state).sort(), [
      "cancelled",
      "cancelled",
      "cancelled",
      "failed",
    ]);
    assert.ok(first.elapsedMs >= 99 && first.elapsedMs < 190, `ended at ${first.elapsedMs}`);
  });

  test("threads: the error stays in its thread, the others go on; sequential: the loop stops", async () => {
    const t = await run({ model: "threads", tasks: 4, delay: 100, threads: 2, fail: 0 });
    assert.deepEqual([t.finished, t.failed], [3, 1]);
    assert.equal(t.errors[0].id, 0);
    const s = await run({ model: "sequential", tasks: 4, delay: 50, fail: 1 });
    assert.deepEqual([s.finished, s.failed], [1, 1]);
    // And the next run is clean: the pool is still usable.
    const next = await run({ model: "threads", tasks: 4, delay: 100, threads: 2 });
    assert.deepEqual([next.finished, next.failed, next.error], [4, 0, null]);
  });
});

describe("processes", () => {
  test("processes start once, are reused, and scale CPU work even where a GIL would not", async () => {
    const first = await run({ model: "processes", tasks: 2, delay: 100, threads: 2 });
    const again = await run({ model: "processes", tasks: 2, delay: 100, threads: 2 });
    assert.ok(first.processesStarted + again.processesStarted >= 1);
    assert.equal(again.processesStarted, 0, "reused, as a Pool is");
    assert.deepEqual(again.lanesUsed.sort(), [2000, 2001]);
    const t = Math.min(env.caps.hardwareConcurrency, 4);
    const cpu = await run({
      model: "processes",
      tasks: 2 * t,
      delay: 250,
      threads: t,
      workload: "cpu",
    });
    console.log(`processes cpu speedup ${cpu.speedup.toFixed(2)} on ${t}`);
    // As for threads: computing at the same time is asserted, the speedup only printed.
    assert.equal(overlapping(cpu), t, `${t} CPU tasks at once in ${t} processes`);
  });
});

describe("on the page", () => {
  test("results carry workload and GIL, explain the effect, and show overhead and code", async () => {
    // Workload and GIL sit behind "More options".
    await env.page.click("#more-options > summary");
    await env.page.selectOption("#workload", "cpu");
    await env.page.check("#gil");
    await env.page.fill("#tasks", "4");
    await env.page.fill("#delay", "50");
    await env.page.fill("#threads", "2");
    const rows = await env.page.locator("#results tbody tr").count();
    await env.page.click('button[data-model="threads"]');
    await env.page.waitForFunction(
      (n) => document.querySelectorAll("#results tbody tr").length > n,
      rows,
    );
    const row = env.page.locator("#results tbody tr").first();
    assert.equal(await row.getAttribute("data-workload"), "cpu");
    assert.equal(await row.getAttribute("data-gil"), "1");
    assert.match(await row.locator("td.what").textContent(), /GIL.*speedup/);
    assert.match(await env.page.textContent("#overhead"), /memory per pool thread/);
    // The code panel loads on first use.
    await env.page.waitForSelector('#python-code[data-model="threads"]');
    assert.match(await env.page.textContent("#python-code"), /def compute\(i\):/);
    assert.match(await env.page.textContent("#python-code"), /max_workers=2/);
    assert.match(await env.page.textContent("#rust-code"), /rayon::spawn/);
    assert.ok((await env.page.locator("#rust-code .hljs-keyword").count()) > 3, "highlighted");
    const search = new URLSearchParams(await env.page.evaluate(() => location.search));
    assert.equal(search.get("workload"), "cpu");
    assert.equal(search.get("gil"), "1");
    await env.page.selectOption("#workload", "sleep");
    await env.page.uncheck("#gil");
  });

  test("the sweep draws elapsed against task count for each model", async () => {
    await env.page.fill("#delay", "50");
    await env.page.fill("#threads", "2");
    await env.page.click("#sweep");
    await env.page.waitForSelector('#sweep-chart[data-state="done"]', { timeout: 120_000 });
    const table = await env.page.$$eval(".sweep-table tr[data-tasks]", (rows) =>
      rows.map((r) => ({ ...r.dataset })),
    );
    const at = (n) => table.find((r) => r.tasks === String(n));
    // Async stays flat: 100,000 tasks of 50 ms end before two threads could even end 100 (at
    // least 2,500 ms however fast the machine); the threads climb with the count.
    assert.ok(Number(at(100_000).async) < Number(at(100).threads), JSON.stringify(table));
    assert.ok(Number(at(100).threads) >= 2500, JSON.stringify(table));
    assert.ok(Number(at(100).threads) > 10 * Number(at(1).threads), JSON.stringify(table));
    assert.match(await env.page.textContent("#sweep-notes"), /Skipped/);
  });
});

/**
 * Opens the case's link, runs its model from the page's button and hands the page to `check`,
 * then checks the page logged no error; skipped where the case needs threads and the page has
 * none.
 */
async function onRun(t, c, check) {
  if (c.threads && !env.caps.threads) return t.skip("this browser has no threads here");
  const p = await open(env.browser, env.server.url + c.link);
  try {
    await ready(p);
    await runFromUi(p, c.model);
    await check(p);
    assertClean(p);
  } finally {
    await p.context().close();
  }
}

describe("every sentence agrees with its run", () => {
  // Each case is a link and a Run button; the sentence next to the result must say what that
  // run did (`says`) and must not tell the story of another kind of run (`never`). Each of these
  // once read wrong: a counter run "waited ... about one delay", a limited run "waited at once",
  // an offloaded blocking run "ran one after another" in 300 ms.
  const cases = [
    {
      link: "?blocking=1&offload=1&tasks=3&delay=200",
      model: "async",
      says: [/blocking calls ran on the pool's threads/, /for an ideal of 200 ms/],
      never: [/one after another/, /could not even paint/],
      threads: true,
    },
    {
      link: "?workload=cpu&offload=1&tasks=2&delay=100",
      model: "async",
      // The core count is what the browser reports (WebKit rounds it), and the sentence says so.
      says: [
        /pool's threads computed the tasks in parallel/,
        /on the \d+ cores this browser reports/,
        // Where the browser differs from CPython: to_thread gives pure-Python CPU work no speedup.
        /In CPython the GIL would let one of them compute at a time/,
      ],
      never: [/one event loop computes one task at a time/],
      threads: true,
    },
    {
      link: "?limit=2&tasks=4&delay=100",
      model: "async",
      says: [/at most 2 at a time/, /ceil\(4 \/ 2\) × 100 ms = 200 ms/],
      never: [/waited at once/, /about one delay/],
    },
    {
      link: "?workload=fetch&connections=2&tasks=4&delay=100",
      model: "async",
      says: [/at most 2 at a time/, /= 200 ms/],
      never: [/waited at once/, /about one round/],
    },
    {
      link: "?workload=counter&tasks=2&increments=1000",
      model: "async",
      says: [/No update was lost/],
      never: [/waited/, /delay/],
      caption: /done in \d+(\.\d)? ms$/,
      // What the page's Python for this run prints, and nothing else.
      printed: /^expected 2_000, got 2_000$/,
    },
    {
      link: "?workload=counter&tasks=2&increments=1000",
      model: "threads",
      says: [/updates|update/],
      never: [/ideal/, /blocked on one task/],
      threads: true,
      printed: /^expected 2_000, got [\d_]+$/,
      // No model predicts the counter's time: no ideal, the time per update instead.
      line: /^threads: 2 of 2 tasks in [\d,.]+ ms \([\d,.]+ ns per update\)\.$/,
    },
    {
      link: "?workload=counter&tasks=3&increments=1000&processes=2",
      model: "processes",
      says: [/Each process counted in its own memory/],
      printed: /^\[1000, 1000, 2000\]\nexpected 3_000, the parent's counter: 0$/,
    },
    {
      link: "?workload=deadlock&tasks=2&delay=100",
      model: "threads",
      says: [/Deadlock/],
      never: [/ceil\(/],
      threads: true,
    },
    {
      link: "?fail=1&tasks=6&delay=100&failMode=try_join_all&limit=2",
      model: "async",
      says: [
        /the other 1 task in flight; 4 tasks never started\./,
        /In CPython the semaphore hands the failed task's place to the next task/,
      ],
    },
    {
      // All of its work in one turn of the event loop: the block still counts, to the run's end.
      link: "?workload=cpu&tasks=3&delay=100&limit=2",
      model: "async",
      says: [/at the peak 1 was\./],
      busyAtLeast: 90,
    },
    {
      link: "?tasks=2&delay=100&threads=3",
      model: "threads",
      says: [/^2 tasks on 3 threads: each blocked a thread of their own, 100 ms ideal\./],
      never: [/3 threads each/],
      threads: true,
    },
    {
      link: "?fail=1&tasks=3&delay=50",
      model: "sequential",
      says: [/Task 1 failed and the loop stopped there: 1 task never ran\./],
      never: [/1 tasks/],
    },
    {
      link: "?fail=2&tasks=3&delay=50",
      model: "sequential",
      says: [/Task 2 failed; it was the last/],
      never: [/0 tasks never ran/],
    },
    {
      // A thread per task: the code panel's threading.Thread program hands the error back itself.
      link: "?fail=1&tasks=3&delay=50&threads=3",
      model: "threads",
      says: [/a threading\.Thread's exception otherwise stays in its thread/],
      never: [/future\./],
      threads: true,
    },
    {
      link: "?fail=1&tasks=4&delay=50&threads=2",
      model: "threads",
      says: [/as future\.exception\(\) hands it back/],
      never: [/stays in its thread/],
      threads: true,
    },
    {
      link: "?fail=1&failMode=panic&tasks=2&delay=50",
      model: "threads",
      says: [/stopped answering \(task 1 panicked\)/],
      never: [/future\.result\(\)/],
      threads: true,
    },
    {
      link: "?tasks=3&delay=50&processes=2",
      model: "processes",
      says: [/^2 processes, sharing nothing; all 2 had to be started \(.+ ms each/],
      never: [/the rest were reused/, /the other/],
    },
    {
      link: "?workload=counter&tasks=4&increments=1000&awaitInside=1&sync=lock",
      model: "async",
      says: [/asyncio\.Lock/, /`async with lock:`/],
      never: [/with no await inside/],
    },
    {
      link: "?tasks=3&delay=50",
      model: "async",
      cost: [/whole heap peak \(.+\) over only 3 tasks/],
      never: [/µs/],
    },
    {
      link: "?tasks=10000&delay=50",
      model: "async",
      cost: [/creating and starting one task\s*\d[\d,.]* µs/],
      costNever: [/over only/],
    },
  ];
  /** The Python program each case showed, checked by CPython in the last test. */
  const programs = [];
  for (const c of cases) {
    test(`${c.model} ${c.link}`, (t) =>
      onRun(t, c, async (p) => {
        const what = await p.textContent("#results tbody tr:first-child td.what");
        const cost = (await p.textContent("#overhead")).replace(/\s+/g, " ");
        for (const re of c.says ?? []) assert.match(what, re);
        for (const re of c.never ?? []) assert.doesNotMatch(what + (c.cost ? cost : ""), re);
        for (const re of c.cost ?? []) assert.match(cost, re);
        for (const re of c.costNever ?? []) assert.doesNotMatch(cost, re);
        if (c.caption) assert.match(await p.textContent("#live-caption"), c.caption);
        if (c.line) assert.match(await p.textContent("#result-line"), c.line);
        if (c.busyAtLeast) {
          const busy = /busy for up to ([\d,.]+) ms/.exec(what);
          assert.ok(busy, what);
          assert.ok(Number(busy[1].replaceAll(",", "")) >= c.busyAtLeast, what);
        }
        if (c.printed) assert.match((await p.innerText("#console")).trim(), c.printed);
        // The Python beside the run, as a learner would copy it (the Copy button copies this).
        await p.waitForSelector(`#python-code[data-model="${c.model}"]`);
        programs.push({ link: c.link, model: c.model, code: await p.textContent("#python-code") });
      }));
  }

  test("the cost of starting a thread is compared with the async start measured on the page", async (t) => {
    if (!env.caps.threads) return t.skip("this browser has no threads here");
    // It once said "thousands of times a task's cost" whatever was measured: the ratio is in
    // the hundreds of thousands here.
    const p = await open(env.browser, env.server.url);
    try {
      await ready(p);
      const a = await apiRun(p, { model: "async", tasks: 5000, delay: 10 });
      const th = await apiRun(p, { model: "threads", tasks: 2, delay: 10, threads: 2 });
      assert.ok(a.taskStartUs > 0, `taskStartUs ${a.taskStartUs}`);
      const cost = (await p.textContent("#overhead")).replace(/\s+/g, " ");
      const said = /about ([\d,]+) times the cost of starting one async task/.exec(cost);
      assert.ok(said, cost);
      const ratio = Number(((th.threadStartMs * 1000) / a.taskStartUs).toPrecision(2));
      assert.equal(Number(said[1].replaceAll(",", "")), ratio, cost);
      assertClean(p);
    } finally {
      await p.context().close();
    }
  });

  test("every Python program shown beside those runs is valid Python (CPython parses it)", () => {
    assert.ok(programs.length >= 10, `${programs.length} programs collected`);
    const check =
      "import ast, json, sys\n" +
      "for p in json.load(sys.stdin):\n" +
      "    try:\n" +
      "        ast.parse(p['code'])\n" +
      "    except SyntaxError as e:\n" +
      "        print(f\"{p['model']} {p['link']}: {e}\")\n";
    const out = spawnSync("python3", ["-c", check], { input: JSON.stringify(programs) });
    assert.equal(out.status, 0, String(out.stderr));
    assert.equal(String(out.stdout), "", "programs that do not parse");
  });
});

describe("the code panel's program prints what the output pane shows", () => {
  // The pane ("What the program prints") is the engine's account of the run; the code panel's
  // Python is what a learner would run. CPython runs each program here and must print the same
  // lines: every start, end, error and cancellation, the results, the error that ended it, and
  // the elapsed line (its figure aside). They once disagreed: a TaskGroup run's program printed
  // nothing per task, and its pane printed an elapsed time that the uncaught error never let the
  // program reach.
  const cases = [
    { link: "?tasks=3&delay=100", model: "async" },
    { link: "?fail=1&tasks=3&delay=100", model: "async" },
    { link: "?fail=1&tasks=3&delay=100&failMode=try_join_all", model: "async" },
    {
      link: "?fail=1&tasks=4&delay=100&failMode=try_join_all&limit=2",
      model: "async",
      // CPython's semaphore gives the failed task's place to the next task before the
      // TaskGroup's cancellation reaches it: one more task starts there and is cancelled at once
      // (the page's sentence for this run says so); the engine starts no task after the error.
      pythonOnly: ["Start fetching url3", "Cancelled url3"],
    },
    { link: "?tasks=4&delay=100&limit=2", model: "async" },
    { link: "?blocking=1&tasks=3&delay=50", model: "async" },
    // Steps over 100 ms: the program runs with debug=True, and asyncio's warnings (on stderr) are
    // compared with the pane's, their figures and paths aside.
    { link: "?blocking=1&tasks=3&delay=150", model: "async", debugLines: true },
    { link: "?blocking=1&fail=1&tasks=3&delay=300&limit=2", model: "async", debugLines: true },
    { link: "?workload=cpu&tasks=3&delay=50", model: "async" },
    { link: "?workload=cpu&offload=1&tasks=2&delay=50", model: "async", threads: true },
    { link: "?fail=1&tasks=3&delay=100&threads=3", model: "threads", threads: true },
    { link: "?fail=1&tasks=5&delay=50&threads=2", model: "threads", threads: true },
    { link: "?fail=1&tasks=3&delay=50", model: "sequential" },
    { link: "?tasks=3&delay=50", model: "sequential" },
    { link: "?fail=1&tasks=3&delay=50&processes=2", model: "processes" },
    { link: "?workload=counter&tasks=4&increments=1000&awaitInside=1", model: "async" },
    // Deadlock runs that cannot deadlock (the ones that do would hang CPython for good).
    { link: "?workload=deadlock&tasks=2&delay=50&lockOrder=same", model: "async" },
    { link: "?workload=deadlock&tasks=2&delay=50&lockOrder=same", model: "threads", threads: true },
    { link: "?workload=deadlock&tasks=2&delay=50", model: "sequential" },
    { link: "?workload=deadlock&tasks=2&delay=50&processes=2", model: "processes" },
    {
      link: "?workload=counter&tasks=4&increments=1000&awaitInside=1&sync=lock&limit=2",
      model: "async",
    },
  ];
  /**
   * Printed lines, compared as a learner reads them: the elapsed figure left out (it is this
   * machine's), and lines that threads printed at once taken apart again (CPython's print writes
   * the text and its newline separately, so two threads' lines can interleave).
   */
  const printed = (text) =>
    text
      .replace(/\n/g, "")
      .split(/(?=Start |Done |Error |Cancelled |Elapsed: |RuntimeError: |expected |Executing <|\[)/)
      .map((l) =>
        l
          .trim()
          .replace(/^Elapsed: \d+\.\d\d seconds$/, "Elapsed: … seconds")
          // asyncio's debug line: its figure, and where the program and asyncio live here.
          .replace(/ took \d+\.\d{3} seconds$/, " took … seconds")
          .replace(/defined at \S+?:(\d+)>/, "defined at prog.py:$1>")
          .replace(/created at \S*\/asyncio\//, "created at .../asyncio/"),
      )
      .filter(Boolean);
  const warning = (l) => l.startsWith("Executing <");
  for (const c of cases) {
    test(`${c.model} ${c.link}`, (t) =>
      onRun(t, c, async (p) => {
        await p.waitForSelector(`#python-code[data-model="${c.model}"]`);
        const code = await p.textContent("#python-code");
        const shown = printed(await p.innerText("#console"));
        const run = spawnSync("python3", ["-c", code], {
          env: { ...process.env, PYTHONUNBUFFERED: "1" },
          timeout: 30_000,
        });
        assert.equal(run.status, 0, `CPython ran the program:\n${code}\n${run.stderr}`);
        const stdout = printed(String(run.stdout)).filter((l) => !c.pythonOnly?.includes(l));
        // asyncio logs its warnings to stderr; a CPU step's length here is not the page's, so
        // they are compared only where the run's steps are sure to pass 100 ms in both.
        const warnings = printed(String(run.stderr)).filter(warning);
        const python = c.debugLines ? [...stdout, ...warnings] : stdout;
        const pane = c.debugLines ? shown : shown.filter((l) => !warning(l));
        if (c.debugLines) assert.ok(warnings.length > 0, `asyncio warned: ${run.stderr}`);
        for (const l of c.pythonOnly ?? []) {
          assert.ok(String(run.stdout).includes(l), `CPython printed ${l}: ${run.stdout}`);
        }
        // The same lines, and the program ends as the pane does (threads print in any order).
        assert.deepEqual(
          [...python].sort(),
          [...pane].sort(),
          `${code}\nCPython: ${python.join(" | ")}`,
        );
        assert.deepEqual(stdout.slice(-2), pane.slice(-2));
      }));
  }
});
