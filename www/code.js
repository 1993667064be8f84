// "The code, side by side": the Python program a learner would write for the
// run, with its task count and delay, next to the Rust that ran, which the engine takes from its
// own source. Written for this project; highlighted with highlight.js (vendored).
import hljs from "./vendor/highlight.js";
import python from "./vendor/highlight-python.js";
import rust from "./vendor/highlight-rust.js";
import { number } from "./format.js";

hljs.registerLanguage("python", python);
hljs.registerLanguage("rust", rust);

const secs = (ms) => `${+(ms / 1000).toFixed(3)}`;

function failLine(r, indent = "    ") {
  return r.fail === null
    ? ""
    : `${indent}if i == ${r.fail}:\n${indent}    raise RuntimeError(f"task {i} failed")\n`;
}

function asyncProgram(r) {
  const d = secs(r.delay);
  let body;
  let head = "import asyncio\nimport time\n";
  if (r.blocking) body = `    time.sleep(${d})  # blocks the whole event loop\n`;
  else if (r.workload === "cpu")
    body = `    sum(i * i for i in range(${cpuLoop(r)}))  # never awaits\n`;
  else if (r.workload === "fetch") {
    head += "import aiohttp  # pip install aiohttp\n";
    body =
      `    async with session.get("http://127.0.0.1:8000/api/latency?ms=${r.delay}") as resp:\n` +
      `        await resp.read()\n`;
  } else body = `    await asyncio.sleep(${d})  # waits without blocking the loop\n`;
  const params = r.workload === "fetch" ? "session, i" : "i";
  const call = r.workload === "fetch" ? "task(session, i)" : "task(i)";
  let gather;
  if (r.fail !== null && r.failMode === "try_join_all") {
    gather =
      `    # Like try_join_all: the first error cancels the other tasks.\n` +
      `    async with asyncio.TaskGroup() as group:\n` +
      `        for i in range(${r.tasks}):\n            group.create_task(${call})\n`;
  } else if (r.fail !== null) {
    gather =
      `    # Like join_all: every task finishes; errors come back with the results.\n` +
      `    results = await asyncio.gather(*(${call} for i in range(${r.tasks})), return_exceptions=True)\n` +
      `    print([e for e in results if isinstance(e, Exception)])\n`;
  } else gather = `    await asyncio.gather(*(${call} for i in range(${r.tasks})))\n`;
  if (r.workload === "fetch") {
    // The limit this run had: aiohttp's default connector allows 100 connections at once,
    // limit=0 lifts it (the run had none unless `connections` was set).
    const limit = r.connections ?? 0;
    const note = limit ? `  # at most ${limit} requests at once` : "  # no limit, like this run";
    gather =
      `    connector = aiohttp.TCPConnector(limit=${limit})${note}\n` +
      `    timeout = aiohttp.ClientTimeout(total=${secs(r.timeoutMs ?? 10000)})\n` +
      `    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:\n` +
      gather.replace(/^/gm, "    ");
  }
  return (
    `${head}\n\nasync def task(${params}):\n${body}${failLine(r)}\n\nasync def main():\n` +
    `    start = time.perf_counter()\n${gather}    print(f"{time.perf_counter() - start:.3f} s")\n\n\n` +
    `asyncio.run(main())\n`
  );
}

function cpuLoop(r) {
  // CPython does roughly 20 million simple loop steps a second: a rough match for the delay.
  return number(Math.max(1, Math.round(r.delay * 20_000)), "_");
}

function blockingBody(r, gilNote) {
  const d = secs(r.delay);
  if (r.workload === "cpu") {
    return `    sum(i * i for i in range(${cpuLoop(r)}))${gilNote ? "  # holds the GIL" : ""}\n`;
  }
  if (r.workload === "fetch") {
    return `    urlopen("http://127.0.0.1:8000/api/latency?ms=${r.delay}", timeout=${secs(r.timeoutMs ?? 10000)}).read()  # blocks this thread\n`;
  }
  return `    time.sleep(${d})  # blocks this thread${gilNote ? ", releases the GIL" : ""}\n`;
}

function threadsProgram(r) {
  const head =
    "import time\n" +
    (r.workload === "fetch" ? "from urllib.request import urlopen\n" : "") +
    (r.threads >= r.tasks
      ? "import threading\n"
      : "from concurrent.futures import ThreadPoolExecutor\n");
  const gil =
    r.workload === "cpu"
      ? r.gil
        ? "# CPython's GIL lets one thread run Python code at a time, as in this run.\n"
        : "# This run had no GIL: CPython would serialise this CPU work (3.13's free-threaded build aside).\n"
      : "";
  const task = `def task(i):\n${blockingBody(r, r.gil)}${failLine(r)}\n\n`;
  let run;
  if (r.threads >= r.tasks) {
    run =
      `threads = [threading.Thread(target=task, args=(i,)) for i in range(${r.tasks})]\n` +
      `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()  # an exception stays in its thread\n`;
  } else {
    run =
      `with ThreadPoolExecutor(max_workers=${r.threads}) as pool:\n` +
      `    futures = [pool.submit(task, i) for i in range(${r.tasks})]\n` +
      `for f in futures:\n    if f.exception():  # an error reaches the caller here\n        print(f.exception())\n`;
  }
  return `${head}\n${gil}${task}start = time.perf_counter()\n${run}print(f"{time.perf_counter() - start:.3f} s")\n`;
}

