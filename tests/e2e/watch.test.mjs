// Watching a run: the live figure while it runs, progress() with started/inFlight, the program's
// printed output, replay, the comparison table's demonstrations, and the live figure in view.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { assertClean, chromiumSuite, open, ready } from "./harness.mjs";

const env = chromiumSuite();
before(() => mkdir("target/screenshots", { recursive: true }));

/**
 * Starts `options` from the API and, once `atMs` of the run have passed (the engine's own
 * elapsed time), reads progress() and the live figure; then waits for the run's end.
 */
async function midRun(page, options, atMs) {
  return page.evaluate(
    async ({ options, atMs }) => {
      const pg = window.playground;
      const done = pg.run(options);
      let p;
      // Polled once a frame: the run's own clock says when the moment has come.
      while (!(p = pg.progress()) || p.elapsedMs < atMs) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      const live = document.getElementById("live");
      await new Promise((r) => requestAnimationFrame(r));
      const mid = {
        started: p.started,
        inFlight: p.inFlight,
        frames: Number(live.dataset.frames ?? 0),
        state: live.dataset.state,
        caption: document.getElementById("live-caption").textContent,
      };
      const record = await done;
      return {
        mid,
        output: record.output.map((l) => l.text),
        frames: Number(live.dataset.frames),
        elapsedMs: record.elapsedMs,
      };
    },
    { options, atMs },
  );
}

/**
 * The seed's closing line, `Elapsed: 1.00 seconds`: its format, and a figure no shorter than the
 * model's ideal and within generous bounds of it (the machine may be busy).
 */
function assertElapsed(line, idealS) {
  const m = /^Elapsed: (\d+\.\d\d) seconds$/.exec(line);
  assert.ok(m, `the seed's format: ${line}`);
  const s = Number(m[1]);
  assert.ok(s >= idealS && s < idealS * 1.75, line);
}

