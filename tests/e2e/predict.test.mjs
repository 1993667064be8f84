// Predict first (`predict`), end to end in Chromium: with `predict=1` a Run button waits for a
// prediction (or a skip); after the run one sentence, the engine's, names the prediction and the
// run's own measured figure (the record's elapsed time, or its lost updates for the counter); a
// comparison row embedded with the element's bare `predict` attribute does the same.
// Needs dist/ (./build.sh dist).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  assertClean,
  docsPage,
  docsSite,
  drawn,
  launch,
  open,
  ready,
  startServer,
  until,
} from "./harness.mjs";

let browser, server, docs;
const pages = {};
before(async () => {
  [browser, server, docs] = await Promise.all([
    launch(),
    startServer({ root: "dist" }),
    docsSite(pages, { host: "localhost" }),
  ]);
});
after(async () => {
  await browser?.close();
  server?.close();
  docs?.close();
});

/** Keeps every record the page's runs end with in `window.records`. */
const keepRecords = (target) =>
  target.evaluate(() => {
    window.records = [];
    window.playground.events.addEventListener("runend", (e) => window.records.push(e.detail));
  });

/** A number as the page and the engine write it (format.js, src/report/words.rs). */
const formatted = (target, x) =>
  target.evaluate((x) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(x), x);

/** Waits until the prompt in `box` asks its questions; resolves to their figures by model. */
async function questions(target, box) {
  await until(
    () => target.locator(`${box} .predict-question`).count(),
    `the prediction prompt in ${box} to ask`,
  );
  return target.$$eval(`${box} .predict-question`, (qs) =>
    qs.map((q) => ({
      model: q.dataset.model,
      figure: q.dataset.figure,
      label: q.querySelector("label").textContent,
      input: q.querySelector("input, select").id,
    })),
  );
}

const disabled = (target, selector) => target.$eval(selector, (b) => b.disabled);

/** Waits until the prompt in `box` shows `n` sentences; resolves to them. */
async function sentences(target, box, n) {
  await until(
    async () => (await target.locator(`${box} .predict-result li`).count()) >= n,
    `${n} judged prediction(s) in ${box}`,
    60_000,
  );
  return target.$$eval(`${box} .predict-result li`, (lis) => lis.map((li) => li.textContent));
}

