// Real documentation sites, and the embed matrix. A small MkDocs site (Material theme) and a small
// Sphinx site, built by their own tools (PyPI, pinned in tests/docs/requirements.txt, installed by
// ./build.sh test into target/docs-venv), each from the README's snippet for that tool taken from
// README.md as it is now (so the README cannot drift), with five elements: model="all", a threads
// one, view="factor", a fetch run, and one far below the fold. Each site is served on another site
// than the playground (localhost vs 127.0.0.1) and on the same site (127.0.0.1, another port),
// embedding the playground from both kinds of host: scripts/serve.mjs with its headers (as
// ./build.sh serve) and dist/ on a plain static host (--plain).
//
// For each engine (Chromium through playwright-core, Firefox ESR and WebKitGTK over WebDriver) x
// host x relation x tool, it records what a reader gets in each element: loaded, height settled,
// threads (shared or separate memory) or the reason, fetch (100 x 300 ms: elapsed and most
// requests in flight) or the reason; it asserts what must hold and writes the matrix into
// README.md between the embed-matrix markers, with the date and the browsers' versions.
// Any page, frame or worker error fails (the probe of webdriver.mjs in every HTML page, and
// Chromium's own events). Needs dist/ (./build.sh dist) and target/docs-venv (./build.sh test).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { docsSites } from "./docs-sites.mjs";
import { launch, open, until } from "./harness.mjs";
import { ENGINES, SKIPPED, inPage, missing, startEngine } from "./webdriver.mjs";

const README = "README.md";
const MARK_START = "<!-- embed-matrix:start -->";
const MARK_END = "<!-- embed-matrix:end -->";

// ---- what a reader gets in each element, the same script in every engine ----

/** In the docs page: the elements, whether each has its iframe, and its size. */
function elementsNow() {
  return [...document.querySelectorAll("async-vs-threads")].map((el) => ({
    frame: !!el.frame,
    sent: el.height,
    iframe: el.frame?.clientHeight ?? null,
    attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
  }));
}

/** In the docs page: scrolls element `i` into view. */
function show(i) {
  document.querySelectorAll("async-vs-threads")[i].scrollIntoView({ block: "center" });
  return true;
}

/** In the docs page: scrolls so that element `i` stands a quarter screen below the viewport. */
function approach(i) {
  const el = document.querySelectorAll("async-vs-threads")[i];
  scrollBy(0, el.getBoundingClientRect().top - innerHeight * 1.25);
  return true;
}

/** In the docs page: element `i`'s iframe as the page sees it, for a timeout's message. */
function frameOutside(i) {
  const frame = document.querySelectorAll("async-vs-threads")[i].frame;
  if (!frame) return { frame: null };
  const { top, bottom } = frame.getBoundingClientRect();
  let shows;
  try {
    shows = frame.contentWindow.location.href;
  } catch {
    shows = "a page of another origin";
  }
  return {
    src: frame.src,
    loading: frame.loading,
    shows,
    top: Math.round(top),
    bottom: Math.round(bottom),
    viewport: innerHeight,
    inView: bottom > 0 && top < innerHeight,
  };
}

/** In an element's page: its capabilities once the engine is ready (null until then). */
async function capsNow() {
  if (!window.playground || document.readyState !== "complete") return null;
  const ready = await Promise.race([
    window.playground.ready.then(() => true),
    new Promise((r) => setTimeout(r, 1000, false)),
  ]);
  if (!ready) return null;
  const c = window.playground.capabilities;
  return {
    threads: c.threads,
    memory: c.memory,
    reason: c.reason,
    fetch: c.fetch,
    fetchAnsweredBy: c.fetchAnsweredBy,
    fetchReason: c.fetchReason,
    isolated: globalThis.crossOriginIsolated === true,
  };
}

/** In an element's page whose engine is not ready: how far it got, for the timeout's message. */
function notReady() {
  return {
    url: location.href,
    readyState: document.readyState,
    playground: !!window.playground,
    controlled: !!navigator.serviceWorker?.controller,
    servedByWorker: window.coi?.servedByWorker ?? null,
    problems: window.__probe ?? null,
    resources: performance.getEntriesByType("resource").map((e) => e.name.split("/").pop()),
  };
}

/** In an element's page: its content's height, and whether it still scrolls. */
function sizeInside() {
  return {
    content: Math.ceil(document.documentElement.getBoundingClientRect().height),
    scrolls: document.documentElement.scrollHeight > innerHeight,
  };
}

