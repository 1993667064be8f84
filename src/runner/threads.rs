//! The threads model: `threads` worker threads from the wasm-bindgen-rayon pool each take one
//! task at a time and block on it, like a pool of `threading.Thread`s (or a
//! `ThreadPoolExecutor`) calling `time.sleep`, `requests.get` or computing.
//!
//! The event loop never calls a blocking rayon API (`join`, `par_iter`, `scope`): from the main
//! thread those spin and freeze the page for the whole run. It hands `threads` jobs to the pool
//! with `rayon::spawn` and awaits one channel per job; a worker's send wakes the event loop.
//!
//! A failing task returns an error and its thread goes on with the next task, as an exception in
//! a `ThreadPoolExecutor` task only reaches the caller through `future.result()`. (A Rust panic
//! would be the other way to fail, but with `panic = "abort"` on wasm it would kill the worker.)
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_channel::oneshot;
use futures_util::StreamExt;
use futures_util::future::{Either, select};
use futures_util::stream::FuturesUnordered;
use gloo_timers::future::TimeoutFuture;

use super::{Outcome, TaskResult, failure_message, work_of};
use crate::gil::Gil;
use crate::locks::{LOCK_NAMES, WaitGraph};
use crate::params::{FailMode, LockOrder, Params, SyncMode, Workload};
use crate::record::{Counted, Deadlock, LaneLog, ThreadStart};
use crate::run::RunState;
use crate::timeline::{Lane, WaitKind};
use crate::workload;

/// What the threads of a run share for the counter and the deadlock: real shared memory.
struct Shared {
    /// The counter every task adds to.
    counter: AtomicU64,
    /// The counter's lock (`sync: lock`), like `threading.Lock`.
    guard: Mutex<()>,
    /// Locks A and B of the deadlock workload, with the wait-for graph the event loop watches.
    graph: WaitGraph,
    /// Threads at the start line (see [`Job::start_together`]).
    arrived: AtomicU32,
    /// The convoy's computing task has begun, and has ended.
    cpu_started: AtomicBool,
    cpu_done: AtomicBool,
    /// How late each of the convoy's 1 ms waits woke, in ms.
    late: Mutex<Vec<f64>>,
}

/// `x + 1`, computed in the steps an interpreter takes between reading `counter` and writing it
/// back (CPython runs a few bytecodes there, some tens of ns). Without them the gap between the
/// read and the write would be one instruction: wasm's atomic store is sequentially consistent
/// and takes the memory's cache line for itself, so the race would be real but almost never hit.
#[inline(never)]
fn add_one(x: u64) -> u64 {
    let mut y = x;
    for _ in 0..ADD_STEPS {
        y = std::hint::black_box(y);
    }
    y + 1
}

/// The steps of [`add_one`]: about as long as CPython's bytecodes between the read and the write
/// (BENCHMARKS.md).
const ADD_STEPS: u32 = 16;

/// A thread's view of the run.
struct Job {
    p: Params,
    run: Arc<RunState>,
    next: Arc<AtomicU32>,
    gil: Option<Arc<Gil>>,
    url: String,
    lane: Lane,
    shared: Arc<Shared>,
    /// The one task of a thread started for it, as `threading.Thread(target=task, args=(i,))`;
    /// `None`: a pool thread, which takes tasks from the queue.
    own: Option<u32>,
}

impl Job {
    /// Takes the GIL (if the run has one), recording the wait; `false` if stopped meanwhile.
    fn hold(&self, id: u32, log: &mut LaneLog) -> bool {
        let Some(gil) = &self.gil else { return true };
        let start = self.run.since_start();
        log.waiting(id, WaitKind::Gil, start);
        let got = gil.acquire(self.me(), &self.run);
        let end = self.run.since_start();
        log.wait_over(end);
        if end - start > 0.05 {
            log.wait(id, start, end);
        } else {
            log.blocked(start, end);
        }
        got
    }

    /// Makes a blocking call (a sleep, a request), stamped as the task's blocked time.
    fn blocking<T>(&self, log: &mut LaneLog, call: impl FnOnce() -> T) -> T {
        let start = self.run.since_start();
        let out = call();
        log.blocked(start, self.run.since_start());
        out
    }

