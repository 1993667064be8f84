// The page: wires the form and buttons to the public API and renders what runs record. It
// keeps no time itself: elapsed figures and the ticking clock come from the engine.
import { playground } from "./playground.js";
import { FIELDS, applyUrl, renderForm, runOptions, showErrors, syncUrl } from "./form.js";
import { draw, redrawOnResize, timelineFigure } from "./timeline.js";
import { showOverhead } from "./overhead.js";
import { liveEnd, liveFrame, liveResize, liveStart } from "./live.js";
import { taskTable } from "./task-table.js";
import { FACTORS, enableFactors, renderFactors } from "./factors.js";
import { wireExports } from "./export.js";
import { version } from "./version.js";
import { lazyPanel } from "./panels.js";
import { number, seconds } from "./format.js";
import { wirePresent } from "./present.js";
import { keepOffline } from "./offline.js";

/** @param {string} id @returns {any} the element: this module knows what each id is. */
const $ = (id) => document.getElementById(id);

// The panels below the first screen load when first needed (panels.js): not part of a first
// visit's budget. The code panel shows the latest run's programs (highlight.js with it).
/** @type {any} The latest run's record, for the code panel. */
let lastRecord = null;
const codePanel = lazyPanel(
  $("code-section"),
  "code",
  async () => {
    const m = await import("./code.js");
    m.wireCopy(announce);
    return m;
  },
  async (m) => {
    const r = lastRecord;
    if (!r) return;
    const rust = await playground.rustCode(r.model, r.workload, r.blocking, r.timers, r);
    if (r === lastRecord) m.showCode(r, rust);
  },
);
const sweepPanel = lazyPanel($("sweep-section"), "sweep", () => import("./sweep.js"));
lazyPanel(
  $("compare-section"),
  "compare",
  () => import("./compare.js"),
  (m) => m.showComparison($("compare"), $("compare-intro")),
);
// "You are the scheduler": its controls are in the page from the start (its Start disabled until
// the module is in and the engine ready), so nothing moves when it loads.
lazyPanel($("sched-section"), "scheduler", async () => {
  const m = await import("./scheduler.js");
  m.wireScheduler(playground);
  return m;
});

/** @type {any} */ (window).playground = playground;
renderForm();
wireExports(playground);
document.getElementById("version").textContent = version;
/** @type {HTMLButtonElement[]} */
const runButtons = [...document.querySelectorAll("button[data-model]")].filter(
  (b) => b instanceof HTMLButtonElement,
);
/** @param {Event} e @returns {any} */
const detail = (e) => /** @type {CustomEvent} */ (e).detail;

let model = "async";
let running = false;
let ready = false;
// Predict first (`predict`): its prompts hold the Run and Show me buttons until answered.
// predict.js loads only while the option is on (a link's `predict=1`, an embed's attribute, or
// the reader ticking it); until then no button waits for it.
/** @type {Promise<import("./predict.js").Predictor> | null} */
let predictLoad = null;
/** @type {import("./predict.js").Predictor | null} The predictor, once loaded. */
let predictor = null;
/** Whether predict.js failed to load: nothing is then held for it (the page said why). */
let predictFailed = false;
const predictOn = () => $("predict")?.checked ?? false;

/** Loads predict.js once; resolves to the page's predictor. */
function loadPredictor() {
  predictLoad ??= import("./predict.js").then(
    ({ Predictor }) =>
      (predictor = new Predictor(playground, {
        announce,
        changed: () => setRunning(running),
        options: runOptions,
      })),
    (error) => {
      predictFailed = true;
      announce(`Predict first could not load (${error.message}); reload to try again.`);
      setRunning(running);
      throw error;
    },
  );
  return predictLoad;
}

/** What the buttons ask of predict first, whether or not predict.js is in. */
const predict = {
  /** @param {string | undefined} which a Run button's model */
  holds: (which) => predictOn() && (predictor ? predictor.holds(which) : !predictFailed),
  /** @param {Element} button a Show me button */
  holdsDemo: (button) => predictor?.holdsDemo(button) ?? false,
  /** @param {any} result */
  afterRun: (result) => predictor?.afterRun(result),
};