describe("live", () => {
  test("async 3 x 2000 ms: 3 in flight at 1 s, drawn live; the output is the seed's", async () => {
    const page = await env.fresh();
    const r = await midRun(page, { model: "async", tasks: 3, delay: 2000 }, 1000);
    assert.equal(r.mid.started, 3);
    assert.equal(r.mid.inFlight, 3);
    assert.equal(r.mid.state, "running");
    assert.match(r.mid.caption, /3 of 3 tasks started, 3 in flight/);
    assert.ok(
      r.frames > r.mid.frames && r.mid.frames > 0,
      "the live figure was redrawn during the run",
    );
    // About 20 redraws a second, not one per frame: at 60 a second the page's own drawing took
    // half a core from the worker threads of a CPU run (main.js, `frameMs`; runstart's `frameMs`
    // from src/live.rs). Redraws are at least 42 ms apart.
    const runMs = 1000 * Number(/Elapsed: ([\d.]+)/.exec(r.output.at(-1))?.[1]);
    assert.ok(r.frames <= Math.ceil(runMs / 42) + 2, `${r.frames} redraws in ${runMs} ms`);
    assert.deepEqual(r.output.slice(0, 6), [
      "Start fetching url1",
      "Start fetching url2",
      "Start fetching url3",
      "Done fetching url1",
      "Done fetching url2",
      "Done fetching url3",
    ]);
    assert.equal(r.output[6], "['Content of url1', 'Content of url2', 'Content of url3']");
    assertElapsed(r.output[7], 2);
    // The pane shows the record's output once the run ended.
    await page.waitForFunction(() => document.getElementById("console").childElementCount === 8);
    assertClean(page);
  });

  test("a run whose tasks compute is redrawn about 10 times a second, one that waits 20", async () => {
    const page = await env.fresh();
    const options = { model: "threads", tasks: 2, delay: 1500, threads: 2, workload: "cpu" };
    const r = await midRun(page, options, 700);
    assert.ok(r.mid.frames > 0 && r.frames > r.mid.frames, "drawn live during the run");
    // Redraws at least 92 ms apart (100 ms less half a frame's wait).
    assert.ok(
      r.frames <= Math.ceil(r.elapsedMs / 92) + 2,
      `${r.frames} redraws in ${r.elapsedMs} ms`,
    );
    const frameMs = await page.evaluate(async () => {
      const seen = [];
      const on = (e) => seen.push([e.detail.model, e.detail.frameMs]);
      window.playground.events.addEventListener("runstart", on);
      await window.playground.run({ model: "all", tasks: 2, delay: 100, workload: "cpu" });
      await window.playground.run({ model: "threads", tasks: 2, delay: 100, threads: 2 });
      window.playground.events.removeEventListener("runstart", on);
      return seen;
    });
    assert.deepEqual(frameMs, [
      ["async", 100],
      ["threads", 100],
      ["sequential", 100],
      ["threads", 50],
    ]);
    assertClean(page);
  });

  test("threads, 4 tasks on 2 threads: 2 in flight at 0.5 s; output of 3 x 1000 ms", async () => {
    const page = await env.fresh();
    const r = await midRun(page, { model: "threads", tasks: 4, delay: 1000, threads: 2 }, 500);
    assert.equal(r.mid.started, 2);
    assert.equal(r.mid.inFlight, 2);
    const three = await page.evaluate(async () => {
      const rec = await window.playground.run({
        model: "threads",
        tasks: 3,
        delay: 1000,
        threads: 3,
      });
      return rec.output.map((l) => l.text);
    });
    assert.equal(three.filter((l) => l.startsWith("Start fetching")).length, 3);
    assert.equal(three.filter((l) => l.startsWith("Done fetching")).length, 3);
    assert.equal(three[6], "['Content of url1', 'Content of url2', 'Content of url3']");
    assertElapsed(three[7], 1);
    assertClean(page);
  });

  test("sequential: 1 in flight, and the output alternates Start and Done", async () => {
    const page = await env.fresh();
    // Half way through the second task.
    const r = await midRun(page, { model: "sequential", tasks: 3, delay: 1000 }, 1500);
    assert.equal(r.mid.inFlight, 1);
    assert.equal(r.mid.started, 2);
    assert.deepEqual(r.output.slice(0, 6), [
      "Start fetching url1",
      "Done fetching url1",
      "Start fetching url2",
      "Done fetching url2",
      "Start fetching url3",
      "Done fetching url3",
    ]);
    assertClean(page);
  });

  test("processes: drawn live in their lanes", async () => {
    const page = await env.fresh();
    const r = await midRun(page, { model: "processes", tasks: 2, delay: 1500, processes: 2 }, 700);
    assert.equal(r.mid.inFlight, 2);
    assert.ok(r.frames > r.mid.frames);
    const lanes = await page.evaluate(() => document.getElementById("live-caption").textContent);
    assert.match(lanes, /2 of 2 tasks done/);
    assertClean(page);
  });

  test("a long run keeps the first and last 50 task lines and says how many were left out", async () => {
    const page = await env.fresh();
    const out = await page.evaluate(async () => {
      const r = await window.playground.run({ model: "async", tasks: 1000, delay: 50 });
      return r.output.map((l) => l.text);
    });
    assert.equal(out.length, 50 + 1 + 50 + 2);
    assert.equal(out[50], "... 1,900 lines left out ...");
    assert.match(out.at(-2), /^\['Content of url1', .*'Content of url5', \.\.\.\]$/);
    assertClean(page);
  });

  test("waits show as they happen: a thread waiting for the GIL, threads and tasks waiting for a lock", async () => {
    const page = await env.fresh();
    // Reads live() once a frame until `seen(snapshot)` holds (or the run ends); returns what held.
    const watch = (options, kind) =>
      page.evaluate(
        async ({ options, kind }) => {
          const pg = window.playground;
          let ended = false;
          const done = pg.run(options).finally(() => (ended = true));
          let found = null;
          while (!ended && !found) {
            const s = pg.live();
            for (let i = 0; s && i < s.waitLane.length; i++) {
              if (s.waitKind[i] === kind && Number.isNaN(s.waitEnd[i])) {
                found = { lane: s.waitLane[i], start: s.waitStart[i], at: s.elapsedMs };
              }
            }
            await new Promise((r) => requestAnimationFrame(r));
          }
          const record = await done;
          return { found, recorded: record.waitKind.filter((k) => k === kind).length };
        },
        { options, kind },
      );
    const gil = await watch(
      { model: "threads", tasks: 4, delay: 300, threads: 2, workload: "cpu", gil: true },
      0,
    );
    assert.ok(gil.found, "a wait for the GIL under way was seen live before the run ended");
    assert.ok(gil.found.lane >= 1 && gil.found.start <= gil.found.at, JSON.stringify(gil.found));
    assert.ok(gil.recorded > 0);
    const lock = await watch(
      { model: "threads", tasks: 2, delay: 200, threads: 2, workload: "deadlock" },
      1,
    );
    assert.ok(
      lock.found,
      "a wait for a lock under way was seen live before the deadlock was found",
    );
    assert.ok(lock.recorded > 0);
    // On the event loop: task 2 awaits lock A, held by task 0 while it sleeps, until the
    // deadlock between tasks 0 and 1 is found at 300 ms.
    const awaited = await watch(
      { model: "async", tasks: 3, delay: 300, workload: "deadlock", lockOrder: "opposite" },
      1,
    );
    assert.ok(awaited.found, "a task awaiting a lock was seen live before the deadlock was found");
    assert.equal(awaited.found.lane, 0, "in the event loop's lane");
    assert.ok(awaited.recorded > 0);
    assertClean(page);
  });
});

