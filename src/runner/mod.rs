//! One runner per model. A runner takes checked [`Params`](crate::params::Params) and a
//! [`RunState`](crate::run::RunState), runs the tasks, and records every task's span. Runners
//! know nothing of the DOM: the page draws what they record.

pub mod async_model;
pub mod sequential;
#[cfg(feature = "threads")]
pub mod threads;

use crate::timeline::Spans;

/// What a runner recorded.
pub struct Outcome {
    /// Every task's lane, start and end (NaN end: did not finish).
    pub spans: Spans,
    /// From run start until the last task ended, or until the run stopped.
    pub elapsed_ms: f64,
    /// Whether the run was stopped before every task finished.
    pub stopped: bool,
}
