// "The code, side by side": the Python program a learner would write for the
// run, with its task count and delay, next to the Rust that ran, which the engine takes from its
// own source. Written for this project; highlighted with highlight.js (vendored).
//
// Each program prints what the output pane shows for its run (src/output.rs), line for line but
// for the elapsed figure: the seed's "Start fetching url1" and "Done fetching url1", the errors and
// cancellations, the results and "Elapsed: ... seconds". tests/e2e/teach.test.mjs runs them under
// CPython and compares.
import hljs from "./vendor/highlight.js";
import python from "./vendor/highlight-python.js";
import rust from "./vendor/highlight-rust.js";
import { number } from "./format.js";
import { networkFailModes } from "./schema.js";

hljs.registerLanguage("python", python);
hljs.registerLanguage("rust", rust);

const secs = (ms) => `${+(ms / 1000).toFixed(3)}`;

/** The failure modes that the server (or the page's service worker) produces for real. */
const NETWORK_FAULTS = new Set(networkFailModes);

/** Whether the run had a failing task (`fail`). */
const fails = (r) => r.fail !== null && r.fail !== undefined;

/** What a program catches of a task's error: a request fails with the network's own errors. */
const caughtOf = (r) => (r.workload === "fetch" ? "Exception" : "RuntimeError");

/** The task function's name: the seed's `fetch` for waiting work, `compute` for CPU work. */
const nameOf = (r) => (r.workload === "cpu" ? "compute" : "fetch");

/** Indents every non-empty line of `text` by `n` spaces. */
const indent = (text, n) => text.replace(/^(?=.)/gm, " ".repeat(n));

/**
 * The task function every program below shares, printing what the output pane shows for the run
 * (src/output.rs): "Start fetching url1", "Done fetching url1" or "Error fetching url2: ...",
 * "Cancelled url3" when a TaskGroup cancels it, and returning "Content of url1". The failing task
 * fails halfway through its work, as the engine's does. `kind` is how it runs: "async" (a
 * coroutine), "thread" (results handed back in `results[i]`: a thread's exception stays in its
 * thread) or "call" (a plain function whose exception reaches its caller).
 */
function taskFunction(r, kind) {
  const verb = r.workload === "cpu" ? "computing" : "fetching";
  const k = r.fail;
  const failing = fails(r);
  const half = (full) => (failing ? `${full / 2} if i == ${k} else ${full}` : `${full}`);
  const network = failing && r.workload === "fetch" && NETWORK_FAULTS.has(r.failMode);
  let work;
  if (r.workload === "cpu") {
    const n = cpuSteps(r);
    const note = r.model === "async" ? "never awaits" : r.gil ? "holds the GIL" : "computes";
    work = `sum(j * j for j in range(${failing ? `${(n / 2) | 0} if i == ${k} else ${n}` : cpuLoop(r)}))  # ${note}\n`;
  } else if (r.workload === "fetch") {
    const fault = network ? ` + ("&fail=${r.failMode}" if i == ${k} else "")` : "";
    const ms = network || !failing ? `${r.delay}` : `{${half(r.delay)}}`;
    const at = `${ms.startsWith("{") ? "f" : ""}"http://127.0.0.1:8000/api/latency?ms=${ms}"${fault}`;
    work =
      kind === "async"
        ? `async with session.get(${at}) as resp:\n    resp.raise_for_status()\n    await resp.read()\n`
        : `urlopen(${at}, timeout=${secs(r.timeoutMs ?? 10000)}).read()  # blocks this thread\n`;
  } else if (kind === "async" && !r.blocking) {
    work = `await asyncio.sleep(${half(r.delay / 1000)})  # waits without blocking the loop\n`;
  } else {
    const note =
      kind === "async"
        ? "blocks the whole event loop"
        : r.gil
          ? "releases the GIL"
          : "blocks this thread";
    work = `time.sleep(${half(r.delay / 1000)})  # ${note}\n`;
  }
  if (kind === "async" && r.offload) {
    const why = r.workload === "cpu" ? "; the GIL still runs one at a time" : "";
    work = `await asyncio.to_thread(work, i)  # on a thread: the loop stays free${why}\n`;
  }
  if (failing && !network) work += `if i == ${k}:\n    raise RuntimeError(f"task {i} failed")\n`;
  const caught = caughtOf(r);
  const cancels = kind === "async" && failing && r.failMode === "try_join_all";
  const done =
    kind === "thread"
      ? `print(f"Done ${verb} {url}")\nresults[i] = f"Content of {url}"\n`
      : `print(f"Done ${verb} {url}")\nreturn f"Content of {url}"\n`;
  let body = `url = f"url{i + 1}"\nprint(f"Start ${verb} {url}")\n`;
  if (failing || cancels) {
    const handed =
      kind === "thread"
        ? "results[i] = e  # handed back by hand: it would stay in this thread\nreturn\n"
        : "raise\n";
    body +=
      `try:\n${indent(work, 4)}except ${caught} as e:\n` +
      `    print(f"Error ${verb} {url}: {e}")\n${indent(handed, 4)}` +
      (cancels ? `except asyncio.CancelledError:\n    print(f"Cancelled {url}")\n    raise\n` : "");
  } else body += work;
  body += done;
  const params = kind === "async" && r.workload === "fetch" ? "session, i" : "i";
  const def = kind === "async" ? "async def" : "def";
  const offload =
    kind === "async" && r.offload
      ? `def work(i):\n${indent(r.workload === "cpu" ? `return sum(j * j for j in range(${cpuLoop(r)}))\n` : `time.sleep(${secs(r.delay)})\n`, 4)}\n\n`
      : "";
  return `${offload}${def} ${nameOf(r)}(${params}):\n${indent(body, 4)}`;
}

