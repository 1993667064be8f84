//! The processes model: like `multiprocessing`, each task runs in a separate worker
//! with a wasm instance and memory of its own. Nothing is shared: the task's inputs go to the
//! process in a message, its result comes back in one. No GIL can hold processes back, and no
//! cross-origin isolation is needed, so this model also runs on pages where threads cannot.
//!
//! Processes are started when first needed and kept for the next runs, the way a
//! `multiprocessing.Pool` is reused; each run reports how many it had to start and what a start
//! cost. A stopped run terminates the processes it was using (as `Pool.terminate()` does), since
//! a task under way in another instance cannot be interrupted.
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::sync::Arc;

use futures_channel::mpsc;
use futures_util::StreamExt;
use futures_util::future::{Either, join_all, select};
use js_sys::Object;
use wasm_bindgen::prelude::*;
use web_sys::{Worker, WorkerOptions, WorkerType};

use super::{Outcome, failure_message, work_of};
use crate::clock;
use crate::js::{get_f64, get_string, set};
use crate::params::{Params, Workload};
use crate::record::{Counted, Ending, Recorder};
use crate::run::RunState;
use crate::timeline::Lane;
use crate::workload;

/// A worker with its own wasm instance, and the messages it sent. Threads of separate memory
/// (see [`super::separate_threads`]) are the same workers.
pub(super) struct Process {
    worker: Worker,
    replies: mpsc::UnboundedReceiver<JsValue>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    /// The wasm memory of its instance once it was ready, in bytes.
    pub(super) bytes: f64,
    /// Whether it has run the CPU kernel already (see `separate_threads::take`).
    #[cfg(not(feature = "threads"))]
    pub(super) warm: bool,
}

