// The classroom (issue 31): presentation mode at a projector's 1280 x 720 (the live figure and the
// output fill the screen in large type; space runs, r replays, Escape stops and then leaves; keys
// do nothing in a form field), and the page after one visit with its server stopped (it loads
// from its service worker's cache, cross-origin isolated, and runs async, threads and
// sequential), in Chromium (from the project's server and from a static host) and in Firefox ESR.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import {
  assertClean,
  chromiumSuite,
  launch,
  open,
  ready,
  runFromUi,
  startServer,
  until,
} from "./harness.mjs";
import * as wd from "./webdriver.mjs";

const SCREEN = { width: 1280, height: 720 };

/** Stops a server started by startServer and waits until its process has gone. */
async function stop(server) {
  const { exitCode, signalCode } = server.child;
  const gone = exitCode === null && signalCode === null ? once(server.child, "exit") : null;
  server.close();
  await gone;
}

/** The state a test reads through the page: rows, Stop, Replay, the mode, the announcement. */
const state = (page) =>
  page.evaluate(() => ({
    rows: document.querySelectorAll("#results tbody tr").length,
    running: !document.getElementById("stop").disabled,
    replay: document.getElementById("replay-play").textContent,
    present: document.documentElement.classList.contains("present"),
    announced: document.getElementById("announce").textContent,
    url: location.search,
  }));

