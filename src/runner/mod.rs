//! One runner per model. A runner takes checked [`Params`](crate::params::Params) and a
//! [`RunState`](crate::run::RunState), runs the tasks, and records every task's span. Runners
//! know nothing of the DOM: the page draws what they record.

pub mod async_model;
pub mod processes;
pub mod sequential;
#[cfg(feature = "threads")]
pub mod threads;

use crate::timeline::{Spans, Wait};

/// What a runner recorded.
#[derive(Default)]
pub struct Outcome {
    /// Every task's lane, start, end (NaN: did not end) and state.
    pub spans: Spans,
    /// From run start until the last task ended, or until the run stopped.
    pub elapsed_ms: f64,
    /// Whether the run was stopped before every task finished.
    pub stopped: bool,
    /// Failed tasks: (id, message), in the order they failed.
    pub errors: Vec<(u32, String)>,
    /// The combined checksum of CPU work (0 for other workloads), so it cannot be optimised away.
    pub checksum: u64,
    /// Stretches that tasks spent waiting for the GIL.
    pub waits: Vec<Wait>,
    /// A worker thread stopped answering (it trapped); the engine should be restarted.
    pub crashed: bool,
}

/// What one task gives back: its checksum, or the error it failed with.
pub type TaskResult = Result<u64, String>;

/// The error message of the task that `fail` makes fail.
pub fn failure_message(id: u32) -> String {
    format!("task {id} failed (fail={id})")
}
