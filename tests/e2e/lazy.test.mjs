// The panels below the first screen load when first needed (www/panels.js): not with the page,
// but when a reader scrolls near them, when a link opens one (`#its-id`), or when a run asks for
// it; and each then fills, with no empty section and nothing moving on screen. Predict first's
// module loads only with its option. Chromium; needs dist/ (./build.sh dist).
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, chromiumSuite, runFromUi, until } from "./harness.mjs";

const env = chromiumSuite();

/** Each lazy panel: its section and what it shows once filled (text of its filled part). */
const PANELS = {
  code: { section: "code-section", filled: "#python-code, #rust-code" },
  sweep: { section: "sweep-section", filled: null },
  compare: { section: "compare-section", filled: "#compare" },
  scheduler: { section: "sched-section", filled: null },
};

/** Once each panel has loaded, what must hold beyond its text (its controls work). */
const WORKING = {
  scheduler: (page) => page.isEnabled("#sched-start"),
};

/** The panel's state (`data-panel-state`) on `page`. */
const stateOf = (page, name) =>
  page.evaluate((n) => document.querySelector(`[data-panel="${n}"]`)?.dataset.panelState, name);

/** Waits until panel `name` has loaded; says which state it was left in on timeout. */
async function loaded(page, name) {
  let last;
  await until(
    async () => (last = await stateOf(page, name)) === "loaded",
    () => `panel ${name} to load (state ${last})`,
  );
}

/** The text of what panel `name` shows once filled (empty if nothing). */
const filledText = (page, name) =>
  PANELS[name].filled
    ? page.evaluate(
        (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim()).join("\n"),
        PANELS[name].filled,
      )
    : Promise.resolve("-");

/** The modules and data files the page fetched, by file name. */
const fetched = (page) => page.requests.map((u) => new URL(u).pathname.split("/").pop());

test("a fresh page loads no panel below the first screen, nor what only they need", async () => {
  const page = await env.fresh("");
  // The page has settled (its load event and an idle moment): still nothing below is loaded.
  await page.evaluate(
    () => new Promise((r) => requestIdleCallback(() => setTimeout(r, 300), { timeout: 2000 })),
  );
  for (const name of Object.keys(PANELS)) assert.equal(await stateOf(page, name), "waiting", name);
  const files = fetched(page);
  for (const f of ["snippets.json", "bench-results.json"])
    assert.ok(!files.includes(f), `${f} fetched by a fresh page: ${files.join(", ")}`);
  assert.ok(
    !files.some((f) => /^(code|sweep|compare|trace|scheduler|predict)-/.test(f)),
    files.join(", "),
  );
  assertClean(page);
  await page.context().close();
});

test("each panel loads and fills when scrolled into view, without moving what is on screen", async () => {
  const page = await env.fresh("");
  for (const [name, p] of Object.entries(PANELS)) {
    // What is on screen just above the panel must not move while it loads.
    await page.locator(`#${p.section}`).scrollIntoViewIfNeeded();
    const before = await page.evaluate((id) => {
      const h = document.getElementById(id).querySelector("h2");
      return h.getBoundingClientRect().top;
    }, p.section);
    await loaded(page, name);
    await until(
      async () => (await filledText(page, name)).length > 0,
      `panel ${name} to show something`,
    );
    if (WORKING[name]) await until(() => WORKING[name](page), `panel ${name}'s controls to work`);
    const after = await page.evaluate(
      (id) => document.getElementById(id).querySelector("h2").getBoundingClientRect().top,
      p.section,
    );
    assert.equal(after, before, `${name}: its heading moved from ${before} to ${after}`);
  }
  // The code panel, scrolled to before any run, says what it will show rather than nothing.
  assert.match(await filledText(page, "code"), /Run a model/);
  const files = fetched(page);
  assert.ok(files.includes("bench-results.json"), files.join(", "));
  assertClean(page);
  await page.context().close();
});

