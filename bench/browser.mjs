// The browser side shared by the playground and Pyodide runners: a fresh page with the bench's
// long-task recorder installed, and the bytes a first visit loads.
import { gzipSync } from "node:zlib";

/**
 * Installed before any page script: records long tasks (PerformanceObserver 'longtask', tasks
 * over 50 ms) and the moment `window.playground.ready` resolves, measured from navigation start.
 */
export function benchInit() {
  const b = (window.__bench = { longtasks: [], readyAt: null, readyError: null });
  let observer = null;
  try {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
    });
    observer.observe({ type: "longtask", buffered: true });
  } catch {
    b.noLongtask = true;
  }
  /** The longest task overlapping [from, to] (performance.now() ms), or 0 if none over 50 ms. */
  b.longest = (from, to) => {
    for (const e of observer?.takeRecords() ?? []) b.longtasks.push([e.startTime, e.duration]);
    let max = 0;
    for (const [start, dur] of b.longtasks) {
      if (start < to && start + dur > from) max = Math.max(max, dur);
    }
    return max;
  };
  let value;
  Object.defineProperty(window, "playground", {
    configurable: true,
    get: () => value,
    set(v) {
      value = v;
      v?.ready?.then(
        () => {
          b.readyAt ??= performance.now();
          // For a trace of the load (load-trace.mjs): the moment, on the trace's clock.
          performance.mark("playground-ready");
        },
        (err) => (b.readyError = String(err)),
      );
    },
  });
}

/**
 * A page in a new browser context (`options` for it), with the URLs it requested and its page
 * errors.
 */
export async function freshPage(browser, url, options) {
  const context = await browser.newContext(options);
  await context.addInitScript(benchInit);
  const page = await context.newPage();
  const requests = [];
  context.on("requestfinished", (req) => requests.push(req.url()));
  page.problems = [];
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return { context, page, requests };
}

/** Sum of the gzip sizes (zlib default level) of every distinct URL a visit loaded. */
export async function firstVisitBytes(urls) {
  const unique = [...new Set(urls.filter((u) => u.startsWith("http")))];
  let raw = 0;
  let gzip = 0;
  const files = [];
  for (const url of unique) {
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    const gz = gzipSync(body).length;
    raw += body.length;
    gzip += gz;
    files.push({ path: new URL(url).pathname, raw: body.length, gzip: gz });
  }
  files.sort((a, b) => b.gzip - a.gzip);
  return { requests: urls.length, files: unique.length, raw, gzip, largest: files.slice(0, 5) };
}
