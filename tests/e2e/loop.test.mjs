// Inside the event loop (issue 30): each async task's busy, scheduled and idle time and polls in
// the record, asyncio's debug warnings in the printed output, the loop's ready queue and timers in
// the live view, and the task table, sortable by each column. The record's checks are shared with
// Firefox ESR and WebKitGTK (behaviour-checks.mjs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, checkedPage, launch, open, ready, startServer } from "./harness.mjs";
import { blockingCallAccounting, sampledPast10k } from "./behaviour-checks.mjs";

let browser, server;
before(async () => {
  [browser, server] = await Promise.all([launch(), startServer()]);
});
after(async () => {
  await browser?.close();
  server?.close();
});

describe("the event loop", () => {
  test("async 3 x 2000 ms: idle tasks, the live view's ready queue and timers, the table sorts", async () => {
    const page = await open(browser, server.url);
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
    const page = await open(browser, server.url);
    await ready(page);
    await blockingCallAccounting(checkedPage(page, "shared"));
    assertClean(page);
  });

  test("past 10,000 tasks: a sample, said in a note, and histograms instead of the table", async () => {
    const page = await open(browser, server.url);
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
