// Races, locks, deadlock and bounded or offloaded async tasks, end to end in the built page: the
// counter really loses updates on shared-memory threads and never with a lock or an atomic add;
// async loses only with an await inside, and never with its lock; processes count alone; a real
// deadlock is found in the wait-for graph, named, and the pool works again for the next run.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  apiRun,
  assertClean,
  chromiumSuite,
  mainThreadTasks,
  open,
  ready,
  startServer,
} from "./harness.mjs";

const env = chromiumSuite({ page: true });

const run = (options) => apiRun(env.page, options);

/** The refusal of `options`: `{ field, message }`. */
function refusal(options) {
  return env.page.evaluate(
    (o) =>
      window.playground.run(o).then(
        () => null,
        (e) => ({ field: e.field, message: e.message }),
      ),
    options,
  );
}

const counter = { workload: "counter" };

describe("the shared counter", () => {
  test("threads without a guard lose updates on real shared memory; a lock or an atomic add never", async () => {
    assert.ok(env.caps.threads, "this test needs threads (a cross-origin-isolated page)");
    const opts = { ...counter, model: "threads", tasks: 2, threads: 2, increments: 1_000_000 };
    const losses = [];
    for (let i = 0; i < 5; i++) {
      const r = await run({ ...opts, sync: "none" });
      assert.equal(r.counterExpected, 2_000_000);
      assert.equal(r.idealMs, null, "no model predicts a counter's time");
      assert.equal(r.lostUpdates, r.counterExpected - r.counterFinal);
      losses.push(r.lostUpdates);
      if (r.lostUpdates > 0)
        assert.match(r.notes[0], /updates were lost: two threads read the same value/);
    }
    // Two cores, two threads started together, two million updates: on this machine every run
    // lost updates when measured (5 of 5); the test asks for at least one of five.
    console.log(`threads sync=none, lost per run: ${losses.join(", ")}`);
    assert.ok(
      losses.some((n) => n > 0),
      `no update lost in 5 runs: ${losses}`,
    );
    for (const sync of ["lock", "atomic"]) {
      for (let i = 0; i < 3; i++) {
        const r = await run({ ...opts, sync });
        assert.equal(r.lostUpdates, 0, `${sync}: ${r.notes.join(" ")}`);
        assert.equal(r.counterFinal, 2_000_000);
        assert.ok(r.nsPerUpdate > 0);
        assert.match(r.notes[0], /^No update was lost/);
        if (sync === "lock") {
          assert.ok(r.lockWaitMs >= 0);
          assert.ok(
            r.waitKinds.every((k) => k === 1),
            "lock waits are drawn as lock waits",
          );
        }
      }
    }
  });

  test("with the simulated GIL the counter behaves as CPython 3.11's: nothing lost", async () => {
    const r = await run({
      ...counter,
      model: "threads",
      tasks: 2,
      threads: 2,
      increments: 1_000_000,
      gil: 1,
    });
    assert.equal(r.lostUpdates, 0, r.notes.join(" "));
    assert.match(r.notes[0], /simulated GIL/);
  });

  test("async loses nothing without an await inside, always with one, never with its lock", async () => {
    const base = { ...counter, model: "async", tasks: 4, increments: 1000 };
    const plain = await run(base);
    assert.equal(plain.lostUpdates, 0);
    assert.match(plain.notes[0], /switched only at an await/);
    for (let i = 0; i < 2; i++) {
      const awaited = await run({ ...base, awaitInside: true });
      // Each round every task reads the same value: as CPython's asyncio, 3,000 of 4,000 lost.
      assert.equal(awaited.lostUpdates, 3000, awaited.notes.join(" "));
      assert.equal(awaited.counterFinal, 1000);
    }
    const locked = await run({ ...base, awaitInside: true, sync: "lock" });
    assert.equal(locked.lostUpdates, 0, locked.notes.join(" "));
    assert.ok(locked.lockWaitMs > 0, "the other tasks waited for the lock");
    assert.ok(locked.waitKinds.length > 0 && locked.waitKinds.every((k) => k === 1));
  });

  test("sequential never loses; processes each count in their own memory", async () => {
    const s = await run({ ...counter, model: "sequential", tasks: 3, increments: 100_000 });
    assert.equal(s.lostUpdates, 0);
    const p = await run({
      ...counter,
      model: "processes",
      tasks: 4,
      processes: 2,
      increments: 1000,
    });
    assert.equal(p.counterFinal, 0, "the page's own counter is out of every process's reach");
    assert.equal(p.lostUpdates, undefined);
    assert.equal(p.processCounts.length, 2);
    assert.equal(
      p.processCounts.reduce((a, b) => a + b, 0),
      4000,
      `each process counts its own tasks: ${p.processCounts}`,
    );
    assert.match(p.notes[0], /process 1 counted/);
  });
});

