//! The async model's options: how tasks wait (timers), whether they block the event loop, how
//! many may be in flight (limit) and whether they hand work to the thread pool (offload).

use super::{FieldError, Opt, Options, Timers, Workload};

/// The timers as given.
pub(super) fn timers(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Timers])
}

/// Blocking as given, and blocking where the tasks do not sleep.
pub(super) fn blocking(o: &Options) -> Vec<FieldError> {
    let mut errors = o.refusals(&[Opt::Blocking]);
    if o.blocking == Some(true) && o.workload.is_some_and(|w| w != Workload::Sleep) {
        errors.push(FieldError::new(
            Opt::Blocking,
            "blocking=1 applies to the sleep workload (CPU work blocks anyway, and a blocking request \
             on the page's main thread is deprecated in browsers)."
                .into(),
        ));
    }
    errors
}

/// Limit and offload as given.
pub(super) fn limit_and_offload(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Limit, Opt::Offload])
}

/// A limit where the playground's executor does not keep it, or where there is no async run.
pub(super) fn limit(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if o.limit.is_some() && o.timers == Some(Timers::PerTask) && !o.without_async() {
        errors.push(FieldError::new(
            Opt::Limit,
            "limit is kept by the playground's executor: use timers wheel with it.".into(),
        ));
    }
    if o.limit.is_some() && o.without_async() {
        errors.push(FieldError::new(
            Opt::Limit,
            "limit (asyncio.Semaphore) applies to the async model; threads are already limited by \
             their number: set threads instead."
                .into(),
        ));
    }
    errors
}

/// Offload outside async, without a thread pool, or with nothing to hand over.
pub(super) fn offload(o: &Options) -> Vec<FieldError> {
    if o.offload != Some(true) {
        return Vec::new();
    }
    let message = if o.without_async() {
        "offload applies to the async model: it is how a coroutine hands work to a thread \
         (asyncio.to_thread)."
            .into()
    } else if o.limits.pool_size == 0 {
        format!("offload is unavailable: it needs the thread pool, and {}", o.limits.no_threads.message())
    } else if o.workload.is_some_and(|w| w != Workload::Cpu) && o.blocking != Some(true) {
        "offload hands a task's CPU work or blocking call to a thread: use workload cpu, or \
         blocking=1 with sleep (awaiting a timer or a request needs no thread)."
            .into()
    } else {
        return Vec::new();
    };
    vec![FieldError::new(Opt::Offload, message)]
}
