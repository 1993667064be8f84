// Robustness end to end: stop, one run at a time, hostile parameters (randomised, fixed seed), no
// leaks over 200 runs, hidden tabs, a worker that dies, and a session without console noise.
// The checks shared with Firefox ESR and WebKitGTK are in behaviour-checks.mjs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, checkedPage, chromiumSuite, open, ready, until } from "./harness.mjs";
import {
  OPTIONS,
  SEED,
  VALUES,
  WORKER_ERRORS,
  hostileRunArguments,
  limitsRefused,
  oneRunAtATime,
  random,
  stopEveryModel,
  throwInWorkers,
} from "./behaviour-checks.mjs";

const env = chromiumSuite();

describe("stop", () => {
  test("ends a run of every model within 100 ms, keeps what finished, and the next run is clean", async () => {
    const page = await env.fresh();
    await stopEveryModel(checkedPage(page, "shared"));
    assertClean(page);
  });

  test("the Stop button stops a UI run, which is recorded as stopped", async () => {
    const page = await env.fresh();
    await page.fill("#tasks", "4");
    await page.fill("#delay", "10000");
    await page.click('button[data-model="sequential"]');
    await page.waitForFunction(() => !document.getElementById("stop").disabled);
    await page.click("#stop");
    await page.waitForSelector('#results tbody tr[data-stopped="true"]');
    assert.match(await page.textContent("#results tbody tr"), /stopped, 0 done/);
    assertClean(page);
  });

  test("a second run while one is under way is refused with a message, never mixed", async () => {
    const page = await env.fresh();
    await oneRunAtATime(checkedPage(page, "shared"));
    assertClean(page);
  });
});

describe("hostile parameters", () => {
  /** URL parameter names: the options, the page's own, and names that mean nothing. */
  const NAMES = [...OPTIONS, "autorun", "embed", "unknown", "__proto__"];

  test(`random URL parameters never break the page or inject markup (seed ${SEED})`, async () => {
    const rnd = random(SEED);
    const pick = (list) => list[Math.floor(rnd() * list.length)];
    for (let i = 0; i < 25; i++) {
      const params = new URLSearchParams();
      const n = 1 + Math.floor(rnd() * 6);
      for (let k = 0; k < n; k++) params.append(pick(NAMES), pick(VALUES));
      // Never autorun a link that may be long: a blocked page would only test patience.
      params.delete("autorun");
      const page = await open(env.browser, `${env.server.url}?${params}`);
      let dialogs = 0;
      page.on("dialog", (d) => {
        dialogs += 1;
        d.dismiss();
      });
      await ready(page);
      const state = await page.evaluate(() => ({
        injected:
          document.querySelectorAll("img[src='x'], script:not([src])").length +
          [...document.querySelectorAll("b")].filter((b) => b.textContent === "bold").length,
        errors: [...document.querySelectorAll(".error")].map((e) => e.textContent).join(" "),
        runnable: !document.querySelector('button[data-model="async"]').disabled,
      }));
      assert.equal(state.injected, 0, `markup injected by ?${params}`);
      assert.equal(dialogs, 0, `script ran from ?${params}`);
      assert.ok(state.runnable, `page not usable after ?${params}`);
      assertClean(page);
      await page.context().close();
    }
  });

  test(`random run() arguments resolve or reject with a field, never throw anything else (seed ${SEED})`, async () => {
    const page = await env.fresh();
    await hostileRunArguments(checkedPage(page, "shared"), "chromium");
    assertClean(page);
  });
});

describe("no leaks", () => {
  test("200 runs in a row leave wasm memory, heap and workers where the first run left them", async () => {
    const page = await env.fresh();
    const r = await page.evaluate(async () => {
      const pg = window.playground;
      const kinds = [
        { model: "async", tasks: 2000, delay: 2 },
        { model: "async", tasks: 200, delay: 2, timers: "per-task" },
        { model: "threads", tasks: 8, delay: 1, threads: 4 },
        { model: "sequential", tasks: 5, delay: 1 },
        { model: "async", tasks: 3, delay: 1, workload: "cpu" },
        { model: "async", tasks: 10, delay: 2, fail: 3, failMode: "try_join_all" },
        { model: "processes", tasks: 4, delay: 1, threads: 2 },
      ];
      // Warm up: the first run of each kind may grow memory once (pages are never returned).
      for (const k of kinds) await pg.run(k);
      const first = pg.stats();
      for (let i = 0; i < 200; i++) await pg.run(kinds[i % kinds.length]);
      return { first, last: pg.stats() };
    });
    console.log(
      `memory after warm-up ${r.first.wasmMemoryBytes}, after 200 runs ${r.last.wasmMemoryBytes}; ` +
        `heap ${r.first.heapBytes} -> ${r.last.heapBytes}`,
    );
    assert.ok(r.last.wasmMemoryBytes - r.first.wasmMemoryBytes <= 1 << 20, JSON.stringify(r));
    assert.ok(Math.abs(r.last.heapBytes - r.first.heapBytes) <= 64 * 1024, JSON.stringify(r));
    assert.equal(r.last.workers, r.first.workers);
    assert.equal(r.last.processes, r.first.processes);
    assert.equal(r.last.runs - r.first.runs, 200);
    assertClean(page);
  });
});

