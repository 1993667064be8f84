//! The wasm-bindgen surface the page imports. Names follow the page's vocabulary (model, tasks,
//! delay, threads, elapsed, span, lane).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::alloc;
use crate::js::{get_f64, get_string, set};
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
    /// Runs finished since the module loaded.
    static RUNS: Cell<u32> = const { Cell::new(0) };
    /// How long the pool took to start, in ms, and the wasm memory it added, in bytes.
    static POOL_COST: Cell<(f64, f64)> = const { Cell::new((0.0, 0.0)) };
}

/// A field of the options object, owned, so [`Raw`] can borrow its text.
enum Field {
    Missing,
    Number(f64),
    Text(String),
    Bool(bool),
    Other,
}

impl Field {
    fn read(options: &JsValue, key: &str) -> Field {
        let v = if options.is_object() {
            Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
        if v.is_undefined() || v.is_null() {
            Field::Missing
        } else if let Some(n) = v.as_f64() {
            Field::Number(n)
        } else if let Some(s) = v.as_string() {
            Field::Text(s)
        } else if let Some(b) = v.as_bool() {
            Field::Bool(b)
        } else {
            Field::Other
        }
    }

    fn raw(&self) -> Raw<'_> {
        match self {
            Field::Missing => Raw::Missing,
            Field::Number(n) => Raw::Number(*n),
            Field::Text(s) => Raw::Text(s),
            Field::Bool(b) => Raw::Bool(*b),
            Field::Other => Raw::Other,
        }
    }
}

/// Reads the JS API's options object and checks it.
fn check_options(options: &JsValue) -> Result<Vec<Params>, Vec<params::FieldError>> {
    let model = match Field::read(options, "model") {
        Field::Missing => Field::Text("async".into()),
        f => f,
    };
    let [tasks, delay, threads, timers, workload, gil, blocking, fail, fail_mode] =
        ["tasks", "delayMs", "threads", "timers", "workload", "gil", "blocking", "fail", "failMode"]
            .map(|k| Field::read(options, k));
    let req = Request {
        model: model.raw(),
        tasks: tasks.raw(),
        delay: delay.raw(),
        threads: threads.raw(),
        timers: timers.raw(),
        workload: workload.raw(),
        gil: gil.raw(),
        blocking: blocking.raw(),
        fail: fail.raw(),
        fail_mode: fail_mode.raw(),
    };
    params::check(&req, limits())
}

fn limits() -> Limits {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency()) as u32;
    Limits { pool_size: POOL_SIZE.get(), cores: cores.max(1), fetch: workload::fetch_url().is_some() }
}

/// Tells the engine what the page found: `{ fetchUrl, processUrl }`: the absolute URL of the
/// server's latency endpoint when it answers (the fetch workload), or null; the process worker
/// script's URL (the processes model).
#[wasm_bindgen]
pub fn configure(options: JsValue) {
    let text = |key: &str| get_string(&options, key);
    workload::set_fetch_url(text("fetchUrl"));
    runner::processes::set_script(text("processUrl"));
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
    let checked = check_options(&options);
    let out = Object::new();
    set(&out, "ok", checked.is_ok());
    let runs = Array::new();
    for p in checked.as_deref().unwrap_or_default() {
        let item = Object::new();
        set(&item, "model", p.model.name());
        set(&item, "idealMs", params::ideal_ms(p, limits()));
        runs.push(&item);
    }
    set(&out, "runs", runs);
    let errors = checked.err().unwrap_or_default();
    let list = Array::new();
    for e in errors {
        let item = Object::new();
        set(&item, "field", e.field);
        set(&item, "message", e.message);
        list.push(&item);
    }
    set(&out, "errors", list);
    out.into()
}

/// The fixed limits, for the page's labels: `{ maxTasks, maxDelayMs, maxRunMs, poolSize }`.
#[wasm_bindgen(js_name = limits)]
pub fn js_limits() -> JsValue {
    let out = Object::new();
    set(&out, "maxTasks", params::MAX_TASKS);
    set(&out, "maxDelayMs", params::MAX_DELAY_MS);
    set(&out, "maxRunMs", params::MAX_RUN_MS as f64);
    set(&out, "poolSize", limits().pool_size);
    out.into()
}

fn refuse(errors: Vec<params::FieldError>) -> JsValue {
    let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
    let err = js_sys::Error::new(&message);
    set(&err, "field", errors[0].field);
    err.into()
}

