// Settings for coi-serviceworker (coi-serviceworker.js, the head's next script, deferred; a file of
// its own because the page's Content-Security-Policy allows no inline script). On a static host
// that cannot send COOP/COEP, the library registers a service worker that adds them and reloads
// the page once, after which it is cross-origin isolated and can run threads. Built by build.sh
// with one more header, Document-Isolation-Policy, on the documents it serves: that isolates the
// embed view inside an ordinary (not isolated) documentation page too, in Chromium.
//
// It also tells the engine, as the promise `window.coi.isolation`, what to expect: a reload (the
// promise never settles, so the page about to go away never starts the engine), or why this
// page stays without isolation (a reason code, see www/engine.js), or null when it is isolated
// already; on a page that stays without isolation, the service worker registered with no reload
// to answer the fetch workload (`answering` below); and, on an isolated page, the engine's first
// steps, started early (`early` below).
// Everything here is a classic script because the library finds its own URL, which
// becomes the service worker's scope, through `document.currentScript`.
"use strict";
(() => {
  // Set just before the one reload; still set on the page after it means the worker did not
  // isolate the page, so it never reloads again (no loop) until a page of this tab is isolated.
  const RELOADED = "playground-coi-reloaded";
  const container = navigator.serviceWorker;
  // Whether a service worker served this document (read before the worker may claim it).
  const controlledFromStart = !!container?.controller;
  /** @type {(why: string | null) => void} */
  let settle = () => {};
  const isolation = new Promise((resolve) => (settle = resolve));

  let store = null;
  try {
    store = window.sessionStorage;
  } catch {
    // Storage is blocked: so, in practice, are service workers.
  }

  const framed = window.top !== window.self;

  // The mark of that one reload. A top-level page keeps it in the tab's session storage. A frame
  // keeps it in its own history entry's state (which a reload keeps): session storage is shared
  // by every frame of the same origin in the tab, so with several embeds on one page, the mark one
  // embed set just before its reload made another, loading meanwhile, believe it had reloaded
  // already; it then said the worker "had no effect" or, not registering at all, "refused it the
  // service worker" (Chromium 156, about one docs page of three with five embeds on a static host,
  // tests/e2e/docs.test.mjs).
  const mark = framed
    ? {
        get: () => history.state?.[RELOADED] === true,
        set: () => history.replaceState({ ...history.state, [RELOADED]: true }, ""),
        clear: () => {
          if (history.state?.[RELOADED] !== true) return;
          const rest = { ...history.state };
          delete rest[RELOADED];
          history.replaceState(Object.keys(rest).length ? rest : null, "");
        },
      }
    : {
        get: () => !!store?.getItem(RELOADED),
        set: () => store?.setItem(RELOADED, "1"),
        clear: () => store?.removeItem(RELOADED),
      };

  let reloading = false;
  function reloadWhenActive(registration) {
    if (reloading) return;
    reloading = true;
    // Chromium may keep this document in its back/forward cache when the reload replaces it with
    // an isolated one (COOP puts that in another browsing context group), and a later reload of
    // the tab then brings this one back, engine never started: go to the isolated one again
    // (after the restore, which ignores a reload asked for during its pageshow).
    addEventListener("pageshow", (e) => e.persisted && setTimeout(() => location.reload()));
    const worker = registration?.installing ?? registration?.waiting;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "redundant") settle(blocked);
    });
    // Reloading as soon as the library decides (on `updatefound`) sometimes reloads before the
    // worker controls the page, and the page then reloads a second time
    // (../shared/TOOLCHAIN-FACTS.md): wait until it is active.
    // The mark is set at the last moment: the page's form replaces its history entry's state
    // (www/form.js) as it starts.
    container.ready.then(() => {
      mark.set();
      location.reload();
    });
  }

  // In a frame, refusals get reasons of their own: the embed then says what the page around it
  // (or the browser's third-party storage rules) changes.
  const blocked = framed ? "framed-blocked" : "blocked";

  /**
   * Whether this browser isolates a framed document by its own Document-Isolation-Policy header
   * (which the service worker adds), whatever the page around it sends. Only Chromium does, from
   * version 137, and no script can test for it short of trying: elsewhere trying would cost a
   * reload for nothing, since COOP/COEP on a frame only count when its host page sends them too.
   */
  function isolatesFrames() {
    const brands = /** @type {any} */ (navigator).userAgentData?.brands ?? [];
    return brands.some((b) => b.brand === "Chromium" && Number(b.version) >= 137);
  }

  /** Why the service worker cannot help this page, or null if it may try. */
  function cannotTry() {
    if (framed && !isolatesFrames()) return "framed";
    if (!window.isSecureContext) return "insecure";
    if (!container || !store) return blocked;
    if (mark.get()) return framed ? "framed-no-effect" : "no-effect";
    return null;
  }

  /**
   * On a page that stays without isolation whatever it does (a frame the browser cannot isolate,
   * or a worker that had no effect), the service worker still answers the fetch workload's
   * requests (scripts/latency-sw.js): registered with no reload, which would isolate nothing, it
   * claims the page as it activates. Resolves once it controls the page (rejects if the browser
   * refuses it: the engine says so); null where it cannot register or controls the page already.
   * @param {string} reason the code cannotTry gave
   */
  function answerWithoutIsolation(reason) {
    const noReload = ["framed", "no-effect", "framed-no-effect"];
    if (!noReload.includes(reason) || !window.isSecureContext || !here) return null;
    if (!container || container.controller) return null;
    const controlled = new Promise((resolve) =>
      container.addEventListener("controllerchange", resolve, { once: true }),
    );
    const url = new URL("coi-serviceworker.js", here).href;
    const claimed = Promise.resolve()
      .then(() => container.register(url))
      .then((registration) => {
        if (!registration) throw new Error("service worker registration was refused");
        // Active already (another embed of this site registered it a moment before), it claimed
        // the pages it had then, which this one may have missed: it asks to be claimed.
        if (!container.controller) registration.active?.postMessage({ type: "claim" });
        return controlled;
      });
    claimed.catch(() => {}); // the engine reads the rejection and says why
    return claimed;
  }

  const here =
    document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : "";
  let answering = null;

  if (window.crossOriginIsolated !== false) {
    mark.clear();
    settle(null);
  } else {
    const reason = cannotTry();
    if (reason) {
      settle(reason);
      answering = answerWithoutIsolation(reason);
    } else {
      // Wrapped to learn how registration ended, which the library keeps to itself. Some
      // blockers (Playwright's among them) make `register` resolve to nothing instead of
      // rejecting; that counts as refused too.
      const register = container.register;
      let registering = false;
      container.register = function (...args) {
        registering = true;
        const attempt = Promise.resolve(register.apply(this, args)).then((registration) => {
          if (!registration) throw new Error("service worker registration was refused");
          const updating = registration.installing || registration.waiting;
          // A worker that served this document and yet left it without isolation had no
          // effect. One that controls it only since (it claims the pages of its scope when it
          // activates: another embed's, on the same page) never saw it: reload through it.
          if (controlledFromStart && !updating) settle(framed ? "framed-no-effect" : "no-effect");
          else reloadWhenActive(registration);
          return registration;
        });
        attempt.catch(() => settle(blocked));
        return attempt;
      };
      // The library registers as it runs, before this event; if it has not, it did not load.
      document.addEventListener("DOMContentLoaded", () => registering || settle(blocked));
    }
  }

  // On an isolated page, two of the engine's first steps start here: this classic script runs as
  // soon as the parser reaches it, while www/engine.js (a module) runs only after the page's
  // first style and layout, and these two were then the last waits before `ready`. They are the
  // registration of the page's service worker, which also answers the fetch workload's latency
  // endpoint (serviceWorkerAnswering in www/engine.js awaits it), and the threaded build's glue
  // module with the modules it imports (the engine loads that build on an isolated page with
  // SharedArrayBuffer, unless the browser lacks WebAssembly threads), and `ready` comes sooner.
  // The wasm itself is still fetched by the engine: started here too, it made `ready` sooner
  // still, but Lighthouse's simulated slow phone counts a download that ends before the first
  // paint as holding up that paint, and its LCP then missed its target in most runs (the figures
  // are in BENCHMARKS.md, "Figures behind design choices").
  let early = null;
  /**
   * The threaded glue's imports (under pkg/mt/): scripts/dist.mjs writes them in.
   * @type {string[]}
   */
  const GLUE_IMPORTS = [];
  if (window.crossOriginIsolated === true && typeof SharedArrayBuffer === "function" && here) {
    const worker =
      container && !container.controller
        ? container.register(new URL("coi-serviceworker.js", here).href)
        : null;
    worker?.catch(() => {}); // refused: the engine reads the rejection and says why
    // The glue's own imports are fetched with it, not once the busy main thread has parsed it.
    for (const path of GLUE_IMPORTS) {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.href = new URL(path, here).href;
      document.head.append(link);
    }
    const glue = import(new URL("pkg/mt/playground.js", here).href);
    glue.catch(() => {}); // the engine imports it again, and reports a failure
    early = { worker, glue };
  }

  /** @type {any} */ (window).coi = {
    shouldRegister: () => cannotTry() === null,
    doReload: () => reloadWhenActive(null),
    // The page reports why threads are off in words; the library's console lines would only
    // repeat that (and one of them is logged as an error).
    quiet: true,
    isolation,
    early,
    answering,
    servedByWorker: controlledFromStart,
  };
})();
