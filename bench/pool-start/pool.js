// The worker pool's start-up alone: the engine's own `startPool(threads)` (dist/'s threaded
// build) on a bare page, with nothing else of the playground loading meanwhile. The playground's
// page starts a pool of 16, the most threads a run has without a new engine instance; the
// benchmark issue's target is for a pool of 2, which only this page starts. bench/playground.mjs
// loads it with `?threads=2` and `?threads=16`, each in a fresh browser context, in alternation.
import init, { startPool } from "../../dist/pkg/mt/playground.js";

const threads = Number(new URLSearchParams(location.search).get("threads") ?? 2);
await init({ module_or_path: new URL("../../dist/pkg/mt/playground_bg.wasm", import.meta.url) });
/** Resolves to the ms the pool took to start, as the engine measures it (the page's figure). */
window.poolStart = startPool(threads);