describe("deadlock", () => {
  test("two threads in opposite order deadlock for real; found within 1 s, named, and the pool works next", async () => {
    const r = await run({
      workload: "deadlock",
      model: "threads",
      tasks: 2,
      threads: 2,
      delay: 200,
    });
    assert.equal(r.deadlock, true, r.notes.join(" "));
    assert.match(
      r.deadlockCycle,
      /^thread \d holds [AB] and waits for [AB]; thread \d holds [AB] and waits for [AB]$/,
    );
    assert.ok(r.deadlockDetectMs < 1000, `found ${r.deadlockDetectMs} ms after it formed`);
    assert.ok(r.elapsedMs < 200 + 1500, `the run ended at ${r.elapsedMs} ms`);
    assert.ok(r.waitKinds.filter((k) => k === 1).length >= 2, "both threads' waits are drawn");
    assert.equal(r.failed, 2);
    const next = await run({ model: "threads", tasks: 4, threads: 2, delay: 100 });
    assert.equal(next.finished, 4, "the very next threads run on the same page works");
    assert.ok(next.elapsedMs < 1000, `next run took ${next.elapsedMs} ms`);
  });

  test("lockOrder same completes; async in opposite order deadlocks and is found too", async () => {
    const same = await run({
      workload: "deadlock",
      lockOrder: "same",
      model: "threads",
      tasks: 2,
      threads: 2,
      delay: 100,
    });
    assert.equal(same.deadlock, false);
    assert.equal(same.finished, 2);
    assert.match(same.notes[0], /every task takes A first/);
    const a = await run({ workload: "deadlock", model: "async", tasks: 2, delay: 100 });
    assert.equal(a.deadlock, true);
    assert.equal(a.deadlockCycle, "task 0 holds A and waits for B; task 1 holds B and waits for A");
    assert.ok(a.deadlockDetectMs < 1000);
  });

  test("stop() ends a deadlocked run at once", async () => {
    // Found by the engine within ~100 ms anyway; stop() during the hold must also end it.
    const stopped = await env.page.evaluate(async () => {
      const p = window.playground.run({
        workload: "deadlock",
        model: "threads",
        tasks: 2,
        threads: 2,
        delay: 2000,
      });
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      await window.playground.stop();
      const r = await p;
      return { stopped: r.stopped, tookMs: performance.now() - t0 };
    });
    assert.equal(stopped.stopped, true);
    assert.ok(stopped.tookMs < 500, `stop took ${stopped.tookMs} ms`);
  });
});

