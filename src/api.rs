//! The wasm-bindgen surface the page imports. Names follow the page's vocabulary (model, tasks,
//! delay, threads, elapsed, span, lane).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{Either, select};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::alloc;
use crate::contract::{
    F64s, LaneInfo, LiveSnapshot, OptionError, OrNull, OutputLine, PlannedRun, Progress, Record, TaskError,
    U8s, U32s, Verdict,
};
use crate::js::{ToJs, get_f64, get_string, set};
use crate::live::{self, LiveView};
use crate::output;
use crate::params::{self, Limits, Model, Params, Raw, Request, Workload};
use crate::run::RunState;
use crate::runner::{self, Outcome};
use crate::timeline;
use crate::workload;

thread_local! {
    /// The run under way, if any. Only the event loop touches it.
    static CURRENT: RefCell<Option<Arc<RunState>>> = const { RefCell::new(None) };
    /// Threads in the started pool; 0 until `startPool` resolves, and always in the plain build.
    static POOL_SIZE: Cell<u32> = const { Cell::new(0) };
    /// Threads of the pool being started (0 when none is): a threads run asked for meanwhile is
    /// checked against this size and waits for the pool.
    static POOL_PLANNED: Cell<u32> = const { Cell::new(0) };
    /// Whether the pool's workers are starting now (`startPool` called, not yet resolved).
    static POOL_STARTING: Cell<bool> = const { Cell::new(false) };
    /// Runs waiting for the pool to start.
    static POOL_WAITERS: RefCell<Vec<futures_channel::oneshot::Sender<()>>> = const { RefCell::new(Vec::new()) };
    /// Runs finished since the module loaded.
    static RUNS: Cell<u32> = const { Cell::new(0) };
    /// How long the pool took to start, in ms, and the wasm memory it added, in bytes.
    static POOL_COST: Cell<(f64, f64)> = const { Cell::new((0.0, 0.0)) };
    /// What the latest start of task threads cost per thread: ms and heap bytes.
    static TASK_THREAD_COST: Cell<(f64, f64)> = const { Cell::new((0.0, 0.0)) };
    /// Most threads a run may have in this browser, as the page says (`configure`).
    static MAX_THREADS: Cell<u32> = const { Cell::new(params::MAX_THREADS) };
    /// Whether a `run()` call is under way (all its models, not only the current one).
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// `stop()` was called during the current `run()` call.
    static STOP_ASKED: Cell<bool> = const { Cell::new(false) };
    /// What waits before a run's state exists (the pool, the warm-up) and must end on `stop()`.
    static STOP_WAITERS: RefCell<Vec<futures_channel::oneshot::Sender<()>>> = const { RefCell::new(Vec::new()) };
    /// The run under way as drawn live, when it is watched task by task.
    static LIVE: RefCell<Option<LiveView>> = const { RefCell::new(None) };
    /// Why there are no threads, as the page found it.
    static NO_THREADS: Cell<params::NoThreads> = const { Cell::new(params::NoThreads::NotIsolated) };
    /// Span state names, indexed by the numbers in `spanState`.
    static SPAN_STATES: Array = timeline::SpanState::EVERY.iter().map(|s| JsValue::from_str(s.name())).collect();
}

/// The shape of a raw value, before it borrows its text.
enum Kind {
    Missing,
    Number(f64),
    Text(String),
    Bool(bool),
    Other,
}

impl Kind {
    fn of(v: &JsValue) -> Kind {
        if v.is_undefined() || v.is_null() {
            Kind::Missing
        } else if let Some(n) = v.as_f64() {
            Kind::Number(n)
        } else if let Some(s) = v.as_string() {
            Kind::Text(s)
        } else if let Some(b) = v.as_bool() {
            Kind::Bool(b)
        } else {
            Kind::Other
        }
    }

    fn raw(&self) -> Raw<'_> {
        match self {
            Kind::Missing => Raw::Missing,
            Kind::Number(n) => Raw::Number(*n),
            Kind::Text(s) => Raw::Text(s),
            Kind::Bool(b) => Raw::Bool(*b),
            Kind::Other => Raw::Other,
        }
    }
}

/// Reads the JS API's options object (`undefined` means every default) and checks it once: names
/// and old aliases against the schema, then the rules. Unknown options are refused.
fn check_options(options: &JsValue) -> Result<Vec<Params>, Vec<params::FieldError>> {
    if !options.is_undefined() && !options.is_null() && !options.is_object() {
        return Err(vec![params::FieldError::new(
            params::Opt::Model,
            "run() and check() take an object of options, such as { model: \"async\", tasks: 3, delay: 1000 }."
                .into(),
        )]);
    }
    let entries: Vec<(String, Kind)> = if options.is_object() {
        Object::entries(options.unchecked_ref())
            .iter()
            .map(|pair| {
                let pair: Array = pair.unchecked_into();
                (pair.get(0).as_string().unwrap_or_default(), Kind::of(&pair.get(1)))
            })
            .collect()
    } else {
        Vec::new()
    };
    let (req, mut errors) = Request::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.raw())));
    match params::check(&req, limits()) {
        Ok(runs) if errors.is_empty() => Ok(runs),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

fn limits() -> Limits {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency()) as u32;
    Limits {
        pool_size: POOL_SIZE.get().max(POOL_PLANNED.get()),
        max_threads: if POOL_SIZE.get().max(POOL_PLANNED.get()) > 0 { MAX_THREADS.get() } else { 0 },
        cores: cores.max(1),
        fetch: workload::fetch_url().is_some(),
        no_threads: NO_THREADS.get(),
    }
}