/** Loop steps for a CPU task: CPython does roughly 20 million simple ones a second
 * (BENCHMARKS.md), a rough match for the delay (at least 2, so that the failing task's half is a
 * step). */
const cpuSteps = (r) => Math.max(2, Math.round(r.delay * 20_000));

/** {@link cpuSteps} as the program writes it, 2_000_000. */
const cpuLoop = (r) => number(cpuSteps(r), "_");

const elapsed = 'print(f"Elapsed: {time.time() - start:.2f} seconds")\n';

/** Whether an async run's tasks hold the event loop in their steps: a blocking call, or CPU
 * work not handed to a thread. */
const holdsLoop = (r) => r.model === "async" && !r.offload && (r.blocking || r.workload === "cpu");

function asyncProgram(r) {
  let head = "import asyncio\nimport time\n";
  if (r.workload === "fetch") head += "import aiohttp  # pip install aiohttp\n";
  const call = r.workload === "fetch" ? "fetch(session, i)" : `${nameOf(r)}(i)`;
  const failing = fails(r);
  const grouped = failing && r.failMode === "try_join_all";
  let gather;
  if (grouped) {
    gather =
      `async with asyncio.TaskGroup() as group:  # like try_join_all: the first error cancels the rest\n` +
      `    tasks = [group.create_task(${call}) for i in range(${r.tasks})]\n` +
      `print([t.result() for t in tasks])\n`;
  } else if (failing) {
    gather =
      `# Like join_all: every task finishes; errors come back with the results.\n` +
      `results = await asyncio.gather(*(${call} for i in range(${r.tasks})), return_exceptions=True)\n` +
      `print(results)\n`;
  } else {
    gather = `results = await asyncio.gather(*(${call} for i in range(${r.tasks})))\nprint(results)\n`;
  }
  if (r.workload === "fetch") {
    // The limit this run had: aiohttp's default connector allows 100 connections at once,
    // limit=0 lifts it (the run had none unless `connections` was set).
    const limit = r.connections ?? 0;
    const note = limit ? `  # at most ${limit} requests at once` : "  # no limit, like this run";
    gather =
      `connector = aiohttp.TCPConnector(limit=${limit})${note}\n` +
      `timeout = aiohttp.ClientTimeout(total=${secs(r.timeoutMs ?? 10000)})\n` +
      `async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:\n` +
      indent(gather, 4);
  }
  // A run whose steps may hold the loop: asyncio's debug mode reports each step over 100 ms
  // ("Executing <Task ...> took 1.003 seconds"), as the output pane does (src/output.rs).
  const debug = holdsLoop(r)
    ? "asyncio.run(main(), debug=True)  # reports steps that block the loop"
    : "asyncio.run(main())";
  const run = grouped
    ? `try:\n    ${debug}\nexcept* ${caughtOf(r)} as errors:  # a TaskGroup raises an ExceptionGroup\n` +
      `    print(f"{type(errors.exceptions[0]).__name__}: {errors.exceptions[0]}")\n`
    : `${debug}\n`;
  return (
    `${head}\n\n${taskFunction(r, "async")}\n\nasync def main():\n${indent(gather, 4)}\n\n` +
    `start = time.time()\n${run}${elapsed}`
  );
}

