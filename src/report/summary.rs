//! The sentence that says what a run shows, next to its result: its effect in terms of the model
//! (all tasks waited at once on one thread; threads blocked one task at a time...), or its
//! failure, or that it was stopped. Words only: every figure comes from the record itself.

use super::words::{ms, number, plural, times};
use crate::contract::Record;
use crate::decimal::{Fixed, Shortest};
use crate::params::{FailMode, Model, Workload};

/// The record's explanation: the run's sentence, then its notes.
pub fn explanation(r: &Record, cores: u32) -> String {
    let first = if r.stopped {
        Some(format!("Stopped: {} of {} tasks had finished.", r.finished, r.tasks))
    } else {
        // A failure changes the story: tell that one, not the usual effect.
        failure(r).or_else(|| effect(r, cores.max(1)))
    };
    first.into_iter().chain(r.notes.iter().cloned()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Tasks that never started: neither finished, failed nor cancelled.
fn unstarted(r: &Record) -> u32 {
    r.tasks.saturating_sub(r.finished + r.failed + r.cancelled)
}

fn ideal(r: &Record) -> f64 {
    r.ideal_ms.0.unwrap_or(0.0)
}

/// What a failing task did to the run, as each model's program handles it.
fn failure(r: &Record) -> Option<String> {
    let k = r.fail.0?;
    if r.errors.is_empty() {
        return None;
    }
    Some(match r.model {
        Model::Async if r.fail_mode == Some(FailMode::TryJoinAll) => {
            let never = unstarted(r);
            let mut s = format!(
                "Task {k} failed; try_join_all ended the run there ({}) and dropped, so cancelled, the other {} in flight",
                ms(r.elapsed_ms),
                plural(r.cancelled, "task", "tasks")
            );
            s.push_str(&if never > 0 {
                format!("; {} never started.", plural(never, "task", "tasks"))
            } else {
                ".".into()
            });
            // With a limit, tasks still waiting for their turn never start. Measured with the code
            // panel's program under CPython 3.11 (tests/e2e/teach.test.mjs).
            if r.limit.0.is_some() && never > 0 {
                s.push_str(
                    " In CPython the semaphore hands the failed task's place to the next task before the \
                     TaskGroup's cancellation reaches it, so that one starts and is cancelled at once.",
                );
            }
            s
        }
        Model::Async => format!(
            "Task {k} failed; join_all let the other {} finish and handed the error back with the results.",
            r.finished
        ),
        // A panic aborts its worker thread: nothing is handed back, and the engine's error says
        // what the run saw instead.
        Model::Threads if r.crashed && r.error.0.is_some() => r.error.0.clone()?,
        Model::Threads => format!(
            "Task {k} failed in its thread; the other threads went on ({} done), {}",
            plural(r.finished, "task", "tasks"),
            // The code panel's program: a thread of its own per task when there are enough
            // (threading.Thread), else a pool (ThreadPoolExecutor).
            if r.threads >= r.tasks {
                "and the error came back with the results because the program handed it back: a \
                 threading.Thread's exception otherwise stays in its thread (Python prints it there)."
            } else {
                "and the error reached the caller with the results, as future.exception() hands it back."
            }
        ),
        Model::Sequential if r.tasks > k + 1 => format!(
            "Task {k} failed and the loop stopped there: {} never ran.",
            plural(r.tasks - k - 1, "task", "tasks")
        ),
        Model::Sequential => format!("Task {k} failed; it was the last, so the loop had run every task."),
        Model::Processes => format!(
            "Task {k} failed in its process; the others were unaffected and the error came back in that \
             task's message (its result's get() raises it in the parent)."
        ),
    })
}

/// What the model did with the run's tasks.
fn effect(r: &Record, cores: u32) -> Option<String> {
    // The counter's tasks do not wait (delay plays no part), and the deadlock's lock waits are not
    // the model's usual rounds: the race notes tell those runs. Processes keep their sentence,
    // which is about starting them.
    if r.workload == Workload::Counter && r.model != Model::Processes {
        return None;
    }
    if r.workload == Workload::Deadlock && matches!(r.model, Model::Async | Model::Threads) {
        return None;
    }
    if r.workload == Workload::Convoy {
        return Some(convoy(r));
    }
    if r.model == Model::Async && (r.offload || r.blocking) {
        return Some(async_blocking(r, cores));
    }
    if r.workload == Workload::Cpu {
        return Some(cpu(r, cores));
    }
    if r.model == Model::Threads && r.gil {
        let what = if r.workload == Workload::Fetch { "requests" } else { "waits" };
        return Some(format!(
            "Waiting releases the GIL, so even with it on the {what} overlapped: {} for an ideal of {}.",
            ms(r.elapsed_ms),
            ms(ideal(r))
        ));
    }
    Some(waiting(r))
}

/// CPython 3.11.7's convoy on this project's machine: a thread looping `time.sleep(0.001)` beside
/// one doing pure-Python CPU work woke this late, median in ms, at each switch interval; and alone
/// (`bench/python_bench.py --kind convoy`, BENCHMARKS.md).
pub const CPYTHON_CONVOY_MS: [(f64, f64); 3] = [(5.0, 5.21), (1.0, 1.18), (0.2, 0.35)];
/// The same thread with no thread computing beside it.
pub const CPYTHON_ALONE_MS: f64 = 0.08;

/// The convoy: how late the waking threads woke, what it means, and what CPython measured.
fn convoy(r: &Record) -> String {
    let late = r.wake_late_ms.clone().unwrap_or_default();
    let Some(median) = late.median.0 else {
        return "No thread woke beside the computing one, so there is no lateness to show.".into();
    };
    let measured = format!(
        "a median {} ms late (p90 {} ms, {})",
        Fixed(median, 2),
        Fixed(late.p90.0.unwrap_or(median), 2),
        plural(late.count, "wake-up", "wake-ups")
    );
    let cpython = CPYTHON_CONVOY_MS
        .iter()
        .map(|&(interval, late)| format!("{} ms at {} ms", Shortest(late), Shortest(interval)))
        .collect::<Vec<_>>()
        .join(", ");
    if r.gil {
        format!(
            "The threads that slept 1 ms at a time beside the computing one woke {measured}: a thread \
             that wakes from I/O must take the GIL back, and the computing thread drops it only when asked, \
             after the switch interval ({} ms), so I/O-bound threads queue behind CPU work (the convoy \
             effect); CPython 3.11.7 woke here {cpython} late, and {} ms with no thread \
             computing.",
            number(r.switch_interval.unwrap_or(5.0)),
            Shortest(CPYTHON_ALONE_MS)
        )
    } else {
        format!(
            "Without the GIL (free-threaded Python) the threads that slept 1 ms at a time woke {measured}, \
             the timer's own lateness: nothing stood between them and the computing thread, as CPython \
             3.11.7 woke {} ms late with no thread computing (and {} ms late beside one \
             with the GIL at the default 5 ms).",
            Shortest(CPYTHON_ALONE_MS),
            Shortest(CPYTHON_CONVOY_MS[0].1)
        )
    }
}

/// Async tasks that blocked the event loop, or handed the blocking part to the pool.
fn async_blocking(r: &Record, cores: u32) -> String {
    if r.offload && r.workload == Workload::Cpu {
        // The offload note says what offloading did to the event loop; this says what it did to
        // the run.
        return format!(
            "The pool's threads computed the tasks in parallel while the event loop awaited them: speedup {} \
             on the {cores} cores this browser reports. In CPython the GIL would let one of them compute \
             at a time: asyncio.to_thread keeps the loop free but does not speed up pure-Python CPU work \
             (a ProcessPoolExecutor does).",
            times(r.speedup.unwrap_or(0.0))
        );
    }
    if r.offload {
        return format!(
            "The blocking calls ran on the pool's threads while the event loop awaited them: {} for an ideal of {}.",
            ms(r.elapsed_ms),
            ms(ideal(r))
        );
    }
    format!(
        "Each task blocked the event loop instead of awaiting: they ran one after another (about {} × {}), \
         and the page could not even paint for up to {} at a stretch.",
        r.tasks,
        ms(f64::from(r.delay)),
        ms(r.event_loop_busy_ms)
    )
}

/// CPU work: one event loop computes one task at a time; threads and processes in parallel,
/// unless the GIL lets one thread compute at a time.
fn cpu(r: &Record, cores: u32) -> String {
    let speed = format!("speedup {}", times(r.speedup.unwrap_or(0.0)));
    match r.model {
        Model::Async | Model::Sequential => format!(
            "CPU work never waits, so one event loop computes one task at a time ({speed}); meanwhile the \
             page's loop was busy for up to {} at a stretch.",
            ms(r.event_loop_busy_ms)
        ),
        Model::Threads if r.gil => {
            let waited: f64 = r.waits.start.0.iter().zip(&r.waits.end.0).map(|(s, e)| e - s).sum();
            format!(
                "With the GIL only one thread computes at a time: {speed}, no better than one thread. The \
                 hatched stretches are threads waiting for the lock ({} in all).",
                ms(waited)
            )
        }
        _ => {
            let n = if r.model == Model::Processes { r.processes } else { r.threads };
            format!(
                "{n} {} computed in parallel: {speed} on the {cores} cores this browser reports.",
                r.model.name()
            )
        }
    }
}

/// Tasks that wait: at once on one loop, in rounds of threads, one after another, or in
/// processes that had to be started.
fn waiting(r: &Record) -> String {
    let n = r.tasks;
    let delay = ms(f64::from(r.delay));
    match r.model {
        // A semaphore (limit) or a connection limit lets only so many wait at once: the ideal
        // then has the tasks wait in rounds, not all together.
        Model::Async => match r.ideal_in_flight.0 {
            Some(width) => format!(
                "The {} tasks waited at most {} at a time on one thread (up to {} in flight): {}, for an \
                 ideal of ceil({} / {}) × {delay} = {}.",
                number(n.into()),
                number(width.into()),
                number(r.peak_in_flight.into()),
                ms(r.elapsed_ms),
                number(n.into()),
                number(width.into()),
                ms(ideal(r))
            ),
            None => format!(
                "All {} tasks waited at once on one thread (up to {} in flight): {}, about one {}.",
                number(n.into()),
                number(r.peak_in_flight.into()),
                ms(r.elapsed_ms),
                if r.workload == Workload::Fetch { "round of requests" } else { "delay" }
            ),
        },
        // More threads than tasks: the others had nothing to do.
        Model::Threads if n < r.threads => format!(
            "{} on {} threads: {} blocked a thread of {} own, {} ideal.",
            plural(n, "task", "tasks"),
            r.threads,
            if n == 1 { "it" } else { "each" },
            if n == 1 { "its" } else { "their" },
            ms(ideal(r))
        ),
        Model::Threads => format!(
            "{} threads each blocked on one task at a time: ceil({n} / {}) × {delay} = {} ideal.",
            r.threads,
            r.threads,
            ms(ideal(r))
        ),
        Model::Sequential => format!("One task after another: {n} × {delay}."),
        Model::Processes => processes(r),
    }
}

/// Processes share nothing; the sentence says how many had to be started.
fn processes(r: &Record) -> String {
    let all = plural(r.processes, "process", "processes");
    let started = r.processes_started.unwrap_or(0);
    if started == 0 {
        return format!("{all}, sharing nothing, left from an earlier run: none had to be started.");
    }
    let cost = format!("({} each, not counted in elapsed)", ms(r.process_start_ms.unwrap_or(0.0)));
    if started >= r.processes {
        let who = if r.processes == 1 { "it".to_string() } else { format!("all {started}") };
        format!("{all}, sharing nothing; {who} had to be started {cost}.")
    } else {
        format!(
            "{all}, sharing nothing; {started} had to be started {cost} and the other {} were reused.",
            r.processes - started
        )
    }
}

/// The event loop as the live view says it during an async run: its ready queue at its last
/// turn and how late its timers fired so far.
pub fn live_loop(ready: u32, timer_late_max_ms: Option<f64>) -> String {
    let queue = match ready {
        0 => "no task ready to run (every task waits for a wake-up)".to_string(),
        1 => "1 task ready to run".to_string(),
        n => format!("{} tasks ready to run", number(f64::from(n))),
    };
    match timer_late_max_ms {
        Some(late) => format!(
            "Event loop: {queue} at its last turn; its timers fired at most {} late so far.",
            ms(late)
        ),
        None => format!("Event loop: {queue} at its last turn."),
    }
}
