// The contract between the engine and the page: one schema owned by Rust, from which the form,
// the URL and the API's checks come; unknown options refused; old names still accepted.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, chromiumSuite, open, ready } from "./harness.mjs";

const env = chromiumSuite();

describe("one schema", () => {
  test("lists every option, and the form shows exactly its fields with its labels and hints", async () => {
    const page = await env.fresh();
    const { options, form } = await page.evaluate(() => ({
      options: window.playground.schema.options,
      form: [...document.querySelectorAll("[data-option]")].map((f) => ({
        name: f.dataset.option,
        label: f.querySelector("label").textContent,
        hint: f.querySelector(".hint").textContent,
        control: f.querySelector("input, select").id,
        choices: [...f.querySelectorAll("option")].map((o) => o.value),
      })),
    }));
    const names = options.map((o) => o.name);
    for (const n of ["model", "tasks", "delay", "threads", "processes", "workload", "timers"]) {
      assert.ok(names.includes(n), `schema has ${n}`);
    }
    for (const o of options) {
      assert.ok(o.label && o.kind && "default" in o, `${o.name} is described`);
      if (o.kind === "whole") assert.equal(typeof o.min, "number", `${o.name} has a range`);
      if (o.kind === "choice") assert.ok(o.choices.length > 1, `${o.name} has choices`);
    }
    const fields = options.filter((o) => o.group !== "buttons");
    assert.deepEqual(
      form.map((f) => f.name),
      fields.map((o) => o.name),
      "the form shows the schema's fields, in its order",
    );
    for (const [i, o] of fields.entries()) {
      assert.equal(form[i].label, o.label);
      assert.equal(form[i].hint, o.hint);
      assert.equal(form[i].control, o.name, "the control's id is the option's name");
      if (o.kind === "choice")
        assert.deepEqual(
          form[i].choices,
          o.choices.map((c) => c.value),
        );
    }
    assert.match(
      fields.find((o) => o.name === "tasks").hint,
      /1 to 10,000,000, for async; 1,000,000 for the other models/,
    );
    assertClean(page);
  });

  test("a field the link sets behind More options opens it; the URL follows the form by the schema's names", async () => {
    const page = await env.fresh(`?workload=cpu&delayMs=40&tasks=2`);
    assert.equal(await page.$eval("#more-options", (d) => d.open), true);
    assert.equal(await page.inputValue("#workload"), "cpu");
    assert.equal(await page.inputValue("#delay"), "40", "an old alias in a link still works");
    await page.fill("#tasks", "4");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("tasks") === "4");
    const params = await page.evaluate(() =>
      Object.fromEntries(new URLSearchParams(location.search)),
    );
    assert.equal(params.delay, "40", "the URL now uses the current name");
    assert.equal(params.delayMs, undefined);
    const closed = await env.fresh();
    assert.equal(await closed.$eval("#more-options", (d) => d.open), false, "basics first");
    assertClean(page);
    assertClean(closed);
  });
});

