// Firefox and WebKit for the end-to-end tests, over W3C WebDriver: Debian's firefox-esr through
// geckodriver, and WebKitGTK's MiniBrowser through WebKitWebDriver (Debian's webkit2gtk-driver)
// on an X server (Xvfb), as ../shared/TOOLCHAIN-FACTS.md measured them.
//
// The client is selenium-webdriver: the Selenium project's own JavaScript binding, maintained by
// the people who edit the WebDriver specification, with few dependencies, and it drives any
// driver server it is given (`usingServer`), which is what WebKitWebDriver needs: neither
// Playwright (its WebKit is a patched build it downloads, which this network cannot) nor a
// Chromium-only protocol reaches Debian's WebKitGTK. Chromium keeps playwright-core (harness.mjs):
// its tests use what only a DevTools client has (blocking service workers, every request of a
// context, init scripts), and WebDriver offers no equivalent for most of it.
//
// WebDriver classic cannot run a script before the page's own, so console errors are collected by
// a probe that a small proxy in front of the server puts first into every HTML page: it records
// uncaught errors, unhandled rejections, console.error calls, failed resource loads and CSP
// violations, in the page (`window.__probe`) and, so that a page that reloads loses nothing, at
// the proxy. An error thrown in a worker and not caught there reaches its Worker object, where the
// probe's wrapper of Worker records it; one thrown in a worker's worker (the pool's threads are
// children of its starter) goes up the same way (behaviour.test.mjs proves both in each engine).
// Not seen here, unlike in Chromium: a worker's console.error and its unhandled rejections,
// which do not leave the worker.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { request as httpRequest, createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { Builder, until } from "selenium-webdriver";
import { docsSite, plainRun } from "./harness.mjs";

/** The engines this suite drives, by the names `SKIP_ENGINES` uses. */
export const ENGINES = ["firefox", "webkit"];

/** Engines named in env SKIP_ENGINES (comma or space separated): the only ones not run. */
export const SKIPPED = new Set((process.env.SKIP_ENGINES ?? "").split(/[\s,]+/).filter(Boolean));

const LOGS = "target/e2e-logs";

/** The MiniBrowser that Debian's libwebkit2gtk-4.1-0 installs in its library folder. */
export function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  for (const lib of ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]) {
    const path = `${lib}/webkit2gtk-4.1/MiniBrowser`;
    if (existsSync(path)) return path;
  }
  return null;
}

