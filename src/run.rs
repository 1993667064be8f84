//! A run under way: its progress counters and its cancel flag, shared between the event loop
//! (which reports progress and may stop it) and the threads doing the work.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;

use crate::clock;
use crate::record::{EventLog, LaneLog, LoopGauge, Recorder, TaskCounts};
use crate::timeline::Lane;

/// Shared state of one run. Lock-free on purpose: the event loop must never block on a lock a
/// worker holds (a blocking wait traps on the main thread).
pub struct RunState {
    /// Tasks in the run.
    pub total: u32,
    /// Tasks started and ended so far, counted by the run's recorders.
    progress: Arc<TaskCounts>,
    /// Every start and end as it happens, if the run is watched live.
    live: Option<Arc<EventLog>>,
    stopped: AtomicBool,
    waker: AtomicWaker,
    /// When the run started, in absolute ms (see [`clock::now_ms`]).
    pub t0: f64,
    /// The run's simulated GIL (threads runs with `gil`), as the live figure reads it.
    gil: OnceLock<Arc<dyn GilView>>,
    /// The event loop at the async executor's last turn, for the live view.
    pub event_loop: LoopGauge,
}

impl RunState {
    /// A run of `total` tasks that starts now.
    pub fn start(total: u32) -> Arc<RunState> {
        RunState::new(total, None)
    }

    /// A run of `total` tasks that starts now and keeps an [`EventLog`] of its tasks' starts and
    /// ends, which the event loop can read while the run goes on ([`RunState::events`]).
    pub fn start_watched(total: u32) -> Arc<RunState> {
        RunState::new(total, Some(Arc::new(EventLog::for_tasks(total))))
    }

    fn new(total: u32, live: Option<Arc<EventLog>>) -> Arc<RunState> {
        Arc::new(RunState {
            total,
            progress: Arc::default(),
            live,
            stopped: AtomicBool::new(false),
            waker: AtomicWaker::new(),
            t0: clock::now_ms(),
            gil: OnceLock::new(),
            event_loop: LoopGauge::default(),
        })
    }

    /// Ms since the run started, on the run's own clock.
    pub fn since_start(&self) -> f64 {
        clock::now_ms() - self.t0
    }

    /// A recorder for this run's tasks, counting them in its progress (see [`crate::record`]).
    pub fn recorder(&self) -> Recorder {
        Recorder::new(self.total, self.progress.clone()).watched(self.live.clone())
    }

    /// A worker thread's log of this run's tasks in `lane`, counting them in its progress.
    pub fn lane_log(&self, lane: Lane) -> LaneLog {
        LaneLog::new(lane, self.progress.clone()).watched(self.live.clone())
    }

    /// The run's live log of starts and ends, if it was started with [`RunState::start_watched`].
    pub fn events(&self) -> Option<&EventLog> {
        self.live.as_deref()
    }

    /// Shares the run's GIL with the live figure.
    pub fn set_gil(&self, gil: Arc<dyn GilView>) {
        let _ = self.gil.set(gil);
    }

    /// The run's GIL, if it has one.
    pub fn gil(&self) -> Option<&dyn GilView> {
        self.gil.get().map(|g| &**g)
    }

    /// Tasks started so far.
    pub fn started(&self) -> u32 {
        self.progress.started()
    }

    /// Tasks that ended so far (done or failed).
    pub fn done(&self) -> u32 {
        self.progress.done()
    }

    /// Tasks started and not yet ended.
    pub fn in_flight(&self) -> u32 {
        self.progress.in_flight()
    }

    /// Asks every task to stop at its next chance.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Whether [`RunState::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// A future that completes when the run is stopped; runners race their work against it, so
    /// stopping drops every pending future (and with it its timer).
    pub fn stopped(self: &Arc<Self>) -> Stopped {
        Stopped(self.clone())
    }
}

/// What the live figure reads of a run's GIL while the run goes on (the GIL itself,
/// `crate::gil::Gil`, uses the run's state, so the run knows it only by this view; with threads of
/// separate memory it is `runner::separate_gil::Lock`).
pub trait GilView: Send + Sync {
    /// How many times it changed hands so far.
    fn handoffs(&self) -> u64;
    /// The holds from the `from`-th on, the current one with a NaN end; `None` if it is busy
    /// (the page's thread never waits for it).
    fn holds_since(&self, from: usize) -> Option<Vec<crate::record::Hold>>;
}

/// See [`RunState::stopped`].
pub struct Stopped(Arc<RunState>);

impl Future for Stopped {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_stopped() {
            return Poll::Ready(());
        }
        self.0.waker.register(cx.waker());
        if self.0.is_stopped() { Poll::Ready(()) } else { Poll::Pending }
    }
}

/// How often the lag probe asks for a timer.
const PROBE_MS: u32 = 10;

/// What [`with_probes`] measured of the page's event loop during a run, in ms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoopProbes {
    /// The most a 10 ms timer fired late. A free loop fires it within a few ms; a loop blocked by
    /// CPU work or a blocking wait fires it only when the block ends, or later still: in Firefox
    /// one timer waited out two or three blocking tasks in a row (BENCHMARKS.md), apparently
    /// because Firefox runs the executor's queued messages (see executor.rs) before a timer that
    /// came due meanwhile.
    pub lag_ms: f64,
    /// The longest the run held the thread in one go (its longest poll): meanwhile the browser
    /// could not paint, answer input or run anything else. The same in every browser.
    pub busy_ms: f64,
}

/// Runs `work` while measuring the page's event loop (see [`LoopProbes`]). Returns `work`'s output
/// and the measures.
pub async fn with_probes<T>(work: impl Future<Output = T>) -> (T, LoopProbes) {
    let worst = std::cell::Cell::new(0.0f64);
    // When the probe's latest timer was set.
    let set_at = std::cell::Cell::new(clock::now_ms());
    let probe = async {
        loop {
            let t = clock::now_ms();
            set_at.set(t);
            gloo_timers::future::TimeoutFuture::new(PROBE_MS).await;
            let late = clock::now_ms() - t - f64::from(PROBE_MS);
            worst.set(worst.get().max(late));
        }
    };
    // Each poll of the run is a stretch of the thread's time the browser waits for: the longest
    // one is how long the run kept it busy at a stretch. (A clock read per poll: polls come once
    // per executor slice of a few ms, or per task when tasks block.)
    let busiest = std::cell::Cell::new(0.0f64);
    let mut work = std::pin::pin!(work);
    let timed = std::future::poll_fn(|cx| {
        let t0 = clock::now_ms();
        let out = work.as_mut().poll(cx);
        busiest.set(busiest.get().max(clock::now_ms() - t0));
        out
    });
    // The probe goes first, so that its timer is set before the work can block the loop.
    let out = match futures_util::future::select(std::pin::pin!(probe), std::pin::pin!(timed)).await {
        futures_util::future::Either::Left((never, _)) => never,
        futures_util::future::Either::Right((out, _)) => out,
    };
    // A run that kept the loop blocked to its end (all of its work in one poll) never let the
    // probe's last timer fire: that block counts too.
    let pending = clock::now_ms() - set_at.get() - f64::from(PROBE_MS);
    (out, LoopProbes { lag_ms: worst.get().max(pending), busy_ms: busiest.get() })
}