/// Tells the engine what the page found: `{ fetchUrl, processUrl, threadsOff, maxThreads }`: the
/// absolute URL of the server's latency endpoint when it answers (the fetch workload), or null;
/// the process worker script's URL (the processes model); why there are no threads, if there are
/// none (`not-isolated` or `unsupported`), so a refused threads run names the real reason; and
/// the most threads (Web Workers) a run may start in this browser (at most `MAX_THREADS`).
#[wasm_bindgen]
pub fn configure(options: JsValue) {
    let text = |key: &str| get_string(&options, key);
    workload::set_fetch_url(text("fetchUrl"));
    runner::processes::set_script(text("processUrl"));
    NO_THREADS.set(params::NoThreads::parse(&text("threadsOff").unwrap_or_default()));
    if let Some(n) = get_f64(&options, "maxThreads").filter(|n| *n >= 1.0) {
        MAX_THREADS.set((n as u32).min(params::MAX_THREADS));
    }
}

/// Runs one task of the processes model in this wasm instance; called by `www/process.js` in
/// a process worker with the task's inputs.
#[wasm_bindgen(js_name = processTask)]
pub async fn process_task(task: JsValue) -> JsValue {
    runner::processes::task_in_this_process(task).await
}

/// Checks run options without running: `{ ok, errors: [{ field, message }], runs: [{ model,
/// idealMs }] }`. `model` may be `all`. The page calls this as the user types.
#[wasm_bindgen]
pub fn check(options: JsValue) -> JsValue {
    let verdict = match check_options(&options) {
        Ok(runs) => Verdict {
            ok: true,
            errors: Vec::new(),
            runs: runs
                .iter()
                .map(|p| PlannedRun { model: p.model, ideal_ms: OrNull(params::ideal_ms(p, limits())) })
                .collect(),
        },
        Err(errors) => Verdict {
            ok: false,
            errors: errors.into_iter().map(|e| OptionError { field: e.field, message: e.message }).collect(),
            runs: Vec::new(),
        },
    };
    verdict.to_js()
}

fn refuse(errors: Vec<params::FieldError>) -> JsValue {
    let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
    let err = js_sys::Error::new(&message);
    set(&err, "field", errors[0].field.as_str());
    let list: Vec<OptionError> =
        errors.into_iter().map(|e| OptionError { field: e.field, message: e.message }).collect();
    set(&err, "errors", list.to_js());
    err.into()
}

/// Calls the page's event callback, if it gave one: `(type, detail)`.
fn announce(on_event: &JsValue, kind: &str, detail: &JsValue) {
    if let Some(f) = on_event.dyn_ref::<js_sys::Function>() {
        // A throwing listener is the page's bug, not a reason to lose the run.
        let _ = f.call2(&JsValue::NULL, &JsValue::from_str(kind), detail);
    }
}

/// Runs the options: one model, or `model: "all"` (async, threads where this page has them, then
/// sequential; a stopped run ends the series). Resolves to the run's record, or to
/// `{ model: "all", runs }`; rejects with an `Error` whose message names the refused option and
/// its range (`error.field` is the option's name), or if a run is under way. `on_event(type,
/// detail)` hears `start` and `end` (`{ model }`) around the whole call once the options are
/// accepted, and `runstart` (`{ model, tasks }`), `runend` (the record) and `runerror`
/// (`{ model, error }`) for each model inside it.
#[wasm_bindgen]
pub async fn run(options: JsValue, on_event: JsValue) -> Result<JsValue, JsValue> {
    let runs = check_options(&options).map_err(refuse)?;
    if BUSY.get() {
        return Err(js_sys::Error::new("A run is already under way: stop it or wait for it to end.").into());
    }
    BUSY.set(true);
    STOP_ASKED.set(false);
    STOP_WAITERS.take();
    let all = get_string(&options, "model").is_some_and(|m| m.trim() == Model::ALL_NAME);
    let asked = Object::new();
    set(&asked, "model", if all { Model::ALL_NAME } else { runs[0].model.name() });
    announce(&on_event, "start", &asked);
    let mut records = Vec::new();
    let mut failure = None;
    for p in runs {
        let start = Object::new();
        set(&start, "model", p.model.name());
        set(&start, "tasks", p.tasks);
        set(&start, "idealMs", params::ideal_ms(&p, limits()).map_or(JsValue::NULL, JsValue::from));
        announce(&on_event, "runstart", &start.into());
        match run_one(p).await {
            Ok(record) => {
                let stopped = record.stopped;
                let js = SPAN_STATES.with(|states| with_spans(record.to_js().unchecked_into(), states));
                announce(&on_event, "runend", &js);
                records.push(js);
                if stopped {
                    break;
                }
            }
            Err(error) => {
                let detail = Object::new();
                set(&detail, "model", p.model.name());
                set(&detail, "error", error.clone());
                announce(&on_event, "runerror", &detail.into());
                failure = Some(error);
                break;
            }
        }
    }
    BUSY.set(false);
    announce(&on_event, "end", &asked);
    if let Some(error) = failure {
        return Err(error);
    }
    if !all {
        return Ok(records.pop().expect("one run was made"));
    }
    let out = Object::new();
    set(&out, "model", Model::ALL_NAME);
    set(&out, "runs", records.into_iter().collect::<Array>());
    Ok(out.into())
}