describe("distortions said, not hidden", () => {
  test("a run during which the page was hidden is marked distorted; delays under 4 ms are flagged", async () => {
    const page = await env.fresh();
    const r = await page.evaluate(async () => {
      const running = window.playground.run({ model: "async", tasks: 3, delay: 200 });
      // Headless pages stay visible: stand in for the browser hiding the tab.
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
      const hidden = await running;
      delete document.hidden;
      const shown = await window.playground.run({ model: "async", tasks: 3, delay: 200 });
      const tiny = await window.playground.run({ model: "sequential", tasks: 3, delay: 1 });
      return { hidden: [hidden.distorted, hidden.notes], shown: shown.distorted, tiny: tiny.notes };
    });
    assert.equal(r.hidden[0], true);
    assert.ok(r.hidden[1].some((n) => /hidden during the run/.test(n)));
    assert.equal(r.shown, false);
    assert.ok(r.tiny.some((n) => /under 4 ms/.test(n)));
    await page.waitForSelector('#results tbody tr[data-distorted="true"]');
    assertClean(page);
  });

  test("runs past the engine's limits are refused with the figure before they start", async () => {
    const page = await env.fresh();
    await limitsRefused(checkedPage(page, "shared"));
    assertClean(page);
  });
});

describe("a worker dies", () => {
  test("a panicking thread ends the run with a readable error and the page offers a restart", async () => {
    const page = await env.fresh();
    const r = await page.evaluate(() =>
      window.playground
        .run({ model: "threads", tasks: 4, delay: 100, threads: 2, fail: 1, failMode: "panic" })
        .then((r) => ({ crashed: r.crashed, error: r.error, finished: r.finished })),
    );
    assert.equal(r.crashed, true);
    assert.match(r.error, /worker thread stopped answering \(task 1 panicked\)/);
    assert.equal(r.finished, 3, "the other thread finished the other tasks");
    assert.equal(await page.isVisible("#crashed"), true);
    await Promise.all([page.waitForEvent("load"), page.click("#restart")]);
    const caps = await ready(page);
    assert.equal(caps.threads, true);
    assert.equal(await page.isVisible("#crashed"), false);
    assertClean(page);
  });
});

describe("an error in a worker", () => {
  test("an error thrown in a worker, or in a worker's worker, fails the test", async () => {
    const page = await env.fresh();
    await throwInWorkers(checkedPage(page, "shared"));
    await until(
      () => WORKER_ERRORS.every((m) => page.problems.some((p) => p.includes(m))),
      () => `both workers' errors among the page's problems: ${JSON.stringify(page.problems)}`,
    );
    assert.throws(() => assertClean(page), /thrown in a worker's worker on purpose/);
    await page.context().close();
  });
});

describe("zero noise", () => {
  test("a normal session logs no console errors or warnings, in the page or its workers", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const noise = [];
    const listen = (where) => (m) => {
      if (m.type() === "error" || m.type() === "warning")
        noise.push(`${where} ${m.type()}: ${m.text()}`);
    };
    page.on("console", listen("page"));
    page.on("worker", (w) => w.on("console", listen("worker")));
    page.on("pageerror", (e) => noise.push(`pageerror: ${e.message}`));
    await page.goto(`${env.server.url}?delay=20&tasks=3&threads=2`);
    await page.evaluate(() => window.playground.ready);
    for (const m of ["async", "threads", "sequential", "all", "processes"]) {
      const rows = await page.locator("#results tbody tr").count();
      await page.click(`button[data-model="${m}"]`);
      await page.waitForFunction(
        (n) =>
          document.querySelectorAll("#results tbody tr").length > n &&
          document.getElementById("stop").disabled,
        rows,
      );
    }
    await page.click("#sweep");
    await page.waitForSelector('#sweep-chart[data-state="done"]', { timeout: 120_000 });
    assert.deepEqual(noise, []);
    await context.close();
  });
});
