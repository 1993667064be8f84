// Shipping anywhere, end to end: dist/ on a plain static host from a sub-path (one service worker
// reload into threads, nothing fetched from elsewhere, a later reload isolated at once), the
// fallback where service workers are blocked or the page is not a secure context, the embed view
// inside isolated and non-isolated host pages of another site, the sharing actions,
// keyboard use, axe-core in both colour schemes, the CSP, and screenshots for review under
// target/screenshots/. Needs dist/ (./build.sh dist; ./build.sh test writes it first).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  assertClean,
  docsSite,
  HOST_JS,
  hostPage,
  launch,
  open,
  ready,
  runFromUi,
  startServer,
  until,
} from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SHOTS = "target/screenshots";
const PREFIX = "/docs/playground/";

/**
 * The pages of a documentation site that embeds the playground (written by the tests), served
 * on http://localhost, another site than the playground's 127.0.0.1: by one server that sends
 * COOP/COEP like a site that runs threads itself, and by one that sends none.
 */
const hostPages = { "host.js": HOST_JS };
let browser, staticHost, isolatedDist, isolatedHosts, plainHosts;
before(async () => {
  if (!existsSync("dist/index.html")) {
    throw new Error("dist/ is missing: run ./build.sh dist first (./build.sh test does)");
  }
  await mkdir(SHOTS, { recursive: true });
  [browser, staticHost, isolatedDist, isolatedHosts, plainHosts] = await Promise.all([
    launch(),
    startServer({ root: "dist", args: ["--plain", "--prefix", PREFIX] }),
    startServer({ root: "dist" }),
    docsSite(hostPages, { isolated: true }),
    docsSite(hostPages),
  ]);
});
after(async () => {
  await browser?.close();
  for (const s of [staticHost, isolatedDist, isolatedHosts, plainHosts]) s?.close();
});

function origins(urls) {
  return new Set(urls.filter((u) => /^https?:/.test(u)).map((u) => new URL(u).origin));
}

/**
 * The plain iframe the full page at `url` offers with its embed code (service workers blocked: no
 * reload needed); these host pages size it with their own script.
 */
async function copiedEmbedCode(url) {
  const page = await open(browser, url, { serviceWorkers: "block" });
  await ready(page);
  await page.selectOption("#embed-view", "full");
  await page.click("#copy-embed");
  await page.waitForSelector("#share-alternative:not([hidden])");
  const code = await page.inputValue("#share-iframe");
  assertClean(page);
  await page.context().close();
  return code;
}

/** The embed's frame in a host page, once its engine is ready. */
async function embedFrame(page) {
  const frame = await until(
    () => page.frames().find((f) => f.url().includes("embed=1")),
    "the embed's frame",
  );
  await frame.waitForLoadState();
  return frame;
}

/** The embed's height messages seen by the host page so far. */
const heights = (page) => page.evaluate(() => window.heights.slice());