/** In an element's page: one run of `options` through the API; the record's figures. */
async function runIn(options) {
  const r = await window.playground.run(options);
  return {
    elapsedMs: r.elapsedMs,
    finished: r.finished,
    peak: r.peakRequestsInFlight ?? r.requestsPeak ?? null,
    answeredBy: r.answeredBy ?? null,
  };
}

/** Chromium through playwright-core: the docs page and its elements' frames. */
function chromiumReader(browser) {
  let page;
  const frameOf = async (i) => {
    const handle = await page.evaluateHandle(
      (i) => document.querySelectorAll("async-vs-threads")[i].frame,
      i,
    );
    return handle.asElement()?.contentFrame();
  };
  return {
    async goto(url) {
      if (page) await page.context().close();
      page = await open(browser, null, { viewport: { width: 1280, height: 800 } });
      // Which URL a "Failed to load resource" console error was about.
      page.on("response", (r) => {
        if (r.status() >= 400) page.problems.push(`HTTP ${r.status()} ${r.url()}`);
      });
      await page.goto(url);
    },
    top: (fn, arg) => page.evaluate(fn, arg),
    async inFrame(i, fn, arg) {
      const frame = await frameOf(i);
      if (!frame) return null;
      return frame.evaluate(fn, arg);
    },
    problems: () => page.problems,
    close: () => page?.context().close(),
  };
}

/** Firefox or WebKitGTK over WebDriver: the same, switching into an element's frame per call. */
function webdriverReader(driver) {
  const call = (fn, arg) => inPage(driver, `return await (${fn})(args[0]);`, arg);
  return {
    async goto(url) {
      await driver.switchTo().defaultContent();
      await driver.get(url);
    },
    async top(fn, arg) {
      await driver.switchTo().defaultContent();
      return call(fn, arg);
    },
    async inFrame(i, fn, arg) {
      await driver.switchTo().defaultContent();
      const frame = await driver.executeScript(
        "return document.querySelectorAll('async-vs-threads')[arguments[0]].frame;",
        i,
      );
      if (!frame) return null;
      await driver.switchTo().frame(frame);
      try {
        return await call(fn, arg);
      } finally {
        await driver.switchTo().defaultContent();
      }
    },
    problems: () => [],
    close: async () => {},
  };
}

/** An error of a call into a document that went away (a reload) or is not there yet. */
const settling = (e) => {
  if (/assert/i.test(e?.name ?? "")) throw e;
  return null;
};

/**
 * Visits the docs page at `url` and measures each element as a reader gets it: scrolled into
 * view, one after the other. Resolves to one entry per element.
 */
async function measurePage(reader, url, label) {
  await reader.goto(url);
  const first = await until(
    () => reader.top(elementsNow).catch(settling),
    `${label}: the docs page's elements`,
  );
  assert.equal(first.length, 5, `${label}: five elements on the page`);
  // The last one is far below the fold: no iframe until a reader scrolls near it.
  assert.equal(first[4].frame, false, `${label}: the element below the fold waits`);
  const results = [];
  for (let i = 0; i < first.length; i++) {
    const attrs = first[i].attrs;
    const what = `${label}, element ${i} (${JSON.stringify(attrs)})`;
    const entry = { attrs, loaded: false, settled: false };
    results.push(entry);
    // The one below the fold as a reader scrolling down meets it: within a screen, not yet in
    // view. Its iframe must load there (a lazy one in WebKit stayed about:blank out of view).
    const near = i === first.length - 1;
    await reader.top(near ? approach : show, i);
    await until(
      async () => (await reader.top(elementsNow))[i].frame,
      `${what}: its iframe, once ${near ? "within a screen" : "in view"}`,
    );
    // Through the service worker's one reload where there is one: the engine of the document
    // that stays (coi.js keeps `ready` pending in the one about to reload).
    let last = null;
    let outside = null;
    entry.caps = await until(
      async () => {
        const caps = await reader.inFrame(i, capsNow).catch(settling);
        if (!caps) {
          last = await reader.inFrame(i, notReady).catch(settling);
          outside = await reader.top(frameOutside, i).catch(settling);
        }
        return caps;
      },
      () =>
        `${what}: its engine to be ready (the iframe from the page: ${JSON.stringify(outside)}; ` +
        `inside: ${JSON.stringify(last)})`,
      90_000,
    );
    entry.loaded = true;
    let seen;
    await until(
      async () => {
        await reader.top(show, i);
        const outside = (await reader.top(elementsNow))[i];
        const inside = await reader.inFrame(i, sizeInside).catch(settling);
        seen = { ...outside, attrs: undefined, ...inside };
        return inside && outside.sent === inside.content && outside.iframe === inside.content;
      },
      () => `${what}: the iframe sized to its content (last: ${JSON.stringify(seen)})`,
      60_000,
    );
    entry.settled = !seen.scrolls;
    entry.height = seen.content;
    // Each runs: the fetch element 100 x 300 ms where something answers fetch, the threads one
    // 4 x 300 ms on 2 threads where there are threads, the others 3 x 100 ms async.
    const caps = entry.caps;
    if (attrs.workload === "fetch") {
      if (caps.fetch) {
        entry.fetch = await reader.inFrame(i, runIn, {
          model: "async",
          workload: "fetch",
          tasks: 100,
          delay: 300,
        });
      }
    } else if (attrs.model === "threads" && caps.threads) {
      entry.run = await reader.inFrame(i, runIn, {
        model: "threads",
        tasks: 4,
        delay: 300,
        threads: 2,
      });
    } else {
      entry.run = await reader.inFrame(i, runIn, { model: "async", tasks: 3, delay: 100 });
    }
  }
  return results;
}

