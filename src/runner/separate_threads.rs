//! The threads model where the page has no shared memory (the plain build: a page that is not
//! cross-origin isolated, such as an embed in Firefox or Safari on a documentation site, or a
//! browser without WebAssembly threads, such as WebKitGTK). Each thread is a Web Worker with a
//! wasm instance and memory of its own, the same worker as a process of the processes model
//! (`www/process.js`), drawn as a thread's lane.
//!
//! What makes them threads is what the lesson needs: a thread takes its next task only when its
//! current one has ended (it blocks on it), its waits block nothing else on the page, and CPU
//! work runs in parallel on every core. What needs memory shared between threads (the counter
//! race, the deadlock's locks, the convoy) is refused before the run (`params::rules::memory`).
//! The simulated GIL runs here too, as a lock the page holds and hands between the threads by
//! messages (`crate::gil_messages`, `separate_gil`, `gil_worker`).
//!
//! As with the shared pool, up to [`POOL_THREADS`] threads are started before a run's clock
//! (the wait is the record's `poolWaitMs`) and kept for the next runs; a run with more threads
//! takes the others from those kept and starts the ones it lacks inside its own time, each running
//! its task as soon as it is up, as a started `threading.Thread` does. A stopped run terminates the threads it was using: a task under way in
//! another instance cannot be interrupted any other way.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::sync::Arc;

use futures_util::future::{Either, join_all, select};
use js_sys::Object;

use super::Outcome;
use super::processes::{Process, record_reply, start_process, task_message};
use super::separate_gil;
use crate::js::{get_f64, set};
use crate::params::{Params, Workload};
use crate::record::{MessageCost, ThreadStart};
use crate::run::RunState;
use crate::timeline::Lane;
use crate::workload;

/// Threads kept between runs and started before a run's clock: the shared build's pool size
/// (`MIN_POOL_THREADS` in www/engine.js), or one per core where there are more cores.
pub const POOL_THREADS: u32 = 16;

/// The stack of a thread here: the plain build's own, rustc's default for wasm32 (1 MiB).
const STACK_BYTES: u32 = 1024 * 1024;

thread_local! {
    /// Threads started and idle, kept for the next runs.
    static IDLE: RefCell<Vec<Process>> = const { RefCell::new(Vec::new()) };
}

/// Threads started and idle.
pub fn idle_count() -> u32 {
    IDLE.with_borrow(|t| t.len() as u32)
}

/// Threads ready for a run, taken before its clock starts (see [`take`]).
pub struct Ready {
    threads: Vec<Process>,
    /// The pool's size: a run with more threads starts the others inside its time.
    pool: u32,
    /// Threads started for this run before its clock (the others were kept from earlier runs).
    pub started: u32,
    /// What one of those cost to start: ms, and bytes of wasm memory.
    pub ms_each: f64,
    /// See `ms_each`.
    pub bytes_each: f64,
    /// What the GIL's messages cost, measured on the first thread (runs with the GIL).
    gil_cost: Option<MessageCost>,
}

/// Takes the run's threads up to the pool's size (`cores` if more than [`POOL_THREADS`]),
/// starting the missing ones, and lets each run the CPU kernel for a moment before a CPU run, as
/// the shared pool does (fresh workers run their first tasks slower while the browser optimises
/// them).
pub async fn take(p: &Params, cores: u32) -> Result<Ready, String> {
    let pool = POOL_THREADS.max(cores);
    let n = p.threads.min(p.tasks).min(pool) as usize;
    let mut threads: Vec<Process> = IDLE.with_borrow_mut(|t| {
        let keep = t.len().saturating_sub(n);
        t.drain(keep..).collect()
    });
    let missing = n - threads.len();
    let t0 = crate::clock::now_ms();
    for started in join_all((0..missing).map(|_| start_process())).await {
        threads.push(started?);
    }
    let ms_each = if missing > 0 { (crate::clock::now_ms() - t0) / missing as f64 } else { 0.0 };
    let bytes_each = threads.iter().rev().take(missing).map(|t| t.bytes).sum::<f64>() / missing.max(1) as f64;
    if p.workload == Workload::Cpu {
        join_all(threads.iter_mut().filter(|t| !t.warm).map(warm_up)).await;
    }
    let gil_cost = match threads.first_mut() {
        Some(thread) if p.gil => message_cost(thread, p.switch_interval_us).await,
        _ => None,
    };
    Ok(Ready { threads, pool, started: missing as u32, ms_each, bytes_each, gil_cost })
}

