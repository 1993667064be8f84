// Lighthouse (npm, pinned) on the full page and the embed view, with its default mobile settings
// and Debian's Chromium: the scores (performance, accessibility, best practices) and the metrics
// behind the performance one (LCP, TBT, CLS).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CHROMIUM, CHROMIUM_ARGS } from "../tests/e2e/harness.mjs";
import { log } from "./common.mjs";
import { TARGETS } from "./scenarios.mjs";

const run = promisify(execFile);

/** One Lighthouse run of `url`: scores out of 100 and the metrics in ms (CLS unitless). */
async function lighthouse(url) {
  const dir = mkdtempSync(join(tmpdir(), "lighthouse-"));
  const out = join(dir, "report.json");
  try {
    await run(
      "node_modules/.bin/lighthouse",
      [
        url,
        "--quiet",
        "--output=json",
        `--output-path=${out}`,
        "--only-categories=performance,accessibility,best-practices",
        // The tests' Chromium, switch for switch (harness.mjs says why each): none of
        // chrome-launcher's own defaults either (they stop hidden-page throttling, as
        // playwright's do); it still adds the debugging port and the profile folder it needs.
        "--chrome-ignore-default-flags",
        `--chrome-flags=${CHROMIUM_ARGS.join(" ")}`,
      ],
      { env: { ...process.env, CHROME_PATH: CHROMIUM }, timeout: 180_000 },
    );
    const r = JSON.parse(readFileSync(out, "utf8"));
    const score = (c) => Math.round((r.categories[c]?.score ?? 0) * 100);
    const metric = (a) => r.audits[a]?.numericValue ?? null;
    return {
      status: "ok",
      performance: score("performance"),
      accessibility: score("accessibility"),
      bestPractices: score("best-practices"),
      lcpMs: metric("largest-contentful-paint"),
      tbtMs: metric("total-blocking-time"),
      cls: metric("cumulative-layout-shift"),
      fcpMs: metric("first-contentful-paint"),
    };
  } catch (err) {
    // What Lighthouse said last (its stderr), not the command line the error message repeats.
    const said = String(err.stderr ?? "")
      .trim()
      .split("\n")
      .filter(Boolean)
      .at(-1);
    return { status: "error", error: said ?? String(err.message).split("\n")[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lighthouse on the full page and each embed view (`factor` shows the first row). */
export async function benchLighthouse(url) {
  const out = {};
  for (const [view, u] of [
    ["full page", url],
    ["embed, run view", url + TARGETS.embedQuery],
    ["embed, factor view", `${url}?embed=1&view=factor&factor=model`],
    ["embed, full view", `${url}?embed=1&view=full`],
  ]) {
    log(`lighthouse: ${view}`);
    out[view] = await lighthouse(u);
    // On a loaded machine Chromium sometimes fails to start in Lighthouse's time: once more.
    if (out[view].status !== "ok") {
      log(`lighthouse: ${view} failed (${out[view].error}); once more`);
      out[view] = { ...(await lighthouse(u)), firstTry: out[view].error };
    }
  }
  return out;
}
