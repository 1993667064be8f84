// The CPU kernels of bench/cpu-floor/, for its page and its workers: each `run(x, iters)` computes
// `iters` iterations and returns a checksum.
//
//   wasm  the playground's kernel (src/workload.rs `kernel`: xorshift64 folded into an
//         accumulator) as a hand-written module of ~100 bytes, compiled from its bytes in every
//         worker, as the playground's plain build is
//   st    the playground's own plain build (dist/pkg/st), a task run by `processTask`: the very
//         call a thread of separate memory makes for a CPU task
//   js    a plain JavaScript loop (xorshift32), no wasm at all

/** Unsigned LEB128. */
const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];

/**
 * `(func (export "kernel") (param $x i64) (param $n i64) (result i64))`: for n iterations,
 * x ^= x << 13; x ^= x >> 7; x ^= x << 17; acc += rotl(x, 5) ^ acc; then acc ^ x.
 */
export function kernelModule() {
  const get = (i) => [0x20, i];
  const set = (i) => [0x21, i];
  const c = (k) => [0x42, k]; // i64.const, k < 64
  const [XOR, SHL, SHR_U, ROTL, ADD, SUB, NE, EQZ] = [
    0x85, 0x86, 0x88, 0x89, 0x7c, 0x7d, 0x52, 0x50,
  ];
  const xorShift = (k, op) => [...get(0), ...get(0), ...c(k), op, XOR, ...set(0)];
  const [BLOCK, LOOP, END] = [[0x02, 0x40], [0x03, 0x40], 0x0b];
  const brIf = (depth) => [0x0d, depth];
  const tee = (i) => [0x22, i];
  const locals = [1, 1, 0x7e]; // one local, acc: i64
  const skipIfNone = [...BLOCK, ...get(1), EQZ, ...brIf(0)];
  const accumulate = [...get(2), ...get(0), ...c(5), ROTL, ...get(2), XOR, ADD, ...set(2)];
  const countDown = [...get(1), ...c(1), SUB, ...tee(1), ...c(0), NE, ...brIf(0)];
  const body = [
    ...locals,
    ...skipIfNone,
    ...LOOP,
    ...xorShift(13, SHL),
    ...xorShift(7, SHR_U),
    ...xorShift(17, SHL),
    ...accumulate,
    ...countDown,
    END, // loop
    END, // block
    ...get(2),
    ...get(0),
    XOR,
    END,
  ];
  const name = [..."kernel"].map((ch) => ch.charCodeAt(0));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [1, 0x60, 2, 0x7e, 0x7e, 1, 0x7e]),
    ...section(3, [1, 0]),
    ...section(7, [1, name.length, ...name, 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

function jsLoop(x, iters) {
  let acc = 0;
  x |= 0;
  for (let i = 0; i < iters; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (acc + (((x << 5) | (x >>> 27)) ^ acc)) | 0;
  }
  return acc ^ x;
}

/** The kernel `name` in this realm: `{ run(x, iters) }` (a promise for the st build's). */
export async function kernelOf(name) {
  if (name === "wasm") {
    const { instance } = await WebAssembly.instantiate(kernelModule());
    const kernel = instance.exports.kernel;
    return { run: (x, iters) => kernel(BigInt(x) | 1n, BigInt(iters)) };
  }
  if (name === "st") {
    const url = new URL("../../dist/pkg/st/playground.js", import.meta.url);
    const st = await import(url.href);
    await st.default({ module_or_path: new URL("playground_bg.wasm", url) });
    const task = async (x, iters) =>
      (await st.processTask({ id: x, workload: "cpu", iterations: iters })).checksum;
    // A task is one call, as in a thread of separate memory; calibrated in calls of 16 chunks.
    return { run: (x, iters) => task(x, iters * 16), chunk: CHUNK * 16, task };
  }
  if (name === "js") return { run: (x, iters) => jsLoop(x, iters) };
  throw new Error(`kernel ${name}: one of wasm, st, js`);
}

/** Iterations of the kernel in one call: a small fraction of a millisecond (the playground's CHUNK). */
export const CHUNK = 16_384;

/** Computes `iters` iterations in chunks; resolves to `{ startMs, endMs, sum }`, absolute times. */
export async function compute(kernel, x, iters) {
  const startMs = performance.timeOrigin + performance.now();
  let sum;
  if (kernel.task) sum = await kernel.task(x, iters);
  else for (let left = iters; left > 0; left -= CHUNK) sum = kernel.run(x++, Math.min(CHUNK, left));
  return { startMs, endMs: performance.timeOrigin + performance.now(), sum: String(sum) };
}

/**
 * Warms the kernel for `warmMs` (the engine compiles hot code again, optimised), then resolves to
 * its iterations per ms here: the best of eight 10 ms windows, as the playground calibrates.
 */
export async function calibrate(kernel, warmMs = 300) {
  const until = performance.now() + warmMs;
  while (performance.now() < until) await kernel.run(1, CHUNK);
  let best = 0;
  for (let w = 0; w < 8; w++) {
    await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 10) {
      await kernel.run(n, CHUNK);
      n += kernel.chunk ?? CHUNK;
    }
    best = Math.max(best, n / (performance.now() - t0));
  }
  return best;
}
