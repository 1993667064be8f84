//! One runner per model. A runner takes checked [`Params`](crate::params::Params) and a
//! [`RunState`](crate::run::RunState), runs the tasks, and records every task's span with the
//! run's [`Recorder`](crate::record::Recorder). Runners know nothing of the DOM: the page draws
//! what they record.

pub mod async_model;
pub mod async_races;
pub mod gil_worker;
pub mod processes;
#[cfg(feature = "threads")]
pub mod scheduled;
pub mod scheduled_async;
#[cfg(not(feature = "threads"))]
pub mod separate_gil;
#[cfg(not(feature = "threads"))]
pub mod separate_threads;
pub mod sequential;
#[cfg(feature = "threads")]
pub mod task_threads;
#[cfg(feature = "threads")]
pub mod threads;

pub use crate::record::{Outcome, TaskResult};
pub use crate::tasks::{failure_message, work_of};
