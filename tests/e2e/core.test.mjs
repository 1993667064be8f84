// The playground's core in the built page, end to end (headless Chromium): load and the worker
// pool's start, async, threads and sequential runs from their buttons and their timelines,
// progress while a run is under way, a page that keeps painting, URL parameters and autorun,
// bad input refused next to its field, and the plain build where the page is not isolated.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  assertClean,
  launch,
  mainThreadTasks,
  open,
  ready,
  runFromUi,
  startServer,
} from "./harness.mjs";

let browser, isolated, plain, source;
before(async () => {
  [browser, isolated, plain, source] = await Promise.all([
    launch(),
    startServer(),
    startServer({ isolation: false }),
    // The source modules one by one (dist/ has them bundled), for the test of format.js.
    startServer({ root: "www" }),
  ]);
});
after(async () => {
  await browser?.close();
  isolated?.close();
  plain?.close();
  source?.close();
});

/** Pixels of bar colour drawn on the timeline canvases (proves bars were drawn, not just a frame). */
async function barPixels(page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("figure.timeline")].every((f) => f.dataset.drawn),
  );
  return page.$$eval("figure.timeline canvas", (canvases) =>
    canvases.map((c) => {
      const bar = getComputedStyle(c).getPropertyValue("--bar-0").trim();
      const probe = document.createElement("canvas").getContext("2d");
      probe.fillStyle = bar;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
      }
      return n;
    }),
  );
}