    /// Hands the GIL over if another thread asked for it and waits to take it back (see
    /// [`Gil::switch_if_asked`]), showing the wait live.
    fn switch(&self, gil: &Gil, id: u32, log: &LaneLog) -> Option<bool> {
        if !gil.asked() {
            return Some(false);
        }
        log.waiting(id, WaitKind::Gil, self.run.since_start());
        let switched = gil.switch_if_asked(self.me(), &self.run);
        log.wait_over(self.run.since_start());
        switched
    }

    fn release(&self) {
        if let Some(gil) = &self.gil {
            gil.release(&self.run);
        }
    }

    /// After blocking (a sleep, a request), during which a Python thread holds no GIL: takes it
    /// back to go on, and drops it at the task's end. `false` if stopped meanwhile.
    fn wake(&self, id: u32, log: &mut LaneLog) -> bool {
        let got = self.hold(id, log);
        if got {
            self.release();
        }
        got
    }

    // [snippet:threads-task]
    /// One task on this thread. `None`: the run was stopped. A failing task fails halfway.
    fn task(&self, id: u32, log: &mut LaneLog) -> Option<TaskResult> {
        let failing = self.p.fail == Some(id);
        let delay = work_of(failing, self.p.delay_ms);
        let sum = match self.p.workload {
            // Blocking I/O: a Python thread releases the GIL while it waits.
            Workload::Sleep => {
                if !self.blocking(log, || workload::sleep_blocking(delay, &self.run)) || !self.wake(id, log) {
                    return None;
                }
                0
            }
            Workload::Fetch => {
                // A network fault fails the request itself, at the server (see `failMode`).
                let fault = self.p.network_fault().filter(|_| failing).map(|m| m.name());
                let url = workload::request_url(&self.url, delay, id, fault);
                let answer = self.blocking(log, || workload::fetch_blocking(&url, self.p.timeout_ms));
                if !self.wake(id, log) {
                    return None;
                }
                match answer {
                    Ok(answer) => workload::net_log().note(id, answer),
                    Err(e) => return Some(Err(e)),
                }
                0
            }
            Workload::Counter => return self.count(id, log),
            Workload::Deadlock => return self.lock_pair(id, log),
            Workload::Convoy => return self.convoy(id, log),
            Workload::Cpu => self.compute(id, delay, log)?,
        };
        if failing && self.p.fail_mode == FailMode::Panic {
            // panic = "abort" on wasm: this ends the worker thread, not just the task.
            panic!("{}", failure_message(id));
        }
        if failing && self.p.network_fault().is_none() {
            return Some(Err(failure_message(id)));
        }
        Some(Ok(sum))
    }
    /// Computing: hold the GIL, and hand it over when another thread has waited a switch
    /// interval for it (checked between chunks of work, as CPython's eval loop checks).
    fn compute(&self, id: u32, delay: u32, log: &mut LaneLog) -> Option<u64> {
        if !self.hold(id, log) {
            return None;
        }
        let mut stopped = false;
        let sum = workload::compute(id, workload::cpu_iterations(delay), &mut || {
            match self.gil.as_ref().map(|g| (g, self.run.since_start())) {
                Some((gil, before)) => match self.switch(gil, id, log) {
                    Some(true) => log.wait(id, before, self.run.since_start()),
                    Some(false) => {}
                    None => stopped = true,
                },
                None => stopped = self.run.is_stopped(),
            }
            !stopped && !self.run.is_stopped()
        });
        if !stopped {
            self.release();
        }
        sum
    }
    // [/snippet]

    // [snippet:threads-convoy]
    /// One task of the convoy: task 0 computes for `delay` ms; every other task, on its own
    /// thread, sleeps 1 ms at a time while task 0 computes (`time.sleep(0.001)`), and notes how
    /// late each wake-up was once it holds the GIL again: behind a computing thread, the wait for
    /// the GIL is most of it.
    fn convoy(&self, id: u32, log: &mut LaneLog) -> Option<TaskResult> {
        let shared = &self.shared;
        if id == 0 {
            shared.cpu_started.store(true, Ordering::Release);
            let sum = self.compute(id, self.p.delay_ms, log);
            shared.cpu_done.store(true, Ordering::Release);
            return sum.map(Ok);
        }
        let mut late = Vec::new();
        while !shared.cpu_done.load(Ordering::Acquire) {
            let before = self.run.since_start();
            std::thread::sleep(Duration::from_millis(1)); // no GIL held while asleep
            log.blocked(before, self.run.since_start());
            if !self.hold(id, log) {
                return None;
            }
            let woke = self.run.since_start();
            self.release();
            if shared.cpu_started.load(Ordering::Acquire) && !shared.cpu_done.load(Ordering::Acquire) {
                late.push(woke - before - 1.0);
            }
            if self.run.is_stopped() {
                return None;
            }
        }
        shared.late.lock().unwrap_or_else(|e| e.into_inner()).extend(late);
        Some(Ok(0))
    }
    // [/snippet]

