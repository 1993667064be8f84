//! The async model: every task is a future on the page's event loop, all started at once. Like
//! `asyncio.gather(*(task(i) for i in range(n)))`.
//!
//! Two ways to run the same futures, to show what a timer per task costs at scale: the
//! playground's own executor with one deadline queue (`timers: "wheel"`, the default), or `join_all` over one browser timer per task
//! (`timers: "per-task"`), the simple way whose cost grows with every task.
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{Either, join_all, select, try_join_all};

use super::{Outcome, TaskResult, failure_message, work_of};
use crate::executor::{self, RunAll};
use crate::params::{FailMode, Params, Timers, Workload};
use crate::run::RunState;
use crate::timeline::Lane;
use crate::workload;

/// Runs `p.tasks` futures concurrently on the event loop.
pub async fn run(state: &Arc<RunState>, p: Params) -> Outcome {
    let url = workload::fetch_url().unwrap_or_default();
    let iters = workload::cpu_iterations(p.delay_ms);
    // A number no task has, when no task fails: four bytes in every task future, not eight.
    let fail = p.fail.unwrap_or(u32::MAX);
    // Each workload is its own future type, so a sleeping task stays as small as a sleep.
    #[cfg(feature = "threads")]
    if p.offload {
        let state2 = state.clone();
        return wheel(state, p, move |id| offload_task(id, p, iters, fail, state2.clone())).await;
    }
    match (p.workload, p.blocking) {
        (Workload::Counter, _) => super::async_races::counter(state, p).await,
        (Workload::Deadlock, _) => super::async_races::deadlock(state, p).await,
        (Workload::Sleep, false) => match p.timers {
            // 16 bytes a pending task: a flag, not the failing task's id, in every future.
            Timers::Wheel => wheel(state, p, |id| sleep_task(id, p.delay_ms, id == fail)).await,
            Timers::PerTask => per_task(state, p, |id| sleep_task_per_timer(id, p.delay_ms, fail)).await,
        },
        (Workload::Sleep, true) => {
            let state2 = state.clone();
            wheel(state, p, move |id| blocking_task(id, p.delay_ms, fail, state2.clone())).await
        }
        (Workload::Fetch, _) => {
            // A network fault fails the request itself, at the server; otherwise the failing task
            // fails after its (shorter) request.
            let fault = p.network_fault().map(|m| m.name());
            let fail_after = if fault.is_some() { u32::MAX } else { fail };
            let connector = Connector::new(p.connections);
            let make = |id| {
                let url = workload::request_url(
                    &url,
                    work_of(id == fail, p.delay_ms),
                    id,
                    fault.filter(|_| id == fail),
                );
                fetch_task(id, url, fail_after, p.timeout_ms, connector.clone())
            };
            match p.timers {
                Timers::Wheel => wheel(state, p, make).await,
                Timers::PerTask => per_task(state, p, make).await,
            }
        }
        // Refused by the rules (threads only); computed like CPU work if it ever came here.
        (Workload::Cpu | Workload::Convoy, _) => {
            let state2 = state.clone();
            wheel(state, p, move |id| cpu_task(id, iters, fail, state2.clone())).await
        }
    }
}

