// What Chromium itself can do for the fetch rows, with nothing of the playground in the way: a
// bare page sends N fetch() calls at once to a minimal service worker (sw.js) that answers each
// after setTimeout(delay), as the playground's worker does (a 204, no body), and awaits every
// body. bench/playground.mjs runs it beside the playground's async rows.
const container = navigator.serviceWorker;
const claimed = new Promise((resolve) =>
  container.addEventListener("controllerchange", resolve, { once: true }),
);
await container.register("sw.js");
if (!container.controller) await claimed;

/** Sends `n` requests of `ms` at once; resolves to the ms until every body was read. */
window.floor = async (n, ms, run) => {
  const t0 = performance.now();
  const all = [];
  for (let i = 0; i < n; i++) {
    all.push(fetch(`api/latency?ms=${ms}&task=${i}&run=${run}`).then((r) => r.text()));
  }
  await Promise.all(all);
  return performance.now() - t0;
};
// Only once the worker controls the page: else the server would answer, 6 connections at a time.
window.floorReady = Boolean(container.controller);