// ---- the suite ----

const readme = await readFile(README, "utf8");
const readers = ["chromium", ...ENGINES];
/** One row per engine x host x relation x tool, in the order measured. */
const matrix = [];
const versions = {};
let sites = {};
let close;

before(async () => {
  ({ sites, close } = await docsSites(readme));
});

after(async () => {
  await close?.();
  if (matrix.length) await writeMatrix();
});

for (const engine of readers) {
  const skip = SKIPPED.has(engine) ? `SKIP_ENGINES names ${engine}` : false;
  describe(`${engine}: MkDocs and Sphinx pages embedding the playground`, { skip }, () => {
    let reader, browser;
    before(async () => {
      if (engine === "chromium") {
        browser = await launch();
        versions.chromium = `Chromium ${browser.version()}`;
        reader = chromiumReader(browser);
      } else {
        const why = missing(engine);
        if (why) throw new Error(`${engine} cannot run here: ${why}; SKIP_ENGINES=${engine}`);
        browser = await startEngine(engine);
        const caps = await browser.driver.getCapabilities();
        versions[engine] =
          `${engine === "firefox" ? "Firefox ESR" : "WebKitGTK"} ${caps.get("browserVersion")}`;
        reader = webdriverReader(browser.driver);
      }
    });
    after(async () => {
      await reader?.close();
      await browser?.close();
    });

    for (const host of ["headers", "plain"]) {
      for (const relation of ["other site", "same site"]) {
        test(`${engine}, playground ${host === "headers" ? "with its headers" : "on a plain static host"}, docs on ${relation}: every element loads, sizes itself and runs`, async () => {
          const hostname = relation === "other site" ? "localhost" : "127.0.0.1";
          for (const tool of ["MkDocs", "Sphinx"]) {
            const site = sites[`${tool} ${host}`];
            for (const s of [site, site.host]) s.problems.length = 0;
            const label = `${engine}, ${tool}, ${host}, ${relation}`;
            const elements = await measurePage(reader, `http://${hostname}:${site.port}/`, label);
            matrix.push({ engine, host, relation, tool, elements });
            const problems = [...reader.problems(), ...site.problems, ...site.host.problems];
            assert.deepEqual(problems, [], `${label}: page, frame or worker errors`);
            check(engine, label, elements);
          }
        });
      }
    }
  });
}

/** What must hold, per engine; everything else is recorded in the matrix. */
function check(engine, label, elements) {
  for (const e of elements) {
    const what = `${label}, ${JSON.stringify(e.attrs)}`;
    assert.ok(e.loaded, `${what}: loaded`);
    assert.ok(e.settled, `${what}: sized to its content`);
    if (e.attrs.workload === "fetch") {
      if (e.fetch) assert.equal(e.fetch.finished, 100, `${what}: fetch finished`);
      else assert.ok(e.caps.fetchReason, `${what}: says why fetch is off`);
    } else {
      assert.ok(e.run?.finished > 0, `${what}: ran`);
    }
    if (!e.caps.threads || e.caps.memory !== "shared") {
      assert.ok(e.caps.reason, `${what}: says why threads are off or separate`);
    }
    // Every engine lets the embed have the page's service worker, on either site: Chromium
    // isolates the embed by Document-Isolation-Policy (the server's, or the worker's after one
    // reload); Firefox and WebKitGTK cannot isolate a frame, and the worker registers with no
    // reload. It answers fetch inside the browser, past the 6-connection cap (all 100 at once
    // unless the machine is too busy to send them within one delay: engines.test.mjs tries again).
    if (e.attrs.workload === "fetch") {
      assert.ok(e.fetch, `${what}: fetch runs (${e.caps.fetchReason})`);
      assert.equal(e.fetch.answeredBy, "service worker", `${what}: ${JSON.stringify(e.caps)}`);
      assert.ok(e.fetch.peak > 6, `${what}: ${e.fetch.peak} in flight`);
    }
    if (engine === "chromium") {
      assert.equal(e.caps.memory, "shared", `${what}: ${e.caps.reason}`);
    }
    if (engine === "firefox") assert.equal(e.caps.threads, true, `${what}: ${e.caps.reason}`);
  }
}

