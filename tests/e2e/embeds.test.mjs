// Embeds for documentation pages, end to end: the <async-vs-threads> element (embed.js) on a
// docs-like host page of another origin (each element creates, sizes and runs its iframe; below
// the fold nothing loads; five idle embeds start no worker), threads inside an ordinary host page
// (Document-Isolation-Policy from the server, or from the service worker on a static host),
// the embed code the page copies, oEmbed discovery, the version, and the trace and CSV exports
// (the trace read back by the DevTools trace engine, @paulirish/trace_engine).
// Needs dist/ (./build.sh dist; ./build.sh test writes it first).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  apiRun,
  assertClean,
  docsPage,
  docsSite,
  launch,
  open,
  ready,
  runFromUi,
  startServer,
  until,
} from "./harness.mjs";

const CARGO_VERSION = (await readFile("Cargo.toml", "utf8")).match(/^version = "([^"]+)"/m)[1];

/** A docs page with `body` (elements and spacers) that loads embed.js from `from`. */
const embedPage = (from, body) =>
  docsPage(body, { head: `<script type="module" src="${from}embed.js"></script>` });

/** The docs pages the tests write, served by both docs sites. */
const pages = {};
let browser, isolated, plain, crossSite, sameSite, source;
before(async () => {
  [browser, isolated, plain, crossSite, sameSite, source] = await Promise.all([
    launch(),
    startServer({ root: "dist" }),
    startServer({ root: "dist", args: ["--plain"] }),
    // localhost: another site than the playground's 127.0.0.1; 127.0.0.1: the same site.
    docsSite(pages, { host: "localhost" }),
    docsSite(pages, { host: "127.0.0.1" }),
    // The source modules one by one (dist/ has them bundled), for the test of trace.js.
    startServer({ root: "www" }),
  ]);
});
after(async () => {
  await browser?.close();
  for (const s of [isolated, plain, crossSite, sameSite, source]) s?.close();
});

/** The frame of the `i`-th element once its iframe exists and its page has loaded. */
async function elementFrame(page, i) {
  const exists = (i) => !!document.querySelectorAll("async-vs-threads")[i]?.frame;
  await until(() => page.evaluate(exists, i), `element ${i}'s iframe`);
  const handle = await page.evaluateHandle(
    (i) => document.querySelectorAll("async-vs-threads")[i].frame,
    i,
  );
  const frame = await until(() => handle.asElement().contentFrame(), `element ${i}'s frame`);
  await until(
    () =>
      frame
        .evaluate(() => document.readyState === "complete" && !!window.playground)
        .catch(() => false),
    `element ${i}'s page`,
  );
  return frame;
}

/**
 * Waits until element `i` is sized to its content by its height messages. A reader's browser has
 * scrollbars: while the iframe is shorter than the embed, the embed scrolls, is a scrollbar
 * narrower and so taller; once sized, it is wider and shorter, and says so again. This waits for
 * the state where the last message, the iframe and the content agree and the embed no longer
 * scrolls, and checks that state as a whole.
 */
async function sized(page, frame, i) {
  let seen;
  await until(
    async () => {
      const element = await page.evaluate((i) => {
        const el = document.querySelectorAll("async-vs-threads")[i];
        return { sent: el.height, iframe: el.frame.clientHeight };
      }, i);
      const inside = await frame.evaluate(() => ({
        content: Math.ceil(document.documentElement.getBoundingClientRect().height),
        scroll: document.documentElement.scrollHeight,
        viewport: innerHeight,
      }));
      seen = { ...element, ...inside };
      return (
        seen.sent === seen.content && seen.iframe === seen.content && seen.scroll <= seen.viewport
      );
    },
    () =>
      `element ${i} sized to its content by its height messages (last: ${JSON.stringify(seen)})`,
  );
}

