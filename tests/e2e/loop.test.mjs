// Inside the event loop (issue 30): each async task's busy, scheduled and idle time and polls in
// the record, asyncio's debug warnings in the printed output, the loop's ready queue and timers in
// the live view, and the task table, sortable by each column; and the same split for threads and
// the sequential loop, whose tasks are busy or blocked (idle), with no polls. The record's checks
// are shared with Firefox ESR and WebKitGTK (behaviour-checks.mjs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, checkedPage, chromiumSuite, open, ready } from "./harness.mjs";
import { blockingCallAccounting, sampledPast10k } from "./behaviour-checks.mjs";

const env = chromiumSuite();

describe("the event loop", () => {
  test("async 3 x 2000 ms: idle tasks, the live view's ready queue and timers, the table sorts", async () => {
    const page = await open(env.browser, env.server.url);
    await ready(page);
    const { mid, record } = await page.evaluate(async () => {
      const pg = window.playground;
      // Long enough that the look at 300 ms comes well inside the run, even when a loaded
      // machine delays the frames it waits for.
      const done = pg.run({ model: "async", tasks: 3, delay: 2000 });
      let p;
      while (!(p = pg.progress()) || p.elapsedMs < 300) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(r));
      const live = document.getElementById("live");
      const mid = {
        line: document.getElementById("live-loop").textContent,
        hidden: document.getElementById("live-loop").hidden,
        ready: live.dataset.ready,
        snapshot: pg.live()?.ready,
      };
      const r = await done;
      const pick = (k) => Array.from(r[k]);
      return {
        mid,
        record: {
          busyMs: pick("busyMs"),
          scheduledMs: pick("scheduledMs"),
          idleMs: pick("idleMs"),
          polls: pick("polls"),
          accountedEvery: r.accountedEvery,
          timerLateMs: r.timerLateMs,
          turns: r.loopTurnStart.length,
          ready: pick("loopTurnReady"),
        },
      };
    });
    assert.equal(mid.hidden, false);
    // Halfway through, every task awaits its timer, and none has fired yet.
    assert.equal(
      mid.line,
      "Event loop: no task ready to run (every task waits for a wake-up) at its last turn.",
    );
    assert.equal(mid.ready, "0");
    assert.equal(mid.snapshot, 0);
    assert.equal(record.accountedEvery, 1);
    assert.deepEqual(record.polls, [2, 2, 2]);
    for (let k = 0; k < 3; k++) {
      assert.ok(record.busyMs[k] < 5, `busy ${record.busyMs}`);
      assert.ok(Math.abs(record.idleMs[k] - 2000) < 60, `idle ${record.idleMs}`);
    }
    assert.ok(
      record.timerLateMs.max >= record.timerLateMs.median,
      JSON.stringify(record.timerLateMs),
    );
    assert.ok(record.turns >= 2 && record.ready.at(-1) === 0, JSON.stringify(record));

    // The timeline draws the loop's turns and ready queue in a strip of their own.
    const timeline = page.locator("#timelines figure.timeline").first();
    await page.waitForSelector('#timelines figure.timeline[data-drawn="true"]');
    assert.equal(Number(await timeline.getAttribute("data-turns")), record.turns);
    // The table: one row per task, built when opened; a column's button sorts by it.
    const table = page.locator("#timelines figure.timeline .task-table").first();
    await table.locator("summary").click();
    // The rows are built when the table opens (its toggle event comes after the click).
    await table.locator("tbody tr").nth(2).waitFor({ timeout: 10_000 });
    assert.equal(await table.locator("tbody tr").count(), 3);
    await table.locator('button[data-sort="idleMs"]').click();
    assert.equal(await table.locator('th[aria-sort="descending"] button').textContent(), "idle ms");
    const idle = (await table.locator("tbody tr td:nth-child(4)").allTextContents()).map((t) =>
      Number(t.replaceAll(",", "")),
    );
    assert.deepEqual(
      idle,
      idle.toSorted((a, b) => b - a),
    );
    await table.locator('button[data-sort="idleMs"]').click();
    assert.equal(await table.locator('th[aria-sort="ascending"] button').textContent(), "idle ms");
    assertClean(page);
  });

  test("a blocking call: each task busy for its delay, asyncio's warning for each", async () => {
    const page = await open(env.browser, env.server.url);
    await ready(page);
    await blockingCallAccounting(checkedPage(page, "shared"));
    assertClean(page);
  });

  test("past 10,000 tasks: a sample, said in a note, and histograms instead of the table", async () => {
    const page = await open(env.browser, env.server.url);
    await ready(page);
    await sampledPast10k(checkedPage(page, "shared"));
    await page.waitForSelector('#timelines figure.timeline[data-drawn="true"]');
    const details = page.locator("#timelines figure.timeline .task-table").first();
    await details.locator("summary").click();
    await page.waitForSelector("#timelines .task-table[data-histograms='3']");
    assert.equal(await details.locator("table").count(), 0);
    assertClean(page);
  });
});

