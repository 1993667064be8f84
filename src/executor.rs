//! The playground's own executor for the async model, built for a million tasks.
//!
//! `join_all` over one `gloo-timers` timeout per task costs a JS closure and a browser timer per
//! task, which adds up to seconds at a million tasks (BENCHMARKS.md). Here instead:
//! - task futures live in one array, polled in place; a task's waker is its index (no allocation
//!   per task or per wake);
//! - [`sleep`] registers its deadline in a deadline queue in Rust (a ring of per-millisecond
//!   buckets of task indices, so a registration is one push, with no search), and one browser
//!   timer is armed for the earliest deadline; when it fires, every task due is woken at once;
//! - the clock is read once per batch of polls, not per task;
//! - polling runs in slices of a few milliseconds, yielding to the browser between slices
//!   (a `MessageChannel` message, which browsers do not clamp as they clamp nested timers), so the
//!   page keeps painting while a million tasks start.
//!
//! It also accounts for its tasks as tokio-console does (busy, scheduled, idle, polls: see
//! [`crate::accounting`], fed where the clock is already read) and keeps its turns (each slice,
//! and the ready queue's length at its end) for the record and the live view.
//!
//! Wakes from other sources (a fetch promise, a channel) work too: the waker carries the
//! executor's id and the task's index, and pushes the index on that executor's ready list.
//!
//! Order, as in asyncio: woken tasks run in the order they were woken, and tasks due in the same
//! millisecond in the order they began to wait.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::MessageChannel;

use crate::accounting::Accounting;
use crate::record::{Ending, LoopTurn, MAX_LOOP_TURNS, Outcome, Recorder, TaskResult};
use crate::run::{RunState, Stopped};
use crate::timeline::Lane;

/// Task indices use the low bits of a waker's data, the executor's id the high bits.
const INDEX_BITS: u32 = 24;
/// Most tasks one executor runs (2^24 > the 10,000,000 the parameters allow).
pub const MAX_TASKS: u32 = 1 << INDEX_BITS;
const MAX_EXECUTORS: usize = 1 << (32 - INDEX_BITS);
/// Polls between clock reads when tasks are quick: reading `performance.now()` costs more than a
/// poll of a sleeping task.
const POLLS_PER_CLOCK_READ: u32 = 1024;
/// Empty task slots made at a time, as tasks start (see `RunAll::slots`).
const SLOT_BATCH: usize = 1 << 16;
/// Longest stretch of polling before the browser gets the event loop back.
const SLICE_MS: f64 = 8.0;