describe("the <async-vs-threads> element on a docs page of another origin", () => {
  test("each element creates, sizes and runs its iframe; threads from Document-Isolation-Policy; theme", async () => {
    const body = `
<async-vs-threads model="async" tasks="3" delay="300" view="run" theme="auto"></async-vs-threads>
<p>Threads next:</p>
<async-vs-threads model="threads" tasks="4" delay="200" threads="2" view="full" theme="dark"></async-vs-threads>
<async-vs-threads model="sequential" tasks="2" delayMs="100" nonsense="1" class="x"></async-vs-threads>`;
    pages["docs.html"] = embedPage(isolated.url, body);
    const page = await open(browser, `${crossSite.url}docs.html`, {
      viewport: { width: 1280, height: 4000 },
    });
    assert.equal(await page.evaluate(() => crossOriginIsolated), false, "an ordinary host page");
    const count = await page.locator("async-vs-threads").count();
    assert.equal(count, 3);
    // The view: "run" unless asked for, or "factor" when a row is named without one.
    const views = await page.evaluate(() =>
      [{}, { factor: "errors" }, { factor: "errors", view: "full" }].map((attrs) => {
        const el = document.createElement("async-vs-threads");
        for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
        return el.view;
      }),
    );
    assert.deepEqual(views, ["run", "factor", "full"]);
    for (let i = 0; i < count; i++) {
      const frame = await elementFrame(page, i);
      const attrs = await page.evaluate((i) => {
        const el = document.querySelectorAll("async-vs-threads")[i];
        const f = el.frame;
        return {
          loading: f.getAttribute("loading"),
          allow: f.allow,
          title: f.title,
          src: f.src,
          version: el.dataset.version,
          link: el.shadowRoot.querySelector("a")?.textContent,
        };
      }, i);
      // Made when near, loaded at once (a lazy iframe in WebKit waits until it is in view).
      assert.equal(attrs.loading, null, "no loading attribute");
      assert.equal(attrs.allow, "cross-origin-isolated");
      assert.ok(attrs.title.length > 10, "the iframe has a title");
      assert.equal(attrs.version, CARGO_VERSION);
      assert.equal(attrs.link, "Open in the playground");
      const src = new URL(attrs.src);
      assert.equal(src.origin, new URL(isolated.url).origin);
      assert.equal(src.searchParams.get("embed"), "1");

      // Threads inside an ordinary page of another site: the server's Document-Isolation-Policy.
      const caps = await ready(frame, `element ${i}`);
      assert.equal(caps.crossOriginIsolated, true, `element ${i} is isolated`);
      assert.equal(caps.threads, true, caps.reason);

      // Sized from its own height messages: the iframe is as tall as the embed's content. In
      // view, as a reader would see it: Chromium stops rendering a cross-origin frame far out of
      // view, and so its resize observer, until it comes back.
      await page.evaluate(
        (i) => document.querySelectorAll("async-vs-threads")[i].scrollIntoView(),
        i,
      );
      await sized(page, frame, i);
    }
    const frames = await Promise.all([0, 1, 2].map((i) => elementFrame(page, i)));
    // Options by name and by alias reach the embed; other attributes do not.
    const third = new URL(
      await page.evaluate(() => document.querySelectorAll("async-vs-threads")[2].frame.src),
    );
    assert.equal(third.searchParams.get("delayMs"), "100");
    assert.equal(third.searchParams.get("nonsense"), null);
    assert.equal(third.searchParams.get("class"), null);
    assert.equal(await frames[2].inputValue("#delay"), "100");

    // Each run as a reader starts it: with its element in view, once the page stops moving and the
    // frame has drawn where it now is (runFromUi waits for that). A run makes its embed taller a
    // moment after its row appears (its next height message), which moves the elements below it:
    // a click aimed at one of them meanwhile would land on the one above.
    const show = async (i) => {
      for (let j = 0; j < frames.length; j++) await sized(page, frames[j], j);
      await page.evaluate(
        (i) => document.querySelectorAll("async-vs-threads")[i].scrollIntoView(),
        i,
      );
    };
    await show(0);
    const [a] = await runFromUi(frames[0], "async", { tasks: 3, delay: 300 });
    assert.ok(Number(a.elapsedMs) >= 299 && Number(a.elapsedMs) < 1500, `async ${a.elapsedMs}`);
    await show(1);
    const [t] = await runFromUi(frames[1], "threads", { tasks: 4, delay: 200, threads: 2 });
    assert.ok(Number(t.elapsedMs) >= 399 && Number(t.elapsedMs) < 2000, `threads ${t.elapsedMs}`);
    await show(2);
    const [s] = await runFromUi(frames[2], "sequential", { tasks: 2, delay: 100 });
    assert.ok(Number(s.elapsedMs) >= 199, `sequential ${s.elapsedMs}`);

    // theme="dark" fixes the embed's colours; theme="auto" follows the host page, also when its
    // own theme switch changes.
    const bg = (frame) => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await frames[1].evaluate(() => document.documentElement.dataset.theme), "dark");
    assert.equal(await bg(frames[1]), "rgb(13, 17, 23)");
    assert.equal(await frames[0].evaluate(() => document.documentElement.dataset.theme), "light");
    await page.evaluate(() => (document.body.style.background = "#111"));
    await frames[0].waitForFunction(() => document.documentElement.dataset.theme === "dark", null, {
      polling: 100,
    });
    assert.equal(await bg(frames[0]), "rgb(13, 17, 23)");
    assertClean(page);
    await page.context().close();
  });

  test("five elements: below the fold nothing loads; none run, zero workers; the idle embed's memory", async () => {
    const spacer = '<div style="height: 3000px"></div>';
    const body = [1, 2, 3, 4, 5]
      .map((n) => `<async-vs-threads model="all" tasks="${n}" delay="100"></async-vs-threads>`)
      .join(spacer);
    pages["five.html"] = embedPage(isolated.url, body);
    const page = await open(browser, `${crossSite.url}five.html`, {
      viewport: { width: 1280, height: 800 },
    });
    await ready(await elementFrame(page, 0), "element 0");
    const built = () =>
      page.evaluate(() => [...document.querySelectorAll("async-vs-threads")].map((e) => !!e.frame));
    assert.deepEqual(await built(), [true, false, false, false, false]);
    const embedLoads = page.requests.filter((u) => u.includes("embed=1")).length;
    assert.equal(embedLoads, 1, "only the element in view loaded its page");
    // By URL: the frame's service worker may answer the page's request for the module with a
    // request of its own (the offline cache's network first, scripts/offline-sw.js), and both
    // are listed.
    const engines = new Set(page.requests.filter((u) => u.endsWith("_bg.wasm")));
    assert.equal(engines.size, 1, "one engine loaded, the visible element's");

    for (let i = 1; i < 5; i++) {
      await page.evaluate(
        (i) => document.querySelectorAll("async-vs-threads")[i].scrollIntoView(),
        i,
      );
      await elementFrame(page, i);
    }
    assert.deepEqual(await built(), [true, true, true, true, true]);
    const idle = [];
    for (let i = 0; i < 5; i++) {
      const frame = await elementFrame(page, i);
      const caps = await ready(frame, `element ${i}`);
      assert.equal(caps.threads, true, "threads are available, and yet not started");
      idle.push(
        await frame.evaluate(() => ({
          ...window.playground.stats(),
          jsHeap: /** @type {any} */ (performance).memory?.usedJSHeapSize ?? null,
        })),
      );
    }
    assert.deepEqual(
      idle.map((s) => s.workers),
      [0, 0, 0, 0, 0],
      "no embed started a worker",
    );
    assert.equal(page.workers().length, 0, "no dedicated worker in the page or its frames");
    const mb = (b) => (b / 2 ** 20).toFixed(1);
    console.log(
      `idle embed: wasm memory ${mb(idle[0].wasmMemoryBytes)} MB (${mb(idle[0].heapBytes)} MB in use), ` +
        `JS heap ${idle[0].jsHeap === null ? "n/a" : `${mb(idle[0].jsHeap)} MB`}, 0 workers`,
    );
    assertClean(page);
    await page.context().close();
  });
});

