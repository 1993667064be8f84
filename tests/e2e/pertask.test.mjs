// A thread per task at Python's scale. A threads run with more threads than
// the pool starts threads of its own (one Web Worker each), inside its own time, and keeps them for
// later runs; beyond the most this browser holds the field is refused with the figure. Behaviour
// only: timings get generous bounds.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, chromiumSuite, open, ready } from "./harness.mjs";

const env = chromiumSuite();

/** Runs `options` through the API; resolves to what the test checks of the record. */
function runThreads(page, options) {
  return page.evaluate(async (opts) => {
    const r = await window.playground.run({ model: "threads", workload: "sleep", ...opts });
    return {
      finished: r.finished,
      threads: r.threads,
      crashed: r.crashed,
      errors: r.errors,
      elapsedMs: r.elapsedMs,
      lanes: new Set(r.spans.map((s) => s.lane)).size,
      laneLabels: r.lanes.map((l) => l.label),
      peakInFlight: r.peakInFlight,
      threadsStarted: r.threadsStarted,
      threadsStartMs: r.threadsStartMs,
      threadStartMs: r.threadStartMs,
      threadBytes: r.threadBytes,
      notes: r.notes,
      taskThreads: window.playground.stats().taskThreads,
    };
  }, options);
}

describe("a thread per task, past the pool", () => {
  test("256 tasks on 256 threads: 256 lanes, overlapping, with the start-up split out", async () => {
    // Each new thread runs its task as soon as it is up, as a started threading.Thread does, and
    // starting a Web Worker here takes tens of ms: tasks of 3 s overlap even while threads start.
    const page = await open(env.browser, env.server.url);
    const caps = await ready(page);
    assert.equal(caps.threads, true);
    assert.ok(caps.maxThreads >= 256, `maxThreads ${caps.maxThreads}`);
    assert.ok(caps.poolSize < 256, "the run needs more threads than the pool has");

    const delay = 3000;
    const r = await runThreads(page, { tasks: 256, delay, threads: 256 });
    assert.equal(r.crashed, false, JSON.stringify(r.errors));
    assert.equal(r.finished, 256);
    assert.equal(r.threads, 256);
    // One task each, each on a lane of its own: 256 distinct threads ran.
    assert.equal(r.lanes, 256, `lanes used: ${r.lanes}`);
    assert.equal(r.laneLabels.length, 256);
    assert.ok(r.laneLabels.includes("thread 256"));
    // They overlapped: more at once than the pool has threads, and the whole run, starting its
    // threads included, took less than the 16 rounds (48 s) a pool of 16 would need. (Generous:
    // here it is the start-up plus about one delay.)
    const seen = JSON.stringify({ ...r, notes: undefined, laneLabels: undefined });
    assert.ok(r.peakInFlight > caps.poolSize, `peak in flight: ${seen}`);
    assert.ok(r.elapsedMs < (256 * delay) / 16, `elapsed: ${seen}`);
    // The threads were started inside the run, and the record says what that cost.
    assert.equal(r.threadsStarted, 256);
    assert.ok(r.threadsStartMs > 0 && r.threadsStartMs < r.elapsedMs, JSON.stringify(r));
    assert.ok(Math.abs(r.threadStartMs - r.threadsStartMs / 256) < 1e-6);
    assert.ok(r.threadBytes >= 128 * 1024, `bytes per thread ${r.threadBytes}`);
    assert.ok(r.threadBytes < 1024 * 1024, `a small stack, not the 2 MB default: ${r.threadBytes}`);
    assert.equal(r.taskThreads, 256);
    const note = r.notes.find((n) => n.startsWith("Starting 256 threads took"));
    assert.ok(note, JSON.stringify(r.notes));
    assert.match(note, /CPython 3\.11 starts a thread in about [\d.]+ ms/);
    // The page says it next to the run.
    await page.waitForFunction(() =>
      document.querySelector("#results tbody tr .what")?.textContent.includes("Starting 256"),
    );

    // A later run reuses them: nothing is started inside its time.
    const again = await runThreads(page, { tasks: 200, delay: 50, threads: 200 });
    assert.equal(again.finished, 200);
    assert.equal(again.threadsStarted, 0);
    assert.equal(again.threadsStartMs, 0);
    assert.equal(again.taskThreads, 256, "no new thread");
    assert.ok(
      again.notes.some((n) => n.startsWith("Its 200 threads were left from an earlier run")),
      JSON.stringify(again.notes),
    );
    // Runs within the pool still use the pool.
    const pooled = await runThreads(page, { tasks: 4, delay: 20, threads: 4 });
    assert.equal(pooled.threadsStarted, undefined);
    assertClean(page);
  });

  test("beyond the most this browser holds, threads is refused with the range and the figure", async () => {
    const page = await open(env.browser, env.server.url);
    const caps = await ready(page);
    const max = caps.maxThreads;
    const shown = new Intl.NumberFormat("en-US").format(max);
    const err = await page.evaluate(
      (n) =>
        window.playground.run({ model: "threads", tasks: n, delay: 10, threads: n }).then(
          () => null,
          (e) => ({ field: e.field, message: e.message }),
        ),
      max + 1,
    );
    assert.equal(err?.field, "threads");
    assert.match(err.message, new RegExp(`threads must be a whole number from 1 to ${shown}; `));
    assert.match(err.message, new RegExp(`${shown} is the most this browser holds`));
    // The form says the same next to the field, and nothing runs or starts.
    await page.fill("#tasks", "3");
    await page.fill("#threads", String(max + 1));
    await page.click('button[data-model="threads"]');
    await page.waitForFunction(() => document.getElementById("threads-error").textContent);
    assert.match(await page.textContent("#threads-error"), /is the most this browser holds/);
    assert.equal(await page.evaluate(() => window.playground.stats().taskThreads), 0);
    assertClean(page);
  });
});
