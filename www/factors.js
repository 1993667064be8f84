// @ts-check
// The article's comparison as the page: one row per factor, in the article's words for asyncio,
// threading and processes, each with a demonstration that runs here (Show me) and the figure that
// proves or qualifies the row (Measured here), and the article's three verdicts with the runs that
// back them. Every measured cell is the engine's sentence over the records of the runs just made
// (playground.demoSentence, written in src/report/demos.rs); this module holds the run options
// and the article's words.

/** @typedef {import("./playground").Record} Record */
/** @typedef {import("./playground").Capabilities} Capabilities */
/** @typedef {import("./playground").RunOptions} RunOptions */

/**
 * Run options as written here (the literals would otherwise widen to plain strings).
 * @param {any[]} list @returns {RunOptions[]}
 */
const opts = (list) => list;
const cores = (caps) => Math.max(2, Math.min(caps.hardwareConcurrency, 16));

/**
 * @typedef {{
 *   key: string, factor: string, async: string, threads: string, processes: string,
 *   runs: (caps: Capabilities) => RunOptions[],
 * }} Factor
 */

/** @type {Factor[]} */
export const FACTORS = [
  {
    key: "model",
    factor: "Concurrency model",
    async:
      "One thread, cooperative multitasking: an event loop switches tasks only where an await waits (I/O, a sleep).",
    threads: "Several threads, switched by the system (preemptive).",
    processes: "Separate processes, each with its own memory and interpreter.",
    runs: (caps) =>
      opts([
        { model: "async", tasks: 3, delay: 1000 },
        ...(caps.threads ? [{ model: "threads", tasks: 3, delay: 1000, threads: 3 }] : []),
      ]),
  },
  {
    key: "best-for",
    factor: "Best for",
    async: "Many I/O-bound tasks that wait (thousands of network requests), at low overhead.",
    threads: "I/O-bound work, especially with libraries that block.",
    processes: "CPU-bound work.",
    runs: (caps) => {
      // Real requests where this page can make them; waits stand in for them where it cannot.
      const workload = caps.fetch ? "fetch" : "sleep";
      return opts([
        { model: "async", tasks: 200, delay: 200, workload },
        ...(caps.threads
          ? [{ model: "threads", tasks: 200, delay: 200, threads: 16, workload }]
          : []),
      ]);
    },
  },
  {
    key: "cpu",
    factor: "CPU-bound tasks",
    async: "No gain: one event loop computes one task at a time, and blocks meanwhile.",
    threads:
      "No gain in CPython with its GIL: one thread computes at a time. Free-threaded Python " +
      "(3.13t, supported from 3.14) computes in parallel.",
    processes: "Real parallelism: one process per core.",
    runs: (caps) => {
      const n = cores(caps);
      const base = { tasks: 2 * n, delay: 150, workload: /** @type {const} */ ("cpu") };
      return opts([
        { model: "async", ...base },
        // On threads of separate memory the simulated GIL is handed over by messages.
        ...(caps.threads
          ? [
              { model: "threads", ...base, threads: n, gil: true },
              { model: "threads", ...base, threads: n },
            ]
          : []),
        { model: "processes", ...base, processes: n },
      ]);
    },
  },
  {
    key: "overhead",
    factor: "Overhead",
    async: "Low: a task is a small object on one thread.",
    threads: "Higher: each thread has its own stack and is started by the system.",
    processes: "Highest: each process starts its own interpreter and memory.",
    runs: (caps) =>
      opts([
        { model: "async", tasks: 10000, delay: 100 },
        ...(caps.threads ? [{ model: "threads", tasks: 2, delay: 10, threads: 2 }] : []),
        { model: "processes", tasks: 2, delay: 10, processes: 2 },
      ]),
  },
  {
    key: "complexity",
    factor: "Complexity",
    async: "Requires async/await and an event loop; a task is only switched at an await.",
    threads: "A familiar API, but shared data needs locks, or updates race.",
    processes:
      "Nothing shared: each process counts in its own memory, results come back in messages.",
    runs: (caps) =>
      opts([
        // The race needs one counter in shared memory: not on threads of separate memory.
        ...(caps.memory === "shared"
          ? [
              {
                model: "threads",
                tasks: 2,
                threads: 2,
                workload: "counter",
                increments: 1000000,
                sync: "none",
              },
              {
                model: "threads",
                tasks: 2,
                threads: 2,
                workload: "counter",
                increments: 1000000,
                sync: "lock",
              },
            ]
          : []),
        { model: "async", tasks: 4, workload: "counter", increments: 1000, awaitInside: true },
        {
          model: "async",
          tasks: 4,
          workload: "counter",
          increments: 1000,
          awaitInside: true,
          sync: "lock",
        },
      ]),
  },
  {
    key: "errors",
    factor: "Error handling",
    async:
      "Exceptions reach the awaiting code: gather returns or raises them, a TaskGroup cancels the rest.",
    threads: "An exception stays in its thread unless the caller collects it.",
    processes: "An exception comes back with the task's result.",
    runs: (caps) =>
      opts([
        { model: "async", tasks: 3, delay: 300, fail: 1, failMode: "join_all" },
        { model: "async", tasks: 3, delay: 300, fail: 1, failMode: "try_join_all" },
        ...(caps.threads ? [{ model: "threads", tasks: 3, delay: 300, threads: 3, fail: 1 }] : []),
        { model: "processes", tasks: 3, delay: 300, processes: 3, fail: 1 },
      ]),
  },
];