describe("threads inside embeds on a static host (service worker)", () => {
  // Chromium (156, as readers have it) lets an iframe register a service worker whatever site
  // the page around it is on: an embed on another site gets one too, in storage partitioned by
  // that site. (Playwright's default launch switches turn that partitioning off, and Chromium
  // then refused the worker to a cross-site embed: a refusal of the test browser, not of
  // Chromium.)
  for (const { site, name } of [
    { site: () => sameSite, name: "same site, another origin" },
    { site: () => crossSite, name: "another site" },
  ]) {
    test(`${name}: the embed's service worker adds Document-Isolation-Policy; one reload, then threads, and fetch through the worker`, async () => {
      const file = `static-${name.replaceAll(/\W+/g, "-")}.html`;
      const body = `<async-vs-threads model="threads" tasks="4" delay="200" threads="2"></async-vs-threads>`;
      pages[file] = embedPage(plain.url, body);
      const page = await open(browser, null);
      const navigations = [];
      page.on(
        "request",
        (r) => r.isNavigationRequest() && r.url().includes("embed=1") && navigations.push(r.url()),
      );
      await page.goto(`${site().url}${file}`);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false, "an ordinary host page");
      const frame = await elementFrame(page, 0);
      const caps = await until(async () => {
        const c = await ready(frame, "the embed").catch(() => null);
        return c?.crossOriginIsolated ? c : null;
      }, "the embed's reload into isolation");
      assert.equal(caps.threads, true, caps.reason);
      assert.equal(caps.fetchAnsweredBy, "service worker", caps.fetchReason);
      assert.equal(navigations.length, 2, "one reload");
      const [t] = await runFromUi(await elementFrame(page, 0), "threads", {
        tasks: 4,
        delay: 200,
        threads: 2,
      });
      assert.ok(t.elapsedMs >= 399 && t.elapsedMs < 2000, `threads ${t.elapsedMs}`);
      // Answered inside the browser: no 6-connection cap.
      const f = await apiRun(frame, { model: "async", tasks: 100, delay: 300, workload: "fetch" });
      assert.equal(f.finished, 100);
      assert.equal(f.answeredBy, "service worker");
      assert.ok(f.requestsPeak > 6, `requests under way at once: ${f.requestsPeak}`);
      assert.ok(f.elapsedMs >= 299 && f.elapsedMs < 3000, `fetch ${f.elapsedMs}`);
      console.log(
        `${name}: threads 4 x 200 ms on 2: ${Math.round(t.elapsedMs)} ms; ` +
          `async fetch 100 x 300 ms: ${Math.round(f.elapsedMs)} ms, ${f.requestsPeak} at once`,
      );
      assertClean(page);
      await page.context().close();
    });
  }

  test("another site, service workers blocked (a setting): the embed says why in one sentence and runs threads of separate memory", async () => {
    const body = `<async-vs-threads model="async" tasks="3" delay="200"></async-vs-threads>`;
    pages["static-blocked.html"] = embedPage(plain.url, body);
    const page = await open(browser, `${crossSite.url}static-blocked.html`, {
      serviceWorkers: "block",
    });
    const frame = await elementFrame(page, 0);
    const caps = await ready(frame, "the embed");
    assert.deepEqual([caps.threads, caps.memory], [true, "separate"]);
    assert.equal(caps.crossOriginIsolated, false);
    assert.match(caps.reason, /refused it the service worker/);
    assert.equal(caps.reason.split(/[.!?]\s/).length, 1, "one sentence");
    assert.equal(await frame.textContent("#threads-off"), caps.reason);
    assert.equal(caps.fetch, false, "nothing answers the fetch workload on a static host");
    // The engine's sentence (src/params/no_fetch.rs) names this refusal, not another.
    assert.match(caps.fetchReason, /this browser refused this embed a service worker/);
    assert.equal(caps.fetchReason.split(/[.!?]\s/).length, 1, "one sentence");
    const [a] = await runFromUi(frame, "async", { tasks: 3, delay: 200 });
    assert.ok(a.elapsedMs >= 199 && a.elapsedMs < 1500, `async ${a.elapsedMs}`);
    assertClean(page);
    await page.context().close();
  });
});

