//! The wasm-bindgen surface the page imports. Names follow the page's vocabulary (model, tasks,
//! delay, threads, elapsed, span, lane).

use std::cell::RefCell;
use std::sync::Arc;

use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::params::{self, Limits, Model, Params, Raw};
use crate::run::RunState;
use crate::runner::{self, Outcome};
use crate::timeline;

thread_local! {
    /// The run under way, if any. Only the event loop touches it.
    static CURRENT: RefCell<Option<Arc<RunState>>> = const { RefCell::new(None) };
    /// Threads in the started pool; 0 until `startPool` resolves, and always in the plain build.
    static POOL_SIZE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn raw(v: &JsValue) -> Raw<'static> {
    if v.is_undefined() || v.is_null() {
        Raw::Missing
    } else if let Some(n) = v.as_f64() {
        Raw::Number(n)
    } else {
        Raw::Other
    }
}

/// Runs `f` with the JS value as a [`Raw`], borrowing strings for the duration.
fn with_raw<R>(v: &JsValue, f: impl FnOnce(Raw) -> R) -> R {
    match v.as_string() {
        Some(s) => f(Raw::Text(&s)),
        None => f(raw(v)),
    }
}

fn limits() -> Limits {
    Limits {
        pool_size: POOL_SIZE.with(|p| p.get()),
    }
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    Reflect::set(obj, &JsValue::from_str(key), &value.into()).expect("setting a field of a plain object");
}

/// Checks a run request without running it. Returns `{ ok, errors: [{ field, message }] }`;
/// `model` may be `all`. The page calls this as the user types.
#[wasm_bindgen]
pub fn check(model: JsValue, tasks: JsValue, delay: JsValue, threads: JsValue) -> JsValue {
    let errors: Vec<params::FieldError> = match with_raw(&model, params::model) {
        Err(e) => vec![e],
        Ok(m) => with_raw(&tasks, |t| {
            with_raw(&delay, |d| {
                with_raw(&threads, |th| params::check(m, t, d, th, limits()))
            })
        })
        .err()
        .unwrap_or_default(),
    };
    let out = Object::new();
    set(&out, "ok", errors.is_empty());
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
    let err = js_sys::Error::new(
        &errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    set(&err, "field", errors[0].field);
    err.into()
}

/// Runs one model (`async`, `threads` or `sequential`; the page runs `all` as three calls).
/// Resolves to the run's record (see the README's "JavaScript API"); rejects with an `Error`
/// whose message names the refused field and its range, or if a run is already under way.
#[wasm_bindgen]
pub async fn run(
    model: JsValue,
    tasks: JsValue,
    delay: JsValue,
    threads: JsValue,
) -> Result<JsValue, JsValue> {
    let m = with_raw(&model, params::model).map_err(|e| refuse(vec![e]))?;
    let Some(m) = m else {
        return Err(js_sys::Error::new(
            "model: the engine runs one model at a time; `all` is run by the page",
        )
        .into());
    };
    let p: Params = with_raw(&tasks, |t| {
        with_raw(&delay, |d| {
            with_raw(&threads, |th| params::check(Some(m), t, d, th, limits()))
        })
    })
    .map_err(refuse)?[0];
    if CURRENT.with(|c| c.borrow().is_some()) {
        return Err(js_sys::Error::new("a run is already under way: stop it or wait for it to end").into());
    }
    let state = RunState::start(p.tasks);
    CURRENT.with(|c| *c.borrow_mut() = Some(state.clone()));
    let outcome = match p.model {
        Model::Async => runner::async_model::run(&state, p).await,
        Model::Sequential => runner::sequential::run(&state, p).await,
        #[cfg(feature = "threads")]
        Model::Threads => runner::threads::run(&state, p).await,
        #[cfg(not(feature = "threads"))]
        Model::Threads => unreachable!("params::check refuses threads when the pool size is 0"),
    };
    CURRENT.with(|c| c.borrow_mut().take());
    Ok(record(p, &state, outcome))
}

/// Builds the JS record of a finished run. Spans go out as typed arrays in start order (one
/// copy, no object per task), because a million tasks would otherwise cost a million objects;
/// the JS API turns them into `{ id, lane, startMs, endMs }` objects only when asked.
fn record(p: Params, state: &RunState, o: Outcome) -> JsValue {
    let layout = timeline::layout(&o.spans);
    let pick = |v: &[f64]| -> Float64Array {
        let picked: Vec<f64> = layout.ids.iter().map(|&i| v[i as usize]).collect();
        Float64Array::from(&picked[..])
    };
    let lanes: Vec<u32> = layout.ids.iter().map(|&i| o.spans.lane[i as usize]).collect();

    let out = Object::new();
    set(&out, "model", p.model.name());
    set(&out, "tasks", p.tasks);
    set(&out, "delayMs", p.delay_ms);
    set(&out, "threads", p.threads);
    set(&out, "elapsedMs", o.elapsed_ms);
    set(
        &out,
        "idealMs",
        params::ideal_ms(p.model, p.tasks, p.delay_ms, p.threads),
    );
    set(&out, "stopped", o.stopped);
    set(&out, "finished", layout.ids.len() as u32);
    set(&out, "peakInFlight", layout.peak);
    set(&out, "startedAt", state.t0);
    set(&out, "spanId", Uint32Array::from(&layout.ids[..]));
    set(&out, "spanLane", Uint32Array::from(&lanes[..]));
    set(&out, "spanRow", Uint32Array::from(&layout.rows[..]));
    set(&out, "spanStart", pick(&o.spans.start));
    set(&out, "spanEnd", pick(&o.spans.end));
    let lane_list = Array::new();
    for (lane, rows) in layout.lanes {
        let item = Object::new();
        set(&item, "lane", lane);
        set(&item, "rows", rows);
        lane_list.push(&item);
    }
    set(&out, "lanes", lane_list);
    out.into()
}

/// The run under way: `{ done, total, elapsedMs }`, or `null` when idle.
#[wasm_bindgen]
pub fn progress() -> JsValue {
    CURRENT.with(|c| match &*c.borrow() {
        None => JsValue::NULL,
        Some(s) => {
            let out = Object::new();
            set(&out, "done", s.done());
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
    CURRENT.with(|c| c.borrow().as_ref().map(|s| s.stop()).is_some())
}

/// Starts the worker pool (once per page) and resolves to the ms it took.
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = startPool)]
pub async fn start_pool(threads: u32) -> Result<f64, JsValue> {
    if limits().pool_size > 0 {
        return Err(js_sys::Error::new("the pool is already started; it cannot be resized").into());
    }
    let t0 = crate::clock::now_ms();
    wasm_bindgen_futures::JsFuture::from(wasm_bindgen_rayon::init_thread_pool(threads as usize)).await?;
    POOL_SIZE.with(|p| p.set(threads));
    Ok(crate::clock::now_ms() - t0)
}

/// Whether this is the threaded build.
#[wasm_bindgen(js_name = hasThreads)]
pub fn has_threads() -> bool {
    cfg!(feature = "threads")
}
