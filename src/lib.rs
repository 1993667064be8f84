//! # Concurrency playground
//!
//! Runs the same tasks under different concurrency models in the browser and records when every
//! task started and ended, so a page can show what async and threads really do:
//!
//! - **async**: futures on the page's event loop ([`runner::async_model`]);
//! - **threads**: a Web Worker pool through wasm-bindgen-rayon ([`runner::threads`], only in the
//!   build with the `threads` feature, which needs a cross-origin-isolated page);
//! - **sequential**: one task after another ([`runner::sequential`]).
//!
//! This file is the thin JavaScript surface. The parameter checks ([`params`]), the recorder
//! every runner records its tasks with ([`record`]) and the timeline layout ([`timeline`]) are pure
//! Rust and test natively; the rest needs a browser.
#![deny(missing_docs)]

pub mod accounting;
pub mod blocked;
pub mod contract;
pub mod decimal;
pub mod engine;
pub mod gil_messages;
pub mod live;
pub mod locks;
pub mod output;
pub mod params;
pub mod races;
pub mod record;
pub mod report;
pub mod scheduler;
pub mod source;
pub mod tasks;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
pub mod alloc;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
pub mod clock;
#[cfg(target_arch = "wasm32")]
pub mod executor;
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub mod gil;
#[cfg(target_arch = "wasm32")]
mod hidden;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
pub mod run;
#[cfg(target_arch = "wasm32")]
pub mod runner;
#[cfg(target_arch = "wasm32")]
mod scheduler_api;
#[cfg(target_arch = "wasm32")]
mod session;
#[cfg(target_arch = "wasm32")]
pub mod workload;

#[cfg(target_arch = "wasm32")]
pub use api::*;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

#[cfg(all(feature = "threads", not(target_feature = "atomics")))]
compile_error!(
    "the `threads` feature needs atomics: build with build.sh, which sets \
     -C target-feature=+atomics,+bulk-memory,+mutable-globals and -Z build-std"
);
