// Shared test harness: starts the project's server (isolated or not) on a free port, launches
// Debian's Chromium through playwright-core as readers have it (none of playwright's own
// switches), opens pages that fail the test on any page error or console error, and the small
// helpers every end-to-end file uses (polling with a reason, a page's capabilities, runs from
// the UI or the API, documentation sites that embed the page).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/**
 * Every switch the tests and the bench start Chromium with, and why; nothing else changes what a
 * page can do. Dropped on purpose, because a reader's browser has none of them: playwright's own
 * defaults (`--disable-features=...,ThirdPartyStoragePartitioning,...`,
 * `--disable-background-timer-throttling`, `--disable-backgrounding-occluded-windows`,
 * `--disable-renderer-backgrounding`, `--disable-back-forward-cache`,
 * `--disable-field-trial-config`, `--hide-scrollbars`, `--blink-settings=...` and more), which
 * refused a cross-site embed its service worker and kept hidden tabs from being throttled.
 * Measured on this machine (Chromium 156, 2026-12-07): it starts, without a GPU, with only
 * `--headless --no-sandbox`; `--disable-gpu` is not needed (the GPU process falls back to
 * software as on any GPU-less reader's machine). /usr/bin/chromium is Debian's wrapper script,
 * which adds Debian's own switches (/etc/chromium.d): the browser as Debian's readers have it.
 */
export const CHROMIUM_ARGS = [
  // No display on these machines. (Since Chromium 132 this is the new headless mode, the
  // browser itself, not the old headless shell.)
  "--headless",
  // The tests run as root, and Chromium refuses to start its sandbox as root.
  "--no-sandbox",
  // The network is closed but for the package registries: these turn off background services
  // that only talk to Google's servers (sync, component updates and other background fetches).
  // Measured with strace, an idle browser looked up accounts.google.com, update.googleapis.com,
  // redirector.gvt1.com and clients2.google.com 56 times in 25 s without them, 45 with them
  // (noisy: the resolver's retries). None changes what a page can do. (--disable-quic and
  // --no-first-run, once kept too, made no difference that the noise did not: left out.)
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * What playwright-core itself needs when its defaults are dropped (`ignoreDefaultArgs: true`
 * passes nothing of its own): the pipe it talks to the browser over, a profile folder of the
 * browser's own (else the machine's shared ~/.config/chromium), and no startup window (it opens
 * its own contexts and pages; a startup window would be a stray tab).
 */
const PLAYWRIGHT_NEEDS = (profile) => [
  "--remote-debugging-pipe",
  `--user-data-dir=${profile}`,
  "--no-startup-window",
];

/**
 * Starts scripts/serve.mjs; resolves to `{ url, close }` (the URL ends in the server's prefix).
 * `args` are more of its options, e.g. `["--plain", "--prefix", "/docs/"]`. The tests run dist/,
 * the page as users get it (bundled by scripts/dist.mjs); `root: "www"` serves the source modules
 * one by one, for a test of one of them.
 */
export async function startServer({ isolation = true, root = "dist", args: extra = [] } = {}) {
  if (root === "dist" && !existsSync("dist/index.html")) {
    throw new Error("dist/ is missing: run ./build.sh dist first (./build.sh test does)");
  }
  const args = ["scripts/serve.mjs", "--root", root, "--port", "0", ...extra];
  if (!isolation) args.push("--no-isolation");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  while (!/on (http:\/\/\S+\/)/.test(out)) {
    const [chunk] = await Promise.race([
      once(child.stdout, "data"),
      once(child, "exit").then(() => {
        throw new Error(`server exited: ${out}`);
      }),
    ]);
    out += chunk;
  }
  const url = out.match(/on (http:\/\/\S+\/)/)[1];
  return {
    url,
    child,
    close: () => child.kill(),
  };
}

/**
 * Launches Debian's Chromium with CHROMIUM_ARGS and nothing of playwright's own; `args` are more
 * switches for one test (e.g. `--host-resolver-rules=...`). The one launch the tests and the
 * bench use. Its profile folder goes when the browser does.
 */
export async function launch({ args = [] } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "playground-chromium-"));
  const removeProfile = () => rm(profile, { recursive: true, force: true, maxRetries: 5 });
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      ignoreDefaultArgs: true,
      args: [...CHROMIUM_ARGS, ...args, ...PLAYWRIGHT_NEEDS(profile)],
    });
  } catch (e) {
    await removeProfile();
    throw e;
  }
  browser.on("disconnected", () => removeProfile().catch(() => {}));
  return browser;
}

