#!/usr/bin/env python3
"""The CPython side of the benchmark: the programs a learner would write.

Standard library only; runs with the machine's python3 (3.11). Each scenario is one of:

- ``async``: ``asyncio.gather`` of N ``asyncio.sleep(delay)``.
- ``threads`` with T == N: one ``threading.Thread`` per task, each ``time.sleep(delay)``.
- ``threads`` with T < N: a pool, ``ThreadPoolExecutor(max_workers=T)``, each task
  ``time.sleep(delay)``.
- ``cpu``: N tasks of a pure-Python loop of ``iterations`` each, run one after another
  (``threads`` absent or 0) or on a pool of T threads (where the GIL lets only one of them run
  Python code at a time). Without ``iterations``, the loop is calibrated to take about
  ``delayMs`` on this machine; the driver calibrates once (``calibrate``) and passes the same
  count to every CPU scenario, so each does the same work whichever process runs it.
- ``calibrate``: the loop iterations that take about ``delayMs`` on one core here.
- ``race-threads``: T threads each doing ``counter += 1`` on a global ``increments`` times,
  with or without a ``threading.Lock`` (``lock``); reports the updates lost.
- ``race-async``: N asyncio tasks each doing ``increments`` times a read of a shared counter,
  ``await asyncio.sleep(0)``, then the write; reports the updates lost.
- ``fetch-async``: N HTTP/1.1 GETs of ``url`` (a latency endpoint that answers after
  ``?ms=delayMs``) at once with ``asyncio.gather``, each on its own connection from
  ``asyncio.open_connection``, the request written and the response read by hand (standard
  library only: no aiohttp, so no connection limit).
- ``fetch-threads``: the same GETs with ``http.client``, one ``threading.Thread`` per request
  (T == N) or on a ``ThreadPoolExecutor(max_workers=T)``.
  Both read the whole response, fail on a status outside 2xx, and report ``serverPeak``: the most
  requests under way at the server at once, from its counter (``countUrl``) when given.

Usage (the driver, bench/run.mjs, passes JSON; the flags are for people):

    python3 bench/python_bench.py '[{"kind": "async", "tasks": 1000, "delayMs": 1000, "reps": 3}]'
    python3 bench/python_bench.py --kind threads --tasks 16 --threads 2 --delay-ms 1000 --reps 3
    python3 bench/python_bench.py --kind cpu --tasks 8 --threads 2 --delay-ms 250
    python3 bench/python_bench.py --kind convoy --delay-ms 2000 --switch-interval 5 --reps 1
    python3 bench/python_bench.py '{"kind": "race-threads", "threads": 2, "increments": 1000000}'

Prints one JSON object on stdout:

    {"python": "3.11.7", "implementation": "CPython", "cores": 2, "results": [
      {"kind": ..., "tasks": ..., "threads": ..., "delayMs": ..., "reps": [seconds, ...],
       "median": seconds, "rssBytesPerTask": ..., "iterations": ..., "lost": [...]}, ...]}

``reps`` holds the elapsed seconds of each repetition, timed around the gather, the threads'
start to their join, or the loops. ``rssBytesPerTask`` (async and threads, first repetition) is
the growth of the process's resident memory while the tasks are pending, divided by N (by T
for a pool, whose threads are what costs memory). ``lost`` (races) holds the updates lost in
each repetition, ``expected`` the count a correct program ends with. ``threadStartMs`` (one
thread per task) is the time to create and start the threads divided by N, median of the reps.
"""

