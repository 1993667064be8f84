//! The threads model: `threads` worker threads from the wasm-bindgen-rayon pool each take one
//! task at a time and block on it, like a pool of `threading.Thread`s calling `time.sleep`.
//!
//! The event loop never calls a blocking rayon API (`join`, `par_iter`, `scope`): from the main
//! thread those spin and freeze the page for the whole run. It hands `threads` jobs to the pool
//! with `rayon::spawn` and awaits one channel per job; a worker's send wakes the event loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures_channel::oneshot;
use futures_util::future::join_all;

use super::Outcome;
use crate::params::Params;
use crate::run::RunState;
use crate::timeline::Spans;
use crate::workload;

/// Runs `p.tasks` tasks on `p.threads` worker threads of the pool.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    // The queue of tasks is one counter: a thread that is free takes the next id.
    let next = Arc::new(AtomicU32::new(0));
    let receivers: Vec<_> = (0..p.threads.min(p.tasks))
        .map(|_| {
            let (tx, rx) = oneshot::channel();
            let (next, state) = (next.clone(), state.clone());
            rayon::spawn(move || {
                // Lanes are the real worker threads: lane k is the pool's thread k - 1.
                let lane = rayon::current_thread_index().map_or(0, |i| i as u32 + 1);
                let mut done = Vec::new();
                loop {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    if id >= p.tasks || state.is_stopped() {
                        break;
                    }
                    let start = state.since_start();
                    if !workload::sleep_blocking(p.delay_ms, &state) {
                        break;
                    }
                    done.push((id, start, state.since_start()));
                    state.task_done();
                }
                // The receiver is only gone if the run's future was dropped; nothing to tell.
                let _ = tx.send((lane, done));
            });
            rx
        })
        .collect();

    let mut spans = Spans::with_tasks(p.tasks as usize);
    for (lane, done) in join_all(receivers).await.into_iter().flatten() {
        for (id, start, end) in done {
            spans.set(id as usize, lane, start, end);
        }
    }
    let elapsed_ms = state.since_start();
    Outcome {
        stopped: state.is_stopped() && spans.finished() < p.tasks as usize,
        spans,
        elapsed_ms,
    }
}