function setRunning(on) {
  running = on;
  for (const b of runButtons) {
    b.disabled =
      !ready ||
      on ||
      (b.dataset.model === "threads" && !playground.capabilities.threads) ||
      predict.holds(b.dataset.model);
  }
  $("sweep").disabled = !ready || on;
  enableFactors(ready && !on, (b) => !predict.holdsDemo(b));
  $("stop").disabled = !on;
  $("status").hidden = !on;
}

/** Checks the form for `which` (a model, or "all") and marks `fields`; true if it may run. */
async function validate(which, fields) {
  const verdict = await playground.check(runOptions(which));
  showErrors(verdict.errors, fields);
  return verdict.ok;
}

/**
 * As the user types: each field is checked as for the models that use it (the schema says
 * which), so a threads count is judged as threads and a process count as processes.
 */
async function validateLive() {
  const byModel = new Map();
  for (const o of FIELDS) {
    const m =
      o.models.length > 1
        ? "async"
        : o.models[0] === "threads" && !playground.capabilities.threads
          ? "processes"
          : o.models[0];
    byModel.set(m, [...(byModel.get(m) ?? []), o.name]);
  }
  for (const [m, fields] of byModel) await validate(m, fields);
}

async function start(which) {
  if (running) return;
  if (predict.holds(which)) {
    announce("Give your prediction first, or skip it.");
    return;
  }
  model = which;
  syncUrl(model);
  try {
    // The engine checks the options once, as part of the run, and refuses with every error.
    predict.afterRun(await playground.run(runOptions(which)));
    showErrors([]);
  } catch (err) {
    showErrors(err.errors ?? [{ field: err.field ?? "tasks", message: err.message }]);
    announce(err.errors ? "Not run: fix the marked fields first." : err.message);
  }
}

// ---- rendering what runs record (for UI and API runs alike) ----

/** @type {{ figure: HTMLElement, record: any }[] | null} The current action's figures. */
let batch = null;

/** Draws the current action's figures on one time axis, the longest run's. */
function drawBatch() {
  const axis = Math.max(...(batch ?? []).map((b) => b.record.elapsedMs));
  for (const b of batch ?? []) draw(b.figure, b.record, axis);
}

/** Runs `fn` when the browser is next idle (at most a second later). */
function whenIdle(fn) {
  if (typeof requestIdleCallback === "function") requestIdleCallback(fn, { timeout: 1000 });
  else setTimeout(fn, 0);
}

function announce(text) {
  $("announce").textContent = text;
}

/**
 * The live figure and progress are redrawn every `frameMs` during a run, not at every frame: each
 * redraw costs the page a style, layout and paint pass (and the compositor a frame), and at every
 * frame, 60 a second, that came to a large share of a core, which a CPU run's worker threads lost,
 * and their speedup with it (BENCHMARKS.md, "Figures behind design choices"). The engine says how
 * often for each model's run (`runstart`'s `frameMs`: less often while tasks compute).
 */
let frameMs = 50;
/** Whether a redraw is scheduled: one chain of them at a time, even across back-to-back runs. */
let ticking = false;

function tick() {
  if (!running) {
    ticking = false;
    return;
  }
  liveFrame(playground.live());
  const p = playground.progress();
  if (p) {
    $("progress").max = p.total;
    $("progress").value = p.done;
    $("progress-text").textContent =
      `${number(p.done)} / ${number(p.total)} tasks done · ` + seconds(p.elapsedMs);
  }
  // Waiting in a timer rather than frame after frame spares the browser a main-frame pass at
  // every frame in between; the redraw itself still comes with a frame. (8 ms: half a frame,
  // what the wait for the frame adds on average.)
  setTimeout(() => requestAnimationFrame(tick), frameMs - 8);
}

