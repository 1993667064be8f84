//! The races: the shared counter (increments, sync, awaitInside) and the deadlock's locks
//! (lockOrder), and what those workloads cannot do.

use super::{FieldError, LockOrder, Model, Opt, Options, SyncMode, Workload};
use crate::params::limits::{MAX_AWAIT_UPDATES, MAX_COUNTER_UPDATES};
use crate::params::schema::group;

/// The counter's and the locks' options as given.
pub(super) fn options(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Increments, Opt::Sync, Opt::AwaitInside, Opt::LockOrder])
}

/// A guard where there is no counter.
pub(super) fn sync(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if o.workload.is_some()
        && !o.workload_is(Workload::Counter)
        && o.sync.is_some_and(|s| s != SyncMode::None)
    {
        errors.push(FieldError::new(
            Opt::Sync,
            "sync guards the counter's update: it applies to workload counter.".into(),
        ));
    }
    errors
}

/// An await inside an update where there is no counter, or no await.
pub(super) fn await_inside(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if o.await_inside != Some(true) {
        return errors;
    }
    if o.workload.is_some() && !o.workload_is(Workload::Counter) {
        errors.push(FieldError::new(
            Opt::AwaitInside,
            "awaitInside puts an await between the counter's read and write: it applies to workload \
             counter."
                .into(),
        ));
    } else if o.without_async() {
        errors.push(FieldError::new(
            Opt::AwaitInside,
            "awaitInside applies to the async model: threads and processes have no await, and a \
             thread may be switched between any read and write without one."
                .into(),
        ));
    }
    errors
}

/// A lock order where there are no locks.
pub(super) fn lock_order(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if o.workload.is_some()
        && !o.workload_is(Workload::Deadlock)
        && o.lock_order.is_some_and(|l| l != LockOrder::default())
    {
        errors.push(FieldError::new(
            Opt::LockOrder,
            "lockOrder is the order the deadlock workload takes its two locks in: it applies to \
             workload deadlock."
                .into(),
        ));
    }
    errors
}

/// A failing task where tasks count or take locks.
pub(super) fn no_failing_task(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if (o.workload_is(Workload::Counter) || o.workload_is(Workload::Deadlock)) && o.fail.is_some() {
        errors.push(FieldError::new(
            Opt::Fail,
            "fail applies to the sleep, fetch and cpu workloads; a counter or a lock has no task that \
             fails halfway."
                .into(),
        ));
    }
    errors
}

/// A deadlock that cannot happen for want of a second thread or task.
pub(super) fn deadlock(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !o.workload_is(Workload::Deadlock) || o.lock_order == Some(LockOrder::Same) {
        return errors;
    }
    if o.model == Some(Model::Threads) && o.threads.is_some_and(|t| t < 2) {
        errors.push(FieldError::new(
            Opt::Threads,
            "threads: a deadlock needs two threads, each holding the lock the other wants, so at \
             least 2; got 1."
                .into(),
        ));
    }
    if matches!(o.model, Some(Model::Threads | Model::Async)) && o.tasks.is_some_and(|t| t < 2) {
        errors.push(FieldError::new(
            Opt::Tasks,
            "tasks: a deadlock needs two tasks, each holding the lock the other wants, so at least \
             2; got 1."
                .into(),
        ));
    }
    errors
}

/// Counter updates past the most a run makes: fewer where each update awaits.
pub(super) fn counter_cap(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let (true, Some(tasks), Some(increments)) = (o.workload_is(Workload::Counter), o.tasks, o.increments)
    else {
        return errors;
    };
    let updates = u64::from(tasks) * u64::from(increments);
    let awaits = o.await_inside == Some(true) && o.model.is_none_or(|m| m == Model::Async);
    let cap = if awaits { MAX_AWAIT_UPDATES } else { MAX_COUNTER_UPDATES };
    if updates > cap {
        errors.push(FieldError::new(
            Opt::Increments,
            format!(
                "increments: tasks × increments may be at most {}{}; got {}.",
                group(cap),
                if awaits { " with an await inside each update" } else { "" },
                group(updates)
            ),
        ));
    }
    errors
}