/** Whether `name` can run here, or why not (a sentence), checked before any test starts. */
export function missing(engine) {
  const onPath = (bin) =>
    (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/${bin}`));
  if (engine === "firefox") {
    if (!existsSync("/usr/bin/firefox-esr")) return "firefox-esr is not installed";
    if (!onPath("geckodriver")) return "geckodriver is not on PATH";
  } else {
    if (!onPath("WebKitWebDriver")) return "WebKitWebDriver (webkit2gtk-driver) is not installed";
    if (!miniBrowser()) return "WebKitGTK's MiniBrowser is not installed";
    if (!process.env.DISPLAY && !onPath("Xvfb")) return "no DISPLAY and Xvfb is not installed";
  }
  return null;
}

async function freePort() {
  const server = createNetServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/** Reads a child's stdout until `pattern` matches; rejects, saying what it waited for, if the
 * child exits first or `ms` pass. */
async function awaitOutput(child, pattern, what, ms = 30_000) {
  let out = "";
  child.stdout.setEncoding("utf8");
  const timer = AbortSignal.timeout(ms);
  while (!pattern.test(out)) {
    const [chunk] = await Promise.race([
      once(child.stdout, "data", { signal: timer }).catch(() => {
        throw new Error(`timed out after ${ms} ms waiting for ${what}; output: ${out}`);
      }),
      once(child, "exit").then(() => {
        throw new Error(`exited while waiting for ${what}; output: ${out}`);
      }),
    ]);
    out += chunk;
  }
  return out.match(pattern);
}

/** An X server for WebKitGTK when none is given: Xvfb picks a free display and says which. */
async function xvfb() {
  const child = spawn(
    "Xvfb",
    ["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const [, display] = await awaitOutput(child, /^(\d+)\n/, "Xvfb to report its display");
  return { display: `:${display}`, close: () => child.kill() };
}

/** Waits until the driver server answers /status with ready: true. */
async function driverReady(url, what, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const status = await (await fetch(`${url}/status`)).json();
      if (status.value?.ready) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the engine's driver and one browser session; resolves to `{ driver, engine, close }`.
 * Firefox runs headless; WebKitGTK on $DISPLAY, or on an Xvfb started here when there is none.
 */
export async function startEngine(engine) {
  mkdirSync(LOGS, { recursive: true });
  const port = await freePort();
  const env = { ...process.env };
  let x = null;
  let child;
  let capabilities;
  if (engine === "firefox") {
    child = spawn("geckodriver", ["--port", String(port), "--host", "127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    capabilities = {
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: "/usr/bin/firefox-esr",
        args: ["-headless"],
        prefs: {
          // This machine's network is closed: no update, telemetry or experiment fetches.
          "app.update.enabled": false,
          "app.normandy.enabled": false,
          "messaging-system.rsexperimentloader.enabled": false,
          "datareporting.policy.dataSubmissionEnabled": false,
          "browser.safebrowsing.malware.enabled": false,
          "browser.safebrowsing.phishing.enabled": false,
          "network.captive-portal-service.enabled": false,
        },
      },
    };
  } else {
    if (!env.DISPLAY) {
      x = await xvfb();
      env.DISPLAY = x.display;
    }
    child = spawn("WebKitWebDriver", [`--port=${port}`, "--host=127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    });
    capabilities = {
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: miniBrowser(), args: ["--automation"] },
    };
  }
  const log = createWriteStream(`${LOGS}/${engine}-driver.log`);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  await driverReady(url, `${engine}'s WebDriver server on port ${port}`);
  const driver = await new Builder().usingServer(url).withCapabilities(capabilities).build();
  // Scripts that await the page (a run, the engine's start) may take long on a busy machine.
  await driver.manage().setTimeouts({ script: 90_000, pageLoad: 60_000 });
  await driver
    .manage()
    .window()
    .setRect({ width: 1280, height: 900 })
    .catch(() => {});
  return {
    engine,
    driver,
    async close() {
      await driver.quit().catch(() => {});
      child.kill();
      x?.close();
    },
  };
}

// ---- the probe: console errors from the first script on ----

const PROBE_JS = `"use strict";
(() => {
  const report = new URL("__probe-report", document.currentScript.src).href;
  const seen = (window.__probe = []);
  const add = (text) => {
    seen.push(text);
    try {
      navigator.sendBeacon(report, location.pathname + location.search + ": " + text);
    } catch {}
  };
  const show = (v) => (v instanceof Error ? v.name + ": " + v.message : String(v));
  // A page that is navigating away (the service worker's one reload) has its loads under way
  // cancelled; Firefox reports each as a failed load, which no reader ever sees: not an error.
  let leaving = false;
  addEventListener("beforeunload", () => (leaving = true));
  addEventListener("pagehide", () => (leaving = true));
  addEventListener("error", (e) => {
    if (e.target && e.target !== window && e.target.src !== undefined) {
      if (!leaving) add("failed to load " + (e.target.src || e.target.href));
    } else add("uncaught " + show(e.error ?? e.message));
  }, true);
  addEventListener("unhandledrejection", (e) => add("unhandled rejection " + show(e.reason)));
  document.addEventListener("securitypolicyviolation", (e) =>
    add("CSP violation " + e.violatedDirective + " " + e.blockedURI));
  const error = console.error;
  console.error = function (...args) {
    add("console.error " + args.map(show).join(" "));
    return error.apply(this, args);
  };
  // An error a worker does not catch (the thread pool's, a process's) reaches only its Worker.
  const PageWorker = window.Worker;
  if (PageWorker) {
    window.Worker = class extends PageWorker {
      constructor(...args) {
        super(...args);
        this.addEventListener("error", (e) => add("worker error " + (e.message || "(no message)")));
      }
    };
  }
})();
`;

/**
 * Handles the probe's two URLs (any path ending in them, so pages under a prefix find them);
 * returns true if it answered `req`.
 */
export function serveProbe(req, res, problems) {
  const path = new URL(req.url, "http://x").pathname;
  if (path.endsWith("/__probe.js")) {
    // CORP: the probe is loaded by pages that require it (COEP require-corp).
    res
      .writeHead(200, {
        "Content-Type": "text/javascript",
        "Cache-Control": "no-store",
        "Cross-Origin-Resource-Policy": "cross-origin",
      })
      .end(PROBE_JS);
    return true;
  }
  if (path.endsWith("/__probe-report")) {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      problems.push(body);
      res.writeHead(204).end();
    });
    return true;
  }
  return false;
}

