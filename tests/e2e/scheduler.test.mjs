// "You are the scheduler", end to end in the built page: the learner chooses which of two real
// threads (Web Workers on the page's shared memory, parked between steps) takes its next step.
// Read A, read B, write A, write B loses one update, and the record says who wrote what; with the
// lock nothing is lost and a thread waiting for it cannot be stepped; the two acquisitions made
// crosswise deadlock, named by the wait-for graph's cycle; a game's threads return to the page's
// idle threads when it ends or is stopped. Async games: two tasks on the event loop, each resumed
// at its await, lose an update there and deadlock on asyncio-style locks, also where threads
// cannot share memory. The same games in Firefox (over WebDriver).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, chromiumSuite, open, startServer, until } from "./harness.mjs";
import {
  SKIPPED,
  assertClean as assertCleanIn,
  inPage,
  missing,
  probedServer,
  ready as readyIn,
  startEngine,
} from "./webdriver.mjs";

/** Starts a game with `setup` and steps `order` (1, 2 or "random"); resolves to every state. */
const PLAY = `async (setup, order) => {
  const s = window.playground.scheduler;
  const states = [await s.start(setup)];
  for (const t of order) states.push(await s.step(t));
  return states;
}`;

/** Checks the four games of the issue with `play(setup, order)` (resolves to the states). */
const games = {
  async lostUpdate(play) {
    const states = await play({ workload: "counter", increments: 1 }, [1, 2, 1, 2]);
    const [start, readA, readB, writeA, end] = states;
    assert.deepEqual(start.offered, [1, 2]);
    assert.deepEqual(
      start.threads.map((t) => t.nextLine),
      ["tmp = counter", "tmp = counter"],
    );
    assert.equal(readA.threads[0].tmp, 0, "thread 1 read the shared counter");
    assert.equal(readA.threads[0].nextLine, "counter = tmp + 1");
    assert.equal(readB.threads[1].tmp, 0);
    assert.equal(writeA.shared, 1, "the real counter after thread 1's write");
    assert.equal(end.over, true);
    assert.equal(end.shared, 1);
    assert.equal(end.lost, 1);
    assert.deepEqual(end.writes, [
      { thread: 1, read: 0, wrote: 1, overwroteThread: null, overwrote: null, lost: 0 },
      { thread: 2, read: 0, wrote: 1, overwroteThread: 1, overwrote: 1, lost: 1 },
    ]);
    assert.match(end.result, /^1 of 2 updates was lost.*thread 2 wrote 1 over thread 1's 1/);
    assert.equal(end.verdict, "Challenge met in 4 steps: an update lost.");
    return end;
  },

  async withTheLock(play) {
    // Thread 1 takes the lock and reads; thread 2 then tries the lock and waits for it.
    const states = await play({ workload: "counter", fix: true, increments: 1 }, [1, 1, 2]);
    const waiting = states.at(-1);
    assert.equal(waiting.threads[1].waitsFor, "the lock");
    assert.deepEqual(waiting.offered, [1], "a thread waiting for the lock is not offered");
    assert.equal(waiting.threads[1].offered, false);
    const refused = await play.step(2).then(
      () => null,
      (e) => e,
    );
    assert.match(
      String(refused),
      /thread 2 cannot take a step: it waits for the lock, which thread 1 holds/,
    );
    let s = waiting;
    for (const t of [1, 1, 2, 2, 2]) s = await play.step(t);
    assert.ok(
      s.history.includes("thread 2 took the lock (after waiting for it)"),
      s.history.join("; "),
    );
    assert.equal(s.over, true);
    assert.equal(s.lost, 0);
    assert.equal(s.shared, 2);
    assert.match(s.verdict, /it cannot be: with the fix in place no order of steps leads there/);
  },

  async deadlock(play) {
    const states = await play({ workload: "deadlock" }, [1, 2, 1, 2]);
    const end = states.at(-1);
    assert.deepEqual(
      states[0].threads.map((t) => t.lines),
      [
        ["acquire A", "acquire B", "release B", "release A"],
        ["acquire B", "acquire A", "release A", "release B"],
      ],
    );
    assert.equal(end.over, true);
    assert.equal(
      end.deadlock,
      "thread 1 holds A and waits for B; thread 2 holds B and waits for A",
    );
    assert.match(end.result, /^Deadlock: thread 1 holds A and waits for B; thread 2 holds B/);
    assert.deepEqual(end.offered, []);
    assert.equal(end.verdict, "Challenge met in 4 steps: the threads deadlocked.");
  },

  async sameOrder(play) {
    const states = await play({ workload: "deadlock", fix: true }, [1, 2]);
    assert.equal(states.at(-1).threads[1].waitsFor, "A", "thread 2 waits for A, holding nothing");
    assert.deepEqual(states.at(-1).offered, [1]);
    let s = states.at(-1);
    for (let i = 0; i < 10 && !s.over; i++) s = await play.step("random");
    assert.equal(s.over, true, s.history.join("; "));
    assert.equal(s.deadlock, null);
    assert.match(s.result, /^No deadlock: both threads take A first/);
  },
};

/** Async games: two tasks on the event loop, each resumed by the learner at its await. */
games.asyncGames = async (play) => {
  const lost = (await play({ model: "async" }, [1, 2, 1, 2])).at(-1);
  assert.equal(lost.model, "async");
  assert.equal(lost.threads[1].name, "task 2");
  assert.deepEqual(lost.threads[0].lines, [
    "tmp = counter",
    "await asyncio.sleep(0)",
    "counter = tmp + 1",
  ]);
  assert.equal(lost.steps, 4, "each resume runs a task to its next await");
  assert.equal(lost.lost, 1);
  assert.match(lost.result, /task 2 wrote 1 over task 1's 1: it had read 0 before task 1 wrote/);
  // With asyncio.Lock: task 2 finds it held and is not ready until task 1's release hands it over.
  const locked = await play({ model: "async", fix: true }, [1, 2]);
  assert.equal(locked.at(-1).threads[1].waitsFor, "the lock");
  assert.deepEqual(locked.at(-1).offered, [1]);
  let s = await play.step(1);
  assert.deepEqual(s.offered, [2], "the release handed the lock to task 2");
  assert.equal(s.locks[0].holder, "task 2");
  s = await play.step(2);
  s = s.over ? s : await play.step(2);
  assert.equal(s.over, true, s.history.join("; "));
  assert.equal(s.lost, 0);
  const dead = (await play({ model: "async", workload: "deadlock" }, [1, 2, 1, 2])).at(-1);
  assert.equal(dead.deadlock, "task 1 holds A and waits for B; task 2 holds B and waits for A");
  assert.match(dead.result, /asyncio's event loop would idle here forever/);
};

describe("chromium: you are the scheduler", () => {
  const env = chromiumSuite({ page: true });
  const play = (setup, order) =>
    env.page.evaluate(`(${PLAY})(${JSON.stringify([setup, order]).slice(1, -1)})`);
  play.step = (t) => env.page.evaluate((t) => window.playground.scheduler.step(t), t);
  const taskThreads = () => env.page.evaluate(() => window.playground.stats().taskThreads);

  test("read A, read B, write A, write B loses one update on real threads, and says who wrote what", async () => {
    assert.equal(env.caps.memory, "shared", "this test needs shared-memory threads");
    await games.lostUpdate(play);
    assertClean(env.page);
  });

  test("with the lock nothing is lost, and a thread waiting for it is not offered", async () => {
    await games.withTheLock(play);
    assertClean(env.page);
  });

  test("the acquisitions made crosswise deadlock, named by the wait-for graph's cycle; the same order cannot", async () => {
    await games.deadlock(play);
    await games.sameOrder(play);
    assertClean(env.page);
  });

  test("async: the learner picks which ready task the loop resumes at each await", async () => {
    await games.asyncGames(play);
    assertClean(env.page);
  });

  test("games reuse the same two threads: none stays parked after a game ends or is stopped", async () => {
    await games.lostUpdate(play);
    const threads = await taskThreads();
    assert.ok(threads >= 2, `${threads} task threads`);
    // Stopped in the middle, with thread 2 waiting for a lock.
    await play({ workload: "deadlock", fix: true }, [1, 2]);
    assert.equal(await env.page.evaluate(() => window.playground.scheduler.stop()), true);
    assert.equal(await env.page.evaluate(() => window.playground.scheduler.state()), null);
    const refused = await play.step(1).then(
      () => null,
      (e) => e.message,
    );
    assert.match(String(refused), /No game is under way/);
    for (let i = 0; i < 3; i++) await games.deadlock(play);
    assert.equal(await taskThreads(), threads, "no new threads: the earlier games' were idle");
    // What one step costs, from the click's call to the state it resolves to: the hand-over to a
    // parked thread, its step, and its report back to the event loop.
    const ms = await env.page.evaluate(async () => {
      const s = window.playground.scheduler;
      await s.start({ workload: "counter", increments: 5 });
      const times = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await s.step(i % 2 ? 2 : 1);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    });
    console.log(`scheduler step, ms: median ${ms[10].toFixed(2)}, max ${ms[19].toFixed(2)}`);
    assertClean(env.page);
  });

  test("the panel: both threads' next lines, the shared value, each tmp, the steps and the result", async () => {
    const page = env.page;
    // The panel loads as a reader scrolls to it (www/panels.js); Start waits for it.
    await page.locator("#sched-section").scrollIntoViewIfNeeded();
    await page.selectOption("#sched-workload", "counter");
    await page.click("#sched-start");
    await until(() => page.isEnabled("#sched-step-1"), "Step thread 1 to be enabled after Start");
    const text = (sel) => page.textContent(sel);
    assert.equal(await text("#sched-thread-1 .sched-next"), "tmp = counter");
    for (const t of [1, 2, 1]) {
      const steps = Number(await text("#sched-steps"));
      await page.click(`#sched-step-${t}`);
      await until(
        async () => Number(await text("#sched-steps")) === steps + 1,
        `the panel to show step ${steps + 1}`,
      );
    }
    assert.equal(await text("#sched-thread-2 .sched-tmp"), "0");
    assert.equal(await text("#sched-thread-2 .sched-next"), "counter = tmp + 1");
    assert.equal(await text("#sched-shared"), "1");
    assert.equal(await page.isEnabled("#sched-step-1"), false, "thread 1 has finished");
    await page.click("#sched-step-2");
    await until(
      async () => /updates was lost/.test(await text("#sched-result")),
      "the result sentence",
    );
    assert.match(await text("#sched-verdict"), /Challenge met in 4 steps/);
    assert.equal(await page.isEnabled("#sched-random"), false, "nothing left to step");
    await page.click("#sched-stop");
    assert.equal(await page.isHidden("#sched-game"), true);
    assertClean(page);
  });

  test("without shared memory the panel says why in the engine's sentence", async () => {
    const server = await startServer({ isolation: false });
    try {
      const page = await open(env.browser, server.url);
      // The panel loads as a reader scrolls to it (www/panels.js).
      await page.locator("#sched-section").scrollIntoViewIfNeeded();
      await until(
        () => page.isVisible("#sched-off"),
        "the scheduler's notice on a page that is not isolated",
      );
      const caps = await page.evaluate(() => window.playground.capabilities);
      assert.equal(caps.memory, "separate");
      const notice = await page.textContent("#sched-off");
      assert.ok(notice.startsWith("The scheduler steps two threads on memory shared"), notice);
      assert.ok(notice.endsWith(caps.reason), notice);
      // Async games need no shared memory: they run here as anywhere.
      assert.equal(await page.inputValue("#sched-model"), "async");
      const tasks = await page.evaluate(`(${PLAY})({ model: "async" }, [1, 2, 1, 2])`);
      assert.equal(tasks.at(-1).lost, 1);
      assertClean(page);
      await page.context().close();
    } finally {
      server.close();
    }
  });
});

const skip = SKIPPED.has("firefox") ? "SKIP_ENGINES names firefox" : false;
describe("firefox: you are the scheduler", { skip }, () => {
  let browser, server, probed;
  before(async () => {
    const why = missing("firefox");
    if (why)
      throw new Error(`firefox cannot run here: ${why}; SKIP_ENGINES=firefox skips it on purpose.`);
    server = await startServer();
    [probed, browser] = await Promise.all([probedServer(server.url), startEngine("firefox")]);
    await browser.driver.get(probed.url);
    const caps = await readyIn(browser.driver);
    assert.equal(caps.memory, "shared", caps.reason);
  });
  after(async () => {
    await browser?.close();
    probed?.close();
    server?.close();
  });
  const play = (setup, order) => inPage(browser.driver, `return (${PLAY})(...args);`, setup, order);
  play.step = (t) => inPage(browser.driver, `return window.playground.scheduler.step(args[0]);`, t);

  test("firefox: a lost update, the lock, and the deadlock on real threads; the async games", async () => {
    await games.lostUpdate(play);
    await games.withTheLock(play);
    await games.deadlock(play);
    await games.sameOrder(play);
    await games.asyncGames(play);
    await assertCleanIn(browser.driver, probed);
  });
});
