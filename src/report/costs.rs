//! "Cost of the machinery": what the engine measured for the latest run of each model, each
//! figure with one sentence on why it differs.

use super::words::{number, precise};
use crate::contract::{CostRow, Record};
use crate::params::{Memory, Timers, Workload};

/// Below this many tasks, a run's heap per task says little about one task.
const FEW_TASKS: u32 = 1000;

/// What CPython 3.11 spends on one pending asyncio task, in bytes, rounded (where it comes
/// from: BENCHMARKS.md, "Figures behind design choices").
const CPYTHON_TASK_BYTES: &str = "1,500";

/// The page's worker pool, as the cost of a thread needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pool {
    /// Whether threads run on this page.
    pub threads: bool,
    /// Threads of the pool.
    pub size: u32,
    /// How long it took to start, once it has.
    pub start_ms: Option<f64>,
}

/// The latest run of each model, where there is one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Latest<'a> {
    /// The latest async run.
    pub r#async: Option<&'a Record>,
    /// The latest threads run.
    pub threads: Option<&'a Record>,
    /// The latest processes run.
    pub processes: Option<&'a Record>,
}

/// Bytes as the list says them: "41.3 bytes", "128 KB", "2.1 MB".
fn bytes(b: f64) -> String {
    if b >= f64::from(1 << 20) {
        format!("{} MB", number(b / f64::from(1 << 20)))
    } else if b >= 1024.0 {
        format!("{} KB", number(b / 1024.0))
    } else {
        format!("{} bytes", number(b))
    }
}

fn row(name: impl Into<String>, value: impl Into<String>, why: impl Into<String>) -> CostRow {
    CostRow { name: name.into(), value: value.into(), why: why.into() }
}

/// Every row, async first.
pub fn rows(latest: Latest, pool: Pool) -> Vec<CostRow> {
    let mut out = Vec::new();
    if let Some(a) = latest.r#async {
        out.extend(async_rows(a));
    }
    if pool.threads {
        out.extend(thread_rows(latest.threads, latest.r#async, pool));
    }
    if let Some(p) = latest.processes {
        let value = if p.processes_started.is_some_and(|n| n > 0) {
            format!("{} ms", number(p.process_start_ms.unwrap_or(f64::NAN)))
        } else {
            "reused (started earlier)".into()
        };
        out.push(row(
            "Processes: starting one process",
            value,
            "A worker with a wasm instance and memory of its own; kept for the next runs, like a \
             multiprocessing.Pool, because starting is the expensive part.",
        ));
    }
    out
}

/// An async task's heap, and its start where it was measured.
fn async_rows(a: &Record) -> Vec<CostRow> {
    let timers = a.timers.map_or("wheel", |t| t.name());
    // The figure is the run's heap peak over its tasks: with few tasks, what the run needs
    // whatever its size (its record, its output) weighs in, and the sentence says so.
    let few = if a.tasks < FEW_TASKS {
        format!(
            "This run's whole heap peak ({}) over only {} tasks, so it also counts what a run needs whatever \
             its size; run {} tasks to see what one task costs. ",
            bytes(a.heap_peak_bytes),
            number(a.tasks.into()),
            number(f64::from(FEW_TASKS * 10))
        )
    } else {
        String::new()
    };
    let mut rows = vec![row(
        format!("Async: heap per task ({} tasks, {timers} executor)", number(a.tasks.into())),
        bytes(a.heap_bytes_per_task),
        format!(
            "{few}A task is a small state machine in one array, plus its span record; CPython 3.11 spends \
             about {CPYTHON_TASK_BYTES} bytes of memory on each pending asyncio task."
        ),
    )];
    if let Some(us) = a.task_start_us {
        rows.push(row("Async: creating and starting one task", format!("{} µs", precise(us)), start_why(a)));
    }
    rows
}

/// Why starting an async task costs what it did: what that run's tasks did as they started.
fn start_why(a: &Record) -> &'static str {
    if a.workload == Workload::Fetch {
        "A function call, an entry in a queue and the browser's fetch() of the task's request: no thread, no stack."
    } else if a.timers == Some(Timers::PerTask) {
        "A function call, an entry in a queue and a browser timer of the task's own: no thread, no stack."
    } else {
        "A function call and an entry in a queue: no thread, no stack, nothing from the browser."
    }
}

/// `v` rounded to two significant digits.
fn two_digits(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let unit = 10f64.powi(v.abs().log10().floor() as i32 - 1);
    (v / unit).round() * unit
}