/// Whether the page was hidden at any moment while it is kept: browsers slow timers in
/// background tabs, so such a run's figures are distorted. Visibility is a document event, so
/// the engine listens for it rather than polling.
struct HiddenWatch {
    seen: Rc<Cell<bool>>,
    listener: Option<(web_sys::Document, Closure<dyn FnMut()>)>,
}

impl HiddenWatch {
    fn start() -> HiddenWatch {
        let seen = Rc::new(Cell::new(false));
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return HiddenWatch { seen, listener: None };
        };
        seen.set(doc.hidden());
        let (flag, d) = (seen.clone(), doc.clone());
        let listener = Closure::<dyn FnMut()>::new(move || flag.set(flag.get() || d.hidden()));
        let _ = doc.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
        HiddenWatch { seen, listener: Some((doc, listener)) }
    }

    fn was_hidden(&self) -> bool {
        self.seen.get() || self.listener.as_ref().is_some_and(|(d, _)| d.hidden())
    }
}

impl Drop for HiddenWatch {
    fn drop(&mut self) {
        if let Some((doc, listener)) = &self.listener {
            let _ = doc
                .remove_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
        }
    }
}

/// Runs one checked model and builds its record.
async fn run_one(p: Params) -> Result<Record, JsValue> {
    // Waiting for the pool and warming it up come before the run's state exists, so `stop()`
    // reaches them through `stop_asked()`: a stop during either ends the run at once, recorded as
    // stopped with no task started (the pool goes on starting and warming in the background).
    let mut stopped_before_start = false;
    let pool_wait_ms = if p.model == Model::Threads {
        match pool_up_or_stop().await {
            Some(waited) => Some(waited?),
            None => {
                stopped_before_start = true;
                None
            }
        }
    } else {
        None
    };
    // Calibrating measures this page's speed once, for every CPU run it will make, so not while
    // the pool's workers start: they take both cores of a 2-core machine for a few hundred ms.
    // A CPU run asked for right after `ready` calibrated at 246-457 thousand iterations per ms
    // instead of about 535 here, every task of the page then fell short of its delay, and one
    // thread's runs read "speedups" of 1.06-1.20×.
    if p.workload == Workload::Cpu
        && !workload::calibrated()
        && !stopped_before_start
        && POOL_STARTING.get()
        && pool_up_or_stop().await.is_none()
    {
        stopped_before_start = true;
    }
    if p.workload == Workload::Cpu && !stopped_before_start {
        // Once per page load, before the run's clock starts.
        workload::calibrate().await;
        #[cfg(feature = "threads")]
        if p.model == Model::Threads || p.offload {
            runner::threads::warm_up(stop_asked()).await;
        }
    }
    let mut processes = None;
    if p.model == Model::Processes {
        let ready = runner::processes::take(p.processes.min(p.tasks) as usize).await;
        processes = Some(ready.map_err(|e| JsValue::from(js_sys::Error::new(&e)))?);
    }
    let startup = processes.as_ref().map(|r| r.startup);
    if p.workload == Workload::Fetch {
        workload::net_log().reset();
    }
    let heap_before = alloc::live();
    alloc::reset_peak();
    let hidden = HiddenWatch::start();
    let watched = p.tasks <= live::MAX_TASKS;
    let state = if watched { RunState::start_watched(p.tasks) } else { RunState::start(p.tasks) };
    LIVE.set(watched.then(|| LiveView::new(p.tasks, p.workload)));
    CURRENT.set(Some(state.clone()));
    if STOP_ASKED.get() {
        state.stop();
    }
    let runner = async {
        if stopped_before_start {
            return Outcome { stopped: true, ..Outcome::default() };
        }
        match p.model {
            Model::Async => runner::async_model::run(&state, p).await,
            Model::Sequential => runner::sequential::run(&state, p).await,
            #[cfg(feature = "threads")]
            Model::Threads => runner::threads::run(&state, p).await,
            #[cfg(not(feature = "threads"))]
            Model::Threads => unreachable!("params::check refuses threads when the pool size is 0"),
            Model::Processes => {
                let ready = processes.expect("taken above for the processes model");
                runner::processes::run(&state, p, ready).await
            }
        }
    };
    let (outcome, probes) = crate::run::with_probes(runner).await;
    let thread_start = outcome.thread_start;
    let heap_peak = alloc::peak().saturating_sub(heap_before);
    CURRENT.set(None);
    LIVE.set(None);
    RUNS.set(RUNS.get() + 1);
    let distorted = hidden.was_hidden();
    drop(hidden);
    // After a big run, laying out and copying out a million spans takes tens of ms each: give the
    // browser the event loop back in between, so no single task blocks it long.
    let big = p.tasks > 10_000;
    if big {
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let layout = timeline::layout(&outcome.spans);
    if big {
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let mut record = record(p, &state, outcome, layout, distorted);
    record.event_loop_lag_ms = probes.lag_ms;
    record.event_loop_busy_ms = probes.busy_ms;
    if p.model == Model::Async && p.offload {
        let part = if p.workload == Workload::Cpu { "CPU work" } else { "blocking call" };
        record.notes.push(format!(
            "Each task handed its {part} to a pool thread and awaited it (asyncio.to_thread): the \
             event loop stayed free, its timers at most {:.0} ms late.",
            probes.lag_ms
        ));
    }
    if let Some(limit) = p.limit.filter(|_| p.model == Model::Async) {
        let peak = record.peak_in_flight;
        let were = if peak == 1 { "was" } else { "were" };
        record.notes.push(format!(
            "At most {limit} tasks were allowed in flight at once (asyncio.Semaphore({limit})); at the \
             peak {peak} {were}. Threads have this bound already: their number."
        ));
    }
    record.pool_wait_ms = pool_wait_ms;
    record.heap_peak_bytes = heap_peak as f64;
    record.heap_bytes_per_task = heap_peak as f64 / f64::from(p.tasks);
    if let Some(cost) = startup {
        record.processes_started = Some(cost.started);
        record.process_start_ms = Some(cost.ms_each);
    }
    if p.model == Model::Threads {
        let (start_ms, bytes) = POOL_COST.get();
        let size = f64::from(POOL_SIZE.get().max(1));
        record.thread_start_ms = Some(start_ms / size);
        record.thread_bytes = Some(bytes / size);
    }
    if let Some(start) = thread_start {
        task_thread_record(&mut record, start);
    }
    Ok(record)
}

/// CPython 3.11's time to create and start one `threading.Thread`, in ms, on this project's 2-core
/// machine (`python3 bench/python_bench.py --kind threads --tasks 1000 --threads 1000`, its
/// `threadStartMs`: 0.13-0.33 ms at a load average under 15, up to 1.2 ms at 45). A reference
/// figure beside the run's own, not measured by the page.
const CPYTHON_THREAD_START_MS: f64 = 0.25;

/// Fills in what a threads run with threads of its own (past the pool) cost to start, measured in
/// this run when it started them, and says it in one sentence beside CPython's figure.
fn task_thread_record(record: &mut Record, start: crate::record::ThreadStart) {
    let threads = record.threads.min(record.tasks);
    record.threads_started = Some(start.started);
    record.threads_start_ms = Some(start.ms);
    if start.started > 0 {
        let n = f64::from(start.started);
        TASK_THREAD_COST.set((start.ms / n, start.bytes / n));
    }
    let (ms_each, bytes_each) = TASK_THREAD_COST.get();
    record.thread_start_ms = Some(ms_each);
    record.thread_bytes = Some(bytes_each);
    let note = if start.started > 0 {
        format!(
            "Starting {} threads took {:.0} ms of this run's {:.0} ms, {:.2} ms and {:.0} KB each (a Web \
             Worker with its own instance of the module and a {} KB stack); CPython 3.11 starts a thread \
             in about {CPYTHON_THREAD_START_MS} ms (measured on the project's 2-core test machine), about \
             {:.0} times faster.",
            params::group(start.started.into()),
            start.ms,
            record.elapsed_ms,
            ms_each,
            bytes_each / 1024.0,
            start.stack_bytes / 1024,
            ms_each / CPYTHON_THREAD_START_MS,
        )
    } else {
        format!(
            "Its {} threads were left from an earlier run, so no thread start is in its time (the \
             latest start took {ms_each:.2} ms per thread; CPython 3.11 starts one in about \
             {CPYTHON_THREAD_START_MS} ms).",
            params::group(threads.into())
        )
    };
    record.notes.push(note);
}

/// Builds the record of a finished run. Spans go out as typed arrays in start order (one copy,
/// no object per task), because a million tasks would otherwise cost a million objects; the
/// record's `spans` getter makes the objects only when read.
fn record(p: Params, state: &RunState, o: Outcome, layout: timeline::Layout, distorted: bool) -> Record {
    let pick = |v: &[timeline::SpanMs]| F64s(layout.ids.iter().map(|&i| f64::from(v[i as usize])).collect());
    let ideal = params::ideal(&p, limits());
    let mut notes = Vec::new();
    if p.delay_ms < 4 && matches!(p.workload, Workload::Sleep | Workload::Fetch | Workload::Deadlock) {
        notes.push("Delays under 4 ms are distorted: browsers clamp nested timers to at least 4 ms.".into());
    }
    let net = (p.workload == Workload::Fetch).then(|| fetch_notes(&p, &mut notes));
    if distorted {
        notes.push(
            "Distorted: the page was hidden during the run, and browsers slow timers in background tabs."
                .into(),
        );
    }
    // Time to create and start one task: the spread of start times over the tasks. Not measured
    // when a limit holds tasks back (their starts then wait for a free place), nor when the clock
    // did not move while they started: the executor reads it once per batch of polls, so a few
    // quick tasks share one reading, and 0 would claim a cost of nothing.
    let (first, last) = layout.ids.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &i| {
        let s = f64::from(o.spans.start[i as usize]);
        (a.min(s), b.max(s))
    });
    let task_start_us = (layout.ids.len() > 1
        && p.model == Model::Async
        && !p.busies_event_loop()
        && p.limit.is_none()
        && last > first)
        .then(|| (last - first) * 1000.0 / (layout.ids.len() - 1) as f64);
    let output = output::Run {
        model: p.model,
        workload: p.workload,
        fail_mode: p.fail_mode,
        spans: &o.spans,
        errors: &o.errors,
        elapsed_ms: o.elapsed_ms,
        stopped: o.stopped,
        counter: o.counter.as_ref().map(|c| output::CounterPrint {
            expected: p.counter_expected(),
            got: c.shared,
            increments: u64::from(p.increments),
        }),
    }
    .lines()
    .into_iter()
    .map(|l| OutputLine { at_ms: l.at_ms, lane: l.lane, text: l.text })
    .collect();
    let cpu = p.workload == Workload::Cpu;
    let waits = |f: fn(&timeline::Wait) -> f64| F64s(o.waits.iter().map(f).collect());
    if o.left_blocked > 0 {
        let n = o.left_blocked;
        let (threads, were) = if n == 1 { ("thread was", "its") } else { ("threads were", "their") };
        notes.push(format!(
            "Stopped while {n} {threads} blocked in a request: a blocking call cannot be interrupted \
             (in Python neither), so {were} request ends at its timeout (timeoutMs) in the background, \
             and {were} tasks are left out of this record."
        ));
    }
    notes.extend(crate::races::notes(&p, &o));
    let counter = o.counter.as_ref();
    let expected = p.counter_expected() as f64;
    let shares = p.model != Model::Processes;
    Record {
        model: p.model,
        tasks: p.tasks,
        delay: p.delay_ms,
        threads: if p.model == Model::Threads { p.threads } else { 1 },
        processes: if p.model == Model::Processes { p.processes } else { 0 },
        workload: p.workload,
        gil: p.gil && p.model == Model::Threads,
        blocking: p.blocking && p.model == Model::Async,
        timers: (p.model == Model::Async).then_some(p.timers),
        fail_mode: (p.model == Model::Async || p.network_fault().is_some()).then_some(p.fail_mode),
        fail: OrNull(p.fail),
        increments: (p.workload == Workload::Counter).then_some(p.increments),
        sync: (p.workload == Workload::Counter).then_some(p.sync),
        await_inside: p.await_inside && p.model == Model::Async,
        lock_order: (p.workload == Workload::Deadlock).then_some(p.lock_order),
        limit: OrNull(p.limit.filter(|_| p.model == Model::Async)),
        offload: p.offload && p.model == Model::Async,
        counter_expected: counter.map(|_| expected),
        counter_final: counter.map(|c| c.shared as f64),
        lost_updates: counter.filter(|_| shares && !o.stopped).map(|c| expected - c.shared as f64),
        ns_per_update: counter.filter(|_| expected > 0.0).map(|_| o.elapsed_ms * 1e6 / expected),
        process_counts: counter
            .filter(|_| p.model == Model::Processes)
            .map(|c| c.per_process.iter().map(|&n| n as f64).collect()),
        lock_wait_ms: (p.workload == Workload::Deadlock
            || (counter.is_some() && p.sync == params::SyncMode::Lock))
            .then_some(o.lock_wait_ms),
        deadlock: o.deadlock.is_some(),
        deadlock_cycle: OrNull(o.deadlock.as_ref().map(|d| d.cycle.clone())),
        deadlock_detect_ms: o.deadlock.as_ref().map(|d| d.detect_ms),
        elapsed_ms: o.elapsed_ms,
        ideal_ms: OrNull(ideal.map(|i| i.ms)),
        at_once: OrNull(ideal.and_then(|i| i.at_once)),
        stopped: o.stopped,
        crashed: o.crashed,
        distorted,
        finished: o.spans.count(timeline::SpanState::Done) as u32,
        failed: o.spans.count(timeline::SpanState::Failed) as u32,
        cancelled: o.spans.count(timeline::SpanState::Cancelled) as u32,
        error: OrNull(o.errors.first().map(|(_, m)| m.clone())),
        errors: o
            .errors
            .iter()
            .map(|(id, message)| TaskError { id: *id, message: message.clone() })
            .collect(),
        notes,
        output,
        peak_in_flight: layout.peak,
        event_loop_lag_ms: 0.0,
        event_loop_busy_ms: 0.0,
        heap_peak_bytes: 0.0,
        heap_bytes_per_task: 0.0,
        task_start_us,
        thread_start_ms: None,
        threads_started: None,
        threads_start_ms: None,
        pool_wait_ms: None,
        thread_bytes: None,
        processes_started: None,
        process_start_ms: None,
        checksum: cpu.then(|| format!("{:016x}", o.checksum)),
        iterations_per_task: cpu.then(|| workload::cpu_iterations(p.delay_ms) as f64),
        // The work's own length (tasks × delay, as calibrated) over the time it took.
        speedup: cpu.then(|| {
            let work_ms = f64::from(p.tasks) * f64::from(p.delay_ms);
            if o.elapsed_ms > 0.0 { work_ms / o.elapsed_ms } else { 0.0 }
        }),
        started_at: state.t0,
        lanes: layout
            .lanes
            .iter()
            .map(|&(lane, rows)| LaneInfo { lane: lane.number(), label: lane.label(), rows })
            .collect(),
        span_lane: U32s(layout.ids.iter().map(|&i| o.spans.lane[i as usize].number()).collect()),
        span_row: U32s(layout.rows.clone()),
        span_start: pick(&o.spans.start),
        span_end: pick(&o.spans.end),
        span_state: U8s(layout.ids.iter().map(|&i| o.spans.state[i as usize] as u8).collect()),
        span_id: U32s(layout.ids),
        wait_lane: waits(|w| f64::from(w.lane.number())),
        wait_start: waits(|w| w.start),
        wait_end: waits(|w| w.end),
        connections: OrNull(
            p.connections.filter(|_| p.model == Model::Async && p.workload == Workload::Fetch),
        ),
        timeout_ms: (p.workload == Workload::Fetch).then_some(p.timeout_ms),
        answered_by: OrNull(net.as_ref().and_then(|n| n.0.clone())),
        requests_peak: net.map(|n| n.1),
        wait_kind: U8s(o.waits.iter().map(|w| w.kind as u8).collect()),
        wait_id: U32s(o.waits.iter().map(|w| w.id).collect()),
    }
}

/// What answered a fetch run's requests, and the most under way at once there, measured from the
/// times the requests arrived; adds the notes that say so, and the connection limit's note only
/// when the run was held to it.
fn fetch_notes(p: &Params, notes: &mut Vec<String>) -> (Option<String>, u32) {
    let log = workload::net_log();
    let (by_server, by_worker) = log.answered();
    let fault = p.network_fault();
    let delay_of = |id: u32| f64::from(runner::work_of(p.fail == Some(id), p.delay_ms));
    let peak = timeline::peak_at_answerer(&log.arrivals(p.tasks), delay_of);
    let plural = |n: u32| if n == 1 { "request was" } else { "requests were" };
    let answered_by = match (by_worker, by_server) {
        (0, 0) => None,
        (w, 0) => {
            notes.push(format!(
                "The {} {} answered by this page's service worker, inside the browser, after the delay: \
                 no connection limit applies there, where one HTTP/1.1 server gets at most 6 connections \
                 from a browser.",
                params::group(w.into()),
                plural(w)
            ));
            Some("service worker")
        }
        (0, s) => {
            notes.push(format!(
                "The {} {} answered by the server, over HTTP/1.1.",
                params::group(s.into()),
                plural(s)
            ));
            Some("server")
        }
        (w, s) => {
            notes.push(format!(
                "{} {} answered by this page's service worker and {} by the server.",
                params::group(w.into()),
                plural(w),
                params::group(s.into())
            ));
            Some("service worker and server")
        }
    };
    if let Some(mode) = fault {
        let what = match mode {
            params::FailMode::Http500 => "answered it with HTTP 500",
            params::FailMode::Drop => "closed the connection in the middle of the response",
            _ => "never answered it, so the task's timeout (timeoutMs) ended it",
        };
        let k = p.fail.unwrap_or(0);
        notes.push(format!(
            "Task {k}'s request failed for real: failMode {} asked the server, which {what}.",
            mode.name()
        ));
    }
    // How many requests the model would have under way at once.
    let width = match p.model {
        Model::Async => p.connections.unwrap_or(p.tasks),
        Model::Threads | Model::Processes => p.workers(),
        Model::Sequential => 1,
    }
    .min(p.tasks);
    let answered = by_server + by_worker;
    if p.model == Model::Async && p.connections.is_some_and(|n| n < p.tasks) && peak >= width {
        notes.push(format!(
            "connections={width} held the run to {width} requests under way at once (measured: {peak}), \
             like aiohttp's TCPConnector(limit={width}); the other tasks waited for a free connection."
        ));
    } else if by_server > 0 && answered >= width && peak < width {
        notes.push(format!(
            "The browser held requests back: at most {peak} were under way at the server at once, because \
             a browser opens at most 6 connections to one HTTP/1.1 server; the others waited in its queue."
        ));
    }
    (answered_by.map(String::from), peak)
}

#[wasm_bindgen(inline_js = "
// Gives a record its `spans` getter: the engine hands spans over as typed arrays (one copy, no
// object per task), and the objects are made only when someone reads `spans`, then kept.
export function with_spans(record, states) {
  let spans = null;
  Object.defineProperty(record, 'spans', {
    enumerable: true,
    get() {
      spans ??= Array.from(record.spanId, (id, i) => ({
        id,
        lane: record.spanLane[i],
        startMs: record.spanStart[i],
        endMs: record.spanEnd[i],
        state: states[record.spanState[i]],
      }));
      return spans;
    },
  });
  return record;
}")]
extern "C" {
    fn with_spans(record: Object, states: &Array) -> JsValue;
}

/// The run under way: `{ done, started, inFlight, total, elapsedMs }`, or `null` when idle.
/// `inFlight` is `started - done`: tasks under way right now.
#[wasm_bindgen]
pub fn progress() -> JsValue {
    CURRENT.with_borrow(|c| match c {
        None => JsValue::NULL,
        Some(s) => Progress {
            done: s.done(),
            started: s.started(),
            in_flight: s.in_flight(),
            total: s.total,
            elapsed_ms: s.since_start(),
        }
        .to_js(),
    })
}

/// The run under way as the page draws it live: every task started so far with its lane, row,
/// start and (once ended) end, and what the tasks printed; only the counters for runs too big to
/// watch task by task. `null` when idle.
#[wasm_bindgen]
pub fn live() -> JsValue {
    CURRENT.with_borrow(|c| {
        let Some(state) = c else { return JsValue::NULL };
        LIVE.with_borrow_mut(|view| {
            let mut snapshot = LiveSnapshot {
                elapsed_ms: state.since_start(),
                total: state.total,
                started: state.started(),
                done: state.done(),
                in_flight: state.in_flight(),
                watched: view.is_some(),
                lanes: Vec::new(),
                span_id: U32s::default(),
                span_lane: U32s::default(),
                span_row: U32s::default(),
                span_start: F64s::default(),
                span_end: F64s::default(),
                span_state: U8s::default(),
                output: Vec::new(),
                wait_lane: F64s::default(),
                wait_id: U32s::default(),
                wait_kind: U8s::default(),
                wait_start: F64s::default(),
                wait_end: F64s::default(),
            };
            if let (Some(view), Some(log)) = (view.as_mut(), state.events()) {
                let mut cursor = view.cursor;
                log.drain(&mut cursor, |e| view.apply(e));
                view.cursor = cursor;
                view.see_waits(log, snapshot.elapsed_ms);
                // The snapshot's moment is after everything it read: a thread may have begun a
                // wait or a task since the clock was read above. And a worker's clock may run a
                // fraction of a ms ahead of the page's (each has its own time origin), so no time
                // in the snapshot is later than its moment.
                let now = state.since_start();
                snapshot.elapsed_ms = now;
                for w in view.waits() {
                    snapshot.wait_lane.0.push(f64::from(w.lane.number()));
                    snapshot.wait_id.0.push(w.id);
                    snapshot.wait_kind.0.push(w.kind as u8);
                    snapshot.wait_start.0.push(w.start.min(now));
                    snapshot.wait_end.0.push(w.end.map_or(f64::NAN, |e| e.min(now)));
                }
                snapshot.lanes = view
                    .lanes()
                    .into_iter()
                    .map(|(lane, rows)| LaneInfo { lane: lane.number(), label: lane.label(), rows })
                    .collect();
                for (id, lane, row, start, end, span_state) in view.spans() {
                    snapshot.span_id.0.push(id);
                    snapshot.span_lane.0.push(lane.number());
                    snapshot.span_row.0.push(row);
                    snapshot.span_start.0.push(start.min(now));
                    // NaN while the task runs (f64::min would turn that into `now`).
                    snapshot.span_end.0.push(if end.is_nan() { end } else { end.min(now) });
                    snapshot.span_state.0.push(span_state as u8);
                }
                snapshot.output = view
                    .lines()
                    .into_iter()
                    .map(|l| OutputLine { at_ms: l.at_ms, lane: l.lane, text: l.text })
                    .collect();
            }
            snapshot.to_js()
        })
    })
}

/// Stops the run under way; its `run()` resolves with `stopped: true` and the spans that
/// finished. Returns whether there was a run to stop.
#[wasm_bindgen]
pub fn stop() -> bool {
    if !BUSY.get() {
        return false;
    }
    // Between models of `all`, or while a run waits for the pool or warms up, there is no run
    // state yet: the request is kept and the run stops as soon as it starts.
    STOP_ASKED.set(true);
    for waiter in STOP_WAITERS.take() {
        let _ = waiter.send(());
    }
    CURRENT.with_borrow(|c| {
        if let Some(s) = c {
            s.stop();
        }
    });
    true
}

/// The Rust code that ran for a model and workload: `[{ name, code }]`, excerpts of the
/// runners' own source (see [`crate::source`]).
/// `options` may carry the async options that change the code: `{ offload, limit }` (a record
/// has both).
#[wasm_bindgen(js_name = rustCode)]
pub fn rust_code(model: &str, workload: &str, blocking: bool, timers: &str, options: JsValue) -> JsValue {
    let list = Array::new();
    let offload = js_sys::Reflect::get(&options, &"offload".into()).is_ok_and(|v| v.is_truthy());
    let limit = get_f64(&options, "limit").is_some();
    for name in crate::source::snippets_for(model, workload, blocking, timers, offload, limit) {
        let item = Object::new();
        set(&item, "name", name);
        set(&item, "code", crate::source::snippet(name).unwrap_or_default());
        list.push(&item);
    }
    list.into()
}

/// Diagnostics: `{ wasmMemoryBytes, heapBytes, workers, taskThreads, processes, runs }`. Wasm memory only grows (pages
/// are never returned), so a leak shows as growth across repeated runs.
#[wasm_bindgen]
pub fn stats() -> JsValue {
    let out = Object::new();
    set(&out, "wasmMemoryBytes", wasm_memory_bytes());
    set(&out, "heapBytes", alloc::live() as f64);
    set(&out, "workers", POOL_SIZE.get());
    #[cfg(feature = "threads")]
    set(&out, "taskThreads", runner::task_threads::count());
    #[cfg(not(feature = "threads"))]
    set(&out, "taskThreads", 0);
    set(&out, "processes", runner::processes::idle_count());
    set(&out, "runs", RUNS.get());
    out.into()
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer = memory.buffer();
    // A shared memory's buffer is a SharedArrayBuffer, a plain one's an ArrayBuffer.
    get_f64(&buffer, "byteLength").unwrap_or(0.0)
}

/// Says which pool this page will start (`startPool` may come later, when a run first needs
/// threads): threads runs are checked against this size meanwhile, and wait for the pool.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = planPool)]
pub fn plan_pool(threads: u32) {
    POOL_PLANNED.set(threads);
}

/// Starts the worker pool (once per page) and resolves to the ms it took. The engine is usable
/// meanwhile: a threads run asked for before the pool is up waits for it (the wait is not part of
/// its elapsed time; its record says how long it was).
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = startPool)]
pub async fn start_pool(threads: u32) -> Result<f64, JsValue> {
    if POOL_SIZE.get() > 0 {
        return Err(js_sys::Error::new("the pool is already started; it cannot be resized").into());
    }
    POOL_PLANNED.set(threads);
    let t0 = crate::clock::now_ms();
    let before = wasm_memory_bytes();
    POOL_STARTING.set(true);
    let started = runner::task_threads::start_pool(threads).await;
    POOL_STARTING.set(false);
    POOL_PLANNED.set(0);
    if started.is_ok() {
        POOL_SIZE.set(threads);
    }
    // Waiters wake either way: without a pool their run ends with the reason below.
    for waiter in POOL_WAITERS.take() {
        let _ = waiter.send(());
    }
    started?;
    let took = crate::clock::now_ms() - t0;
    POOL_COST.set((took, wasm_memory_bytes() - before));
    Ok(took)
}