describe("the page's side", () => {
  test("the embed view paints before it downloads its engine, and its pool waits for a threads run; the full page's pool does not", async () => {
    // What the page loaded when, from its own Resource and Paint Timing.
    const timing = (page) =>
      page.evaluate(async () => {
        await window.playground.ready;
        const fcp = performance.getEntriesByName("first-contentful-paint")[0];
        const wasm = performance
          .getEntriesByType("resource")
          .find((e) => e.name.endsWith("_bg.wasm"));
        return {
          fcp: fcp?.startTime,
          wasm: wasm?.startTime,
          poolOnDemand: window.playground.capabilities.poolOnDemand,
        };
      });
    const embed = await open(browser, `${isolated.url}?embed=1&view=run`);
    const e = await timing(embed);
    assert.ok(e.fcp > 0 && e.wasm > 0, JSON.stringify(e));
    assert.equal(e.poolOnDemand, true);
    // The engine waits for the first paint, or 500 ms at most (engine.js's firstPaint).
    assert.ok(
      e.wasm >= Math.min(e.fcp, 500),
      `engine asked for at ${e.wasm} ms, first paint at ${e.fcp} ms`,
    );
    assertClean(embed);
    await embed.context().close();
    const full = await open(browser, isolated.url);
    const f = await timing(full);
    assert.ok(f.wasm > 0, JSON.stringify(f));
    assert.equal(f.poolOnDemand, false);
    assertClean(full);
    await full.context().close();
  });

  test("Copy embed code: the chosen view, as the element (one line after the script) and as an iframe", async () => {
    const page = await open(browser, `${isolated.url}?model=threads&tasks=5&delay=100`, {
      permissions: ["clipboard-read", "clipboard-write"],
    });
    await ready(page, "the page");
    await page.selectOption("#embed-view", "full");
    await page.click("#copy-embed");
    await page.waitForSelector("#share-alternative:not([hidden])");
    const code = await page.inputValue("#share-text");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
    const [script, element] = code.split("\n");
    assert.equal(script, `<script type="module" src="${isolated.url}embed.js"></script>`);
    assert.match(element, /^<async-vs-threads view="full" [^<>]*><\/async-vs-threads>$/);
    assert.match(element, / model="threads"/);
    assert.match(element, / tasks="5"/);
    const iframe = await page.inputValue("#share-iframe");
    const src = new URL(iframe.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&"));
    assert.equal(src.searchParams.get("view"), "full");
    assert.equal(src.searchParams.get("tasks"), "5");
    assert.match(iframe, /loading="lazy" allow="cross-origin-isolated"/);

    // view=factor names one row of the comparison table, chosen among the page's own.
    const keys = await page.$$eval("[data-factor]", (els) => els.map((e) => e.dataset.factor));
    assert.ok(keys.length > 0, "the page has a comparison table");
    await page.selectOption("#embed-view", "factor");
    await page.selectOption("#embed-factor", keys.at(-1));
    await page.click("#copy-embed");
    await page.waitForFunction(() =>
      document.getElementById("share-text").value.includes('view="factor"'),
    );
    const factorCode = await page.inputValue("#share-text");
    assert.match(
      factorCode,
      new RegExp(`<async-vs-threads view="factor" factor="${keys.at(-1)}" `),
    );
    const factorFrame = new URL(
      (await page.inputValue("#share-iframe")).match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&"),
    );
    assert.equal(factorFrame.searchParams.get("factor"), keys.at(-1));

    // The copied code works as it is on a docs page.
    pages["copied.html"] = embedPage(isolated.url, element);
    const docs = await open(browser, `${crossSite.url}copied.html`);
    const frame = await elementFrame(docs, 0);
    assert.equal(await frame.inputValue("#tasks"), "5");
    assert.equal(new URL(frame.url()).searchParams.get("view"), "full");
    assertClean(docs);
    await docs.context().close();
    assertClean(page);
    await page.context().close();
  });

  test("oEmbed: discoverable from the page, valid JSON of type rich; the version in the footer; licences shipped", async () => {
    const page = await open(browser, isolated.url);
    const href = await page.getAttribute(
      'link[rel="alternate"][type="application/json+oembed"]',
      "href",
    );
    const response = await page.request.get(new URL(href, isolated.url).href);
    assert.equal(response.status(), 200);
    const oembed = await response.json();
    assert.equal(oembed.version, "1.0");
    assert.equal(oembed.type, "rich");
    assert.ok(oembed.title && oembed.provider_name);
    assert.ok(Number.isInteger(oembed.width) && Number.isInteger(oembed.height));
    const iframe = oembed.html.match(/^<iframe src="([^"]+)" [^<>]*><\/iframe>$/);
    assert.ok(iframe, oembed.html);
    assert.match(iframe[1], /embed=1/);
    assert.match(oembed.html, /allow="cross-origin-isolated"/);

    await page.waitForFunction(() => document.getElementById("version").textContent !== "");
    assert.equal(await page.textContent("#version"), CARGO_VERSION);
    const notices = await page.request.get(`${isolated.url}vendor/THIRD-PARTY-NOTICES.txt`);
    const text = await notices.text();
    for (const lib of ["highlightjs", "wasm-feature-detect", "coi-serviceworker"]) {
      assert.match(text, new RegExp(`==== @?${lib}`));
    }
    assert.match(text, /Permission is hereby granted/);
    assert.match(text, /Redistribution and use in source and binary forms/);
    assert.match(text, /Apache License/);
    const embed = await page.evaluate(async () => {
      const { AsyncVsThreads } = await import("./embed.js");
      return AsyncVsThreads.version;
    });
    assert.equal(embed, CARGO_VERSION);
    assertClean(page);
    await page.context().close();
  });
});

