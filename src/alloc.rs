//! A counting allocator: the system allocator plus two counters, so each run can report the heap
//! its machinery really used (the page's "cost of the machinery" figures and the benchmark's memory per pending task).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Wraps [`System`], counting live bytes and the peak since the last [`reset_peak`].
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters do not affect allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _gate = gate::enter();
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _gate = gate::enter();
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _gate = gate::enter();
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _gate = gate::enter();
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

/// Bytes allocated and not yet freed, on every thread.
pub fn live() -> usize {
    LIVE.load(Relaxed)
}

/// The most bytes live at once since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Starts a new peak measurement from the bytes live now.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

/// A gate in front of the system allocator's lock, in the threaded build. std's wasm allocator
/// takes its global lock by spinning, because the page's main thread may not block. With hundreds
/// of threads on two cores, the thread holding it is often descheduled while every other one spins
/// through its whole time slice, and a run of a few hundred threads took many times its ideal once
/// its threads were up (BENCHMARKS.md, "Figures behind design choices"). Here a worker thread that
/// finds the gate taken sleeps a moment instead, which gives the holder a core; the main thread,
/// which may not sleep, still spins. Behind the gate the system lock is never contended.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod gate {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicBool, Ordering};

    static TAKEN: AtomicBool = AtomicBool::new(false);

    thread_local! {
        /// Whether this thread may block (a worker thread, not the page's main thread).
        static MAY_BLOCK: Cell<bool> = const { Cell::new(false) };
    }

    /// Held while the system allocator runs.
    pub struct Held;

    impl Drop for Held {
        fn drop(&mut self) {
            TAKEN.store(false, Ordering::Release);
        }
    }

    pub fn enter() -> Held {
        let mut tries = 0u32;
        while TAKEN.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            tries += 1;
            // Short holds are the rule: spin a little first. `sleep` allocates nothing.
            if tries > 64 && MAY_BLOCK.get() {
                std::thread::sleep(std::time::Duration::from_micros(50));
            } else {
                std::hint::spin_loop();
            }
        }
        Held
    }

    /// Marks the calling thread as a worker thread, which may sleep at the gate.
    pub fn may_block() {
        MAY_BLOCK.set(true);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
mod gate {
    /// Nothing to hold where there are no threads in wasm (or natively, where `System` blocks).
    pub struct Held;

    pub fn enter() -> Held {
        Held
    }

    pub fn may_block() {}
}

/// Marks the calling thread as a worker thread: at the allocator's gate it sleeps rather than
/// spins when another thread holds it. Never call it on the page's main thread.
pub fn worker_thread() {
    gate::may_block();
}
