//! The wasm-bindgen surface the page imports: each export converts its arguments, asks the
//! engine's session ([`crate::session`]) and converts the answer. Names follow the page's
//! vocabulary (model, tasks, delay, threads, elapsed, span, lane).

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::alloc;
use crate::contract::{OrNull, PlannedRun, RunCall, RunStart, Stats, Verdict};
use crate::js::{self, ToJs, get_f64, get_string, set};
use crate::page;
use crate::params::{self, Model, Params, Request};
use crate::report;
use crate::runner;
use crate::session::{self, engine};
use crate::workload;

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
    let entries = js::entries(options);
    let (req, mut errors) = Request::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.raw())));
    match params::check(&req, session::limits()) {
        Ok(runs) if errors.is_empty() => Ok(runs),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// Tells the engine what the page found: `{ fetchUrl, processUrl, threadsOff, memory, maxThreads }`: the
/// absolute URL of the server's latency endpoint when it answers (the fetch workload), or null;
/// the process worker script's URL (the processes model); why there are no threads, if there are
/// none (`not-isolated` or `unsupported`), so a refused threads run names the real reason; where
/// threads keep their memory (`shared`, the default, or `separate` in the plain build); and
/// the most threads (Web Workers) a run may start in this browser (at most `MAX_THREADS`).
#[wasm_bindgen]
pub fn configure(options: JsValue) {
    let text = |key: &str| get_string(&options, key);
    workload::set_fetch_url(text("fetchUrl"));
    runner::processes::set_script(text("processUrl"));
    let no_threads = params::NoThreads::parse(&text("threadsOff").unwrap_or_default());
    let memory = params::Memory::parse(&text("memory").unwrap_or_default()).unwrap_or_default();
    engine(|e| e.configure(no_threads, memory, get_f64(&options, "maxThreads")));
}

/// Why the fetch workload cannot run on this page, as the page's sentence, from the code the page
/// found (`blocked`, `framed-refused`, `insecure` or `not-claimed`: see [`params::NoFetch`]).
#[wasm_bindgen(js_name = fetchReason)]
pub fn fetch_reason(code: &str) -> String {
    params::NoFetch::parse(code).sentence()
}

/// Why threads have memory of their own on this page, as the page's sentence, from the code the
/// page found (coi.js's reasons, `not-isolated` or `unsupported`: see [`params::NoSharedMemory`]).
#[wasm_bindgen(js_name = threadsReason)]
pub fn threads_reason(code: &str) -> String {
    params::NoSharedMemory::parse(code).sentence()
}

/// Runs one task of the processes model in this wasm instance; called by `www/process.js` in
/// a process worker with the task's inputs.
#[wasm_bindgen(js_name = processTask)]
pub async fn process_task(task: JsValue) -> JsValue {
    runner::processes::task_in_this_process(task).await
}

/// A GIL message from the page to the task under way in this process worker (a thread of
/// separate memory: `runner::gil_worker`).
#[wasm_bindgen(js_name = gilMessage)]
pub fn gil_message(message: JsValue) {
    runner::gil_worker::message(message);
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
                .map(|p| PlannedRun {
                    model: p.model,
                    ideal_ms: OrNull(params::ideal_ms(p, session::limits())),
                })
                .collect(),
        },
        Err(errors) => Verdict { ok: false, errors: page::option_errors(errors), runs: Vec::new() },
    };
    verdict.to_js()
}

