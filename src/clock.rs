//! The clock every runner reads: absolute milliseconds (`performance.timeOrigin +
//! performance.now()`), because each worker's `performance.now()` starts from its own zero and
//! spans from different threads must share one axis.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Performance;

thread_local! {
    // Looked up once per thread: `performance` is a property of `window` on the page and of
    // `self` in a worker, and `js_sys::global()` is either.
    static PERFORMANCE: (Performance, f64) = {
        let perf: Performance = Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
            .expect("performance is available in windows and workers")
            .unchecked_into();
        let origin = perf.time_origin();
        (perf, origin)
    };
}

/// Milliseconds since the Unix epoch with sub-millisecond resolution, comparable across threads.
pub fn now_ms() -> f64 {
    PERFORMANCE.with(|(perf, origin)| origin + perf.now())
}