import argparse
import asyncio
import http.client
import json
import os
import platform
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes():
    """Resident memory of this process now, or None where /proc is not available."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def per_task(before, during, tasks):
    """Memory growth per task, or None if it could not be measured."""
    if before is None or during is None:
        return None
    return max(0, during - before) / tasks


# --- async: asyncio.gather of N sleeps -------------------------------------------------------


async def gather_sleeps(tasks, delay_s, probe):
    """The learner's program, timed from creating the coroutines to the gather's end.

    ``probe`` (a dict or None) gets the RSS at half the delay, when every task is pending.
    """

    async def sample():
        await asyncio.sleep(delay_s / 2)
        probe["during"] = rss_bytes()

    sampler = asyncio.ensure_future(sample()) if probe is not None else None
    t0 = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(delay_s) for _ in range(tasks)))
    elapsed = time.perf_counter() - t0
    if sampler is not None:
        await sampler
    return elapsed


def run_async(tasks, delay_s, reps):
    times, probe = [], {}
    for rep in range(reps):
        if rep == 0:
            probe["before"] = rss_bytes()
        times.append(asyncio.run(gather_sleeps(tasks, delay_s, probe if rep == 0 else None)))
    return times, {"rssBytesPerTask": per_task(probe.get("before"), probe.get("during"), tasks)}


# --- threads: time.sleep in a thread per task, or in a pool of T threads ----------------------


def run_threads(tasks, threads, delay_s, reps):
    times, extra, starts = [], {}, []
    for rep in range(reps):
        before = rss_bytes()
        t0 = time.perf_counter()
        if threads >= tasks:
            # One threading.Thread per task: what the classic tutorial does.
            workers = [threading.Thread(target=time.sleep, args=(delay_s,)) for _ in range(tasks)]
            for w in workers:
                w.start()
            # Creating and starting them, per thread (the playground's threadStartMs).
            starts.append((time.perf_counter() - t0) * 1000 / tasks)
            during = rss_bytes()  # every thread started and sleeping
            for w in workers:
                w.join()
        else:
            # A pool of T threads: ceil(N / T) rounds of sleeps.
            with ThreadPoolExecutor(max_workers=threads) as pool:
                futures = [pool.submit(time.sleep, delay_s) for _ in range(tasks)]
                during = rss_bytes()
                for f in futures:
                    f.result()
        times.append(time.perf_counter() - t0)
        if rep == 0:
            extra["rssBytesPerTask"] = per_task(before, during, min(tasks, threads))
    if starts:
        extra["threadStartMs"] = sorted(starts)[len(starts) // 2]
    return times, extra


# --- cpu: a pure-Python loop, sequential or on threads ----------------------------------------


def spin(iterations):
    """The CPU work of one task: a plain loop a learner would write."""
    total = 0
    for i in range(iterations):
        total += i * i
    return total


_calibrated = {}


def iterations_for(delay_ms):
    """Loop iterations that take about ``delay_ms`` on one core of this machine.

    Two stages, each keeping the fastest of a few timings so a busy moment does not inflate the
    count: a short probe gives a first estimate, then the estimate itself is timed and rescaled
    (a short loop runs slower per iteration than a long one). Cached within a process; the
    driver calibrates once and passes the count on, so separate processes do the same work too.
    """
    if delay_ms not in _calibrated:
        target_s = delay_ms / 1000
        probe = 200_000
        warm_up()
        rough = max(1, round(probe * target_s / min(_timed(spin, probe) for _ in range(5))))
        best = min(_timed(spin, rough) for _ in range(3))
        _calibrated[delay_ms] = max(1, round(rough * target_s / best))
    return _calibrated[delay_ms]


def warm_up():
    """Spins for 0.5 s: on these machines the first few hundred ms of a loop run ~15 % slower."""
    warm_until = time.perf_counter() + 0.5
    while time.perf_counter() < warm_until:
        spin(200_000)


def _timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def run_cpu(tasks, threads, iterations, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        if threads:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(spin, [iterations] * tasks))
        else:
            for _ in range(tasks):
                spin(iterations)
        times.append(time.perf_counter() - t0)
    return times, {}


# --- convoy: a thread that wakes every 1 ms beside a thread that computes ---------------------


def run_convoy(iterations, delay_ms, switch_interval_ms, waiters, reps):
    """One thread computes ``iterations`` of :func:`spin` (``waiters`` = 0: nobody computes, and
    one waiting thread wakes alone for ``delay_ms``); each waiting thread loops ``time.sleep(0.001)`` and
    notes how late each wake-up was, in ms. ``sys.setswitchinterval`` is set for the run and put
    back. Returns the run times and the lateness of every wake-up of every run: its median, p90
    and count (the playground's ``wakeLateMs``)."""
    times, late = [], []
    before = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval_ms / 1000)
    try:
        for _ in range(reps):
            done = threading.Event()

            def wake():
                while not done.is_set():
                    t0 = time.perf_counter()
                    time.sleep(0.001)
                    late.append((time.perf_counter() - t0 - 0.001) * 1000)

            workers = [threading.Thread(target=wake) for _ in range(max(1, waiters))]
            t0 = time.perf_counter()
            for w in workers:
                w.start()
            if waiters:
                spin(iterations)
            else:
                time.sleep(delay_ms / 1000)
            done.set()
            for w in workers:
                w.join()
            times.append(time.perf_counter() - t0)
    finally:
        sys.setswitchinterval(before)
    late.sort()
    return times, {
        "wakeLateMs": {
            "median": quantile(late, 0.5),
            "p90": quantile(late, 0.9),
            "count": len(late),
        }
    }


