//! Predict first (`predict`): the run's headline figure the page asks the learner for before a
//! run ([`question`]), and the one sentence that compares the prediction with what the run
//! measured and says why, in terms of the model and the run's own figures ([`judge`]).
//!
//! The headline figure is the elapsed time for waits, requests and CPU work, the lost updates
//! for the counter, and whether it deadlocks for the deadlock workload.
//!
//! "Close" means: an elapsed time within 25 % of the measured one or within 100 ms, whichever is
//! wider (a run's start, its timers and a busy machine add tens of ms that no model predicts);
//! lost updates within 25 % of the measured count or within 1 % of the updates the run made,
//! whichever is wider (a race loses a different number every run); a deadlock's yes or no when
//! it is the right one.

use super::words::{ms, number, plural};
use crate::contract::{Judgement, Prediction, Question, Record};
use crate::decimal::Fixed;
use crate::params::{Figure, LockOrder, Model, Params, SyncMode, Workload};

/// An elapsed time is close within this share of the measured one...
pub const CLOSE_SHARE: f64 = 0.25;
/// ...or within this many ms, whichever is wider.
pub const CLOSE_MS: f64 = 100.0;
/// Lost updates are close within [`CLOSE_SHARE`] of the measured count, or within this share of
/// the updates the run made, whichever is wider.
pub const CLOSE_UPDATES_SHARE: f64 = 0.01;

/// What the page asks before a run of `p`.
pub fn question(p: &Params) -> Question {
    let figure = Figure::of(p.workload);
    let who = setup(p);
    let prompt = match figure {
        Figure::ElapsedMs => {
            let (tasks, delay) = (plural(p.tasks, "task", "tasks"), ms(p.delay_ms.into()));
            let work = match p.workload {
                Workload::Cpu => format!("{tasks} of {delay} of CPU work"),
                Workload::Fetch => format!("{tasks} that each wait {delay} for a request"),
                Workload::Convoy => format!("{tasks} (one computes for {delay}, the others wake every 1 ms)"),
                _ => format!("{tasks} that each wait {delay}"),
            };
            format!("How long will {work} take on {who}?")
        }
        Figure::LostUpdates => {
            let guard = match (p.sync, p.await_inside) {
                (SyncMode::Lock, _) => ", guarded by a lock",
                (SyncMode::Atomic, _) => ", each one atomic",
                (SyncMode::None, true) => ", with an await between the read and the write",
                (SyncMode::None, false) => "",
            };
            format!(
                "How many of the {} counter updates ({} × {}{guard}) will {who} lose?",
                number(p.counter_expected() as f64),
                plural(p.tasks, "task", "tasks"),
                number(p.increments.into())
            )
        }
        Figure::Deadlock => {
            let order = match p.lock_order {
                LockOrder::Opposite => "in opposite orders",
                LockOrder::Same => "in the same order",
            };
            format!(
                "Will {who} deadlock, with {} taking locks A and B {order}, each holding one for {}?",
                plural(p.tasks, "task", "tasks"),
                ms(p.delay_ms.into())
            )
        }
    };
    Question { model: p.model, figure, prompt }
}

/// The model with what shapes it: "threads (2 threads, with the GIL)", "async with a blocking
/// call in each task", and the failing task if any.
fn setup(p: &Params) -> String {
    let failing = match (p.fail, p.model) {
        (Some(k), Model::Async) => format!(", with task {k} failing ({})", p.fail_mode.name()),
        (Some(k), _) => format!(", with task {k} failing"),
        (None, _) => String::new(),
    };
    format!("{}{failing}", model_setup(p))
}

/// The model with the options that shape its run.
fn model_setup(p: &Params) -> String {
    match p.model {
        Model::Threads => {
            let gil = if p.gil { ", with the GIL" } else { "" };
            format!("threads ({}{gil})", plural(p.threads, "thread", "threads"))
        }
        Model::Processes => format!("processes ({})", plural(p.processes, "process", "processes")),
        Model::Async => {
            let mut s = String::from("async");
            if p.blocking {
                s.push_str(" with a blocking call in each task");
            }
            if p.offload {
                s.push_str(" handing the work to threads");
            }
            if let Some(limit) = p.limit {
                s.push_str(&format!(" (at most {} at once)", number(limit.into())));
            }
            s
        }
        Model::Sequential => "sequential".into(),
    }
}