/// Resolves when `stop()` is called during the current `run()` call (at once if it was).
async fn stop_asked() {
    if STOP_ASKED.get() {
        return;
    }
    let (tx, rx) = futures_channel::oneshot::channel();
    STOP_WAITERS.with_borrow_mut(|w| w.push(tx));
    let _ = rx.await;
}

/// Waits for the pool being started, or for `stop()`: `None` if the stop came first, else what
/// [`pool_up`] returned.
async fn pool_up_or_stop() -> Option<Result<f64, JsValue>> {
    match select(Box::pin(pool_up()), Box::pin(stop_asked())).await {
        Either::Left((waited, _)) => Some(waited),
        Either::Right(_) => None,
    }
}

/// Waits until the pool being started is up; returns the ms waited (0 if it was up).
async fn pool_up() -> Result<f64, JsValue> {
    if POOL_SIZE.get() > 0 {
        return Ok(0.0);
    }
    let t0 = crate::clock::now_ms();
    let (tx, rx) = futures_channel::oneshot::channel();
    POOL_WAITERS.with_borrow_mut(|w| w.push(tx));
    let _ = rx.await;
    if POOL_SIZE.get() == 0 {
        return Err(js_sys::Error::new(
            "threads: the worker pool failed to start, so threads cannot run here.",
        )
        .into());
    }
    Ok(crate::clock::now_ms() - t0)
}