/// Whether new executors keep the per-task accounting ([`Accounting`]): on, but for the bench,
/// which alternates runs with and without it to measure its cost (bench/scenarios.mjs).
static ACCOUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns the per-task accounting on or off for the runs that start after (see [`ACCOUNTING`]).
pub fn set_accounting(on: bool) {
    ACCOUNTING.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// What an executor shares with the wakers of its tasks.
#[derive(Default)]
struct Shared {
    /// Indices of woken tasks, in the order they were woken: they run in that order, as
    /// asyncio's ready queue runs its callbacks.
    ready: RefCell<VecDeque<u32>>,
    /// Buckets of the deadline queue that came due, moved here whole (not copied into `ready`:
    /// at a million tasks the copy would be 4 MB more at the peak), each with its deadline (ms).
    due: RefCell<Vec<(u32, Vec<u32>)>>,
    /// The waker of the future that drives this executor (see [`RunAll`]).
    outer: RefCell<Option<Waker>>,
    /// Time since the run started, refreshed in batches.
    now: Cell<f64>,
    /// Deadline queue: tasks (and foreign wakers) by the ms they are due.
    deadlines: RefCell<Wheel>,
    /// Tasks that yielded ([`yield_now`]), in order: they run again after every task ready now,
    /// as `await asyncio.sleep(0)` puts a coroutine at the back of asyncio's ready queue.
    yielded: RefCell<Vec<u32>>,
    /// Yielded tasks being given their turn, the last to run first.
    batch: RefCell<Vec<u32>>,
    /// Which tasks the accounting samples (`i & mask == 0`; none without accounting), and their
    /// wakes since it last took them in: (task, when, or `None` between slices, stamped at the
    /// next). Only sampled tasks' wakes come here, so the accounting itself stays in the
    /// [`RunAll`], off the wakers' path.
    sample_mask: Cell<Option<u32>>,
    wakes: RefCell<Vec<(u32, Option<f64>)>>,
    /// Whether a slice of polls is under way.
    polling: Cell<bool>,
    /// Tasks started so far: a wake of a higher index is not for this executor (see [`wake`]).
    started: Cell<u32>,
}

// Not generic over the task type, unlike `RunAll`: one copy of this code serves every kind of
// task (sleep, fetch, CPU, ...), where methods of `RunAll` are compiled once per kind.
impl Shared {
    /// Moves every bucket whose deadline has passed to the due list.
    fn fire_due(&self) {
        let now = self.now.get();
        let mut deadlines = self.deadlines.borrow_mut();
        let mut fired = Vec::new();
        while let Some((deadline, mut bucket)) = deadlines.pop_due(now) {
            if !bucket.tasks.is_empty() {
                // Taken from its end, so reversed: tasks due in the same ms run in the order they
                // began to wait, as asyncio's timers do. Their ends then come in start order, which
                // spares `timeline::layout` a sort of every end and keeps its rows a queue, not a
                // heap, so the record of a large run is ready sooner after its end (BENCHMARKS.md).
                bucket.tasks.reverse();
                fired.push((deadline, bucket.tasks));
            }
            bucket.others.into_iter().for_each(Waker::wake);
        }
        // `due` is drained from its end: buckets that fired together (a late timer) go below the
        // ones still there, earliest deadline last, so tasks run in deadline order.
        if !fired.is_empty() {
            fired.reverse();
            self.due.borrow_mut().splice(0..0, fired);
        }
    }

    /// The next woken task: one woken by a waker, else one from a due bucket, with the deadline
    /// of the timer that woke it.
    fn next_woken(&self) -> Option<(u32, Option<u32>)> {
        if let Some(i) = self.ready.borrow_mut().pop_front() {
            return Some((i, None));
        }
        let mut due = self.due.borrow_mut();
        while let Some((deadline, bucket)) = due.last_mut() {
            if let Some(i) = bucket.pop() {
                return Some((i, Some(*deadline)));
            }
            due.pop();
        }
        None
    }

    /// Task `i` was woken (now, if a slice is under way; else at the next slice's start).
    fn woken(&self, i: u32) {
        if self.sample_mask.get().is_some_and(|mask| i & mask == 0) {
            let now = self.polling.get().then(|| self.now.get());
            self.wakes.borrow_mut().push((i, now));
        }
    }

    /// The next task that yielded, in the order they yielded; a new round begins when every
    /// task of the last one has had its turn.
    fn next_yielded(&self) -> Option<u32> {
        let mut batch = self.batch.borrow_mut();
        if batch.is_empty() {
            std::mem::swap(&mut *batch, &mut *self.yielded.borrow_mut());
            batch.reverse();
        }
        batch.pop()
    }
}

/// Per-millisecond buckets from `base` (the first ms not fired yet) on: bucket `k` holds what is
/// due at `base + k` ms since the run started. A run's deadlines lie within its longest delay
/// (at most a minute), so the ring holds at most about 60,000 buckets, mostly empty.
#[derive(Default)]
struct Wheel {
    base: u32,
    buckets: VecDeque<Bucket>,
}

impl Wheel {
    /// The bucket of `deadline`; one already passed goes in the first bucket, fired next.
    fn bucket(&mut self, deadline: u32) -> &mut Bucket {
        let k = deadline.saturating_sub(self.base) as usize;
        if k >= self.buckets.len() {
            self.buckets.resize_with(k + 1, Bucket::default);
        }
        &mut self.buckets[k]
    }

    /// Takes the bucket of the first ms not fired yet, with that ms, if it is due by `now`.
    fn pop_due(&mut self, now: f64) -> Option<(u32, Bucket)> {
        if self.buckets.is_empty() || f64::from(self.base) > now {
            return None;
        }
        self.base += 1;
        self.buckets.pop_front().map(|b| (self.base - 1, b))
    }

    /// The first ms with something due, if any.
    fn first(&self) -> Option<u32> {
        let k = self.buckets.iter().position(|b| !b.tasks.is_empty() || !b.others.is_empty())?;
        Some(self.base + k as u32)
    }
}

#[derive(Default)]
struct Bucket {
    tasks: Vec<u32>,
    others: Vec<Waker>,
}

thread_local! {
    /// Live executors by id, so a waker (which only holds two numbers) can find its own.
    static EXECUTORS: RefCell<Vec<Option<Rc<Shared>>>> = const { RefCell::new(Vec::new()) };
    /// The executor being polled, for [`sleep`] to register its deadline with.
    static CURRENT: RefCell<Option<Rc<Shared>>> = const { RefCell::new(None) };
    /// Where the search for a free id starts: after the last id given (see `Driver::new`).
    static NEXT_ID: Cell<usize> = const { Cell::new(0) };
}

fn pack(exec: usize, index: u32) -> *const () {
    ((exec << INDEX_BITS) | index as usize) as *const ()
}

fn unpack(data: *const ()) -> (usize, u32) {
    let bits = data as usize;
    (bits >> INDEX_BITS, (bits & (MAX_TASKS as usize - 1)) as u32)
}

// The waker's data is two numbers, never a pointer: clone and drop have nothing to do.
static VTABLE: RawWakerVTable = RawWakerVTable::new(|d| RawWaker::new(d, &VTABLE), wake, wake, |_| {});

/// Wakes task `index` of executor `exec`, if that executor is still there and started that task.
///
/// A waker can outlive its executor: a stopped run drops its tasks, but a JS promise a task
/// awaited still holds the task's waker and may settle later: WebKitGTK rejects an aborted fetch
/// in a later task, not within `abort()` as Firefox does, and by then a Stop followed at once by
/// another run (both in one task) has begun the next run. A later executor
/// may have the same id; a task it never started must not be polled there (its slots and its
/// accounting have no such index: the next run hung on that panic). Ids are given in turn (see
/// `Driver::new`), so such a wake finds no executor at all, or at worst polls a task once more
/// than needed, which a future must allow.
fn wake(data: *const ()) {
    let (exec, index) = unpack(data);
    let shared = EXECUTORS.with_borrow(|all| all.get(exec).cloned().flatten());
    if let Some(shared) = shared.filter(|s| index < s.started.get()) {
        shared.ready.borrow_mut().push_back(index);
        shared.woken(index);
        if let Some(outer) = shared.outer.borrow().as_ref() {
            outer.wake_by_ref();
        }
    }
}

fn task_waker(exec: usize, index: u32) -> Waker {
    // SAFETY: the vtable's functions never dereference the data, which is only two numbers.
    unsafe { Waker::from_raw(RawWaker::new(pack(exec, index), &VTABLE)) }
}

/// A future that completes `delay_ms` after it is first polled, woken by the deadline queue of
/// the [`RunAll`] executor that polls it. Like `asyncio.sleep`: it never blocks the thread.
///
/// Polled by any other executor it panics: the deadline queue lives in a [`RunAll`].
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    /// The delay in ms until first polled, then the deadline in ms since the run started with
    /// [`DEADLINE`] set: one word, not two, because ten million pending tasks each hold one.
    at: u32,
}

