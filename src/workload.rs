//! What a task does: wait (a timer, standing in for I/O), fetch (a real HTTP request), or compute
//! (real CPU work). Each in the form its model needs: awaited on the event loop, or blocking on a
//! worker thread.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

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
/// interval, so a chunk stays a small fraction of a millisecond (BENCHMARKS.md).
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

/// Measures the kernel's speed on this thread (110 ms of computing over about 250 ms, once per
/// page load) and returns iterations per ms. It gives the thread back before each of its 10 ms
/// windows: on the page's main thread the whole measure in one stretch was a long task that froze
/// the page (BENCHMARKS.md), in the first CPU run of every page, offloaded or not; and the first
/// window would share a task with the page's drawing of the run's start.
pub async fn calibrate() -> u64 {
    let known = ITERS_PER_MS.load(Relaxed);
    if known > 0 {
        return known;
    }
    // Warm up for 30 ms first: the browser compiles hot wasm again, optimised, after it has run a
    // while, and calibrating on the first, slower code would make every task too short.
    for _ in 0..3 {
        TimeoutFuture::new(0).await;
        let warm = clock::now_ms();
        while clock::now_ms() - warm < 10.0 {
            kernel(3, CHUNK);
        }
    }
    // The best of eight 10 ms windows: a window in which the browser ran something else on this
    // core would make the device look slower than it is. Each window is timed within one task, so
    // the pauses between them cost nothing in the figure; pauses of 10 ms spread the windows over
    // about 160 ms, so that a burst of other work (the pool's threads settling, a compile in the
    // background) cannot spoil them all (without pauses, some calibrations came out slow:
    // BENCHMARKS.md).
    let mut best = 1.0f64;
    let mut seed = 1;
    for _ in 0..8 {
        TimeoutFuture::new(10).await;
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

/// Whether [`calibrate`] has measured this page's speed already.
pub fn calibrated() -> bool {
    ITERS_PER_MS.load(Relaxed) > 0
}

/// Iterations for `delay_ms` of work on this device (0 before [`calibrate`]).
pub fn cpu_iterations(delay_ms: u32) -> u64 {
    ITERS_PER_MS.load(Relaxed) * u64::from(delay_ms)
}

/// Computes `iters` iterations for task `id`, calling `between()` after every chunk; stops early
/// (returning `None`) when `between` returns `false`. The result is the task's checksum.
///
/// One function for every model, never inlined into its caller (`between` is a trait object, not a
/// generic, for that). Chromium's wasm compiler inlines hot small calls on its own: once it had put
/// the kernel's loop inside the sequential runner's large task function, that loop ran markedly
/// slower than the same loop elsewhere, and as fast with the browser's wasm inlining turned off
/// (BENCHMARKS.md). Sequential then looked slower than two threads under the simulated GIL, the
/// opposite of the lesson. Here the loop stays in a small function of its own, which every caller
/// calls.
#[inline(never)]
pub fn compute(id: u32, iters: u64, between: &mut dyn FnMut() -> bool) -> Option<u64> {
    let mut work = Computing::new(id, iters);
    compute_some(&mut work, u64::MAX, between).then_some(work.sum)
}

/// A CPU task's work as it goes, for a thread that stops between chunks and goes on later (the
/// GIL of threads with separate memory: `runner::gil_worker`). The same chunks and checksum as
/// [`compute`], which is made of it.
pub struct Computing {
    x: u64,
    left: u64,
    sum: u64,
}

impl Computing {
    /// Task `id`'s `iters` iterations, none done.
    pub fn new(id: u32, iters: u64) -> Computing {
        Computing { x: 0x9E37_79B9_7F4A_7C15 ^ u64::from(id), left: iters, sum: 0 }
    }

    /// The checksum, once every iteration is done.
    pub fn done(&self) -> Option<u64> {
        (self.left == 0).then_some(self.sum)
    }
}

/// Goes on with `work` for at least `iters` iterations (whole chunks) or to its end, calling
/// `between()` after every chunk; `false` as soon as `between` returns `false`. Never inlined, for
/// the reason [`compute`] gives: the kernel's loop stays in this small function.
#[inline(never)]
pub fn compute_some(work: &mut Computing, iters: u64, between: &mut dyn FnMut() -> bool) -> bool {
    let mut done = 0u64;
    while work.left > 0 {
        let n = work.left.min(CHUNK);
        let c = kernel(work.x | 1, n);
        work.sum = work.sum.wrapping_add(c);
        work.x = c;
        work.left -= n;
        done += n;
        if !between() {
            return false;
        }
        if done >= iters {
            break;
        }
    }
    true
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

/// The request URL for task `id`: the server answers after `delay_ms`; `fault` (a failMode name:
/// `http500`, `drop` or `stall`) makes it fail this request for real.
/// Each run's URLs differ (`run=`): a browser makes a request wait for an earlier one to the same
/// URL that is still under way (its HTTP cache's lock), and a stalled request of an earlier run
/// must not hold back this run's.
pub fn request_url(base: &str, delay_ms: u32, id: u32, fault: Option<&str>) -> String {
    let run = RUN_NUMBER.load(Relaxed);
    match fault {
        Some(f) => format!("{base}?ms={delay_ms}&task={id}&run={run}&fail={f}"),
        None => format!("{base}?ms={delay_ms}&task={id}&run={run}"),
    }
}

/// Counts fetch runs, for [`request_url`].
static RUN_NUMBER: AtomicU32 = AtomicU32::new(0);

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

/// What answered a request: the server, or the page's service worker (see
/// `scripts/latency-sw.js`), as its `X-Answered-By` header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Responder {
    /// The project's server (`scripts/serve.mjs`), over HTTP/1.1.
    Server,
    /// The page's service worker, inside the browser.
    ServiceWorker,
}

impl Responder {
    /// The `X-Answered-By` value that names it.
    pub fn header(self) -> &'static str {
        match self {
            Responder::Server => "server",
            Responder::ServiceWorker => "service worker",
        }
    }

    fn from_header(h: Option<String>) -> Option<Responder> {
        match h.as_deref() {
            Some("server") => Some(Responder::Server),
            Some("service worker") => Some(Responder::ServiceWorker),
            _ => None,
        }
    }
}

/// A request's answer: who answered and when the request reached it (ms since the epoch, on the
/// answerer's clock).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Answer {
    /// Who answered.
    pub by: Option<Responder>,
    /// When the request arrived there.
    pub received_at: f64,
}

