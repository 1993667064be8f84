//! The page's side of the GIL of threads with separate memory: the arbiter
//! ([`crate::gil_messages::Arbiter`]) on the page's main thread, fed by the threads' messages as
//! they arrive (`processes::start_process` hands them here) and answering them at once, on the
//! page's one clock. `runner::gil_worker` is the threads' side.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard};

use js_sys::Object;
use wasm_bindgen::JsValue;
use web_sys::Worker;

use crate::gil_messages::{Arbiter, Message, Post};
use crate::js::{get_bool, get_f64, get_string, set};
use crate::record::{GilRecord, Hold, MessageCost};
use crate::run::{GilView, RunState};
use crate::timeline::Wait;

/// The lock, readable by the live figure through [`GilView`].
pub struct Lock(Mutex<Arbiter>);

impl Lock {
    fn arbiter(&self) -> MutexGuard<'_, Arbiter> {
        // One thread only (the page's): never contended, never poisoned but by a panic, which aborts.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl GilView for Lock {
    fn handoffs(&self) -> u64 {
        self.arbiter().handoffs()
    }
    fn holds_since(&self, from: usize) -> Option<Vec<Hold>> {
        Some(self.arbiter().holds_since(from))
    }
}

/// The run's lock, its threads' workers by lane, and its clock.
struct Running {
    lock: Arc<Lock>,
    workers: Vec<(u32, Worker)>,
    state: Arc<RunState>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

/// A run with the GIL begins: a free lock with this switch interval, shown live.
pub fn begin(state: &Arc<RunState>, interval_us: u32) {
    let lock = Arc::new(Lock(Mutex::new(Arbiter::new(interval_us))));
    state.set_gil(lock.clone());
    RUNNING.set(Some(Running { lock, workers: Vec::new(), state: state.clone() }));
}

/// Thread `lane` of the run is `worker`.
pub fn enlist(lane: u32, worker: &Worker) {
    RUNNING.with_borrow_mut(|r| {
        if let Some(r) = r {
            r.workers.push((lane, worker.clone()));
        }
    });
}

/// Handles `data` if it is a GIL message from a thread (asks, drops); `false` otherwise.
pub fn handles(data: &JsValue) -> bool {
    let Some(kind) = get_string(data, "gil") else { return false };
    RUNNING.with_borrow(|r| {
        let Some(r) = r else { return };
        let lane = get_f64(data, "lane").unwrap_or(0.0) as u32;
        let post = r.post_of(data);
        let out = match kind.as_str() {
            "ask" => r.lock.arbiter().ask(lane, get_f64(data, "id").unwrap_or(0.0) as u32, post),
            "drop" => r.lock.arbiter().drop_lock(lane, get_bool(data, "again") == Some(true), post),
            _ => Vec::new(),
        };
        for m in out {
            r.post(m);
        }
    });
    true
}

impl Running {
    /// A thread's message as the arbiter takes it: arrived now; sent, and its grant arrived, when
    /// the thread's clock (the same axis as the page's) says, on the run's clock; the thread's
    /// wait for that grant as it timed it.
    fn post_of(&self, data: &JsValue) -> Post {
        let at = self.state.since_start();
        let on_run = |key| get_f64(data, key).filter(|t| t.is_finite()).map(|t| t - self.state.t0);
        let took = get_f64(data, "tookMs").filter(|t| t.is_finite());
        Post { at, sent: on_run("sentAt").unwrap_or(at), granted: on_run("grantedAt"), took }
    }

    fn post(&self, m: Message) {
        let (lane, kind, drop_in) = match m {
            Message::Grant { lane, drop_in_ms } => (lane, "grant", drop_in_ms),
            Message::Waiter { lane, drop_in_ms } => (lane, "waiter", Some(drop_in_ms)),
        };
        let Some((_, worker)) = self.workers.iter().find(|(l, _)| *l == lane) else { return };
        let o = Object::new();
        set(&o, "gil", kind);
        if let Some(ms) = drop_in {
            set(&o, "dropInMs", ms);
        }
        let _ = worker.post_message(&o);
    }
}

/// The run with the GIL is over (ended or stopped): the lock's history and the threads' waits
/// for it, with what its messages cost (`cost`, measured before the run).
pub fn end(interval_us: u32, cost: Option<MessageCost>) -> Option<(GilRecord, Vec<Wait>)> {
    let r = RUNNING.take()?;
    let (mut record, waits) = r.lock.arbiter().finish(r.state.since_start(), interval_us);
    record.by_messages = cost;
    Some((record, waits))
}