// ---- the matrix, into the README ----

const ms = (x) => `${Math.round(x)} ms`;

/** The reasons the table refers to, numbered in the order first met. */
const reasons = [];
const note = (reason) => {
  if (!reasons.includes(reason)) reasons.push(reason);
  return `(${reasons.indexOf(reason) + 1})`;
};

/** One table row per page: what its elements got, in a few words; reasons as numbered notes. */
function describeRow({ engine, host, relation, tool, elements }) {
  const loaded = elements.filter((e) => e.loaded).length;
  const settled = elements.filter((e) => e.settled).length;
  const t = elements.find((e) => e.attrs.model === "threads") ?? elements[0];
  const c = t.caps;
  const took =
    t.run && t.attrs.model === "threads" ? `, 4 × 300 ms on 2: ${ms(t.run.elapsedMs)}` : "";
  let threads;
  if (!c) threads = "not loaded";
  else if (c.threads && c.memory === "shared") threads = `shared memory${took}`;
  else if (c.threads) threads = `separate memory ${note(c.reason)}${took}`;
  else threads = `no ${note(c.reason)}`;
  const f = elements.find((e) => e.attrs.workload === "fetch");
  let fetch;
  if (!f?.caps) fetch = "not loaded";
  else if (f.fetch) {
    fetch = `${ms(f.fetch.elapsedMs)}, ${f.fetch.peak} in flight (${f.fetch.answeredBy ?? f.caps.fetchAnsweredBy})`;
  } else fetch = `no ${note(f.caps.fetchReason)}`;
  const cells = [
    versions[engine] ?? engine,
    host === "headers" ? "with headers" : "plain static",
    relation,
    tool,
    `${loaded}/${elements.length}`,
    `${settled}/${elements.length}`,
    threads,
    fetch,
  ];
  return `| ${cells.map((s) => String(s).replaceAll("|", "\\|")).join(" | ")} |`;
}

async function writeMatrix() {
  const date = new Date().toISOString().slice(0, 10);
  const skipped = readers.filter((e) => SKIPPED.has(e));
  const block = [
    MARK_START,
    `Measured ${date} by \`tests/e2e/docs.test.mjs\` (written by the test run, not by hand) with ` +
      `${Object.values(versions).join(", ")}` +
      `${skipped.length ? `; not run: ${skipped.join(", ")} (SKIP_ENGINES)` : ""}. ` +
      `Each page has five elements (\`model="all"\`, threads, \`view="factor"\`, a fetch run, ` +
      `one far below the fold); "host" is how the playground is served (\`scripts/serve.mjs\` ` +
      `with its headers, or \`dist/\` on a plain static host), "docs site" whether the docs ` +
      `page is on the same site as the playground (127.0.0.1, another port) or another ` +
      `(localhost). Threads as the threads element got them; fetch is 100 requests of 300 ms ` +
      `run in the fetch element; a number refers to the element's own sentence below the table.`,
    "",
    "| engine | host | docs site | tool | loaded | height settled | threads | fetch 100 × 300 ms |",
    "|---|---|---|---|---|---|---|---|",
    ...matrix.map(describeRow),
    "",
    "What the elements said, word for word:",
    "",
    ...reasons.map((r, i) => `${i + 1}. ${r}`),
    MARK_END,
  ].join("\n");
  const text = await readFile(README, "utf8");
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  if (start < 0 || end < 0) throw new Error(`README.md has no ${MARK_START} ... ${MARK_END} block`);
  await writeFile(README, text.slice(0, start) + block + text.slice(end + MARK_END.length));
}
