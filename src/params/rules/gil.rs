//! The GIL the threads share: the switch, its switch interval, and the convoy workload that
//! shows what the interval costs a thread that wakes from I/O.

use super::{FieldError, Model, Opt, Options, Workload};

/// The GIL switch and its switch interval as given. (The interval is kept when the GIL is off,
/// as the form always sends it; it then plays no part.)
pub(super) fn gil(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Gil, Opt::SwitchInterval])
}

/// The convoy needs threads: one that computes and at least one that wakes beside it, and no
/// failing task (its figure is the wake-ups' lateness).
pub(super) fn convoy(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !o.workload_is(Workload::Convoy) {
        return errors;
    }
    if o.models.iter().any(|&m| m != Model::Threads) {
        errors.push(FieldError::new(
            Opt::Workload,
            "workload convoy applies to the threads model only: it shows threads that wake from I/O \
             waiting for the GIL behind a thread that computes."
                .into(),
        ));
        return errors;
    }
    if o.threads.is_some_and(|t| t < 2) {
        errors.push(FieldError::new(
            Opt::Threads,
            "threads: the convoy needs one thread that computes and one that wakes beside it, so at \
             least 2; got 1."
                .into(),
        ));
    }
    if o.tasks.is_some_and(|t| t < 2) {
        errors.push(FieldError::new(
            Opt::Tasks,
            "tasks: the convoy needs task 0, which computes, and at least one task that wakes \
             beside it, so at least 2; got 1."
                .into(),
        ));
    }
    if o.fail.is_some() {
        errors.push(FieldError::new(
            Opt::Fail,
            "fail: the convoy has no failing task; its figure is how late the waking threads woke.".into(),
        ));
    }
    errors
}
