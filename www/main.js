// The page: wires the form and buttons to the public API and renders what runs record. It
// keeps no time itself: elapsed figures and the ticking clock come from the engine.
import { playground } from "./playground.js";
import { applyUrl, readForm, showErrors, syncUrl } from "./form.js";
import { draw, timelineFigure } from "./timeline.js";

window.playground = playground;

const $ = (id) => document.getElementById(id);
const runButtons = [...document.querySelectorAll("button[data-model]")];
const nf = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

let model = "async";
let running = false;

function setRunning(on) {
  running = on;
  for (const b of runButtons) {
    b.disabled = on || (b.dataset.model === "threads" && !playground.capabilities.threads);
  }
  $("stop").disabled = !on;
  $("status").hidden = !on;
}

/** Checks the form for `which` (a model, or "all") and marks fields; true if it may run. */
async function validate(which, fields) {
  const v = readForm();
  const verdict = await playground.check({
    model: which,
    tasks: v.tasks,
    delayMs: v.delay,
    threads: v.threads,
  });
  showErrors(verdict.errors, fields);
  return verdict.ok;
}

/** As the user types: tasks and delay are checked for any model, threads for the threads model. */
async function validateLive() {
  const a = await validate("async", ["tasks", "delay"]);
  if (playground.capabilities.threads) await validate("threads", ["threads"]);
  return a;
}

async function start(which) {
  if (running) return;
  model = which;
  syncUrl(model);
  if (!(await validate(which))) {
    announce("Not run: fix the marked fields first.");
    return;
  }
  const v = readForm();
  try {
    await playground.run({ model: which, tasks: v.tasks, delayMs: v.delay, threads: v.threads });
  } catch (err) {
    showErrors([{ field: err.field ?? "tasks", message: err.message }]);
  }
}

// ---- rendering what runs record (for UI and API runs alike) ----

let batch = null; // the figures of the current action; they share one time axis

function announce(text) {
  $("announce").textContent = text;
}

function tick() {
  if (!running) return;
  const p = playground.progress();
  if (p) {
    $("progress").max = p.total;
    $("progress").value = p.done;
    $("progress-text").textContent =
      `${p.done.toLocaleString("en-US")} / ${p.total.toLocaleString("en-US")} tasks done · ` +
      `${(p.elapsedMs / 1000).toFixed(2)} s`;
  }
  requestAnimationFrame(tick);
}

playground.events.addEventListener("start", () => {
  setRunning(true);
  batch = [];
  $("timelines").replaceChildren();
  requestAnimationFrame(tick);
});
playground.events.addEventListener("end", () => setRunning(false));
playground.events.addEventListener("runstart", (e) => {
  $("progress-text").textContent = `starting ${e.detail.model}…`;
});

function addRow(r) {
  const tr = document.createElement("tr");
  tr.dataset.model = r.model;
  tr.dataset.tasks = String(r.tasks);
  tr.dataset.delay = String(r.delayMs);
  tr.dataset.threads = String(r.threads);
  tr.dataset.elapsedMs = String(r.elapsedMs);
  tr.dataset.idealMs = String(r.idealMs);
  if (r.stopped) tr.dataset.stopped = "true";
  const cells = [
    r.model + (r.stopped ? ` (stopped, ${r.finished} done)` : ""),
    nf.format(r.tasks),
    nf.format(r.delayMs),
    nf.format(r.threads),
    nf.format(r.elapsedMs),
    nf.format(r.idealMs),
    r.idealMs > 0 ? `${(r.elapsedMs / r.idealMs).toFixed(3)}×` : "—",
    nf.format(r.peakInFlight),
  ];
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  $("results").tBodies[0].prepend(tr);
  $("empty").hidden = true;
}

playground.events.addEventListener("runend", (e) => {
  const r = e.detail;
  addRow(r);
  announce(
    `${r.model}: ${r.finished} of ${r.tasks} tasks in ${nf.format(r.elapsedMs)} ms ` +
      `(ideal ${nf.format(r.idealMs)} ms)${r.stopped ? ", stopped" : ""}.`,
  );
  batch.push(timelineFigure(r, 0));
  const axis = Math.max(...batch.map((f) => f._record.elapsedMs));
  $("timelines").replaceChildren(...batch);
  for (const f of batch) {
    f._axisMs = axis;
    draw(f);
  }
});

playground.events.addEventListener("runerror", (e) => {
  announce(`${e.detail.model}: ${e.detail.error.message}`);
});

// ---- wiring ----

for (const b of runButtons) b.addEventListener("click", () => start(b.dataset.model));
$("stop").addEventListener("click", () => playground.stop());
$("setup").addEventListener("submit", (e) => {
  e.preventDefault();
  start(model);
});
for (const f of ["tasks", "delay", "threads"]) {
  $(f).addEventListener("input", () => {
    syncUrl(model);
    validateLive();
  });
}
new ResizeObserver(() => batch?.forEach(draw)).observe($("timelines"));

const fromUrl = applyUrl();
model = fromUrl.model;

playground.ready.then(async (caps) => {
  if ($("threads").value === "") {
    $("threads").value = String(Math.min(caps.hardwareConcurrency, caps.poolSize || 1));
  }
  if (caps.threads) {
    $("threads-hint").textContent = `1 to ${caps.poolSize} (threads model only)`;
    $("caps").textContent =
      `Worker pool of ${caps.poolSize} threads started in ${nf.format(caps.poolStartMs)} ms ` +
      `(before any run, not counted in run times). This device has ` +
      `${caps.hardwareConcurrency} cores.`;
  } else {
    $("caps").textContent = `Engine ready (plain build, no threads).`;
    $("threads-off").hidden = false;
    $("threads-off").textContent = caps.reason;
    $("threads").disabled = true;
    $("threads-hint").textContent = "unavailable on this page";
  }
  setRunning(false);
  await validateLive();
  if (fromUrl.badModel) {
    announce("The link's model was not one of async, threads, sequential or all; using async.");
  }
  if (fromUrl.autorun) start(model);
});