describe("export a run", () => {
  test("trace(record) of a threads run: one X event per task, lanes as tid; DevTools' trace engine reads it; the buttons download it and the CSV", async () => {
    const page = await open(browser, isolated.url);
    await ready(page, "the page");
    const summary = await page.evaluate(async () => {
      const r = await window.playground.run({ model: "threads", tasks: 8, delay: 100, threads: 2 });
      const t = await window.playground.trace(r);
      return { trace: t, lanes: r.lanes, tasks: r.tasks, spanLane: [...r.spanLane] };
    });
    const { traceEvents } = summary.trace;
    const tasks = traceEvents.filter((e) => e.ph === "X" && e.name.startsWith("task "));
    assert.equal(tasks.length, 8, "one X event per task");
    assert.deepEqual(
      tasks.map((e) => e.tid).sort(),
      summary.spanLane.slice().sort(),
      "each task's tid is its lane",
    );
    assert.ok(tasks.every((e) => e.pid === 1 && e.dur >= 99_000 && e.dur < 2_000_000));
    const names = traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name");
    for (const lane of summary.lanes) {
      assert.ok(
        names.some((n) => n.tid === lane.lane && n.args.name === lane.label),
        `thread_name for ${lane.label}`,
      );
    }

    // The DevTools performance panel's own trace engine, from npm (its analyze-trace module
    // first gives Node the DOMRect the engine expects).
    await import("@paulirish/trace_engine/analyze-trace.mjs");
    const Trace = await import("@paulirish/trace_engine/models/trace/trace.js");
    const model = Trace.TraceModel.Model.createWithAllHandlers();
    await model.parse(traceEvents);
    const parsed = model.parsedTrace();
    const threads = [...(parsed.data ?? parsed).Renderer.processes.values()].flatMap((p) => [
      ...p.threads.values(),
    ]);
    for (const lane of summary.lanes) {
      const thread = threads.find((t) => t.name === lane.label);
      assert.ok(thread, `the trace engine sees ${lane.label}`);
      const expected = summary.spanLane.filter((l) => l === lane.lane).length;
      assert.equal(thread.entries.filter((e) => e.name.startsWith("task ")).length, expected);
    }

    // The page's buttons: the trace of the last action and the CSV of the results table.
    await page.waitForSelector("#download-trace:not([disabled])");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#download-trace"),
    ]);
    assert.match(download.suggestedFilename(), /\.trace\.json$/);
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.equal(saved.traceEvents.filter((e) => e.ph === "X").length, 8);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
    const lines = (await readFile(await csv.path(), "utf8")).trim().split("\r\n");
    assert.equal(lines[0].split(",")[0], "model");
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^threads,sleep,8,100,2,/);
    assertClean(page);
    await page.context().close();
  });

  test("a GIL run's waits are events of their own; a million-task trace is built in slices, giving the page back", async () => {
    const page = await open(browser, source.url);
    await ready(page, "the page");
    const gil = await page.evaluate(async () => {
      const r = await window.playground.run({
        model: "threads",
        tasks: 4,
        delay: 50,
        threads: 2,
        workload: "cpu",
        gil: true,
      });
      const t = await window.playground.trace(r);
      return {
        waits: r.waitLane.length,
        events: t.traceEvents.filter((e) => e.name === "waiting for the GIL"),
      };
    });
    assert.ok(gil.waits > 0, "the run waited for the GIL");
    assert.equal(gil.events.length, gil.waits);
    assert.ok(gil.events.every((e) => e.ph === "X" && e.tid >= 1));

    const big = await page.evaluate(async () => {
      const r = await window.playground.run({ model: "async", tasks: 1_000_000, delay: 0 });
      // A 0 ms timer ticking while the export works: it only runs when the page gets a turn.
      let turns = 0;
      const ticker = setInterval(() => turns++, 0);
      const { traceBlob } = await import("./trace.js");
      const blob = await traceBlob(r);
      clearInterval(ticker);
      const head = await blob.slice(0, 40).text();
      return { size: blob.size, turns, head, tasks: r.spanId.length };
    });
    assert.equal(big.tasks, 1_000_000);
    assert.ok(big.size > 50_000_000, `${big.size} bytes`);
    assert.match(big.head, /^\{"displayTimeUnit":"ms","traceEvents":\[/);
    assert.ok(big.turns >= 10, `the page had ${big.turns} turns during the export`);
    assertClean(page);
    await page.context().close();
  });
});