describe("dist/ on a plain static host, from a sub-path", () => {
  test("loads, reloads once into cross-origin isolation, runs async and threads, fetches nothing from elsewhere", async () => {
    const page = await open(browser, staticHost.url);
    assert.match(staticHost.url, /\/docs\/playground\/$/);
    // The first load is not isolated; coi-serviceworker reloads it once, isolated.
    await until(() => page.loads >= 2, "the service worker's reload");
    // `loads` counts navigation requests: wait for the reloaded document itself, or the next
    // call could still reach the old one just before it goes away.
    await page.waitForFunction(() => globalThis.crossOriginIsolated === true, null, {
      timeout: 20_000,
    });
    const caps = await ready(page);
    assert.equal(caps.crossOriginIsolated, true);
    assert.equal(caps.threads, true, caps.reason);
    assert.ok(caps.poolSize >= 16);
    // The isolated document never reloads (coi.js settles without one), so the count is final.
    assert.equal(page.loads, 2, "exactly one reload");

    const [a] = await runFromUi(page, "async", { tasks: 3, delay: 300 });
    assert.ok(a.elapsedMs >= 299 && a.elapsedMs < 900, `async ${a.elapsedMs}`);
    const [t] = await runFromUi(page, "threads", { tasks: 4, delay: 200, threads: 2 });
    assert.ok(t.elapsedMs >= 399 && t.elapsedMs < 1000, `threads ${t.elapsedMs}`);

    const { origin } = new URL(staticHost.url);
    assert.deepEqual([...origins(page.requests)], [origin], "no request to another origin");
    const paths = page.requests.filter((u) => u.startsWith(origin)).map((u) => new URL(u).pathname);
    assert.ok(
      paths.every((p) => p.startsWith(PREFIX)),
      `every URL is relative: ${paths.filter((p) => !p.startsWith(PREFIX))}`,
    );
    // The page that was about to reload never started the engine: no plain build was fetched.
    assert.ok(!paths.some((p) => p.includes("/pkg/st/")), "the plain build was never loaded");

    // A later visit is isolated at once: no further reload. (Chromium's back/forward cache may
    // hold the document from before the service worker's reload and bring it back on this
    // reload; coi.js then goes on to the isolated one: one navigation request either way.)
    await page.reload();
    const again = await ready(page);
    assert.equal(again.crossOriginIsolated, true);
    assert.equal(again.threads, true, again.reason);
    assert.equal(page.loads, 3);
    assertClean(page);
    await page.context().close();
  });

  test("with service workers blocked: no reload, async runs, one sentence says why threads are off", async () => {
    const page = await open(browser, staticHost.url, { serviceWorkers: "block" });
    const caps = await ready(page);
    assert.deepEqual([caps.threads, caps.memory], [true, "separate"]);
    assert.equal(caps.crossOriginIsolated, false);
    assert.match(caps.reason, /service worker/);
    assert.match(caps.reason, /SharedArrayBuffer/);
    assert.equal(caps.reason.split(/[.!?]\s/).length, 1, "one sentence");
    assert.equal(await page.textContent("#threads-off"), caps.reason);
    assert.equal(await page.isVisible("#threads-off"), true);
    assert.equal(await page.isDisabled('button[data-model="threads"]'), false);
    const [a] = await runFromUi(page, "async", { tasks: 3, delay: 200 });
    assert.ok(a.elapsedMs >= 199 && a.elapsedMs < 800, `async ${a.elapsedMs}`);
    // The engine starts only once coi.js has decided against a reload: the count is final.
    assert.equal(page.loads, 1, "never reloads");
    assert.deepEqual([...origins(page.requests)], [new URL(staticHost.url).origin]);
    assert.ok(!page.requests.some((u) => u.includes("/pkg/mt/")), "never loads the threaded build");
    assertClean(page);
    await page.context().close();
  });

  test("over plain http from a host name (not a secure context): no service worker, no reload, says why", async () => {
    // Only https and loopback addresses are secure contexts; a name that resolves to 127.0.0.1
    // is neither, as a school's intranet server would be.
    const insecure = await launch({
      args: ["--host-resolver-rules=MAP playground.test 127.0.0.1"],
    });
    try {
      const url = staticHost.url.replace("127.0.0.1", "playground.test");
      const page = await open(insecure, url);
      assert.equal(await page.evaluate(() => isSecureContext), false);
      const caps = await ready(page);
      assert.deepEqual([caps.threads, caps.memory], [true, "separate"]);
      assert.match(caps.reason, /needs HTTPS/);
      const [a] = await runFromUi(page, "async", { tasks: 2, delay: 100 });
      assert.ok(a.elapsedMs >= 99 && a.elapsedMs < 700, `async ${a.elapsedMs}`);
      // The engine starts only once coi.js has decided against a reload: the count is final.
      assert.equal(page.loads, 1, "never reloads");
      assertClean(page);
    } finally {
      await insecure.close();
    }
  });
});

