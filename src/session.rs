//! The page's session with the engine: the one [`Engine`] value the boundary keeps, and one
//! model's run from checked options to its record: wait for the pool, calibrate, take the
//! processes, run the model's runner under the event-loop probes, then hand what it recorded and
//! what was measured around it to [`report::build`].

use std::cell::RefCell;
use std::sync::Arc;

use futures_util::future::{Either, select};
use wasm_bindgen::JsValue;

use crate::alloc;
use crate::contract::{LiveSnapshot, OrNull, Progress, Record};
use crate::engine::Engine;
use crate::hidden::HiddenWatch;
use crate::live::{self, LiveView};
use crate::params::{Limits, Model, Params, Workload};
use crate::report::{self, Measures};
use crate::run::RunState;
use crate::runner::{self, Outcome};
use crate::{timeline, workload};

/// The run under way: its shared state, and its live view when it is watched task by task.
pub struct Current {
    /// Progress counters and the stop flag, shared with the threads doing the work.
    pub state: Arc<RunState>,
    /// The run as drawn live (runs of at most [`live::MAX_TASKS`] tasks).
    pub live: Option<LiveView>,
}

impl Current {
    /// The run's counters: `inFlight` is `started - done`, tasks under way right now.
    pub fn progress(&self) -> Progress {
        let s = &self.state;
        Progress {
            done: s.done(),
            started: s.started(),
            in_flight: s.in_flight(),
            total: s.total,
            elapsed_ms: s.since_start(),
        }
    }

    /// The run as the page draws it live: every task started so far with its lane, row, start
    /// and (once ended) end, what the tasks printed, the GIL's holds and the event loop's line;
    /// only the counters for runs too big to watch task by task.
    pub fn snapshot(&mut self) -> LiveSnapshot {
        let state = &self.state;
        let mut snapshot = LiveSnapshot {
            elapsed_ms: state.since_start(),
            total: state.total,
            started: state.started(),
            done: state.done(),
            in_flight: state.in_flight(),
            watched: self.live.is_some(),
            lanes: Vec::new(),
            spans: Default::default(),
            output: Vec::new(),
            waits: Default::default(),
            gil_holds: Default::default(),
            gil_handoffs: None,
            ready: Default::default(),
            timer_late_ms: Default::default(),
            loop_line: Default::default(),
        };
        if let Some(gil) = state.gil() {
            snapshot.gil_handoffs = Some(gil.handoffs().min(u64::from(u32::MAX)) as u32);
            if let Some(view) = self.live.as_mut() {
                view.see_holds(|from| gil.holds_since(from));
            }
        }
        if let Some((ready, late)) = state.event_loop.read() {
            snapshot.ready = OrNull(Some(ready));
            snapshot.timer_late_ms = OrNull(late);
            snapshot.loop_line = OrNull(Some(report::summary::live_loop(ready, late)));
        }
        if let (Some(view), Some(log)) = (self.live.as_mut(), state.events()) {
            view.fill(&mut snapshot, log, || state.since_start());
        }
        snapshot
    }
}

thread_local! {
    /// The engine's state. Only the event loop touches it, and never across an await.
    static ENGINE: RefCell<Engine<Current>> = RefCell::new(Engine::default());
}

/// Calls `f` with the engine's state.
pub fn engine<T>(f: impl FnOnce(&mut Engine<Current>) -> T) -> T {
    ENGINE.with_borrow_mut(f)
}

/// The limits runs are checked against on this page now.
pub fn limits() -> Limits {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency()) as u32;
    engine(|e| e.limits(cores, workload::fetch_url().is_some()))
}

/// What a run needs before its clock starts.
struct Prepared {
    /// Whether `stop()` came while the run waited for the pool or warmed up.
    stopped: bool,
    /// How long it waited for the pool, in ms (threads runs).
    pool_wait_ms: Option<f64>,
    /// The processes it runs on (processes runs).
    processes: Option<runner::processes::Ready>,
    /// The threads of separate memory it runs on (threads runs of the plain build).
    #[cfg(not(feature = "threads"))]
    threads: Option<runner::separate_threads::Ready>,
}