/// A thread's memory and start, against the async start measured above when there is one.
fn thread_rows(t: Option<&Record>, a: Option<&Record>, pool: Pool) -> Vec<CostRow> {
    // A run with more threads than the pool started (or reused) threads of its own.
    let own = t.and_then(|t| t.threads_started);
    let measure = "run threads to measure";
    let separate = t.is_some_and(|t| t.memory == Some(Memory::Separate));
    let memory = row(
        if own.is_some() {
            "Threads: memory per thread started past the pool"
        } else {
            "Threads: memory per pool thread"
        },
        t.map_or(measure.into(), |t| bytes(t.thread_bytes.unwrap_or(f64::NAN))),
        if separate {
            "Each thread is a Web Worker with a wasm instance and memory of its own, used or not."
        } else {
            "Each thread has its own stack and thread-local storage in the shared wasm memory, used or not."
        },
    );
    let thread_ms = t.map_or(f64::NAN, |t| t.thread_start_ms.unwrap_or(f64::NAN));
    let ratio = match (t, a.and_then(|a| a.task_start_us).filter(|us| *us != 0.0)) {
        (Some(_), Some(us)) => two_digits(thread_ms * 1000.0 / us),
        _ => 0.0,
    };
    let compared = if ratio > 1.0 {
        format!(": about {} times the cost of starting one async task, above. ", number(ratio))
    } else {
        ". ".into()
    };
    let started = match (own, t) {
        (Some(0), _) => {
            "This run's threads were left from an earlier run: none started in its time.".to_string()
        }
        (Some(n), Some(t)) => format!(
            "This run started {} of its threads, in {} ms of its {} ms.",
            number(n.into()),
            number(t.threads_start_ms.unwrap_or(f64::NAN)),
            number(t.elapsed_ms)
        ),
        (None, Some(t)) if separate => format!(
            "Its threads were started before the run's clock ({} ms) and are kept for later runs.",
            number(t.pool_wait_ms.unwrap_or(0.0))
        ),
        _ => format!(
            "The pool of {} started once, in {} ms, before any run.",
            pool.size,
            pool.start_ms.map_or("0".into(), number)
        ),
    };
    let instance = if separate {
        "a wasm instance and memory of its own"
    } else {
        "a wasm instance on the shared memory"
    };
    let start = row(
        "Threads: starting one worker thread",
        t.map_or(measure.into(), |_| format!("{} ms", number(thread_ms))),
        format!("A Web Worker, a module and {instance}{compared}{started}"),
    );
    vec![memory, start]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Model;

    #[test]
    fn a_small_async_run_says_its_heap_counts_more_than_its_tasks() {
        let a = Record {
            model: Model::Async,
            tasks: 3,
            heap_peak_bytes: 3000.0,
            heap_bytes_per_task: 1000.0,
            ..Record::default()
        };
        let rows = rows(Latest { r#async: Some(&a), ..Latest::default() }, Pool::default());
        assert_eq!(rows.len(), 1, "no start figure: none was measured");
        assert_eq!(rows[0].name, "Async: heap per task (3 tasks, wheel executor)");
        assert_eq!(rows[0].value, "1,000 bytes");
        assert!(
            rows[0].why.starts_with("This run's whole heap peak (2.9 KB) over only 3 tasks"),
            "{}",
            rows[0].why
        );
    }

    #[test]
    fn a_thread_start_is_compared_with_an_async_start() {
        let a = Record { model: Model::Async, tasks: 10_000, task_start_us: Some(0.09), ..Record::default() };
        let t = Record {
            model: Model::Threads,
            thread_start_ms: Some(21.4),
            thread_bytes: Some(131_072.0),
            ..Record::default()
        };
        let pool = Pool { threads: true, size: 16, start_ms: Some(400.0) };
        let rows = rows(Latest { r#async: Some(&a), threads: Some(&t), processes: None }, pool);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Async: heap per task (10,000 tasks, wheel executor)",
                "Async: creating and starting one task",
                "Threads: memory per pool thread",
                "Threads: starting one worker thread"
            ]
        );
        assert_eq!(rows[2].value, "128 KB");
        assert_eq!(
            rows[3].why,
            "A Web Worker, a module and a wasm instance on the shared memory: about 240,000 times the cost of \
             starting one async task, above. The pool of 16 started once, in 400 ms, before any run."
        );
    }

    #[test]
    fn without_a_threads_run_the_thread_rows_ask_for_one() {
        let rows = rows(Latest::default(), Pool { threads: true, size: 2, start_ms: None });
        assert_eq!(rows[0].value, "run threads to measure");
        assert!(rows[1].why.ends_with("The pool of 2 started once, in 0 ms, before any run."));
    }
}