test("a link to a panel loads it at once, and a run fills the code panel", async () => {
  for (const [name, p] of Object.entries(PANELS)) {
    const page = await env.fresh(`#${p.section}`);
    await loaded(page, name);
    assertClean(page);
    await page.context().close();
  }
  // A hash changed on the page (an in-page link) loads its panel too.
  const page = await env.fresh("");
  await page.evaluate(() => (location.hash = "#compare"));
  await loaded(page, "compare");
  await until(
    async () => (await filledText(page, "compare")).length > 0,
    "the comparison with Python to fill",
  );
  // A run, with the page at its top: the code panel loads and shows that run's programs, the
  // Rust from snippets.json.
  await page.evaluate(() => scrollTo(0, 0));
  await runFromUi(page, "async", { tasks: 3, delay: 50 });
  await page.waitForSelector('#python-code[data-model="async"]', { state: "attached" });
  assert.match(await page.textContent("#rust-code"), /executor::sleep\(/);
  assert.ok(fetched(page).includes("snippets.json"));
  assertClean(page);
  await page.context().close();
});

test("playground.rustCode and playground.trace load what they need on first call", async () => {
  const page = await env.fresh("");
  const out = await page.evaluate(async () => {
    const pg = window.playground;
    const code = await pg.rustCode("async", "sleep");
    const r = await pg.run({ model: "async", tasks: 2, delay: 10 });
    const t = await pg.trace(r);
    return { names: code.map((s) => s.name), code: code[0].code, events: t.traceEvents.length };
  });
  assert.deepEqual(out.names, ["async-sleep", "async-wheel"]);
  assert.match(out.code, /executor::sleep\(/);
  assert.ok(out.events >= 2, `trace events: ${out.events}`);
  assertClean(page);
  await page.context().close();
});

test("the embed's run view, which hides the panels, loads none of them, even after a run", async () => {
  const page = await env.fresh("?embed=1&view=run&tasks=3&delay=50");
  await runFromUi(page, "async");
  // The run has ended and its figure is drawn; an idle moment later nothing more has loaded.
  await page.evaluate(
    () => new Promise((r) => requestIdleCallback(() => setTimeout(r, 300), { timeout: 2000 })),
  );
  for (const name of Object.keys(PANELS)) assert.equal(await stateOf(page, name), "waiting", name);
  assert.ok(!fetched(page).some((f) => /^code-|snippets\.json/.test(f)), fetched(page).join(", "));
  assertClean(page);
  await page.context().close();
});

test("a malformed hash opens no panel and breaks nothing", async () => {
  const page = await env.fresh("#%E0%A4%A");
  await page.evaluate(() => (location.hash = "#%zz"));
  for (const name of Object.keys(PANELS)) assert.equal(await stateOf(page, name), "waiting", name);
  assertClean(page);
  await page.context().close();
});

test("a panel whose data cannot be fetched says so in its section, and fills after the next run", async () => {
  const page = await env.fresh("#code-section");
  await loaded(page, "code");
  // The network fails the excerpts' request, as a reader's may (Firefox's words for it).
  await page.evaluate(() => {
    const real = window.fetch;
    Object.assign(window, { failSnippets: true });
    window.fetch = (url, ...rest) =>
      String(url).endsWith("snippets.json") && Reflect.get(window, "failSnippets")
        ? Promise.reject(new TypeError("NetworkError when attempting to fetch resource."))
        : real(url, ...rest);
  });
  await runFromUi(page, "async", { tasks: 2, delay: 50 });
  await page.waitForSelector("#code-section .fill-failed", { state: "attached" });
  assert.match(
    await page.textContent("#code-section .fill-failed"),
    /could not be filled \(NetworkError when attempting to fetch resource\.\); a reload tries again/,
  );
  // The network is back: the next run fills the panel and the note goes.
  await page.evaluate(() => Object.assign(window, { failSnippets: false }));
  await runFromUi(page, "sequential", { tasks: 2, delay: 50 });
  await page.waitForSelector('#python-code[data-model="sequential"]', { state: "attached" });
  assert.equal(await page.locator("#code-section .fill-failed").count(), 0);
  assertClean(page);
  await page.context().close();
});

/** Whether the page fetched predict first's module (its chunk in dist/). */
const predictFetched = (page) => fetched(page).some((f) => /^predict-/.test(f));

test("predict first's module loads only with its option: from a link, or when the reader turns it on", async () => {
  const page = await env.fresh("");
  // A run, and the page settled after it: predict first was never needed.
  await runFromUi(page, "async", { tasks: 2, delay: 50 });
  await page.evaluate(
    () => new Promise((r) => requestIdleCallback(() => setTimeout(r, 300), { timeout: 2000 })),
  );
  assert.ok(!predictFetched(page), fetched(page).join(", "));
  // The reader turns it on: it loads, asks, and holds Run until answered.
  await page.click("#more-options summary");
  await page.check("#predict");
  await page.waitForSelector("#predict-run .predict-question", { state: "visible" });
  assert.ok(predictFetched(page), fetched(page).join(", "));
  assert.equal(await page.isDisabled('button[data-model="async"]'), true, "Run waits for it");
  await page.click("#predict-run [data-predict-skip]");
  await until(
    () => page.isEnabled('button[data-model="async"]'),
    "Run async to be enabled once the prediction is skipped",
  );
  assertClean(page);
  await page.context().close();

  // A link with the option on: it is there by the time the engine is, and asks at once.
  const linked = await env.fresh("?predict=1");
  await linked.waitForSelector("#predict-run .predict-question", { state: "visible" });
  assert.ok(predictFetched(linked), fetched(linked).join(", "));
  assertClean(linked);
  await linked.context().close();
});
