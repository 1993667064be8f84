// Helpers every part of the bench uses: a log with the bench's clock, medians and spreads,
// repetitions and their summary.

export const benchStart = performance.now();

export const log = (msg) =>
  process.stderr.write(`[${((performance.now() - benchStart) / 1000).toFixed(1)} s] ${msg}\n`);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `promise`'s value, or `onTimeout` after `ms`; the timer is cleared so node can exit. */
export async function capped(promise, ms, onTimeout) {
  let timer;
  const late = new Promise((r) => (timer = setTimeout(() => r(onTimeout), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `fn(rep)` up to `reps` times and collects the results; stops after an error or a time-out,
 * and after the first run if it took over `slowMs` (pass `slowMs: Infinity` where every
 * repetition counts: the threads scenarios' 2 % target, the CPU rows' spread).
 */
export async function repeat(reps, fn, { slowMs }) {
  const out = [];
  for (let i = 0; i < reps; i++) {
    const r = await fn(i);
    out.push(r);
    if (r.error || r.timedOut || (i === 0 && r.elapsedMs > slowMs)) break;
  }
  return out;
}

/** The median of the runs' elapsed times and their aggregates, or why there is none. */
export function summarise(runs, { capMs }, extra = {}) {
  const bad = runs.find((r) => r.error);
  if (bad) return { status: "error", error: bad.error, field: bad.field };
  if (runs.some((r) => r.timedOut)) {
    return { status: "timed out", capMs, reps: runs.map((r) => r.elapsedMs) };
  }
  const pick = (k) => runs.map((r) => r[k]).filter((v) => v != null);
  const med = (k) => (pick(k).length ? median(pick(k)) : null);
  const reps = runs.map((r) => r.elapsedMs);
  return {
    status: "ok",
    reps,
    medianMs: median(reps),
    minMs: Math.min(...reps),
    maxMs: Math.max(...reps),
    lastStartMs: med("lastStartMs"),
    startLatencyMs: med("firstRunLatencyMs"),
    longestTaskRunMs: Math.max(0, ...pick("longestTaskRunMs")),
    longestTaskRunMsReps: pick("longestTaskRunMs"),
    longestTaskCallMs: Math.max(0, ...pick("longestTaskCallMs")),
    longestFrameGapMs: pick("longestFrameGapMs").length
      ? Math.max(...pick("longestFrameGapMs"))
      : null,
    ...extra,
  };
}