playground.events.addEventListener("start", () => {
  setRunning(true);
  batch = [];
  if (!ticking) {
    ticking = true;
    requestAnimationFrame(tick);
  }
  // On a narrow screen the live figure is below the buttons: bring it into view. At the next
  // frame, not here: measuring it here made the browser lay out the page before the engine
  // went on to start the run, which delayed a fresh page's first task. Only when less than half
  // of it is in view: a page scrolled by a few lines as a run starts is repainted while the run
  // computes (a browser drawing without a GPU spent a third of a core on it, taken from the
  // threads the run measures; BENCHMARKS.md, "Figures behind design choices").
  requestAnimationFrame(() => {
    const box = $("live").getBoundingClientRect();
    const shown = Math.min(box.bottom, innerHeight) - Math.max(box.top, 0);
    if (shown < Math.min(box.height, innerHeight) / 2)
      $("live").scrollIntoView({ block: "nearest" });
  });
});
playground.events.addEventListener("end", () => setRunning(false));
playground.events.addEventListener("runstart", (e) => {
  frameMs = detail(e).frameMs;
  $("progress-text").textContent = `starting ${detail(e).model}…`;
  liveStart(detail(e));
});

function addRow(r) {
  const tr = document.createElement("tr");
  tr.dataset.model = r.model;
  tr.dataset.workload = r.workload;
  tr.dataset.gil = r.gil ? "1" : "0";
  tr.dataset.tasks = String(r.tasks);
  tr.dataset.delay = String(r.delay);
  const width = r.model === "processes" ? r.processes : r.threads;
  tr.dataset.threads = String(width);
  tr.dataset.elapsedMs = String(r.elapsedMs);
  tr.dataset.idealMs = String(r.idealMs ?? "");
  if (r.stopped) tr.dataset.stopped = "true";
  if (r.error) tr.dataset.error = r.error;
  if (r.distorted) tr.dataset.distorted = "true";
  const name =
    r.model +
    (r.gil ? " + GIL" : "") +
    (r.blocking ? " (blocking)" : "") +
    (r.stopped ? ` (stopped, ${r.finished} done)` : "");
  const cells = [
    name,
    r.workload,
    number(r.tasks),
    number(r.delay),
    number(width),
    number(r.elapsedMs),
    r.idealMs === null ? "—" : number(r.idealMs),
    r.idealMs ? `${(r.elapsedMs / r.idealMs).toFixed(3)}×` : "—",
    number(r.peakInFlight),
    r.explanation,
  ];
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  /** @type {HTMLElement} */ (tr.lastChild).className = "what";
  $("results").tBodies[0].prepend(tr);
  $("empty").hidden = true;
}

function showDiagnostics() {
  const s = playground.stats();
  if (!s) return;
  $("diagnostics").textContent =
    `Engine: ${number(s.wasmMemoryBytes / 2 ** 20)} MB of wasm memory, ` +
    `${number(s.heapBytes / 2 ** 20)} MB in use, ${s.workers} pool threads, ` +
    (s.taskThreads ? `${number(s.taskThreads)} threads started by runs past the pool, ` : "") +
    `${s.processes} processes, ${s.runs} runs so far.`;
}

playground.events.addEventListener("runend", (e) => {
  const r = detail(e);
  const why = r.explanation;
  addRow(r);
  liveEnd(r, why);
  // No model predicts a counter's time (its idealMs is null): its record gives the time per
  // update instead.
  const measure =
    r.idealMs === null
      ? `${number(r.nsPerUpdate ?? 0)} ns per update`
      : `ideal ${number(r.idealMs)} ms`;
  const line =
    `${r.model}: ${r.finished} of ${r.tasks} tasks in ${number(r.elapsedMs)} ms ` +
    `(${measure})${r.stopped ? ", stopped" : ""}.`;
  $("result-line").textContent = line;
  announce(`${line} ${why}`);
  batch ??= [];
  const figure = timelineFigure(r, why);
  const tasks = taskTable(r);
  if (tasks) figure.append(tasks);
  batch.push({ figure, record: r });
  $("timelines").replaceChildren(...batch.map((b) => b.figure));
  // Drawn in the next frame: a million bars are a task of their own, not part of the run's end.
  requestAnimationFrame(drawBatch);
  if (r.crashed) {
    // A dead worker thread cannot be replaced in this wasm instance: a fresh page is a fresh pool.
    $("crashed").hidden = false;
    $("crashed-text").textContent = r.error;
  }
  showOverhead($("overhead"), playground.costs());
  // The code panel describes this run: filled now if it is loaded, else loaded once the browser
  // is idle (after the run's own drawing), or sooner if the reader scrolls to it; not where the
  // view hides it (the embed's run view).
  lastRecord = r;
  codePanel.refresh();
  if ($("code-section").checkVisibility?.() ?? true)
    whenIdle(() => codePanel.get().catch(() => {}));
  showDiagnostics();
});