/// Marks [`Sleep::at`] as a deadline (delays are at most a minute, deadlines far under 2^31 ms).
const DEADLINE: u32 = 1 << 31;

/// Waits `delay_ms` (see [`Sleep`]).
pub fn sleep(delay_ms: u32) -> Sleep {
    Sleep { at: delay_ms.min(DEADLINE - 1) }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Borrowed, not cloned: this runs once per task start, ten million times in a big run.
        CURRENT.with_borrow(|current| {
            let shared = current.as_ref().expect("executor::sleep is polled by an executor::RunAll");
            let now = shared.now.get();
            if self.at & DEADLINE == 0 {
                self.at = DEADLINE | (now + f64::from(self.at)).ceil() as u32;
            }
            let deadline = self.at & !DEADLINE;
            if now >= f64::from(deadline) {
                return Poll::Ready(());
            }
            let mut deadlines = shared.deadlines.borrow_mut();
            let bucket = deadlines.bucket(deadline);
            let waker = cx.waker();
            if waker.vtable() == &VTABLE {
                bucket.tasks.push(unpack(waker.data()).1);
            } else {
                bucket.others.push(waker.clone());
            }
            Poll::Pending
        })
    }
}

/// A future that gives the event loop to every other ready task once, then completes: like
/// `await asyncio.sleep(0)`. Polled by a [`RunAll`], the task goes to the back of the line (after
/// every task ready now, and after tasks not yet started); under another executor it wakes itself.
#[must_use = "futures do nothing unless polled"]
pub struct YieldNow(bool);