/**
 * `sys.setswitchinterval(...)` as the run had it (threads with the GIL), with what it means: the
 * interval is in seconds in Python, in ms in the run's options.
 */
const switchLine = (r) =>
  r.gil
    ? `sys.setswitchinterval(${+(r.switchInterval / 1000).toPrecision(6)})  # ${r.switchInterval} ms: how long a ` +
      "thread waits for the GIL before the holder is asked to drop it\n\n"
    : "";

/**
 * The convoy: task 0 computes for about the delay while the other tasks sleep 1 ms at a time and
 * note how late each wake-up was (Python takes the GIL back before `time.sleep` returns).
 */
function convoyProgram(r) {
  const head = `import statistics\n${r.gil ? "import sys\n" : ""}import threading\nimport time\n`;
  return (
    `${head}\n${r.gil ? switchLine(r) : "# No GIL here: free-threaded Python (python3.13t, supported from 3.14).\n"}` +
    `results = [None] * ${r.tasks}\nlate = []\ndone = threading.Event()\n\n\n` +
    `def run(i):\n    print(f"Start running url{i + 1}")\n    if i == 0:  # computes, holding the GIL\n` +
    `        sum(j * j for j in range(${cpuLoop(r)}))\n        done.set()\n    else:  # wakes every 1 ms while task 0 computes\n` +
    `        while not done.is_set():\n            t0 = time.perf_counter()\n` +
    `            time.sleep(0.001)  # releases the GIL, and must take it back to return\n` +
    `            late.append(time.perf_counter() - t0 - 0.001)\n` +
    `    print(f"Done running url{i + 1}")\n    results[i] = f"Content of url{i + 1}"\n\n\n` +
    `start = time.time()\nthreads = [threading.Thread(target=run, args=(i,)) for i in range(${r.tasks})]\n` +
    `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\nprint(results)\n${elapsed}` +
    `print(f"Woke late: median {statistics.median(late) * 1000:.2f} ms")  # not in the output pane\n`
  );
}

function threadsProgram(r) {
  if (r.workload === "convoy") return convoyProgram(r);
  const own = r.threads >= r.tasks;
  const head =
    (r.gil ? "import sys\n" : "") +
    "import time\n" +
    (r.workload === "fetch" ? "from urllib.request import urlopen\n" : "") +
    (own ? "import threading\n" : "from concurrent.futures import ThreadPoolExecutor\n");
  const gil =
    r.workload === "cpu"
      ? r.gil
        ? "# CPython's GIL lets one thread run Python code at a time, as in this run.\n"
        : "# This run had no GIL: free-threaded Python (python3.13t, supported from 3.14) runs it like this.\n"
      : "";
  if (own) {
    return (
      `${head}\n${switchLine(r)}\nresults = [None] * ${r.tasks}\n\n\n${gil}${taskFunction(r, "thread")}\n\nstart = time.time()\n` +
      `threads = [threading.Thread(target=${nameOf(r)}, args=(i,)) for i in range(${r.tasks})]\n` +
      `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\nprint(results)\n${elapsed}`
    );
  }
  return (
    `${head}\n${switchLine(r)}\n${gil}${taskFunction(r, "call")}\n\nstart = time.time()\n` +
    `with ThreadPoolExecutor(max_workers=${r.threads}) as pool:\n` +
    `    futures = [pool.submit(${nameOf(r)}, i) for i in range(${r.tasks})]\n` +
    `print([f.exception() or f.result() for f in futures])  # an error reaches the caller here\n${elapsed}`
  );
}

