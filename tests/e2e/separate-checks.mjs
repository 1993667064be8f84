// Threads with separate memory (issue #28): the runs and the checks every engine shares.
// `separateRuns` runs inside the page (Chromium: page.evaluate; Firefox and WebKitGTK: WebDriver),
// `assertSeparate` checks what it returned, in Node.
import assert from "node:assert/strict";
import { availableParallelism, loadavg } from "node:os";

/**
 * Runs, through the page's API (`pg`, window.playground): 8 sleeps of 300 ms on 2 threads, 4 CPU
 * tasks of 300 ms sequential and on 2 threads (up to three tries: the best counts), the same on 2
 * threads with the GIL beside sequential and without it (up to three tries), `model: "all"`, and a
 * CPU run stopped once both threads compute. Returns plain values only. Runs in the page: it may
 * use nothing from this module.
 */
export async function separateRuns(pg) {
  const plain = (r) => ({
    model: r.model,
    memory: r.memory ?? null,
    elapsedMs: r.elapsedMs,
    finished: r.finished,
    stopped: r.stopped,
    checksum: r.checksum ?? null,
    notes: r.notes,
    labels: r.lanes.map((l) => l.label),
    spans: r.spans.map((s) => [s.lane, s.startMs, s.endMs]),
    // Each task's split, in span order, and the task table's sentence on it.
    ends: Array.from(r.spanEnd),
    busyMs: Array.from(r.busyMs),
    scheduledMs: Array.from(r.scheduledMs),
    idleMs: Array.from(r.idleMs),
    polls: r.polls.length,
    taskTimesNote: r.taskTimesNote,
  });
  await pg.ready;
  // Starts the two threads (before its clock: the record's poolWaitMs), as a page's pool is.
  await pg.run({ model: "threads", tasks: 2, delay: 10, threads: 2 });
  const sleep = plain(await pg.run({ model: "threads", tasks: 8, delay: 300, threads: 2 }));
  const cpu = [];
  for (let i = 0; i < 3; i++) {
    const base = { tasks: 4, delay: 300, workload: "cpu" };
    const seq = plain(await pg.run({ model: "sequential", ...base }));
    const par = plain(await pg.run({ model: "threads", ...base, threads: 2 }));
    cpu.push({ seq, par });
    if (seq.elapsedMs / par.elapsedMs >= 1.5) break;
  }
  // The GIL, handed between the threads by messages: one thread computes at a time.
  const gil = [];
  for (let i = 0; i < 3; i++) {
    const base = { tasks: 4, delay: 300, workload: "cpu" };
    const seq = plain(await pg.run({ model: "sequential", ...base }));
    const r = await pg.run({ model: "threads", ...base, threads: 2, gil: true });
    const on = {
      ...plain(r),
      handoffs: r.gilHandoffs,
      handoffMs: r.gilHandoffMs ?? null,
      holds: Array.from(r.gilHolder, (lane, k) => [lane, r.gilStart[k], r.gilEnd[k]]),
      gilWaits: Array.from(r.waitKind).filter((kind) => kind === 0).length,
    };
    const off = plain(await pg.run({ model: "threads", ...base, threads: 2 }));
    gil.push({ seq, on, off });
    if (on.elapsedMs / off.elapsedMs >= 1.5) break;
  }
  const all = (await pg.run({ model: "all", tasks: 4, delay: 100, threads: 2 })).runs.map(plain);
  const running = pg.run({ model: "threads", tasks: 4, delay: 5000, workload: "cpu", threads: 2 });
  // Both threads have taken a task (the engine's own counter, polled).
  await new Promise((resolve) => {
    const poll = () => ((pg.progress()?.started ?? 0) >= 2 ? resolve() : setTimeout(poll, 10));
    poll();
  });
  const t0 = performance.now();
  await pg.stop();
  const stopped = plain(await running);
  const stopMs = performance.now() - t0;
  const after = plain(await pg.run({ model: "threads", tasks: 2, delay: 50, threads: 2 }));
  return { memory: pg.capabilities.memory, sleep, cpu, gil, all, stopped, stopMs, after };
}