/// Runs one model (`async`, `threads` or `sequential`; the page runs `all` as one call per
/// model). Resolves to the run's record (see the README's "JavaScript API"); rejects with an
/// `Error` whose message names the refused field and its range, or if a run is under way.
#[wasm_bindgen]
pub async fn run(options: JsValue) -> Result<JsValue, JsValue> {
    let runs = check_options(&options).map_err(refuse)?;
    let [p] = runs[..] else {
        return Err(
            js_sys::Error::new("model: the engine runs one model at a time; the page runs `all`").into()
        );
    };
    if CURRENT.with_borrow(|c| c.is_some()) {
        return Err(js_sys::Error::new("A run is already under way: stop it or wait for it to end.").into());
    }
    if p.workload == Workload::Cpu {
        // Once per page load, before the run's clock starts.
        workload::calibrate();
        #[cfg(feature = "threads")]
        if p.model == Model::Threads {
            runner::threads::warm_up().await;
        }
    }
    let mut processes = None;
    if p.model == Model::Processes {
        let ready = runner::processes::take(p.threads.min(p.tasks) as usize).await;
        processes = Some(ready.map_err(|e| JsValue::from(js_sys::Error::new(&e)))?);
    }
    let startup = processes.as_ref().map(|r| r.startup);
    let heap_before = alloc::live();
    alloc::reset_peak();
    let state = RunState::start(p.tasks);
    CURRENT.set(Some(state.clone()));
    let runner = async {
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
    let (outcome, lag_ms) = crate::run::with_lag_probe(runner).await;
    let heap_peak = alloc::peak().saturating_sub(heap_before);
    CURRENT.set(None);
    RUNS.set(RUNS.get() + 1);
    // After a big run, laying out and copying out a million spans takes tens of ms each: give the
    // browser the event loop back in between, so no single task blocks it long (issue #5).
    let big = p.tasks > 10_000;
    if big {
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let layout = timeline::layout(&outcome.spans);
    if big {
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let record = record(p, &state, outcome, layout);
    set(&record, "eventLoopLagMs", lag_ms);
    set(&record, "heapPeakBytes", heap_peak as f64);
    set(&record, "heapBytesPerTask", heap_peak as f64 / f64::from(p.tasks));
    if let Some(cost) = startup {
        set(&record, "processesStarted", cost.started);
        set(&record, "processStartMs", cost.ms_each);
    }
    if p.model == Model::Threads {
        let (start_ms, bytes) = POOL_COST.get();
        let size = f64::from(POOL_SIZE.get().max(1));
        set(&record, "threadStartMs", start_ms / size);
        set(&record, "threadBytes", bytes / size);
    }
    Ok(record.into())
}

/// Builds the JS record of a finished run. Spans go out as typed arrays in start order (one
/// copy, no object per task), because a million tasks would otherwise cost a million objects;
/// the JS API turns them into `{ id, lane, startMs, endMs }` objects only when asked.
fn record(p: Params, state: &RunState, o: Outcome, layout: timeline::Layout) -> Object {
    let pick = |v: &[f64]| -> Float64Array {
        let picked: Vec<f64> = layout.ids.iter().map(|&i| v[i as usize]).collect();
        Float64Array::from(&picked[..])
    };
    let lanes: Vec<u32> = layout.ids.iter().map(|&i| o.spans.lane[i as usize].number()).collect();

    let out = Object::new();
    set(&out, "model", p.model.name());
    set(&out, "tasks", p.tasks);
    set(&out, "delayMs", p.delay_ms);
    set(&out, "threads", p.threads);
    set(&out, "workload", p.workload.name());
    set(&out, "gil", p.gil && p.model == Model::Threads);
    set(&out, "blocking", p.blocking && p.model == Model::Async);
    if p.model == Model::Async {
        set(&out, "timers", p.timers.name());
        set(&out, "failMode", p.fail_mode.name());
    }
    set(&out, "fail", p.fail.map_or(JsValue::NULL, JsValue::from));
    set(&out, "elapsedMs", o.elapsed_ms);
    set(&out, "idealMs", params::ideal_ms(&p, limits()));
    set(&out, "stopped", o.stopped);
    set(&out, "crashed", o.crashed);
    set(&out, "finished", o.spans.count(timeline::SpanState::Done) as u32);
    set(&out, "failed", o.spans.count(timeline::SpanState::Failed) as u32);
    set(&out, "cancelled", o.spans.count(timeline::SpanState::Cancelled) as u32);
    if p.workload == Workload::Cpu {
        set(&out, "checksum", format!("{:016x}", o.checksum));
        set(&out, "iterationsPerTask", workload::cpu_iterations(p.delay_ms) as f64);
        // The work's own length (tasks × delay, as calibrated) over the time it took.
        let work_ms = f64::from(p.tasks) * f64::from(p.delay_ms);
        set(&out, "speedup", if o.elapsed_ms > 0.0 { work_ms / o.elapsed_ms } else { 0.0 });
    }
    let notes = Array::new();
    if p.delay_ms < 4 && p.workload != Workload::Cpu {
        notes.push(&JsValue::from_str(
            "Delays under 4 ms are distorted: browsers clamp nested timers to at least 4 ms.",
        ));
    }
    if p.workload == Workload::Fetch && p.tasks > params::CONNECTIONS_PER_HOST && p.model != Model::Sequential
    {
        notes.push(&JsValue::from_str(
            "The browser keeps at most 6 connections to one server open, so at most 6 requests were \
             in flight; the others waited in the browser's queue.",
        ));
    }
    set(&out, "notes", notes);
    let errors = Array::new();
    for (id, message) in &o.errors {
        let item = Object::new();
        set(&item, "id", *id);
        set(&item, "message", message.as_str());
        errors.push(&item);
    }
    set(&out, "error", o.errors.first().map_or(JsValue::NULL, |(_, m)| JsValue::from(m.as_str())));
    set(&out, "errors", errors);
    // Time to create and start one task: the spread of start times over the tasks.
    let (first, last) = layout.ids.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &i| {
        let s = o.spans.start[i as usize];
        (a.min(s), b.max(s))
    });
    if layout.ids.len() > 1 && p.model == Model::Async && !p.busies_event_loop() {
        set(&out, "taskStartUs", (last - first) * 1000.0 / (layout.ids.len() - 1) as f64);
    }
    set(&out, "peakInFlight", layout.peak);
    set(&out, "startedAt", state.t0);
    set(&out, "spanId", Uint32Array::from(&layout.ids[..]));
    set(&out, "spanLane", Uint32Array::from(&lanes[..]));
    set(&out, "spanRow", Uint32Array::from(&layout.rows[..]));
    set(&out, "spanStart", pick(&o.spans.start));
    set(&out, "spanEnd", pick(&o.spans.end));
    let states: Vec<u8> = layout.ids.iter().map(|&i| o.spans.state[i as usize] as u8).collect();
    set(&out, "spanState", js_sys::Uint8Array::from(&states[..]));
    let waits = |f: fn(&timeline::Wait) -> f64| -> Float64Array {
        Float64Array::from(&o.waits.iter().map(f).collect::<Vec<_>>()[..])
    };
    set(&out, "waitId", waits(|w| f64::from(w.id)));
    set(&out, "waitLane", waits(|w| f64::from(w.lane.number())));
    set(&out, "waitStart", waits(|w| w.start));
    set(&out, "waitEnd", waits(|w| w.end));
    let lane_list = Array::new();
    for (lane, rows) in layout.lanes {
        let item = Object::new();
        set(&item, "lane", lane.number());
        set(&item, "rows", rows);
        lane_list.push(&item);
    }
    set(&out, "lanes", lane_list);
    out
}

/// The run under way: `{ done, started, inFlight, total, elapsedMs }`, or `null` when idle.
/// `inFlight` is `started - done`: tasks under way right now.
#[wasm_bindgen]
pub fn progress() -> JsValue {
    CURRENT.with_borrow(|c| match c {
        None => JsValue::NULL,
        Some(s) => {
            let out = Object::new();
            set(&out, "done", s.done());
            set(&out, "started", s.started());
            set(&out, "inFlight", s.in_flight());
            set(&out, "total", s.total);
            set(&out, "elapsedMs", s.since_start());
            out.into()
        }
    })
}

/// Stops the run under way; its `run()` resolves with `stopped: true` and the spans that
/// finished. Returns whether there was a run to stop.
#[wasm_bindgen]
pub fn stop() -> bool {
    CURRENT.with_borrow(|c| c.as_ref().map(|s| s.stop()).is_some())
}

/// The Rust code that ran for a model and workload: `[{ name, code }]`, excerpts of the
/// runners' own source (see [`crate::source`]).
#[wasm_bindgen(js_name = rustCode)]
pub fn rust_code(model: &str, workload: &str, blocking: bool, timers: &str) -> JsValue {
    let list = Array::new();
    for name in crate::source::snippets_for(model, workload, blocking, timers) {
        let item = Object::new();
        set(&item, "name", name);
        set(&item, "code", crate::source::snippet(name).unwrap_or_default());
        list.push(&item);
    }
    list.into()
}

/// Diagnostics: `{ wasmMemoryBytes, heapBytes, workers, processes, runs }`. Wasm memory only grows (pages
/// are never returned), so a leak shows as growth across repeated runs.
#[wasm_bindgen]
pub fn stats() -> JsValue {
    let out = Object::new();
    set(&out, "wasmMemoryBytes", wasm_memory_bytes());
    set(&out, "heapBytes", alloc::live() as f64);
    set(&out, "workers", POOL_SIZE.get());
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

/// Starts the worker pool (once per page) and resolves to the ms it took.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = startPool)]
pub async fn start_pool(threads: u32) -> Result<f64, JsValue> {
    if limits().pool_size > 0 {
        return Err(js_sys::Error::new("the pool is already started; it cannot be resized").into());
    }
    let t0 = crate::clock::now_ms();
    let before = wasm_memory_bytes();
    wasm_bindgen_futures::JsFuture::from(wasm_bindgen_rayon::init_thread_pool(threads as usize)).await?;
    POOL_SIZE.set(threads);
    let took = crate::clock::now_ms() - t0;
    POOL_COST.set((took, wasm_memory_bytes() - before));
    Ok(took)
}

/// Whether this is the threaded build.
#[wasm_bindgen(js_name = hasThreads)]
pub fn has_threads() -> bool {
    cfg!(feature = "threads")
}
