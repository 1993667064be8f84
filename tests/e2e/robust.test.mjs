// Robustness end to end: stop, one run at a time, hostile parameters (randomised, fixed seed), no
// leaks over 200 runs, hidden tabs, a worker that dies, and a session without console noise.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, chromiumSuite, open, ready } from "./harness.mjs";

const env = chromiumSuite();

describe("stop", () => {
  const models = [
    { model: "async", tasks: 1000, delay: 5000 },
    { model: "async", tasks: 1000, delay: 5000, timers: "per-task" },
    { model: "async", tasks: 3, delay: 5000, workload: "fetch" },
    { model: "threads", tasks: 8, delay: 5000, threads: 4 },
    { model: "threads", tasks: 8, delay: 2000, threads: 2, workload: "cpu" },
    { model: "sequential", tasks: 5, delay: 5000 },
    { model: "processes", tasks: 4, delay: 5000, threads: 2 },
  ];

  test("ends a run of every model within 100 ms, keeps what finished, and the next run is clean", async () => {
    const page = await env.fresh();
    for (const options of models) {
      const r = await page.evaluate(async (o) => {
        const running = window.playground.run(o);
        // Stop once a task has started (processes start up first): what is measured is how fast
        // a run under way ends.
        const waitFrom = performance.now();
        while (!(window.playground.progress()?.started >= 1)) {
          if (performance.now() - waitFrom > 30_000) {
            throw new Error(`${o.model}: no task started within 30 s of run()`);
          }
          await new Promise((res) => setTimeout(res, 5));
        }
        const asked = performance.now();
        await window.playground.stop();
        const stoppedIn = performance.now() - asked;
        const r = await running;
        const next = await window.playground.run({ ...o, tasks: 2, delay: 10 });
        return {
          stoppedIn,
          stopped: r.stopped,
          spans: r.spans.length,
          unfinished: r.spans.filter((s) => !(s.endMs >= s.startMs)).length,
          next: [next.stopped, next.finished],
        };
      }, options);
      const name = `${options.model}/${options.workload ?? "sleep"}/${options.timers ?? "wheel"}`;
      assert.equal(r.stopped, true, name);
      assert.ok(r.stoppedIn < 100, `${name}: stop took ${r.stoppedIn} ms`);
      assert.equal(r.unfinished, 0, `${name}: only finished spans are kept`);
      assert.deepEqual(r.next, [false, 2], `${name}: the next run starts clean`);
    }
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
    const r = await page.evaluate(async () => {
      const first = window.playground.run({ model: "async", tasks: 3, delay: 300 });
      const second = await window.playground
        .run({ model: "threads", tasks: 2, delay: 10, threads: 2 })
        .then(
          () => "ran",
          (e) => e.message,
        );
      const done = await first;
      return { second, model: done.model, tasks: done.spans.length };
    });
    assert.match(r.second, /already under way/);
    assert.deepEqual([r.model, r.tasks], ["async", 3]);
    assertClean(page);
  });
});

