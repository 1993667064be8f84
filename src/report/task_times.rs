//! The record's per-task accounting: each task's busy, scheduled and idle ms and its polls, in
//! the span columns' order, and how late the loop's timers fired. Async runs on the executor give
//! all four (`accounting`); threads and the sequential loop give busy, scheduled and idle from
//! their blocked times (`blocked`), and no polls.

use crate::accounting::TaskTimes;
use crate::blocked::{BlockedTimes, split};
use crate::contract::{F64s, Lateness, LoopColumns, TaskTimeColumns, U32s};
use crate::record::{LoopTurn, Outcome};
use crate::timeline::{Layout, ord32, sort_keys, unord32};

/// The columns for the finished tasks of `layout` that were accounted, in its order. A task's
/// life runs from the run's start (0 ms) to its end; idle is what busy and scheduled leave of
/// it (never below 0: a quick poll's share of its batch may end after the recorded end).
pub fn columns(o: &Outcome, layout: &Layout) -> TaskTimeColumns {
    if let Some(b) = &o.blocked {
        return blocked_columns(o, b, layout);
    }
    let Some(t) = &o.task_times else { return TaskTimeColumns::default() };
    let every = t.every.max(1);
    let mut c = TaskTimeColumns::default();
    for &id in layout.ids.iter().filter(|&&id| id % every == 0) {
        let k = (id / every) as usize;
        let (Some(&busy), Some(&scheduled), Some(&polls)) =
            (t.busy.get(k), t.scheduled.get(k), t.polls.get(k))
        else {
            continue;
        };
        let life = f64::from(o.spans.end[id as usize]);
        let (busy, scheduled) = (f64::from(busy), f64::from(scheduled));
        c.busy.0.push(busy);
        c.scheduled.0.push(scheduled);
        c.idle.0.push((life - busy - scheduled).max(0.0));
        c.polls.0.push(polls);
    }
    c
}

/// The columns of threads or the sequential loop: each finished task's life, from the run's start
/// to its end, split by its blocked time (see `blocked`); no polls.
fn blocked_columns(o: &Outcome, b: &BlockedTimes, layout: &Layout) -> TaskTimeColumns {
    let mut c = TaskTimeColumns::default();
    for &id in layout.ids.iter().filter(|&&id| id % b.every.max(1) == 0) {
        let Some(blocked) = b.of(id) else { continue };
        let i = id as usize;
        let t = split(f64::from(o.spans.start[i]), f64::from(o.spans.end[i]), blocked);
        c.busy.0.push(t.busy);
        c.scheduled.0.push(t.scheduled);
        c.idle.0.push(t.idle);
    }
    c
}

/// Median, p90 and max of the timers' lateness, if any timer fired.
pub fn timer_late(t: &TaskTimes) -> Option<Lateness> {
    if t.timers == 0 {
        return None;
    }
    // Sorted as keys, with the engine's one sort (`timeline::sort_keys`).
    let mut late: Vec<u64> = t.timer_late.iter().map(|&v| u64::from(ord32(v))).collect();
    sort_keys(&mut late);
    let at = |q: f64| {
        let key = late.get(((late.len() as f64 - 1.0) * q).round() as usize);
        key.map_or(t.timer_late_max, |&k| f64::from(unord32(k as u32)))
    };
    Some(Lateness { median: at(0.5), p90: at(0.9), max: t.timer_late_max })
}

/// The event loop's turns as columns.
pub fn loop_turns(turns: &[LoopTurn]) -> LoopColumns {
    let col = |f: fn(&LoopTurn) -> f32| F64s(turns.iter().map(|t| f64::from(f(t))).collect());
    LoopColumns {
        start: col(|t| t.start),
        end: col(|t| t.end),
        polls: U32s(turns.iter().map(|t| t.polls).collect()),
        ready: U32s(turns.iter().map(|t| t.ready).collect()),
    }
}
