// The Pyodide side of the bench: bench/pyodide-page/ (served from the project root, so that
// node_modules/pyodide is reachable) in the same Chromium: page loads, the CPU loop with
// CPython's calibrated iteration count, and asyncio.gather of N sleeps.
import { firstVisitBytes, freshPage } from "./browser.mjs";
import { capped, log, median, repeat, summarise } from "./common.mjs";

/** Everything the bench measures in Pyodide. `cpuIterations`: CPython's calibrated loop. */
export async function benchPyodide(browser, url, S, cpuIterations) {
  const out = { loads: [], async: [], cpu: [] };
  let context, page, requests;
  for (let i = 0; i < S.pyodide.loads; i++) {
    await context?.close();
    log(`Pyodide: load ${i + 1}`);
    ({ context, page, requests } = await freshPage(browser, url));
    const info = await page.evaluate(() => window.pyBench.ready);
    out.loads.push(info.readyMs);
    out.version = info.pyodide;
    out.python = info.python;
    if (i === 0) {
      await page.waitForLoadState("networkidle");
      out.firstVisit = await firstVisitBytes(requests);
    }
  }
  out.readyMs = median(out.loads);
  out.threadsProbe = await page.evaluate(() => window.pyBench.threadsProbe());

  // A frozen page cannot be stopped from inside: race it against the cap, and give up the page.
  const timed = async (fn, arg) => {
    const run = page.evaluate(fn, arg);
    run.catch(() => {}); // rejects when the page is closed below
    const r = await capped(run, S.capMs, null);
    if (r) return r;
    await capped(
      context.close().catch(() => {}),
      10_000,
    );
    context = null;
    return { timedOut: true, elapsedMs: S.capMs };
  };
  // The CPU loop first, on the page the loads left: the async runs below may freeze it for good.
  if (cpuIterations) {
    log(`Pyodide: cpu sequential, ${cpuIterations} iterations per task`);
    const runs = await repeat(
      S.cpu.reps,
      () =>
        timed(({ tasks, iterations }) => window.pyBench.cpu(tasks, iterations), {
          tasks: S.cpu.tasks,
          iterations: cpuIterations,
        }),
      { slowMs: Infinity },
    );
    out.cpu.push({ id: "seq", iterations: cpuIterations, ...summarise(runs, S) });
  } else {
    out.cpu.push({ id: "seq", status: "not run", why: "CPython's loop was not calibrated" });
  }
  for (const tasks of S.pyodide.tasks) {
    if (!context) {
      out.async.push({ tasks, status: "not run", why: "an earlier run timed out" });
      continue;
    }
    log(`Pyodide: async N=${tasks}`);
    const runs = await repeat(
      S.reps,
      () =>
        timed(
          async ({ tasks, delay }) => {
            const r = await window.pyBench.gather(tasks, delay);
            await new Promise((res) => setTimeout(res, 60));
            return {
              ...r,
              longestTaskRunMs: window.__bench.longest(r.t0, r.t0 + r.elapsedMs),
            };
          },
          { tasks, delay: S.async.delay },
        ),
      S,
    );
    out.async.push({ tasks, ...summarise(runs, S) });
  }
  await context?.close();
  return out;
}