function sequentialProgram(r) {
  const head =
    "import time\n" + (r.workload === "fetch" ? "from urllib.request import urlopen\n" : "");
  const failing = fails(r);
  const loop = failing
    ? `results = []\ntry:\n    for i in range(${r.tasks}):\n        results.append(${nameOf(r)}(i))  # an exception ends the loop here\n` +
      `    print(results)\nexcept ${caughtOf(r)} as e:\n    print(f"{type(e).__name__}: {e}")\n`
    : `results = [${nameOf(r)}(i) for i in range(${r.tasks})]\nprint(results)\n`;
  return `${head}\n\n${taskFunction(r, "call")}\n\nstart = time.time()\n${loop}${elapsed}`;
}

function processesProgram(r) {
  const head =
    "import time\nfrom multiprocessing import Pool\n" +
    (r.workload === "fetch" ? "from urllib.request import urlopen\n" : "");
  const failing = fails(r);
  const collect = failing
    ? `pending = [pool.apply_async(${nameOf(r)}, (i,)) for i in range(${r.tasks})]\nresults = []\nfor p in pending:\n` +
      `    try:\n        results.append(p.get())\n` +
      `    except ${caughtOf(r)} as e:  # the error comes back with that task's result\n        results.append(e)\n`
    : `results = pool.map(${nameOf(r)}, range(${r.tasks}))\n`;
  return (
    `${head}\n\n${taskFunction(r, "call")}\n\nif __name__ == "__main__":\n` +
    `    with Pool(${r.processes}) as pool:  # start the processes once, reuse them\n` +
    `        start = time.time()\n${indent(collect, 8)}        print(results)\n${indent(elapsed, 8)}`
  );
}

/** The seed's list of URLs for `n` tasks: url1, url2... */
const urls = (n) =>
  n <= 5
    ? `urls = [${Array.from({ length: n }, (_, i) => `"url${i + 1}"`).join(", ")}]\n`
    : `urls = [f"url{i}" for i in range(1, ${n + 1})]\n`;

/**
 * The seed's asyncio program, as the article prints it, with the run's task count and delay: it
 * prints what the output pane shows.
 */
function seedAsync(r) {
  return (
    `import asyncio\nimport time\n\n\nasync def fetch(url):\n` +
    `    print(f"Start fetching {url}")\n    await asyncio.sleep(${secs(r.delay)})\n` +
    `    print(f"Done fetching {url}")\n    return f"Content of {url}"\n\n\n` +
    `async def main():\n    ${urls(r.tasks)}    tasks = [fetch(url) for url in urls]\n` +
    `    results = await asyncio.gather(*tasks)\n    print(results)\n\n\n` +
    `start = time.time()\nasyncio.run(main())\nprint(f"Elapsed: {time.time() - start:.2f} seconds")\n`
  );
}

/** The seed's threading program: one `threading.Thread` subclass instance per URL. */
function seedThreads(r) {
  return (
    `import threading\nimport time\n\n\nclass FetchThread(threading.Thread):\n` +
    `    def __init__(self, url):\n        super().__init__()\n        self.url = url\n` +
    `        self.result = None\n\n    def run(self):\n        print(f"Start fetching {self.url}")\n` +
    `        time.sleep(${secs(r.delay)})\n        print(f"Done fetching {self.url}")\n` +
    `        self.result = f"Content of {self.url}"\n\n\n${urls(r.tasks)}` +
    `threads = [FetchThread(url) for url in urls]\nstart = time.time()\n` +
    `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\n` +
    `print([t.result for t in threads])\nprint(f"Elapsed: {time.time() - start:.2f} seconds")\n`
  );
}

/** Whether a run is the seed's own example: plain waiting, no failure, nothing blocking. */
const seedLike = (r) => r.workload === "sleep" && !fails(r) && !r.blocking && !r.gil;

const big = (n) => number(n, "_");

