//! Task threads: one thread per task, past the pool. wasm-bindgen-rayon builds one global pool
//! per wasm instance and it cannot grow, and a pool of 1,000 started at load would cost every
//! page seconds and hundreds of MB. So a threads run that asks for more threads than the pool
//! has gets plain threads of its own: Web Workers that instantiate this same module on the same
//! shared memory (as wasm-bindgen-rayon's worker helper does, see `src/task_threads.js`), so
//! their records land where the event loop reads them. Threads started for one run stay for the
//! next, like a pool that grows: a later run starts only the threads it lacks.
//!
//! Each thread parks on its own mailbox (`Atomics.wait`: a worker may block, the page may not)
//! and the event loop hands it one job with a store and an unpark (`Atomics.notify`), neither of
//! which ever blocks the page: no lock is taken on the event loop's side.

use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering, fence};
use std::thread::Thread;

use js_sys::JsString;
use wasm_bindgen::prelude::*;

/// A task thread's stack, in the shared memory. wasm-bindgen gives each thread 2 MB by default,
/// which 1,000 threads could not have (the memory's ceiling is 2 GiB, see build.sh); a thread's
/// job here is one loop of small frames, so 128 KB (two wasm pages) is ample. Unlike a native
/// thread's, a wasm stack has no guard page: this must stay generous.
pub const STACK_BYTES: u32 = 128 * 1024;

/// What a thread runs next.
pub type Work = Box<dyn FnOnce() + Send>;

/// One thread's mailbox: the job the event loop hands it, and the thread to wake.
#[derive(Default)]
pub struct Mailbox {
    job: AtomicPtr<Work>,
    /// Set by the thread itself before it says it is ready, so always set once a job comes.
    thread: OnceLock<Thread>,
    /// Set when a job is handed over, cleared when it returns. A thread whose job trapped (a
    /// panic aborts on wasm) stays busy forever and is never given another.
    busy: AtomicBool,
}

impl Mailbox {
    /// Hands `work` to this thread, which must be idle, and wakes it. Allocates nothing: boxing
    /// every job before the first is sent keeps the event loop off the allocator's lock while
    /// hundreds of woken threads allocate at once.
    pub fn send(&'static self, work: Box<Work>) {
        self.busy.store(true, Ordering::Relaxed);
        self.job.store(Box::into_raw(work), Ordering::SeqCst);
        // The job's store comes before the thread handle is read (the thread sets its handle,
        // then looks for a job): one of the two always sees the other.
        fence(Ordering::SeqCst);
        if let Some(thread) = self.thread.get() {
            thread.unpark();
        }
    }
}

thread_local! {
    /// The task threads started so far, in start order (the event loop's list). Mailboxes are
    /// leaked on purpose: their threads live as long as the page.
    static THREADS: RefCell<Vec<&'static Mailbox>> = const { RefCell::new(Vec::new()) };
}

#[wasm_bindgen(module = "/src/task_threads.js")]
extern "C" {
    #[wasm_bindgen(js_name = startTaskThreads, catch)]
    async fn start_task_threads(
        module: JsValue,
        memory: JsValue,
        main_js: JsString,
        mailboxes: Vec<u32>,
        stack_bytes: u32,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = startPoolOffMain, catch)]
    async fn start_pool_off_main(
        module: JsValue,
        memory: JsValue,
        main_js: JsString,
        threads: u32,
        stack_bytes: u32,
    ) -> Result<JsValue, JsValue>;
}

/// Starts wasm-bindgen-rayon's pool of `threads` from a worker of its own, never from the page:
/// started on the page, the pool's hand-over of work to its threads can trap there
/// (`src/task_threads.js` says how; https://github.com/RReverser/wasm-bindgen-rayon/issues/36).
/// The pool is global to the shared memory, so the page's runs use it as if it had started it.
pub async fn start_pool(threads: u32) -> Result<(), JsValue> {
    start_pool_off_main(
        wasm_bindgen::module(),
        wasm_bindgen::memory(),
        MAIN_JS.with(Clone::clone),
        threads,
        STACK_BYTES,
    )
    .await
    .map(drop)
}

