//! The sentences of the comparison table's demonstrations ("Measured here") and of the
//! article's verdicts: each compares the records of the runs its Show me made, in the order it
//! made them. The page keeps only the run options and the article's words.

use super::words::{number, precise};
use crate::contract::Record;
use crate::decimal::Fixed;
use crate::params::{Model, SyncMode, Workload};

/// What the page can do, as the demonstrations' sentences need it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// The cores this browser reports.
    pub cores: u32,
    /// Why threads cannot run here, as the page says it, when they cannot.
    pub no_threads: Option<String>,
}

/// The sentence of demonstration `key` over its records, or `None` for an unknown key or when a
/// record the sentence needs is missing.
pub fn sentence(key: &str, rs: &[Record], page: &Page) -> Option<String> {
    match key {
        "model" => model(rs, page),
        "best-for" | "io" => best_for(rs),
        "cpu" => cpu(rs, page),
        "overhead" => overhead(rs),
        "complexity" => complexity(rs, page),
        "errors" => errors(rs),
        "blocking" => blocking(rs),
        // The convoy's runs each say what they show: their explanations, in turn.
        "convoy" if !rs.is_empty() => {
            Some(rs.iter().map(|r| r.explanation.as_str()).collect::<Vec<_>>().join(" "))
        }
        _ => None,
    }
}

/// The first record of `model` that `pred` accepts.
fn find(rs: &[Record], model: Model, pred: impl Fn(&Record) -> bool) -> Option<&Record> {
    rs.iter().find(|r| r.model == model && pred(r))
}

fn any(_: &Record) -> bool {
    true
}

/// Seconds with two decimals, as the page's clock shows them.
fn s(ms: f64) -> String {
    format!("{} s", Fixed(ms / 1000.0, 2))
}

/// A speedup.
fn x(v: Option<f64>) -> String {
    format!("{}×", Fixed(v.unwrap_or(0.0), 2))
}

fn lanes_of(r: &Record) -> String {
    r.lanes.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(", ")
}

fn no_threads(page: &Page) -> &str {
    page.no_threads.as_deref().unwrap_or("null")
}

fn model(rs: &[Record], page: &Page) -> Option<String> {
    let a = find(rs, Model::Async, any)?;
    let threads = match find(rs, Model::Threads, any) {
        Some(t) => {
            format!("; threads ran them on {} lanes ({}) in {}.", t.lanes.len(), lanes_of(t), s(t.elapsed_ms))
        }
        None => format!("; threads cannot run on this page: {}", no_threads(page)),
    };
    Some(format!(
        "async ran 3 tasks of 1 s on {} lane ({}) in {}{threads}",
        a.lanes.len(),
        lanes_of(a),
        s(a.elapsed_ms)
    ))
}

fn best_for(rs: &[Record]) -> Option<String> {
    let a = find(rs, Model::Async, any)?;
    let what = if a.workload == Workload::Fetch {
        format!(
            "200 HTTP requests answered after 200 ms (by the {})",
            a.answered_by.0.as_deref().unwrap_or("null")
        )
    } else {
        "200 waits of 200 ms (sleep standing in for I/O: this page has no latency endpoint)".into()
    };
    let threads = find(rs, Model::Threads, any).map_or_else(
        || ".".to_string(),
        |t| {
            format!(
                "; a pool of {} threads {} ({} rounds).",
                t.threads,
                s(t.elapsed_ms),
                200u32.div_ceil(t.threads)
            )
        },
    );
    Some(format!(
        "{what}: async {} on one thread with {} in flight at once{threads}",
        s(a.elapsed_ms),
        number(a.peak_in_flight.into())
    ))
}

fn cpu(rs: &[Record], page: &Page) -> Option<String> {
    let a = find(rs, Model::Async, any)?;
    let p = find(rs, Model::Processes, any)?;
    let gil = find(rs, Model::Threads, |r| r.gil).map_or_else(String::new, |g| {
        format!(", {} threads with the simulated GIL {}", g.threads, x(g.speedup))
    });
    let free = find(rs, Model::Threads, |r| !r.gil).map_or_else(String::new, |t| {
        format!(", {} threads without it (free-threaded) {}", t.threads, x(t.speedup))
    });
    Some(format!(
        "Speedup over one core, {} tasks of 150 ms of computation: async {}{gil}{free}, {} processes {} (this \
         browser reports {} cores).",
        a.tasks,
        x(a.speedup),
        p.processes,
        x(p.speedup),
        page.cores
    ))
}

fn overhead(rs: &[Record]) -> Option<String> {
    let a = find(rs, Model::Async, any)?;
    let p = find(rs, Model::Processes, any)?;
    let start = a.task_start_us.map_or_else(String::new, |us| format!(" and {} µs to start", precise(us)));
    let thread = find(rs, Model::Threads, any).map_or_else(String::new, |t| {
        format!(
            "; a thread: {} MB and {} ms",
            number(t.thread_bytes.unwrap_or(0.0) / f64::from(1 << 20)),
            number(t.thread_start_ms.unwrap_or(0.0))
        )
    });
    let process = if p.processes_started.is_some_and(|n| n > 0) {
        format!("; a process: {} ms to start.", number(p.process_start_ms.unwrap_or(0.0)))
    } else {
        "; processes: already started by an earlier run and reused, as a Pool's are.".into()
    };
    Some(format!("An async task: {} bytes{start}{thread}{process}", number(a.heap_bytes_per_task)))
}

/// "N of M updates lost".
fn lost(r: &Record) -> String {
    let n = |v: Option<f64>| number(v.unwrap_or(f64::NAN));
    format!("{} of {} updates lost", n(r.lost_updates), n(r.counter_expected))
}