/** `counter += 1` `increments` times per task, guarded as the run was. */
function counterProgram(r) {
  const n = big(r.increments);
  const report = `print(f"expected ${big(r.counterExpected ?? r.tasks * r.increments)}, got {counter:_}")\n`;
  if (r.model === "async") {
    const pause = r.awaitInside ? "        await asyncio.sleep(0)  # another task runs here\n" : "";
    let update = `        x = counter\n${pause}        counter = x + 1\n`;
    if (r.sync === "lock")
      update = `        async with lock:  # asyncio.Lock\n${update.replace(/^(?=.)/gm, "    ")}`;
    return (
      `import asyncio\n\ncounter = 0\n${r.sync === "lock" ? "lock = asyncio.Lock()\n" : ""}\n\n` +
      `async def task(i):\n    global counter\n    for _ in range(${n}):\n${update}\n\n` +
      `async def main():\n    await asyncio.gather(*(task(i) for i in range(${r.tasks})))\n    ${report}\n\n` +
      `asyncio.run(main())\n`
    );
  }
  if (r.model === "processes") {
    return (
      `from multiprocessing import Pool\n\ncounter = 0  # each process has its own copy\n\n\n` +
      `def task(i):\n    global counter\n    for _ in range(${n}):\n        counter += 1\n    return counter\n\n\n` +
      `if __name__ == "__main__":\n    with Pool(${r.processes}) as pool:\n` +
      `        print(pool.map(task, range(${r.tasks})))  # each process's own count\n` +
      `    ${report.replace("got", "the parent's counter:")}` +
      `    # Counting together takes shared memory: multiprocessing.Value("i", 0) and its lock.\n`
    );
  }
  let update = "        counter += 1  # read, add, write back: not atomic\n";
  if (r.sync === "lock")
    update = "        with lock:  # threading.Lock\n            counter += 1\n";
  if (r.sync === "atomic") {
    update =
      "        # Python has no atomic integer: this run used one atomic add; a Lock is the Python way.\n" +
      "        with lock:\n            counter += 1\n";
  }
  const lockLine = r.sync === "none" ? "" : "lock = threading.Lock()\n";
  if (r.model === "sequential") {
    return `counter = 0\nfor i in range(${r.tasks}):\n    for _ in range(${n}):\n        counter += 1\n${report}`;
  }
  return (
    `import threading\n\ncounter = 0\n${lockLine}\n\ndef task(i):\n    global counter\n` +
    `    for _ in range(${n}):\n${update}\n\n` +
    `threads = [threading.Thread(target=task, args=(i,)) for i in range(${r.tasks})]\n` +
    `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\n${report}`
  );
}

/** Two locks taken in the run's order: opposite order deadlocks. */
function deadlockProgram(r) {
  const d = secs(r.delay);
  const order =
    r.lockOrder === "same"
      ? "first, second = a, b  # everyone takes A first: no cycle\n"
      : "first, second = (a, b) if i % 2 == 0 else (b, a)  # opposite order\n";
  const as = r.model === "async" ? "async " : "";
  const nap = r.model === "async" ? `await asyncio.sleep(${d})` : `time.sleep(${d})`;
  const own = r.model === "threads";
  const body =
    `url = f"url{i + 1}"\nprint(f"Start locking {url}")\n${order}${as}with first:\n    ${nap}\n` +
    `    ${as}with second:  # may wait forever\n        pass\nprint(f"Done locking {url}")\n` +
    (own ? `results[i] = f"Content of {url}"\n` : `return f"Content of {url}"\n`);
  if (r.model === "async") {
    return (
      `import asyncio\nimport time\n\n\nasync def task(i, a, b):\n${indent(body, 4)}\n\n` +
      `async def main():\n    a, b = asyncio.Lock(), asyncio.Lock()\n` +
      `    results = await asyncio.gather(*(task(i, a, b) for i in range(${r.tasks})))\n    print(results)\n\n\n` +
      `start = time.time()\nasyncio.run(main())\n${elapsed}`
    );
  }
  const locks = r.model === "processes" ? "  # each process has its own pair" : "";
  const head =
    `import threading\nimport time\n${r.model === "processes" ? "from multiprocessing import Pool\n" : ""}` +
    `\na, b = threading.Lock(), threading.Lock()${locks}\n${own ? `results = [None] * ${r.tasks}\n` : ""}` +
    `\n\ndef task(i):\n${indent(body, 4)}\n\n`;
  if (r.model === "sequential") {
    return (
      `${head}start = time.time()\n` +
      `results = [task(i) for i in range(${r.tasks})]  # one at a time: no other task holds a lock\n` +
      `print(results)\n${elapsed}`
    );
  }
  if (r.model === "processes") {
    return (
      `${head}if __name__ == "__main__":\n    with Pool(${r.processes}) as pool:\n        start = time.time()\n` +
      `        results = pool.map(task, range(${r.tasks}))  # no process can take another's locks\n` +
      `        print(results)\n${indent(elapsed, 8)}`
    );
  }
  return (
    `${head}start = time.time()\nthreads = [threading.Thread(target=task, args=(i,)) for i in range(${r.tasks})]\n` +
    `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()  # a deadlock hangs here\n` +
    `print(results)\n${elapsed}`
  );
}