    // [snippet:threads-counter]
    /// One counter task: `increments` times, add 1 to the counter all threads share.
    fn count(&self, id: u32, log: &mut LaneLog) -> Option<TaskResult> {
        let counter = &self.shared.counter;
        if !self.hold(id, log) {
            return None;
        }
        for i in 0..self.p.increments {
            match self.p.sync {
                // `counter += 1`: a read, then a write, two separate accesses to shared memory.
                // Another thread may write in between; its update is then overwritten: lost.
                SyncMode::None => {
                    let x = counter.load(Ordering::Relaxed);
                    counter.store(add_one(x), Ordering::Relaxed);
                }
                // `with lock: counter += 1`: one thread at a time between the read and the write.
                SyncMode::Lock => {
                    let _held = self.lock_counter(id, log);
                    let x = counter.load(Ordering::Relaxed);
                    counter.store(add_one(x), Ordering::Relaxed);
                }
                // One indivisible read-add-write instruction.
                SyncMode::Atomic => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
            // With the GIL, a thread hands it over only here, between whole updates: where
            // CPython 3.11 checks for a switch request (the loop's jump back).
            if let Some(gil) = self.gil.as_ref().filter(|g| g.asked()) {
                let before = self.run.since_start();
                match self.switch(gil, id, log) {
                    Some(true) => log.wait(id, before, self.run.since_start()),
                    Some(false) => {}
                    None => return None,
                }
            }
            if i % 65_536 == 65_535 && self.run.is_stopped() {
                self.release();
                return None;
            }
        }
        self.release();
        Some(Ok(0))
    }

    /// Takes the counter's lock, recording the wait if another thread held it.
    fn lock_counter(&self, id: u32, log: &mut LaneLog) -> std::sync::MutexGuard<'_, ()> {
        let guard = &self.shared.guard;
        match guard.try_lock() {
            Ok(held) => held,
            Err(_) => {
                let start = self.run.since_start();
                let held = guard.lock().unwrap_or_else(|e| e.into_inner());
                log.lock_wait(id, start, self.run.since_start());
                held
            }
        }
    }
    // [/snippet]

    // [snippet:threads-deadlock]
    /// One task of the deadlock workload: take one lock, hold it `delay` ms, take the other.
    /// In opposite order (even tasks A then B, odd tasks B then A) two threads can each hold the
    /// lock the other waits for, and then both wait forever.
    fn lock_pair(&self, id: u32, log: &mut LaneLog) -> Option<TaskResult> {
        let (first, second) =
            if self.p.lock_order == LockOrder::Opposite && id % 2 == 1 { (1, 0) } else { (0, 1) };
        if let Err(ended) = self.take(first, id, log) {
            return ended;
        }
        let held_on = self.blocking(log, || workload::sleep_blocking(self.p.delay_ms, &self.run));
        let second_taken = held_on && {
            match self.take(second, id, log) {
                Ok(()) => true,
                Err(ended) => {
                    self.shared.graph.release(first, self.me());
                    return ended;
                }
            }
        };
        if second_taken {
            self.shared.graph.release(second, self.me());
        }
        self.shared.graph.release(first, self.me());
        held_on.then_some(Ok(0))
    }

