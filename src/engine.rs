//! The engine's state between the page's calls: the worker pool (planned, starting, started,
//! what it cost), whether a `run()` call is under way and whether `stop()` was asked, what the
//! page found (why there are no threads, the most threads this browser holds), and the run under
//! way. One value that the JS boundary keeps; pure Rust, so its transitions are tested natively.
//!
//! Waiting is by one-shot channels: a run that needs the pool, or something that must end on
//! `stop()`, takes a receiver; the transition that ends the wait sends on every sender.

use futures_channel::oneshot;

use std::collections::VecDeque;

use crate::contract::Record;
use crate::params::{self, Limits, Memory, Model, NoThreads};
use crate::record::ThreadStart;
use crate::report::ThreadCost;

/// The engine's state; `R` is the run under way (the boundary's own type, with its live view).
pub struct Engine<R> {
    /// Threads in the started pool; 0 until it has started, and always in the plain build.
    pool_size: u32,
    /// Threads of the pool planned or being started (0 when none is): a threads run asked for
    /// meanwhile is checked against this size and waits for the pool.
    pool_planned: u32,
    /// Whether the pool's workers are starting now.
    pool_starting: bool,
    /// What one pool thread cost to start, once the pool has.
    pool_thread: Option<ThreadCost>,
    /// Runs waiting for the pool to start.
    pool_waiters: Vec<oneshot::Sender<()>>,
    /// What the latest start of threads past the pool cost per thread.
    task_thread: Option<ThreadCost>,
    /// Most threads a run may have in this browser, as the page says.
    max_threads: u32,
    /// Why there are no threads (or no shared memory), as the page found it.
    no_threads: NoThreads,
    /// Where threads keep their memory on this page: separate in the plain build.
    memory: Memory,
    /// Whether a `run()` call is under way (all its models, not only the current one).
    busy: bool,
    /// `stop()` was called during the current `run()` call.
    stop_asked: bool,
    /// What waits before a run's state exists (the pool, the warm-up) and must end on `stop()`.
    stop_waiters: Vec<oneshot::Sender<()>>,
    /// The run under way, if any.
    current: Option<R>,
    /// Runs finished since the engine started.
    runs: u32,
    /// The latest runs' records, without their per-task columns, newest last.
    recent: VecDeque<Record>,
    /// The latest record of each model, by `Model as usize`.
    latest: [Option<Record>; 4],
}

/// How many records [`Engine::remember`] keeps: more than any demonstration makes.
pub const RECENT: usize = 8;

impl<R> Default for Engine<R> {
    fn default() -> Engine<R> {
        Engine {
            pool_size: 0,
            pool_planned: 0,
            pool_starting: false,
            pool_thread: None,
            pool_waiters: Vec::new(),
            task_thread: None,
            max_threads: params::MAX_THREADS,
            no_threads: NoThreads::NotIsolated,
            memory: Memory::Shared,
            busy: false,
            stop_asked: false,
            stop_waiters: Vec::new(),
            current: None,
            runs: 0,
            recent: VecDeque::new(),
            latest: Default::default(),
        }
    }
}

impl<R> Engine<R> {
    /// What the page found: why there are no threads (or no shared memory), where threads keep
    /// their memory, and the most threads this browser holds (at most the engine's own ceiling;
    /// values under 1 are ignored).
    pub fn configure(&mut self, no_threads: NoThreads, memory: Memory, max_threads: Option<f64>) {
        self.no_threads = no_threads;
        self.memory = memory;
        if let Some(n) = max_threads.filter(|n| *n >= 1.0) {
            self.max_threads = (n as u32).min(params::MAX_THREADS);
        }
    }

    /// The limits runs are checked against on a page with `cores` cores.
    pub fn limits(&self, cores: u32, fetch: bool) -> Limits {
        let pool = self.pool_size.max(self.pool_planned);
        let limits = Limits {
            pool_size: pool,
            max_threads: 0,
            cores: cores.max(1),
            fetch,
            no_threads: self.no_threads,
            memory: self.memory,
        };
        Limits { max_threads: if limits.has_threads() { self.max_threads } else { 0 }, ..limits }
    }