describe("cross-origin isolated page", () => {
  test("loads, starts the pool once before any run, and says how long it took", async () => {
    const page = await open(browser, isolated.url);
    const caps = await ready(page);
    assert.equal(caps.threads, true);
    assert.equal(caps.crossOriginIsolated, true);
    assert.ok(caps.hardwareConcurrency >= 1);
    assert.ok(caps.poolSize >= 16, `pool ${caps.poolSize}`);
    assert.ok(caps.poolStartMs > 0);
    assert.equal(caps.reason, null);
    assert.match(await page.textContent("#caps"), /pool of \d+ threads started in [\d,.]+ ms/);
    // The default threads field is one per core.
    assert.equal(await page.inputValue("#threads"), String(caps.hardwareConcurrency));
    // The threaded module really has shared memory (TOOLCHAIN-FACTS: the linker trap).
    const shared = await page.evaluate(async () => {
      const glue = await (await fetch("pkg/mt/playground.js")).text();
      return /shared:\s*true/.test(glue);
    });
    assert.ok(shared, "the mt glue creates a shared memory");
    assertClean(page);
  });

  test("the embed's full view starts no pool until a threads run, and says so until then", async () => {
    const page = await open(browser, `${isolated.url}?embed=1&view=full&tasks=2&delay=50`);
    const caps = await ready(page);
    assert.equal(caps.threads, true, caps.reason);
    // The caps line is written in the same callback that sees `ready`: wait for it, not a time.
    const capsLine = (what, test) =>
      page.waitForFunction(test, null, { timeout: 30_000 }).catch(async (e) => {
        const now = await page.textContent("#caps");
        throw new Error(`waiting for the caps line to ${what}; it says "${now}" (${e.message})`);
      });
    await capsLine(
      "leave its loading text",
      () => !/Loading/.test(document.getElementById("caps").textContent),
    );
    assert.match(await page.textContent("#caps"), /starts with the first threads run/);
    assert.equal(
      await page.evaluate(() => window.playground.stats().workers),
      0,
      "no pool thread before a threads run",
    );
    const [row] = await runFromUi(page, "threads", { tasks: 2, delay: 50, threads: 2 });
    assert.equal(row.model, "threads");
    await capsLine("say how long the pool took", () =>
      /started in/.test(document.getElementById("caps").textContent),
    );
    assert.match(await page.textContent("#caps"), /pool of \d+ threads started in [\d,.]+ ms/);
    assertClean(page);
  });

  test("numbers on the page are written as Intl.NumberFormat writes them (www/format.js)", async () => {
    const page = await open(browser, source.url);
    const { mismatches, checked, underscored } = await page.evaluate(async () => {
      const { number } = await import(new URL("format.js", location.href).href);
      const intl = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
      const values = [0, -0, 0.04, -0.04, 0.05, 0.15, 0.25, 1.05, 2.25, 9.95, 99.95, 999.95];
      values.push(
        1234.5,
        1e6,
        12345678.9,
        -1234.56,
        0.1 + 0.2,
        2 ** 53,
        1e21,
        1.5e22,
        1.234567e25,
        5e-7,
      );
      values.push(NaN, Infinity, -Infinity);
      // Random magnitudes from 1e-3 to 1e12, half of them on a tenth's midpoint.
      let seed = 20261127;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < 5000; i++) {
        const x = 10 ** (random() * 15 - 3) * (random() < 0.1 ? -1 : 1);
        values.push(i % 2 ? x : Math.floor(x * 10) / 10 + 0.05);
      }
      const bad = values
        .filter((x) => number(x) !== intl.format(x))
        .map((x) => `${x}: ${number(x)} vs ${intl.format(x)}`);
      return {
        mismatches: bad.slice(0, 10),
        checked: values.length,
        underscored: number(1234567, "_"),
      };
    });
    assert.deepEqual(mismatches, [], `of ${checked} values`);
    assert.equal(underscored, "1_234_567");
    assertClean(page);
  });

  test("the Compare with Python panel fetches its figures on first use and shows every row", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    const fetched = () =>
      page.evaluate(() =>
        performance
          .getEntriesByType("resource")
          .some((e) => e.name.endsWith("/bench-results.json")),
      );
    // By now (engine and pool up) a fetch at load would long have ended.
    assert.equal(await fetched(), false, "bench-results.json fetched before the panel was near");
    const published = JSON.parse(await readFile("dist/bench-results.json", "utf8"));
    await page.locator("#compare-section").scrollIntoViewIfNeeded();
    await page
      .waitForFunction(
        (n) => document.querySelectorAll("#compare tr[data-id]").length === n,
        published.rows.length,
        { timeout: 10_000 },
      )
      .catch(() => {
        throw new Error(`waited 10 s for the panel's ${published.rows.length} rows`);
      });
    assert.equal(await fetched(), true);
    const rows = await page.$$eval("#compare tr[data-id]", (trs) =>
      trs.map((tr) => ({
        id: tr.dataset.id,
        cells: [...tr.querySelectorAll("td")].map((td) => td.textContent),
      })),
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.cells[0]]),
      published.rows.map((r) => [r.id, r.scenario]),
    );
    // The rows of the ten-million-task and thread-per-task targets, as measured.
    const tenMillion = rows.find((r) => r.id === "async-10000000-wheel");
    assert.ok(tenMillion, "the 10,000,000-task row");
    assert.match(tenMillion.cells[2], /N=1,000,000/, "CPython's figure is its 1,000,000 one");
    assert.ok(
      rows.some((r) => r.id === "per-task-1000-started"),
      "a thread per task, 1,000",
    );
    assert.match(
      await page.textContent("#compare-intro"),
      /^Measured by \.\/build\.sh bench on \d{4}-\d{2}-\d{2}: /,
    );
    assertClean(page);
    await page.context().close();
  });

  test("async: 3 tasks of 1000 ms overlap and take about 1 s, with a timeline", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    const [row] = await runFromUi(page, "async", { tasks: 3, delay: 1000 });
    assert.equal(row.model, "async");
    assert.equal(row.tasks, "3");
    assert.equal(row.delay, "1000");
    assert.ok(row.elapsedMs >= 999 && row.elapsedMs < 1500, `elapsed ${row.elapsedMs}`);
    const fig = page.locator("figure.timeline");
    assert.equal(await fig.getAttribute("data-spans"), "3");
    assert.equal(await fig.getAttribute("data-lanes"), "1");
    assert.match(await fig.locator("figcaption").textContent(), /event loop/);
    const [pixels] = await barPixels(page);
    assert.ok(pixels > 200, `bar pixels ${pixels}`);
    assertClean(page);
  });

  test("threads: one thread per task takes one delay; T threads take ceil(N/T) delays", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    const [a] = await runFromUi(page, "threads", { tasks: 3, delay: 1000, threads: 3 });
    assert.equal(a.threads, "3");
    assert.ok(a.elapsedMs >= 999 && a.elapsedMs < 1500, `elapsed ${a.elapsedMs}`);
    assert.equal(await page.locator("figure.timeline").getAttribute("data-lanes"), "3");

    const r = await page.evaluate(() =>
      window.playground.run({ model: "threads", tasks: 5, delay: 200, threads: 2 }),
    );
    // ceil(5 / 2) = 3 delays.
    assert.ok(r.elapsedMs >= 599 && r.elapsedMs < 1000, `elapsed ${r.elapsedMs}`);
    assert.equal(r.idealMs, 600);
    const lanes = new Set(r.spans.map((s) => s.lane));
    assert.equal(lanes.size, 2);
    assert.ok(!lanes.has(0), "thread tasks never run on the event loop lane");
    // No two tasks of one lane overlap: a thread runs one task at a time.
    for (const lane of lanes) {
      const mine = r.spans.filter((s) => s.lane === lane).sort((x, y) => x.startMs - y.startMs);
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].startMs >= mine[i - 1].endMs);
    }
    assertClean(page);
  });

  test("sequential: N tasks take N delays, one after another", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    const [row] = await runFromUi(page, "sequential", { tasks: 3, delay: 300 });
    assert.ok(row.elapsedMs >= 899 && row.elapsedMs < 1400, `elapsed ${row.elapsedMs}`);
    const r = await page.evaluate(() =>
      window.playground.run({ model: "sequential", tasks: 4, delay: 50 }),
    );
    const s = r.spans.sort((x, y) => x.startMs - y.startMs);
    for (let i = 1; i < s.length; i++) assert.ok(s[i].startMs >= s[i - 1].endMs);
    assert.equal(r.threads, 1);
    assert.equal(r.peakInFlight, 1);
    assertClean(page);
  });

  test("run all three adds three rows and three timelines on one axis", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    const rows = await runFromUi(page, "all", { tasks: 3, delay: 200, threads: 3 });
    assert.deepEqual(rows.map((r) => r.model).sort(), ["async", "sequential", "threads"]);
    const seq = rows.find((r) => r.model === "sequential");
    const asy = rows.find((r) => r.model === "async");
    // The behaviour, not a ratio of two timings that a busy machine skews: sequential waits its
    // three delays one after another, async's overlap keeps it well under two.
    assert.ok(seq.elapsedMs > 2.5 * 200, `sequential took ${seq.elapsedMs} ms for 3 × 200 ms`);
    assert.ok(
      asy.elapsedMs < 2 * 200,
      `async took ${asy.elapsedMs} ms for 3 tasks of 200 ms at once`,
    );
    assert.equal(await page.locator("figure.timeline").count(), 3);
    const pixels = await barPixels(page);
    assert.ok(
      pixels.every((n) => n > 20),
      `bar pixels ${pixels}`,
    );
    assertClean(page);
  });

  test("earlier results stay listed", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    await runFromUi(page, "async", { tasks: 2, delay: 10 });
    await runFromUi(page, "sequential", { tasks: 2, delay: 10 });
    const models = await page.$$eval("#results tbody tr", (r) => r.map((tr) => tr.dataset.model));
    assert.deepEqual(models, ["sequential", "async"]);
    assertClean(page);
  });

  test("progress and a ticking elapsed time show while a run is under way", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    await page.fill("#tasks", "4");
    await page.fill("#delay", "400");
    await page.fill("#threads", "1");
    await page.click('button[data-model="threads"]');
    await page.waitForFunction(() =>
      /^1 \/ 4 tasks done/.test(document.querySelector("#progress-text").textContent),
    );
    const t1 = await page.textContent("#progress-text");
    await page.waitForFunction(() =>
      /^2 \/ 4 tasks done/.test(document.querySelector("#progress-text").textContent),
    );
    const t2 = await page.textContent("#progress-text");
    const secs = (t) => Number(t.match(/([\d.]+) s$/)[1]);
    assert.ok(secs(t2) > secs(t1), `${t1} then ${t2}`);
    assert.equal(await page.isVisible("#status"), true);
    await page.waitForSelector("#results tbody tr");
    assert.equal(await page.isVisible("#status"), false);
    assertClean(page);
  });

  test("the page keeps painting during runs: no main-thread task over 50 ms of CPU", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    // Measured in CPU time, from Chromium's trace (see mainThreadTasks): the page's own work.
    const { result: frames, tasks } = await mainThreadTasks(browser, page, () =>
      page.evaluate(async () => {
        let frames = 0;
        let on = true;
        const frame = () => {
          frames++;
          if (on) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
        await window.playground.run({ model: "threads", tasks: 16, delay: 100, threads: 2 });
        await window.playground.run({ model: "async", tasks: 1000, delay: 300 });
        await window.playground.run({ model: "sequential", tasks: 5, delay: 50 });
        on = false;
        return frames;
      }),
    );
    assert.ok(tasks.length > 100, `the trace has the main thread's tasks: ${tasks.length}`);
    const longest = tasks.reduce((a, t) => (t.cpuMs > a.cpuMs ? t : a));
    assert.ok(
      longest.cpuMs <= 50,
      `longest main-thread task: ${longest.cpuMs} ms of CPU (${longest.wallMs} ms wall)`,
    );
    // Frames kept coming over the 0.8 s of runs (60 a second on an idle machine).
    assert.ok(frames >= 8, `${frames} frames were drawn during the runs`);
    assertClean(page);
  });

  test("URL parameters fill the form, autorun starts the run, and the URL follows the form", async () => {
    const page = await open(
      browser,
      `${isolated.url}?model=threads&tasks=4&delay=200&threads=2&autorun=1`,
    );
    await page.waitForSelector("#results tbody tr", { timeout: 20_000 });
    const row = await page.$eval("#results tbody tr", (tr) => ({ ...tr.dataset }));
    assert.deepEqual([row.model, row.tasks, row.delay, row.threads], ["threads", "4", "200", "2"]);
    assert.ok(Number(row.elapsedMs) >= 399 && Number(row.elapsedMs) < 800);
    await page.fill("#tasks", "7");
    const search = new URLSearchParams(await page.evaluate(() => location.search));
    assert.equal(search.get("tasks"), "7");
    assert.equal(search.get("model"), "threads");
    assert.equal(search.get("autorun"), null, "autorun is dropped so a reload does not rerun");
    assertClean(page);
  });
});