/**
 * Registers the test file's hooks for what most files share: before the first test, a browser
 * (launch) and the project's server (startServer, given `options`); after the last, both closed.
 * With `page: true`, also one page of the server, its engine (and pool) ready, shared by the
 * file's tests and checked clean at the end. Returns `{ browser, server, page, caps, fresh }`,
 * filled in before the first test; `fresh(path, options)` opens a new page of the server at
 * `path` (open's options) and resolves to it once its engine is ready.
 */
export function chromiumSuite({ page = false, ...options } = {}) {
  const env = { browser: null, server: null, page: null, caps: null };
  env.fresh = async (path = "", options) => {
    const fresh = await open(env.browser, env.server.url + path, options);
    await ready(fresh);
    return fresh;
  };
  before(async () => {
    [env.browser, env.server] = await Promise.all([launch(), startServer(options)]);
    if (page) {
      env.page = await open(env.browser, env.server.url);
      env.caps = await ready(env.page);
    }
  });
  after(async () => {
    if (env.page) assertClean(env.page);
    await env.browser?.close();
    env.server?.close();
  });
  return env;
}

/**
 * Opens `url` in a fresh context of `browser` (`options` go to newContext; no navigation when
 * `url` is null). Collects on the page: `problems` (page errors, console errors of the page, its
 * frames and its workers, CSP violations in any frame; see assertClean), `requests` (every URL
 * the context asked for, workers included) and `loads` (navigation requests of the main frame).
 */
export async function open(browser, url, { colorScheme = "light", ...options } = {}) {
  const context = await browser.newContext({ colorScheme, ...options });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const page = await context.newPage();
  page.problems = [];
  page.requests = [];
  page.loads = 0;
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push(`console.error: ${msg.text()}`);
  });
  // The page's workers (the thread pool, processes) print to consoles of their own.
  page.on("worker", (worker) =>
    worker.on("console", (msg) => {
      if (msg.type() === "error") page.problems.push(`worker console.error: ${msg.text()}`);
    }),
  );
  context.on("request", (r) => page.requests.push(r.url()));
  // Navigation requests, not "framenavigated", which history.replaceState (the form's) fires too.
  page.on("request", (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) page.loads++;
  });
  if (url) await page.goto(url);
  return page;
}

export function assertClean(page) {
  if (page.problems.length) {
    throw new Error(`page reported problems:\n${page.problems.join("\n")}`);
  }
}

/**
 * Polls `fn` (every 100 ms, from Node: nothing in the page has to run for it) until it returns
 * something truthy, and resolves to that; after `ms`, even if a call of `fn` is still pending,
 * fails saying what it waited for: `what`, or what the function `what` returns then.
 */