    /// Takes lock `lock`, waiting (in short naps, like a lock's waiter) while another thread
    /// holds it. Gives up when the run is stopped (`Err(None)`) or the event loop found a
    /// deadlock in the wait-for graph (`Err(Some(error))`), so no thread stays blocked.
    fn take(&self, lock: usize, id: u32, log: &mut LaneLog) -> Result<(), Option<TaskResult>> {
        let (graph, me) = (&self.shared.graph, self.me());
        if graph.try_take(lock, me) {
            return Ok(());
        }
        let start = self.run.since_start();
        graph.begin_wait(me, lock, start);
        log.waiting(id, WaitKind::Lock, start);
        let result = loop {
            if graph.try_take(lock, me) {
                break Ok(());
            }
            if graph.is_broken() {
                let held: Vec<&str> =
                    (0..2).filter(|&l| graph.holder(l) == Some(me)).map(|l| LOCK_NAMES[l]).collect();
                let why = match held.first() {
                    Some(h) => {
                        format!("task {id} deadlocked: it held {h} and waited for {}", LOCK_NAMES[lock])
                    }
                    None => format!("task {id} waited for {}, held by a deadlocked task", LOCK_NAMES[lock]),
                };
                break Err(Some(Err(why)));
            }
            if self.run.is_stopped() {
                break Err(None);
            }
            std::thread::sleep(Duration::from_micros(500));
        };
        graph.end_wait(me);
        let end = self.run.since_start();
        log.wait_over(end);
        log.lock_wait(id, start, end);
        result
    }
    // [/snippet]

    /// This thread in the wait-for graph: its lane's number.
    fn me(&self) -> u32 {
        self.lane.number()
    }

    /// Counter runs: every thread waits at the start line until all have arrived (at most
    /// 500 ms), like a `threading.Barrier`, so that they really count at the same time; a pool
    /// thread that wakes a little late would otherwise find the counting over.
    fn start_together(&self) {
        let threads = self.p.threads.min(self.p.tasks);
        self.shared.arrived.fetch_add(1, Ordering::AcqRel);
        let t0 = self.run.since_start();
        while self.shared.arrived.load(Ordering::Acquire) < threads && self.run.since_start() - t0 < 500.0 {
            std::hint::spin_loop();
        }
    }

    // [snippet:threads-loop]
    /// A pool thread's loop: take the next task id until none are left. A thread of its own
    /// task runs that one.
    fn work(self) -> LaneLog {
        crate::alloc::worker_thread(); // may sleep, not spin, at the allocator (see there)
        let mut log = self.run.lane_log(self.lane);
        if self.p.workload == Workload::Counter {
            self.start_together();
        }
        let mut own = self.own;
        loop {
            let id = match self.own {
                Some(_) => match own.take() {
                    Some(id) => id,
                    None => break,
                },
                None => self.next.fetch_add(1, Ordering::Relaxed),
            };
            if id >= self.p.tasks || self.run.is_stopped() {
                break;
            }
            log.start(id, self.run.since_start());
            let Some(result) = self.task(id, &mut log) else { break };
            log.finish(result, self.run.since_start());
        }
        log
    }
    // [/snippet]
}

/// Runs the CPU kernel for a moment on every pool thread, once per page load, before the first CPU
/// run's clock starts. Fresh workers otherwise run their first tasks markedly slower while the
/// browser optimises their code (BENCHMARKS.md), which would show up as poor parallel speedup that
/// has nothing to do with threads. Returns early when `stop` resolves (the workers finish their
/// 20 ms on their own), so a stop during the warm-up is not delayed by it.
pub async fn warm_up(stop: impl std::future::Future<Output = ()>) {
    static WARM: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if WARM.swap(true, Ordering::Relaxed) {
        return;
    }
    let (tx, rx) = oneshot::channel();
    let left = Arc::new(AtomicU32::new(rayon::current_num_threads() as u32));
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    rayon::spawn_broadcast(move |_| {
        workload::compute(0, workload::cpu_iterations(20), &mut || true);
        if left.fetch_sub(1, Ordering::AcqRel) == 1
            && let Some(tx) = tx.lock().ok().and_then(|mut t| t.take())
        {
            let _ = tx.send(());
        }
    });
    let _ = select(rx, std::pin::pin!(stop)).await;
}

