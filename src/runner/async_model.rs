//! The async model: every task is a future on the page's event loop, all started at once, each
//! awaiting a timer. Like `asyncio.gather(*(asyncio.sleep(delay) for _ in range(n)))`.
//!
//! Two ways to run the same futures (issue #5): the playground's own executor with one deadline
//! queue (`timers: "wheel"`, the default), or `join_all` over one browser timer per task
//! (`timers: "per-task"`), the simple way whose cost grows with every task.

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{Either, join_all, select};

use super::Outcome;
use crate::executor::{self, RunAll};
use crate::params::{Params, Timers};
use crate::run::RunState;
use crate::timeline::{EVENT_LOOP_LANE, Spans};
use crate::workload;

/// Runs `p.tasks` futures concurrently on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    match p.timers {
        Timers::Wheel => run_wheel(state, p).await,
        Timers::PerTask => run_per_task(state, p).await,
    }
}

/// One task: `await sleep(delay)`. The executor records when it starts and ends.
async fn task(delay_ms: u32) {
    executor::sleep(delay_ms).await;
}

async fn run_wheel(state: &Arc<RunState>, p: Params) -> Outcome {
    let (spans, stopped) = RunAll::new(state, p.tasks, |_| task(p.delay_ms)).await;
    Outcome {
        spans,
        elapsed_ms: state.since_start(),
        stopped,
    }
}

async fn run_per_task(state: &Arc<RunState>, p: Params) -> Outcome {
    let spans = Rc::new(RefCell::new(Spans::with_tasks(p.tasks as usize)));
    let tasks = (0..p.tasks as usize).map(|id| {
        let (spans, state) = (spans.clone(), state.clone());
        async move {
            // A task starts when it is first polled, which is when join_all first polls it.
            let start = state.since_start();
            workload::sleep(p.delay_ms).await;
            spans
                .borrow_mut()
                .set(id, EVENT_LOOP_LANE, start, state.since_start());
            state.task_done();
        }
    });
    // Stopping drops every pending task future, and dropping a timer future clears its timer.
    let stopped = matches!(
        select(pin!(join_all(tasks)), state.stopped()).await,
        Either::Right(_)
    );
    let elapsed_ms = state.since_start();
    let spans = spans.take();
    Outcome {
        spans,
        elapsed_ms,
        stopped,
    }
}
