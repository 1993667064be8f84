//! The sequential baseline: the same tasks one after another, like a plain `for` loop. Waits
//! (sleep, fetch) are awaited rather than blocked on, so the page keeps painting; the time the
//! tasks take is the same as a blocking loop's. CPU work runs on the event loop, one task at a
//! time, giving the browser the loop back between tasks.
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::cell::Cell;
use std::pin::pin;
use std::sync::Arc;

use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;

use super::{Outcome, TaskResult, failure_message, work_of};
use crate::blocked::Stamps;
use crate::params::{Params, Workload};
use crate::record::Counted;
use crate::run::RunState;
use crate::timeline::Lane;
use crate::workload;

/// Hand the event loop back to the browser at least this often, so a million zero-delay tasks, or
/// a string of CPU tasks, do not freeze the page for the whole run.
const YIELD_EVERY_MS: f64 = 8.0;

// [snippet:sequential-task]
/// One task of the loop. A failing task fails halfway through its delay.
async fn task(
    id: u32,
    p: &Params,
    url: &str,
    run: &RunState,
    counter: &Cell<u64>,
    stamps: &mut Stamps,
) -> TaskResult {
    let failing = p.fail == Some(id);
    let delay = work_of(failing, p.delay_ms);
    let sum = match p.workload {
        Workload::Sleep if delay > 0 => {
            blocking(run, stamps, workload::sleep(delay)).await;
            0
        }
        Workload::Sleep => 0,
        Workload::Fetch => {
            // A network fault fails the request itself, at the server (see `failMode`).
            let fault = p.network_fault().filter(|_| failing).map(|m| m.name());
            let url = workload::request_url(url, delay, id, fault);
            let answer = blocking(run, stamps, workload::fetch(&url, p.timeout_ms)).await?;
            workload::net_log().note(id, answer);
            0
        }
        // Refused by the rules (threads only); computed like CPU work if it ever came here.
        Workload::Cpu | Workload::Convoy => {
            workload::compute(id, workload::cpu_iterations(delay), &mut || !run.is_stopped())
                .ok_or("stopped")?
        }
        // One task at a time: nothing can come between a read and its write.
        Workload::Counter => {
            for _ in 0..p.increments {
                let x = counter.get();
                counter.set(std::hint::black_box(x) + 1);
            }
            0
        }
        // Take A, hold it, take B: no other task runs meanwhile, so neither is ever held by another.
        Workload::Deadlock => {
            blocking(run, stamps, workload::sleep(delay)).await;
            0
        }
    };
    if failing && p.network_fault().is_none() {
        return Err(failure_message(id));
    }
    Ok(sum)
}
// [/snippet]

/// Awaits a wait (a sleep, a request), stamped as the task's blocked time: the loop blocks on it
/// as a plain `for` loop's `time.sleep` or `requests.get` would.
async fn blocking<T>(run: &RunState, stamps: &mut Stamps, wait: impl Future<Output = T>) -> T {
    let start = run.since_start();
    let out = wait.await;
    stamps.blocked(start, run.since_start());
    out
}

/// Runs `p.tasks` tasks one after another on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    let url = workload::fetch_url().unwrap_or_default();
    let mut rec = state.recorder().accounting_blocked();
    let mut stamps = Stamps::default();
    let counter = Cell::new(0u64);
    let work = async {
        let mut last_yield = state.since_start();
        // [snippet:sequential]
        // A plain loop: each task starts when the one before it has ended. An error ends the
        // loop, as an exception leaves a Python `for` loop: the tasks after it never run.
        for id in 0..p.tasks {
            let start = state.since_start();
            rec.start(id, Lane::EVENT_LOOP, start);
            stamps.begin(start);
            let result = task(id, &p, &url, state, &counter, &mut stamps).await;
            rec.blocked(id, stamps.total());
            let failed = rec.finish(id, result, state.since_start());
            if failed {
                break;
            }
            if state.since_start() - last_yield > YIELD_EVERY_MS {
                TimeoutFuture::new(0).await;
                last_yield = state.since_start();
            }
        }
        // [/snippet]
    };
    let stopped = matches!(select(pin!(work), state.stopped()).await, Either::Right(_));
    let mut o = rec.end(state.since_start(), stopped);
    if p.workload == Workload::Counter {
        o.counter = Some(Counted { shared: counter.get(), per_process: Vec::new() });
    }
    o
}
