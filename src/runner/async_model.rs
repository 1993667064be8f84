//! The async model: every task is a future on the page's event loop, all started at once. Like
//! `asyncio.gather(*(task(i) for i in range(n)))`.
//!
//! Two ways to run the same futures, to show what a timer per task costs at scale: the
//! playground's own executor with one deadline queue (`timers: "wheel"`, the default), or `join_all` over one browser timer per task
//! (`timers: "per-task"`), the simple way whose cost grows with every task.
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{Either, join_all, select, try_join_all};

use super::{Outcome, TaskResult, failure_message, work_of};
use crate::executor::{self, RunAll};
use crate::params::{FailMode, Params, Timers, Workload};
use crate::run::RunState;
use crate::timeline::Lane;
use crate::workload;

/// Runs `p.tasks` futures concurrently on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    let url = workload::fetch_url().unwrap_or_default();
    let iters = workload::cpu_iterations(p.delay_ms);
    // A number no task has, when no task fails: four bytes in every task future, not eight.
    let fail = p.fail.unwrap_or(u32::MAX);
    // Each workload is its own future type, so a sleeping task stays as small as a sleep.
    match (p.workload, p.blocking) {
        (Workload::Sleep, false) => match p.timers {
            // 16 bytes a pending task: a flag, not the failing task's id, in every future.
            Timers::Wheel => wheel(state, p, |id| sleep_task(id, p.delay_ms, id == fail)).await,
            Timers::PerTask => per_task(state, p, |id| sleep_task_per_timer(id, p.delay_ms, fail)).await,
        },
        (Workload::Sleep, true) => {
            let state2 = state.clone();
            wheel(state, p, move |id| blocking_task(id, p.delay_ms, fail, state2.clone())).await
        }
        (Workload::Fetch, _) => {
            let make =
                |id| fetch_task(id, workload::request_url(&url, work_of(id == fail, p.delay_ms), id), fail);
            match p.timers {
                Timers::Wheel => wheel(state, p, make).await,
                Timers::PerTask => per_task(state, p, make).await,
            }
        }
        (Workload::Cpu, _) => {
            let state2 = state.clone();
            wheel(state, p, move |id| cpu_task(id, iters, fail, state2.clone())).await
        }
    }
}

// [snippet:async-sleep]
/// One task: wait without blocking, like `await asyncio.sleep(delay)`.
async fn sleep_task(id: u32, delay_ms: u32, fails: bool) -> TaskResult {
    executor::sleep(work_of(fails, delay_ms)).await;
    if fails {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

/// The same task on a browser timer of its own (`timers: "per-task"`).
async fn sleep_task_per_timer(id: u32, delay_ms: u32, fail: u32) -> TaskResult {
    workload::sleep(work_of(id == fail, delay_ms)).await;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}

// [snippet:async-blocking]
/// The classic mistake: a blocking wait inside an async task (`time.sleep` in a coroutine).
/// Nothing else runs on the event loop until it returns.
async fn blocking_task(id: u32, delay_ms: u32, fail: u32, run: Arc<RunState>) -> TaskResult {
    workload::block_event_loop(work_of(id == fail, delay_ms), &run);
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

// [snippet:async-fetch]
/// One task: an HTTP request through the browser, awaited (like `await session.get(url)`).
async fn fetch_task(id: u32, url: String, fail: u32) -> TaskResult {
    workload::fetch(&url).await?;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

// [snippet:async-cpu]
/// One task: CPU work. It never awaits, so the event loop runs nothing else meanwhile.
async fn cpu_task(id: u32, iterations: u64, fail: u32, run: Arc<RunState>) -> TaskResult {
    let sum =
        workload::compute(id, work_of(id == fail, iterations), || !run.is_stopped()).ok_or("stopped")?;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(sum)
}
// [/snippet]

// [snippet:async-wheel]
/// Runs the tasks on the playground's executor (see [`executor`]): one array of futures, one
/// deadline queue, one browser timer. `fail_fast` is `try_join_all`'s behaviour.
async fn wheel<F: Future<Output = TaskResult>>(
    state: &Arc<RunState>,
    p: Params,
    make: impl FnMut(u32) -> F,
) -> Outcome {
    RunAll::new(state, p.tasks, make)
        .fail_fast(p.fail_mode == FailMode::TryJoinAll)
        .long_polls(p.busies_event_loop())
        .await
}
// [/snippet]

// [snippet:async-gather]
/// Runs the tasks with `join_all` (every task runs to the end; errors are collected) or
/// `try_join_all` (the first error ends the run and drops, so cancels, the others).
async fn per_task<F: Future<Output = TaskResult>>(
    state: &Arc<RunState>,
    p: Params,
    mut make: impl FnMut(u32) -> F,
) -> Outcome {
    let rec = Rc::new(RefCell::new(state.recorder()));
    let tasks = (0..p.tasks).map(|id| {
        let (task, rec, state) = (make(id), rec.clone(), state.clone());
        async move {
            // A task starts when it is first polled, which is when join_all first polls it.
            rec.borrow_mut().start(id, Lane::EVENT_LOOP, state.since_start());
            let result = task.await;
            rec.borrow_mut().finish(id, result.clone(), state.since_start());
            result
        }
    });
    let all = async {
        match p.fail_mode {
            // (`panic` is refused for async by the parameter checks.)
            FailMode::JoinAll | FailMode::Panic => {
                join_all(tasks).await;
            }
            // Dropping the other futures when one fails is what cancels them.
            FailMode::TryJoinAll => {
                let _ = try_join_all(tasks).await;
            }
        }
    };
    // Stopping drops every pending task future, and dropping a timer future clears its timer.
    let stopped = matches!(select(pin!(all), state.stopped()).await, Either::Right(_));
    let elapsed_ms = state.since_start();
    let mut rec = rec.borrow_mut();
    if !stopped && p.fail_mode == FailMode::TryJoinAll {
        // Tasks dropped by try_join_all: started, never ended. Show where they were cut off.
        rec.cancel_unfinished(elapsed_ms);
    }
    rec.end(elapsed_ms, stopped)
}
// [/snippet]
