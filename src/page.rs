//! What the boundary hands the page besides the contract's plain objects: a record finished
//! for JS (its `spans` getter and its old field names), a refusal as an `Error` naming the
//! field, the page's event callback, and a record handed back to judge a prediction.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::contract::{OptionError, OrNull, Prediction, RECORD_ALIASES, Record};
use crate::js::{ToJs, get_bool, get_f64, get_string, set};
use crate::params::{FieldError, LockOrder, Model, SyncMode, Workload};
use crate::timeline::SpanState;

/// The refused options, as the contract lists them.
pub fn option_errors(errors: Vec<FieldError>) -> Vec<OptionError> {
    errors.into_iter().map(|e| OptionError { field: e.field, message: e.message }).collect()
}

/// The `Error` a refused `run()` rejects with: every refused option's sentence, `field` naming
/// the first, and `errors` listing them all.
pub fn refusal(errors: Vec<FieldError>) -> JsValue {
    let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
    let err = js_sys::Error::new(&message);
    set(&err, "field", errors[0].field.as_str());
    set(&err, "errors", option_errors(errors).to_js());
    err.into()
}

/// Calls the page's event callback, if it gave one: `(type, detail)`.
pub fn announce(on_event: &JsValue, kind: &str, detail: &JsValue) {
    if let Some(f) = on_event.dyn_ref::<js_sys::Function>() {
        // A throwing listener is the page's bug, not a reason to lose the run.
        let _ = f.call2(&JsValue::NULL, &JsValue::from_str(kind), detail);
    }
}

thread_local! {
    /// Span state names, indexed by the numbers in `spanState`.
    static SPAN_STATES: Array = SpanState::EVERY.iter().map(|s| JsValue::from_str(s.name())).collect();
    /// The record's old field names, each as `[old, new]`.
    static ALIASES: Array = RECORD_ALIASES
        .iter()
        .map(|(old, new)| Array::of2(&JsValue::from_str(old), &JsValue::from_str(new)))
        .collect();
}

/// A record as the page gets it: its fields, its `spans` getter and its old field names.
pub fn record(record: &Record) -> JsValue {
    SPAN_STATES.with(|states| {
        ALIASES.with(|aliases| finish_record(record.to_js().unchecked_into(), states, aliases))
    })
}

#[wasm_bindgen(inline_js = "
// Gives a record its `spans` getter: the engine hands spans over as typed arrays (one copy, no
// object per task), and the objects are made only when someone reads `spans`, then kept. And
// its old field names, as getters of the new fields, enumerable so that a copy (JSON, a message
// to a worker, a test's evaluate) keeps them too.
export function finish_record(record, states, aliases) {
  for (const [old, now] of aliases) {
    Object.defineProperty(record, old, { enumerable: true, get: () => record[now] });
  }
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
    fn finish_record(record: Object, states: &Array, aliases: &Array) -> JsValue;
}

/// The figures of a record `run()` resolved to that a prediction is judged against
/// ([`crate::report::predict::judge`]), read back into a [`Record`]; the other fields keep their
/// defaults. `None` when it has no known model, workload or elapsed time.
pub fn judged_record(v: &JsValue) -> Option<Record> {
    let flag = |key: &str| Reflect::get(v, &JsValue::from_str(key)).is_ok_and(|x| x.is_truthy());
    let count = |key: &str| get_f64(v, key).map(|x| x.clamp(0.0, f64::from(u32::MAX)) as u32);
    Some(Record {
        model: Model::parse(&get_string(v, "model")?)?,
        workload: Workload::parse(&get_string(v, "workload")?)?,
        elapsed_ms: get_f64(v, "elapsedMs")?,
        tasks: count("tasks").unwrap_or(0),
        delay: count("delay").unwrap_or(0),
        threads: count("threads").unwrap_or(1),
        processes: count("processes").unwrap_or(0),
        gil: flag("gil"),
        blocking: flag("blocking"),
        offload: flag("offload"),
        stopped: flag("stopped"),
        deadlock: flag("deadlock"),
        await_inside: flag("awaitInside"),
        ideal_ms: OrNull(get_f64(v, "idealMs")),
        ideal_in_flight: OrNull(count("idealInFlight")),
        limit: OrNull(count("limit")),
        fail: OrNull(count("fail")),
        peak_in_flight: count("peakInFlight").unwrap_or(0),
        finished: count("finished").unwrap_or(0),
        failed: count("failed").unwrap_or(0),
        speedup: get_f64(v, "speedup"),
        sync: get_string(v, "sync").as_deref().and_then(SyncMode::parse),
        lock_order: get_string(v, "lockOrder").as_deref().and_then(LockOrder::parse),
        counter_expected: get_f64(v, "counterExpected"),
        lost_updates: get_f64(v, "lostUpdates"),
        deadlock_cycle: OrNull(get_string(v, "deadlockCycle")),
        ..Record::default()
    })
}

/// The learner's prediction as the page gives it: `{ elapsedMs?, lostUpdates?, deadlock? }`.
pub fn prediction(v: &JsValue) -> Prediction {
    Prediction {
        elapsed_ms: get_f64(v, "elapsedMs"),
        lost_updates: get_f64(v, "lostUpdates"),
        deadlock: get_bool(v, "deadlock"),
    }
}