/// Gives every other ready task a turn (see [`YieldNow`]).
pub fn yield_now() -> YieldNow {
    YieldNow(false)
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        let waker = cx.waker();
        let shared = CURRENT.with_borrow(|c| c.clone());
        match shared {
            Some(shared) if waker.vtable() == &VTABLE => {
                let i = unpack(waker.data()).1;
                shared.yielded.borrow_mut().push(i);
                shared.woken(i);
            }
            _ => waker.wake_by_ref(),
        }
        Poll::Pending
    }
}

/// Runs `tasks` futures made by `make(id)` concurrently, recording each task's span, until all
/// finish, or one fails and `fail_fast` is set (the others are then dropped, like
/// `try_join_all`), or the run is stopped. Resolves to the run's [`Outcome`].
pub struct RunAll<F, M> {
    driver: Driver,
    make: M,
    /// Task futures, polled in place. Tasks start in index order and the empty slots are made a
    /// batch at a time as they do ([`SLOT_BATCH`]): ten million made up front stalled the page
    /// before the first task started. The vector is created with room for every task and never
    /// holds more, so it never reallocates and its elements never move (the pinning guarantee);
    /// a finished task is dropped in place.
    slots: Vec<Option<F>>,
    /// Tasks in the run.
    tasks: u32,
    next: u32,
    pending: u32,
    /// Most tasks started and not finished at once (`u32::MAX`: no limit).
    limit: u32,
    rec: Recorder,
    fail_fast: bool,
    /// Polls between clock reads: 1 when every poll may run long (CPU work on the event loop).
    clock_every: u32,
    /// Start every task before giving the event loop back (see [`RunAll::start_all_first`]).
    start_all_first: bool,
    state: Arc<RunState>,
    stopped: Stopped,
    /// Each task's busy, scheduled and idle time (see [`Accounting`]), unless turned off.
    acct: Option<Accounting>,
    /// The loop's turns so far, the one under way's start and its polls.
    turns: Vec<LoopTurn>,
    turn_start: f64,
    turn_polls: u32,
}

