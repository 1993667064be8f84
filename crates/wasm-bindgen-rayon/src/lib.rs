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

//! wasm-bindgen-rayon 1.3.0 with one change (the playground's copy, see Cargo.toml): the
//! `ThreadBuilder`s reach the workers through a queue behind a `wasm_sync` Mutex and Condvar,
//! which rayon links anyway, instead of a crossbeam channel: the channel's three flavours were a
//! large part of the threaded module (bench/design-figures.md) for handing over a few builders
//! once. `wasm_sync` spins where the page's main thread would wait (an atomic wait traps there)
//! and waits in the workers, as the channel did.

// Note: `atomics` is whitelisted in `target_feature` detection, but `bulk-memory` isn't,
// so we can check only presence of the former. This should be enough to catch most common
// mistake (forgetting to pass `RUSTFLAGS` altogether).
#[cfg(all(target_arch = "wasm32", not(doc), not(target_feature = "atomics")))]
compile_error!("Did you forget to enable `atomics` and `bulk-memory` features as outlined in wasm-bindgen-rayon README?");

use js_sys::JsString;
use js_sys::Promise;
use rayon::{ThreadBuilder, ThreadPoolBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;
use wasm_sync::{Condvar, Mutex};

/// The builders the pool hands out, one per worker, and the signal that one was added.
#[doc(hidden)]
pub struct Queue {
    builders: Mutex<Vec<ThreadBuilder>>,
    added: Condvar,
}

// Naming is a workaround for https://github.com/rustwasm/wasm-bindgen/issues/2429
// and https://github.com/rustwasm/wasm-bindgen/issues/1762.
#[allow(non_camel_case_types)]
#[wasm_bindgen]
#[doc(hidden)]
pub struct wbg_rayon_PoolBuilder {
    num_threads: usize,
    queue: Queue,
}

#[wasm_bindgen(module = "/src/workerHelpers.no-bundler.js")]
extern "C" {
    #[wasm_bindgen(js_name = startWorkers)]
    fn start_workers(module: JsValue, memory: JsValue, builder: wbg_rayon_PoolBuilder) -> Promise;
}

#[wasm_bindgen]
impl wbg_rayon_PoolBuilder {
    fn new(num_threads: usize) -> Self {
        let queue = Queue { builders: Mutex::new(Vec::with_capacity(num_threads)), added: Condvar::new() };
        Self { num_threads, queue }
    }

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

    pub fn receiver(&self) -> *const Queue {
        &self.queue
    }

    // This should be called by the JS side once all the Workers are spawned.
    // Important: it must take `self` by reference, otherwise
    // `start_worker_thread` will try to receive a message on a moved value.
    pub fn build(&mut self) {
        ThreadPoolBuilder::new()
            .num_threads(self.num_threads)
            // We could use postMessage here instead of shared memory,
            // but currently we can't due to a Chrome bug that will cause
            // the main thread to lock up before it even sends the message:
            // https://bugs.chromium.org/p/chromium/issues/detail?id=1075645
            .spawn_handler(move |thread| {
                self.queue.builders.lock().unwrap_throw().push(thread);
                self.queue.added.notify_one();
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
pub fn wbg_rayon_start_worker(receiver: *const Queue)
where
    // Statically assert that it's safe to accept `Queue` from another thread.
    Queue: Sync,
{
    // This is safe, because we know it came from a reference to PoolBuilder,
    // allocated on the heap by wasm-bindgen and dropped only once all the
    // threads are running.
    //
    // The only way to violate safety is if someone externally calls
    // `exports.wbg_rayon_start_worker(garbageValue)`, but then no Rust tools
    // would prevent us from issues anyway.
    let queue = unsafe { &*receiver };
    // Wait for a task (`ThreadBuilder`) in the queue, and, once taken,
    // start executing it.
    //
    // On practice this will start running Rayon's internal event loop.
    let mut builders = queue.builders.lock().unwrap_throw();
    let builder = loop {
        match builders.pop() {
            Some(builder) => break builder,
            None => builders = queue.added.wait(builders).unwrap_throw(),
        }
    };
    drop(builders);
    builder.run()
}