/**
 * Runs `options` on `page`; each task's span and its busy, scheduled and idle ms (in span order),
 * its polls, and the record's notes.
 */
function split(page, options) {
  return page.evaluate(async (o) => {
    const r = await window.playground.run(o);
    const pick = (k) => Array.from(r[k]);
    return {
      elapsedMs: r.elapsedMs,
      accountedEvery: r.accountedEvery,
      start: pick("spanStart"),
      end: pick("spanEnd"),
      busyMs: pick("busyMs"),
      scheduledMs: pick("scheduledMs"),
      idleMs: pick("idleMs"),
      polls: pick("polls"),
      notes: r.notes,
      taskTimesNote: r.taskTimesNote,
    };
  }, options);
}

/** What holds for every task of `r`: one row per task, no polls, and busy + scheduled + idle its
 * life, scheduled until it began, and idle within its span. */
function assertLives(r, tasks) {
  const all = JSON.stringify(r);
  assert.equal(r.accountedEvery, 1, all);
  assert.equal(r.busyMs.length, tasks, all);
  assert.equal(r.polls.length, 0, all);
  for (let k = 0; k < tasks; k++) {
    const life = r.busyMs[k] + r.scheduledMs[k] + r.idleMs[k];
    assert.ok(Math.abs(life - r.end[k]) < 0.01, `task ${k}: life ${life}, end ${r.end[k]}: ${all}`);
    assert.ok(Math.abs(r.scheduledMs[k] - r.start[k]) < 0.01, `task ${k} scheduled: ${all}`);
    assert.ok(r.idleMs[k] >= 0 && r.idleMs[k] <= r.end[k] - r.start[k] + 0.01, all);
    assert.ok(r.busyMs[k] >= 0, all);
  }
}

