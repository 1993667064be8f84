// The fetch workload end to end: what answers the requests (the page's service worker, or the
// server where the worker cannot run), how many are really under way at once where they are
// answered, the connection limit as an option of its own, and real network faults at the server
// (http500, drop, stall) in every model that has fetch.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { apiRun, assertClean, launch, open, ready, startServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const counter = async (server) =>
  (await (await fetch(`${server.url}api/latency/count`)).json()).requests;

/** Fault runs make the browser log the failed request itself; nothing else may be logged. */
function assertCleanBut(page, expected) {
  page.problems = page.problems.filter((p) => !expected.some((re) => re.test(p)));
  assertClean(page);
}
const FAULT_LOGS = [
  /Failed to load resource: the server responded with a status of 500/,
  /Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH/,
];

describe("on ./build.sh serve: the page's service worker answers", () => {
  let server, page, caps;
  before(async () => {
    server = await startServer();
    page = await open(browser, server.url);
    caps = await ready(page);
  });
  after(() => server?.close());

  test("capabilities say what answers the requests", () => {
    assert.equal(caps.fetch, true);
    assert.equal(caps.fetchAnsweredBy, "service worker");
    assert.equal(caps.fetchReason, null);
  });

  test("async keeps far more than 6 requests under way at once, measured where they are answered", async () => {
    const r = await apiRun(page, { model: "async", tasks: 1000, delay: 500, workload: "fetch" });
    assert.equal(r.finished, 1000);
    assert.equal(r.answeredBy, "service worker");
    assert.equal(r.connections, null);
    assert.ok(r.requestsPeak > 100, `requests under way at once: ${r.requestsPeak}`);
    assert.ok(
      r.notes.some((n) => /answered by this page's service worker/.test(n)),
      r.notes.join(" | "),
    );
    assert.ok(
      !r.notes.some((n) => /The browser held requests back|6 connections to one HTTP\/1.1/.test(n)),
      r.notes.join(" | "),
    );
    console.log(`async 1,000 x 500 ms: ${Math.round(r.elapsedMs)} ms, ${r.requestsPeak} at once`);
  });

  test("async sends every request before it handles an answer, each task stamped when its request went out", async () => {
    const r = await page.evaluate(async () => {
      const rec = await window.playground.run({
        model: "async",
        tasks: 300,
        delay: 300,
        workload: "fetch",
      });
      // The endpoint as the page sees it: the service worker's answer is a 204 with no body.
      const res = await fetch("api/latency?ms=0&task=0&run=probe");
      return {
        finished: rec.finished,
        starts: [...rec.spanStart],
        ends: [...rec.spanEnd],
        ids: [...rec.spanId],
        probe: { status: res.status, by: res.headers.get("X-Answered-By"), body: await res.text() },
      };
    });
    assert.equal(r.finished, 300);
    const startOf = new Map(r.ids.map((id, i) => [id, r.starts[i]]));
    for (let id = 1; id < 300; id++) {
      assert.ok(startOf.get(id) >= startOf.get(id - 1), `task ${id} started before task ${id - 1}`);
    }
    assert.ok(startOf.get(299) > startOf.get(0), "the starts are stamped one by one");
    assert.ok(
      Math.max(...r.starts) < Math.min(...r.ends),
      `last request sent at ${Math.max(...r.starts)} ms, first answer handled at ${Math.min(...r.ends)} ms`,
    );
    assert.deepEqual(r.probe, { status: 204, by: "service worker", body: "" });
  });

  test("connections caps requests like aiohttp's TCPConnector(limit=), and says so only then", async () => {
    const capped = await apiRun(page, {
      model: "async",
      tasks: 18,
      delay: 150,
      workload: "fetch",
      connections: 6,
    });
    assert.equal(capped.connections, 6);
    assert.ok(capped.requestsPeak <= 6, `peak ${capped.requestsPeak}`);
    assert.ok(capped.elapsedMs >= 449, `three rounds of 150 ms: ${capped.elapsedMs}`);
    assert.equal(capped.idealMs, 450);
    assert.ok(
      capped.notes.some((n) => /connections=6 held the run/.test(n)),
      capped.notes.join(" | "),
    );
    const free = await apiRun(page, { model: "async", tasks: 18, delay: 150, workload: "fetch" });
    assert.equal(free.idealMs, 150);
    assert.ok(!free.notes.some((n) => /connections=|held/.test(n)), free.notes.join(" | "));
    const threads = await apiRun(page, {
      model: "threads",
      tasks: 16,
      threads: 16,
      delay: 300,
      workload: "fetch",
    });
    assert.ok(threads.requestsPeak > 6, `threads peak ${threads.requestsPeak}`);
    assert.ok(!threads.notes.some((n) => /held/.test(n)), threads.notes.join(" | "));
  });

  const models = [
    { model: "async", failMode: "try_join_all" },
    { model: "threads", threads: 2 },
    { model: "sequential" },
    { model: "processes", processes: 2 },
  ];
  for (const m of models) {
    for (const mode of ["http500", "drop", "stall"]) {
      test(`${m.model}: failMode ${mode} fails task 1's request at the server; the others as the model says`, async () => {
        const before = await counter(server);
        const r = await apiRun(page, {
          ...m,
          tasks: 4,
          delay: 100,
          workload: "fetch",
          fail: 1,
          failMode: mode,
          timeoutMs: 1500,
        });
        assert.equal(await counter(server), before + 1, "the failing request reached the server");
        assert.equal(r.failed, 1);
        assert.equal(r.errors[0].id, 1);
        const want = {
          http500: /HTTP 500/,
          drop: /network error/,
          stall: /timed out after 1,500 ms/,
        };
        assert.match(r.errors[0].message, want[mode]);
        assert.equal(r.failMode, mode);
        assert.ok(r.notes.some((n) => n.includes(`failMode ${mode} asked the server`)));
        if (m.model === "sequential") assert.equal(r.finished, 1, "the loop stops at the error");
        else assert.equal(r.finished, 3, "the other tasks finish");
        assert.ok(r.elapsedMs < 6000, `nothing hangs: ${r.elapsedMs}`);
        const next = await apiRun(page, { ...m, tasks: 4, delay: 50, workload: "fetch" });
        assert.equal(next.failed, 0, "the next run is clean");
        assert.equal(next.finished, 4);
        assertCleanBut(page, FAULT_LOGS);
      });
    }
  }

  test("failModes of the network are refused for other workloads, naming the field", async () => {
    const e = await page.evaluate(() =>
      window.playground
        .run({ model: "async", tasks: 3, delay: 10, fail: 1, failMode: "stall" })
        .catch((e) => ({ field: e.field, message: e.message })),
    );
    assert.equal(e.field, "failMode");
    assert.match(e.message, /workload fetch only/);
  });

  test("stop() ends a run whose request stalls, and the next run is clean", async () => {
    for (const m of [
      { model: "async" },
      { model: "sequential" },
      { model: "threads", threads: 2 },
      { model: "processes", processes: 2 },
    ]) {
      const stopped = await page.evaluate(async (m) => {
        const p = window.playground;
        const running = p.run({
          ...m,
          tasks: 3,
          delay: 50,
          workload: "fetch",
          fail: 0,
          failMode: "stall",
        });
        // Wait until the stalled request is under way, then stop.
        while ((p.progress()?.started ?? 0) < 1) await new Promise((r) => setTimeout(r, 20));
        const t0 = performance.now();
        await p.stop();
        const r = await running;
        return { stopped: r.stopped, took: performance.now() - t0, notes: r.notes };
      }, m);
      assert.equal(stopped.stopped, true, m.model);
      if (m.model === "threads") {
        assert.ok(
          stopped.notes.some((n) => /\d threads? (was|were) blocked in a request/.test(n)),
          stopped.notes.join(" | "),
        );
      }
      assert.ok(stopped.took < 2000, `${m.model}: stop took ${stopped.took} ms`);
      const next = await apiRun(page, { ...m, tasks: 3, delay: 50, workload: "fetch" });
      assert.equal(next.finished, 3);
    }
    assertCleanBut(page, FAULT_LOGS);
  });
});

describe("where no service worker can answer: the server does, and the browser caps it", () => {
  let server, page, caps;
  before(async () => {
    server = await startServer({ isolation: false });
    page = await open(browser, server.url);
    caps = await ready(page);
  });
  after(() => server?.close());

  test("the cap note appears only when the run was capped, measured at the server", async () => {
    assert.equal(caps.fetchAnsweredBy, "server");
    const before = await counter(server);
    const r = await apiRun(page, { model: "async", tasks: 12, delay: 200, workload: "fetch" });
    assert.equal(await counter(server), before + 12, "every request reached the server");
    assert.equal(r.answeredBy, "server");
    assert.ok(r.requestsPeak <= 6, `peak at the server ${r.requestsPeak}`);
    assert.ok(
      r.notes.some((n) => /held requests back: at most \d were under way/.test(n)),
      r.notes.join(" | "),
    );
    const small = await apiRun(page, { model: "async", tasks: 3, delay: 200, workload: "fetch" });
    assert.ok(!small.notes.some((n) => /held/.test(n)), small.notes.join(" | "));
    const faulty = await apiRun(page, {
      model: "async",
      tasks: 3,
      delay: 100,
      workload: "fetch",
      fail: 2,
      failMode: "drop",
    });
    assert.match(faulty.errors[0].message, /network error/);
    assert.equal(faulty.finished, 2);
    assertCleanBut(page, FAULT_LOGS);
  });
});

describe("a static host: the page's service worker answers there too", () => {
  let server, page, caps;
  before(async () => {
    server = await startServer({ root: "dist", args: ["--plain"] });
    page = await open(browser, server.url);
    // The one reload into the service worker, then the engine.
    // (The reloaded document's modules define window.playground a moment after it loads.)
    await page.waitForFunction(
      () => window.crossOriginIsolated === true && window.playground,
      null,
      {
        timeout: 30_000,
      },
    );
    caps = await ready(page);
  });
  after(() => server?.close());

  test("async fetch runs with no connection cap", async () => {
    assert.equal(caps.fetchAnsweredBy, "service worker");
    const r = await apiRun(page, { model: "async", tasks: 200, delay: 300, workload: "fetch" });
    assert.equal(r.finished, 200);
    assert.ok(r.requestsPeak > 6, `peak ${r.requestsPeak}`);
    const f = await apiRun(page, {
      model: "async",
      tasks: 3,
      delay: 50,
      workload: "fetch",
      fail: 0,
      failMode: "http500",
    });
    assert.match(f.errors[0].message, /HTTP 500/);
    assertCleanBut(page, FAULT_LOGS);
  });
});
