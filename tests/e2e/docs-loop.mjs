// Loads docs.test.mjs's documentation pages many times in one engine, as that test does (each
// element scrolled into view in turn, its engine waited for), and counts the pages where an
// element's iframe never left about:blank. A tool for an intermittent failure, not a test:
//
//   DISPLAY=:77 nice -n 19 node tests/e2e/docs-loop.mjs [engine=webkit] [pages=40] [wait s=30]
//
// A watcher put into each docs page before its scripts records, per element, its
// IntersectionObserver's callbacks, the iframe it made (src, loading) and that iframe's load
// events, and what an observer of the iframe itself sees; a blank iframe's record is printed.
import { readFile } from "node:fs/promises";
import { docsSites } from "./docs-sites.mjs";
import { injectProbe, inPage, startEngine } from "./webdriver.mjs";

const [engine = "webkit", pages = "40", wait = "30"] = process.argv.slice(2);

/** In the docs page, first: records what each element and its iframe do, in `window.__watch`. */
function watcher() {
  const t = () => Math.round(performance.now());
  const log = (window.__watch = []);
  const index = (el) => [...document.querySelectorAll("async-vs-threads")].indexOf(el);
  const Observer = window.IntersectionObserver;
  window.IntersectionObserver = class extends Observer {
    constructor(callback, options) {
      super((entries, observer) => {
        for (const e of entries) {
          log.push([
            t(),
            index(e.target),
            "near",
            e.isIntersecting,
            Math.round(e.boundingClientRect.top),
          ]);
        }
        return callback(entries, observer);
      }, options);
    }
  };
  // Every change of an element's height or of the page's, and every scroll, in order.
  const sizes = new ResizeObserver((entries) => {
    for (const e of entries) {
      const i = e.target === document.documentElement ? "page" : index(e.target);
      log.push([t(), i, "height", Math.round(e.contentRect.height)]);
    }
  });
  addEventListener("DOMContentLoaded", () => {
    sizes.observe(document.documentElement);
    for (const el of document.querySelectorAll("async-vs-threads")) sizes.observe(el);
  });
  addEventListener("scroll", () => log.push([t(), "page", "scrollY", Math.round(scrollY)]));
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    const host = this;
    new MutationObserver(() => {
      const frame = root.querySelector("iframe");
      if (!frame || frame.__watched) return;
      frame.__watched = true;
      const i = index(host);
      log.push([t(), i, "iframe", frame.loading, frame.src.slice(0, 60)]);
      frame.addEventListener("load", () => log.push([t(), i, "load"]));
      new Observer((entries) => {
        for (const e of entries) log.push([t(), i, "frame seen", e.isIntersecting]);
      }).observe(frame);
    }).observe(root, { childList: true });
    return root;
  };
}

const inject = (html) =>
  injectProbe(html).replace(/<head>/i, `<head><script>(${watcher})();</script>`);

/** In the docs page: element i's iframe: "none", "blank" (about:blank, same origin) or "away". */
function frameState(i) {
  const frame = document.querySelectorAll("async-vs-threads")[i].frame;
  if (!frame) return "none";
  try {
    return frame.contentWindow.location.href === "about:blank" ? "blank" : "same-origin page";
  } catch {
    return "away";
  }
}

/** In the docs page: element i, its iframe and what the watcher saw of it. */
function report(i) {
  const el = document.querySelectorAll("async-vs-threads")[i];
  const f = el.frame;
  const r = f.getBoundingClientRect();
  return {
    src: f.src,
    loading: f.getAttribute("loading"),
    rect: [Math.round(r.top), Math.round(r.height)],
    viewport: [Math.round(scrollY), innerHeight],
    anchoring: CSS.supports("overflow-anchor", "auto"),
    watch: window.__watch
      .filter((w) => w[1] !== "page" || w[2] !== "scrollY" || w[0] > 0)
      .slice(-40),
  };
}

const readme = await readFile("README.md", "utf8");
const { sites, close } = await docsSites(readme, { html: inject });
const browser = await startEngine(engine);
const d = browser.driver;
const top = (fn, arg) => inPage(d, `return (${fn})(args[0]);`, arg);
let loaded = 0;
const blank = [];
try {
  for (let n = 0; n < Number(pages); n++) {
    const key = Object.keys(sites)[n % 4];
    const host = n % 8 < 4 ? "localhost" : "127.0.0.1";
    const url = `http://${host}:${sites[key].port}/`;
    await d.switchTo().defaultContent();
    await d.get(url);
    await d.wait(
      () => top(() => document.querySelectorAll("async-vs-threads").length === 5),
      30_000,
    );
    for (let i = 0; i < 5; i++) {
      await top((i) => {
        const el = document.querySelectorAll("async-vs-threads")[i];
        el.scrollIntoView({ block: "center" });
        const top = Math.round(el.getBoundingClientRect().top);
        window.__watch.push([
          Math.round(performance.now()),
          i,
          "scrolled to",
          Math.round(scrollY),
          top,
        ]);
      }, i);
      const end = Date.now() + Number(wait) * 1000;
      let state;
      while ((state = await top(frameState, i)) !== "away" && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
      }
      if (state !== "away") {
        const seen = await top(report, i);
        blank.push({ n, key, host, i, state, seen });
        console.log(`page ${n} ${key} on ${host}: element ${i} ${state}`, JSON.stringify(seen));
        // A reader who scrolls there: does it load then?
        await top(
          (i) =>
            document.querySelectorAll("async-vs-threads")[i].scrollIntoView({ block: "center" }),
          i,
        );
        const again = Date.now() + 30_000;
        while ((state = await top(frameState, i)) !== "away" && Date.now() < again) {
          await new Promise((r) => setTimeout(r, 200));
        }
        console.log(
          `  scrolled into view again: ${state}`,
          JSON.stringify(await top(report, i)).slice(0, 300),
        );
        continue;
      }
      // As docs.test.mjs: the engine ready in the frame before the next element.
      const frame = await d.executeScript(
        "return document.querySelectorAll('async-vs-threads')[arguments[0]].frame;",
        i,
      );
      await d.switchTo().frame(frame);
      await d
        .wait(
          () =>
            inPage(d, "return !!window.playground && (await window.playground.ready, true);").catch(
              () => false,
            ),
          90_000,
        )
        .catch(() => console.log(`page ${n}: element ${i}'s engine not ready in 90 s`));
      await d.switchTo().defaultContent();
    }
    loaded++;
    if (n % 10 === 9) console.log(`${loaded} pages, ${blank.length} blank iframes`);
  }
} finally {
  await browser.close();
  await close();
}
console.log(
  `${engine}: ${loaded} pages, ${blank.length} iframes left blank, on ${new Set(blank.map((b) => b.n)).size} pages`,
);