def quantile(ascending, q):
    """The ``q`` quantile, interpolated between the nearest values (as the playground's)."""
    if not ascending:
        return None
    at = q * (len(ascending) - 1)
    i = int(at)
    nxt = ascending[min(i + 1, len(ascending) - 1)]
    return ascending[i] + (nxt - ascending[i]) * (at - i)


# --- races: a shared counter without and with a lock --------------------------------------------

counter = 0


def bump(increments):
    global counter
    for _ in range(increments):
        counter += 1


def bump_locked(increments, lock):
    global counter
    for _ in range(increments):
        with lock:
            counter += 1


def run_race_threads(threads, increments, lock, reps):
    """T threads each add 1 to a global ``increments`` times; lost = expected - final count."""
    global counter
    times, lost = [], []
    expected = threads * increments
    for _ in range(reps):
        counter = 0
        if lock:
            the_lock = threading.Lock()
            workers = [
                threading.Thread(target=bump_locked, args=(increments, the_lock))
                for _ in range(threads)
            ]
        else:
            workers = [threading.Thread(target=bump, args=(increments,)) for _ in range(threads)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        times.append(time.perf_counter() - t0)
        lost.append(expected - counter)
    return times, {"lost": lost, "expected": expected}


async def read_await_write(state, increments):
    """The lost update, spelled out: read, let the other tasks run, write back."""
    for _ in range(increments):
        value = state["counter"]
        await asyncio.sleep(0)
        state["counter"] = value + 1


async def race_async_once(tasks, increments):
    state = {"counter": 0}
    t0 = time.perf_counter()
    await asyncio.gather(*(read_await_write(state, increments) for _ in range(tasks)))
    return time.perf_counter() - t0, state["counter"]


def run_race_async(tasks, increments, reps):
    times, lost = [], []
    expected = tasks * increments
    for _ in range(reps):
        elapsed, final = asyncio.run(race_async_once(tasks, increments))
        times.append(elapsed)
        lost.append(expected - final)
    return times, {"lost": lost, "expected": expected}


# --- fetch: real HTTP requests to a latency endpoint ----------------------------------------


def request_target(url, delay_ms, task, run):
    """Host, port and the request target for task ``task`` of run ``run``."""
    u = urlsplit(url)
    return u.hostname, u.port or 80, f"{u.path}?ms={delay_ms}&task={task}&run={run}"


async def get_async(host, port, target):
    """One GET on a connection of its own, written and read by hand; returns the body."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # the headers
        body = await reader.read()  # to the end: the server closes the connection after it
    finally:
        writer.close()
        await writer.wait_closed()
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    return body


async def fetch_all_async(url, tasks, delay_ms, run):
    t0 = time.perf_counter()
    await asyncio.gather(
        *(get_async(*request_target(url, delay_ms, i, run)) for i in range(tasks))
    )
    return time.perf_counter() - t0


def get_blocking(host, port, target):
    """One GET with http.client, blocking the calling thread until the whole body is read."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise RuntimeError(f"HTTP {response.status}")
    return body


def fetch_all_threads(url, tasks, threads, delay_ms, run):
    targets = [request_target(url, delay_ms, i, run) for i in range(tasks)]
    errors = []

    def one(t):
        try:
            get_blocking(*t)
        except Exception as e:  # noqa: BLE001 - reported after the join, like a failed task
            errors.append(e)

    t0 = time.perf_counter()
    if threads >= tasks:
        workers = [threading.Thread(target=one, args=(t,)) for t in targets]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, targets))
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return elapsed