impl Drop for Process {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

thread_local! {
    /// In a process: its own counter (the counter workload).
    static COUNT: Cell<u64> = const { Cell::new(0) };
    /// Idle processes, kept between runs.
    static POOL: RefCell<Vec<Process>> = const { RefCell::new(Vec::new()) };
    /// The worker script's URL, set by the page.
    static SCRIPT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Processes started and idle, kept for the next runs.
pub fn idle_count() -> u32 {
    POOL.with_borrow(|p| p.len() as u32)
}

/// Sets the URL of the process worker script (`www/process.js`).
pub fn set_script(url: Option<String>) {
    SCRIPT.set(url);
}

/// What starting processes cost in a run.
#[derive(Clone, Copy, Default)]
pub struct Startup {
    /// Processes started for this run (the others were reused).
    pub started: u32,
    /// Their average start time, ms: a worker, a module download from cache, a wasm instance.
    pub ms_each: f64,
}

/// Starts one process and waits until its wasm instance is ready.
pub(super) async fn start_process() -> Result<Process, String> {
    let url = SCRIPT.with_borrow(|s| s.clone()).ok_or("processes are unavailable: no worker script")?;
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(&url, &options).map_err(|e| format!("{e:?}"))?;
    let (tx, replies) = mpsc::unbounded();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let data = e.data();
        // A thread's GIL messages go to the lock's arbiter at once, not to its lane's replies.
        #[cfg(not(feature = "threads"))]
        if super::separate_gil::handles(&data) {
            return;
        }
        let _ = tx.unbounded_send(data);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let mut process = Process {
        worker,
        replies,
        _on_message: on_message,
        bytes: 0.0,
        #[cfg(not(feature = "threads"))]
        warm: false,
    };
    // The first message says the instance is ready (or why it is not).
    let hello = process.reply().await.ok_or("the process ended before it was ready")?;
    match get_string(&hello, "error") {
        Some(e) => Err(format!("a process failed to start: {e}")),
        None => {
            process.bytes = get_f64(&hello, "memoryBytes").unwrap_or(0.0);
            Ok(process)
        }
    }
}

impl Process {
    /// Sends task `id` of a run to this worker (see [`task_message`]); `false` if it is gone.
    pub(super) fn send(&self, task: &Object) -> bool {
        self.worker.post_message(task).is_ok()
    }

    /// The worker, for messages that are not tasks (the GIL's).
    #[cfg(not(feature = "threads"))]
    pub(super) fn worker(&self) -> &Worker {
        &self.worker
    }

    /// The worker's next reply; `None` if it is gone.
    pub(super) async fn reply(&mut self) -> Option<JsValue> {
        self.replies.next().await
    }
}

/// The message that hands task `id` to a worker: its inputs, nothing shared. `iterations`: a
/// CPU task's work; `first`: the worker's first task of the run (its counter starts at 0).
pub(super) fn task_message(p: &Params, id: u32, iterations: u64, url: &str, first: bool) -> Object {
    let failing = p.fail == Some(id);
    let delay = work_of(failing, p.delay_ms);
    let task = Object::new();
    set(&task, "id", id);
    set(&task, "workload", p.workload.name());
    set(&task, "delayMs", delay);
    set(&task, "iterations", work_of(failing, iterations) as f64);
    let fault = p.network_fault().filter(|_| failing).map(|m| m.name());
    set(&task, "url", workload::request_url(url, delay, id, fault));
    set(&task, "timeoutMs", p.timeout_ms);
    // The counter lives in the process's own memory: set to 0 at its first task.
    set(&task, "increments", p.increments);
    set(&task, "reset", first);
    task
}

/// Processes ready for a run, taken from the pool (see [`take`]).
pub struct Ready {
    procs: Vec<Process>,
    /// What starting the missing ones cost.
    pub startup: Startup,
}

/// Takes `n` processes from the pool, starting the missing ones: done before the run's clock
/// starts, since start-up is reported on its own.
pub async fn take(n: usize) -> Result<Ready, String> {
    let mut procs: Vec<Process> = POOL.with_borrow_mut(|p| {
        let keep = p.len().saturating_sub(n);
        p.drain(keep..).collect()
    });
    let missing = n - procs.len();
    let t0 = clock::now_ms();
    for started in join_all((0..missing).map(|_| start_process())).await {
        procs.push(started?);
    }
    let ms_each = if missing > 0 { (clock::now_ms() - t0) / missing as f64 } else { 0.0 };
    Ok(Ready { procs, startup: Startup { started: missing as u32, ms_each } })
}

/// Runs `p.tasks` tasks on the processes `ready` (taken for `p.processes`).
pub async fn run(state: &Arc<RunState>, p: Params, ready: Ready) -> Outcome {
    let rec = RefCell::new(state.recorder());
    let mut procs = ready.procs;
    let url = workload::fetch_url().unwrap_or_default();
    let iterations = workload::cpu_iterations(p.delay_ms);
    let next = Cell::new(0u32);
    // Each process's own count (counter runs): what it reported after its last task.
    let counts: Vec<Cell<u64>> = procs.iter().map(|_| Cell::new(0)).collect();

    // [snippet:processes]
    // Each process takes the next task, gets its inputs in a message and sends its result back:
    // nothing is shared but these messages.
    let lanes = procs.iter_mut().enumerate().map(|(k, proc)| {
        let (next, rec, url, count) = (&next, &rec, &url, &counts[k]);
        let lane = Lane::process(k as u32 + 1);
        async move {
            let mut first = true;
            loop {
                let id = next.get();
                if id >= p.tasks {
                    break;
                }
                next.set(id + 1);
                let failing = p.fail == Some(id);
                let task = task_message(&p, id, iterations, url, std::mem::take(&mut first));
                if !proc.send(&task) {
                    break;
                }
                rec.borrow_mut().start(id, lane, state.since_start());
                let Some(reply) = proc.reply().await else { break };
                count.set(get_f64(&reply, "count").unwrap_or(0.0) as u64);
                // A network fault is the server's to give, not the run's.
                let fails_itself = failing && p.network_fault().is_none();
                record_reply(&mut rec.borrow_mut(), state, id, &reply, fails_itself);
            }
        }
    });
    // [/snippet]
    let stopped = matches!(select(pin!(join_all(lanes)), state.stopped()).await, Either::Right(_));
    let mut out = rec.borrow_mut().end(state.since_start(), stopped);
    if p.workload == Workload::Counter {
        // The page's own counter: no process can reach it.
        out.counter = Some(Counted { shared: 0, per_process: counts.iter().map(Cell::get).collect() });
    }
    if stopped {
        // Tasks under way in other instances cannot be interrupted: end those processes.
        drop(procs);
    } else {
        POOL.with_borrow_mut(|pool| pool.extend(procs));
    }
    out
}

/// Records a process's reply for task `id`: the span as the process timed it (absolute times,
/// comparable across workers), and its checksum or error. The failing task's process did half the
/// work and reports success; the error is the run's to give.
pub(super) fn record_reply(rec: &mut Recorder, state: &RunState, id: u32, reply: &JsValue, failing: bool) {
    // Another thread's clock may read a millisecond behind the page's (Firefox without isolation
    // coarsens both to 1 ms): a task sent at the run's start then seemed to start before it, and
    // its busy, scheduled and idle ms added up to a millisecond more than its end.
    let start = (get_f64(reply, "start").unwrap_or(state.t0) - state.t0).max(0.0);
    let end = (get_f64(reply, "end").unwrap_or(state.t0) - state.t0).max(start);
    if let Some(by) = get_string(reply, "answeredBy") {
        let answer = workload::Answer::from_parts(Some(by), get_f64(reply, "receivedAt"));
        workload::net_log().note(id, answer);
    }
    let error = get_string(reply, "error").or_else(|| failing.then(|| failure_message(id)));
    let ending = match error {
        Some(e) => Ending::Failed(e),
        None => {
            let sum = get_string(reply, "checksum");
            Ending::Done(sum.and_then(|s| u64::from_str_radix(&s, 16).ok()).unwrap_or(0))
        }
    };
    // A task that never blocked (CPU work, the counter) reports none.
    rec.blocked(id, get_f64(reply, "blockedMs").unwrap_or(0.0));
    rec.finish_timed(id, start, ending, end);
}

/// Runs one task in this instance, for a process worker (`www/process.js`): the task's inputs
/// arrive in `task`; the result carries absolute start and end times, and the ms it blocked on a
/// sleep or a request (`blockedMs`).
pub async fn task_in_this_process(task: JsValue) -> JsValue {
    let id = get_f64(&task, "id").unwrap_or(0.0) as u32;
    let delay = get_f64(&task, "delayMs").unwrap_or(0.0) as u32;
    let iterations = get_f64(&task, "iterations").unwrap_or(0.0) as u64;
    let kind = get_string(&task, "workload");
    let url = get_string(&task, "url").unwrap_or_default();
    let timeout_ms =
        get_f64(&task, "timeoutMs").unwrap_or(f64::from(crate::params::DEFAULT_TIMEOUT_MS)) as u32;
    let out = Object::new();
    set(&out, "id", id);
    set(&out, "start", clock::now_ms());
    // A thread of separate memory in a run with the GIL (see `gil_worker`).
    let mut gil = super::gil_worker::ThreadGil::for_task(&task, id);
    let result = match kind.as_deref() {
        Some("cpu") => Ok(match gil.as_mut() {
            Some(gil) => gil.compute(iterations).await,
            None => workload::compute(id, iterations, &mut || true).unwrap_or(0),
        }),
        // What the GIL's hand-offs cost here, measured before such a run: a message's round trip
        // (this reply), and a computing thread's yield to its event loop.
        Some("ping") => Ok(0),
        Some("yields") => {
            set(&out, "yieldUs", super::gil_worker::time_yields(f64::from(delay)).await);
            Ok(0)
        }
        // [snippet:processes-counter]
        // `counter += 1` in this process's own memory: no other process can see this counter.
        Some("counter") => {
            if js_sys::Reflect::get(&task, &"reset".into()).ok().and_then(|v| v.as_bool()) == Some(true) {
                COUNT.set(0);
            }
            for _ in 0..get_f64(&task, "increments").unwrap_or(0.0) as u32 {
                COUNT.set(std::hint::black_box(COUNT.get()) + 1);
            }
            set(&out, "count", COUNT.get() as f64);
            Ok(0)
        }
        // [/snippet]
        Some("fetch") => {
            blocking(&out, workload::fetch(&url, timeout_ms), gil.as_mut()).await.map(|answer| {
                // Who answered, for the run's record (the process's own log is not the run's).
                if let Some(by) = answer.by {
                    set(&out, "answeredBy", by.header());
                    set(&out, "receivedAt", answer.received_at);
                }
                0
            })
        }
        // Sleep, and the deadlock workload: the process's own locks A and B, which no other
        // process can hold, so taking them never waits; what is left is holding one for `delay`.
        _ => {
            blocking(&out, workload::sleep(delay), gil.as_mut()).await;
            Ok(0)
        }
    };
    set(&out, "end", clock::now_ms());
    if let Some(gil) = gil.filter(|g| g.waited_ms > 0.0 && kind.as_deref() == Some("cpu")) {
        set(&out, "blockedMs", gil.waited_ms);
    }
    match result {
        Ok(sum) => set(&out, "checksum", format!("{sum:x}")),
        Err(e) => set(&out, "error", e),
    }
    out.into()
}

/// Awaits a wait of a task in this instance (a sleep, a request), noting in its reply `out` how
/// long it blocked. With the GIL, which it does not hold while it waits, it takes the lock back
/// when it wakes, and waiting for it counts as blocked too.
async fn blocking<T>(
    out: &Object,
    wait: impl Future<Output = T>,
    gil: Option<&mut super::gil_worker::ThreadGil>,
) -> T {
    let start = clock::now_ms();
    let result = wait.await;
    if let Some(gil) = gil {
        gil.wake().await;
    }
    set(out, "blockedMs", clock::now_ms() - start);
    result
}
