// @ts-check
// Keeping the page for use without the network. Once the engine is ready (the page's own files
// are in by then), the page asks its service worker to keep every file of this build
// (scripts/offline-sw.js), and the footer says when that is done: from then on the page loads
// and runs with the network off. Not in an embed: a documentation page around it does not work
// offline anyway, and its reader did not come for the playground.
import { playground } from "./playground.js";

const OFFLINE = "playground:offline";

/** Resolves once the page is loaded and its engine ready (or failed: nothing to keep then). */
const settled = () =>
  Promise.all([
    playground.ready,
    new Promise((r) =>
      document.readyState === "complete" ? r(null) : addEventListener("load", r),
    ),
  ]);

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
  try {
    await settled();
  } catch {
    return;
  }
  // The worker that controls the page once it has claimed it (coi.js registers it).
  const registration = await container.ready;
  registration.active?.postMessage({ type: OFFLINE });
}