export async function until(fn, what, ms = 30_000) {
  const end = Date.now() + ms;
  const late = Symbol("late");
  for (;;) {
    let timer;
    const deadline = new Promise((r) => (timer = setTimeout(r, end - Date.now(), late)));
    const value = await Promise.race([fn(), deadline]).finally(() => clearTimeout(timer));
    if (value && value !== late) return value;
    if (Date.now() >= end) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Errors of an evaluate whose document went away (a reload, the service worker's among them). */
const GONE = /Execution context was destroyed|navigat|detached|Cannot find context/i;

/**
 * Waits for the engine of a page or frame and, on a full page with threads, for its worker pool
 * too (which starts after the engine is ready; an embed starts it on demand); resolves to
 * window.playground.capabilities. Waits out a reload (the service worker's) and a document whose
 * modules have not yet defined window.playground; on timeout says what it was still waiting for
 * (`what` names the page or frame). A rejected `ready` fails at once with its error.
 */
export async function ready(target, what = "the page") {
  let last = "a document to evaluate in";
  const check = async () => {
    if (!window.playground) return { wait: "the page's modules to define window.playground" };
    const within = (promise) =>
      Promise.race([promise.then(() => true), new Promise((r) => setTimeout(r, 1000, false))]);
    if (!(await within(window.playground.ready))) return { wait: "window.playground.ready" };
    const { threads, poolOnDemand } = window.playground.capabilities;
    if (threads && !poolOnDemand && !(await within(window.playground.threadsReady))) {
      return { wait: "the worker pool (window.playground.threadsReady)" };
    }
    // Read once the pool has started: its start-up time is among them.
    return { caps: { ...window.playground.capabilities } };
  };
  return until(
    () =>
      target.evaluate(check).then(
        ({ wait, caps }) => {
          last = wait;
          return caps;
        },
        (e) => {
          if (!GONE.test(e.message)) throw e;
          last = `a new document (${e.message.split("\n")[0]})`;
          return null;
        },
      ),
    () => `${what}'s engine to be ready; last waiting for ${last}`,
  );
}

/**
 * Resolves once an embedded frame has drawn twice where it now is, as a reader sees it before
 * clicking. Chromium sends a click over a cross-site frame to that frame by what the frame last
 * drew; one that has just come into view (it draws nothing while far out of view) has not drawn
 * there yet, and a click meanwhile goes to the page around it, though the frame's own layout
 * already has the button under the pointer (seen in tests/e2e/embeds.test.mjs: the page's
 * element got the click, the frame none).
 */
export async function drawn(frame) {
  const twice = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await until(
    () => frame.evaluate(twice).then(() => true),
    `${frame.url()} to draw two frames before the click (is it in view?)`,
  );
}

/**
 * Fills the form of a page or frame (only the fields given), clicks a Run button and resolves to
 * the new result rows' data, newest first. `rows` defaults to 3 for "all", else 1.
 */
export async function runFromUi(target, model, { tasks, delay, threads, rows } = {}) {
  const before = await target.locator("#results tbody tr").count();
  if (tasks !== undefined) await target.fill("#tasks", String(tasks));
  if (delay !== undefined) await target.fill("#delay", String(delay));
  if (threads !== undefined) await target.fill("#threads", String(threads));
  const button = `button[data-model="${model}"]`;
  if (target.parentFrame?.()) await drawn(target);
  // Counted by the page, so that a click that never reached the button says so.
  await target.$eval(button, (b) => {
    if (b.dataset.clicks !== undefined) return; // counted since an earlier run of this page
    b.dataset.clicks = "0";
    b.addEventListener("click", () => (b.dataset.clicks = String(Number(b.dataset.clicks) + 1)));
  });
  await target.click(button);
  // A click the page never counted landed elsewhere: the frame moved under the pointer between
  // playwright's check that it stood still and the click (a neighbouring embed's height message;
  // seen once in a fresh-clone run of embeds.test). A reader clicks again; so does the test, once,
  // after the frame has drawn where it now is. A click that reached the button is never repeated.
  const counted = (m) =>
    document.querySelector(`button[data-model="${m}"]`)?.dataset.clicks !== "0";
  const reached = await target
    .waitForFunction(counted, model, { timeout: 2_000, polling: 50 })
    .then(
      () => true,
      () => false,
    );
  if (!reached) {
    if (target.parentFrame?.()) await drawn(target);
    await target.click(button);
  }
  const added = rows ?? (model === "all" ? 3 : 1);
  await target
    // Polled by time, not by animation frame: Chromium renders no frame for an iframe out of
    // view or a hidden page, and the run goes on there.
    .waitForFunction(
      (n) => document.querySelectorAll("#results tbody tr").length >= n,
      before + added,
      { timeout: 60_000, polling: 100 },
    )
    .catch(async (e) => {
      // Say what the page said instead of a row, so that a run that never ends explains itself.
      const page = await target.evaluate(
        (m) => ({
          rows: document.querySelectorAll("#results tbody tr").length,
          announced: document.getElementById("announce")?.textContent,
          status: document.getElementById("progress-text")?.textContent,
          errors: [...document.querySelectorAll(".error")]
            .map((x) => x.textContent)
            .filter(Boolean),
          progress: window.playground?.progress(),
          caps: window.playground?.capabilities,
          button: document.querySelector(`button[data-model="${m}"]`)?.disabled,
          clicks: document.querySelector(`button[data-model="${m}"]`)?.dataset.clicks,
          navigation: performance.getEntriesByType("navigation")[0]?.type,
          age: Math.round(performance.now()),
        }),
        model,
      );
      throw new Error(
        `timed out waiting for ${added} new result row(s) after clicking Run ${model}: ` +
          `${JSON.stringify(page)} (${e.message})`,
      );
    });
  await target.waitForFunction(() => document.getElementById("stop").disabled, null, {
    polling: 100,
  });
  return target.$$eval(
    "#results tbody tr",
    (trs, n) =>
      trs.slice(0, n).map((tr) => ({ ...tr.dataset, elapsedMs: Number(tr.dataset.elapsedMs) })),
    added,
  );
}

/**
 * In the page: runs `o` through the API and returns the record without its typed arrays, with
 * what tests read of them as plain values: span states, the lanes used, the spans, and the waits
 * (their kinds, lanes, count and total ms). Self-contained, for any engine's driver.
 */
export async function plainRun(o) {
  // Array.from, not spreads: Firefox's WebDriver scripts see the page's typed arrays through a
  // wrapper that forbids iterating them (and returning them), though it lets them be copied.
  const plain = (record) => {
    const copy = {};
    for (const [k, v] of Object.entries(record)) {
      copy[k] = typeof v?.BYTES_PER_ELEMENT === "number" ? Array.from(v) : v;
    }
    if (Array.isArray(record.runs)) copy.runs = record.runs.map(plain);
    return copy;
  };
  const r = plain(await window.playground.run(o));
  const { spanId, spanLane, spanRow, spanStart, spanEnd, spanState, ...rest } = r;
  return {
    ...rest,
    states: spanState,
    lanesUsed: Array.from(new Set(spanLane)),
    waits: r.waitStart.length,
    waitKinds: r.waitKind,
    waitLanes: r.waitLane,
    waitMs: r.waitStart.reduce((a, s, i) => a + r.waitEnd[i] - s, 0),
  };
}

/** Runs `options` through the API of `page`; resolves to the record as plainRun returns it. */
export function apiRun(page, options) {
  return page.evaluate(plainRun, options);
}

/**
 * A playwright page as the shared checks (behaviour-checks.mjs) reach it: `run(options)`,
 * `call(fn, ...args)` (a self-contained function, JSON arguments) and the page's `memory`.
 */
export const checkedPage = (page, memory) => ({
  memory,
  run: (options) => apiRun(page, options),
  call: (fn, ...args) => page.evaluate(`(${fn})(...${JSON.stringify(args)})`),
});

/**
 * The script of a documentation page that embeds the playground in an iframe: it sizes the
 * iframe from the embed's height messages, checking they come from the embed, and keeps them in
 * `window.heights` for the tests.
 */
export const HOST_JS = `
const frame = document.querySelector("iframe");
const origin = new URL(frame.src).origin;
window.heights = [];
window.addEventListener("message", (event) => {
  if (event.origin !== origin || event.source !== frame.contentWindow) return;
  if (event.data?.type !== "playground:height") return;
  window.heights.push(event.data.height);
  frame.height = String(event.data.height);
});
`;

/**
 * A documentation site, on another origin than the playground's: serves `pages` (name -> text;
 * a test may add pages later) at `http://<host>:<port>/`, with no isolation headers and no CSP as
 * most documentation sites, or with COOP/COEP when `isolated`, as a site that runs threads itself.
 * `host` "localhost" is another site than the playground's 127.0.0.1; "127.0.0.1" the same site,
 * another origin. `intercept(req, res)` may answer a request first (true when it did); `html`
 * rewrites every HTML page served. Resolves to `{ url, pages, close }`.
 */
export async function docsSite(
  pages = {},
  { host = "localhost", isolated = false, intercept = () => false, html = (text) => text } = {},
) {
  const server = createServer((req, res) => {
    if (intercept(req, res)) return;
    const name = new URL(req.url, "http://x").pathname.slice(1);
    const body = Object.hasOwn(pages, name) ? pages[name] : undefined;
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const headers = {
      "Content-Type": name.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8",
      "Cache-Control": "no-store",
    };
    if (isolated) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(name.endsWith(".html") ? html(body) : body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://${host}:${server.address().port}/`,
    pages,
    close: () => server.close(),
  };
}

/**
 * A page of a documentation site: a heading, a paragraph, then `body`; `head` is markup for its
 * head (scripts). `hostPage(snippet)` is one that sizes an embed's iframe with HOST_JS (as
 * host.js, which the site must serve).
 */
export const docsPage = (body, { head = "" } = {}) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Concurrency docs</title><link rel="icon" href="data:,">
${head}</head>
<body><main><h1>Concurrency, explained</h1><p>A paragraph about the event loop.</p>
${body}
</main></body>
</html>`;
export const hostPage = (snippet) =>
  docsPage(snippet, { head: '<script src="host.js" defer></script>' });

/**
 * Runs `fn()` while Chromium traces `page`; resolves to `{ result, tasks }`: what `fn` returned and
 * every task the page's main thread ran meanwhile, as `{ cpuMs, wallMs, startMs,
 * endMs }`. CPU time is what the page's own work costs; wall time also counts the moments the OS
 * ran other programs instead, which on a busy 2-core machine makes a 5 ms task take 80 ms. Start
 * and end are on the engine's clock (`performance.timeOrigin + performance.now()`, a record's
 * `startedAt`), so a test can pick the tasks that ran during a run. (A task still open when
 * tracing stopped has no CPU time and is left out.)
 */
export async function mainThreadTasks(browser, page, fn) {
  await browser.startTracing(page, {
    categories: ["toplevel", "disabled-by-default-devtools.timeline", "blink.user_timing"],
  });
  // A mark ties the trace's clock to the page's: its trace event carries both.
  const origin = await page.evaluate(() => {
    performance.mark("mainThreadTasks");
    performance.clearMarks("mainThreadTasks");
    return performance.timeOrigin;
  });
  const result = await fn();
  const trace = JSON.parse((await browser.stopTracing()).toString());
  const events = trace.traceEvents ?? trace;
  const mark = events.find((e) => e.name === "mainThreadTasks" && e.args?.data?.startTime != null);
  if (!mark) throw new Error("the trace has no mark to align its clock with the page's");
  const pageMs = (ts) => origin + mark.args.data.startTime + (ts - mark.ts) / 1000;
  // The page's main thread is the one that wrote the mark: the trace covers the whole browser,
  // whose other renderers (headless Chromium's own WebUI pages among them) have a CrRendererMain
  // thread too.
  const tasks = events
    .filter(
      (e) =>
        e.ph === "X" &&
        e.name === "RunTask" &&
        e.tdur !== undefined &&
        e.pid === mark.pid &&
        e.tid === mark.tid,
    )
    .map((e) => ({
      // One thread cannot compute longer than the task lasted, yet on this project's machines
      // the trace showed tasks of 0.7 ms with 12.3 ms of CPU: the thread clock misreads by
      // about 10 ms now and then, so a task counts at most its wall time.
      cpuMs: Math.min(e.tdur, e.dur) / 1000,
      wallMs: e.dur / 1000,
      startMs: pageMs(e.ts),
      endMs: pageMs(e.ts + e.dur),
    }));
  return { result, tasks };
}