// [snippet:async-sleep]
/// One task: wait without blocking, like `await asyncio.sleep(delay)`.
async fn sleep_task(id: u32, delay_ms: u32, fails: bool) -> TaskResult {
    executor::sleep(work_of(fails, delay_ms)).await;
    if fails {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

/// The same task on a browser timer of its own (`timers: "per-task"`).
async fn sleep_task_per_timer(id: u32, delay_ms: u32, fail: u32) -> TaskResult {
    workload::sleep(work_of(id == fail, delay_ms)).await;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}

// [snippet:async-blocking]
/// The classic mistake: a blocking wait inside an async task (`time.sleep` in a coroutine).
/// Nothing else runs on the event loop until it returns.
async fn blocking_task(id: u32, delay_ms: u32, fail: u32, run: Arc<RunState>) -> TaskResult {
    workload::block_event_loop(work_of(id == fail, delay_ms), &run);
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

// [snippet:async-fetch]
/// One task: an HTTP request through the browser, awaited (like `await session.get(url)` with
/// aiohttp), with a timeout (like `asyncio.wait_for`). With a connection limit, the task first
/// waits for a free connection, as aiohttp's `TCPConnector(limit=)` makes it.
async fn fetch_task(id: u32, url: String, fail: u32, timeout_ms: u32, connector: Connector) -> TaskResult {
    let _connection = connector.acquire().await;
    let answer = workload::fetch(&url, timeout_ms).await?;
    workload::net_log().note(id, answer);
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(0)
}
// [/snippet]

/// At most `limit` requests under way at once (none: no limit), like aiohttp's
/// `TCPConnector(limit=)`: a task waits for a free connection before it sends its request.
#[derive(Clone)]
struct Connector(Option<Rc<ConnectorState>>);

struct ConnectorState {
    free: std::cell::Cell<u32>,
    waiting: RefCell<std::collections::VecDeque<std::task::Waker>>,
}

/// A connection taken from a [`Connector`]; dropping it frees the connection for the next task.
struct Connection(Option<Rc<ConnectorState>>);

impl Connector {
    fn new(limit: Option<u32>) -> Connector {
        Connector(
            limit.map(|n| {
                Rc::new(ConnectorState { free: std::cell::Cell::new(n), waiting: RefCell::default() })
            }),
        )
    }

    async fn acquire(&self) -> Connection {
        let Some(state) = &self.0 else { return Connection(None) };
        std::future::poll_fn(|cx| {
            if state.free.get() > 0 {
                state.free.set(state.free.get() - 1);
                std::task::Poll::Ready(())
            } else {
                state.waiting.borrow_mut().push_back(cx.waker().clone());
                std::task::Poll::Pending
            }
        })
        .await;
        Connection(Some(state.clone()))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(state) = &self.0 {
            state.free.set(state.free.get() + 1);
            // Wake one waiter; a waiter woken after the connection was taken again queues anew.
            if let Some(w) = state.waiting.borrow_mut().pop_front() {
                w.wake();
            }
        }
    }
}

// [snippet:async-cpu]
/// One task: CPU work. It never awaits, so the event loop runs nothing else meanwhile.
async fn cpu_task(id: u32, iterations: u64, fail: u32, run: Arc<RunState>) -> TaskResult {
    let sum =
        workload::compute(id, work_of(id == fail, iterations), &mut || !run.is_stopped()).ok_or("stopped")?;
    if id == fail {
        return Err(failure_message(id));
    }
    Ok(sum)
}
// [/snippet]

// [snippet:async-offload]
/// One task that hands its CPU work (or its blocking call) to a pool thread and awaits the
/// result, like `await asyncio.to_thread(work)`: the event loop stays free meanwhile.
#[cfg(feature = "threads")]
async fn offload_task(id: u32, p: Params, iterations: u64, fail: u32, run: Arc<RunState>) -> TaskResult {
    let failing = id == fail;
    let sum = to_thread(move || match p.workload {
        Workload::Cpu => workload::compute(id, work_of(failing, iterations), &mut || !run.is_stopped()),
        _ => workload::sleep_blocking(work_of(failing, p.delay_ms), &run).then_some(0),
    })
    .await?
    .ok_or("stopped")?;
    if failing {
        return Err(failure_message(id));
    }
    Ok(sum)
}

/// Runs `work` on a thread of the pool and awaits its result without blocking the event loop
/// (`asyncio.to_thread`). The thread's answer wakes a relay task of wasm-bindgen-futures, whose
/// wakers may be called from any thread, and the relay hands it on, on the event loop: the
/// executor's own wakers only work there.
#[cfg(feature = "threads")]
async fn to_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = futures_channel::oneshot::channel();
    rayon::spawn(move || {
        let _ = tx.send(work());
    });
    let (relay_tx, relay_rx) = futures_channel::oneshot::channel();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = relay_tx.send(rx.await);
    });
    match relay_rx.await {
        Ok(Ok(out)) => Ok(out),
        _ => Err("the pool thread stopped before it answered".to_string()),
    }
}
// [/snippet]

// [snippet:async-wheel]
/// Runs the tasks on the playground's executor (see [`executor`]): one array of futures, one
/// deadline queue, one browser timer. `fail_fast` is `try_join_all`'s behaviour.
async fn wheel<F: Future<Output = TaskResult>>(
    state: &Arc<RunState>,
    p: Params,
    make: impl FnMut(u32) -> F,
) -> Outcome {
    RunAll::new(state, p.tasks, make)
        .limit(p.limit)
        .fail_fast(p.fail_mode == FailMode::TryJoinAll)
        // A fetch task's first poll calls the browser's fetch(), which takes long enough to show
        // on the timeline: the clock is read after every poll, so each task's start is stamped
        // when its request went out (read only every 1,024 polls, a thousand starts all got the
        // run's first stamp), and every request is sent before any answer is handled, as asyncio
        // would.
        .long_polls(p.busies_event_loop() || p.workload == Workload::Fetch)
        .start_all_first(p.workload == Workload::Fetch)
        .await
}
// [/snippet]

// [snippet:async-gather]
/// Runs the tasks with `join_all` (every task runs to the end; errors are collected) or
/// `try_join_all` (the first error ends the run and drops, so cancels, the others).
async fn per_task<F: Future<Output = TaskResult>>(
    state: &Arc<RunState>,
    p: Params,
    mut make: impl FnMut(u32) -> F,
) -> Outcome {
    let rec = Rc::new(RefCell::new(state.recorder()));
    let tasks = (0..p.tasks).map(|id| {
        let (task, rec, state) = (make(id), rec.clone(), state.clone());
        async move {
            // A task starts when it is first polled, which is when join_all first polls it.
            rec.borrow_mut().start(id, Lane::EVENT_LOOP, state.since_start());
            let result = task.await;
            rec.borrow_mut().finish(id, result.clone(), state.since_start());
            result
        }
    });
    let all = async {
        match p.fail_mode {
            // (`panic` is refused for async by the parameter checks.) A network fault is collected
            // like any error: the other requests finish, as with `gather(return_exceptions=True)`.
            FailMode::JoinAll | FailMode::Panic | FailMode::Http500 | FailMode::Drop | FailMode::Stall => {
                join_all(tasks).await;
            }
            // Dropping the other futures when one fails is what cancels them.
            FailMode::TryJoinAll => {
                let _ = try_join_all(tasks).await;
            }
        }
    };
    // Stopping drops every pending task future, and dropping a timer future clears its timer.
    let stopped = matches!(select(pin!(all), state.stopped()).await, Either::Right(_));
    let elapsed_ms = state.since_start();
    let mut rec = rec.borrow_mut();
    if !stopped && p.fail_mode == FailMode::TryJoinAll {
        // Tasks dropped by try_join_all: started, never ended. Show where they were cut off.
        rec.cancel_unfinished(elapsed_ms);
    }
    rec.end(elapsed_ms, stopped)
}
// [/snippet]