impl Answer {
    /// An answer as a process reported it.
    pub fn from_parts(by: Option<String>, received_at: Option<f64>) -> Answer {
        Answer { by: Responder::from_header(by), received_at: received_at.unwrap_or(f64::NAN) }
    }

    fn read(by: Option<String>, received: Option<String>) -> Answer {
        Answer {
            by: Responder::from_header(by),
            received_at: received.and_then(|r| crate::params::number::parse_f64(&r)).unwrap_or(f64::NAN),
        }
    }
}

/// What the requests of a run met, kept as they are answered, from the event loop and from worker
/// threads alike (atomics only: the event loop must never wait for a lock).
pub struct NetLog {
    /// Per task id: when its request reached what answered it (f64 bits; 0 = not answered).
    received: Vec<AtomicU64>,
    /// Requests answered by the server and by the service worker.
    by_server: AtomicU32,
    by_worker: AtomicU32,
}

static NET: std::sync::OnceLock<NetLog> = std::sync::OnceLock::new();

/// The run's request log (one per engine: runs never overlap).
pub fn net_log() -> &'static NetLog {
    NET.get_or_init(|| NetLog {
        received: (0..crate::params::MAX_FETCH_TASKS).map(|_| AtomicU64::new(0)).collect(),
        by_server: AtomicU32::new(0),
        by_worker: AtomicU32::new(0),
    })
}

impl NetLog {
    /// Forgets the last run's requests; called before a fetch run starts.
    pub fn reset(&self) {
        RUN_NUMBER.fetch_add(1, Relaxed);
        for r in &self.received {
            r.store(0, Relaxed);
        }
        self.by_server.store(0, Relaxed);
        self.by_worker.store(0, Relaxed);
    }

    /// Task `id`'s request was answered (with success or an HTTP error status).
    pub fn note(&self, id: u32, answer: Answer) {
        match answer.by {
            Some(Responder::Server) => self.by_server.fetch_add(1, Relaxed),
            Some(Responder::ServiceWorker) => self.by_worker.fetch_add(1, Relaxed),
            None => 0,
        };
        if let Some(slot) = self.received.get(id as usize)
            && answer.received_at.is_finite()
        {
            slot.store(answer.received_at.to_bits(), Relaxed);
        }
    }

    /// Requests answered by the server and by the service worker.
    pub fn answered(&self) -> (u32, u32) {
        (self.by_server.load(Relaxed), self.by_worker.load(Relaxed))
    }