/// Compares `guess` with what `r` measured, in one sentence; `None` when the prediction does not
/// give the figure the run asks for (the learner skipped it).
pub fn judge(r: &Record, guess: &Prediction) -> Option<Judgement> {
    let figure = Figure::of(r.workload);
    let (close, told) = match figure {
        Figure::ElapsedMs => elapsed(r, guess.elapsed_ms.filter(|g| g.is_finite() && *g >= 0.0)?),
        Figure::LostUpdates => lost(r, guess.lost_updates.filter(|g| g.is_finite() && *g >= 0.0)?),
        Figure::Deadlock => deadlock(r, guess.deadlock?),
    };
    Some(Judgement { figure, close, sentence: told })
}

/// How a predicted duration reads: whole or tenths of seconds from 1 s ("3 s", "1.5 s"), else ms.
fn duration(x: f64) -> String {
    if x >= 1000.0 { format!("{} s", number(x / 1000.0)) } else { ms(x) }
}

/// Whether `guess` is within `share` of `measured` or within `floor` of it.
fn within(guess: f64, measured: f64, share: f64, floor: f64) -> bool {
    (guess - measured).abs() <= (measured.abs() * share).max(floor)
}

fn elapsed(r: &Record, guess: f64) -> (bool, String) {
    let close = within(guess, r.elapsed_ms, CLOSE_SHARE, CLOSE_MS);
    let verdict = if close {
        "close".to_string()
    } else {
        format!("off by {}", duration((guess - r.elapsed_ms).abs()))
    };
    let sentence = format!(
        "You predicted {}; {} took {} ({verdict}): {}.",
        duration(guess),
        r.model.name(),
        ms(r.elapsed_ms),
        why_elapsed(r)
    );
    (close, sentence)
}

/// Why the run took as long as it did, from its own figures.
fn why_elapsed(r: &Record) -> String {
    let n = r.tasks;
    let delay = ms(r.delay.into());
    let ideal = ms(r.ideal_ms.0.unwrap_or(0.0));
    let speedup = format!("speedup {}×", Fixed(r.speedup.unwrap_or(0.0), 2));
    if r.stopped {
        return format!("the run was stopped with {} of {n} tasks done, before its end", r.finished);
    }
    if let Some(k) = r.fail.0.filter(|_| r.failed > 0) {
        return format!("task {k} failed, and how the model handles a failure decided when the run ended");
    }
    let rounds = |width: u32| n.div_ceil(width.max(1));
    match (r.model, r.workload) {
        (_, Workload::Convoy) => {
            format!(
                "task 0 computed for {delay} while the others slept 1 ms at a time, so the run lasted about one delay"
            )
        }
        (Model::Async, Workload::Cpu) if r.offload => {
            format!("the pool's threads computed the tasks while the event loop awaited them ({speedup})")
        }
        (Model::Async | Model::Sequential, Workload::Cpu) => format!(
            "CPU work never waits, so one thread computed the {} one after another ({speedup})",
            plural(n, "task", "tasks")
        ),
        (Model::Threads, Workload::Cpu) if r.gil => {
            format!("with the GIL one thread computed at a time ({speedup}, no better than one thread)")
        }
        (Model::Threads, Workload::Cpu) => {
            format!(
                "{} computed at once, as far as this browser's cores allowed ({speedup})",
                plural(r.threads, "thread", "threads")
            )
        }
        (Model::Processes, Workload::Cpu) => format!(
            "{} computed at once, as far as this browser's cores allowed ({speedup})",
            plural(r.processes, "process", "processes")
        ),
        (Model::Async, _) if r.blocking && !r.offload => format!(
            "each task blocked the event loop instead of awaiting, so the {} waits of {delay} ran one after another",
            number(n.into())
        ),
        (Model::Async, _) if r.offload => {
            format!("each blocking call ran on a pool thread while the event loop awaited it ({ideal} ideal)")
        }
        (Model::Async, _) => match r.ideal_in_flight.0 {
            Some(width) => format!(
                "at most {} tasks waited at a time on one thread (up to {} in flight): {} rounds of {delay}",
                number(width.into()),
                number(r.peak_in_flight.into()),
                number(rounds(width).into())
            ),
            None => format!(
                "all {} tasks waited at once on one thread (up to {} in flight), so the run lasted about one delay of {delay}",
                number(n.into()),
                number(r.peak_in_flight.into())
            ),
        },
        (Model::Threads, _) if n <= r.threads => match n {
            1 => format!("one thread waited once, for {delay}"),
            _ => format!("{} threads each waited once, at the same time, for {delay}", word(n)),
        },
        (Model::Threads, _) => format!(
            "{} threads each waited for one task at a time: ceil({n} / {}) = {} rounds of {delay}",
            number(r.threads.into()),
            r.threads,
            number(rounds(r.threads).into())
        ),
        (Model::Sequential, _) => format!("one task after another: {n} × {delay} = {ideal}"),
        (Model::Processes, _) => format!(
            "{} each waited for one task at a time: {} rounds of {delay} (starting them is not counted)",
            plural(r.processes, "process", "processes"),
            number(rounds(r.processes).into())
        ),
    }
}