/// Round trips to measure, and ms of yields: enough that a clock coarsened to 0.1 ms (a page
/// without cross-origin isolation) or 1 ms still gives their means within a few per cent.
const ROUND_TRIPS: u32 = 40;
const YIELDS_MS: u32 = 20;

/// What handing the GIL over by messages costs, measured on `thread` before a run with the GIL:
/// a message's round trip from the page (the mean of [`ROUND_TRIPS`] in a row), and a yield of a
/// computing thread to its event loop (the mean of those in [`YIELDS_MS`]).
async fn message_cost(thread: &mut Process, interval_us: u32) -> Option<MessageCost> {
    let ping = Object::new();
    set(&ping, "workload", "ping");
    let start = crate::clock::now_ms();
    for _ in 0..ROUND_TRIPS {
        if !thread.send(&ping) {
            return None;
        }
        thread.reply().await?;
    }
    let round_trip_us = (crate::clock::now_ms() - start) * 1000.0 / f64::from(ROUND_TRIPS);
    let yields = Object::new();
    set(&yields, "workload", "yields");
    set(&yields, "delayMs", YIELDS_MS);
    if !thread.send(&yields) {
        return None;
    }
    let yield_us = get_f64(&thread.reply().await?, "yieldUs")?;
    Some(MessageCost { round_trip_us, yield_us, yield_every_ms: yield_every_ms(interval_us, yield_us) })
}

/// How often a thread that computes holding the GIL, with nobody known to wait, yields to its
/// event loop so that the page's messages reach it: every half switch interval (a waiter's
/// interval is then seen to end on time), at most every 2 ms, but no more often than keeps the
/// yields' cost (`yield_us` each) within 2 % of its work. A yield took 10-40 µs in Chromium and
/// Firefox here and 350-480 µs in WebKitGTK (BENCHMARKS.md), where a new waiter is then seen late.
fn yield_every_ms(interval_us: u32, yield_us: f64) -> f64 {
    (f64::from(interval_us) / 2000.0).clamp(0.05, 2.0).max(yield_us * 50.0 / 1000.0)
}

/// Runs 20 ms of the CPU kernel on `thread`, once in its life.
async fn warm_up(thread: &mut Process) {
    let task = Object::new();
    set(&task, "id", 0);
    set(&task, "workload", Workload::Cpu.name());
    set(&task, "iterations", workload::cpu_iterations(20) as f64);
    if thread.send(&task) && thread.reply().await.is_some() {
        thread.warm = true;
    }
}

/// Threads started inside a run: how many, when the last was up (ms on the run's clock), and
/// the memory they had once ready.
#[derive(Default)]
struct Starts {
    started: Cell<u32>,
    up_ms: Cell<f64>,
    bytes: Cell<f64>,
    failed: RefCell<Option<String>>,
}

/// The thread `kept` from earlier, or a thread of the run's own started now, inside the run's
/// time (counted in `starts`); `None` if it failed to start, which stops the run.
async fn kept_or_started(kept: Option<Process>, state: &RunState, starts: &Starts) -> Option<Process> {
    if kept.is_some() {
        return kept;
    }
    match start_process().await {
        Ok(thread) => {
            starts.started.set(starts.started.get() + 1);
            starts.up_ms.set(starts.up_ms.get().max(state.since_start()));
            starts.bytes.set(starts.bytes.get() + thread.bytes);
            Some(thread)
        }
        Err(e) => {
            starts.failed.replace(Some(e));
            state.stop();
            None
        }
    }
}

