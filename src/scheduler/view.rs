//! A game as the page gets it: the contract's [`SchedulerState`], built from the step machine.
//! Pure Rust, tested natively.

use super::result::{challenge, result, verdict};
use super::{Kind, Machine, THREADS};
use crate::contract::{OrNull, SchedulerLock, SchedulerState, SchedulerThread, SchedulerWrite};

/// The game `m` as it stands.
pub fn state(m: &Machine) -> SchedulerState {
    let counter = m.setup.kind == Kind::Counter;
    let locks = if counter && !m.setup.fix {
        0
    } else if counter {
        1
    } else {
        2
    };
    SchedulerState {
        model: if m.setup.asynchronous { "async" } else { "threads" },
        workload: if counter { "counter" } else { "deadlock" },
        fix: m.setup.fix,
        challenge: challenge(&m.setup),
        threads: (0..THREADS).map(|t| thread(m, t)).collect(),
        shared: OrNull(counter.then_some(m.shared as f64)),
        locks: (0..locks)
            .map(|l| SchedulerLock {
                name: if counter { "lock".into() } else { m.lock_name(l) },
                holder: OrNull(m.holder(l).map(|t| m.name(t))),
            })
            .collect(),
        offered: m.offered_threads().iter().map(|&t| t as u32 + 1).collect(),
        steps: m.steps,
        history: m.history.clone(),
        writes: m
            .writes
            .iter()
            .map(|w| SchedulerWrite {
                thread: w.thread as u32 + 1,
                read: w.read as f64,
                wrote: w.wrote as f64,
                overwrote_thread: OrNull(w.overwrote.map(|(t, _)| t as u32 + 1)),
                overwrote: OrNull(w.overwrote.map(|(_, v)| v as f64)),
                lost: w.lost as f64,
            })
            .collect(),
        over: m.over(),
        lost: OrNull(counter.then_some(m.lost() as f64)),
        deadlock: OrNull(m.deadlock.clone()),
        result: OrNull(result(m)),
        verdict: OrNull(verdict(m)),
    }
}

fn thread(m: &Machine, t: usize) -> SchedulerThread {
    let lines = m.lines(t);
    let next = m.pc(t);
    SchedulerThread {
        thread: t as u32 + 1,
        name: m.name(t),
        next_line: OrNull(lines.get(next).cloned()),
        lines,
        next: next as u32,
        tmp: OrNull(m.tmp(t).map(|v| v as f64)),
        waits_for: OrNull(m.waits_for(t).map(|l| m.lock_name(l))),
        offered: m.offered(t),
    }
}