/// Runs one checked model and builds its record.
pub async fn run_one(p: Params) -> Result<Record, JsValue> {
    let prepared = prepare(&p).await?;
    let process_startup = prepared.processes.as_ref().map(|r| (r.startup.started, r.startup.ms_each));
    let pool_wait_ms = prepared.pool_wait_ms;
    if p.workload == Workload::Fetch {
        workload::net_log().reset();
    }
    let heap_before = alloc::live();
    alloc::reset_peak();
    let hidden = HiddenWatch::start();
    let watched = p.tasks <= live::MAX_TASKS;
    let state = if watched { RunState::start_watched(p.tasks) } else { RunState::start(p.tasks) };
    let live = watched.then(|| LiveView::new(p.tasks, p.workload));
    if engine(|e| {
        e.run_begins(Current { state: state.clone(), live });
        e.stop_asked()
    }) {
        state.stop();
    }
    let (mut outcome, probes) = crate::run::with_probes(run_model(&state, p, prepared)).await;
    let heap_peak = alloc::peak().saturating_sub(heap_before);
    engine(|e| e.run_ends());
    if p.workload == Workload::Fetch {
        outcome.net = Some(workload::net_log().summary(p.tasks));
    }
    let measures = Measures {
        started_at: state.t0,
        distorted: hidden.was_hidden(),
        lag_ms: probes.lag_ms,
        busy_ms: probes.busy_ms,
        heap_peak_bytes: heap_peak as f64,
        pool_wait_ms,
        processes_started: process_startup,
        thread_cost: (p.model == Model::Threads)
            .then(|| engine(|e| e.thread_cost(outcome.thread_start)))
            .flatten(),
        iterations_per_task: if p.workload == Workload::Cpu {
            workload::cpu_iterations(p.delay_ms)
        } else {
            0
        },
    };
    drop(hidden);
    let mut record = build_record(&p, outcome, &measures).await;
    engine(|e| e.remember(report::without_tasks(&mut record)));
    Ok(record)
}