    /// A `run()` call begins, unless one is under way.
    pub fn begin_call(&mut self) -> Result<(), &'static str> {
        if self.busy {
            return Err("A run is already under way: stop it or wait for it to end.");
        }
        self.busy = true;
        self.stop_asked = false;
        self.stop_waiters.clear();
        Ok(())
    }

    /// The `run()` call ended.
    pub fn end_call(&mut self) {
        self.busy = false;
    }

    /// Asks the call under way to stop: wakes what waits before its run exists, and hands back
    /// the run under way, if any, to be stopped. `None` when no call is under way.
    pub fn ask_stop(&mut self) -> Option<Option<&R>> {
        if !self.busy {
            return None;
        }
        // Between models of `all`, or while a run waits for the pool or warms up, there is no run
        // state yet: the request is kept and the run stops as soon as it starts.
        self.stop_asked = true;
        for waiter in self.stop_waiters.drain(..) {
            let _ = waiter.send(());
        }
        Some(self.current.as_ref())
    }

    /// Whether `stop()` was asked during this call.
    pub fn stop_asked(&self) -> bool {
        self.stop_asked
    }

    /// A receiver that hears `stop()`, or `None` if it was already asked.
    pub fn on_stop(&mut self) -> Option<oneshot::Receiver<()>> {
        if self.stop_asked {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        self.stop_waiters.push(tx);
        Some(rx)
    }

    /// The page will start a pool of `threads`: runs are checked against it meanwhile.
    pub fn plan_pool(&mut self, threads: u32) {
        self.pool_planned = threads;
    }

    /// The pool of `threads` starts now; refused once a pool has started (it cannot be resized).
    pub fn pool_starts(&mut self, threads: u32) -> Result<(), &'static str> {
        if self.pool_size > 0 {
            return Err("the pool is already started; it cannot be resized");
        }
        self.pool_planned = threads;
        self.pool_starting = true;
        Ok(())
    }

    /// The pool's start ended: with what it cost in all (ms, bytes), or `None` if it failed. Runs
    /// that waited for it wake either way; without a pool they end with the reason.
    pub fn pool_started(&mut self, threads: u32, cost: Option<(f64, f64)>) {
        self.pool_starting = false;
        self.pool_planned = 0;
        if let Some((ms, bytes)) = cost {
            self.pool_size = threads;
            let n = f64::from(threads.max(1));
            self.pool_thread = Some(ThreadCost { ms: ms / n, bytes: bytes / n });
        }
        for waiter in self.pool_waiters.drain(..) {
            let _ = waiter.send(());
        }
    }

    /// Threads of separate memory were started before a run's clock (the plain build's stand-in
    /// for the pool): what one cost, for the runs' records.
    pub fn separate_threads_started(&mut self, cost: ThreadCost) {
        self.pool_thread = Some(cost);
    }

    /// Threads in the started pool (0 before).
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// Whether the pool's workers are starting now.
    pub fn pool_starting(&self) -> bool {
        self.pool_starting
    }

    /// A receiver that hears the pool's start end, or `None` if the pool is up.
    pub fn on_pool(&mut self) -> Option<oneshot::Receiver<()>> {
        if self.pool_size > 0 {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        self.pool_waiters.push(tx);
        Some(rx)
    }

    /// What one thread of a threads run cost to start: its own threads' latest start when it
    /// had threads past the pool (remembered for the runs that reuse them), else a pool thread's.
    pub fn thread_cost(&mut self, start: Option<ThreadStart>) -> Option<ThreadCost> {
        let Some(start) = start else {
            return Some(self.pool_thread.unwrap_or_default());
        };
        if start.started > 0 {
            let n = f64::from(start.started);
            self.task_thread = Some(ThreadCost { ms: start.ms / n, bytes: start.bytes / n });
        }
        Some(self.task_thread.unwrap_or_default())
    }

    /// A run begins.
    pub fn run_begins(&mut self, run: R) {
        self.current = Some(run);
    }

    /// The run under way, if any.
    pub fn current(&mut self) -> Option<&mut R> {
        self.current.as_mut()
    }

    /// The run under way ended.
    pub fn run_ends(&mut self) {
        self.current = None;
        self.runs += 1;
    }

    /// Runs finished since the engine started.
    pub fn runs(&self) -> u32 {
        self.runs
    }

    /// Keeps a finished run's record (without its per-task columns: see
    /// [`crate::report::without_tasks`]), dropping the oldest beyond [`RECENT`].
    pub fn remember(&mut self, record: Record) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.latest[record.model as usize] = Some(record.clone());
        self.recent.push_back(record);
    }

    /// The latest record of `model`, if it ran.
    pub fn latest(&self, model: Model) -> Option<&Record> {
        self.latest[model as usize].as_ref()
    }

    /// The latest `n` records, oldest first (fewer if fewer were kept).
    pub fn recent(&self, n: usize) -> Vec<Record> {
        self.recent.iter().skip(self.recent.len().saturating_sub(n)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_at_a_time_and_stop_only_during_one() {
        let mut e = Engine::<u32>::default();
        assert!(e.ask_stop().is_none(), "nothing to stop");
        e.begin_call().unwrap();
        assert!(e.begin_call().is_err(), "a second call is refused");
        let mut heard = e.on_stop().expect("not asked yet");
        assert_eq!(e.ask_stop(), Some(None), "no run state yet");
        assert_eq!(heard.try_recv(), Ok(Some(())), "the waiter heard the stop");
        assert!(e.stop_asked() && e.on_stop().is_none(), "asked: nothing left to wait for");
        e.run_begins(7);
        assert_eq!(e.ask_stop(), Some(Some(&7)), "the run under way is handed back to stop");
        e.run_ends();
        e.end_call();
        e.begin_call().unwrap();
        assert!(!e.stop_asked(), "a new call starts unstopped");
        assert_eq!(e.runs(), 1);
    }

    #[test]
    fn runs_wait_for_the_pool_and_are_checked_against_the_planned_size() {
        let mut e = Engine::<()>::default();
        assert_eq!(e.limits(2, true).max_threads, 0, "no pool, no threads");
        e.plan_pool(16);
        assert_eq!((e.limits(2, true).pool_size, e.limits(2, true).max_threads), (16, params::MAX_THREADS));
        e.pool_starts(16).unwrap();
        let mut waiting = e.on_pool().expect("the pool is not up");
        assert!(e.pool_starting());
        e.pool_started(16, Some((320.0, 16.0 * 2048.0)));
        assert_eq!(waiting.try_recv(), Ok(Some(())));
        assert!(e.on_pool().is_none() && e.pool_size() == 16);
        assert_eq!(e.thread_cost(None), Some(ThreadCost { ms: 20.0, bytes: 2048.0 }));
        assert!(e.pool_starts(2).is_err(), "a started pool cannot be resized");
    }

    #[test]
    fn a_failed_pool_wakes_its_waiters_and_leaves_no_threads() {
        let mut e = Engine::<()>::default();
        e.pool_starts(4).unwrap();
        let mut waiting = e.on_pool().unwrap();
        e.pool_started(4, None);
        assert_eq!(waiting.try_recv(), Ok(Some(())));
        assert_eq!((e.pool_size(), e.limits(2, false).pool_size), (0, 0));
    }

    #[test]
    fn the_latest_records_are_kept_oldest_first() {
        let mut e = Engine::<()>::default();
        for tasks in 1..=10 {
            e.remember(Record { tasks, ..Record::default() });
        }
        let tasks = |v: Vec<Record>| v.iter().map(|r| r.tasks).collect::<Vec<_>>();
        assert_eq!(tasks(e.recent(3)), [8, 9, 10]);
        assert_eq!(tasks(e.recent(100)), (3..=10).collect::<Vec<_>>(), "at most RECENT are kept");
        e.remember(Record { model: Model::Threads, tasks: 11, ..Record::default() });
        assert_eq!(e.latest(Model::Async).map(|r| r.tasks), Some(10));
        assert_eq!(e.latest(Model::Threads).map(|r| r.tasks), Some(11));
        assert!(e.latest(Model::Processes).is_none());
    }

    #[test]
    fn separate_memory_has_threads_without_a_pool() {
        let mut e = Engine::<()>::default();
        e.configure(NoThreads::Unsupported, Memory::Separate, Some(496.0));
        let limits = e.limits(2, false);
        assert_eq!((limits.pool_size, limits.max_threads, limits.memory), (0, 496, Memory::Separate));
        assert!(limits.has_threads());
        e.separate_threads_started(ThreadCost { ms: 30.0, bytes: 1e6 });
        assert_eq!(e.thread_cost(None), Some(ThreadCost { ms: 30.0, bytes: 1e6 }));
    }

    #[test]
    fn threads_past_the_pool_keep_their_latest_start_cost() {
        let mut e = Engine::<()>::default();
        e.configure(NoThreads::NotIsolated, Memory::Shared, Some(480.0));
        e.plan_pool(16);
        assert_eq!(e.limits(2, true).max_threads, 480);
        let started = ThreadStart { started: 10, ms: 500.0, bytes: 10.0 * 4096.0, stack_bytes: 131_072 };
        assert_eq!(e.thread_cost(Some(started)), Some(ThreadCost { ms: 50.0, bytes: 4096.0 }));
        let reused = ThreadStart { started: 0, ..started };
        assert_eq!(
            e.thread_cost(Some(reused)),
            Some(ThreadCost { ms: 50.0, bytes: 4096.0 }),
            "the latest start"
        );
    }
}
