// The worker pool's start-up alone (and, on the way, how soon a page that loads nothing but the
// engine has it instantiated): the engine's own `startPool(threads)` (dist/'s threaded
// build) on a bare page, with nothing else of the playground loading meanwhile. The playground's
// page starts a pool of 16, the most threads a run has without a new engine instance; the
// benchmark issue's target is for a pool of 2, which only this page starts. bench/playground.mjs
// loads it with `?threads=2` and `?threads=16`, each in a fresh browser context, in alternation.
import init, { startPool } from "../../dist/pkg/mt/playground.js";

const threads = Number(new URLSearchParams(location.search).get("threads") ?? 2);
await init({ module_or_path: new URL("../../dist/pkg/mt/playground_bg.wasm", import.meta.url) });
/**
 * When the engine was instantiated, in ms from navigation: the floor under the playground's
 * `ready` (the same module fetched, compiled and instantiated, with no page around it).
 */
window.engineAt = performance.now();
/** Resolves to the ms the pool took to start, as the engine measures it (the page's figure). */
window.poolStart = startPool(threads);
