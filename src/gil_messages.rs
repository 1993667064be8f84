//! The GIL for threads of separate memory (`runner::separate_threads`): Web Workers that share no
//! memory, so the lock cannot be a mutex and a condition variable as in CPython
//! (`Python/ceval_gil.c`) or in [`crate::gil`]. It is a real lock all the same, held by the page's
//! main thread, the arbiter, and handed between the threads by messages: a thread asks for it,
//! computes only once it was granted, and hands it back by message.
//!
//! CPython's rules, as messages: a thread that asks while another holds the lock is queued; the
//! holder is told that someone waits and when its switch interval (`sys.setswitchinterval`) will be
//! over, counted from when the waiter asked or from when the holder took the lock, whichever is
//! later. That is the moment CPython's waiter sets `gil_drop_request`; the holder checks for it
//! between chunks of work (its eval breaker) and drops the lock. It asks again at once, behind the
//! others, so the lock really changes hands ("forced switching"). A thread that blocks (a sleep, a
//! request) holds no lock while it waits, and asks for it when it wakes.
//!
//! The holder, not the arbiter, watches the clock for the interval's end: the page's timers are
//! clamped (4 ms once nested) and wait behind whatever the page draws, while the holder reads its
//! clock between chunks of work anyway.
//!
//! This module is the arbiter's logic alone, pure (events in with the time on the page's one
//! clock, messages out), so it tests natively; `runner::separate_gil` carries the messages.

use std::collections::VecDeque;

use crate::record::{GilRecord, Hold, MAX_HOLDS};
use crate::timeline::{Lane, Wait, WaitKind};

/// What the arbiter tells a thread (`lane`: the thread's lane number).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Message {
    /// The lock is yours. `drop_in_ms`: another thread waits, drop it that many ms after this
    /// message (the switch interval); `None`: nobody waits yet.
    Grant {
        /// The thread.
        lane: u32,
        /// See the variant.
        drop_in_ms: Option<f64>,
    },
    /// To the holder: a thread now waits; drop the lock `drop_in_ms` ms from now (0: at once).
    Waiter {
        /// The holder.
        lane: u32,
        /// See the variant.
        drop_in_ms: f64,
    },
}

/// A thread waiting for the lock: its lane, its task, since when.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    lane: u32,
    id: u32,
    since: f64,
}

/// The lock and its history. See the module docs.
#[derive(Debug)]
pub struct Arbiter {
    interval_ms: f64,
    /// The holder's lane, its task and when it took the lock.
    holder: Option<Waiting>,
    /// Threads waiting, first come first served.
    queue: VecDeque<Waiting>,
    /// Whether the holder was told that someone waits.
    told: bool,
    /// The last thread that held it (0: none yet).
    last: u32,
    holds: Vec<Hold>,
    handoffs: u64,
    waits: Vec<Wait>,
}

impl Arbiter {
    /// A free lock with this switch interval, in µs.
    pub fn new(interval_us: u32) -> Arbiter {
        Arbiter {
            interval_ms: f64::from(interval_us.max(1)) / 1000.0,
            holder: None,
            queue: VecDeque::new(),
            told: false,
            last: 0,
            holds: Vec::new(),
            handoffs: 0,
            waits: Vec::new(),
        }
    }

    /// Thread `lane`, running task `id`, asks for the lock at `at` (ms on the page's clock).
    pub fn ask(&mut self, lane: u32, id: u32, at: f64) -> Vec<Message> {
        self.queue.push_back(Waiting { lane, id, since: at });
        match self.holder {
            None => self.grant_next(at).into_iter().collect(),
            Some(h) if !self.told => {
                self.told = true;
                // The interval runs from the ask or from the holder's take, whichever is later.
                let due = at.max(h.since) + self.interval_ms;
                vec![Message::Waiter { lane: h.lane, drop_in_ms: (due - at).max(0.0) }]
            }
            Some(_) => Vec::new(),
        }
    }

    /// Thread `lane` dropped the lock at `at`; `again`: it wants it back at once (it was asked to
    /// drop it and has work left), and queues behind the threads waiting.
    pub fn drop_lock(&mut self, lane: u32, again: bool, at: f64) -> Vec<Message> {
        let Some(h) = self.holder.filter(|h| h.lane == lane) else { return Vec::new() };
        self.end_hold(h, at);
        if again {
            self.queue.push_back(Waiting { lane, id: h.id, since: at });
        }
        self.grant_next(at).into_iter().collect()
    }

    /// Thread `lane` is gone (the run stopped, its worker ended): out of the queue, and its hold
    /// ends. Messages for the next holder, if it held the lock.
    pub fn leave(&mut self, lane: u32, at: f64) -> Vec<Message> {
        self.queue.retain(|w| w.lane != lane);
        self.drop_lock(lane, false, at)
    }

    fn grant_next(&mut self, at: f64) -> Option<Message> {
        let next = self.queue.pop_front()?;
        if at - next.since > 0.05 {
            let lane = Lane::thread(next.lane);
            self.waits.push(Wait { kind: WaitKind::Gil, id: next.id, lane, start: next.since, end: at });
        }
        if self.last != 0 && self.last != next.lane {
            self.handoffs += 1;
        }
        self.last = next.lane;
        self.holder = Some(Waiting { since: at, ..next });
        self.told = !self.queue.is_empty();
        Some(Message::Grant { lane: next.lane, drop_in_ms: self.told.then_some(self.interval_ms) })
    }

    /// Ends hold `h` at `at`, kept (merged with the holder's previous one when nobody held the lock
    /// in between, for less than 0.05 ms), as the shared-memory GIL keeps them.
    fn end_hold(&mut self, h: Waiting, at: f64) {
        self.holder = None;
        self.told = false;
        let hold = Hold { lane: h.lane, start: h.since, end: at.max(h.since) };
        let full = self.holds.len() >= MAX_HOLDS;
        match self.holds.last_mut() {
            Some(last) if last.lane == hold.lane && hold.start - last.end < 0.05 => last.end = hold.end,
            _ if !full => self.holds.push(hold),
            _ => {}
        }
    }

    /// Times the lock was taken by another thread than the one that held it last.
    pub fn handoffs(&self) -> u64 {
        self.handoffs
    }

    /// For the live figure: the holds from index `from` on, the current one last with a NaN end.
    pub fn holds_since(&self, from: usize) -> Vec<Hold> {
        let mut out = self.holds.get(from..).unwrap_or_default().to_vec();
        if let Some(h) = self.holder {
            out.push(Hold { lane: h.lane, start: h.since, end: f64::NAN });
        }
        out
    }

    /// The history at the run's end `at` (a hold still under way ends there), and the threads'
    /// waits for the lock.
    pub fn finish(&mut self, at: f64, switch_interval_us: u32) -> (GilRecord, Vec<Wait>) {
        if let Some(h) = self.holder {
            self.end_hold(h, at);
        }
        self.queue.clear();
        let record = GilRecord {
            holds: std::mem::take(&mut self.holds),
            handoffs: self.handoffs,
            switch_interval_us,
            by_messages: None,
        };
        (record, std::mem::take(&mut self.waits))
    }
}

#[cfg(test)]
mod tests;
