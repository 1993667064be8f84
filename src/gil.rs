//! A simulated GIL for the threads model: one lock that a thread must hold while it computes,
//! released during blocking I/O and sleep, and handed over at a switch interval, the way
//! CPython's global interpreter lock works (`Python/ceval_gil.c`, `take_gil` and `drop_gil`).
//!
//! As in CPython: a thread that wants the lock waits for it at most one switch interval
//! (`sys.setswitchinterval`, 5 ms by default); if the lock has not changed hands meanwhile, it
//! sets `gil_drop_request` (see [`Gil::acquire`] for when the interval starts). The holder checks that flag between chunks of work (CPython's eval
//! breaker), drops the lock, and waits until another thread has taken it before asking for it
//! again ("forced switching"), so the lock really changes hands. A thread that blocks (sleep, a
//! request) drops the lock at once and must take it back when it wakes: behind a computing
//! thread, that takes up to a switch interval (David Beazley's convoy effect).
//!
//! It records who held it, from when to when ([`Hold`]), and how many times it changed hands.
//!
//! Only worker threads take it: it blocks, and blocking traps on the page's main thread. The
//! page's thread reads it for the live figure with [`Gil::holds_since`], which never blocks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

pub use crate::record::{GilRecord, Hold};
use crate::run::RunState;

#[derive(Default)]
struct State {
    /// The holder's lane number; 0: nobody holds it.
    holder: u32,
    /// When the holder took it.
    since: f64,
    /// When the last hold ended. Each thread reads its own worker's clock, whose time origin
    /// may differ from another worker's by a few µs or more (../shared/TOOLCHAIN-FACTS.md), so
    /// a hold is never recorded as starting before the one it followed ended: the lock orders
    /// them, whatever the clocks say.
    released: f64,
    /// The last thread that held it.
    last: u32,
    /// Threads waiting to take it.
    waiting: u32,
    /// Times the lock was taken (CPython's `switch_number`), so a waiter can tell whether it
    /// changed hands during its interval, and a thread that dropped it can see another take it.
    takes: u64,
    holds: Vec<Hold>,
    handoffs: u64,
}

/// The lock. See the module docs.
pub struct Gil {
    state: Mutex<State>,
    changed: Condvar,
    /// Set by a thread that waited a whole interval; read by the holder without locking.
    drop_request: AtomicBool,
    interval_us: u32,
    /// Hand-offs so far, readable without the lock.
    handoffs: AtomicU64,
    /// `takes`, readable without the lock.
    taken: AtomicU64,
}