/** The article's verdicts, each with the runs that back it. */
export const VERDICTS = [
  {
    key: "io",
    text: "Many tasks waiting on I/O (network requests): use async.",
    runs: FACTORS[1].runs,
  },
  {
    key: "blocking",
    text: "Libraries that block (no async version): use threads.",
    runs: (caps) =>
      opts([
        { model: "async", tasks: 3, delay: 300, blocking: true },
        ...(caps.threads ? [{ model: "threads", tasks: 3, delay: 300, threads: 3 }] : []),
      ]),
  },
  {
    key: "cpu",
    text: "CPU-heavy work: use processes (or threads without a GIL).",
    runs: FACTORS[2].runs,
  },
  {
    key: "convoy",
    text:
      "An I/O thread beside CPU work in one interpreter waits for the GIL at each wake-up (the " +
      "convoy effect): put the CPU work in a process, or use free-threaded Python.",
    // The convoy's threads watch flags in shared memory: not on threads of separate memory.
    runs: (caps) =>
      caps.memory === "shared"
        ? opts([
            { model: "threads", workload: "convoy", tasks: 2, threads: 2, delay: 1000, gil: true },
            { model: "threads", workload: "convoy", tasks: 2, threads: 2, delay: 1000 },
          ])
        : [],
  },
];

const escapeHtml = (text) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** A demonstration button, disabled until the engine is ready (`attr` names what it shows). */
const buttonHtml = (attr, key, label) =>
  `<button type="button" class="secondary show-me" ${attr}="${escapeHtml(key)}" disabled>` +
  `${label}</button>`;

/**
 * The table's rows and the verdicts' items as HTML, from FACTORS and VERDICTS: what
 * scripts/dist.mjs writes into dist/index.html, so they are in the page as first painted (the
 * factor view's largest paint is its row), and what renderFactors puts in a page without them
 * (www/ as served for development).
 * @returns {{ rows: string, verdicts: string }}
 */
export function factorsHtml() {
  const rows = FACTORS.map(
    (f) =>
      `<tr data-factor-row="${escapeHtml(f.key)}"><th scope="row">${escapeHtml(f.factor)}<br />` +
      buttonHtml("data-factor", f.key, "Show me") +
      "</th>" +
      [f.async, f.threads, f.processes].map((text) => `<td>${escapeHtml(text)}</td>`).join("") +
      `<td data-measured="${escapeHtml(f.key)}">—</td></tr>`,
  );
  const verdicts = VERDICTS.map(
    (v) =>
      `<li>${escapeHtml(v.text)} ${buttonHtml("data-verdict", v.key, "Show the evidence")} ` +
      `<span class="hint" data-verdict-measured="${escapeHtml(v.key)}"></span></li>`,
  );
  return { rows: rows.join("\n"), verdicts: verdicts.join("\n") };
}

/**
 * Wires the table and the verdict list (written into the page from factorsHtml). `show(runs,
 * button)` runs a demonstration and resolves to its records (null if it did not run, undefined if
 * the page asked for a prediction first); `sentence(key, runs)` is the engine's sentence over the
 * latest `runs` records.
 * @param {(runs: RunOptions[], button: HTMLButtonElement) => Promise<Record[] | null | undefined>} show
 * @param {() => Capabilities} caps
 * @param {(key: string, runs: number) => string | null} sentence
 */
export function renderFactors(show, caps, sentence) {
  const tbody = /** @type {HTMLTableElement} */ (document.getElementById("factors")).tBodies[0];
  const list = /** @type {HTMLElement} */ (document.getElementById("verdicts"));
  if (!tbody.rows.length) {
    const { rows, verdicts } = factorsHtml();
    tbody.innerHTML = rows;
    list.innerHTML = verdicts;
  }
  /** @param {HTMLElement} cell @param {{ key: string, runs: Factor["runs"] }} f */
  const wire = (b, cell, f) =>
    b.addEventListener("click", async () => {
      const before = cell.textContent;
      cell.textContent = "Running…";
      const records = await show(f.runs(caps()), b);
      if (records === undefined) {
        cell.textContent = before;
        return;
      }
      cell.textContent =
        (records && sentence(f.key, records.length)) || "Not run: see the message above.";
    });
  const one = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
  for (const f of FACTORS) {
    const key = CSS.escape(f.key);
    wire(one(`button[data-factor="${key}"]`), one(`td[data-measured="${key}"]`), f);
  }
  for (const v of VERDICTS) {
    const key = CSS.escape(v.key);
    wire(one(`button[data-verdict="${key}"]`), one(`[data-verdict-measured="${key}"]`), v);
  }
}

/**
 * Enables or disables every demonstration button; `allowed(button)` may hold one back.
 * @param {boolean} on
 * @param {(button: Element) => boolean} [allowed]
 */
export function enableFactors(on, allowed = () => true) {
  for (const b of document.querySelectorAll("button.show-me")) {
    /** @type {HTMLButtonElement} */ (b).disabled = !on || !allowed(b);
  }
}
