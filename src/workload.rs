//! What a task does: wait (a timer, standing in for I/O), fetch (a real HTTP request), or compute
//! (real CPU work). Each in the form its model needs: awaited on the event loop, or blocking on a
//! worker thread.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::clock;
use crate::run::RunState;

/// Awaits `delay_ms` on the event loop: a browser timer, like `await asyncio.sleep(delay)`.
pub async fn sleep(delay_ms: u32) {
    TimeoutFuture::new(delay_ms).await;
}

/// Longest single blocking wait, so a stopped run ends within this many ms (stop
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

/// Waits `delay_ms` without giving the thread back: a busy loop on the clock. This is the classic
/// async mistake (calling `time.sleep` inside a coroutine): on the event loop nothing else runs
/// meanwhile. (`Atomics.wait` would be the honest blocking call, but browsers forbid it on the
/// page's main thread.) Returns `false` if the run was stopped.
pub fn block_event_loop(delay_ms: u32, run: &RunState) -> bool {
    let deadline = clock::now_ms() + f64::from(delay_ms);
    while clock::now_ms() < deadline {
        if run.is_stopped() {
            return false;
        }
    }
    true
}

// ---- CPU work ----

/// Kernel iterations per ms on this device, measured once per page load (0: not yet).
static ITERS_PER_MS: AtomicU64 = AtomicU64::new(0);

/// Iterations per chunk of CPU work: between chunks a task checks for stop and the GIL's switch
/// interval. About 0.1 ms on this project's machines.
pub const CHUNK: u64 = 16_384;

/// One chunk of the CPU kernel: a xorshift generator folded into an accumulator. Deterministic,
/// allocation-free (the allocator's lock would serialise threads) and opaque to the optimiser.
#[inline(never)]
pub fn kernel(mut x: u64, iters: u64) -> u64 {
    let mut acc = 0u64;
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = acc.wrapping_add(x.rotate_left(5) ^ acc);
    }
    std::hint::black_box(acc ^ x)
}

/// Measures the kernel's speed on this thread (about 110 ms, once per page load) and returns
/// iterations per ms.
pub fn calibrate() -> u64 {
    let known = ITERS_PER_MS.load(Relaxed);
    if known > 0 {
        return known;
    }
    // Warm up for 30 ms first: the browser compiles hot wasm again, optimised, after it has run a
    // while, and calibrating on the first, slower code would make every task too short.
    let warm = clock::now_ms();
    while clock::now_ms() - warm < 30.0 {
        kernel(3, CHUNK);
    }
    // The best of eight 10 ms windows: a window in which the browser ran something else on this
    // core would make the device look slower than it is.
    let mut best = 1.0f64;
    let mut seed = 1;
    for _ in 0..8 {
        let t0 = clock::now_ms();
        let mut chunks = 0u64;
        while clock::now_ms() - t0 < 10.0 {
            seed = kernel(seed | 1, CHUNK);
            chunks += 1;
        }
        best = best.max((chunks * CHUNK) as f64 / (clock::now_ms() - t0));
    }
    let per_ms = best as u64;
    ITERS_PER_MS.store(per_ms, Relaxed);
    per_ms
}

/// Iterations for `delay_ms` of work on this device (0 before [`calibrate`]).
pub fn cpu_iterations(delay_ms: u32) -> u64 {
    ITERS_PER_MS.load(Relaxed) * u64::from(delay_ms)
}

/// Computes `iters` iterations for task `id`, calling `between()` after every chunk; stops early
/// (returning `None`) when `between` returns `false`. The result is the task's checksum.
pub fn compute(id: u32, iters: u64, mut between: impl FnMut() -> bool) -> Option<u64> {
    let mut x = 0x9E37_79B9_7F4A_7C15 ^ u64::from(id);
    let mut left = iters;
    let mut sum = 0u64;
    while left > 0 {
        let n = left.min(CHUNK);
        let c = kernel(x | 1, n);
        sum = sum.wrapping_add(c);
        x = c;
        left -= n;
        if !between() {
            return None;
        }
    }
    Some(sum)
}

// ---- fetch ----

thread_local! {
    /// The latency endpoint's absolute URL, set by the page when its server answers it.
    static FETCH_URL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Sets (or clears) the latency endpoint; absolute, because workers resolve relative URLs
/// against their own (blob:) script URL.
pub fn set_fetch_url(url: Option<String>) {
    FETCH_URL.set(url);
}

/// The latency endpoint, if the page has one.
pub fn fetch_url() -> Option<String> {
    FETCH_URL.with_borrow(|u| u.clone())
}

/// The request URL for task `id`: the server answers after `delay_ms`.
pub fn request_url(base: &str, delay_ms: u32, id: u32) -> String {
    format!("{base}?ms={delay_ms}&task={id}")
}

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

/// Fetches `url` through the browser's network stack and awaits the whole response body, like
/// `await session.get(url)` with aiohttp.
pub async fn fetch(url: &str) -> Result<(), String> {
    // On the page or in a process worker: `fetch` belongs to whichever global this is.
    let global = js_sys::global();
    let request = match global.dyn_ref::<web_sys::Window>() {
        Some(window) => window.fetch_with_str(url),
        None => global.unchecked_ref::<web_sys::WorkerGlobalScope>().fetch_with_str(url),
    };
    let response: web_sys::Response = JsFuture::from(request).await.map_err(js_error)?.into();
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    JsFuture::from(response.text().map_err(js_error)?).await.map_err(js_error)?;
    Ok(())
}

/// Fetches `url` and blocks the worker thread until the response arrives (a synchronous
/// XMLHttpRequest, which browsers allow in workers only), like `requests.get(url)`.
#[cfg(feature = "threads")]
pub fn fetch_blocking(url: &str) -> Result<(), String> {
    let xhr = web_sys::XmlHttpRequest::new().map_err(js_error)?;
    xhr.open_with_async("GET", url, false).map_err(js_error)?;
    xhr.send().map_err(js_error)?;
    match xhr.status().map_err(js_error)? {
        200..=299 => Ok(()),
        s => Err(format!("HTTP {s}")),
    }
}
