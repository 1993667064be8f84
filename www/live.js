// The live figure and the program's output: a run drawn while it happens (a bar appears when a
// task starts and grows until it ends, a line marks "now", lanes appear as they are used), and
// what the tasks print, as they print it. After the run, the same figure replays it at a chosen
// speed, or shows any moment picked on the scrubber. Every figure comes from the engine: its live
// snapshot (`playground.live()`) during the run, its record after.
import { draw, drawScale, prepare } from "./timeline.js";
import { duration, number, seconds } from "./format.js";

const $ = (id) => /** @type {any} */ (document.getElementById(id));

/** @typedef {{ atMs: number, lane: number, text: string }} Line */

/** The console pane shows `lines`; `now` hides the ones printed after it (replay). */
function showOutput(lines, now = Infinity) {
  const pane = $("console");
  const shown = lines.filter((l) => l.atMs <= now);
  if (pane.childElementCount === shown.length && pane.dataset.now === String(now)) return;
  pane.dataset.now = String(now);
  pane.replaceChildren(
    ...shown.map((l) => {
      const div = document.createElement("div");
      div.textContent = l.text;
      div.dataset.at = String(l.atMs);
      div.dataset.lane = String(l.lane);
      return div;
    }),
  );
  pane.scrollTop = pane.scrollHeight;
}

/** State of the figure: the run under way or the last one finished. */
let run = null;
/** Samples of the counters of a run too big to watch task by task: drawn as a curve. */
let samples = [];
let replaying = null;

/** A run starts (`detail`: its model, tasks and ideal time): the figure clears. */
export function liveStart(detail) {
  stopReplay();
  run = { model: detail.model, tasks: detail.tasks, idealMs: detail.idealMs, record: null };
  samples = [];
  $("live").dataset.state = "running";
  $("live").dataset.model = detail.model;
  $("replay").hidden = true;
  $("live-caption").textContent = `${detail.model}: starting ${number(detail.tasks)} tasks…`;
  $("live-loop").hidden = true;
  delete $("live").dataset.ready;
  showOutput([]);
}

/** One frame of the run under way. */
export function liveFrame(snapshot) {
  if (!run || !snapshot) return;
  const figure = $("live");
  const axis = Math.max((run.idealMs ?? 0) * 1.1, snapshot.elapsedMs, 1);
  // The figure first: it reads the layout, which the writes below would make stale.
  if (snapshot.watched) {
    draw(figure, snapshot, axis, snapshot.elapsedMs);
    showOutput(snapshot.output);
  } else {
    samples.push([snapshot.elapsedMs, snapshot.inFlight, snapshot.done]);
    drawCounts(figure, axis, snapshot.total);
  }
  // The event loop's ready queue and timers, in the engine's sentence (async runs).
  $("live-loop").hidden = snapshot.loopLine == null;
  $("live-loop").textContent = snapshot.loopLine ?? "";
  if (snapshot.ready != null) figure.dataset.ready = String(snapshot.ready);
  figure.dataset.started = String(snapshot.started);
  figure.dataset.inFlight = String(snapshot.inFlight);
  figure.dataset.done = String(snapshot.done);
  $("live-caption").textContent =
    `${run.model}: ${number(snapshot.started)} of ${number(snapshot.total)} tasks started, ` +
    `${number(snapshot.inFlight)} in flight, ${number(snapshot.done)} done · ` +
    seconds(snapshot.elapsedMs);
  figure.dataset.frames = String(Number(figure.dataset.frames ?? 0) + 1);
}

/**
 * A run too big to watch task by task: tasks in flight (filled) and done (line) over time, from
 * the engine's counters sampled once a frame.
 */
function drawCounts(figure, axis, total) {
  const canvas = figure.querySelector("canvas");
  // Reads before writes (see timeline.js's prepare).
  const scale = drawScale(canvas);
  const width = Math.max(240, figure.clientWidth / scale);
  const style = getComputedStyle(canvas);
  const height = 120;
  const ctx = prepare(canvas, width, height, scale);
  const x = (ms) => 92 + (ms / axis) * (width - 120);
  const y = (n) => height - 6 - (n / Math.max(total, 1)) * (height - 28);
  ctx.fillStyle = style.getPropertyValue("--text");
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText("tasks in flight", 4, 30);
  ctx.fillText("and done", 4, 46);
  ctx.fillStyle = style.getPropertyValue("--bar-0");
  ctx.beginPath();
  ctx.moveTo(x(0), y(0));
  for (const [t, inFlight] of samples) ctx.lineTo(x(t), y(inFlight));
  ctx.lineTo(x(samples.at(-1)?.[0] ?? 0), y(0));
  ctx.fill();
  ctx.strokeStyle = style.getPropertyValue("--text");
  ctx.beginPath();
  samples.forEach(([t, , done], i) => (i ? ctx.lineTo(x(t), y(done)) : ctx.moveTo(x(t), y(done))));
  ctx.stroke();
  figure.dataset.drawn = "true";
}

/** The run ended: the figure shows all of it, and can replay it. */
export function liveEnd(record, explanation) {
  if (!run) run = { model: record.model, tasks: record.tasks, idealMs: record.idealMs };
  run.record = record;
  const figure = $("live");
  figure.dataset.state = "done";
  $("live-caption").textContent =
    `${record.model}: ${number(record.finished)} of ${number(record.tasks)} tasks done in ` +
    duration(record.elapsedMs);
  $("live-what").textContent = explanation;
  // The loop's line was the run under way's; the record's own sentences take over.
  $("live-loop").hidden = true;
  // Drawn in the next frame, like the other figures: not part of the run's end.
  requestAnimationFrame(() => showAt(Infinity));
  $("replay").hidden = false;
  $("scrub").max = String(Math.max(1, Math.ceil(record.elapsedMs)));
  $("scrub").value = $("scrub").max;
  $("scrub-time").textContent = `${number(record.elapsedMs)} ms`;
}

/** Draws the finished run as it stood at `now` ms (all of it when Infinity). */
function showAt(now) {
  const r = run?.record;
  if (!r) return;
  draw($("live"), r, Math.max(r.elapsedMs, 1e-3), now);
  showOutput(r.output, now);
}

function stopReplay() {
  if (replaying !== null) cancelAnimationFrame(replaying);
  replaying = null;
  $("replay-play").textContent = "Replay";
}

/** Plays the finished run back at the chosen speed (0.1× makes a 100 ms run last a second). */
function replay() {
  const r = run?.record;
  if (!r) return;
  if (replaying !== null) return stopReplay();
  const speed = Number($("replay-speed").value);
  const from = performance.now();
  $("replay-play").textContent = "Pause";
  const step = (t) => {
    const now = Math.min(r.elapsedMs, (t - from) * speed || 0);
    $("scrub").value = String(now);
    $("scrub-time").textContent = `${number(now)} ms`;
    showAt(now);
    if (now < r.elapsedMs) replaying = requestAnimationFrame(step);
    else stopReplay();
  };
  replaying = requestAnimationFrame(step);
}

/** Redraws at the current width. */
export function liveResize() {
  if (run?.record) showAt($("replay").hidden ? Infinity : Number($("scrub").value));
}

$("replay-play").addEventListener("click", replay);
$("scrub").addEventListener("input", () => {
  stopReplay();
  const now = Number($("scrub").value);
  $("scrub-time").textContent = `${number(now)} ms`;
  showAt(now);
});
