//! The fetch workload and failures: whether anything answers the requests, which task fails and
//! how, how many requests go at once and how long one may take.

use super::{FailMode, FieldError, Model, Opt, Options, Workload};
use crate::params::schema::group;

/// The workload as given, and fetch where nothing answers its requests.
pub(super) fn workload(o: &Options) -> Vec<FieldError> {
    let mut errors = o.refusals(&[Opt::Workload]);
    if o.workload_is(Workload::Fetch) && !o.limits.fetch {
        errors.push(FieldError::new(
            Opt::Workload,
            "workload fetch is unavailable on this page: nothing answers its requests (the page's \
             service worker does on a static host where the browser allows it; ./build.sh serve does \
             too)."
                .into(),
        ));
    }
    errors
}

/// The fail mode as given, and a panic outside threads.
pub(super) fn fail_mode(o: &Options) -> Vec<FieldError> {
    let mut errors = o.refusals(&[Opt::FailMode]);
    if o.fail_mode == Some(FailMode::Panic) && o.models.iter().any(|&m| m != Model::Threads) {
        errors.push(FieldError::new(
            Opt::FailMode,
            "failMode panic applies to the threads model only: a panic aborts its thread, and on the \
             page's own thread that would be the whole engine."
                .into(),
        ));
    }
    errors
}

/// The failing task as given.
pub(super) fn fail(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Fail])
}

/// A network fault needs a request to fail.
pub(super) fn network_fault(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let (Some(mode), Some(w)) = (o.fail_mode, o.workload)
        && mode.is_network()
        && w != Workload::Fetch
    {
        errors.push(FieldError::new(
            Opt::FailMode,
            format!(
                "failMode {} is a network fault: it applies to workload fetch only (the server fails \
                 the request), and workload is {}.",
                mode.name(),
                w.name()
            ),
        ));
    }
    errors
}

/// Connections and timeout as given, and a timeout every request would meet.
pub(super) fn connections_and_timeout(o: &Options) -> Vec<FieldError> {
    let mut errors = o.refusals(&[Opt::Connections, Opt::TimeoutMs]);
    if let (Some(t), Some(d), Some(Workload::Fetch)) = (o.timeout_ms, o.delay, o.workload)
        && t <= d
    {
        errors.push(FieldError::new(
            Opt::TimeoutMs,
            format!(
                "timeoutMs must be longer than delay ({} ms), or every request times out; got {} ms.",
                group(d.into()),
                group(t.into())
            ),
        ));
    }
    errors
}