/// Runs the options: one model, or `model: "all"` (async, threads where this page has them, then
/// sequential; a stopped run ends the series). Resolves to the run's record, or to
/// `{ model: "all", runs }`; rejects with an `Error` whose message names the refused option and
/// its range (`error.field` is the option's name), or if a run is under way. `on_event(type,
/// detail)` hears `start` and `end` (`{ model }`) around the whole call once the options are
/// accepted, and `runstart` (`{ model, tasks, idealMs }`), `runend` (the record) and `runerror`
/// (`{ model, error }`) for each model inside it.
#[wasm_bindgen]
pub async fn run(options: JsValue, on_event: JsValue) -> Result<JsValue, JsValue> {
    let runs = check_options(&options).map_err(page::refusal)?;
    engine(|e| e.begin_call()).map_err(|message| JsValue::from(js_sys::Error::new(message)))?;
    let all = get_string(&options, "model").is_some_and(|m| m.trim() == Model::ALL_NAME);
    let call = RunCall { model: if all { Model::ALL_NAME } else { runs[0].model.name() }.into() }.to_js();
    page::announce(&on_event, "start", &call);
    let outcome = run_each(runs, &on_event).await;
    engine(|e| e.end_call());
    page::announce(&on_event, "end", &call);
    let mut records = outcome?;
    if !all {
        return Ok(records.pop().expect("one run was made"));
    }
    let out = Object::new();
    set(&out, "model", Model::ALL_NAME);
    set(&out, "runs", records.into_iter().collect::<Array>());
    Ok(out.into())
}

/// Runs each model in turn, announcing each; a stopped or failed run ends the series.
async fn run_each(runs: Vec<Params>, on_event: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    let mut records = Vec::new();
    for p in runs {
        let ideal_ms = OrNull(params::ideal_ms(&p, session::limits()));
        let start = RunStart {
            model: p.model,
            tasks: p.tasks,
            ideal_ms,
            frame_ms: crate::live::frame_ms(p.workload),
        };
        page::announce(on_event, "runstart", &start.to_js());
        match session::run_one(p).await {
            Ok(record) => {
                let stopped = record.stopped;
                let js = page::record(&record);
                page::announce(on_event, "runend", &js);
                records.push(js);
                if stopped {
                    break;
                }
            }
            Err(error) => {
                // The error is whatever the run threw, a JS value: the one event not declared in
                // the contract.
                let detail = Object::new();
                set(&detail, "model", p.model.name());
                set(&detail, "error", error.clone());
                page::announce(on_event, "runerror", &detail.into());
                return Err(error);
            }
        }
    }
    Ok(records)
}

/// The run under way: `{ done, started, inFlight, total, elapsedMs }`, or `null` when idle.
/// `inFlight` is `started - done`: tasks under way right now.
#[wasm_bindgen]
pub fn progress() -> JsValue {
    engine(|e| e.current().map_or(JsValue::NULL, |run| run.progress().to_js()))
}

/// The run under way as the page draws it live: every task started so far with its lane, row,
/// start and (once ended) end, and what the tasks printed; only the counters for runs too big to
/// watch task by task. `null` when idle.
#[wasm_bindgen]
pub fn live() -> JsValue {
    engine(|e| e.current().map_or(JsValue::NULL, |run| run.snapshot().to_js()))
}

/// Stops the run under way; its `run()` resolves with `stopped: true` and the spans that
/// finished. Returns whether there was a run to stop.
#[wasm_bindgen]
pub fn stop() -> bool {
    engine(|e| match e.ask_stop() {
        None => false,
        Some(current) => {
            if let Some(run) = current {
                run.state.stop();
            }
            true
        }
    })
}

/// Turns the async executor's per-task accounting (busy, scheduled, idle, polls) on or off for
/// later runs: for the bench, which alternates both to measure its cost. Not part of the API.
#[doc(hidden)]
#[wasm_bindgen(js_name = __setAccounting)]
pub fn set_accounting(on: bool) {
    crate::executor::set_accounting(on);
}

/// The names of the Rust code that ran for a model and workload: the runners' source excerpts
/// (see [`crate::source`]) whose text `snippets.json` holds, next to the page.
/// `options` may carry the options that change the code: `{ offload, limit, memory }` (a record
/// has them).
#[wasm_bindgen(js_name = rustCodeNames)]
pub fn rust_code_names(
    model: &str,
    workload: &str,
    blocking: bool,
    timers: &str,
    options: JsValue,
) -> JsValue {
    let offload = js_sys::Reflect::get(&options, &"offload".into()).is_ok_and(|v| v.is_truthy());
    let limit = get_f64(&options, "limit").is_some();
    let separate = get_string(&options, "memory").as_deref() == Some(params::Memory::Separate.name());
    let gil = js_sys::Reflect::get(&options, &"gil".into()).is_ok_and(|v| v.is_truthy());
    crate::source::snippets_for(model, workload, blocking, timers, offload, limit, separate, gil).to_js()
}