playground.events.addEventListener("runerror", (e) => {
  announce(`${detail(e).model}: ${detail(e).error.message}`);
});

// ---- the sweep ----

async function startSweep() {
  if (running) return;
  syncUrl(model);
  if (!(await validate("async"))) {
    announce("Not swept: fix the marked fields first.");
    return;
  }
  const points = [];
  const skipped = [];
  const { model: _, ...options } = runOptions("async");
  // A failing task or blocking calls would only muddle the curves.
  Object.assign(options, { fail: undefined, blocking: false });
  $("sweep-notes").textContent = "Sweeping…";
  $("sweep-chart").dataset.state = "running";
  let loaded;
  try {
    loaded = await sweepPanel.get();
  } catch (error) {
    delete $("sweep-chart").dataset.state;
    $("sweep-notes").textContent =
      `The sweep could not load (${error.message}); reload to try again.`;
    return;
  }
  const { drawSweep, sweep } = loaded;
  await sweep(
    playground,
    options,
    (p) => {
      points.push(p);
      drawSweep($("sweep-chart"), points);
    },
    (s) => skipped.push(`${s.model} from ${number(s.tasks)} tasks (${s.reason})`),
  );
  $("sweep-chart").dataset.state = "done";
  $("sweep-notes").textContent = skipped.length ? `Skipped: ${skipped.join("; ")}.` : "";
  announce("Sweep finished: the chart and table below show elapsed time per task count.");
}

// ---- wiring ----

for (const b of runButtons) b.addEventListener("click", () => start(b.dataset.model));
$("sweep").addEventListener("click", startSweep);
$("stop").addEventListener("click", () => playground.stop());
$("restart").addEventListener("click", () => location.reload());
$("setup").addEventListener("submit", (e) => {
  e.preventDefault();
  start(model);
});
for (const o of FIELDS) {
  $(o.name).addEventListener(
    o.kind === "whole" || o.kind === "decimal" ? "input" : "change",
    () => {
      syncUrl(model);
      validateLive();
    },
  );
}

redrawOnResize($("timelines"), drawBatch);
redrawOnResize($("live"), liveResize);

/**
 * Runs a demonstration of the comparison table: each run in turn, drawn live and added to the
 * results like any other. Resolves to the records, or null if one was refused or failed (the
 * message is announced).
 */
async function showMe(runs) {
  if (running) return null;
  const records = [];
  for (const options of runs) {
    try {
      records.push(await playground.run(options));
    } catch (err) {
      announce(err.message);
      return null;
    }
  }
  return records;
}
/**
 * A Show me button's demonstration, asking for a prediction first while the option is on.
 * @param {any[]} runs @param {HTMLButtonElement} button
 */
async function demo(runs, button) {
  if (!predictOn()) return showMe(runs);
  const p = await loadPredictor();
  return p.demos(showMe)(runs, button);
}
renderFactors(demo, () => playground.capabilities, playground.demoSentence);
// The embed's focused views (the attribute on <html> is set by embed-view.js before first paint).
const view = document.documentElement.dataset.view;
if (view === "factor") {
  // One row of the comparison table, the one the link names (embed-view.js hides the others).
  const key = new URLSearchParams(location.search).get("factor");
  const known = FACTORS.map((f) => f.key);
  if (!known.includes(key)) {
    $("factor-unknown").hidden = false;
    $("factor-unknown").textContent =
      `The link's factor ${JSON.stringify(key ?? "")} is not one of ${known.join(", ")}.`;
  }
}

