// The fetch workload's latency endpoint, answered inside the browser by the page's service
// worker. Built into www/coi-serviceworker.js ahead of the coi-serviceworker library (a page
// has one service worker per scope), so static hosts and embeds get it as well as
// `./build.sh serve`.
//
// Why: a browser opens at most 6 connections to one HTTP/1.1 server (and 256 in all), so a
// thousand requests to one server can never be under way at once, whatever the model; a
// server inside the browser has no such limit. Every response says so (`X-Answered-By`) and
// when the request arrived (`X-Received-At`), and the run's record reports it.
//
// A request that asks for a network fault (`fail=http500|drop|stall`) goes to the real server
// when there is one, so the fault happens there for real; on a static host this worker
// answers it the same way.
if (typeof window === "undefined") {
  // Parsed once, not on every request: a run sends up to a thousand at once.
  const scope = new URL(self.registration.scope).pathname;
  /** Whether the server answers the endpoint itself (fetched past this worker, once). */
  let serverHasEndpoint = null;
  const serverAnswers = () =>
    (serverHasEndpoint ??= fetch(new URL("api/status.json", self.registration.scope), {
      cache: "no-store",
    })
      .then((r) => r.json())
      .then((s) => s.latency === true)
      .catch(() => false));

  const json = (status, body, receivedAt) =>
    new Response(body, {
      status,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Answered-By": "service worker",
        "X-Received-At": String(receivedAt),
      },
    });

  /**
   * A successful answer: 204, the headers, no body. A body of a string or bytes is handed to the
   * page as a blob, registered with the browser process and read back through it, one per
   * response (Chromium's fetch_respond_with_observer.cc drains it with DrainAsBlobDataHandle:
   * https://source.chromium.org/chromium/chromium/src/+/main:third_party/blink/renderer/modules/service_worker/fetch_respond_with_observer.cc).
   * With a thousand answers due at once, even a tiny body costs most of a second in all
   * (BENCHMARKS.md, "Figures behind design choices"). The page still awaits the (empty) body to its
   * end, as it does the server's.
   */
  const done = (receivedAt) =>
    new Response(null, {
      status: 204,
      headers: {
        "Cache-Control": "no-store",
        "X-Answered-By": "service worker",
        "X-Received-At": String(receivedAt),
      },
    });

  /** Waits `ms`, or until the request is given up (its signal aborts): resolves whether it was. */
  const wait = (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  async function answer(url, request) {
    const receivedAt = Date.now();
    const ms = Math.min(60_000, Math.max(0, Number(url.searchParams.get("ms")) || 0));
    const fail = url.searchParams.get("fail");
    if (fail === "stall") {
      // Never answered: the task's timeout ends it (given up after two minutes at most).
      await wait(120_000, request.signal);
      return Response.error();
    }
    if (await wait(ms, request.signal)) return Response.error();
    if (fail === "http500") {
      return json(500, '{"error":"failed on purpose (fail=http500)"}', receivedAt);
    }
    if (fail === "drop") {
      // Part of the body, then the stream breaks: the client sees a network error reading it.
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`{"ms":${ms},"partial":`));
          setTimeout(() => controller.error(new TypeError("connection dropped (fail=drop)")), 20);
        },
      });
      return json(200, body, receivedAt);
    }
    return done(receivedAt);
  }

  /**
   * Same-origin requests the library need not touch: scripts (module imports too), styles,
   * images, fonts and fetches such as the wasm module's. Under COEP require-corp only
   * cross-origin resources need the CORP header it adds, and only documents and worker scripts
   * carry COOP and COEP, so those still go through it. Each of the worker pool's 16 threads
   * imports four modules; sent on and copied back by the library, those imports made the pool
   * start markedly later (BENCHMARKS.md). While the server answers they are left to the
   * browser; when it did not answer for the page's document (a page loaded offline), the
   * offline cache answers them (scripts/offline-sw.js). Sent through this worker even while
   * the server answered, the pool of 16 started later again (BENCHMARKS.md).
   */
  const PASS_THROUGH = new Set(["script", "style", "image", "font", "manifest", ""]);

  // Registered before the library's own listener: answering here and stopping the event keeps
  // the library from sending the same request on to the network.
  self.addEventListener("fetch", (event) => {
    const url = new URL(event.request.url);
    if (url.origin !== self.location.origin || !url.pathname.startsWith(scope)) return;
    const path = url.pathname.slice(scope.length);
    if (path === "api/status.json") {
      event.stopImmediatePropagation();
      event.respondWith(json(200, '{"latency":true,"answeredBy":"service worker"}', Date.now()));
    } else if (path === "api/latency") {
      event.stopImmediatePropagation();
      if (!url.searchParams.has("fail")) {
        event.respondWith(answer(url, event.request));
        return;
      }
      event.respondWith(
        serverAnswers().then((yes) => (yes ? fetch(event.request) : answer(url, event.request))),
      );
    } else if (event.request.destination === "worker" && url.searchParams.has("direct")) {
      // The worker of a page this worker answers but did not serve (an embed that stays without
      // isolation, registered with no reload: www/coi.js): as the server sends it, like its
      // page. With the COEP header its page lacks, WebKitGTK fails the worker.
      event.stopImmediatePropagation();
    } else if (event.request.mode !== "navigate" && PASS_THROUGH.has(event.request.destination)) {
      // Not the library's (see PASS_THROUGH): it would send it on and copy it back.
      event.stopImmediatePropagation();
      if (!playgroundOffline.reachable()) event.respondWith(playgroundOffline.fetch(event.request));
    }
  });

  // A page that registers this worker with no reload (www/coi.js: an embed that stays without
  // isolation) after it has activated was not among the pages it claimed then (another embed of
  // the same site registered it a moment before): it asks, and is claimed now.
  self.addEventListener("message", (event) => {
    if (event.data?.type === "claim") event.waitUntil(self.clients.claim());
  });
}