describe("bad input", () => {
  const cases = [
    ["tasks", "", /tasks must be a whole number from 1 to 10,000,000/],
    ["tasks", "0", /tasks must be a whole number from 1 to 10,000,000/],
    ["tasks", "2.5", /from 1 to 10,000,000/],
    ["tasks", "-4", /from 1 to 10,000,000/],
    ["tasks", "ten", /from 1 to 10,000,000/],
    ["tasks", "10000001", /from 1 to 10,000,000/],
    ["delay", "60001", /delay \(ms\) must be a whole number from 0 to 60,000/],
    ["delay", "1e3", /from 0 to 60,000/],
    ["threads", "0", /threads must be a whole number from 1 to 1,000/],
    [
      "threads",
      "1001",
      /threads must be a whole number from 1 to 1,000; got "1001"\. .*1,000 is the most this browser holds/,
    ],
  ];

  test("is refused next to its field with the allowed range, and nothing runs", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    for (const [field, value, message] of cases) {
      await page.fill("#tasks", "3");
      await page.fill("#delay", "10");
      await page.fill("#threads", "2");
      await page.fill(`#${field}`, value);
      const model = field === "threads" ? "threads" : "async";
      await page.click(`button[data-model="${model}"]`);
      await page.waitForFunction((f) => document.getElementById(`${f}-error`).textContent, field);
      assert.match(await page.textContent(`#${field}-error`), message, `${field}=${value}`);
      assert.equal(await page.getAttribute(`#${field}`, "aria-invalid"), "true");
    }
    // A run that would take hours is refused with the figure.
    await page.fill("#tasks", "1000");
    await page.fill("#delay", "60000");
    await page.click('button[data-model="sequential"]');
    await page.waitForFunction(() => document.getElementById("tasks-error").textContent);
    assert.match(await page.textContent("#tasks-error"), /at most 300,000 ms.*60,000,000 ms/);
    assert.equal(await page.locator("#results tbody tr").count(), 0, "nothing ran");
    assertClean(page);
  });

  test("run() rejects with an Error naming the field and the range", async () => {
    const page = await open(browser, isolated.url);
    await ready(page);
    const errors = await page.evaluate(async () => {
      const tries = [
        { model: "async", tasks: 0, delay: 10 },
        { model: "async", tasks: 3, delay: -1 },
        { model: "async", tasks: 3, delay: Infinity },
        { model: "threads", tasks: 3, delay: 10, threads: 1001 },
        { model: "fibers", tasks: 3, delay: 10 },
        { model: "async", tasks: "<img src=x onerror=alert(1)>", delay: 10 },
      ];
      const out = [];
      for (const t of tries) {
        try {
          await window.playground.run(t);
          out.push("resolved");
        } catch (e) {
          out.push({ message: e.message, field: e.field, isError: e instanceof Error });
        }
      }
      return out;
    });
    const fields = ["tasks", "delay", "delay", "threads", "model", "tasks"];
    errors.forEach((e, i) => {
      assert.equal(e.isError, true, JSON.stringify(e));
      assert.equal(e.field, fields[i]);
    });
    assert.match(errors[0].message, /from 1 to 10,000,000/);
    assert.match(errors[1].message, /from 0 to 60,000/);
    assert.match(
      errors[3].message,
      /from 1 to 1,000; got 1001\. .*1,000 is the most this browser holds/,
    );
    assert.match(errors[4].message, /async, threads, sequential, processes or all/);
    assert.equal(await page.locator("img").count(), 0, "no markup from input reaches the page");
    assertClean(page);
  });
});