describe("Chromium: presentation mode", () => {
  const env = chromiumSuite();

  test("chromium: fills a 1280 x 720 screen in large type; space runs, r replays, Escape stops, then leaves", async () => {
    const page = await open(
      env.browser,
      `${env.server.url}?present=1&model=threads&tasks=4&delay=300&threads=2`,
      { viewport: SCREEN },
    );
    await ready(page);
    assert.equal((await state(page)).present, true, "present=1 turns the mode on");

    // Space (the page has the focus) runs the link's model.
    await page.keyboard.press("Space");
    await until(
      async () => (await state(page)).rows === 1 && !(await state(page)).running,
      "the run started by space to add its row",
    );
    const row = await page.$eval("#results tbody tr", (tr) => ({ ...tr.dataset }));
    assert.equal(row.model, "threads");
    await page.waitForFunction(() => document.getElementById("console").childElementCount > 0);

    const layout = await page.evaluate(() => {
      const area = (el) => {
        const r = el.getBoundingClientRect();
        const w = Math.min(r.right, innerWidth) - Math.max(r.left, 0);
        const h = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
        return Math.max(0, w) * Math.max(0, h);
      };
      const figure = document.getElementById("live");
      const output = document.querySelector("figure.console");
      const size = (el) => parseFloat(getComputedStyle(el).fontSize);
      const texts = [
        ...figure.querySelectorAll("figcaption, p:not([hidden])"),
        output.querySelector("figcaption"),
        ...document.querySelectorAll("#console, #console > div, #replay-play, .actions > button"),
      ];
      const rgb = (c) =>
        c
          .match(/\d+(\.\d+)?/g)
          .slice(0, 3)
          .map(Number);
      const luminance = (c) =>
        rgb(c)
          .map((v) => v / 255)
          .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
          .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
      const body = getComputedStyle(document.body);
      const [a, b] = [luminance(body.color), luminance(body.backgroundColor)].sort((x, y) => y - x);
      return {
        share: (area(figure) + area(output)) / (innerWidth * innerHeight),
        smallest: Math.min(...texts.map(size)),
        smallestOf: texts.map((t) => `${t.id || t.tagName}:${size(t)}`).join(" "),
        contrast: (a + 0.05) / (b + 0.05),
        canvas: figure.querySelector("canvas").getBoundingClientRect().height,
        scroll: document.documentElement.scrollHeight <= innerHeight,
        screen: [innerWidth, innerHeight],
      };
    });
    console.log(`presentation at ${layout.screen.join(" x ")}: ${JSON.stringify(layout)}`);
    assert.deepEqual(layout.screen, [SCREEN.width, SCREEN.height]);
    assert.ok(layout.share >= 0.8, `the figure and the output take ${layout.share} of the screen`);
    assert.ok(layout.smallest >= 24, `text at least 24 px: ${layout.smallestOf}`);
    assert.ok(layout.contrast >= 7, `contrast ${layout.contrast} (WCAG AAA: 7)`);
    assert.ok(layout.scroll, "the presentation fits the screen without scrolling the page");
    // Two lanes and the axis, drawn twice their usual size.
    assert.ok(layout.canvas >= 2 * 70, `the timeline is drawn large: ${layout.canvas} px`);

    // In a form field keys are the field's: r in the speed select replays nothing, and space
    // there runs nothing.
    await page.selectOption("#replay-speed", "0.1");
    await page.focus("#replay-speed");
    await page.keyboard.press("r");
    await page.keyboard.press("Space");
    let s = await state(page);
    assert.equal(s.replay, "Replay", "r in a select starts no replay");
    assert.equal(s.running, false, "space in a select starts no run");
    // Escape in a field leaves the mode on.
    await page.keyboard.press("Escape");
    assert.equal((await state(page)).present, true, "Escape in a select leaves the mode on");

    // r on the page replays (at 0.1x, the 300 ms run takes 3 s); r again pauses it.
    await page.focus("#watch");
    await page.keyboard.press("r");
    assert.equal((await state(page)).replay, "Pause", "r starts the replay");
    // Moving means inside the run: until the replay's first frame the scrubber still stands at
    // the run's end, where the run left it (waiting for "above 0" once passed at once there).
    await until(
      () => page.$eval("#scrub", (x) => Number(x.value) > 0 && Number(x.value) < Number(x.max)),
      "the replay to move the scrubber inside the run",
    );
    await page.keyboard.press("r");
    s = await state(page);
    assert.equal(s.replay, "Replay", "r again pauses it");
    const scrub = await page.$eval("#scrub", (x) => [Number(x.value), Number(x.max)]);
    assert.ok(scrub[0] > 0 && scrub[0] < scrub[1], `paused mid-way: ${scrub}`);

    // Escape with nothing running leaves the mode, says so, and the URL forgets it.
    await page.keyboard.press("Escape");
    s = await state(page);
    assert.equal(s.present, false);
    assert.equal(s.announced, "Presentation mode off.");
    assert.ok(!/present=/.test(s.url), s.url);
    // Keys do nothing out of the mode.
    await page.keyboard.press("Space");
    assert.equal((await state(page)).running, false, "space runs nothing out of the mode");

    // The button turns it on again; a long run, then Escape stops it.
    await page.fill("#delay", "30000");
    await page.click("#present-toggle");
    s = await state(page);
    assert.equal(s.present, true);
    assert.match(s.announced, /^Presentation mode: space runs, r replays, Escape stops/);
    assert.match(s.url, /present=1/);
    assert.equal(await page.getAttribute("#present-toggle", "aria-pressed"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "watch");
    await page.keyboard.press("Space");
    await until(async () => (await state(page)).running, "space to start the 30 s run");
    await page.waitForFunction(() => Number(document.getElementById("live").dataset.started) > 0, {
      polling: 100,
    });
    await page.keyboard.press("Escape");
    await until(
      async () => (await state(page)).rows === 2 && !(await state(page)).running,
      "Escape to stop the run and its row to appear",
    );
    const stopped = await page.$eval("#results tbody tr", (tr) => ({ ...tr.dataset }));
    assert.equal(stopped.stopped, "true");
    assert.ok(Number(stopped.elapsedMs) < 30_000, `stopped after ${stopped.elapsedMs} ms`);
    assert.equal((await state(page)).present, true, "Escape during a run only stops it");
    assertClean(page);
    await page.context().close();
  });
});

/**
 * One visit to `server`, then the same browser profile with the server stopped: the page loads
 * from its service worker's cache, cross-origin isolated, and runs the three models.
 */
async function offlineAfterOneVisit(browser, server) {
  const page = await open(browser, server.url);
  await page.waitForFunction(() => globalThis.crossOriginIsolated === true, null, {
    timeout: 30_000,
  });
  await ready(page);
  await page.waitForFunction(() => document.documentElement.dataset.offline === "ready", null, {
    timeout: 60_000,
    polling: 100,
  });
  assert.match(await page.textContent("#offline"), /kept in this browser: it works offline/);
  await stop(server);
  await assert.rejects(fetch(server.url), "the server is gone");
  assertClean(page);

  // A new tab of the same browser profile, as a reader coming back.
  const again = await page.context().newPage();
  const problems = [];
  again.on("pageerror", (e) => problems.push(e.message));
  again.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await again.goto(`${server.url}?tasks=3&delay=200&threads=2`);
  const caps = await ready(again);
  assert.equal(await again.evaluate(() => crossOriginIsolated), true, "isolated offline");
  assert.equal(caps.memory, "shared", "threads on shared memory offline");
  const rows = await runFromUi(again, "all");
  assert.deepEqual(rows.map((r) => r.model).sort(), ["async", "sequential", "threads"]);
  for (const r of rows) assert.ok(r.elapsedMs >= 190, `${r.model}: ${r.elapsedMs} ms`);
  assert.deepEqual(problems, []);
  await page.context().close();
}

describe("Chromium: offline after one visit", () => {
  let browser;
  const servers = [];
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    for (const server of servers) await stop(server);
  });

  test("chromium: with the server stopped, the page loads isolated and runs async, threads and sequential", async () => {
    const server = await startServer();
    servers.push(server);
    await offlineAfterOneVisit(browser, server);
  });

  // A static host sends no COOP/COEP: offline, only the worker's headers on what it takes from
  // its cache make the page isolated. From a sub-path, as GitHub Pages serves it.
  test("chromium: from a static host, after its one reload, the same with the host stopped", async () => {
    const server = await startServer({ args: ["--plain", "--prefix", "/docs/playground/"] });
    servers.push(server);
    await offlineAfterOneVisit(browser, server);
  });
});

