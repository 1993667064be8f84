//! Threads and processes: how many run the tasks, and where the page has them.

use super::{FieldError, Model, Opt, Options, Raw, Reader, whole_or_default};
use crate::params::Limits;
use crate::params::schema::group;

/// The threads model's thread count, where a model asked for has threads. Without threads on the
/// page (no shared pool, and no threads of separate memory either), a threads run asked for by
/// name is refused with the reason, and `all` runs without it.
pub(super) fn read_threads(
    r: &mut Reader,
    model: Option<Model>,
    models: &[Model],
    tasks: Option<u32>,
) -> Option<u32> {
    if !models.contains(&Model::Threads) {
        return None;
    }
    if !r.limits.has_threads() {
        if model.is_some() {
            let refusal = FieldError::new(Opt::Threads, r.limits.no_threads.message().into());
            r.keep::<u32>(Opt::Threads, Err(refusal));
        }
        return None;
    }
    let raw = r.req.get(Opt::Threads);
    let read =
        whole_or_default(Opt::Threads, raw, r.limits, tasks).map_err(|e| beyond_threads(e, raw, r.limits));
    r.keep(Opt::Threads, read).flatten()
}

/// The processes model's process count, where a model asked for has processes.
pub(super) fn read_processes(r: &mut Reader, models: &[Model], tasks: Option<u32>) -> Option<u32> {
    if !models.contains(&Model::Processes) {
        return None;
    }
    // Links made before `processes` was an option of its own gave the count as `threads`.
    let raw = match r.req.get(Opt::Processes) {
        Raw::Missing => r.req.get(Opt::Threads),
        raw => raw,
    };
    let read = whole_or_default(Opt::Processes, raw, r.limits, tasks);
    r.keep(Opt::Processes, read).flatten()
}

/// A refused thread count above the most this browser holds says why there is a most at all.
fn beyond_threads(mut e: FieldError, raw: Raw, limits: Limits) -> FieldError {
    let asked = match raw {
        Raw::Number(n) => n,
        Raw::Text(s) => crate::params::number::parse_f64(s.trim()).unwrap_or(0.0),
        _ => 0.0,
    };
    if asked > f64::from(limits.max_threads) {
        e.message.push_str(&format!(
            " A thread here is a Web Worker with its own wasm instance, and {} is the most this browser \
             holds on this page.",
            group(limits.max_threads.into())
        ));
    }
    e
}

/// The thread and process counts as given, or threads unavailable on this page.
pub(super) fn threads_and_processes(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Threads, Opt::Processes])
}