describe("sharing", () => {
  test("Copy link and Copy embed code carry the current settings; nothing from the URL becomes markup", async () => {
    const hostile = '"><img src=x id=pwned>';
    // threads=3: not the default (one per core) on the 2-core machines the tests run on, which a
    // link leaves out.
    const query = new URLSearchParams({ model: "threads", tasks: "4", delay: "100", threads: "3" });
    const page = await open(
      browser,
      `${isolatedDist.url}?${query}&autorun=1&x=${encodeURIComponent(hostile)}`,
      {
        permissions: ["clipboard-read", "clipboard-write"],
      },
    );
    await page.waitForSelector("#results tbody tr");
    await page.fill("#tasks", "5");

    await page.click("#copy-link");
    await page.waitForFunction(() =>
      /copied/.test(document.getElementById("share-status").textContent),
    );
    const link = await page.inputValue("#share-text");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    const linked = new URL(link);
    assert.equal(linked.searchParams.get("tasks"), "5");
    assert.equal(linked.searchParams.get("model"), "threads");
    assert.equal(linked.searchParams.get("autorun"), null);
    assert.equal(linked.searchParams.get("embed"), null);

    await page.click("#copy-embed");
    await page.waitForFunction(() =>
      /Embed code copied/.test(document.getElementById("share-status").textContent),
    );
    const copied = await page.inputValue("#share-text");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), copied);
    assert.equal(await page.textContent("#share-label"), "Embed code");
    // The one-line form (embed.js's element) is what is copied; the plain iframe is offered too.
    assert.match(
      copied,
      /^<script type="module" src="[^"]+embed\.js"><\/script>\n<async-vs-threads /,
    );
    assert.match(copied, / tasks="5"/);
    const code = await page.inputValue("#share-iframe");
    const m = code.match(
      /^<iframe src="([^"<>]*)" [^<>]*allow="cross-origin-isolated"><\/iframe>$/,
    );
    assert.ok(m, code);
    assert.match(code, / title="[^"]+"/);
    const src = new URL(m[1].replaceAll("&amp;", "&"));
    assert.equal(src.searchParams.get("embed"), "1");
    assert.equal(src.searchParams.get("tasks"), "5");
    assert.equal(src.searchParams.get("threads"), "3", code);
    assert.equal(src.searchParams.get("x"), hostile, "kept as data, escaped in the snippet");
    assert.match(copied, /x="&quot;&gt;&lt;img src=x id=pwned&gt;"/, "escaped in the element too");
    assert.equal(await page.locator("#pwned, img").count(), 0);
    assertClean(page);
    await page.context().close();
  });
});

