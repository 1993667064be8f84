/*
 * Copyright 2022 Google Inc. All Rights Reserved.
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *     http://www.apache.org/licenses/LICENSE-2.0
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#![doc = include_str!("../README.md")]
// Patched: the wait and notify intrinsics the `Receiver` below uses (the project builds with nightly).
#![cfg_attr(target_arch = "wasm32", feature(stdarch_wasm_atomic_wait))]

// Note: `atomics` is whitelisted in `target_feature` detection, but `bulk-memory` isn't,
// so we can check only presence of the former. This should be enough to catch most common
// mistake (forgetting to pass `RUSTFLAGS` altogether).
#[cfg(all(target_arch = "wasm32", not(doc), not(target_feature = "atomics")))]
compile_error!("Did you forget to enable `atomics` and `bulk-memory` features as outlined in wasm-bindgen-rayon README?");

use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use js_sys::Promise;
use rayon::{ThreadBuilder, ThreadPoolBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;

#[cfg(feature = "no-bundler")]
use js_sys::JsString;

// Naming is a workaround for https://github.com/rustwasm/wasm-bindgen/issues/2429
// and https://github.com/rustwasm/wasm-bindgen/issues/1762.
#[allow(non_camel_case_types)]
#[wasm_bindgen]
#[doc(hidden)]
pub struct wbg_rayon_PoolBuilder {
    num_threads: usize,
    receiver: Receiver,
}

/// Patched (see Cargo.toml): the ThreadBuilders on their way to the Workers, without a lock. The
/// main thread fills one slot per thread in order and never waits; each Worker takes a ticket
/// and waits (`memory.atomic.wait32`, which Workers may use) until its slot is filled.
#[doc(hidden)]
pub struct Receiver {
    slots: Box<[AtomicPtr<ThreadBuilder>]>,
    /// Slots filled so far; Workers wait on it.
    sent: AtomicU32,
    /// The next ticket (slot) a Worker takes.
    taken: AtomicU32,
}

impl Receiver {
    fn new(num_threads: usize) -> Self {
        Receiver {
            slots: (0..num_threads).map(|_| AtomicPtr::new(ptr::null_mut())).collect(),
            sent: AtomicU32::new(0),
            taken: AtomicU32::new(0),
        }
    }

    /// On the main thread: stores and a notify, no wait.
    fn send(&self, thread: ThreadBuilder) {
        let k = self.sent.load(Ordering::SeqCst);
        self.slots[k as usize].store(Box::into_raw(Box::new(thread)), Ordering::SeqCst);
        self.sent.store(k + 1, Ordering::SeqCst);
        // SAFETY: `sent` is a live, aligned 32-bit atomic in the shared memory.
        unsafe { core::arch::wasm32::memory_atomic_notify(self.sent.as_ptr().cast(), u32::MAX) };
    }

    /// On a Worker: blocks until this Worker's slot is filled.
    fn recv(&self) -> ThreadBuilder {
        let k = self.taken.fetch_add(1, Ordering::SeqCst);
        loop {
            let sent = self.sent.load(Ordering::SeqCst);
            if sent > k {
                break;
            }
            // SAFETY: as in `send`; returns at once if `sent` changed since it was read.
            unsafe {
                core::arch::wasm32::memory_atomic_wait32(self.sent.as_ptr().cast(), sent as i32, -1)
            };
        }
        let thread = self.slots[k as usize].swap(ptr::null_mut(), Ordering::SeqCst);
        // SAFETY: filled by `send` from `Box::into_raw`, and taken once (one ticket per slot).
        *unsafe { Box::from_raw(thread) }
    }
}

#[cfg_attr(
    not(feature = "no-bundler"),
    wasm_bindgen(module = "/src/workerHelpers.js")
)]
#[cfg_attr(
    feature = "no-bundler",
    wasm_bindgen(module = "/src/workerHelpers.no-bundler.js")
)]
extern "C" {
    #[wasm_bindgen(js_name = startWorkers)]
    fn start_workers(module: JsValue, memory: JsValue, builder: wbg_rayon_PoolBuilder) -> Promise;
}

#[wasm_bindgen]
impl wbg_rayon_PoolBuilder {
    fn new(num_threads: usize) -> Self {
        let receiver = Receiver::new(num_threads);
        Self {
            num_threads,
            receiver,
        }
    }

    #[cfg(feature = "no-bundler")]
    #[wasm_bindgen(js_name = mainJS)]
    pub fn main_js(&self) -> JsString {
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
            static URL: JsString;
        }

        URL.with(Clone::clone)
    }

    #[wasm_bindgen(js_name = numThreads)]
    pub fn num_threads(&self) -> usize {
        self.num_threads
    }

    pub fn receiver(&self) -> *const Receiver {
        &self.receiver
    }

    // This should be called by the JS side once all the Workers are spawned.
    // Important: it must take `self` by reference, otherwise
    // `start_worker_thread` will try to receive a message on a moved value.
    pub fn build(&mut self) {
        ThreadPoolBuilder::new()
            .num_threads(self.num_threads)
            // We could use postMessage here instead of Rust channels,
            // but currently we can't due to a Chrome bug that will cause
            // the main thread to lock up before it even sends the message:
            // https://bugs.chromium.org/p/chromium/issues/detail?id=1075645
            .spawn_handler(move |thread| {
                // Patched: one slot per thread, filled in order; the Workers are all up and
                // waiting for theirs by the time `build()` is called.
                self.receiver.send(thread);
                Ok(())
            })
            .build_global()
            .unwrap_throw();
    }
}

#[wasm_bindgen(js_name = initThreadPool)]
#[doc(hidden)]
pub fn init_thread_pool(num_threads: usize) -> Promise {
    start_workers(
        wasm_bindgen::module(),
        wasm_bindgen::memory(),
        wbg_rayon_PoolBuilder::new(num_threads),
    )
}

#[wasm_bindgen]
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[doc(hidden)]
pub fn wbg_rayon_start_worker(receiver: *const Receiver)
where
    // Statically assert that it's safe to accept `Receiver` from another thread.
    Receiver: Sync,
{
    // This is safe, because we know it came from a reference to PoolBuilder,
    // allocated on the heap by wasm-bindgen and dropped only once all the
    // threads are running.
    //
    // The only way to violate safety is if someone externally calls
    // `exports.wbg_rayon_start_worker(garbageValue)`, but then no Rust tools
    // would prevent us from issues anyway.
    let receiver = unsafe { &*receiver };
    // Wait for a task (`ThreadBuilder`) on the channel, and, once received,
    // start executing it.
    //
    // On practice this will start running Rayon's internal event loop.
    receiver.recv().run()
}