describe("page without cross-origin isolation", () => {
  test("loads the plain build, runs every model, explains why threads have memory of their own", async () => {
    const page = await open(browser, plain.url);
    const requested = [];
    page.on("request", (r) => requested.push(new URL(r.url()).pathname));
    const caps = await ready(page);
    // Threads run on Web Workers with memory of their own (tests/e2e/separate.test.mjs).
    assert.deepEqual([caps.threads, caps.memory], [true, "separate"]);
    assert.equal(caps.crossOriginIsolated, false);
    assert.equal(caps.poolSize, 0);
    assert.match(caps.reason, /SharedArrayBuffer/);
    assert.match(caps.reason, /COOP and COEP/);
    assert.equal(await page.isVisible("#threads-off"), true);
    assert.match(await page.textContent("#threads-off"), /SharedArrayBuffer/);
    assert.equal(await page.isDisabled('button[data-model="threads"]'), false);
    const [a] = await runFromUi(page, "async", { tasks: 3, delay: 300 });
    assert.ok(a.elapsedMs >= 295 && a.elapsedMs < 800, `elapsed ${a.elapsedMs}`);
    const [s] = await runFromUi(page, "sequential", { tasks: 3, delay: 100 });
    assert.ok(s.elapsedMs >= 295 && s.elapsedMs < 800, `elapsed ${s.elapsedMs}`);
    const [t] = await runFromUi(page, "threads", { tasks: 4, delay: 200, threads: 2 });
    assert.ok(t.elapsedMs >= 395 && t.elapsedMs < 1000, `elapsed ${t.elapsedMs}`);
    assert.match(
      await page.textContent("#results tbody tr td.what"),
      /Web Workers with memory of their own/,
    );
    // "Run all" runs the three models.
    const all = await runFromUi(page, "all", { tasks: 2, delay: 50, rows: 3 });
    assert.deepEqual(all.map((r) => r.model).sort(), ["async", "sequential", "threads"]);
    assert.equal(await page.locator("#results tbody tr").count(), 6);
    assert.ok(!requested.some((p) => p.includes("/pkg/mt/")), "never loads the threaded build");
    const err = await page.evaluate(() =>
      window.playground
        .run({ model: "threads", tasks: 2, delay: 5, workload: "counter" })
        .catch((e) => e.message),
    );
    assert.match(err, /needs threads that share memory/);
    assertClean(page);
  });
});