describe("one check, one name", () => {
  test("unknown options are refused with the nearest name; error.field is the option's name", async () => {
    const page = await env.fresh();
    const out = await page.evaluate(async () => {
      const refusal = (o) =>
        window.playground.run(o).then(
          () => null,
          (e) => ({ message: e.message, field: e.field, fields: e.errors.map((x) => x.field) }),
        );
      return {
        typo: await refusal({ model: "async", tasks: 10, delay_ms: 200 }),
        // (`limit` became an option: asyncio.Semaphore. An unknown name is still refused.)
        limit: await refusal({ model: "async", tasks: 10, delay: 200, speed: 3 }),
        delay: await refusal({ model: "async", tasks: 3, delay: 99999 }),
        two: await refusal({ model: "threads", tasks: 0, delay: -1 }),
        check: await window.playground.check({ tasks: 3, taks: 4 }),
      };
    });
    assert.equal(out.typo.field, "delay_ms");
    assert.match(out.typo.message, /did you mean delay\?/);
    assert.equal(out.limit.field, "speed");
    assert.match(out.limit.message, /"speed" is not an option/);
    assert.equal(out.delay.field, "delay");
    assert.match(out.delay.message, /delay \(ms\) must be a whole number from 0 to 60,000/);
    assert.deepEqual(out.two.fields, ["tasks", "delay"]);
    assert.equal(out.check.ok, false);
    assert.match(out.check.errors[0].message, /did you mean tasks\?/);
    assertClean(page);
  });

  test("tasks: ten million for async on the wheel, refused beyond and for other models with the figure", async () => {
    const page = await env.fresh();
    const out = await page.evaluate(async () => {
      const pg = window.playground;
      const tenM = { tasks: 10_000_000, delay: 1000 };
      return {
        asyncTenM: await pg.check({ model: "async", ...tenM }),
        beyond: await pg.check({ model: "async", tasks: 10_000_001, delay: 1000 }),
        threads: await pg.check({ model: "sequential", tasks: 1_000_001, delay: 0 }),
        perTask: await pg.check({ model: "async", ...tenM, timers: "per-task" }),
        hint: pg.schema.options.find((o) => o.name === "tasks").max,
      };
    });
    assert.equal(out.asyncTenM.ok, true, JSON.stringify(out.asyncTenM.errors));
    assert.equal(out.hint, 10_000_000);
    assert.equal(out.beyond.errors[0].field, "tasks");
    assert.match(out.beyond.errors[0].message, /from 1 to 10,000,000/);
    assert.equal(out.threads.errors[0].field, "tasks");
    assert.match(
      out.threads.errors[0].message,
      /a sequential run takes at most 1,000,000 tasks; got 1,000,001\. Only async runs \(wheel executor\) take up to 10,000,000/,
    );
    assert.match(out.perTask.errors[0].message, /at most 100,000/);
    assertClean(page);
  });

  test("old option names still run, and the record uses the current names", async () => {
    const page = await env.fresh();
    const r = await page.evaluate(async () => {
      const r = await window.playground.run({ model: "async", tasks: 2, delayMs: 30 });
      return { delay: r.delay, delayMs: r.delayMs, model: r.model, spans: r.spans.length };
    });
    assert.deepEqual(r, { delay: 30, delayMs: undefined, model: "async", spans: 2 });
    assertClean(page);
  });

  test("a renamed record field still reads under its old name, in the page and in a copy", async () => {
    const page = await env.fresh();
    const r = await page.evaluate(async () => {
      const r = await window.playground.run({ model: "async", tasks: 4, delay: 30, limit: 2 });
      const copy = JSON.parse(JSON.stringify(r));
      return { now: r.idealInFlight, old: r.atOnce, copied: copy.atOnce, peak: r.peakInFlight };
    });
    assert.deepEqual(r, { now: 2, old: 2, copied: 2, peak: 2 }, "atOnce reads idealInFlight");
    assertClean(page);
  });

  test("the engine runs model all and returns one complete record per model", async () => {
    const page = await open(env.browser, env.server.url);
    const caps = await ready(page);
    const out = await page.evaluate(async () => {
      const seen = [];
      const on = (e) => seen.push(`${e.type}:${e.detail.model}`);
      for (const t of ["start", "end", "runstart", "runend"])
        window.playground.events.addEventListener(t, on);
      const r = await window.playground.run({ model: "all", tasks: 2, delay: 20 });
      return {
        seen,
        models: r.runs.map((x) => x.model),
        complete: r.runs.every(
          (x) =>
            x.spanStart instanceof Float64Array && Array.isArray(x.notes) && x.distorted === false,
        ),
        labels: r.runs.map((x) => x.lanes.map((l) => l.label).join(",")),
      };
    });
    const models = caps.threads ? ["async", "threads", "sequential"] : ["async", "sequential"];
    assert.deepEqual(out.models, models);
    assert.ok(out.complete);
    assert.equal(out.seen[0], "start:all");
    assert.equal(out.seen.at(-1), "end:all");
    assert.equal(out.seen.filter((s) => s.startsWith("runend")).length, models.length);
    assert.equal(out.labels[0], "event loop");
    if (caps.threads) assert.match(out.labels[1], /^thread \d+/);
    assertClean(page);
  });
});

describe("usable before the worker pool", () => {
  test("ready resolves before the pool starts; a threads run asked for meanwhile waits for it, outside its elapsed time", async () => {
    const page = await open(env.browser, null);
    // The capabilities as they are when ready resolves, read by the page then: the pool starts
    // right after, and on a busy machine this test's own evaluate may come once it has started.
    await page.addInitScript(() => {
      let value;
      Object.defineProperty(window, "playground", {
        configurable: true,
        get: () => value,
        set(v) {
          value = v;
          v.ready.then(
            (c) => (window.atReady = { threads: c.threads, poolStartMs: c.poolStartMs }),
          );
        },
      });
    });
    await page.goto(env.server.url);
    const out = await page.evaluate(async () => {
      await window.playground.ready;
      const { atReady } = window;
      const asyncRun = await window.playground.run({ model: "async", tasks: 2, delay: 10 });
      const threadsRun = await window.playground.run({
        model: "threads",
        tasks: 2,
        delay: 50,
        threads: 2,
      });
      return {
        atReady,
        asyncWait: asyncRun.poolWaitMs,
        wait: threadsRun.poolWaitMs,
        elapsed: threadsRun.elapsedMs,
        startMs: await window.playground.threadsReady,
        workers: window.playground.stats().workers,
      };
    });
    assert.deepEqual(out.atReady, { threads: true, poolStartMs: null });
    assert.equal(out.asyncWait, undefined, "async runs do not wait for the pool");
    assert.equal(typeof out.wait, "number");
    assert.ok(out.wait >= 0);
    assert.ok(out.elapsed < 50 + 1000, `the wait is not in elapsed: ${out.elapsed} ms`);
    assert.ok(out.startMs > 0);
    assert.ok(out.workers >= 16);
    assertClean(page);
  });

  test("an embed starts no worker until a run needs threads", async () => {
    const page = await open(env.browser, `${env.server.url}?embed=1`);
    const out = await page.evaluate(async () => {
      await window.playground.ready;
      await window.playground.run({ model: "async", tasks: 2, delay: 10 });
      const idle = window.playground.stats().workers;
      await window.playground.run({ model: "threads", tasks: 2, delay: 10, threads: 2 });
      return { idle, after: window.playground.stats().workers };
    });
    assert.equal(out.idle, 0, "no pool before a threads run");
    assert.ok(out.after >= 2);
    assertClean(page);
  });
});