function sequentialProgram(r) {
  const head =
    "import time\n" + (r.workload === "fetch" ? "from urllib.request import urlopen\n" : "");
  return (
    `${head}\n\ndef task(i):\n${blockingBody(r, false)}${failLine(r)}\n\nstart = time.perf_counter()\n` +
    `for i in range(${r.tasks}):\n    task(i)  # an exception ends the loop here\n` +
    `print(f"{time.perf_counter() - start:.3f} s")\n`
  );
}

function processesProgram(r) {
  const head =
    "import time\nfrom multiprocessing import Pool\n" +
    (r.workload === "fetch" ? "from urllib.request import urlopen\n" : "");
  return (
    `${head}\n\ndef task(i):\n${blockingBody(r, false)}${failLine(r)}\n\nif __name__ == "__main__":\n` +
    `    with Pool(${r.processes}) as pool:  # start the processes once, reuse them\n` +
    `        start = time.perf_counter()\n` +
    `        pool.map(task, range(${r.tasks}))\n` +
    `        print(f"{time.perf_counter() - start:.3f} s")\n`
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
const seedLike = (r) => r.workload === "sleep" && r.fail === null && !r.blocking && !r.gil;

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
      ? "    first, second = a, b  # everyone takes A first: no cycle\n"
      : "    first, second = (a, b) if i % 2 == 0 else (b, a)  # opposite order\n";
  if (r.model === "async") {
    return (
      `import asyncio\n\n\nasync def task(i, a, b):\n${order}` +
      `    async with first:\n        await asyncio.sleep(${d})\n        async with second:  # may wait forever\n            pass\n\n\n` +
      `async def main():\n    a, b = asyncio.Lock(), asyncio.Lock()\n` +
      `    await asyncio.gather(*(task(i, a, b) for i in range(${r.tasks})))\n\n\nasyncio.run(main())\n`
    );
  }
  return (
    `import threading\nimport time\n\na, b = threading.Lock(), threading.Lock()\n\n\ndef task(i):\n${order}` +
    `    with first:\n        time.sleep(${d})\n        with second:  # may wait forever\n            pass\n\n\n` +
    `threads = [threading.Thread(target=task, args=(i,)) for i in range(${r.tasks})]\n` +
    `for t in threads:\n    t.start()\nfor t in threads:\n    t.join()  # a deadlock hangs here\n`
  );
}

/** Async tasks that hand their CPU or blocking part to a thread (`asyncio.to_thread`). */
function offloadProgram(r) {
  const work =
    r.workload === "cpu"
      ? `sum(i * i for i in range(${cpuLoop(r)}))`
      : `time.sleep(${secs(r.delay)})`;
  return (
    `import asyncio\nimport time\n\n\ndef work(i):\n    return ${work}  # runs on a thread\n\n\n` +
    `async def task(i):\n    return await asyncio.to_thread(work, i)  # the loop stays free\n\n\n` +
    `async def main():\n    start = time.perf_counter()\n` +
    `    await asyncio.gather(*(task(i) for i in range(${r.tasks})))\n` +
    `    print(f"{time.perf_counter() - start:.3f} s")\n\n\nasyncio.run(main())\n`
  );
}

/** A semaphore around each task: at most `limit` in flight (`asyncio.Semaphore`). */
function withLimit(r, program) {
  if (r.model !== "async" || r.limit === null || r.limit === undefined) return program;
  const helper =
    `sem = asyncio.Semaphore(${r.limit})\n\n\n` +
    `async def limited(coro):\n    async with sem:  # at most ${r.limit} tasks at once\n` +
    `        return await coro\n\n\nasync def main():\n`;
  return program
    .replace(/\((task\([^)]*\)) for i/g, "(limited($1) for i")
    .replace("async def main():\n", helper);
}

/** The Python program for a run's record. */
export function pythonFor(r) {
  if (r.workload === "counter") return counterProgram(r);
  if (r.workload === "deadlock") return withLimit(r, deadlockProgram(r));
  if (r.model === "async" && r.offload) return withLimit(r, offloadProgram(r));
  const unlimited = r.limit === null || r.limit === undefined;
  if (seedLike(r) && unlimited && r.model === "async") return seedAsync(r);
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