describe("threads and the sequential loop: busy or blocked", () => {
  let page;
  before(async () => {
    page = await open(env.browser, env.server.url);
    await ready(page);
    await page.evaluate(() => window.playground.threadsReady);
  });
  after(() => page && assertClean(page));

  test("sleeping threads are idle for their sleep; a pool's queue is their scheduled time", async () => {
    const r = await split(page, { model: "threads", tasks: 4, threads: 2, delay: 300 });
    assertLives(r, 4);
    for (let k = 0; k < 4; k++) {
      // Asleep at least the delay; awake only to start, wake and end (generous on a busy machine).
      assert.ok(r.idleMs[k] >= 299, `idle ${r.idleMs}`);
      assert.ok(r.busyMs[k] < 100 && r.busyMs[k] < r.idleMs[k] / 3, `busy ${r.busyMs}`);
    }
    // Two threads, four tasks: the second round waited in the queue for a whole first task.
    const scheduled = r.scheduledMs.toSorted((a, b) => a - b);
    assert.ok(scheduled[2] >= 299 && scheduled[3] >= 299, `scheduled ${r.scheduledMs}`);
    assert.match(r.taskTimesNote, /^Threads have no polls: .* idle while it blocked \(asleep\) /);
    assert.ok(!r.notes.some((n) => n.includes("no polls")), r.notes.join(" | "));
  });

  test("a thread per task past the pool: each idle for its sleep, its thread's start scheduled", async () => {
    // 18 threads: more than the pool's 16, so the run starts threads of its own.
    const r = await split(page, { model: "threads", tasks: 18, threads: 18, delay: 300 });
    assertLives(r, 18);
    for (let k = 0; k < 18; k++) {
      assert.ok(r.idleMs[k] >= 299, `idle ${r.idleMs}`);
      assert.ok(r.busyMs[k] < r.idleMs[k] / 3, `busy ${r.busyMs}`);
    }
  });

  test("computing threads are busy for their whole span; with the GIL they also wait for it", async () => {
    const free = await split(page, {
      model: "threads",
      workload: "cpu",
      tasks: 2,
      threads: 2,
      delay: 200,
    });
    assertLives(free, 2);
    for (let k = 0; k < 2; k++) {
      assert.equal(free.idleMs[k], 0, `idle ${free.idleMs}`);
      assert.ok(free.busyMs[k] >= 150, `busy ${free.busyMs}`);
    }
    const gil = await split(page, {
      model: "threads",
      workload: "cpu",
      tasks: 2,
      threads: 2,
      delay: 200,
      gil: true,
    });
    assertLives(gil, 2);
    // One thread computes at a time: their busy times hardly overlap, so they add up to about
    // the run at most, and the rest of their spans they waited for the GIL.
    const busy = gil.busyMs[0] + gil.busyMs[1];
    assert.ok(busy <= gil.elapsedMs + 20, `busy ${gil.busyMs}, elapsed ${gil.elapsedMs}`);
    const spans = gil.end[0] - gil.start[0] + gil.end[1] - gil.start[1];
    assert.ok(spans - busy > 0.2 * gil.elapsedMs, `idle ${gil.idleMs}, elapsed ${gil.elapsedMs}`);
  });

  test("the sequential loop: scheduled until its turn, idle while it sleeps, busy while it computes", async () => {
    const sleep = await split(page, { model: "sequential", tasks: 3, delay: 200 });
    assertLives(sleep, 3);
    for (let k = 0; k < 3; k++) {
      assert.ok(sleep.idleMs[k] >= 199, `idle ${sleep.idleMs}`);
      assert.ok(sleep.busyMs[k] < sleep.idleMs[k] / 3, `busy ${sleep.busyMs}`);
    }
    assert.ok(sleep.scheduledMs[2] >= 398 && sleep.scheduledMs[1] >= 199, `${sleep.scheduledMs}`);
    assert.match(sleep.taskTimesNote, /^The sequential loop has no polls: .*\(asleep\)/);
    const cpu = await split(page, { model: "sequential", workload: "cpu", tasks: 2, delay: 150 });
    assertLives(cpu, 2);
    for (let k = 0; k < 2; k++) {
      assert.equal(cpu.idleMs[k], 0, `idle ${cpu.idleMs}`);
      assert.ok(cpu.busyMs[k] >= 100, `busy ${cpu.busyMs}`);
    }
    assert.ok(cpu.scheduledMs[1] >= cpu.busyMs[0], `${cpu.scheduledMs}`);
  });

  test("the task table of a threads run has no polls column", async () => {
    const r = await split(page, { model: "threads", tasks: 3, threads: 3, delay: 100 });
    await page.waitForSelector('#timelines figure.timeline[data-drawn="true"]');
    const table = page.locator("#timelines figure.timeline .task-table").first();
    assert.equal(await table.locator("summary").textContent(), "Tasks: busy, scheduled, idle");
    await table.locator("summary").click();
    // The engine's sentence on what the split means for threads, beside the table.
    assert.equal(await table.locator(".task-table-note").textContent(), r.taskTimesNote);
    await table.locator("tbody tr").nth(2).waitFor({ timeout: 10_000 });
    assert.deepEqual(await table.locator("thead th").allTextContents(), [
      "task",
      "busy ms",
      "scheduled ms",
      "idle ms",
    ]);
    await table.locator('button[data-sort="busyMs"]').click();
    assert.equal(await table.locator('th[aria-sort="descending"] button').textContent(), "busy ms");
  });
});