describe(
  "Firefox: offline after one visit",
  { skip: wd.SKIPPED.has("firefox") && "SKIP_ENGINES names firefox" },
  () => {
    let firefox, server, proxy;
    before(async () => {
      const why = wd.missing("firefox");
      if (why) throw new Error(`firefox cannot run here: ${why}`);
      server = await startServer();
      [proxy, firefox] = await Promise.all([
        wd.probedServer(server.url),
        wd.startEngine("firefox"),
      ]);
    });
    after(async () => {
      await firefox?.close();
      proxy?.close();
      if (server) await stop(server);
    });

    test("firefox: with the server stopped, the page loads isolated and runs async, threads and sequential", async () => {
      const { driver } = firefox;
      await driver.get(proxy.url);
      await wd.ready(driver);
      await wd.waitIn(
        driver,
        `document.documentElement.dataset.offline === "ready"`,
        "the service worker to keep every file (html[data-offline=ready])",
        60_000,
      );
      await wd.assertClean(driver, proxy);
      // The playground's server stops. The proxy in front of it stays, for the probe only (this
      // test's own script, which it serves itself): every request for the page fails there.
      await stop(server);
      await assert.rejects(fetch(proxy.url), "the page's server is gone");
      // (driver.get, not a WebDriver refresh: Firefox's refresh reloads past the service worker.)
      await driver.get(`${proxy.url}?tasks=3&delay=200&threads=2`);
      const caps = await wd.ready(driver);
      assert.equal(await driver.executeScript("return crossOriginIsolated"), true);
      assert.equal(caps.memory, "shared", "threads on shared memory offline");
      const rows = await wd.runFromUi(driver, "all");
      assert.deepEqual(rows.map((r) => r.model).sort(), ["async", "sequential", "threads"]);
      for (const r of rows) assert.ok(r.elapsedMs >= 190, `${r.model}: ${r.elapsedMs} ms`);
      await wd.assertClean(driver);
    });
  },
);
