//! Threads with memory of their own (the plain build: Web Workers with a wasm instance each):
//! they wait, block and compute as threads do, but what needs one memory shared between threads
//! cannot run on them, and is refused up front with the reason and the way out. (The simulated GIL
//! runs on them: the page hands it between them by messages, `crate::gil_messages`.)

use super::{FailMode, FieldError, Memory, Model, Opt, Options, Workload};

/// What a threads run here would need shared memory for: refused, naming why the memory is
/// separate and where the run can go instead.
pub(super) fn shared_only(o: &Options) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let threads_run = o.models.contains(&Model::Threads) && o.threads.is_some();
    if !threads_run || o.limits.memory != Memory::Separate {
        return errors;
    }
    let refuse = |opt: Opt, what: &str| {
        FieldError::new(
            opt,
            format!(
                "{what} needs threads that share memory, and the threads here are Web Workers with \
                 memory of their own: {}. {}",
                o.limits.no_threads.why_separate(),
                o.limits.no_threads.way_out()
            ),
        )
    };
    match o.workload {
        Some(Workload::Counter) => {
            errors.push(refuse(Opt::Workload, "workload: the counter race (threads adding to one counter)"))
        }
        Some(Workload::Deadlock) => errors.push(refuse(
            Opt::Workload,
            "workload: the deadlock (threads waiting for each other's locks A and B)",
        )),
        Some(Workload::Convoy) => errors.push(refuse(
            Opt::Workload,
            "workload: the convoy (threads that wake every 1 ms and watch, in memory they share, \
             whether the computing thread is done)",
        )),
        _ => {}
    }
    if o.fail_mode == Some(FailMode::Panic) && o.fail.is_some() {
        errors.push(refuse(
            Opt::FailMode,
            "failMode: panic (a thread that dies and leaves the shared pool a thread short)",
        ));
    }
    errors
}
