//! The GIL as a thread of separate memory takes it (`crate::gil_messages` is the arbiter's side,
//! on the page): in a worker of its own, with nothing shared, the thread asks the page for the
//! lock by message and computes only once the page granted it.
//!
//! A message from the page reaches a worker only when it gives its event loop back, so a thread
//! that computes with nobody known to wait yields to its loop every so often (a `MessageChannel`
//! message to itself, which no timer clamps); told that another thread waits and when its switch
//! interval ends, it reads its clock between chunks and drops the lock then, asking again behind
//! the waiter (CPython's forced switching). Under contention each grant says already that
//! another thread waits, so a computing thread does not yield at all.

use std::cell::RefCell;

use futures_channel::mpsc;
use futures_util::StreamExt;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel};

use crate::clock;
use crate::js::{get_f64, get_string, set};
use crate::workload::{self, Computing};

thread_local! {
    /// Where the page's GIL messages go: the task under way.
    static INBOX: RefCell<Option<mpsc::UnboundedSender<JsValue>>> = const { RefCell::new(None) };
    /// The channel a computing thread yields through (see [`yield_now`]).
    static CHANNEL: RefCell<Option<MessageChannel>> = const { RefCell::new(None) };
}

/// A GIL message from the page (`www/process.js` hands it here): to the task under way.
pub fn message(m: JsValue) {
    INBOX.with_borrow(|tx| {
        if let Some(tx) = tx {
            let _ = tx.unbounded_send(m);
        }
    });
}

/// The lock as the thread running one task sees it.
pub struct ThreadGil {
    lane: u32,
    id: u32,
    /// Iterations between yields while nobody is known to wait.
    yield_iters: u64,
    inbox: mpsc::UnboundedReceiver<JsValue>,
    /// Ms the task waited for the lock, in all.
    pub waited_ms: f64,
    /// When the grant of the hold under way arrived, on the clock all threads share, and how long
    /// the thread waited for it, on its own (see `crate::gil_messages`: the page draws the holds
    /// and times the hand-offs with them).
    granted_at: f64,
    took_ms: f64,
}

impl ThreadGil {
    /// The lock for `task`, if its run has one (its message names the thread's lane).
    pub fn for_task(task: &JsValue, id: u32) -> Option<ThreadGil> {
        let lane = get_f64(task, "gilLane")? as u32;
        let (tx, inbox) = mpsc::unbounded();
        INBOX.set(Some(tx));
        let yield_iters = get_f64(task, "yieldIterations").unwrap_or(0.0) as u64;
        let yield_iters = yield_iters.max(workload::CHUNK);
        Some(ThreadGil {
            lane,
            id,
            yield_iters,
            inbox,
            waited_ms: 0.0,
            granted_at: f64::NAN,
            took_ms: f64::NAN,
        })
    }

    /// Posts an ask or a drop to the page, with when it was sent and, for a drop, when the grant
    /// of the hold it ends arrived (both on the clock the threads share) and how long it took.
    fn post(&self, kind: &str, again: bool) {
        let m = Object::new();
        set(&m, "gil", kind);
        set(&m, "lane", self.lane);
        set(&m, "id", self.id);
        set(&m, "again", again);
        if kind == "drop" {
            set(&m, "grantedAt", self.granted_at);
            set(&m, "tookMs", self.took_ms);
        }
        set(&m, "sentAt", clock::now_ms());
        let _ = js_sys::global().unchecked_into::<DedicatedWorkerGlobalScope>().post_message(&m);
    }

    /// Asks for the lock (`again`: dropping it first, when asked to) and waits for the grant.
    /// Returns when to drop it, on this worker's clock, if another thread waits already.
    async fn take(&mut self, again: bool) -> Option<f64> {
        let start = clock::now_ms();
        self.post(if again { "drop" } else { "ask" }, again);
        let drop_in = loop {
            let Some(m) = self.inbox.next().await else { break None };
            // A waiter's message for the hold just ended is old news.
            if get_string(&m, "gil").as_deref() == Some("grant") {
                break get_f64(&m, "dropInMs");
            }
        };
        let now = clock::now_ms();
        self.waited_ms += now - start;
        (self.granted_at, self.took_ms) = (now, now - start);
        drop_in.map(|ms| now + ms)
    }

    /// Drops the lock, for good (the task's work is done).
    fn release(&self) {
        self.post("drop", false);
    }

    /// After a wait (a sleep, a request) during which the thread held no lock: takes it back to go
    /// on, then drops it at the task's end.
    pub async fn wake(&mut self) {
        self.take(false).await;
        self.release();
    }

    // [snippet:threads-separate-gil]
    /// Computes task `id`'s `iters` iterations, holding the lock, and returns the checksum.
    pub async fn compute(&mut self, iters: u64) -> u64 {
        let mut work = Computing::new(self.id, iters);
        let mut drop_at = self.take(false).await;
        loop {
            match drop_at {
                Some(at) => workload::compute_some(&mut work, u64::MAX, &mut || clock::now_ms() < at),
                None => workload::compute_some(&mut work, self.yield_iters, &mut || true),
            };
            if let Some(sum) = work.done() {
                self.release();
                return sum;
            }
            if drop_at.is_some() {
                // Asked to drop it, and the interval is over: behind the waiter.
                drop_at = self.take(true).await;
                continue;
            }
            yield_now().await;
            while let Ok(m) = self.inbox.try_recv() {
                if let Some(ms) = get_f64(&m, "dropInMs") {
                    drop_at = Some(clock::now_ms() + ms);
                }
            }
        }
    }
    // [/snippet]
}

/// Gives the worker's event loop back for one turn, so that the page's messages reach it: a
/// message to itself through a `MessageChannel` (a timer would be clamped to 4 ms once nested).
pub async fn yield_now() {
    let channel = CHANNEL.with_borrow_mut(|c| {
        c.get_or_insert_with(|| MessageChannel::new().expect("a MessageChannel")).clone()
    });
    let turn = Promise::new(&mut |resolve, _| {
        channel.port1().set_onmessage(Some(&resolve));
        let _ = channel.port2().post_message(&JsValue::NULL);
    });
    let _ = JsFuture::from(turn).await;
}

/// What one [`yield_now`] costs on this thread, in µs: the mean of as many in a row as take
/// `ms` ms (at least 20), so that a clock coarsened to 0.1 or 1 ms (a page without cross-origin
/// isolation) still gives it within a few per cent.
pub async fn time_yields(ms: f64) -> f64 {
    let start = clock::now_ms();
    let mut n = 0u32;
    while n < 20 || clock::now_ms() - start < ms {
        yield_now().await;
        n += 1;
    }
    (clock::now_ms() - start) * 1000.0 / f64::from(n)
}
