//! What a task does. Today: wait `delay` ms, standing in for a network call, either by awaiting
//! (async) or by blocking its thread (threads).

use gloo_timers::future::TimeoutFuture;

#[cfg(feature = "threads")]
use crate::{clock, run::RunState};

/// Awaits `delay_ms` on the event loop: a browser timer, like `await asyncio.sleep(delay)`.
pub async fn sleep(delay_ms: u32) {
    TimeoutFuture::new(delay_ms).await;
}

/// Longest single blocking wait, so a stopped run ends within this many ms (issue #6: stop
/// within 100 ms).
#[cfg(feature = "threads")]
const SLICE_MS: f64 = 20.0;

/// Blocks the calling worker thread for `delay_ms`, like `time.sleep(delay)` in a Python thread.
/// Sleeps in slices against an absolute deadline (so slicing adds no drift) and returns `false`
/// if the run was stopped first. Never call on the page's main thread: `Atomics.wait` traps there.
#[cfg(feature = "threads")]
pub fn sleep_blocking(delay_ms: u32, run: &RunState) -> bool {
    let deadline = clock::now_ms() + f64::from(delay_ms);
    loop {
        if run.is_stopped() {
            return false;
        }
        let left = deadline - clock::now_ms();
        if left <= 0.0 {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(left.min(SLICE_MS) / 1000.0));
    }
}
