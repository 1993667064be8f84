//! The async model: every task is a future on the page's event loop, all started at once. Like
//! `asyncio.gather(*(task(i) for i in range(n)))`.
//!
//! Two ways to run the same futures (issue #5): the playground's own executor with one deadline
//! queue (`timers: "wheel"`, the default), or `join_all` over one browser timer per task
//! (`timers: "per-task"`), the simple way whose cost grows with every task.
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{Either, join_all, select, try_join_all};

use super::{Outcome, TaskResult, failure_message};
use crate::executor::{self, RunAll};
use crate::params::{FailMode, Params, Timers, Workload};
use crate::run::RunState;
use crate::timeline::{EVENT_LOOP_LANE, Spans, state};
use crate::workload;

/// Runs `p.tasks` futures concurrently on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    let url = workload::fetch_url().unwrap_or_default();
    let iters = workload::cpu_iterations(p.delay_ms);
    let fail = p.fail.unwrap_or(u32::MAX);
    // Each workload is its own future type, so a sleeping task stays as small as a sleep.
    match (p.workload, p.blocking) {
        (Workload::Sleep, false) => match p.timers {
            Timers::Wheel => wheel(state, p, |id| sleep_task(id, p.delay_ms, fail)).await,
            Timers::PerTask => per_task(state, p, |id| sleep_task_per_timer(id, p.delay_ms, fail)).await,
        },
        (Workload::Sleep, true) => {
            let state2 = state.clone();
            wheel(state, p, move |id| blocking_task(id, p.delay_ms, fail, state2.clone())).await
        }
        (Workload::Fetch, _) => {
            let make =
                |id| fetch_task(id, workload::request_url(&url, delay_for(id, p.delay_ms, fail), id), fail);
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

/// A failing task fails halfway through its delay, so `try_join_all` visibly cuts the others off.
fn delay_for(id: u32, delay_ms: u32, fail: u32) -> u32 {
    if id == fail { delay_ms / 2 } else { delay_ms }
}

// [snippet:async-sleep]
/// One task: wait without blocking, like `await asyncio.sleep(delay)`.
async fn sleep_task(id: u32, delay_ms: u32, fail: u32) -> TaskResult {
    executor::sleep(delay_for(id, delay_ms, fail)).await;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

/// The same task on a browser timer of its own (`timers: "per-task"`).
async fn sleep_task_per_timer(id: u32, delay_ms: u32, fail: u32) -> TaskResult {
    workload::sleep(delay_for(id, delay_ms, fail)).await;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}

// [snippet:async-blocking]
/// The classic mistake: a blocking wait inside an async task (`time.sleep` in a coroutine).
/// Nothing else runs on the event loop until it returns.
async fn blocking_task(id: u32, delay_ms: u32, fail: u32, run: Arc<RunState>) -> TaskResult {
    workload::block_event_loop(delay_for(id, delay_ms, fail), &run);
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
    let iterations = if id == fail { iterations / 2 } else { iterations };
    let sum = workload::compute(id, iterations, || !run.is_stopped()).ok_or("stopped")?;
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
    let spans = Rc::new(RefCell::new(Spans::with_tasks(p.tasks as usize)));
    let errors = Rc::new(RefCell::new(Vec::new()));
    let tasks = (0..p.tasks).map(|id| {
        let (task, spans, errors, state) = (make(id), spans.clone(), errors.clone(), state.clone());
        async move {
            // A task starts when it is first polled, which is when join_all first polls it.
            let start = state.since_start();
            spans.borrow_mut().start[id as usize] = start;
            let result = task.await;
            let mut spans = spans.borrow_mut();
            spans.set(id as usize, EVENT_LOOP_LANE, start, state.since_start());
            state.task_done();
            if let Err(e) = &result {
                spans.state[id as usize] = state::FAILED;
                errors.borrow_mut().push((id, e.clone()));
            }
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
    let mut spans = spans.take();
    if !stopped && p.fail_mode == FailMode::TryJoinAll {
        // Tasks dropped by try_join_all: started, never ended. Show where they were cut off.
        for i in 0..spans.end.len() {
            if spans.end[i].is_nan() {
                spans.end[i] = elapsed_ms;
                spans.state[i] = state::CANCELLED;
            }
        }
    }
    let errors = errors.take();
    Outcome { spans, elapsed_ms, stopped, errors, ..Outcome::default() }
}
// [/snippet]