describe("predict first", () => {
  test("Run waits for a prediction; the sentence names it and the run's measured elapsed", async () => {
    const page = await open(browser, `${server.url}?predict=1&tasks=3&delay=300&threads=3`);
    const caps = await ready(page);
    await keepRecords(page);
    const model = caps.threads ? "threads" : "async";
    const asked = await questions(page, "#predict-run");
    const mine = asked.find((q) => q.model === model);
    assert.equal(mine.figure, "elapsedMs", "a sleep run asks for its elapsed time");
    assert.match(mine.label, /How long will 3 tasks that each wait 300 ms/);
    assert.equal(await disabled(page, `button[data-model="${model}"]`), true, "held for a guess");
    assert.equal(await disabled(page, `button[data-model="all"]`), true);

    // A guess for this model only, in seconds, submitted with Enter.
    await page.fill(`#${mine.input}`, "2");
    await page.press(`#${mine.input}`, "Enter");
    await until(
      async () => !(await disabled(page, `button[data-model="${model}"]`)),
      `Run ${model} enabled once predicted`,
    );
    assert.equal(await disabled(page, `button[data-model="all"]`), true, "all needs three");
    await page.click(`button[data-model="${model}"]`);
    const [said] = await sentences(page, "#predict-run", 1);
    const [record] = await page.evaluate(() => window.records);
    const took = `${await formatted(page, record.elapsedMs)} ms`;
    assert.ok(said.startsWith(`You predicted 2 s; ${model} took ${took} (`), said);
    assert.match(said, model === "threads" ? /three threads each waited once/ : /all 3 tasks/);
    const close = Math.abs(2000 - record.elapsedMs) <= Math.max(0.25 * record.elapsedMs, 100);
    assert.equal(said.includes("(close)"), close);
    assert.equal(await page.textContent("#announce"), said, "the sentence is announced");
    assert.match(
      await page.textContent("#predict-run .predict-score"),
      new RegExp(`Close predictions this visit: ${close ? 1 : 0} of 1\\.`),
    );
    // The next run asks again; skipping lets it run without one.
    await page.waitForFunction(() => document.getElementById("stop").disabled);
    assert.equal(await disabled(page, `button[data-model="${model}"]`), true, "asked again");
    await page.click("#predict-run [data-predict-skip]");
    await until(
      async () => !(await disabled(page, `button[data-model="all"]`)),
      "every Run button enabled after skipping",
    );
    assertClean(page);
    await page.context().close();
  });

  test("the counter asks for lost updates; the sentence names the record's", async () => {
    const page = await open(
      browser,
      `${server.url}?predict=1&workload=counter&tasks=4&increments=1000&awaitInside=1`,
    );
    await ready(page);
    await keepRecords(page);
    const asked = await questions(page, "#predict-run");
    const mine = asked.find((q) => q.model === "async");
    assert.equal(mine.figure, "lostUpdates");
    assert.match(mine.label, /How many of the 4,000 counter updates/);
    assert.equal(await disabled(page, `button[data-model="async"]`), true);
    await page.fill(`#${mine.input}`, "10");
    await page.press(`#${mine.input}`, "Enter");
    await until(
      async () => !(await disabled(page, `button[data-model="async"]`)),
      "Run async enabled once predicted",
    );
    await page.click(`button[data-model="async"]`);
    const [said] = await sentences(page, "#predict-run", 1);
    const [record] = await page.evaluate(() => window.records);
    const lost = await formatted(page, record.lostUpdates);
    const made = await formatted(page, record.counterExpected);
    assert.ok(
      said.startsWith(`You predicted 10 updates lost; async lost ${lost} of ${made} (`),
      said,
    );
    assertClean(page);
    await page.context().close();
  });

  test("a comparison row embedded with the predict attribute asks before its Show me", async () => {
    pages["predict.html"] = docsPage(
      `<async-vs-threads view="factor" factor="model" predict></async-vs-threads>`,
      { head: `<script type="module" src="${server.url}embed.js"></script>` },
    );
    const page = await open(browser, `${docs.url}predict.html`);
    await until(
      () => page.evaluate(() => !!document.querySelector("async-vs-threads")?.frame),
      "the element's iframe",
    );
    const src = await page.evaluate(() => document.querySelector("async-vs-threads").frame.src);
    assert.equal(new URL(src).searchParams.get("predict"), "1", "a bare attribute is on");
    const handle = await page.evaluateHandle(
      () => document.querySelector("async-vs-threads").frame,
    );
    const frame = await until(() => handle.asElement().contentFrame(), "the element's frame");
    await ready(frame, "the embed");
    await keepRecords(frame);
    const asked = await questions(frame, "#predict-demo");
    assert.ok(asked.length >= 1 && asked.every((q) => q.figure === "elapsedMs"), "one per run");
    const show = 'button[data-factor="model"]';
    assert.equal(await disabled(frame, show), true, "Show me waits for a prediction");
    for (const q of asked) await frame.fill(`#${q.input}`, "1");
    await frame.press(`#${asked[0].input}`, "Enter");
    await until(async () => !(await disabled(frame, show)), "Show me enabled once predicted");
    await drawn(frame);
    await frame.click(show);
    const said = await sentences(frame, "#predict-demo", asked.length);
    const records = await frame.evaluate(() => window.records);
    assert.equal(records.length, asked.length);
    for (const [i, r] of records.entries()) {
      const took = `${await formatted(frame, r.elapsedMs)} ms`;
      assert.ok(said[i].startsWith(`You predicted 1 s; ${r.model} took ${took} (`), said[i]);
    }
    assert.match(
      await frame.textContent("#predict-demo .predict-score"),
      new RegExp(`Close predictions this visit: \\d of ${asked.length}\\.`),
    );
    assertClean(page);
    await page.context().close();
  });
});
