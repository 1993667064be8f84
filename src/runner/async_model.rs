//! The async model: every task is a future on the page's event loop, all started at once, each
//! awaiting a browser timer. Like `asyncio.gather(*(sleep(delay) for _ in range(n)))`.

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{Either, join_all, select};

use super::Outcome;
use crate::params::Params;
use crate::run::RunState;
use crate::timeline::{EVENT_LOOP_LANE, Spans};
use crate::workload;

/// Runs `p.tasks` futures concurrently on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
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