describe("on the page", () => {
  test("after Run at 1280 x 800 the live figure is in view, and replay plays the run back", async () => {
    const page = await env.fresh("", {
      viewport: { width: 1280, height: 800 },
    });
    await page.fill("#delay", "1500");
    await page.click('button[data-model="async"]');
    await page.waitForSelector("#live[data-state=running]");
    const box = await page.$eval("#live", (f) => {
      const b = f.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, scrollY };
    });
    assert.equal(box.scrollY, 0, "no scrolling at 1280 x 800");
    assert.ok(box.top >= 0 && box.bottom <= 800, `in view: ${JSON.stringify(box)}`);
    await page.waitForFunction(() => Number(document.getElementById("live").dataset.frames) > 5);
    await page.screenshot({ path: "target/screenshots/run-in-progress-1280.png" });
    await page.waitForSelector("#live[data-state=done]", { timeout: 30_000 });
    // Replay at 0.1x: the scrubber moves and the output is cut at the moment shown.
    await page.selectOption("#replay-speed", "0.1");
    await page.click("#replay-play");
    await page.waitForFunction(() => {
      const v = Number(document.getElementById("scrub").value);
      return v > 0 && v < 1500 && document.getElementById("console").childElementCount === 3;
    });
    assertClean(page);
  });

  test("a run that starts with most of the live figure in view leaves the page where it is", async () => {
    // At 1280 x 740 the figure's bottom is a few lines below the window while a run is under
    // way (the run's progress line above it): most of it is in view.
    const page = await env.fresh("", { viewport: { width: 1280, height: 740 } });
    const before = await page.evaluate(() => scrollY);
    const after = await page.evaluate(async () => {
      const done = window.playground.run({ model: "async", tasks: 2, delay: 300 });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const b = document.getElementById("live").getBoundingClientRect();
      await done;
      return { scrollY, top: b.top, bottom: b.bottom, innerHeight };
    });
    assert.equal(after.scrollY, before, `not scrolled: ${JSON.stringify(after)}`);
    assert.ok(
      after.bottom > after.innerHeight &&
        after.innerHeight - after.top > (after.bottom - after.top) / 2,
      `the case this test is for, most of the figure in view: ${JSON.stringify(after)}`,
    );
    assertClean(page);
  });

  test("on a phone, pressing Run brings the live figure into view", async () => {
    const page = await env.fresh("", { viewport: { width: 360, height: 740 } });
    await page.fill("#delay", "1500");
    await page.click('button[data-model="all"]');
    await page.waitForSelector("#live[data-state=running]");
    await page.waitForFunction(() => {
      const b = document.getElementById("live").getBoundingClientRect();
      return b.top < innerHeight && b.bottom > 0;
    });
    await page.waitForFunction(() => Number(document.getElementById("live").dataset.frames) > 5);
    await page.screenshot({ path: "target/screenshots/run-in-progress-360.png" });
    await page.click("#stop");
    await page.waitForSelector("#stop:disabled", { state: "attached" });
    assertClean(page);
  });

  test("the code panel shows the seed's own two programs for a sleep run", async () => {
    const page = await env.fresh();
    await page.fill("#delay", "200");
    await page.click('button[data-model="async"]');
    await page.waitForFunction(() =>
      document.getElementById("python-code").textContent.includes("async def fetch(url)"),
    );
    const py = await page.textContent("#python-code");
    assert.match(py, /urls = \["url1", "url2", "url3"\]/);
    assert.match(py, /await asyncio\.sleep\(0\.2\)/);
    assert.match(py, /results = await asyncio\.gather\(\*tasks\)/);
    await page.fill("#threads", "3");
    await page.click('button[data-model="threads"]');
    await page.waitForFunction(() =>
      document
        .getElementById("python-code")
        .textContent.includes("class FetchThread(threading.Thread)"),
    );
    assert.match(await page.textContent("#python-code"), /time\.sleep\(0\.2\)/);
    assertClean(page);
  });

  test("each row of the comparison table runs its demonstration and fills its measured cell", async () => {
    const page = await env.fresh("", {
      viewport: { width: 1280, height: 800 },
    });
    const keys = await page.$$eval("button[data-factor]", (bs) => bs.map((b) => b.dataset.factor));
    assert.deepEqual(keys, ["model", "best-for", "cpu", "overhead", "complexity", "errors"]);
    // The table comes right after the run controls and the live figure: no other panel first.
    const order = await page.evaluate(() =>
      [...document.querySelectorAll("main > section")].map((s) => s.id).filter(Boolean),
    );
    assert.ok(order.indexOf("comparison") <= order.indexOf("watch") + 1, order.join(","));
    for (const key of keys) {
      await page.click(`button[data-factor="${key}"]`);
      await page.waitForFunction(
        (k) => {
          const t = document.querySelector(`[data-measured="${k}"]`).textContent;
          return t !== "Running…" && t !== "—";
        },
        key,
        { timeout: 60_000 },
      );
      const text = await page.textContent(`[data-measured="${key}"]`);
      assert.match(text, /\d/, `${key}: ${text}`);
      assert.doesNotMatch(text, /Not run/, `${key}: ${text}`);
    }
    assertClean(page);
  });
});