describe("bounded and offloaded async tasks", () => {
  test("limit=3: 10 tasks of 200 ms take about 800 ms, 3 at a time", async () => {
    const r = await run({ model: "async", tasks: 10, delay: 200, limit: 3 });
    assert.equal(r.peakInFlight, 3);
    assert.equal(r.idealMs, 800);
    assert.ok(r.elapsedMs >= 795 && r.elapsedMs < 1600, `elapsed ${r.elapsedMs} ms`);
  });

  test("offload: CPU work runs on the pool while the event loop stays free", async () => {
    // Judged by the CPU time of the main thread's tasks during each run, from Chromium's trace
    // (see mainThreadTasks), not by the record's eventLoopLagMs: that lag is wall-clock time, and
    // with both cores of the shared test machine busy with the pool's two threads and other builds,
    // frames of 10 ms of CPU took up to 190 ms: traced offloaded runs reported 57-353 ms of lag
    // while the page's longest task in them took 7-16 ms of CPU.
    const offload = { model: "async", tasks: 2, delay: 200, workload: "cpu", offload: true };
    // (Four tasks inline: the lag probe's first timer is only set after the first task's poll.)
    const inline = { model: "async", tasks: 4, delay: 200, workload: "cpu" };
    // One evaluate per run, as a caller's separate calls: in one script the task that ends a run
    // would go on to start the next, and the inline run's first task would count in the last
    // offloaded run.
    const { result: runs, tasks } = await mainThreadTasks(env.browser, env.page, async () => {
      const records = [];
      for (const options of [offload, offload, offload, inline]) records.push(await run(options));
      return records;
    });
    // The main-thread task that took the most CPU while the run was under way, described.
    const longest = (r) => {
      const during = tasks.filter(
        (t) => t.startMs < r.startedAt + r.elapsedMs && t.endMs > r.startedAt,
      );
      const t = during.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a), { cpuMs: 0 });
      const at = t.startMs === undefined ? "" : `, ${(t.startMs - r.startedAt).toFixed(0)} ms in`;
      return {
        cpuMs: t.cpuMs,
        text:
          `${t.cpuMs.toFixed(1)} ms of CPU (${(t.wallMs ?? 0).toFixed(1)} ms wall${at}) in a ` +
          `run of ${r.elapsedMs.toFixed(0)} ms, timer lag ${r.eventLoopLagMs.toFixed(0)} ms`,
      };
    };
    const report = runs.map((r) => longest(r).text).join("\n");
    console.log(`longest main-thread tasks, offloaded x3 then inline:\n${report}`);
    const offloaded = runs.slice(0, 3);
    for (const r of offloaded) {
      assert.equal(r.finished, 2);
      assert.equal(r.offload, true);
      assert.match(r.notes.join(" "), /asyncio.to_thread/);
    }
    // 200 ms of work per task, done on the event loop, is one task of 88-170 ms of CPU here (the
    // inline run's), in every run. The page's own tasks in a run are 2-25 ms, but on a loaded
    // machine the thread clock sometimes reads 10-20 ms too much (a frame of 6 ms wall read
    // 27 ms of CPU), so one run of three may show more than 50.
    const clear = offloaded.filter((r) => longest(r).cpuMs <= 50);
    assert.ok(clear.length >= 2, `with offload, the longest tasks:\n${report}`);
    // The contrast: inline, each task's work is one long main-thread task and the timer is late
    // by at least a task's length (a late timer only gets later on a busy machine).
    assert.ok(longest(runs[3]).cpuMs > 50, `inline, the longest task: ${longest(runs[3]).text}`);
    assert.ok(
      runs[3].eventLoopLagMs > 150,
      `without offload the loop is blocked: ${runs[3].eventLoopLagMs} ms`,
    );
  });
});

describe("bad combinations are refused naming the field", () => {
  test("each refusal names its option", async () => {
    for (const [options, field] of [
      [{ workload: "deadlock", model: "threads", threads: 1, tasks: 2 }, "threads"],
      [{ ...counter, model: "threads", awaitInside: true }, "awaitInside"],
      [{ model: "threads", limit: 3 }, "limit"],
      [{ model: "async", workload: "sleep", offload: true }, "offload"],
      [{ ...counter, increments: 0 }, "increments"],
      [{ ...counter, increments: 10_000_001 }, "increments"],
      [{ model: "async", sync: "lock" }, "sync"],
    ]) {
      const e = await refusal(options);
      assert.equal(e?.field, field, `${JSON.stringify(options)}: ${e?.message}`);
    }
  });

  test("offload without threads says why", async () => {
    const plainServer = await startServer({ isolation: false });
    const plain = await open(env.browser, plainServer.url);
    try {
      await ready(plain);
      const e = await plain.evaluate(() =>
        window.playground
          .run({ model: "async", workload: "cpu", offload: true, tasks: 2, delay: 10 })
          .then(
            () => null,
            (e) => ({ field: e.field, message: e.message }),
          ),
      );
      assert.equal(e.field, "offload");
      assert.match(e.message, /not cross-origin isolated/);
      assertClean(plain);
    } finally {
      await plain.close();
      plainServer.close();
    }
  });
});