/// Lays out the spans and builds the record. After a big run, laying out and copying out a
/// million spans takes tens of ms each: the browser gets the event loop back in between, so no
/// single task blocks it long.
async fn build_record(p: &Params, outcome: Outcome, measures: &Measures) -> Record {
    let big = p.tasks > 10_000;
    if big {
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let layout = timeline::layout(&outcome.spans);
    if big {
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    report::build(p, limits(), outcome, layout, measures)
}

/// Waits for the pool, calibrates the CPU work and takes the processes, as the run needs. These
/// come before the run's state exists, so `stop()` reaches them through [`stop_asked`]: a stop
/// during either ends the run at once, recorded as stopped with no task started (the pool goes
/// on starting and warming in the background).
async fn prepare(p: &Params) -> Result<Prepared, JsValue> {
    let mut prepared = Prepared {
        stopped: false,
        pool_wait_ms: None,
        processes: None,
        #[cfg(not(feature = "threads"))]
        threads: None,
    };
    #[cfg(feature = "threads")]
    if p.model == Model::Threads {
        match pool_up_or_stop().await {
            Some(waited) => prepared.pool_wait_ms = Some(waited?),
            None => prepared.stopped = true,
        }
    }
    // Calibrating measures this page's speed once, for every CPU run it will make, so not while
    // the pool's workers start: they take the cores, and a calibration made then would be slow,
    // every CPU task of the page would fall short of its delay, and one thread would read a
    // speedup above 1.
    let pool_starting = engine(|e| e.pool_starting());
    if matches!(p.workload, Workload::Cpu | Workload::Convoy)
        && !workload::calibrated()
        && !prepared.stopped
        && pool_starting
    {
        prepared.stopped = pool_up_or_stop().await.is_none();
    }
    if matches!(p.workload, Workload::Cpu | Workload::Convoy) && !prepared.stopped {
        // Once per page load, before the run's clock starts.
        workload::calibrate().await;
        #[cfg(feature = "threads")]
        if p.model == Model::Threads || p.offload {
            runner::threads::warm_up(stop_asked()).await;
        }
    }
    #[cfg(not(feature = "threads"))]
    if p.model == Model::Threads && !prepared.stopped {
        prepare_separate_threads(p, &mut prepared).await?;
    }
    if p.model == Model::Processes {
        let ready = runner::processes::take(p.processes.min(p.tasks) as usize).await;
        prepared.processes = Some(ready.map_err(|e| JsValue::from(js_sys::Error::new(&e)))?);
    }
    Ok(prepared)
}

/// Takes the threads of separate memory a threads run of the plain build needs before its clock
/// starts (the shared pool's stand-in: the wait is its `poolWaitMs`), or notes the stop that came
/// meanwhile.
#[cfg(not(feature = "threads"))]
async fn prepare_separate_threads(p: &Params, prepared: &mut Prepared) -> Result<(), JsValue> {
    let t0 = crate::clock::now_ms();
    let taken = runner::separate_threads::take(p, limits().cores);
    let ready = match select(Box::pin(taken), Box::pin(stop_asked())).await {
        Either::Left((ready, _)) => ready.map_err(|e| JsValue::from(js_sys::Error::new(&e)))?,
        Either::Right(_) => {
            prepared.stopped = true;
            return Ok(());
        }
    };
    if ready.started > 0 {
        let cost = crate::report::ThreadCost { ms: ready.ms_each, bytes: ready.bytes_each };
        engine(|e| e.separate_threads_started(cost));
    }
    prepared.pool_wait_ms = Some(crate::clock::now_ms() - t0);
    prepared.threads = Some(ready);
    Ok(())
}

/// Runs the model's runner.
async fn run_model(state: &Arc<RunState>, p: Params, prepared: Prepared) -> Outcome {
    if prepared.stopped {
        return Outcome { stopped: true, ..Outcome::default() };
    }
    match p.model {
        Model::Async => runner::async_model::run(state, p).await,
        Model::Sequential => runner::sequential::run(state, p).await,
        #[cfg(feature = "threads")]
        Model::Threads => runner::threads::run(state, p).await,
        #[cfg(not(feature = "threads"))]
        Model::Threads => {
            let ready = prepared.threads.expect("taken by prepare for the threads model");
            runner::separate_threads::run(state, p, ready).await
        }
        Model::Processes => {
            let ready = prepared.processes.expect("taken by prepare for the processes model");
            runner::processes::run(state, p, ready).await
        }
    }
}

/// Resolves when `stop()` is called during the current `run()` call (at once if it was).
pub async fn stop_asked() {
    if let Some(rx) = engine(|e| e.on_stop()) {
        let _ = rx.await;
    }
}

/// Waits for the pool being started, or for `stop()`: `None` if the stop came first, else what
/// [`pool_up`] returned.
async fn pool_up_or_stop() -> Option<Result<f64, JsValue>> {
    match select(Box::pin(pool_up()), Box::pin(stop_asked())).await {
        Either::Left((waited, _)) => Some(waited),
        Either::Right(_) => None,
    }
}

/// Waits until the pool being started is up; returns the ms waited (0 if it was up).
async fn pool_up() -> Result<f64, JsValue> {
    let Some(rx) = engine(|e| e.on_pool()) else {
        return Ok(0.0);
    };
    let t0 = crate::clock::now_ms();
    let _ = rx.await;
    if engine(|e| e.pool_size()) == 0 {
        return Err(js_sys::Error::new(
            "threads: the worker pool failed to start, so threads cannot run here.",
        )
        .into());
    }
    Ok(crate::clock::now_ms() - t0)
}