describe("the embed's focused views", () => {
  test("view=run: the link's fields, its Run buttons, the live figure and output, one line; at most 480 px at 720 px wide, usable at 320", async () => {
    const url = `${env.server.url}?embed=1&view=run&model=all&tasks=3&delay=300`;
    const page = await open(env.browser, url, { viewport: { width: 720, height: 900 } });
    await ready(page);
    const shown = await page.evaluate(() => ({
      fields: [...document.querySelectorAll("[data-option]")]
        .filter((f) => f.offsetParent !== null)
        .map((f) => f.dataset.option),
      buttons: [...document.querySelectorAll("button[data-model]")]
        .filter((b) => b.offsetParent !== null)
        .map((b) => b.dataset.model),
      live: document.getElementById("live").offsetParent !== null,
      table: document.getElementById("comparison").offsetParent !== null,
      results: document.getElementById("results").offsetParent !== null,
    }));
    assert.deepEqual(shown.fields, ["tasks", "delay"]);
    assert.deepEqual(shown.buttons, ["async", "threads", "sequential"]);
    assert.equal(shown.live, true);
    assert.equal(shown.table, false);
    assert.equal(shown.results, false);
    await page.click('button[data-model="async"]');
    await page.waitForFunction(() =>
      /async: 3 of 3 tasks/.test(document.getElementById("result-line").textContent),
    );
    // The height the embed reports to its host is its document's.
    const height = await page.evaluate(() =>
      Math.ceil(document.documentElement.getBoundingClientRect().height),
    );
    assert.ok(height <= 480, `view=run is ${height} px tall at 720 px`);
    await page.setViewportSize({ width: 320, height: 700 });
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
    assert.equal(sideways, false, "no sideways scrolling at 320 px");
    await page.screenshot({ path: "target/screenshots/embed-view-run-320.png", fullPage: true });
    assertClean(page);
  });

  test("view=factor: one row of the table, whose Show me fills its measured cell", async () => {
    const page = await env.fresh(`?embed=1&view=factor&factor=errors`, {
      viewport: { width: 720, height: 900 },
    });
    const rows = await page.$$eval("tr[data-factor-row]", (trs) =>
      trs.filter((t) => t.offsetParent !== null).map((t) => t.dataset.factorRow),
    );
    assert.deepEqual(rows, ["errors"]);
    assert.equal(await page.isVisible("#setup"), false);
    await page.click('button[data-factor="errors"]');
    await page.waitForFunction(
      () => /Task 1 failed/.test(document.querySelector('[data-measured="errors"]').textContent),
      null,
      { timeout: 30_000 },
    );
    const height = await page.evaluate(() =>
      Math.ceil(document.documentElement.getBoundingClientRect().height),
    );
    assert.ok(height <= 480, `view=factor is ${height} px tall`);
    const bad = await env.fresh(`?embed=1&view=factor&factor=nope`);
    assert.match(await bad.textContent("#factor-unknown"), /"nope" is not one of model, best-for/);
    // A link that names a row but no view shows that row.
    const short = await env.fresh(`?embed=1&factor=errors`);
    assert.equal(await short.evaluate(() => document.documentElement.dataset.view), "factor");
    assert.equal(await short.isVisible("#setup"), false);
    assertClean(page);
    assertClean(bad);
    assertClean(short);
  });
});