/// Runs `p.tasks` tasks on `p.threads` threads of separate memory: those `ready`, and threads of
/// the run's own started now for the rest.
pub async fn run(state: &Arc<RunState>, p: Params, ready: Ready) -> Outcome {
    let rec = RefCell::new(state.recorder().accounting_blocked());
    let url = workload::fetch_url().unwrap_or_default();
    let iterations = workload::cpu_iterations(p.delay_ms);
    let width = p.threads.min(p.tasks);
    let next = Cell::new(0u32);
    let starts = Starts::default();
    let mut taken = threads_for(width, ready.threads);
    if p.gil {
        separate_gil::begin(state, p.switch_interval_us);
    }
    let every_ms = ready.gil_cost.map_or(yield_every_ms(p.switch_interval_us, 0.0), |c| c.yield_every_ms);
    let yield_iterations = (workload::cpu_iterations(1) as f64 * every_ms) as u64;

    // [snippet:threads-separate]
    // Each thread is a Web Worker with its own wasm instance: it is handed one task, blocks on
    // it, and takes the next only when that one has ended. A thread per task when there are as
    // many threads as tasks; else a pool taking tasks from the queue.
    let lanes = (0..width).map(|k| {
        let kept = taken.next();
        let (rec, url, next, starts) = (&rec, &url, &next, &starts);
        async move {
            let mut thread = kept_or_started(kept, state, starts).await?;
            let lane = Lane::thread(k + 1);
            if p.gil {
                separate_gil::enlist(k + 1, thread.worker());
            }
            let mut own = (width == p.tasks).then_some(k);
            loop {
                let id = if width == p.tasks {
                    match own.take() {
                        Some(id) => id,
                        None => break,
                    }
                } else {
                    next.replace(next.get() + 1)
                };
                if id >= p.tasks || state.is_stopped() {
                    break;
                }
                let task = task_message(&p, id, iterations, url, false);
                if p.gil {
                    // The GIL's messages name the thread; see `gil_worker`.
                    set(&task, "gilLane", k + 1);
                    set(&task, "yieldIterations", yield_iterations as f64);
                }
                if !thread.send(&task) {
                    break;
                }
                rec.borrow_mut().start(id, lane, state.since_start());
                let Some(reply) = thread.reply().await else { break };
                // A network fault is the server's to give, not the run's.
                let fails_itself = p.fail == Some(id) && p.network_fault().is_none();
                record_reply(&mut rec.borrow_mut(), state, id, &reply, fails_itself);
            }
            Some(thread)
        }
    });
    // [/snippet]
    let stopped = match select(pin!(join_all(lanes)), state.stopped()).await {
        Either::Left((threads, _)) => {
            IDLE.with_borrow_mut(|idle| idle.extend(threads.into_iter().flatten()));
            false
        }
        // Tasks under way in other instances cannot be interrupted: the lanes' futures are
        // dropped with their workers, which ends those threads.
        Either::Right(_) => true,
    };
    let out = rec.borrow_mut().end(state.since_start(), stopped);
    finish(state, &p, out, &starts, width > ready.pool, ready.gil_cost)
}

/// The threads a run of `width` threads uses, in order: those `ready`, then threads kept from an
/// earlier run past the pool (a run starts only those it lacks past both).
fn threads_for(width: u32, ready: Vec<Process>) -> impl Iterator<Item = Process> {
    let past_pool = (width as usize).saturating_sub(ready.len());
    let kept: Vec<Process> = IDLE.with_borrow_mut(|t| {
        let keep = t.len().saturating_sub(past_pool);
        t.drain(keep..).collect()
    });
    ready.into_iter().chain(kept)
}

/// The run's outcome as the lanes recorded it, with the GIL's holds and waits if it had one, the
/// threads started inside it (`started_in_run`), or, if a thread failed to start, that failure.
fn finish(
    state: &RunState,
    p: &Params,
    mut out: Outcome,
    starts: &Starts,
    started_in_run: bool,
    gil_cost: Option<MessageCost>,
) -> Outcome {
    if let Some((gil, waits)) = p.gil.then(|| separate_gil::end(p.switch_interval_us, gil_cost)).flatten() {
        out.gil = Some(gil);
        out.waits.extend(waits);
    }
    if let Some(e) = starts.failed.take() {
        let mut rec = state.recorder();
        rec.crashed(0, format!("The run's threads failed to start: {e}"));
        return rec.end(state.since_start(), false);
    }
    if started_in_run {
        out.thread_start = Some(ThreadStart {
            started: starts.started.get(),
            ms: starts.up_ms.get(),
            bytes: starts.bytes.get(),
            stack_bytes: STACK_BYTES,
        });
    }
    out
}
