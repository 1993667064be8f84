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

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures_channel::oneshot;
use futures_util::StreamExt;
use futures_util::future::{Either, select};
use futures_util::stream::FuturesUnordered;
use gloo_timers::future::TimeoutFuture;

use super::{Outcome, TaskResult, failure_message, work_of};
use crate::gil::Gil;
use crate::params::{FailMode, Params, Workload};
use crate::record::LaneLog;
use crate::run::RunState;
use crate::timeline::Lane;
use crate::workload;

/// A thread's view of the run.
struct Job {
    p: Params,
    run: Arc<RunState>,
    next: Arc<AtomicU32>,
    gil: Option<Arc<Gil>>,
    url: String,
    lane: Lane,
}

impl Job {
    /// Takes the GIL (if the run has one), recording the wait; `false` if stopped meanwhile.
    fn hold(&self, id: u32, log: &mut LaneLog) -> bool {
        let Some(gil) = &self.gil else { return true };
        let start = self.run.since_start();
        let got = gil.acquire(&self.run);
        let end = self.run.since_start();
        if end - start > 0.05 {
            log.wait(id, start, end);
        }
        got
    }

    fn release(&self) {
        if let Some(gil) = &self.gil {
            gil.release();
        }
    }

    // [snippet:threads-task]
    /// One task on this thread. `None`: the run was stopped. A failing task fails halfway.
    fn task(&self, id: u32, log: &mut LaneLog) -> Option<TaskResult> {
        let failing = self.p.fail == Some(id);
        let delay = work_of(failing, self.p.delay_ms);
        let sum = match self.p.workload {
            // Blocking I/O: a Python thread releases the GIL while it waits.
            Workload::Sleep => {
                if !workload::sleep_blocking(delay, &self.run) {
                    return None;
                }
                0
            }
            Workload::Fetch => {
                // A network fault fails the request itself, at the server (see `failMode`).
                let fault = self.p.network_fault().filter(|_| failing).map(|m| m.name());
                let url = workload::request_url(&self.url, delay, id, fault);
                match workload::fetch_blocking(&url, self.p.timeout_ms) {
                    Ok(answer) => workload::net_log().note(id, answer),
                    Err(e) => return Some(Err(e)),
                }
                0
            }
            // Computing: hold the GIL, and hand it over when another thread has waited 5 ms.
            Workload::Cpu => {
                if !self.hold(id, log) {
                    return None;
                }
                let mut stopped = false;
                let sum = workload::compute(id, workload::cpu_iterations(delay), || {
                    match self.gil.as_ref().map(|g| (g, self.run.since_start())) {
                        Some((gil, before)) => match gil.switch_if_asked(&self.run) {
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
                sum?
            }
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
    // [/snippet]

    // [snippet:threads-loop]
    /// A pool thread's loop: take the next task id until none are left.
    fn work(self) -> LaneLog {
        let mut log = self.run.lane_log(self.lane);
        loop {
            let id = self.next.fetch_add(1, Ordering::Relaxed);
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

/// Runs the CPU kernel for a moment on every pool thread, once per page load, before the first
/// CPU run's clock starts. Fresh workers otherwise run their first tasks 10-40 % slower while the
/// browser optimises their code, which would show up as poor parallel speedup that has nothing
/// to do with threads.
pub async fn warm_up() {
    static WARM: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if WARM.swap(true, Ordering::Relaxed) {
        return;
    }
    let (tx, rx) = oneshot::channel();
    let left = Arc::new(AtomicU32::new(rayon::current_num_threads() as u32));
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    rayon::spawn_broadcast(move |_| {
        workload::compute(0, workload::cpu_iterations(20), || true);
        if left.fetch_sub(1, Ordering::AcqRel) == 1
            && let Some(tx) = tx.lock().ok().and_then(|mut t| t.take())
        {
            let _ = tx.send(());
        }
    });
    let _ = rx.await;
}

/// Runs `p.tasks` tasks on `p.threads` worker threads of the pool.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    // The queue of tasks is one counter: a thread that is free takes the next id.
    let next = Arc::new(AtomicU32::new(0));
    let gil = p.gil.then(|| Arc::new(Gil::default()));
    let url = workload::fetch_url().unwrap_or_default();
    // [snippet:threads-spawn]
    let receivers: Vec<_> = (0..p.threads.min(p.tasks))
        .map(|_| {
            let (tx, rx) = oneshot::channel();
            let (next, run, gil, url) = (next.clone(), state.clone(), gil.clone(), url.clone());
            rayon::spawn(move || {
                // Lanes are the real worker threads: thread k is the pool's thread k - 1.
                let lane = Lane::thread(rayon::current_thread_index().map_or(0, |i| i as u32 + 1));
                let job = Job { p, run, next, gil, url, lane };
                // The receiver is only gone if the run's future was dropped; nothing to tell.
                let _ = tx.send(job.work());
            });
            rx
        })
        .collect();
    let (logs, crashed) = collect(receivers, state, &p).await;
    // [/snippet]

    let mut rec = state.recorder();
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
    rec.end(elapsed_ms, stopped)
}

/// Waits for every thread's report. A thread that traps (a panic aborts on wasm, or it ran out of
/// memory) never reports and never drops its channel, so a watchdog ends the wait: when no task
/// has finished for longer than any task can take, the run is stopped, the live threads report
/// within a slice, and the silent one is given up on. Returns the reports and whether a thread
/// was given up on.
async fn collect(
    receivers: Vec<oneshot::Receiver<LaneLog>>,
    state: &RunState,
    p: &Params,
) -> (Vec<LaneLog>, bool) {
    const TICK_MS: u32 = 250;
    // The longest a task can take (with the GIL, each waits for the others) plus a margin.
    // A request blocks its thread until its timeout at the latest.
    let longest = if p.workload == Workload::Fetch { p.timeout_ms.max(p.delay_ms) } else { p.delay_ms };
    let limit = f64::from(longest) * f64::from(p.threads) + 3_000.0;
    let mut pending: FuturesUnordered<_> = receivers.into_iter().collect();
    let (mut logs, mut last_done, mut quiet_ms, mut crashed) = (Vec::new(), state.done(), 0.0, false);
    while !pending.is_empty() {
        match select(pending.next(), TimeoutFuture::new(TICK_MS)).await {
            Either::Left((Some(Ok(log)), _)) => logs.push(log),
            Either::Left((_, _)) => {}
            Either::Right(_) => {
                if state.done() != last_done {
                    (last_done, quiet_ms) = (state.done(), 0.0);
                    continue;
                }
                quiet_ms += f64::from(TICK_MS);
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
    (logs, crashed)
}