/// The sentence of a demonstration of the comparison table (`key`: a row's or a verdict's) over
/// the records of its latest `runs` runs, or `null`. `noThreads` is the page's reason why threads
/// cannot run here, if they cannot.
#[wasm_bindgen(js_name = demoSentence)]
pub fn demo_sentence(key: &str, runs: u32, no_threads: Option<String>) -> Option<String> {
    let page = report::demos::Page { cores: session::limits().cores, no_threads };
    let records = engine(|e| e.recent(runs as usize));
    report::demos::sentence(key, &records, &page)
}

/// What the page asks before a run of `options` with `predict`: `[{ model, figure, prompt }]`,
/// one per model it runs; none when the options are refused (the run itself then says why).
#[wasm_bindgen]
pub fn questions(options: JsValue) -> JsValue {
    let runs = check_options(&options).unwrap_or_default();
    runs.iter().map(report::predict::question).collect::<Vec<_>>().to_js()
}

/// The learner's prediction (`{ elapsedMs?, lostUpdates?, deadlock? }`) compared with what
/// `record` (a record `run()` resolved to) measured: `{ figure, close, sentence }`, or `null`
/// when the prediction does not give the figure the run asks for.
#[wasm_bindgen]
pub fn judge(record: JsValue, prediction: JsValue) -> JsValue {
    match page::judged_record(&record) {
        Some(r) => OrNull(report::predict::judge(&r, &page::prediction(&prediction))).to_js(),
        None => JsValue::NULL,
    }
}

/// "Cost of the machinery": what the latest run of each model cost, each figure with why.
/// `threads`, `poolSize` and `poolStartMs` are the page's capabilities.
#[wasm_bindgen]
pub fn costs(threads: bool, pool_size: u32, pool_start_ms: Option<f64>) -> JsValue {
    use report::costs::{Latest, Pool};
    let pool = Pool { threads, size: pool_size, start_ms: pool_start_ms };
    engine(|e| {
        let latest = Latest {
            r#async: e.latest(Model::Async),
            threads: e.latest(Model::Threads),
            processes: e.latest(Model::Processes),
        };
        report::costs::rows(latest, pool).to_js()
    })
}

/// Diagnostics: `{ wasmMemoryBytes, heapBytes, workers, taskThreads, processes, runs }`.
#[wasm_bindgen]
pub fn stats() -> JsValue {
    #[cfg(feature = "threads")]
    let task_threads = runner::task_threads::count();
    #[cfg(not(feature = "threads"))]
    let task_threads = runner::separate_threads::idle_count();
    let (workers, runs) = engine(|e| (e.pool_size(), e.runs()));
    Stats {
        wasm_memory_bytes: js::wasm_memory_bytes(),
        heap_bytes: alloc::live() as f64,
        workers,
        task_threads,
        processes: runner::processes::idle_count(),
        runs,
    }
    .to_js()
}

/// Says which pool this page will start (`startPool` may come later, when a run first needs
/// threads): threads runs are checked against this size meanwhile, and wait for the pool.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = planPool)]
pub fn plan_pool(threads: u32) {
    engine(|e| e.plan_pool(threads));
}

/// Starts the worker pool (once per page) and resolves to the ms it took. The engine is usable
/// meanwhile: a threads run asked for before the pool is up waits for it (the wait is not part of
/// its elapsed time; its record says how long it was).
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = startPool)]
pub async fn start_pool(threads: u32) -> Result<f64, JsValue> {
    engine(|e| e.pool_starts(threads)).map_err(|message| JsValue::from(js_sys::Error::new(message)))?;
    let t0 = crate::clock::now_ms();
    let before = js::wasm_memory_bytes();
    let started = runner::task_threads::start_pool(threads).await;
    let took = crate::clock::now_ms() - t0;
    let cost = started.is_ok().then(|| (took, js::wasm_memory_bytes() - before));
    engine(|e| e.pool_started(threads, cost));
    started?;
    Ok(took)
}
