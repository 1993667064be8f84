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
//! The page sees a message when it arrives, not when the thread sent it, and sends a grant before
//! the thread sees it: by the page's times alone, one thread's drop and the next one's grant fall
//! in the same instant, and a hand-off would look free. So each message also says what the
//! thread's clock read (on the same axis, `crate::clock`): when it was sent, and for a drop, when
//! the grant of the hold it ends had arrived, and how long the thread waited for that grant. The
//! history keeps the holds and the waits as the threads lived them. A hand-off's cost is timed
//! with durations only, each on one clock (two threads' clocks, read to 1 ms in Firefox without
//! isolation, disagree by more than a hand-off takes): the thread's wait for its grant, on its
//! clock, less the time the page kept it queued behind the holder, on the page's: its message's
//! way to the page and the grant's way back, the two ways a hand-off takes.
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

/// A thread's message as the arbiter takes it, in ms on the run's clock: when it arrived (`at`,
/// the page's reading), when the thread sent it (`sent`), and for a drop, when the grant of the
/// hold it ends had reached the thread (`granted`) and how long the thread had waited for it, from
/// sending its ask (or drop) to the grant's arrival, on its own clock (`took`); `None`: not said.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Post {
    /// See the type.
    pub at: f64,
    /// See the type.
    pub sent: f64,
    /// See the type.
    pub granted: Option<f64>,
    /// See the type.
    pub took: Option<f64>,
}

impl Post {
    /// A message that says nothing of the thread's clock: sent as it arrived.
    pub fn at(at: f64) -> Post {
        Post { at, sent: at, granted: None, took: None }
    }
}

/// A thread waiting for the lock (or holding it): its lane, its task, since when on the page's
/// clock (`since`), since when on its own (`asked`).
#[derive(Clone, Copy, Debug)]
struct Waiting {
    lane: u32,
    id: u32,
    since: f64,
    asked: f64,
}

/// The holder: when it was granted the lock, the wait that ended then (its index in `waits`), and
/// for a hand-off, how long the page kept its ask queued (ms on the page's clock).
#[derive(Clone, Copy, Debug)]
struct Holder {
    lane: u32,
    id: u32,
    since: f64,
    wait: Option<usize>,
    queued: Option<f64>,
}

/// The lock and its history. See the module docs.
#[derive(Debug)]
pub struct Arbiter {
    interval_ms: f64,
    /// The holder, see [`Holder`].
    holder: Option<Holder>,
    /// Threads waiting, first come first served.
    queue: VecDeque<Waiting>,
    /// Whether the holder was told that someone waits.
    told: bool,
    /// The last thread that held it (0: none yet).
    last: u32,
    holds: Vec<Hold>,
    handoffs: u64,
    waits: Vec<Wait>,
    /// Hand-offs timed (see the module docs), and their ms in all.
    timed: (u32, f64),
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
            timed: (0, 0.0),
        }
    }

    /// Thread `lane`, running task `id`, asks for the lock (`post`: when, see [`Post`]).
    pub fn ask(&mut self, lane: u32, id: u32, post: Post) -> Vec<Message> {
        let at = post.at;
        self.queue.push_back(Waiting { lane, id, since: at, asked: post.sent.min(at) });
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

    /// Thread `lane` dropped the lock (`post`: when, see [`Post`]); `again`: it wants it back at
    /// once (it was asked to drop it and has work left), and queues behind the threads waiting.
    pub fn drop_lock(&mut self, lane: u32, again: bool, post: Post) -> Vec<Message> {
        let Some(h) = self.holder.filter(|h| h.lane == lane) else { return Vec::new() };
        self.end_hold(h, post);
        if again {
            self.queue.push_back(Waiting { lane, id: h.id, since: post.at, asked: post.sent.min(post.at) });
        }
        self.grant_next(post.at).into_iter().collect()
    }

    /// Thread `lane` is gone (the run stopped, its worker ended): out of the queue, and its hold
    /// ends. Messages for the next holder, if it held the lock.
    pub fn leave(&mut self, lane: u32, at: f64) -> Vec<Message> {
        self.queue.retain(|w| w.lane != lane);
        self.drop_lock(lane, false, Post::at(at))
    }

    /// Grants the lock to the first thread waiting, at `at`.
    fn grant_next(&mut self, at: f64) -> Option<Message> {
        let next = self.queue.pop_front()?;
        let mut wait = None;
        // A wait behind another thread (queued on the page), drawn as the thread waited.
        if at - next.since > 0.05 {
            let lane = Lane::thread(next.lane);
            wait = Some(self.waits.len());
            self.waits.push(Wait { kind: WaitKind::Gil, id: next.id, lane, start: next.asked, end: at });
        }
        let handoff = self.last != 0 && self.last != next.lane;
        if handoff {
            self.handoffs += 1;
        }
        self.last = next.lane;
        let queued = handoff.then_some(at - next.since);
        self.holder = Some(Holder { lane: next.lane, id: next.id, since: at, wait, queued });
        self.told = !self.queue.is_empty();
        Some(Message::Grant { lane: next.lane, drop_in_ms: self.told.then_some(self.interval_ms) })
    }

    /// Ends hold `h` as `post` says (the drop's arrival; on the thread's clock, the grant's arrival
    /// and the drop's sending, where it said them), kept (merged with the holder's previous one
    /// when nobody held the lock in between, for less than 0.05 ms), as the shared-memory GIL
    /// keeps them. A hand-off's cost is counted here, once the thread says how long it waited.
    fn end_hold(&mut self, h: Holder, post: Post) {
        self.holder = None;
        self.told = false;
        let granted = post.granted.unwrap_or(h.since);
        if let (Some(queued), Some(took)) = (h.queued, post.took) {
            self.timed = (self.timed.0 + 1, self.timed.1 + (took - queued));
        }
        if let Some(w) = h.wait.and_then(|i| self.waits.get_mut(i)) {
            w.end = granted.max(w.start);
        }
        // Two threads' clocks may disagree by their rounding: a hold never begins before the
        // previous one ended.
        let start = self.holds.last().map_or(granted, |last| granted.max(last.end));
        let hold = Hold { lane: h.lane, start, end: post.sent.max(start) };
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

    /// The mean cost of a hand-off so far, in ms, over the hand-offs timed (see the module docs);
    /// `None` before the first.
    pub fn handoff_ms(&self) -> Option<f64> {
        let (n, ms) = self.timed;
        (n > 0).then(|| ms / f64::from(n))
    }

    /// The history at the run's end `at` (a hold still under way ends there), and the threads'
    /// waits for the lock.
    pub fn finish(&mut self, at: f64, switch_interval_us: u32) -> (GilRecord, Vec<Wait>) {
        if let Some(h) = self.holder {
            self.end_hold(h, Post::at(at));
        }
        self.queue.clear();
        let record = GilRecord {
            holds: std::mem::take(&mut self.holds),
            handoffs: self.handoffs,
            switch_interval_us,
            by_messages: None,
            handoff_ms: self.handoff_ms(),
        };
        (record, std::mem::take(&mut self.waits))
    }
}

#[cfg(test)]
mod tests;