/// The pool starter's work, called by `src/task_threads.js` in its worker once the instance is
/// up: wasm-bindgen-rayon's own start, which creates the pool's workers from this one.
#[wasm_bindgen]
#[doc(hidden)]
pub fn playground_pool_start(threads: u32) -> js_sys::Promise {
    crate::alloc::worker_thread();
    wasm_bindgen_rayon::init_thread_pool(threads as usize)
}

#[wasm_bindgen]
extern "C" {
    /// The URL of this module's JS glue, which each task thread imports.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static MAIN_JS: JsString;
}

/// A task thread's loop, entered by `src/task_threads.js` once the thread's instance is up: run
/// each job handed over, park until the next. Never returns.
#[wasm_bindgen]
#[doc(hidden)]
pub fn playground_task_thread(mailbox: u32) {
    // SAFETY: the event loop passes the address of a leaked `Mailbox`, valid for the page's life.
    let mailbox = unsafe { &*(mailbox as usize as *const Mailbox) };
    crate::alloc::worker_thread();
    let _ = mailbox.thread.set(std::thread::current());
    fence(Ordering::SeqCst);
    loop {
        let job = mailbox.job.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if job.is_null() {
            // An unpark that came first makes this return at once: no handover is missed.
            std::thread::park();
            continue;
        }
        // SAFETY: `send` made this pointer with `Box::into_raw`, and the swap took it once.
        let work = unsafe { Box::from_raw(job) };
        work();
        mailbox.busy.store(false, Ordering::Release);
    }
}

/// The threads a run gets: idle ones, then new ones still to be started with [`Taken::start`].
/// Jobs may be handed to all of them at once: a new thread finds its job when it comes up and
/// runs it at once, as a `threading.Thread` runs its target as soon as it is started.
pub struct Taken {
    /// One thread per requested thread, oldest first.
    pub threads: Vec<&'static Mailbox>,
    fresh: Vec<&'static Mailbox>,
}

/// What starting a run's missing threads cost.
pub struct Started {
    /// Threads started (0: all were there from earlier runs).
    pub started: u32,
    /// Time it took until the last of them was up, in ms.
    pub start_ms: f64,
    /// Heap the run grew by meanwhile (their stacks, thread-local storage and instances, and what
    /// their first tasks allocated), in bytes.
    pub bytes: f64,
}

/// Threads started since the page loaded.
pub fn count() -> u32 {
    THREADS.with_borrow(|t| t.len() as u32)
}

/// Takes `n` task threads: the idle ones, and new ones for the rest (not started yet).
pub fn take(n: usize) -> Taken {
    let mut threads: Vec<&'static Mailbox> = THREADS
        .with_borrow(|t| t.iter().copied().filter(|m| !m.busy.load(Ordering::Acquire)).take(n).collect());
    let fresh: Vec<&'static Mailbox> =
        (threads.len()..n).map(|_| &*Box::leak(Box::<Mailbox>::default())).collect();
    threads.extend(fresh.iter().copied());
    Taken { threads, fresh }
}

impl Taken {
    /// Starts the new threads and waits until all are up. A thread that failed to start never
    /// runs the job it was handed, so it stays busy and is never handed another.
    pub async fn start(self) -> Result<Started, JsValue> {
        let missing = self.fresh.len();
        if missing == 0 {
            return Ok(Started { started: 0, start_ms: 0.0, bytes: 0.0 });
        }
        let (t0, before) = (crate::clock::now_ms(), crate::alloc::live());
        let addresses = self.fresh.iter().map(|&m| m as *const Mailbox as u32).collect();
        let started = start_task_threads(
            wasm_bindgen::module(),
            wasm_bindgen::memory(),
            MAIN_JS.with(Clone::clone),
            addresses,
            STACK_BYTES,
        )
        .await;
        let start_ms = crate::clock::now_ms() - t0;
        let bytes = crate::alloc::live().saturating_sub(before) as f64;
        THREADS.with_borrow_mut(|t| t.extend(self.fresh));
        started?;
        Ok(Started { started: missing as u32, start_ms, bytes })
    }
}