const fromUrl = applyUrl();
model = fromUrl.model;
// Options behind "More options" stay in view when a link set one of them.
if (fromUrl.more) $("more-options").open = true;
wirePresent();
keepOffline();
// A link with `predict=1`: predict.js loads meanwhile, and is in by the time the engine is ready.
if (predictOn()) loadPredictor().catch(() => {});
$("predict")?.addEventListener("change", () => {
  if (!predictOn()) return;
  loadPredictor().catch(() => {});
  if (!ready) return; // asked once the engine is ready
  setRunning(running); // held until its questions are asked
  askPredictions().then(() => setRunning(running));
});

if (view === "run") {
  // The setup fields the link set (tasks and delay if it set none), and the Run button of its
  // model, or the three of "all".
  const shown = fromUrl.set.length ? fromUrl.set : ["tasks", "delay"];
  for (const f of document.querySelectorAll("[data-option]")) {
    /** @type {HTMLElement} */ (f).hidden = !shown.includes(
      /** @type {HTMLElement} */ (f).dataset.option,
    );
  }
  /** @type {readonly string[]} */
  const models = model === "all" ? playground.schema.allModels : [model];
  for (const b of runButtons) b.hidden = !models.includes(b.dataset.model);
  // The buttons were kept out of sight until now (style.css).
  document.documentElement.dataset.runPicked = "";
}

playground.ready.then(async (caps) => {
  ready = true;
  if (caps.memory === "shared") {
    const when = caps.poolOnDemand
      ? "starts with the first threads run, which waits for it (not counted in its run time)"
      : "is starting in the background (async and sequential runs need not wait for it)";
    $("caps").textContent =
      `Engine ready; the worker pool of ${caps.poolSize} threads ${when}. ` +
      `This browser reports ${caps.hardwareConcurrency} cores.`;
    playground.threadsReady.then((ms) => {
      $("caps").textContent =
        `Worker pool of ${caps.poolSize} threads started in ${number(ms)} ms ` +
        `(not counted in run times). This browser reports ${caps.hardwareConcurrency} cores.`;
    });
  } else {
    $("caps").textContent =
      `Engine ready (plain build: threads are Web Workers with memory of their own, started ` +
      `when a run needs them). This browser reports ${caps.hardwareConcurrency} cores.`;
    // Why the memory is not shared; a run that needs it is refused with the same reason.
    $("threads-off").hidden = false;
    $("threads-off").textContent = caps.reason;
  }
  if (!caps.fetch) {
    $("workload-hint").textContent = caps.fetchReason;
  }
  await askPredictions();
  setRunning(false);
  showDiagnostics();
  await validateLive();
  for (const note of fromUrl.notes) {
    if (note.field === "model") announce(note.message);
    else $(`${note.field}-error`).textContent = note.message;
  }
  if (fromUrl.autorun) start(model);
});

/** Whether predict first has started asking (once: it then follows the form itself). */
let asking = false;

/**
 * With `predict` on: the Run buttons' models (each of "all"'s), and in the factor view its row.
 * Off, nothing: predict.js loads and this runs when the reader turns it on.
 */
async function askPredictions() {
  if (!predictOn() || asking) return;
  asking = true;
  let p;
  try {
    p = await loadPredictor();
  } catch {
    return; // said by loadPredictor
  }
  const row = new URLSearchParams(location.search).get("factor");
  const button = document.querySelector(`button[data-factor="${CSS.escape(row ?? "")}"]`);
  if (view === "factor" && p.on && button instanceof HTMLButtonElement) {
    const factor = FACTORS.find((f) => f.key === row);
    await p.askDemo(button, factor.runs(playground.capabilities));
  }
  const shown = runButtons.filter((b) => !b.hidden && b.dataset.model !== "all");
  await p.start(shown.map((b) => b.dataset.model));
}