impl<F: Future<Output = TaskResult>, M: FnMut(u32) -> F> RunAll<F, M> {
    /// An executor for `tasks` tasks (at most [`MAX_TASKS`]) of the run `state`.
    pub fn new(state: &Arc<RunState>, tasks: u32, make: M) -> Self {
        assert!(tasks <= MAX_TASKS);
        let driver = Driver::new();
        let acct = ACCOUNTING.load(std::sync::atomic::Ordering::Relaxed).then(|| Accounting::new(tasks));
        driver.shared.sample_mask.set(acct.as_ref().map(Accounting::mask));
        RunAll {
            driver,
            acct,
            turns: Vec::new(),
            turn_start: 0.0,
            turn_polls: 0,
            make,
            slots: Vec::with_capacity(tasks as usize),
            tasks,
            next: 0,
            pending: tasks,
            limit: u32::MAX,
            rec: state.recorder().batched(),
            fail_fast: false,
            clock_every: POLLS_PER_CLOCK_READ,
            start_all_first: false,
            state: state.clone(),
            stopped: state.stopped(),
        }
    }

    /// Ends the run at the first failed task, dropping the others (`try_join_all`).
    pub fn fail_fast(mut self, on: bool) -> Self {
        self.fail_fast = on;
        self
    }

    // [snippet:async-limit]
    /// At most `limit` tasks in flight, like `asyncio.Semaphore(limit)` around each task: the
    /// next task starts only when one has finished, so its span starts when it really runs.
    pub fn limit(mut self, limit: Option<u32>) -> Self {
        self.limit = limit.unwrap_or(u32::MAX);
        self
    }

    fn may_start(&self) -> bool {
        let finished = self.tasks - self.pending;
        self.next < self.tasks && self.next - finished < self.limit
    }
    // [/snippet]

    /// Tasks that may run long in one poll (CPU work, blocking waits): read the clock after
    /// every poll, so the browser still gets the event loop back between tasks.
    pub fn long_polls(mut self, on: bool) -> Self {
        self.clock_every = if on { 1 } else { POLLS_PER_CLOCK_READ };
        self
    }

    /// Starts every task (runs it to its first await) before the browser gets the event loop
    /// back, as `asyncio.gather` does: its new tasks all take their first step in one turn of the
    /// loop, before it looks for I/O again. For requests, so that every one is sent before any
    /// answer is handled; an answer handled between them would hold the later requests back by
    /// as long. The page is not given back meanwhile: use it for a bounded number of tasks (a
    /// fetch run has at most 1,000). Stop is still checked between polls.
    pub fn start_all_first(mut self, on: bool) -> Self {
        self.start_all_first = on;
        self
    }

    /// Reads the clock: the only place the executor does, and where the accounting gives the
    /// time since the last reading to the polls made meanwhile.
    fn refresh_clock(&mut self) -> f64 {
        let now = self.state.since_start();
        self.driver.shared.now.set(now);
        if let Some(acct) = &mut self.acct {
            acct.clock_read(now);
        }
        now
    }

    /// Takes in the wakes of sampled tasks since the last call.
    fn take_wakes(&mut self) {
        if let Some(acct) = &mut self.acct {
            for (i, at) in self.driver.shared.wakes.borrow_mut().drain(..) {
                acct.woken(i, at);
            }
        }
    }

    /// Polls task `index` once (`deadline`: its timer's, if a timer woke it); records its end
    /// when it finishes. Returns `true` if it failed.
    fn poll_task(&mut self, index: u32, deadline: Option<u32>) -> bool {
        let slot = &mut self.slots[index as usize];
        let Some(task) = slot.as_mut() else { return false };
        if let Some(acct) = &mut self.acct {
            if acct.sampled(index) {
                // Its wake, if any, is among these: taken in before its poll is counted.
                for (i, at) in self.driver.shared.wakes.borrow_mut().drain(..) {
                    acct.woken(i, at);
                }
            }
            acct.poll_starts(index, self.driver.shared.now.get(), deadline);
        }
        // SAFETY: slots never move (see the field's comment) and a task is only dropped in place.
        let task = unsafe { Pin::new_unchecked(task) };
        let waker = task_waker(self.driver.id, index);
        let poll = task.poll(&mut Context::from_waker(&waker));
        if let Some(acct) = &mut self.acct {
            acct.poll_ends(index, poll.is_ready());
        }
        let Poll::Ready(result) = poll else { return false };
        *slot = None;
        if self.clock_every == 1 {
            self.refresh_clock();
        }
        self.pending -= 1;
        self.rec.finish(index, result, self.driver.shared.now.get())
    }