def server_count(count_url, reset=False):
    """The latency endpoint's counter (scripts/serve.mjs): requests, under way now, peak."""
    if not count_url:
        return None
    with urllib.request.urlopen(count_url + ("?reset=1" if reset else ""), timeout=10) as r:
        return json.load(r)


def run_fetch(kind, url, count_url, tasks, threads, delay_ms, reps):
    times, peaks = [], []
    for rep in range(reps):
        run = f"py{os.getpid()}-{rep}"
        server_count(count_url, reset=True)
        if kind == "fetch-async":
            times.append(asyncio.run(fetch_all_async(url, tasks, delay_ms, run)))
        else:
            times.append(fetch_all_threads(url, tasks, threads or tasks, delay_ms, run))
        after = server_count(count_url)
        peaks.append(after["peak"] if after else None)
    return times, {"serverPeak": peaks}


# --- driver ------------------------------------------------------------------------------------


def run_scenario(s):
    kind = s["kind"]
    tasks = int(s.get("tasks", 0))
    increments = int(s.get("increments", 0))
    delay_ms = float(s.get("delayMs", 1000))
    threads = int(s.get("threads") or 0)
    reps = int(s.get("reps", 3))
    if kind == "async":
        times, extra = run_async(tasks, delay_ms / 1000, reps)
    elif kind == "threads":
        times, extra = run_threads(tasks, threads or tasks, delay_ms / 1000, reps)
    elif kind == "cpu":
        iterations = int(s.get("iterations") or iterations_for(delay_ms))
        times, extra = run_cpu(tasks, threads, iterations, reps)
        extra["iterations"] = iterations
    elif kind == "convoy":
        iterations = int(s.get("iterations") or iterations_for(delay_ms))
        interval = float(s.get("switchInterval", 5))
        waiters = int(s.get("waiters", 1))
        times, extra = run_convoy(iterations, delay_ms, interval, waiters, reps)
        extra["iterations"] = iterations
    elif kind == "calibrate":
        return dict(s, iterations=iterations_for(delay_ms))
    elif kind == "race-threads":
        times, extra = run_race_threads(threads or 2, increments, bool(s.get("lock")), reps)
    elif kind == "race-async":
        times, extra = run_race_async(tasks, increments, reps)
    elif kind in ("fetch-async", "fetch-threads"):
        times, extra = run_fetch(
            kind, s["url"], s.get("countUrl"), tasks, threads, int(delay_ms), reps
        )
    else:
        raise ValueError(
            f"unknown kind {kind!r}: expected async, threads, cpu, convoy, calibrate, race-threads,"
            " race-async, fetch-async or fetch-threads"
        )
    out = dict(s)
    out.update(reps=times, median=statistics.median(times), **extra)
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("scenarios", nargs="?", help="JSON: one scenario object or a list of them")
    p.add_argument("--kind", choices=["async", "threads", "cpu", "convoy", "calibrate"])
    p.add_argument("--tasks", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="pool size (0: one per task / none)")
    p.add_argument("--delay-ms", type=float, default=1000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--iterations", type=int, help="cpu: loop iterations per task (else calibrated)")
    p.add_argument(
        "--switch-interval", type=float, default=5, help="convoy: sys.setswitchinterval, in ms"
    )
    p.add_argument(
        "--waiters", type=int, default=1, help="convoy: threads that wake every 1 ms (0: one, alone)"
    )
    a = p.parse_args(argv)
    if a.scenarios:
        parsed = json.loads(a.scenarios)
        return parsed if isinstance(parsed, list) else [parsed]
    if not a.kind:
        p.error("give a JSON scenario list or --kind")
    return [
        {
            "kind": a.kind,
            "tasks": a.tasks,
            "threads": a.threads,
            "delayMs": a.delay_ms,
            "reps": a.reps,
            "iterations": a.iterations,
            "switchInterval": a.switch_interval,
            "waiters": a.waiters,
        }
    ]


def main(argv):
    scenarios = parse_args(argv)
    if any(s["kind"] in ("cpu", "convoy") for s in scenarios):
        warm_up()  # so the first CPU scenario is not the one that pays for it
    results = [run_scenario(s) for s in scenarios]
    json.dump(
        {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "cores": os.cpu_count(),
            "results": results,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