/// Runs `p.tasks` tasks on `p.threads` worker threads: the pool's when it has that many, else
/// task threads of their own (see [`super::task_threads`]), whose start is part of the run.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    // The queue of tasks is one counter: a thread that is free takes the next id.
    let next = Arc::new(AtomicU32::new(0));
    let gil = p.gil.then(|| Arc::new(Gil::new(p.switch_interval_us)));
    if let Some(gil) = &gil {
        state.set_gil(gil.clone());
    }
    let url = workload::fetch_url().unwrap_or_default();
    let width = p.threads.min(p.tasks);
    let shared = Arc::new(Shared {
        counter: AtomicU64::new(0),
        guard: Mutex::new(()),
        // Agents are lanes: thread k is lane k, from 1 to the pool size or the run's width.
        graph: WaitGraph::new(rayon::current_num_threads().max(width as usize) + 1),
        arrived: AtomicU32::new(0),
        cpu_started: AtomicBool::new(false),
        cpu_done: AtomicBool::new(false),
        late: Mutex::new(Vec::new()),
    });
    let job = |lane: Lane, own: Option<u32>| Job {
        p,
        run: state.clone(),
        next: next.clone(),
        gil: gil.clone(),
        url: url.clone(),
        lane,
        shared: shared.clone(),
        own,
    };
    // [snippet:threads-spawn]
    let (receivers, start) = if width as usize <= rayon::current_num_threads() {
        let receivers = (0..width)
            .map(|_| {
                let (tx, rx) = oneshot::channel();
                let mut job = job(Lane::EVENT_LOOP, None);
                rayon::spawn(move || {
                    // Lanes are the real worker threads: thread k is the pool's thread k - 1.
                    job.lane = Lane::thread(rayon::current_thread_index().map_or(0, |i| i as u32 + 1));
                    // The receiver is only gone if the run's future was dropped; nothing to tell.
                    let _ = tx.send(job.work());
                });
                rx
            })
            .collect();
        (receivers, None)
    } else {
        // More threads than the pool has: threads of the run's own, started now if missing
        // (like `threading.Thread(...).start()`, inside the run's time).
        match on_threads_of_its_own(state, &p, width, job).await {
            Ok((receivers, start)) => (receivers, Some(start)),
            Err(failed) => return failed,
        }
    };
    let graph = (p.workload == Workload::Deadlock).then_some(&shared.graph);
    let reports = collect(receivers, state, &p, graph).await;
    // [/snippet]
    let mut o = outcome(state, &p, &shared, reports, start);
    o.gil = gil.map(|g| g.record(state));
    o.wake_late = std::mem::take(&mut *shared.late.lock().unwrap_or_else(|e| e.into_inner()));
    o
}

/// Hands each of `width` threads of the run's own its job, starting the missing ones: a new
/// thread runs its job as soon as it is up. Returns the receivers of their reports and what the
/// start cost, or, if they failed to start, the run's outcome.
async fn on_threads_of_its_own(
    state: &Arc<RunState>,
    p: &Params,
    width: u32,
    job: impl Fn(Lane, Option<u32>) -> Job,
) -> Result<(Vec<oneshot::Receiver<LaneLog>>, ThreadStart), Outcome> {
    let taken = super::task_threads::take(width as usize);
    let (receivers, works): (Vec<_>, Vec<_>) = (0..width)
        .map(|i| {
            let (tx, rx) = oneshot::channel();
            // A thread per task when there are as many threads as tasks; else a pool of
            // `threads` taking tasks from the queue (ThreadPoolExecutor(max_workers=...)).
            let own = (width == p.tasks).then_some(i);
            let job = job(Lane::thread(i + 1), own);
            let work: super::task_threads::Work = Box::new(move || {
                let _ = tx.send(job.work());
            });
            (rx, Box::new(work))
        })
        .collect();
    for (thread, work) in taken.threads.iter().zip(works) {
        thread.send(work);
    }
    match taken.start().await {
        Ok(started) => Ok((
            receivers,
            ThreadStart {
                started: started.started,
                ms: started.start_ms,
                bytes: started.bytes,
                stack_bytes: super::task_threads::STACK_BYTES,
            },
        )),
        Err(e) => {
            // The threads that did start end their tasks at once.
            state.stop();
            let why = e.as_string().or_else(|| js_sys::Error::from(e).message().as_string());
            let mut rec = state.recorder();
            rec.crashed(0, format!("The run's threads failed to start: {}", why.unwrap_or_default()));
            Err(rec.end(state.since_start(), false))
        }
    }
}