    /// A turn of the loop ended at `end`: kept for the record, and published for the live view.
    fn end_turn(&mut self, end: f64) {
        let shared = &self.driver.shared;
        let due: usize = shared.due.borrow().iter().map(|(_, b)| b.len()).sum();
        let queued =
            shared.ready.borrow().len() + due + shared.yielded.borrow().len() + shared.batch.borrow().len();
        // gather's tasks not started yet wait in the ready queue too (under a limit, for a place).
        let unstarted = if self.limit == u32::MAX { self.tasks - self.next } else { 0 };
        let ready = queued as u32 + unstarted;
        if self.turns.len() < MAX_LOOP_TURNS {
            let (start, end) = (self.turn_start as f32, end as f32);
            self.turns.push(LoopTurn { start, end, polls: self.turn_polls, ready });
        }
        let late = self.acct.as_ref().and_then(Accounting::late_max);
        self.state.event_loop.publish(ready, late);
    }

    /// Drops every task still pending: a stopped run forgets them; a failed `try_join_all` run
    /// records them as cancelled where they were cut off.
    fn drop_pending(&mut self, mark_cancelled: bool) {
        let now = self.refresh_clock();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.take().is_some() && mark_cancelled {
                self.rec.finish(i as u32, Ending::Cancelled, now);
            }
        }
    }

    fn outcome(&mut self, stopped: bool) -> Outcome {
        let mut o = self.rec.end(self.state.since_start(), stopped);
        o.task_times = self.acct.take().map(Accounting::finish);
        o.loop_turns = std::mem::take(&mut self.turns);
        o
    }
}

impl<F: Future<Output = TaskResult>, M: FnMut(u32) -> F> Future for RunAll<F, M> {
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        // SAFETY: nothing is moved out of `self`; the slots stay where they are.
        let this = unsafe { self.get_unchecked_mut() };
        if Pin::new(&mut this.stopped).poll(cx).is_ready() {
            this.drop_pending(false);
            return Poll::Ready(this.outcome(true));
        }
        *this.driver.shared.outer.borrow_mut() = Some(cx.waker().clone());
        CURRENT.with_borrow_mut(|c| *c = Some(this.driver.shared.clone()));
        this.driver.shared.polling.set(true);
        let result = this.run_slice();
        // The clock read once more, so the slice's last polls get their time before the browser
        // runs (its time is no task's).
        let end = this.refresh_clock();
        this.end_turn(end);
        this.driver.shared.polling.set(false);
        CURRENT.with_borrow_mut(|c| *c = None);
        // What the slice started and ended, counted for progress() before the browser runs again.
        this.rec.publish();
        match result {
            Slice::Done => Poll::Ready(this.outcome(false)),
            Slice::Failed => {
                this.drop_pending(true);
                Poll::Ready(this.outcome(false))
            }
            Slice::Stopped => {
                this.drop_pending(false);
                Poll::Ready(this.outcome(true))
            }
            Slice::Yield => {
                this.driver.yield_to_browser();
                Poll::Pending
            }
            Slice::Wait => {
                let now = this.driver.shared.now.get();
                this.driver.wait(now, cx);
                Poll::Pending
            }
        }
    }
}

enum Slice {
    Done,
    Failed,
    Stopped,
    Yield,
    Wait,
}

