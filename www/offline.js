// @ts-check
// Keeping the page for use without the network. A few seconds after the page has loaded and its
// engine is ready, the page asks its service worker to keep every file of this build
// (scripts/offline-sw.js) but the wasm build it does not use, and the footer says when that is
// done: from then on the page loads and runs with the network off. Asked late so that it never
// competes with the page's own first load, nor adds to a first visit's bytes (the bench counts
// them until a second after ready); the files the page loaded are revalidated then (a 304 each),
// the rest fetched. Not in an embed: a documentation page around it does not work offline
// anyway, and its reader did not come for the playground.
import { playground } from "./playground.js";

const OFFLINE = "playground:offline";
/** How long after the page has loaded and its engine is ready it asks. */
const AFTER_READY_MS = 3000;

/** Resolves to the capabilities once the page is loaded and its engine ready, a while later. */
async function settled() {
  const [caps] = await Promise.all([
    playground.ready,
    new Promise((r) =>
      document.readyState === "complete" ? r(null) : addEventListener("load", r),
    ),
  ]);
  await new Promise((r) => setTimeout(r, AFTER_READY_MS));
  return caps;
}

export async function keepOffline() {
  const container = navigator.serviceWorker;
  if (!container || document.documentElement.classList.contains("embed")) return;
  const note = /** @type {HTMLElement} */ (document.getElementById("offline"));
  container.addEventListener("message", (event) => {
    const answer = event.data;
    if (answer?.type !== OFFLINE) return;
    document.documentElement.dataset.offline = answer.state;
    if (answer.state === "ready") {
      note.textContent = ` · release ${answer.version} kept in this browser: it works offline`;
    } else if (answer.state === "failed") {
      note.textContent = ` · not kept for offline use (${answer.reason})`;
    }
  });
  container.startMessages();
  let caps;
  try {
    caps = await settled();
  } catch {
    return; // no engine: nothing worth keeping
  }
  // The worker coi.js registered; it controls the page once it has claimed it.
  const registration = await container.ready;
  // The threaded build is the one with shared memory (www/engine.js).
  const wasm = caps.memory === "shared" ? "mt" : "st";
  registration.active?.postMessage({ type: OFFLINE, wasm });
}