/// Small counts in words, as the sentence reads them aloud: "three threads".
fn word(n: u32) -> String {
    const WORDS: [&str; 11] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    WORDS.get(n as usize).map_or_else(|| number(n.into()), |w| (*w).to_string())
}

fn lost(r: &Record, guess: f64) -> (bool, String) {
    // Processes count in their own memory: the record has no lost updates, and none was lost.
    let measured = r.lost_updates.unwrap_or(0.0);
    let made = r.counter_expected.unwrap_or(0.0);
    let close = within(guess, measured, CLOSE_SHARE, made * CLOSE_UPDATES_SHARE);
    let verdict =
        if close { "close".to_string() } else { format!("off by {}", number((guess - measured).abs())) };
    let updates = |x: f64| format!("{} {}", number(x), if x == 1.0 { "update" } else { "updates" });
    let sentence = format!(
        "You predicted {} lost; {} lost {} of {} ({verdict}): {}.",
        updates(guess),
        r.model.name(),
        number(measured),
        number(made),
        why_lost(r, measured)
    );
    (close, sentence)
}

/// Why the counter lost what it lost, in terms of the model.
fn why_lost(r: &Record, measured: f64) -> String {
    let who = if r.model == Model::Async { "task" } else { "thread" };
    match (r.model, r.sync.unwrap_or_default(), measured > 0.0) {
        (Model::Processes, ..) => format!(
            "each of the {} counted in its own memory, so nothing was shared and nothing could be lost",
            plural(r.processes, "process", "processes")
        ),
        (Model::Sequential, ..) => "one task ran at a time, so none came between a read and its write".into(),
        (_, SyncMode::Lock, _) => format!("the lock let one {who} at a time between the read and the write"),
        (_, SyncMode::Atomic, _) => "each update was one atomic add, which nothing can come between".into(),
        (Model::Threads, SyncMode::None, true) => format!(
            "{} ran at once on one counter, and each update's read and write are two steps another core came between, \
             so writes overwrote each other",
            plural(r.threads.min(r.tasks), "thread", "threads")
        ),
        (Model::Threads, SyncMode::None, false) if r.gil => {
            "the GIL changes hands only between whole updates, never between a read and its write".into()
        }
        (Model::Threads, SyncMode::None, false) if r.threads.min(r.tasks) < 2 => {
            "a single thread cannot race with itself".into()
        }
        (Model::Threads, SyncMode::None, false) => {
            "no thread came between a read and its write this time, though nothing prevents it".into()
        }
        (Model::Async, SyncMode::None, true) => format!(
            "each of the {} awaited between its read and its write while the others read the same value, \
             so of each round of updates only one counted",
            plural(r.tasks, "task", "tasks")
        ),
        (Model::Async, SyncMode::None, false) if r.await_inside => {
            "only one task ran at a time, so none came between a read and its write".into()
        }
        (Model::Async, SyncMode::None, false) => {
            "a coroutine is switched only at an await, and there is none between the read and the write"
                .into()
        }
    }
}

fn deadlock(r: &Record, guess: bool) -> (bool, String) {
    let close = guess == r.deadlock;
    let said = if guess { "a deadlock" } else { "no deadlock" };
    let happened = if r.deadlock { "deadlocked" } else { "did not deadlock" };
    let verdict = if close { "right" } else { "wrong" };
    let why = if r.deadlock {
        r.deadlock_cycle
            .0
            .clone()
            .unwrap_or_else(|| "each task held one lock and waited for the other".into())
    } else {
        match (r.model, r.lock_order) {
            _ if r.stopped => "the run was stopped before its end".into(),
            (Model::Sequential, _) => {
                "one task at a time holds the locks, so no task ever waits for another".into()
            }
            (Model::Processes, _) => {
                "each process has its own locks A and B, which no other process can hold".into()
            }
            (_, Some(LockOrder::Same)) => {
                "every task takes A first, so whoever holds A can always take B".into()
            }
            _ => "no two tasks held one lock each at the same moment this time".into(),
        }
    };
    (close, format!("You predicted {said}; {} {happened} ({verdict}): {why}.", r.model.name()))
}

#[cfg(test)]
mod tests;
