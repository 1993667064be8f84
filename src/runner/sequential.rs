//! The sequential baseline: the same tasks one after another, like a plain `for` loop of
//! `time.sleep(delay)`. Each wait is awaited, not blocked on, so the page keeps painting.

use std::pin::pin;
use std::sync::Arc;

use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;

use super::Outcome;
use crate::params::Params;
use crate::run::RunState;
use crate::timeline::{EVENT_LOOP_LANE, Spans};
use crate::workload;

/// Hand the event loop back to the browser at least this often when tasks take no time, so a
/// million zero-delay tasks do not freeze the page.
const YIELD_EVERY_MS: f64 = 8.0;

/// Runs `p.tasks` tasks one after another on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    let mut spans = Spans::with_tasks(p.tasks as usize);
    let work = async {
        let mut last_yield = state.since_start();
        for id in 0..p.tasks as usize {
            let start = state.since_start();
            if p.delay_ms > 0 {
                workload::sleep(p.delay_ms).await;
                last_yield = state.since_start();
            } else if start - last_yield > YIELD_EVERY_MS {
                TimeoutFuture::new(0).await;
                last_yield = state.since_start();
            }
            spans.set(id, EVENT_LOOP_LANE, start, state.since_start());
            state.task_done();
        }
    };
    let stopped = matches!(select(pin!(work), state.stopped()).await, Either::Right(_));
    let elapsed_ms = state.since_start();
    Outcome {
        spans,
        elapsed_ms,
        stopped,
    }
}
