//! One runner per model. A runner takes checked [`Params`](crate::params::Params) and a
//! [`RunState`](crate::run::RunState), runs the tasks, and records every task's span with the
//! run's [`Recorder`](crate::record::Recorder). Runners know nothing of the DOM: the page draws
//! what they record.

pub mod async_model;
pub mod async_races;
pub mod processes;
pub mod sequential;
#[cfg(feature = "threads")]
pub mod task_threads;
#[cfg(feature = "threads")]
pub mod threads;

pub use crate::record::{Outcome, TaskResult};

/// The error message of the task that `fail` makes fail: what the code panel's Python program
/// raises, `RuntimeError(f"task {i} failed")`.
pub fn failure_message(id: u32) -> String {
    format!("task {id} failed")
}

/// How much work a task does: all of `full` (a delay, or CPU iterations), or half of it for the
/// failing task, which fails halfway through so that what it cuts off stays visible.
pub fn work_of<T: std::ops::Div<Output = T> + From<u8>>(failing: bool, full: T) -> T {
    if failing { full / T::from(2) } else { full }
}
