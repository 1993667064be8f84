//! A simulated GIL for the threads model: one lock that a thread must hold while it
//! computes, released during blocking I/O, and handed over at a switch interval, the way CPython's
//! global interpreter lock works (`sys.getswitchinterval()` is 5 ms by default).
//!
//! Like CPython's: a thread that has waited a whole interval asks the holder to drop the lock;
//! the holder checks between chunks of work, drops it, and waits until another thread has taken
//! it before asking again ("forced switching"), so the lock really changes hands.
//!
//! Only worker threads touch it: it blocks, and blocking traps on the page's main thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::run::RunState;

/// CPython's default switch interval.
pub const SWITCH_INTERVAL_MS: u64 = 5;

#[derive(Default)]
struct State {
    held: bool,
    /// Threads waiting to acquire.
    waiting: u32,
    /// Times the lock was taken, so a thread that dropped it can see another take it.
    takes: u64,
}

/// The lock. See the module docs.
pub struct Gil {
    state: Mutex<State>,
    changed: Condvar,
    /// Set by a thread that waited a whole interval; read by the holder without locking.
    drop_request: AtomicBool,
}

impl Default for Gil {
    fn default() -> Self {
        Gil {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
        }
    }
}

impl Gil {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a thread panicked, which aborts on wasm; nothing to recover.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the lock, waiting as long as it takes; `false` if the run was stopped meanwhile.
    pub fn acquire(&self, run: &RunState) -> bool {
        let mut s = self.lock();
        s.waiting += 1;
        while s.held {
            let (guard, timeout) = self
                .changed
                .wait_timeout(s, Duration::from_millis(SWITCH_INTERVAL_MS))
                .unwrap_or_else(|e| e.into_inner());
            s = guard;
            if run.is_stopped() {
                s.waiting -= 1;
                return false;
            }
            if timeout.timed_out() && s.held {
                self.drop_request.store(true, Ordering::Release);
            }
        }
        s.waiting -= 1;
        s.held = true;
        s.takes += 1;
        self.drop_request.store(false, Ordering::Release);
        drop(s);
        // The previous holder may be waiting to see the lock change hands.
        self.changed.notify_all();
        true
    }

    /// Drops the lock (before blocking I/O, or when the thread's work is done).
    pub fn release(&self) {
        let mut s = self.lock();
        s.held = false;
        drop(s);
        self.changed.notify_all();
    }

    /// Whether a waiter has asked the holder to hand the lock over (one atomic read).
    pub fn asked(&self) -> bool {
        self.drop_request.load(Ordering::Acquire)
    }

    /// Called by the holder between chunks of work: if a waiter asked, hands the lock over and
    /// takes it back after another thread had it. Returns `true` if the lock changed hands,
    /// `None` if the run was stopped while waiting to get it back.
    pub fn switch_if_asked(&self, run: &RunState) -> Option<bool> {
        if !self.drop_request.load(Ordering::Acquire) {
            return Some(false);
        }
        let mut s = self.lock();
        let takes = s.takes;
        s.held = false;
        self.drop_request.store(false, Ordering::Release);
        self.changed.notify_all();
        // Forced switching: wait until another thread has taken the lock (or nobody wants it).
        while s.takes == takes && s.waiting > 0 && !run.is_stopped() {
            s = self
                .changed
                .wait_timeout(s, Duration::from_millis(SWITCH_INTERVAL_MS))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        drop(s);
        if self.acquire(run) { Some(true) } else { None }
    }
}