impl<F: Future<Output = TaskResult>, M: FnMut(u32) -> F> RunAll<F, M> {
    fn run_slice(&mut self) -> Slice {
        let now = self.refresh_clock();
        let slice_end = now + SLICE_MS;
        (self.turn_start, self.turn_polls) = (now, 0);
        self.take_wakes();
        if let Some(acct) = &mut self.acct {
            acct.slice_starts(now);
        }
        self.driver.shared.fire_due();
        let mut polls = 0u32;
        loop {
            let (index, deadline) = match self.driver.shared.next_woken() {
                Some(woken) => woken,
                None if self.may_start() => {
                    // Start the next task: it exists from its first poll on.
                    let i = self.next;
                    self.next += 1;
                    self.driver.shared.started.set(self.next);
                    if i as usize >= self.slots.len() {
                        // A batch of empty slots at a time (within the capacity: nothing moves).
                        let to = (self.slots.len() + SLOT_BATCH).min(self.tasks as usize);
                        self.slots.resize_with(to, || None);
                    }
                    self.slots[i as usize] = Some((self.make)(i));
                    let now = self.driver.shared.now.get();
                    self.rec.start(i, Lane::EVENT_LOOP, now);
                    if self.limit != u32::MAX
                        && let Some(acct) = &mut self.acct
                    {
                        // Held back by the limit until now: idle (awaiting the semaphore).
                        acct.released(i, now);
                    }
                    (i, None)
                }
                None => match self.driver.shared.next_yielded() {
                    Some(i) => (i, None),
                    None => break,
                },
            };
            polls += 1;
            self.turn_polls = polls;
            if self.poll_task(index, deadline) && self.fail_fast {
                return Slice::Failed;
            }
            if polls.is_multiple_of(self.clock_every) {
                if self.state.is_stopped() {
                    return Slice::Stopped;
                }
                if self.refresh_clock() >= slice_end && !(self.start_all_first && self.may_start()) {
                    return if self.pending == 0 { Slice::Done } else { Slice::Yield };
                }
                self.driver.shared.fire_due();
            }
        }
        if self.pending == 0 { Slice::Done } else { Slice::Wait }
    }
}

/// What a [`RunAll`] needs besides its tasks: its entry in `EXECUTORS`, its way back to the
/// browser and its timer. Not generic, so compiled once (see `impl Shared`).
struct Driver {
    id: usize,
    shared: Rc<Shared>,
    timer: Option<Timeout>,
    channel: MessageChannel,
    _on_message: Closure<dyn FnMut()>,
}

impl Driver {
    fn new() -> Self {
        let shared = Rc::new(Shared::default());
        // The first free id after the last one given, not the lowest: the id of a run that just
        // ended is the last to be given again, so its tasks' late wakes find no executor (see
        // `wake`).
        let id = EXECUTORS.with_borrow_mut(|all| {
            let from = NEXT_ID.get();
            let free = (from..from + MAX_EXECUTORS)
                .map(|i| i % MAX_EXECUTORS)
                .find(|&i| all.get(i).is_none_or(Option::is_none))
                .expect("too many executors at once");
            if free >= all.len() {
                all.resize_with(free + 1, || None);
            }
            all[free] = Some(shared.clone());
            NEXT_ID.set(free + 1);
            free
        });
        let channel = MessageChannel::new().expect("MessageChannel is available");
        let on_message = {
            let shared = shared.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(w) = shared.outer.borrow().as_ref() {
                    w.wake_by_ref();
                }
            })
        };
        channel.port1().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Driver { id, shared, timer: None, channel, _on_message: on_message }
    }

    /// Back to the browser; the message wakes the executor in a new task.
    fn yield_to_browser(&self) {
        self.channel.port2().post_message(&wasm_bindgen::JsValue::NULL).expect("posting to our own port");
    }

    /// Sleeps until the earliest deadline (`now`: the run's clock, just read).
    fn wait(&mut self, now: f64, cx: &Context<'_>) {
        let first = self.shared.deadlines.borrow().first().unwrap_or(0);
        let ms = (f64::from(first) - now).ceil().max(0.0) as u32;
        let waker = cx.waker().clone();
        // One browser timer for every task: dropping the old one clears it.
        self.timer = Some(Timeout::new(ms, move || waker.wake()));
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.channel.port1().set_onmessage(None);
        self.channel.port1().close();
        EXECUTORS.with_borrow_mut(|all| all[self.id] = None);
    }
}