impl Gil {
    /// A GIL with this switch interval, in µs.
    pub fn new(interval_us: u32) -> Gil {
        Gil {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval_us: interval_us.max(1),
            handoffs: AtomicU64::new(0),
            taken: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a thread panicked, which aborts on wasm; nothing to recover.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn interval(&self) -> Duration {
        Duration::from_micros(self.interval_us.into())
    }

    /// Thread `lane` takes the lock (`take_gil`), waiting as long as it takes; `false` if the run
    /// was stopped meanwhile.
    ///
    pub fn acquire(&self, lane: u32, run: &RunState) -> bool {
        self.acquire_wanted_since(lane, run.since_start(), run)
    }

    /// [`Gil::acquire`] for a thread that has wanted the lock since `began` (ms on the run's
    /// clock). The interval runs from then or from when the holder took the lock, whichever is
    /// later. CPython starts it when the waiter enters `take_gil`: the same on a quiet machine,
    /// but a thread that has just handed the lock over enters late when a loaded machine wakes it
    /// late (measured here at load 8-17 on 2 cores: woken 1.5 to 11 ms after the other thread
    /// took the lock, on the kernel's 4 ms ticks, which made two computing threads switch every
    /// 8-10 ms at an interval of 5).
    fn acquire_wanted_since(&self, lane: u32, began: f64, run: &RunState) -> bool {
        let interval_ms = f64::from(self.interval_us) / 1000.0;
        let mut s = self.lock();
        s.waiting += 1;
        while s.holder != 0 {
            let left = began.max(s.since) + interval_ms - run.since_start();
            let wait = if left > 0.0 {
                Duration::from_secs_f64(left / 1000.0)
            } else {
                // A whole interval and the same holder: ask it to drop the lock at its next check.
                self.drop_request.store(true, Ordering::Release);
                self.interval()
            };
            s = self.changed.wait_timeout(s, wait).unwrap_or_else(|e| e.into_inner()).0;
            if run.is_stopped() {
                s.waiting -= 1;
                return false;
            }
        }
        s.waiting -= 1;
        s.holder = lane;
        s.since = run.since_start().max(s.released);
        s.takes += 1;
        self.taken.store(s.takes, Ordering::Release);
        if s.last != 0 && s.last != lane {
            s.handoffs += 1;
            self.handoffs.store(s.handoffs, Ordering::Relaxed);
        }
        s.last = lane;
        self.drop_request.store(false, Ordering::Release);
        drop(s);
        // The previous holder may be waiting to see the lock change hands.
        self.changed.notify_all();
        true
    }

    /// Ends the holder's hold, keeping it (merged with the holder's previous one when nobody
    /// held the lock in between, for less than 0.05 ms).
    fn end_hold(s: &mut State, now: f64) {
        if s.holder == 0 {
            return;
        }
        let hold = Hold { lane: s.holder, start: s.since, end: now.max(s.since) };
        s.holder = 0;
        s.released = hold.end;
        let full = s.holds.len() >= crate::record::MAX_HOLDS;
        match s.holds.last_mut() {
            Some(last) if last.lane == hold.lane && hold.start - last.end < 0.05 => last.end = hold.end,
            _ if !full => s.holds.push(hold),
            _ => {}
        }
    }

    /// Drops the lock (`drop_gil`): before blocking I/O or sleep, or when the thread's work is
    /// done.
    pub fn release(&self, run: &RunState) {
        let mut s = self.lock();
        Self::end_hold(&mut s, run.since_start());
        drop(s);
        self.changed.notify_all();
    }

    /// Whether a waiter has asked the holder to hand the lock over (one atomic read).
    pub fn asked(&self) -> bool {
        self.drop_request.load(Ordering::Acquire)
    }

    /// Called by the holder, thread `lane`, between chunks of work (CPython's eval breaker): if
    /// a waiter asked, hands the lock over and takes it back after another thread had it.
    /// Returns `true` if the lock changed hands, `None` if the run was stopped while waiting to
    /// get it back.
    pub fn switch_if_asked(&self, lane: u32, run: &RunState) -> Option<bool> {
        if !self.asked() {
            return Some(false);
        }
        let mut s = self.lock();
        let takes = s.takes;
        let dropped = run.since_start();
        Self::end_hold(&mut s, dropped);
        self.drop_request.store(false, Ordering::Release);
        drop(s);
        self.changed.notify_all();
        // Forced switching: wait until another thread has taken the lock (or nobody wants it).
        // The waiter was woken just now and takes it within microseconds: watch for that a
        // moment before sleeping, since a sleeping thread is woken late on a loaded machine.
        let spin_until = dropped + (f64::from(self.interval_us) / 1000.0).min(0.5);
        while self.taken.load(Ordering::Acquire) == takes && run.since_start() < spin_until {
            std::hint::spin_loop();
        }
        let mut s = self.lock();
        while s.takes == takes && s.waiting > 0 && !run.is_stopped() {
            s = self.changed.wait_timeout(s, self.interval()).unwrap_or_else(|e| e.into_inner()).0;
        }
        drop(s);
        // It has wanted the lock back since it dropped it.
        if self.acquire_wanted_since(lane, dropped, run) { Some(true) } else { None }
    }

    /// Hand-offs so far (without locking).
    pub fn handoffs(&self) -> u64 {
        self.handoffs.load(Ordering::Relaxed)
    }

    /// For the live figure, on the page's thread: the holds from index `from` on, the current
    /// one last with a NaN end; `None` when a worker holds the state's lock right now (it is
    /// never waited for: the page's thread may not block).
    pub fn holds_since(&self, from: usize) -> Option<Vec<Hold>> {
        let s = self.state.try_lock().ok()?;
        let mut out: Vec<Hold> = s.holds.get(from..).unwrap_or_default().to_vec();
        if s.holder != 0 {
            out.push(Hold { lane: s.holder, start: s.since, end: f64::NAN });
        }
        Some(out)
    }

    /// The history, once the run's threads are done with the lock.
    pub fn record(&self, run: &RunState) -> GilRecord {
        let mut s = self.lock();
        Self::end_hold(&mut s, run.since_start());
        GilRecord {
            holds: std::mem::take(&mut s.holds),
            handoffs: s.handoffs,
            switch_interval_us: self.interval_us,
            by_messages: None,
            handoff_ms: None,
        }
    }
}

impl crate::run::GilView for Gil {
    fn handoffs(&self) -> u64 {
        Gil::handoffs(self)
    }
    fn holds_since(&self, from: usize) -> Option<Vec<Hold>> {
        Gil::holds_since(self, from)
    }
}