describe("embed view", () => {
  test("from a static host inside a host page of another site that is not isolated: its service worker isolates it after one reload; runs threads, sizes itself, checks messages", async () => {
    const snippet = await copiedEmbedCode(`${staticHost.url}?tasks=3&delay=200`);
    hostPages["plain.html"] = hostPage(snippet);
    const page = await open(browser, `${plainHosts.url}plain.html`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false, "an ordinary host page");
    const frame = await embedFrame(page);
    // The embed (127.0.0.1) is on another site than its host page (localhost): Chromium gives
    // it a service worker of its own (in storage partitioned by the host's site), which adds
    // Document-Isolation-Policy to the embed's reloaded document.
    const caps = await until(async () => {
      const c = await ready(frame, "the embed");
      return c.crossOriginIsolated ? c : null;
    }, "the embed's reload into isolation");
    assert.equal(caps.threads, true, caps.reason);
    assert.equal(await frame.isVisible("#threads-off"), false);
    assert.equal(await frame.isVisible("header.chrome"), false, "no page chrome");
    assert.equal(await frame.isVisible("#copy-embed"), false);
    assert.equal(await frame.isVisible(".explain"), true);
    const [t] = await runFromUi(frame, "threads", { tasks: 4, delay: 200, threads: 2 });
    assert.ok(t.elapsedMs >= 399 && t.elapsedMs < 1000, `threads ${t.elapsedMs}`);
    const [a] = await runFromUi(frame, "async", { tasks: 3, delay: 200 });
    assert.ok(a.elapsedMs >= 199 && a.elapsedMs < 800, `async ${a.elapsedMs}`);
    // The last part of the page a run fills in: the code panel, whose module loads on first use.
    // Until it is in, the embed is still growing, and so are its height messages.
    await frame.waitForSelector('#python-code[data-model="async"]', { state: "attached" });

    // The host sized the iframe from the embed's messages: no scrollbar inside. The embed grows
    // after loading and after a run (results, timeline, code panel and comparison fill in), and
    // the iframe takes each new height a message and a layout later, in another process: wait
    // for the state where the last message, the content, the iframe and the embed's viewport
    // agree, and check that state as a whole.
    const sized = () =>
      frame.evaluate(() => {
        const content = Math.ceil(document.documentElement.getBoundingClientRect().height);
        return {
          content,
          viewport: innerHeight,
          scroll: document.documentElement.scrollHeight,
        };
      });
    let state;
    await until(
      async () => {
        state = { ...(await sized()), sent: (await heights(page)).at(-1) };
        state.iframe = await page.$eval("iframe", (f) => f.clientHeight);
        return (
          state.sent === state.content &&
          state.iframe === state.content &&
          state.scroll <= state.viewport
        );
      },
      () =>
        "the iframe to be sized to the embed's content by its height messages (no scrollbar); " +
        `last seen ${JSON.stringify(state)}`,
      20_000,
    );
    // view=full: the whole page less its header, live figure and comparison table included.
    assert.ok(state.content > 200 && state.content < 6000, `height ${state.content}`);

    // The host may ask for the height again; malformed messages and messages from any window
    // but the host are ignored. (The heights have settled above: no reply is pending.)
    const seen = (await heights(page)).length;
    await page.evaluate(() => {
      const embed = document.querySelector("iframe").contentWindow;
      for (const bad of [
        "playground:request-height",
        null,
        [],
        { type: "playground:request-height", extra: 1 },
        { type: "playground:height", height: 1 },
        { type: "playground:request-heights" },
      ]) {
        embed.postMessage(bad, "*");
      }
    });
    await frame.evaluate(() => window.postMessage({ type: "playground:request-height" }, "*"));
    // Messages are handled in the order they were posted: a good request sent after the bad
    // ones is answered after them, so when its reply arrives, any reply to a bad one would have.
    await page.evaluate(() =>
      document
        .querySelector("iframe")
        .contentWindow.postMessage({ type: "playground:request-height" }, "*"),
    );
    await until(async () => (await heights(page)).length >= seen + 1, "the height reply", 5000);
    assert.equal((await heights(page)).length, seen + 1, "bad messages ignored");

    assert.equal(page.loads, 1);
    const expected = [plainHosts.url, staticHost.url].map((u) => new URL(u).origin).sort();
    assert.deepEqual([...origins(page.requests)].sort(), expected);
    assertClean(page);
    await page.context().close();
  });

  test("inside a cross-origin-isolated host page: runs threads", async () => {
    const snippet = await copiedEmbedCode(`${isolatedDist.url}?model=threads&tasks=4&delay=200`);
    hostPages["isolated.html"] = hostPage(snippet);
    const page = await open(browser, `${isolatedHosts.url}isolated.html`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, "the host is isolated");
    const frame = await embedFrame(page);
    const caps = await ready(frame);
    assert.equal(caps.crossOriginIsolated, true);
    assert.equal(caps.threads, true, caps.reason);
    const [t] = await runFromUi(frame, "threads", { tasks: 4, delay: 200, threads: 2 });
    assert.ok(t.elapsedMs >= 399 && t.elapsedMs < 1000, `threads ${t.elapsedMs}`);
    assert.equal(await frame.isVisible("header.chrome"), false);
    await until(async () => (await heights(page)).length > 0, "a height message", 5000);
    assertClean(page);
    await page.context().close();
  });
});