/** Whether the run had no `limit` on async tasks in flight. */
const unlimited = (r) => r.limit === null || r.limit === undefined;

/** A semaphore around each task: at most `limit` in flight (`asyncio.Semaphore`). */
function withLimit(r, program) {
  if (r.model !== "async" || unlimited(r)) return program;
  const helper =
    `sem = asyncio.Semaphore(${r.limit})\n\n\n` +
    `async def limited(coro):\n    async with sem:  # at most ${r.limit} ${r.limit === 1 ? "task" : "tasks"} at once\n` +
    `        return await coro\n\n\nasync def main():\n`;
  return program
    .replace(/\(((?:task|fetch|compute)\([^)]*\)) for i/g, "(limited($1) for i")
    .replace(/create_task\(((?:fetch|compute)\([^)]*\))\)/g, "create_task(limited($1))")
    .replace("async def main():\n", helper);
}

/** The Python program for a run's record. */
export function pythonFor(r) {
  if (r.workload === "counter") return withLimit(r, counterProgram(r));
  if (r.workload === "deadlock") return withLimit(r, deadlockProgram(r));
  if (seedLike(r) && unlimited(r) && r.model === "async" && !r.offload) return seedAsync(r);
  // The seed starts one thread per URL; a run with fewer threads than tasks is a pool instead.
  if (seedLike(r) && r.model === "threads" && r.threads >= r.tasks) return seedThreads(r);
  if (r.model === "async") return withLimit(r, asyncProgram(r));
  switch (r.model) {
    case "async":
      return asyncProgram(r);
    case "threads":
      return threadsProgram(r);
    case "processes":
      return processesProgram(r);
    default:
      return sequentialProgram(r);
  }
}

/**
 * Fills the two code panes for `record`; `rustCode` is the engine's `[{ name, code }]` for it.
 * highlight.js escapes the text it is given, so its output is safe to insert as markup.
 */
export function showCode(record, rustCode) {
  const py = pythonFor(record);
  const rs = rustCode.map((s) => s.code).join("\n\n");
  const pyEl = document.getElementById("python-code");
  const rsEl = document.getElementById("rust-code");
  pyEl.innerHTML = hljs.highlight(py, { language: "python" }).value;
  rsEl.innerHTML = hljs.highlight(rs, { language: "rust" }).value;
  pyEl.dataset.model = record.model;
  rsEl.dataset.model = record.model;
}

/** Wires the Copy buttons (`data-copy` names the code element). */
export function wireCopy(announce) {
  for (const b of document.querySelectorAll("button.copy")) {
    if (!(b instanceof HTMLButtonElement)) continue;
    b.addEventListener("click", async () => {
      const text = document.getElementById(b.dataset.copy).textContent;
      try {
        await navigator.clipboard.writeText(text);
        announce("Code copied.");
      } catch {
        // Clipboard access can be refused (an iframe without permission): select it instead.
        getSelection().selectAllChildren(document.getElementById(b.dataset.copy));
        announce("Copying was refused here; the code is selected, press Ctrl+C.");
      }
    });
  }
}