fn complexity(rs: &[Record], page: &Page) -> Option<String> {
    let a = find(rs, Model::Async, |r| r.sync == Some(SyncMode::None))?;
    let al = find(rs, Model::Async, |r| r.sync == Some(SyncMode::Lock))?;
    let none = find(rs, Model::Threads, |r| r.sync == Some(SyncMode::None));
    let lock = find(rs, Model::Threads, |r| r.sync == Some(SyncMode::Lock));
    let ns = |r: &Record| number(r.ns_per_update.unwrap_or(f64::NAN));
    let threads = match (none, lock) {
        (Some(none), Some(lock)) => format!(
            "2 threads doing counter += 1 a million times each: without a lock {} ({} ns per update); with a \
             lock {} ({} ns per update). These threads run in parallel; CPython 3.11's GIL hides this race (it \
             lost none here), free-threaded 3.13t shows it. ",
            lost(none),
            ns(none),
            lost(lock),
            ns(lock)
        ),
        _ => format!("The race needs threads that share memory: {} ", no_threads(page)),
    };
    Some(format!(
        "{threads}Async, with an await between read and write: {}; with an asyncio.Lock: {}.",
        lost(a),
        lost(al)
    ))
}

fn errors(rs: &[Record]) -> Option<String> {
    use crate::params::FailMode;
    let gather = find(rs, Model::Async, |r| r.fail_mode == Some(FailMode::JoinAll))?;
    let group = find(rs, Model::Async, |r| r.fail_mode == Some(FailMode::TryJoinAll))?;
    let p = find(rs, Model::Processes, any)?;
    let threads = find(rs, Model::Threads, any)
        .map_or_else(String::new, |t| format!("; threads: {} others finished in their threads", t.finished));
    Some(format!(
        "Task 1 failed in each: async gather let {} others finish; a TaskGroup cancelled {} and ended at \
         {}{threads}; processes: {} finished and the error came back in task 1's result.",
        gather.finished,
        group.cancelled,
        s(group.elapsed_ms),
        p.finished
    ))
}

fn blocking(rs: &[Record]) -> Option<String> {
    let a = find(rs, Model::Async, any)?;
    let threads = find(rs, Model::Threads, any)
        .map_or_else(|| ".".to_string(), |t| format!("; on 3 threads they overlapped: {}.", s(t.elapsed_ms)));
    Some(format!(
        "3 blocking calls of 300 ms: inside async they ran one by one, {}, and the page's event loop stalled \
         for up to {} ms at a stretch{threads}",
        s(a.elapsed_ms),
        number(a.event_loop_busy_ms)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{LaneInfo, OrNull};

    fn record(model: Model, elapsed_ms: f64, lanes: &[&str]) -> Record {
        let lanes = lanes.iter().map(|l| LaneInfo { lane: 0, label: l.to_string(), rows: 1 }).collect();
        Record { model, elapsed_ms, lanes, ..Record::default() }
    }

    #[test]
    fn the_model_row_names_the_lanes_each_model_used() {
        let rs = [
            record(Model::Async, 1004.0, &["event loop"]),
            record(Model::Threads, 1010.0, &["thread 1", "thread 2", "thread 3"]),
        ];
        assert_eq!(
            sentence("model", &rs, &Page::default()).unwrap(),
            "async ran 3 tasks of 1 s on 1 lane (event loop) in 1.00 s; threads ran them on 3 lanes (thread 1, \
             thread 2, thread 3) in 1.01 s."
        );
        let page = Page { cores: 2, no_threads: Some("Threads are off here.".into()) };
        assert!(
            sentence("model", &rs[..1], &page)
                .unwrap()
                .ends_with("; threads cannot run on this page: Threads are off here.")
        );
    }

    #[test]
    fn the_io_verdict_is_the_best_for_row() {
        let mut a = record(Model::Async, 230.0, &[]);
        a.workload = Workload::Fetch;
        a.answered_by = OrNull(Some("service worker".into()));
        a.peak_in_flight = 200;
        let t = Record { threads: 16, ..record(Model::Threads, 2600.0, &[]) };
        let rs = [a, t];
        let want = "200 HTTP requests answered after 200 ms (by the service worker): async 0.23 s on one thread with 200 \
                    in flight at once; a pool of 16 threads 2.60 s (13 rounds).";
        assert_eq!(sentence("best-for", &rs, &Page::default()).unwrap(), want);
        assert_eq!(sentence("io", &rs, &Page::default()).unwrap(), want);
    }

    #[test]
    fn missing_records_and_unknown_keys_give_no_sentence() {
        assert_eq!(sentence("cpu", &[record(Model::Async, 1.0, &[])], &Page::default()), None);
        assert_eq!(sentence("nope", &[], &Page::default()), None);
    }

    #[test]
    fn overhead_counts_a_task_a_thread_and_a_process() {
        let a = Record {
            heap_bytes_per_task: 41.3,
            task_start_us: Some(0.0912),
            ..record(Model::Async, 1.0, &[])
        };
        let t = Record {
            thread_bytes: Some(2.0 * f64::from(1 << 20)),
            thread_start_ms: Some(21.4),
            ..record(Model::Threads, 1.0, &[])
        };
        let p = Record {
            processes_started: Some(2),
            process_start_ms: Some(35.0),
            ..record(Model::Processes, 1.0, &[])
        };
        assert_eq!(
            sentence("overhead", &[a, t, p], &Page::default()).unwrap(),
            "An async task: 41.3 bytes and 0.091 µs to start; a thread: 2 MB and 21.4 ms; a process: 35 ms to start."
        );
    }
}
