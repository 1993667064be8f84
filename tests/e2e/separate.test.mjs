// Issue #28, threads with separate memory, in Chromium: on a page that is not cross-origin
// isolated (the plain build, as a Firefox or Safari embed on a documentation site has it), the
// threads model runs on Web Workers with a wasm instance each. The same checks run in Firefox ESR
// and WebKitGTK in engines.test.mjs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { apiRun, assertClean, launch, open, ready, startServer } from "./harness.mjs";
import {
  assertSeparate,
  cpuTry,
  floorTry,
  measureFloor,
  separateRuns,
} from "./separate-checks.mjs";

let browser, plain, root;
before(async () => {
  [browser, plain, root] = await Promise.all([
    launch(),
    startServer({ isolation: false }),
    // The project's root, for the bare page under the CPU speedup (bench/cpu-floor/).
    startServer({ root: ".", isolation: false }),
  ]);
});
after(async () => {
  await browser?.close();
  plain?.close();
  root?.close();
});

describe("threads with separate memory (a page without cross-origin isolation)", () => {
  test("blocked threads wait in rounds, CPU work runs in parallel, all gives three rows, Stop", async () => {
    const page = await open(browser, plain.url);
    const caps = await ready(page);
    assert.equal(caps.crossOriginIsolated, false);
    assert.deepEqual([caps.threads, caps.memory, caps.poolSize], [true, "separate", 0]);
    assert.equal(await page.isDisabled('button[data-model="threads"]'), false);
    const r = await page.evaluate(`(${separateRuns})(window.playground)`);
    await measureFloor(r, {
      async floor() {
        const bare = await open(browser, `${root.url}bench/cpu-floor/`);
        const ratio = await bare.evaluate(floorTry);
        assertClean(bare);
        await bare.context().close();
        return ratio;
      },
      cpuTry: () => page.evaluate(`(${cpuTry})(window.playground)`),
    });
    assertSeparate("chromium", r);
    assertClean(page);
  });

  test("up to 100 threads in Chromium, where each wasm instance takes address space; 101 refused, saying why", async () => {
    const page = await open(browser, plain.url);
    const caps = await ready(page);
    assert.equal(caps.maxThreads, 100);
    const run = await apiRun(page, { model: "threads", tasks: 100, delay: 300, threads: 100 });
    assert.equal(run.error, null, "100 threads of separate memory start and run");
    assert.equal(run.finished, 100);
    assert.equal(run.lanesUsed.length, 100, "one lane per thread");
    const refused = await page.evaluate(() =>
      window.playground.run({ model: "threads", tasks: 101, delay: 300, threads: 101 }).then(
        () => null,
        (e) => ({ field: e.field, message: e.message }),
      ),
    );
    assert.equal(refused?.field, "threads");
    assert.match(refused.message, /its own wasm instance, and 100 is the most this browser holds/);
    assertClean(page);
  });

  test("a thread per task past the pool", async () => {
    const page = await open(browser, plain.url);
    await ready(page);
    const own = await apiRun(page, { model: "threads", tasks: 20, delay: 300, threads: 20 });
    console.log(
      `chromium separate: 20 threads x 300 ms ${own.elapsedMs.toFixed(0)} ms, ` +
        `${own.threadsStarted} started in the run in ${own.threadsStartMs.toFixed(0)} ms`,
    );
    assert.equal(own.finished, 20);
    assert.equal(own.lanesUsed.length, 20, "one lane per thread");
    assert.equal(own.threadsStarted, 4, "16 kept before the clock, 4 started in the run");
    assert.ok(own.elapsedMs < 300 + own.threadsStartMs + 500, `elapsed ${own.elapsedMs}`);
    assert.ok(
      own.notes.some((n) => /^Starting 4 threads took/.test(n)),
      JSON.stringify(own.notes),
    );
    // Run again, the 20 threads are kept: none is started.
    const again = await apiRun(page, { model: "threads", tasks: 20, delay: 300, threads: 20 });
    assert.equal(again.threadsStarted, 0);
    assert.ok(again.elapsedMs < 300 + 500, `elapsed ${again.elapsedMs}`);
    // The code panel shows the runner that ran.
    const code = await page.evaluate(async () =>
      window.playground.rustCode("threads", "sleep", false, "wheel", { memory: "separate" }),
    );
    assert.deepEqual(
      code.map((s) => s.name),
      ["threads-separate"],
    );
    assert.match(code[0].code, /= task_message\(&p, id, iterations, url, false\);/);
    // With the GIL, also the thread's side of the lock handed over by messages.
    const gil = await page.evaluate(async () =>
      window.playground.rustCode("threads", "cpu", false, "wheel", {
        memory: "separate",
        gil: true,
      }),
    );
    assert.deepEqual(
      gil.map((s) => s.name),
      ["threads-separate", "threads-separate-gil"],
    );
    assert.match(gil[1].code, /drop_at = self\.take\(true\)\.await;/);

    assertClean(page);
  });

  test("what needs shared memory is refused up front, naming the reason and the full page", async () => {
    const page = await open(browser, plain.url);
    await ready(page);
    const refused = await page.evaluate(async () => {
      const pg = window.playground;
      const why = (o) =>
        pg.run(o).then(
          () => null,
          (e) => [e.field, e.message],
        );
      return [
        await why({ model: "threads", workload: "counter", tasks: 2, threads: 2 }),
        await why({ model: "all", workload: "deadlock", tasks: 2, threads: 2 }),
        await why({ model: "threads", workload: "convoy", tasks: 2, threads: 2 }),
      ];
    });
    for (const [field, message] of refused) {
      assert.equal(field, "workload");
      assert.match(message, /memory of their own: this page is not cross-origin isolated/);
      assert.match(message, /The full page \("Open in the playground"\)/);
    }
    assert.deepEqual(
      refused.map(([f]) => f),
      ["workload", "workload", "workload"],
    );
    assertClean(page);
  });
});