/// The run's outcome from its threads' reports.
fn outcome(
    state: &Arc<RunState>,
    p: &Params,
    shared: &Shared,
    (logs, crashed, deadlock, left_blocked): Reports,
    start: Option<ThreadStart>,
) -> Outcome {
    let mut rec = state.recorder().accounting_blocked();
    rec.absorb(logs);
    if crashed {
        let which =
            p.fail.filter(|_| p.fail_mode == FailMode::Panic).map(|k| format!(" (task {k} panicked)"));
        rec.crashed(
            p.fail.unwrap_or(0),
            format!(
                "A worker thread stopped answering{}: a panic aborts its thread on wasm, as a crash or \
                 running out of memory would. Its tasks are lost and the pool is one thread short; \
                 restart the engine for a full pool.",
                which.unwrap_or_default()
            ),
        );
    }
    let elapsed_ms = state.since_start();
    let stopped = !crashed && state.is_stopped() && rec.finished() < p.tasks as usize;
    let mut o = rec.end(elapsed_ms, stopped);
    if p.workload == Workload::Counter {
        o.counter = Some(Counted { shared: shared.counter.load(Ordering::Acquire), per_process: Vec::new() });
    }
    o.deadlock = deadlock;
    o.left_blocked = left_blocked;
    o.thread_start = start;
    o
}

/// What the threads reported: their logs, whether one crashed, the deadlock found, and how many
/// were left blocked in a request when the run stopped.
type Reports = (Vec<LaneLog>, bool, Option<Deadlock>, u32);

/// Waits for every thread's report, watching the wait-for graph of a deadlock run: a cycle seen
/// on two ticks in a row (its locks cannot change hands) is a deadlock, which ends every wait.
/// A thread that traps (a panic aborts on wasm, or it ran out of
/// memory) never reports and never drops its channel, so a watchdog ends the wait: when no task
/// has finished for longer than any task can take, the run is stopped, the live threads report
/// within a slice, and the silent one is given up on. A thread blocked in a synchronous request
/// cannot be interrupted (nor can Python's), so once the run is stopped, threads that have not
/// reported within 100 ms are left to end at their request's timeout. Returns the reports,
/// whether a thread was given up on, the deadlock if any, and how many threads were left blocked.
async fn collect(
    receivers: Vec<oneshot::Receiver<LaneLog>>,
    state: &RunState,
    p: &Params,
    graph: Option<&WaitGraph>,
) -> Reports {
    // Deadlock runs look at the graph every 50 ms: found within about 100 ms of forming.
    let tick_for = |stopped: bool| -> u32 { if graph.is_some() || stopped { 50 } else { 250 } };
    let mut stopped_ms = 0.0;
    let (mut seen, mut deadlock) = (None, None);
    // The longest a task can take (with the GIL, each waits for the others) plus a margin.
    // A request blocks its thread until its timeout at the latest.
    let longest = if p.workload == Workload::Fetch { p.timeout_ms.max(p.delay_ms) } else { p.delay_ms };
    let limit = f64::from(longest) * f64::from(p.threads) + 3_000.0;
    // A counter task's updates, at up to 1 µs each when the lock is contended.
    let limit = limit + if p.workload == Workload::Counter { f64::from(p.increments) / 1_000.0 } else { 0.0 };
    let mut pending: FuturesUnordered<_> = receivers.into_iter().collect();
    let (mut logs, mut last_done, mut quiet_ms, mut crashed) = (Vec::new(), state.done(), 0.0, false);
    while !pending.is_empty() {
        let tick_ms = tick_for(state.is_stopped());
        match select(pending.next(), TimeoutFuture::new(tick_ms)).await {
            Either::Left((Some(Ok(log)), _)) => logs.push(log),
            Either::Left((_, _)) => {}
            Either::Right(_) => {
                if let Some(graph) = graph.filter(|g| !g.is_broken()) {
                    let cycle = graph.find_cycle();
                    if let Some(c) = cycle.as_ref().filter(|c| seen.as_ref() == Some(&c.links)) {
                        deadlock = Some(Deadlock {
                            cycle: c.describe(|lane| Lane::from_number(lane).label()),
                            detect_ms: state.since_start() - c.formed_at,
                        });
                        graph.break_all();
                    }
                    seen = cycle.map(|c| c.links);
                }
                if !crashed && state.is_stopped() && p.workload == Workload::Fetch {
                    stopped_ms += f64::from(tick_ms);
                    if stopped_ms >= 100.0 {
                        return (logs, false, deadlock, pending.len() as u32);
                    }
                }
                if state.done() != last_done {
                    (last_done, quiet_ms) = (state.done(), 0.0);
                    continue;
                }
                quiet_ms += f64::from(tick_ms);
                if crashed && quiet_ms > 1_000.0 {
                    break;
                }
                if !crashed && quiet_ms > limit {
                    crashed = true;
                    quiet_ms = 0.0;
                    state.stop();
                }
            }
        }
    }
    (logs, crashed, deadlock, 0)
}
