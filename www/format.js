// Numbers as the page writes them: at most one decimal, thousands grouped ("12,345.6"), as
// Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }) writes them. Written by hand because
// Chromium sets up ICU's number formatting on its first use, a noticeable stretch of the main
// thread (BENCHMARKS.md, "Figures behind design choices"), and the page's modules each made a
// formatter as they loaded: that was on the way to `ready`. tests/e2e/core.test.mjs checks this
// against Intl in the browser.

/**
 * `x` with at most one decimal, its whole part grouped by threes with `separator`.
 * @param {number} x
 * @param {string} [separator]
 */
export function number(x, separator = ",") {
  if (Number.isNaN(x)) return "NaN";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const abs = Math.abs(x);
  if (abs === Infinity) return `${sign}∞`;
  // Intl rounds the number's shortest decimal form (0.15 is "0.15", so 0.2), half away from zero;
  // toFixed would round its exact binary value (0.1499999..., so 0.1). Below 1e-6 String() goes
  // exponential, and everything there rounds to 0; from 1e21 it does too, and those are whole.
  let whole = "0";
  let tenths = "0";
  if (abs >= 1e21) {
    // "1.5e+22": the mantissa's digits, then zeros.
    const [mantissa, exponent] = String(abs).split("e");
    const [int, frac = ""] = mantissa.split(".");
    whole = int + frac + "0".repeat(Number(exponent) - frac.length);
  } else if (abs >= 1e-6) {
    const [int, frac = ""] = String(abs).split(".");
    const kept = BigInt(int + (frac[0] ?? "0")) + (frac[1] >= "5" ? 1n : 0n);
    const digits = kept.toString().padStart(2, "0");
    [whole, tenths] = [digits.slice(0, -1), digits.slice(-1)];
  }
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  return sign + (tenths === "0" ? grouped : `${grouped}.${tenths}`);
}

/** Seconds with two decimals, "0.25 s", as the ticking clock of a run shows them. */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * A duration: "3.2 ms" under a second, "2.01 s" (as Python's :.2f) from there; `short` drops
 * trailing zeros ("1.5 s", "2 s"), for an axis's labels.
 */
export function duration(ms, { short = false } = {}) {
  if (ms < 1000) return `${+ms.toFixed(1)} ms`;
  const s = (ms / 1000).toFixed(2);
  return `${short ? +s : s} s`;
}

/**
 * Like `number`, but with two significant digits from 0.001 to 1 (0.091, not 0.1), where one
 * decimal would round a small cost down to 0.
 */
export function precise(x) {
  const abs = Math.abs(x);
  return abs >= 0.001 && abs < 1 ? String(Number(x.toPrecision(2))) : number(x);
}