/** The most spans running at one moment (CPU work computing at the same time). */
function overlapping(spans) {
  const edges = spans.flatMap(([, s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

/** Checks what `separateRuns` returned in `engine`, and prints its figures. */
export function assertSeparate(engine, r) {
  assert.equal(r.memory, "separate");
  const { sleep } = r;
  console.log(
    `${engine} separate memory: 8 x 300 ms on 2 threads ${sleep.elapsedMs.toFixed(0)} ms; ` +
      `4 CPU tasks of 300 ms: ` +
      r.cpu
        .map(
          ({ seq, par, floor }) =>
            `sequential ${seq.elapsedMs.toFixed(0)} ms, 2 threads ${par.elapsedMs.toFixed(0)} ms ` +
            `(${(seq.elapsedMs / par.elapsedMs).toFixed(2)}x)` +
            (floor ? ` beside the bare page's ${floor.toFixed(2)}x` : ""),
        )
        .join("; ") +
      `; stopped in ${r.stopMs.toFixed(0)} ms`,
  );

  // Blocked threads: ceil(8 / 2) rounds of 300 ms, each thread one task at a time, the two
  // threads waiting at once. How close to 1,200 ms it ends is the bench's figure (a busy machine
  // here took up to 1,741 ms); what holds on any machine is that the threads overlapped and it
  // ended well before one thread alone would have (2,400 ms).
  assert.equal(sleep.memory, "separate");
  assert.equal(sleep.finished, 8);
  assert.equal(overlapping(sleep.spans), 2, "2 sleeping tasks at once on 2 threads");
  assert.ok(sleep.elapsedMs >= 1195 && sleep.elapsedMs < 2400, `elapsed ${sleep.elapsedMs}`);
  assert.deepEqual(sleep.labels, ["thread 1", "thread 2"]);
  for (const lane of [1, 2]) {
    const mine = sleep.spans.filter(([l]) => l === lane).sort((a, b) => a[1] - b[1]);
    assert.equal(mine.length, 4, `thread ${lane}`);
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i][1] >= mine[i - 1][2], "one at a time");
  }
  // Each thread blocked on its sleep (the worker stamps it): idle for about the delay, busy for
  // little more than handing it over, scheduled until its thread took it.
  assert.equal(sleep.idleMs.length, 8);
  assert.equal(sleep.polls, 0);
  for (let k = 0; k < 8; k++) {
    const life = sleep.busyMs[k] + sleep.scheduledMs[k] + sleep.idleMs[k];
    assert.ok(Math.abs(life - sleep.ends[k]) < 0.01, `life ${life}, end ${sleep.ends[k]}`);
    assert.ok(
      sleep.idleMs[k] >= 299 && sleep.busyMs[k] < sleep.idleMs[k] / 3,
      JSON.stringify(sleep),
    );
  }
  assert.match(sleep.taskTimesNote, /^Threads have no polls: .*\(asleep\)/);
  for (const { par } of r.cpu) assert.deepEqual(par.idleMs, [0, 0, 0, 0], "CPU work never blocks");
  assert.equal(sleep.notes.length, 1, JSON.stringify(sleep.notes));
  assert.match(sleep.notes[0], /^These threads are Web Workers with memory of their own \(/);
  assert.match(sleep.notes[0], /the timings are those of threads/);

  // CPU work in parallel: both threads computed at once and did the same work as sequential,
  // in every try.
  for (const { seq, par } of r.cpu) {
    assert.equal(par.checksum, seq.checksum, "the same work");
    assert.equal(overlapping(par.spans), 2, "2 CPU tasks at once on 2 threads");
  }
  const twoCores = assertSpeedup(engine, r);

  assertSeparateGil(engine, r.gil, twoCores);

  // All three models, the threads one on separate memory.
  assert.deepEqual(
    r.all.map((x) => [x.model, x.memory]),
    [
      ["async", null],
      ["threads", "separate"],
      ["sequential", null],
    ],
  );

  // Stop: at once, nothing finished, and the next run gets fresh threads.
  assert.equal(r.stopped.stopped, true);
  assert.equal(r.stopped.finished, 0);
  assert.ok(r.stopMs < 1000, `stop took ${r.stopMs} ms`);
  assert.equal(r.after.finished, 2);
}

/**
 * The speedup of 4 CPU tasks of 300 ms on 2 threads over sequential: at least 1.5x in the best
 * try, on 2 cores. Whether the machine gives this browser two cores is measured, not guessed:
 * programs of other sessions take cores from it without raising the load average above the
 * cores (the kernel gives each session its share of the CPU, whatever its processes' nice
 * values: autogroups), and two workers on one core are no faster than one (BENCHMARKS.md). So
 * where no try reached 1.5x, the test measured the browser's own floor beside it (`measureFloor`:
 * two bare Web Workers computing the same task, bench/cpu-floor/, in turn with more tries): at a
 * moment the bare workers reached 1.5x (two cores), the playground's try next to it must reach
 * 0.85 of theirs (or 1.5x) in one of those tries (not yet in WebKitGTK, whose figure is printed
 * beside the floor: see below); where they never did, the figures are printed,
 * as on a machine whose load average is above its cores. Returns whether two cores were measured
 * (the playground's own threads or the bare workers reached 1.5x) on a machine not busy by its
 * load average: then what depends on the cores is asserted of the GIL too.
 */
function assertSpeedup(engine, r) {
  const ratio = ({ seq, par }) => seq.elapsedMs / par.elapsedMs;
  const best = Math.max(...r.cpu.map(ratio));
  const busy = loadavg()[0] > availableParallelism();
  if (best >= 1.5) return !busy;
  const floors = r.floors ?? [];
  const tries = JSON.stringify(
    r.cpu.map(({ seq, par, floor }) => [seq.elapsedMs, par.elapsedMs, floor ?? null]),
  );
  console.log(
    `${engine}: best speedup ${best.toFixed(2)}x; two bare workers beside it (bench/cpu-floor/): ` +
      `${floors.map((f) => `${f.toFixed(2)}x`).join(", ") || "not measured"}`,
  );
  if (busy) {
    console.log(`${engine}: speedup not asserted, load average ${loadavg()[0].toFixed(1)}`);
    return false;
  }
  if (!floors.length) {
    assert.ok(best >= 1.5, `best speedup ${best.toFixed(2)}x: ${tries}`);
    return true;
  }
  const twoCores = r.cpu.filter((t) => t.floor >= 1.5);
  if (!twoCores.length) {
    console.log(`${engine}: speedup not asserted: this browser did not get two cores meanwhile`);
    return false;
  }
  if (engine === "webkit") {
    // Printed, not asserted: WebKitGTK here has no GPU, and paints and composites the page with
    // Mesa's software GL (llvmpipe threads in the web process) on the two cores the threads
    // need. The same engine and case on a page without the playground's UI reach 1.6-1.9x like
    // bare workers; the full page loses a share of the cores to each redraw of the live figure
    // and, in a fresh page's first runs, to drawing its results for the first time (0.9-1.1x
    // there), which a reader's Safari or Epiphany does on the GPU (BENCHMARKS.md).
    console.log(
      `webkit: speedup ${best.toFixed(2)}x beside bare workers at ${floors.map((f) => f.toFixed(2)).join(", ")}x`,
    );
    return true;
  }
  assert.ok(
    twoCores.some((t) => ratio(t) >= 0.85 * t.floor),
    `at best ${best.toFixed(2)}x where two bare workers beside it reached 1.5x or more ` +
      `(sequential, 2 threads, the bare page's ratio): ${tries}`,
  );
  return true;
}

/**
 * Where no try of the CPU case in `r` (from `separateRuns`) reached 1.5x: the browser's floor
 * beside it, up to three times in turn, `floor()` (the bare page: resolves to its ratio, two
 * workers against one) then `cpuTry()` (one more try in the playground), until a try reaches
 * 1.5x, or 0.85 of two cores' floor (see `assertSpeedup`). Adds `r.floors` and the tries to
 * `r.cpu`, each with the floor measured just before it.
 */
export async function measureFloor(r, { floor, cpuTry }) {
  r.floors = [];
  const reached = ({ seq, par }) => seq.elapsedMs / par.elapsedMs >= 1.5;
  if (r.cpu.some(reached)) return r;
  for (let i = 0; i < 3; i++) {
    const f = await floor();
    r.floors.push(f);
    const t = await cpuTry();
    r.cpu.push({ ...t, floor: f });
    const ratio = t.seq.elapsedMs / t.par.elapsedMs;
    if (reached(t) || (f >= 1.5 && ratio >= 0.85 * f)) break;
  }
  return r;
}

/**
 * In the playground's page (`pg`, window.playground): one try of the CPU case, sequential then
 * on 2 threads, as `separateRuns` tries it. Self-contained; plain values only.
 */
export async function cpuTry(pg) {
  const base = { tasks: 4, delay: 300, workload: "cpu" };
  const one = async (options) => {
    const r = await pg.run({ ...base, ...options });
    return {
      elapsedMs: r.elapsedMs,
      checksum: r.checksum ?? null,
      spans: r.spans.map((s) => [s.lane, s.startMs, s.endMs]),
      idleMs: Array.from(r.idleMs),
    };
  };
  const seq = await one({ model: "sequential" });
  const par = await one({ model: "threads", threads: 2 });
  return { seq, par };
}

/**
 * In bench/cpu-floor/: the floor beside one try, the playground's own task (its plain build's
 * `processTask`) on two bare workers: 4 tasks of 300 ms on one, then on both. Self-contained.
 */
export async function floorTry() {
  const f = await window.cpuFloor({ kernel: "st", tasks: 4, delay: 300, reps: 1 });
  return f.ratio;
}

/**
 * The GIL on separate memory (`tries` from `separateRuns`). In every try, on any machine: the
 * lock's holds never overlap and it changed hands, the waits for it are drawn and counted as idle,
 * the note says what a hand-off cost, and one thread computed at a time: the tasks' busy times
 * (their lives less their waits for the GIL) add up to no more than the run's elapsed time (15 %
 * for the clocks' rounding and the messages), where without the GIL they add up to about twice
 * it. What depends on the machine's cores is asserted only where two cores were measured
 * (`twoCores`, from `assertSpeedup`: elsewhere other programs take them from one run more than
 * from another): the runs with the GIL are no faster than sequential (0.8 of it), and without it
 * clearly faster (1.3x, in the best try; not in WebKitGTK, where something of the page takes
 * about half a core from the threads: see `assertSpeedup`).
 */
function assertSeparateGil(engine, tries, twoCores) {
  console.log(
    `${engine} separate memory, GIL: ` +
      tries
        .map(
          ({ seq, on, off }) =>
            `sequential ${seq.elapsedMs.toFixed(0)} ms, GIL ${on.elapsedMs.toFixed(0)} ms ` +
            `(${on.handoffs} hand-offs, ${on.handoffMs?.toFixed(3)} ms each), ` +
            `no GIL ${off.elapsedMs.toFixed(0)} ms`,
        )
        .join("; "),
  );
  for (const { seq, on, off } of tries) {
    assert.equal(on.finished, 4);
    assert.equal(on.checksum, seq.checksum, "the same work");
    assert.equal(off.checksum, seq.checksum, "the same work");
    const sum = (ms) => ms.reduce((a, b) => a + b, 0);
    assert.ok(sum(on.busyMs) <= 1.15 * on.elapsedMs, `GIL: busy ${on.busyMs}, ${on.elapsedMs} ms`);
    assert.ok(
      sum(off.busyMs) >= 1.5 * off.elapsedMs,
      `no GIL: busy ${off.busyMs}, ${off.elapsedMs} ms`,
    );
    if (twoCores) {
      assert.ok(
        on.elapsedMs >= 0.8 * seq.elapsedMs,
        `with the GIL ${on.elapsedMs} ms, sequential ${seq.elapsedMs} ms`,
      );
    }
    assert.ok(on.handoffs > 0, "2 computing threads hand the GIL over");
    assert.ok(on.holds.length > 1, JSON.stringify(on.holds.slice(0, 4)));
    const holds = [...on.holds].sort((a, b) => a[1] - b[1]);
    for (let k = 1; k < holds.length; k++) {
      assert.ok(holds[k][1] >= holds[k - 1][2], `holds overlap: ${holds[k - 1]} and ${holds[k]}`);
    }
    assert.ok(holds.every(([lane]) => lane === 1 || lane === 2));
    assert.ok(on.gilWaits > 0, "waits for the GIL are drawn");
    assert.ok(
      on.idleMs.some((ms) => ms > 0),
      `waiting for the GIL is idle: ${on.idleMs}`,
    );
    assert.match(on.taskTimesNote, /waiting for the GIL/);
    const cost = on.notes.find((n) => n.startsWith("Unlike CPython's GIL"));
    assert.ok(cost, JSON.stringify(on.notes));
    assert.match(
      cost,
      /by messages: .* one took \d+ µs on average in this run \(.* a message and its answer took \d+ µs before the run\); .* every [\d.]+ ms .* \d+ µs each/,
    );
    console.log(`${engine}: ${cost}`);
    // The hand-off's cost as data, timed in the run (a thread's wait for the lock less its time
    // queued): a mean over some hundred hand-offs (the clocks of a page without isolation read to
    // 0.1 ms in Chromium, 1 ms in Firefox), above 0, as a message takes time.
    // The hand-offs are stretches of the run apart from one another, so together they last less
    // than it. (How long one takes depends on the engine and the load: 0.7-1.7 ms in Chromium
    // and Firefox, 4-5.5 ms in WebKitGTK at a load average of 8-11 here.)
    assert.equal(typeof on.handoffMs, "number", `gilHandoffMs ${on.handoffMs}`);
    assert.ok(on.handoffMs > 0, `gilHandoffMs ${on.handoffMs}`);
    assert.ok(
      on.handoffMs * on.handoffs < on.elapsedMs,
      `${on.handoffs} hand-offs of ${on.handoffMs} ms in ${on.elapsedMs} ms`,
    );
  }
  const best = Math.max(...tries.map(({ on, off }) => on.elapsedMs / off.elapsedMs));
  if (engine === "webkit" || (best < 1.3 && !twoCores)) {
    console.log(`${engine}: GIL against no GIL ${best.toFixed(2)}x, not asserted`);
  } else {
    assert.ok(best >= 1.3, `with the GIL at best ${best.toFixed(2)}x slower than without`);
  }
}