/** The probe's script tag, first in <head> so it runs before any of the page's scripts. */
export const injectProbe = (html) =>
  html.replace(/<head>/i, '<head><script src="__probe.js"></script>');

/**
 * A proxy in front of `upstream` (a URL from harness.mjs's startServer) that adds the probe to
 * every HTML page and keeps what the probes report in `problems`. Headers pass unchanged, so
 * isolation and the CSP are the server's (the probe is a same-origin script: 'self' allows it).
 * Resolves to `{ url, problems, documents, close }`: `url` with the upstream's path,
 * `documents` the path of every HTML page served, in order.
 */
export async function probedServer(upstream) {
  const target = new URL(upstream);
  const problems = [];
  const documents = [];
  const server = createServer((req, res) => {
    if (serveProbe(req, res, problems)) return;
    const headers = { ...req.headers, host: target.host };
    // Whole pages, so the probe can go in: no revalidation, no compression.
    delete headers["if-none-match"];
    delete headers["accept-encoding"];
    const up = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (upRes) => {
        const type = upRes.headers["content-type"] ?? "";
        if (!type.startsWith("text/html")) {
          res.writeHead(upRes.statusCode, upRes.headers);
          upRes.pipe(res);
          return;
        }
        let html = "";
        upRes.setEncoding("utf8");
        upRes.on("data", (c) => (html += c));
        upRes.on("end", () => {
          documents.push(new URL(req.url, "http://x").pathname);
          const out = { ...upRes.headers };
          delete out["content-length"];
          delete out.etag;
          res.writeHead(upRes.statusCode, out).end(injectProbe(html));
        });
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${server.address().port}${target.pathname}`;
  return { url, problems, documents, close: () => server.close() };
}

/**
 * harness.mjs's docsSite with the probe in every HTML page: serves `pages` (`{ name: html }`) on
 * http://localhost (another site than the playground's 127.0.0.1), with COOP/COEP if `isolated`;
 * resolves to `{ url, problems, close }`.
 */
export async function hostSite(pages, { isolated = false } = {}) {
  const problems = [];
  const site = await docsSite(pages, {
    isolated,
    intercept: (req, res) => serveProbe(req, res, problems),
    html: injectProbe,
  });
  return { ...site, problems };
}

// ---- the page, through WebDriver ----

/** Runs `body` (the text of an async function body) in the page and resolves to its result. */
export function inPage(driver, body, ...args) {
  return driver
    .executeAsyncScript(
      `const done = arguments[arguments.length - 1];
     (async (...args) => { ${body} })(...Array.from(arguments).slice(0, -1))
       .then((value) => done({ value }), (e) => done({ error: String(e?.message ?? e) }));`,
      ...args,
    )
    .then((r) => {
      if (r?.error !== undefined) throw new Error(r.error);
      return r?.value;
    });
}

let calls = 0;

/**
 * Runs `fn` (a self-contained function) in the page with `args` (JSON values) and resolves to
 * what it resolves to, without holding a WebDriver script open meanwhile: it starts in one
 * script, the result is polled for, then read, so no WebDriver script stays open for the minutes a
 * run may take. (A fetch run inside executeAsyncScript once never ended in WebKitGTK, and was put
 * down to its driver; the executor's late-wake panic, fixed since in src/executor.rs, explains it
 * as well, and with the fix such runs ended, 3 of 3.) On timeout it says what it waited for
 * (`what`).
 */
export async function callInPage(driver, fn, args, what, ms = 120_000) {
  const key = `__call${++calls}`;
  await driver.executeScript(
    `const [key, args] = arguments;
     window[key] = null;
     Promise.resolve(args).then((args) => (${fn})(...args)).then(
       (value) => (window[key] = { value }),
       (e) => (window[key] = { error: String(e?.message ?? e) }),
     );`,
    key,
    args,
  );
  await waitIn(driver, `window.${key}`, what, ms);
  const r = await driver.executeScript(
    `const r = window[arguments[0]]; delete window[arguments[0]]; return r;`,
    key,
  );
  if (r.error !== undefined) throw new Error(r.error);
  return r.value;
}

/** Runs `options` through the page's API; resolves to the record as harness.mjs's apiRun. */
export const apiRun = (driver, options) =>
  callInPage(driver, plainRun, [options], `the run ${JSON.stringify(options)} to end`);

/**
 * The page as the shared checks (behaviour-checks.mjs) reach it: `run(options)`,
 * `call(fn, ...args)` (a self-contained function, JSON arguments) and the page's `memory`.
 */
export const checkedPage = (driver, memory) => ({
  memory,
  run: (options) => apiRun(driver, options),
  call: (fn, ...args) => callInPage(driver, fn, args, `${fn.name} in the page to end`),
});

/** Waits for a condition (a JS expression) in the page; the error says what it waited for. */
export async function waitIn(driver, expression, what, ms = 30_000) {
  await driver.wait(
    () => driver.executeScript(`return !!(${expression});`).catch(() => false),
    ms,
    `timed out after ${ms} ms waiting for ${what}`,
  );
}

/**
 * Waits until the page's modules have run and the engine is ready, and, on a full page with
 * threads, its worker pool too; returns the capabilities.
 */
export async function ready(driver) {
  await waitIn(driver, "window.playground", "the page's modules to define window.playground");
  return inPage(
    driver,
    `const caps = await window.playground.ready;
     if (caps.threads && new URLSearchParams(location.search).get("embed") !== "1") {
       await window.playground.threadsReady;
     }
     return { ...window.playground.capabilities };`,
  );
}

/** Sets a form field as a user would (select it all, type the new value). */
export async function fill(driver, id, value) {
  const el = await driver.findElement({ id });
  await el.clear();
  await el.sendKeys(String(value));
}

/**
 * Fills the given fields, clicks a Run button, and resolves to the new rows' data, newest first
 * (`rows` defaults to 3 for "all", else 1).
 */
export async function runFromUi(driver, model, { tasks, delay, threads, rows } = {}) {
  const before = await driver.executeScript(
    `return document.querySelectorAll("#results tbody tr").length;`,
  );
  for (const [id, v] of Object.entries({ tasks, delay, threads })) {
    if (v !== undefined) await fill(driver, id, v);
  }
  const button = await driver.findElement({ css: `button[data-model="${model}"]` });
  await driver.wait(until.elementIsEnabled(button), 30_000, `the ${model} button to be enabled`);
  await button.click();
  const added = rows ?? (model === "all" ? 3 : 1);
  await waitIn(
    driver,
    `document.querySelectorAll("#results tbody tr").length >= ${before + added}`,
    `${added} new result row(s) after clicking Run ${model}`,
    90_000,
  );
  await waitIn(
    driver,
    `document.getElementById("stop").disabled`,
    "the run to end (Stop disabled)",
  );
  return driver.executeScript(
    `return [...document.querySelectorAll("#results tbody tr")].slice(0, arguments[0])
       .map((tr) => ({ ...tr.dataset, elapsedMs: Number(tr.dataset.elapsedMs) }));`,
    added,
  );
}

/**
 * Waits up to `ms` for a result row that `selector` matches (`what` names it on timeout);
 * resolves to the newest row's data.
 */
export async function newestRow(driver, selector, what, ms = 30_000) {
  await waitIn(driver, `document.querySelector(${JSON.stringify(selector)})`, what, ms);
  return driver.executeScript(`return { ...document.querySelector("#results tbody tr").dataset };`);
}

/**
 * Fails if the current document (or, through the proxy, any document before it) reported a
 * problem. `servers` are the probed servers and host sites whose reports count.
 */
export async function assertClean(driver, ...servers) {
  const here = await driver.executeScript("return window.__probe ?? null;").catch(() => null);
  const problems = [...(here ?? []), ...servers.flatMap((s) => s.problems)];
  if (here === null) problems.push("the probe did not run in this document");
  if (problems.length)
    throw new Error(`page reported problems:\n${[...new Set(problems)].join("\n")}`);
}

/** Saves a PNG of the viewport to `path`. */
export async function screenshot(driver, path) {
  await writeFile(path, Buffer.from(await driver.takeScreenshot(), "base64"));
}
