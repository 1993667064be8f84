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
use futures_util::future::join_all;

use super::{Outcome, TaskResult, failure_message};
use crate::gil::Gil;
use crate::params::{Params, Workload};
use crate::run::RunState;
use crate::timeline::{Spans, Wait, state};
use crate::workload;

/// What one thread recorded.
#[derive(Default)]
struct Lane {
    lane: u32,
    tasks: Vec<(u32, f64, f64, Result<u64, String>)>,
    waits: Vec<Wait>,
}

/// A thread's view of the run.
struct Job {
    p: Params,
    run: Arc<RunState>,
    next: Arc<AtomicU32>,
    gil: Option<Arc<Gil>>,
    url: String,
    lane: u32,
}

impl Job {
    /// Takes the GIL (if the run has one), recording the wait; `false` if stopped meanwhile.
    fn hold(&self, id: u32, waits: &mut Vec<Wait>) -> bool {
        let Some(gil) = &self.gil else { return true };
        let start = self.run.since_start();
        let got = gil.acquire(&self.run);
        let end = self.run.since_start();
        if end - start > 0.05 {
            waits.push(Wait { id, lane: self.lane, start, end });
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
    fn task(&self, id: u32, waits: &mut Vec<Wait>) -> Option<TaskResult> {
        let failing = self.p.fail == Some(id);
        let delay = if failing { self.p.delay_ms / 2 } else { self.p.delay_ms };
        let sum = match self.p.workload {
            // Blocking I/O: a Python thread releases the GIL while it waits.
            Workload::Sleep => {
                if !workload::sleep_blocking(delay, &self.run) {
                    return None;
                }
                0
            }
            Workload::Fetch => {
                if let Err(e) = workload::fetch_blocking(&workload::request_url(&self.url, delay, id)) {
                    return Some(Err(e));
                }
                0
            }
            // Computing: hold the GIL, and hand it over when another thread has waited 5 ms.
            Workload::Cpu => {
                if !self.hold(id, waits) {
                    return None;
                }
                let mut stopped = false;
                let sum = workload::compute(id, workload::cpu_iterations(delay), || {
                    match self.gil.as_ref().map(|g| (g, self.run.since_start())) {
                        Some((gil, before)) => match gil.switch_if_asked(&self.run) {
                            Some(true) => {
                                let end = self.run.since_start();
                                waits.push(Wait { id, lane: self.lane, start: before, end });
                            }
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
        if failing {
            return Some(Err(failure_message(id)));
        }
        Some(Ok(sum))
    }
    // [/snippet]

    // [snippet:threads-loop]
    /// A pool thread's loop: take the next task id until none are left.
    fn work(self) -> Lane {
        let mut out = Lane { lane: self.lane, ..Lane::default() };
        loop {
            let id = self.next.fetch_add(1, Ordering::Relaxed);
            if id >= self.p.tasks || self.run.is_stopped() {
                break;
            }
            let start = self.run.since_start();
            let Some(result) = self.task(id, &mut out.waits) else { break };
            out.tasks.push((id, start, self.run.since_start(), result));
            self.run.task_done();
        }
        out
    }
    // [/snippet]
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
                // Lanes are the real worker threads: lane k is the pool's thread k - 1.
                let lane = rayon::current_thread_index().map_or(0, |i| i as u32 + 1);
                let job = Job { p, run, next, gil, url, lane };
                // The receiver is only gone if the run's future was dropped; nothing to tell.
                let _ = tx.send(job.work());
            });
            rx
        })
        .collect();
    let lanes = join_all(receivers).await;
    // [/snippet]

    let mut out = Outcome { spans: Spans::with_tasks(p.tasks as usize), ..Outcome::default() };
    for lane in lanes.into_iter().flatten() {
        for (id, start, end, result) in lane.tasks {
            out.spans.set(id as usize, lane.lane, start, end);
            match result {
                Ok(sum) => out.checksum = out.checksum.wrapping_add(sum),
                Err(e) => {
                    out.spans.state[id as usize] = state::FAILED;
                    out.errors.push((id, e));
                }
            }
        }
        out.waits.extend(lane.waits);
    }
    out.errors.sort_by(|a, b| out.spans.end[a.0 as usize].total_cmp(&out.spans.end[b.0 as usize]));
    out.elapsed_ms = state.since_start();
    out.stopped = state.is_stopped() && out.spans.finished() < p.tasks as usize;
    out
}