describe("hostile parameters", () => {
  // A small deterministic generator (mulberry32), so a failure can be replayed from the seed.
  function random(seed) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const VALUES = [
    "",
    "0",
    "1",
    "3",
    "-1",
    "1.5",
    "1e3",
    "1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "99999999999999999999",
    "1000001",
    "60001",
    " 7 ",
    "٣",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><b>bold</b>',
    "javascript:alert(1)",
    "%00",
    "a".repeat(500),
    "async",
    "threads",
    "sequential",
    "processes",
    "all",
    "cpu",
    "fetch",
    "sleep",
    "wheel",
    "per-task",
    "join_all",
    "try_join_all",
    "panic",
    "true",
    "false",
  ];
  /** The run options the random arguments are made of. */
  const OPTIONS = [
    "model",
    "tasks",
    "delay",
    "threads",
    "workload",
    "timers",
    "gil",
    "blocking",
    "fail",
    "failMode",
  ];
  /** URL parameter names: the options, the page's own, and names that mean nothing. */
  const NAMES = [...OPTIONS, "autorun", "embed", "unknown", "__proto__"];
  const SEED = 20261125;

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
    const outcomes = await page.evaluate(
      async ({ numbers, values, keys }) => {
        // The seeded sequence comes from the test (one generator, in Node); the page only reads it.
        let next = 0;
        const rnd = () => {
          if (next === numbers.length) throw new Error("the test needs more random numbers");
          return numbers[next++];
        };
        const pool = [
          ...values,
          0,
          1,
          2,
          3,
          -1,
          1.5,
          NaN,
          Infinity,
          -0,
          1e21,
          2 ** 53,
          null,
          undefined,
          true,
          false,
          {},
          [],
          [3],
          { valueOf: () => 3 },
          Symbol.for("x"),
        ];
        const pick = () => pool[Math.floor(rnd() * pool.length)];
        const valid = {
          model: ["async", "threads", "sequential", "processes", "all"],
          tasks: [1, 2, "3", 10],
          delay: [0, 1, "2"],
          threads: [1, 2, "2"],
          workload: ["sleep", "cpu", "fetch"],
          timers: ["wheel", "per-task"],
          gil: [0, 1, true, "0"],
          blocking: [false, 0],
          fail: [undefined, 0, "1"],
          failMode: ["join_all", "try_join_all"],
        };
        const out = [];
        for (let i = 0; i < 300; i++) {
          const o = {};
          // Mostly valid values with a few hostile ones mixed in, so both paths are exercised.
          for (const k of keys) {
            const r = rnd();
            if (r < 0.75) o[k] = valid[k][Math.floor(rnd() * valid[k].length)];
            else if (r < 0.85) o[k] = pick();
          }
          // Now and then an option that does not exist: always refused, naming it.
          if (rnd() < 0.1) o.extra = "ignored";
          // Keep what may run short, so the test checks parsing rather than waiting.
          if (typeof o.tasks === "number" && o.tasks > 50) o.tasks = 50;
          if (o.delay !== undefined) o.delay = rnd() < 0.5 ? o.delay : 1;
          if (o.model === "all" || o.model === "sequential") o.delay = 1;
          try {
            const verdict = await window.playground.check(o);
            if (o.extra !== undefined && !verdict.errors.some((e) => e.field === "extra")) {
              out.push("unknown option accepted");
            } else if (!verdict.ok) {
              await window.playground.run(o).then(
                () => out.push("check refused, run resolved"),
                (e) =>
                  out.push(
                    e instanceof Error && typeof e.field === "string"
                      ? "refused"
                      : `bad rejection ${e}`,
                  ),
              );
            } else {
              const r = await window.playground.run(o);
              const runs = r.model === "all" ? r.runs : [r];
              out.push(
                runs.every((x) => x.finished + x.failed + x.cancelled <= x.tasks)
                  ? "checked ok"
                  : "bad record",
              );
            }
          } catch (e) {
            out.push(`threw ${e}`);
          }
        }
        return out;
      },
      { numbers: Array.from({ length: 20_000 }, random(SEED)), values: VALUES, keys: OPTIONS },
    );
    const bad = outcomes.filter((o) => o !== "refused" && o !== "checked ok");
    assert.deepEqual(bad, []);
    assert.ok(outcomes.includes("refused"));
    console.log(
      `run(): ${outcomes.filter((o) => o === "refused").length} refused, ` +
        `${outcomes.filter((o) => o === "checked ok").length} accepted`,
    );
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
    const errs = await page.evaluate(async () => {
      const tries = [
        { model: "sequential", tasks: 1000, delay: 60000 },
        { model: "threads", tasks: 100000, delay: 1000, threads: 2 },
        { model: "async", tasks: 1000000, delay: 1000, timers: "per-task" },
        { model: "async", tasks: 2000, delay: 10, workload: "fetch" },
      ];
      const out = [];
      for (const t of tries)
        out.push(
          await window.playground.run(t).then(
            () => "ran",
            (e) => e.message,
          ),
        );
      return out;
    });
    assert.match(errs[0], /at most 300,000 ms.*60,000,000 ms/);
    assert.match(errs[1], /at most 300,000 ms.*50,000,000 ms/);
    assert.match(errs[2], /at most 100,000/);
    assert.match(errs[3], /at most 1,000/);
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