describe("safe and usable", () => {
  test("the CSP header is sent, strict, matches the page's own, and nothing is blocked", async () => {
    const page = await open(browser, null);
    const response = await page.goto(isolatedDist.url);
    const csp = response.headers()["content-security-policy"];
    assert.ok(csp, "CSP header present");
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    assert.deepEqual(directives.get("script-src"), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(directives.get("style-src"), ["'self'"]);
    assert.deepEqual(directives.get("object-src"), ["'none'"]);
    assert.ok(!/unsafe-inline|'unsafe-eval'/.test(csp));
    const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
    assert.equal(
      meta,
      csp
        .split("; ")
        .filter((d) => !d.startsWith("frame-ancestors"))
        .join("; "),
      "the page's own policy is the header's, for hosts that send none",
    );
    // No inline script or style in the page.
    const html = await readFile("dist/index.html", "utf8");
    assert.ok(!/<script(?![^>]*\ssrc=)[^>]*>/.test(html), "no inline script");
    assert.ok(!/<style|\sstyle=/.test(html), "no inline style");
    // Every model, with the worker pool's blob workers, under the policy (violations are
    // console errors, see open()).
    await runFromUi(page, "all", { tasks: 3, delay: 100, threads: 3, rows: 3 });
    assertClean(page);
    await page.context().close();
  });

  test("keyboard only: every control reachable with visible focus, and a run announced", async () => {
    const page = await open(browser, isolatedDist.url);
    await ready(page);
    const reached = new Set();
    let onRun = false;
    for (let i = 0; i < 40 && !onRun; i++) {
      await page.keyboard.press("Tab");
      const el = await page.evaluate(() => {
        const a = document.activeElement;
        const style = getComputedStyle(a);
        return {
          key: a.id || a.dataset.model || a.tagName,
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          model: a.dataset.model,
        };
      });
      assert.ok(el.outline, `focus is visible on ${el.key}`);
      reached.add(el.key);
      onRun = el.model === "async";
    }
    for (const key of ["copy-link", "copy-embed", "tasks", "delay", "threads", "async"]) {
      assert.ok(reached.has(key), `${key} reachable by Tab (reached ${[...reached]})`);
    }
    await page.keyboard.press("Enter");
    await page.waitForSelector("#results tbody tr", { timeout: 20_000 });
    assert.match(await page.textContent("#announce"), /^async: 3 of 3 tasks in/);
    // Every input has a label.
    const unlabelled = await page.$$eval("input, textarea, select", (els) =>
      els.filter((e) => !e.labels?.length && !e.getAttribute("aria-label")).map((e) => e.id),
    );
    assert.deepEqual(unlabelled, []);
    assertClean(page);
    await page.context().close();
  });

  for (const colorScheme of ["light", "dark"]) {
    test(`no axe-core violations, ${colorScheme} scheme, full page and embed`, async () => {
      for (const view of ["", "embed=1&"]) {
        // bypassCSP only so that axe itself can be injected.
        const page = await open(browser, `${isolatedDist.url}?${view}tasks=3&delay=50&threads=2`, {
          colorScheme,
          bypassCSP: true,
        });
        await ready(page);
        await runFromUi(page, "all", { tasks: 3, delay: 50, threads: 2, rows: 3 });
        if (!view) await page.click("#copy-embed");
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ["violations"] });
          return r.violations.map(
            (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          );
        });
        assert.deepEqual(violations, [], `${view || "full page"}, ${colorScheme}`);
        assertClean(page);
        await page.context().close();
      }
    });
  }

  /** Scrolls each panel that `page` shows into view in turn and waits until it has loaded. */
  async function scrollThroughPanels(page) {
    const names = await page.evaluate(() =>
      [...document.querySelectorAll("[data-panel]")]
        .filter((el) => el.checkVisibility())
        .map((el) => /** @type {HTMLElement} */ (el).dataset.panel),
    );
    for (const name of names) {
      const panel = page.locator(`[data-panel="${name}"]`);
      await panel.scrollIntoViewIfNeeded();
      await until(
        () => panel.evaluate((el) => el.dataset.panelState === "loaded"),
        `the ${name} panel to load once scrolled into view`,
      );
    }
    // The comparison with Python has its figures (fetched once its panel loaded).
    if (names.includes("compare"))
      await until(
        () => page.evaluate(() => document.querySelector("#compare tr") !== null),
        "the comparison with Python to fill",
      );
    await page.evaluate(() => scrollTo(0, 0));
  }

  test("360 px to 1920 px wide without sideways scrolling; screenshots for review", async () => {
    for (const width of [360, 1280, 1920]) {
      for (const colorScheme of ["light", "dark"]) {
        for (const view of ["page", "embed"]) {
          if (width === 1920 && (colorScheme === "dark" || view === "embed")) continue;
          const embed = view === "embed" ? "embed=1&" : "";
          // 360 px is a phone's width, and a phone's scrollbars take no room (overlay); the wider
          // ones are desktop windows with a desktop's scrollbar (Chromium's own, on Linux).
          const phone = width < 500;
          const page = await open(browser, `${isolatedDist.url}?${embed}model=all`, {
            colorScheme,
            viewport: { width, height: 900 },
            isMobile: phone,
            hasTouch: phone,
          });
          await ready(page);
          await runFromUi(page, "all", { tasks: 4, delay: 150, threads: 2, rows: 3 });
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          assert.ok(overflow <= 0, `${view} at ${width} px scrolls sideways by ${overflow} px`);
          if (width !== 1920) {
            // As a reader who scrolls down: every panel shown loads (www/panels.js) and fills
            // before the screenshot, which then shows no empty section.
            await scrollThroughPanels(page);
            await page.screenshot({
              path: join(SHOTS, `${view}-${width}-${colorScheme}.png`),
              fullPage: true,
            });
          }
          assertClean(page);
          await page.context().close();
        }
      }
    }
  });
});