    /// What answered the first `tasks` requests and when each arrived, for the run's record.
    pub fn summary(&self, tasks: u32) -> crate::record::NetSummary {
        let (by_server, by_worker) = self.answered();
        crate::record::NetSummary { by_server, by_worker, arrivals: self.arrivals(tasks) }
    }

    /// When each of the first `tasks` requests reached what answered it (NaN: not answered).
    pub fn arrivals(&self, tasks: u32) -> Vec<f64> {
        self.received
            .iter()
            .take(tasks as usize)
            .map(|r| match r.load(Relaxed) {
                0 => f64::NAN,
                bits => f64::from_bits(bits),
            })
            .collect()
    }
}

/// Aborts a request when dropped: a task stopped, cancelled or timed out closes its connection,
/// so a stalled request never outlives its task. A request whose body was read to its end is
/// over and is left alone (`finished`): aborting it would only fire an abort event for nothing,
/// a thousand of them on the event loop as a big run ends.
struct AbortOnDrop {
    controller: web_sys::AbortController,
    finished: std::cell::Cell<bool>,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.finished.get() {
            self.controller.abort();
        }
    }
}

/// Fetches `url` through the browser's network stack and awaits the whole response body, like
/// `await session.get(url)` with aiohttp, giving up after `timeout_ms` like
/// `asyncio.wait_for`. A non-2xx status (as with aiohttp's `resp.raise_for_status()`, which the
/// code panel's program calls: aiohttp itself does not raise on one), a network error (a dropped
/// connection) and a timeout are the task's error.
pub async fn fetch(url: &str, timeout_ms: u32) -> Result<Answer, String> {
    use futures_util::future::{Either, select};
    let abort = AbortOnDrop {
        controller: web_sys::AbortController::new().map_err(js_error)?,
        finished: std::cell::Cell::new(false),
    };
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(&abort.controller.signal()));
    let work = async {
        // On the page or in a process worker: `fetch` belongs to whichever global this is.
        let global = js_sys::global();
        let request = match global.dyn_ref::<web_sys::Window>() {
            Some(window) => window.fetch_with_str_and_init(url, &init),
            None => global.unchecked_ref::<web_sys::WorkerGlobalScope>().fetch_with_str_and_init(url, &init),
        };
        let response: web_sys::Response =
            JsFuture::from(request).await.map_err(|e| format!("network error: {}", js_error(e)))?.into();
        let headers = response.headers();
        let answer = Answer::read(
            headers.get("X-Answered-By").ok().flatten(),
            headers.get("X-Received-At").ok().flatten(),
        );
        if !response.ok() {
            return Err(format!("HTTP {} {}", response.status(), response.status_text()));
        }
        JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(|e| format!("network error while reading the response: {}", js_error(e)))?;
        abort.finished.set(true);
        Ok(answer)
    };
    match select(std::pin::pin!(work), TimeoutFuture::new(timeout_ms)).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => {
            Err(format!("timed out after {} ms (timeoutMs)", crate::params::group(timeout_ms.into())))
        }
    }
}

/// Fetches `url` and blocks the worker thread until the response arrives or `timeout_ms` pass (a
/// synchronous XMLHttpRequest, which browsers allow in workers only), like
/// `requests.get(url, timeout=...)`. Like a Python thread in `requests.get`, the thread cannot be
/// interrupted meanwhile: a stopped run waits for it, at most until its timeout.
#[cfg(feature = "threads")]
pub fn fetch_blocking(url: &str, timeout_ms: u32) -> Result<Answer, String> {
    let xhr = web_sys::XmlHttpRequest::new().map_err(js_error)?;
    xhr.open_with_async("GET", url, false).map_err(js_error)?;
    xhr.set_timeout(timeout_ms);
    if let Err(e) = xhr.send() {
        let name = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name())).unwrap_or_default();
        return Err(if name == "TimeoutError" {
            format!("timed out after {} ms (timeoutMs)", crate::params::group(timeout_ms.into()))
        } else {
            format!("network error: {}", js_error(e))
        });
    }
    let answer = Answer::read(
        xhr.get_response_header("X-Answered-By").ok().flatten(),
        xhr.get_response_header("X-Received-At").ok().flatten(),
    );
    match xhr.status().map_err(js_error)? {
        200..=299 => Ok(answer),
        s => Err(format!("HTTP {s} {}", xhr.status_text().unwrap_or_default())),
    }
}
