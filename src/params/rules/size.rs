//! The run's size: how many tasks and how long each, and the caps that keep a run within what a
//! page can hold and a learner will wait for. Each cap is refused with its figure.

use super::{FieldError, Model, Opt, Options, Params, Timers, Workload};
use crate::params::ideal::ideal_ms;
use crate::params::limits::{
    MAX_BUSY_MS, MAX_FETCH_TASKS, MAX_PER_TASK_TIMERS, MAX_RUN_MS, MAX_TASKS, MAX_TASKS_ELSEWHERE,
};
use crate::params::schema::group;

/// Tasks and delay as given.
pub(super) fn tasks_and_delay(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Tasks, Opt::Delay])
}

/// What the caps weigh, once it was all read: tasks, delay, workload and blocking.
fn sized(o: &Options) -> Option<(u32, u32, Workload, bool)> {
    Some((o.tasks?, o.delay?, o.workload?, o.blocking?))
}

/// More tasks than their model or workload takes: a browser timer each, a real request each, or
/// a hand-over per task everywhere but on the async wheel.
pub(super) fn task_caps(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some((tasks, _, workload, _)) = sized(o) else { return errors };
    if o.timers == Some(Timers::PerTask)
        && o.models.contains(&Model::Async)
        && workload == Workload::Sleep
        && tasks > MAX_PER_TASK_TIMERS
    {
        errors.push(FieldError::new(
            Opt::Tasks,
            format!(
                "tasks: with timers per-task each task costs a browser timer and a JS closure, so at \
                 most {}; got {}. The wheel executor takes up to {}.",
                group(MAX_PER_TASK_TIMERS.into()),
                group(tasks.into()),
                group(MAX_TASKS.into())
            ),
        ));
    }
    if workload == Workload::Fetch && tasks > MAX_FETCH_TASKS {
        errors.push(FieldError::new(
            Opt::Tasks,
            format!(
                "tasks: a fetch run makes a real request per task, at most {}; got {}.",
                group(MAX_FETCH_TASKS.into()),
                group(tasks.into())
            ),
        ));
    }
    // Only the wheel executor keeps the most tasks pending; every other model has its own cap,
    // named with the figure.
    if let Some(&m) = o.models.iter().find(|&&m| m != Model::Async)
        && tasks > MAX_TASKS_ELSEWHERE
    {
        errors.push(FieldError::new(
            Opt::Tasks,
            format!(
                "tasks: a {} run takes at most {} tasks; got {}. Only async runs (wheel executor) \
                 take up to {}.",
                m.name(),
                group(MAX_TASKS_ELSEWHERE.into()),
                group(tasks.into()),
                group(MAX_TASKS.into())
            ),
        ));
    }
    errors
}

/// Caps that depend on several options: a run that would take hours, or freeze the page for
/// long, is refused before it starts, with the figure. The first model found too long is named.
pub(super) fn run_length(o: &Options) -> Vec<FieldError> {
    let Some((tasks, delay_ms, workload, blocking)) = sized(o) else { return Vec::new() };
    for &m in &o.models {
        let workers = match (m, o.threads, o.processes) {
            (Model::Threads, Some(n), _) | (Model::Processes, _, Some(n)) => n,
            (Model::Threads | Model::Processes, _, _) => continue,
            _ => 1,
        };
        let p = Params {
            workload,
            blocking,
            gil: o.gil.unwrap_or(false),
            offload: o.offload.unwrap_or(false),
            limit: o.limit,
            connections: o.connections,
            ..Params::new(m, tasks, delay_ms, workers)
        };
        if let Some(e) = busy_too_long(&p).or_else(|| too_long(&p, o)) {
            return vec![e];
        }
    }
    Vec::new()
}

/// A run that keeps the page's event loop busy past the most the page may freeze for.
fn busy_too_long(p: &Params) -> Option<FieldError> {
    let busy = u64::from(p.tasks) * u64::from(p.delay_ms);
    // (The counter's own cap, `races::counter_cap`, bounds how long its updates keep the loop busy.)
    (p.busies_event_loop() && p.workload != Workload::Counter && busy > MAX_BUSY_MS).then(|| {
        FieldError::new(
            Opt::Tasks,
            format!(
                "tasks: this {} run keeps the page's event loop busy (the page freezes), so tasks × \
                 delay may be at most {} ms; got {} ms.",
                p.model.name(),
                group(MAX_BUSY_MS),
                group(busy)
            ),
        )
    })
}

/// A run whose ideal time is past the longest a run may take.
fn too_long(p: &Params, o: &Options) -> Option<FieldError> {
    let ideal = ideal_ms(p, o.limits).unwrap_or(0.0);
    // Async tasks that all wait at once take one delay however many they are; held to a few at a
    // time (limit, connections, the pool they offload to) they take rounds, as threads do, and
    // the same cap applies.
    (ideal > MAX_RUN_MS as f64).then(|| {
        let async_run = p.model == Model::Async;
        let article = if async_run { "an" } else { "a" };
        let wider = if async_run { ", or let more run at once" } else { "" };
        FieldError::new(
            Opt::Tasks,
            format!(
                "tasks: {article} {} run may take at most {} ms (5 minutes); this one would take {} \
                 ms. Lower tasks or delay{wider}.",
                p.model.name(),
                group(MAX_RUN_MS),
                group(ideal as u64)
            ),
        )
    })
}
