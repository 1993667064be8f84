//! Recording a run: every runner, and the async executor, tells a [`Recorder`] when each task
//! started and how it ended, and the recorder builds the run's [`Outcome`]. Folding a task's result
//! into the outcome (its span, its state, its error or checksum, the progress counters) is written
//! once, here, so the models cannot disagree on what a span means.
//!
//! Pure Rust with no browser types (times are passed in, in ms on the run's clock), so it is tested
//! natively.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::accounting::TaskTimes;
use crate::blocked::{BlockedTimes, Stamps};
use crate::timeline::{Lane, SpanMs, SpanState, Spans, Wait, WaitKind, sort_keys, time_key};

/// What one task gives back: its checksum, or the error it failed with.
pub type TaskResult = Result<u64, String>;

/// The most GIL holds a run keeps (24 bytes each); later ones are counted in the hand-offs only.
pub const MAX_HOLDS: usize = 200_000;

/// A stretch during which one thread held the GIL, ms on the run's clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hold {
    /// The holder's lane number (thread k is k).
    pub lane: u32,
    /// When it took the lock.
    pub start: f64,
    /// When it dropped it (NaN: it still holds it, in a live read).
    pub end: f64,
}

/// The GIL's history: who held it and how often it changed hands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GilRecord {
    /// Each hold in the order it began, at most [`MAX_HOLDS`].
    pub holds: Vec<Hold>,
    /// Times the lock was taken by another thread than the one that held it last.
    pub handoffs: u64,
    /// The switch interval the run used, in µs.
    pub switch_interval_us: u32,
    /// What handing it over by messages cost (threads of separate memory); `None`: the lock was
    /// in memory the threads share.
    pub by_messages: Option<MessageCost>,
    /// What a hand-off took, mean, in ms: a waiting thread's message to the page and the grant's
    /// way back, timed as its wait for the grant (its clock) less its time queued behind the holder
    /// (the page's), `crate::gil_messages` (threads of separate memory; `None` on shared memory,
    /// where the holds' gaps are the hand-offs, or with none timed).
    pub handoff_ms: Option<f64>,
}

/// What the GIL of threads with separate memory costs (`crate::gil_messages`), measured in the run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MessageCost {
    /// A message from the page to a thread and its answer back, mean, in µs: a hand-off is two
    /// messages (the holder's drop to the page, the page's grant to the next thread).
    pub round_trip_us: f64,
    /// One yield of a computing thread to its own event loop, where the page's messages reach it,
    /// mean, in µs.
    pub yield_us: f64,
    /// How often a thread computing without a known waiter yields, in ms of its work.
    pub yield_every_ms: f64,
}

/// What a runner recorded.
#[derive(Default)]
pub struct Outcome {
    /// Every task's lane, start, end (NaN: did not end) and state.
    pub spans: Spans,
    /// From run start until the last task ended, or until the run stopped.
    pub elapsed_ms: f64,
    /// Whether the run was stopped before every task finished.
    pub stopped: bool,
    /// Failed tasks: (id, message), in the order they failed.
    pub errors: Vec<(u32, String)>,
    /// The combined checksum of CPU work (0 for other workloads), so it cannot be optimised away.
    pub checksum: u64,
    /// Stretches that tasks spent waiting for the GIL or a lock.
    pub waits: Vec<Wait>,
    /// A worker thread stopped answering (it trapped); the engine should be restarted.
    pub crashed: bool,
    /// The counter workload's result, if the run counted.
    pub counter: Option<Counted>,
    /// Time tasks spent waiting for a lock, summed, in ms.
    pub lock_wait_ms: f64,
    /// The deadlock the run ended in, if it did.
    pub deadlock: Option<Deadlock>,
    /// Threads still blocked in a request when the run was stopped, left to end at their timeout.
    pub left_blocked: u32,
    /// The threads a threads run gave one task each, past the pool: what starting them cost.
    pub thread_start: Option<ThreadStart>,
    /// Where a fetch run's requests were answered and when each arrived there (fetch runs).
    pub net: Option<NetSummary>,
    /// Who held the simulated GIL and how often it changed hands (threads runs with the GIL).
    pub gil: Option<GilRecord>,
    /// How late each 1 ms wait of the convoy's waiting threads woke, in ms (convoy runs).
    pub wake_late: Vec<f64>,
    /// Each task's busy and scheduled time and polls, the timers' lateness and the slow steps
    /// (async runs on the executor: `accounting::Accounting`).
    pub task_times: Option<TaskTimes>,
    /// Each task's blocked ms (threads runs and the sequential loop: `blocked`).
    pub blocked: Option<BlockedTimes>,
    /// The executor's turns of the event loop, in order (at most [`MAX_LOOP_TURNS`]).
    pub loop_turns: Vec<LoopTurn>,
}

/// Most turns of the event loop a record keeps (a turn lasts up to 8 ms while tasks are ready,
/// so this covers over two minutes of a busy loop).
pub const MAX_LOOP_TURNS: usize = 16_384;

/// One turn of the event loop under the async executor: a slice of polls between two returns
/// to the browser.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoopTurn {
    /// When it began and ended, ms on the run's clock.
    pub start: f32,
    /// See `start`.
    pub end: f32,
    /// Polls it made.
    pub polls: u32,
    /// Tasks ready to run when it ended (woken, or created by gather and not yet started).
    pub ready: u32,
}

/// [`LoopGauge`]'s mark for "no timer fired yet".
const NO_TIMER: u32 = u32::MAX;

/// The event loop as the async executor left it at its last turn, for the live view: tasks
/// ready to run, and the latest a timer fired so far. Lock-free, as the progress counters.
#[derive(Debug, Default)]
pub struct LoopGauge {
    turns: AtomicU32,
    ready: AtomicU32,
    late_max_us: AtomicU32,
}

impl LoopGauge {
    /// The loop ended a turn with `ready` tasks ready; no timer so far fired later than
    /// `late_max_ms` (none: no timer fired yet).
    pub fn publish(&self, ready: u32, late_max_ms: Option<f64>) {
        self.ready.store(ready, Ordering::Relaxed);
        let us = late_max_ms.map_or(NO_TIMER, |ms| (ms * 1000.0).min(f64::from(NO_TIMER - 1)) as u32);
        self.late_max_us.store(us, Ordering::Relaxed);
        self.turns.fetch_add(1, Ordering::Relaxed);
    }

    /// (tasks ready, latest timer in ms if one fired), once the loop has taken a turn.
    pub fn read(&self) -> Option<(u32, Option<f64>)> {
        (self.turns.load(Ordering::Relaxed) > 0).then(|| {
            let us = self.late_max_us.load(Ordering::Relaxed);
            (self.ready.load(Ordering::Relaxed), (us != NO_TIMER).then(|| f64::from(us) / 1000.0))
        })
    }
}

/// What answered a fetch run's requests: counted by the responses, timed where they arrived.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetSummary {
    /// Requests the server answered.
    pub by_server: u32,
    /// Requests the page's service worker answered.
    pub by_worker: u32,
    /// Per task id: when its request arrived where it was answered, ms on the run's clock
    /// (NaN: it never arrived).
    pub arrivals: Vec<f64>,
}

/// Threads a run used past the pool, and what starting the missing ones cost inside its time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ThreadStart {
    /// Threads started for this run (0: all were left from earlier runs).
    pub started: u32,
    /// Time it took to start them, in ms, part of the run's elapsed time.
    pub ms: f64,
    /// Heap they added, in bytes.
    pub bytes: f64,
    /// Each one's stack, in bytes.
    pub stack_bytes: u32,
}

/// What the counter workload counted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counted {
    /// The shared counter at the end (for processes: the page's own, which they cannot reach).
    pub shared: u64,
    /// Each process's own count, process 1 first (processes only).
    pub per_process: Vec<u64>,
}

/// A deadlock found in a run's wait-for graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlock {
    /// The cycle in a sentence: "thread 1 holds A and waits for B; thread 2 holds B and waits for A".
    pub cycle: String,
    /// Ms from the cycle forming (its last wait began) to it being found.
    pub detect_ms: f64,
}

/// Most lock waits one lane (or the event loop) records for the timeline: a contended counter
/// waits millions of times, and the waits a pixel apart are merged anyway.
pub const MAX_WAITS_PER_LANE: usize = 4096;

/// Adds a wait to `waits`: merged with the previous one when it follows it within
/// `merge_ms` (a lock taken and lost over and over draws as one stretch), dropped when the lane
/// already has [`MAX_WAITS_PER_LANE`]. Returns the wait's length.
pub fn push_wait(waits: &mut Vec<Wait>, w: Wait, merge_ms: f64) -> f64 {
    if let Some(last) = waits.last_mut()
        && last.lane == w.lane
        && last.kind == w.kind
        && last.id == w.id
        && w.start - last.end <= merge_ms
    {
        last.end = last.end.max(w.end);
    } else if waits.len() < MAX_WAITS_PER_LANE {
        waits.push(w);
    }
    w.end - w.start
}

/// How a task ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// It finished its work, with this checksum (0 unless it computed).
    Done(u64),
    /// It failed with this message.
    Failed(String),
    /// It was dropped before it finished, because another task failed (`try_join_all`).
    Cancelled,
}

impl From<TaskResult> for Ending {
    fn from(result: TaskResult) -> Ending {
        match result {
            Ok(sum) => Ending::Done(sum),
            Err(message) => Ending::Failed(message),
        }
    }
}

/// The live counters of a run: tasks started and tasks ended. Lock-free, because worker threads
/// count their own tasks while the event loop reads the counters for the progress display (the
/// event loop must never wait for a lock a worker holds).
#[derive(Debug, Default)]
pub struct TaskCounts {
    started: AtomicU32,
    done: AtomicU32,
}

impl TaskCounts {
    /// Tasks started so far.
    pub fn started(&self) -> u32 {
        self.started.load(Ordering::Relaxed)
    }

    /// Tasks that ended so far (done or failed; cancelled tasks never end on their own).
    pub fn done(&self) -> u32 {
        self.done.load(Ordering::Relaxed)
    }

    /// Tasks started and not yet ended. Both counters are read without a lock, so a task that
    /// ends between the two reads could make `done` pass `started`: that reads as 0, not as a
    /// huge number.
    pub fn in_flight(&self) -> u32 {
        let done = self.done();
        self.started().saturating_sub(done)
    }

    fn count_start(&self) {
        self.count(1, 0);
    }

    fn count_end(&self) {
        self.count(0, 1);
    }

    fn count(&self, started: u32, done: u32) {
        if started > 0 {
            self.started.fetch_add(started, Ordering::Relaxed);
        }
        if done > 0 {
            self.done.fetch_add(done, Ordering::Relaxed);
        }
    }
}

/// Builds a run's [`Outcome`] as its tasks start and end. Owned by one thread: the event loop's
/// runners use it directly; a worker thread keeps a [`LaneLog`] and hands it over at the end.
pub struct Recorder {
    /// Tasks in the run: the record has an entry for each, started or not.
    tasks: u32,
    progress: Arc<TaskCounts>,
    live: Option<Arc<EventLog>>,
    out: Outcome,
    /// Starts and ends not yet added to `progress`, when counting in batches.
    unpublished: Option<(u32, u32)>,
}

impl Recorder {
    /// A recorder for a run of `tasks` tasks, none started, counting in `progress`.
    pub fn new(tasks: u32, progress: Arc<TaskCounts>) -> Recorder {
        let out = Outcome { spans: Spans::reserved(tasks as usize), ..Outcome::default() };
        Recorder { tasks, progress, live: None, out, unpublished: None }
    }

    /// Counts starts and ends here and adds them to the progress counters only at
    /// [`Recorder::publish`]: for the async executor, which calls it before it gives the event
    /// loop back, the only moment anything reads them. An atomic add per start and per end is a
    /// locked instruction in the threaded build: a tenth of a second over ten million tasks.
    pub fn batched(mut self) -> Recorder {
        self.unpublished = Some((0, 0));
        self
    }

    /// Adds the starts and ends counted since the last call to the progress counters.
    pub fn publish(&mut self) {
        if let Some((started, done)) = self.unpublished.as_mut() {
            self.progress.count(std::mem::take(started), std::mem::take(done));
        }
    }

    /// Also appends every start and end to `log` as it happens, for a live view of the run.
    pub fn watched(mut self, log: Option<Arc<EventLog>>) -> Recorder {
        self.live = log;
        self
    }

    /// Also keeps each task's blocked ms, as [`Recorder::blocked`] and the threads' logs give them
    /// (runners whose tasks block: threads, of shared or separate memory, and the sequential loop).
    pub fn accounting_blocked(mut self) -> Recorder {
        self.out.blocked = Some(BlockedTimes::new(self.tasks));
        self
    }

    /// Task `id`, about to be recorded as ended, was blocked for `ms` ms in all.
    pub fn blocked(&mut self, id: u32, ms: f64) {
        if let Some(b) = &mut self.out.blocked {
            b.ended(id, ms);
        }
    }

    /// Task `id` started in `lane` at `at`.
    pub fn start(&mut self, id: u32, lane: Lane, at: f64) {
        self.out.spans.cover(id as usize, self.tasks as usize);
        self.out.spans.lane[id as usize] = lane;
        self.out.spans.start[id as usize] = at as SpanMs;
        match self.unpublished.as_mut() {
            Some((started, _)) => *started += 1,
            None => self.progress.count_start(),
        }
        if let Some(live) = &self.live {
            live.push(Event { id, lane, at, kind: EventKind::Start });
        }
    }

    /// Task `id` ended at `at` (never before it started). Returns whether it failed.
    pub fn finish(&mut self, id: u32, ending: impl Into<Ending>, at: f64) -> bool {
        let ending = ending.into();
        if ending != Ending::Cancelled {
            match self.unpublished.as_mut() {
                Some((_, done)) => *done += 1,
                None => self.progress.count_end(),
            }
        }
        self.settle(id, ending, at)
    }

    /// Task `id`, started earlier with [`Recorder::start`], ended; it timed itself elsewhere (a
    /// process, on its own clock), so its reported `start` replaces the one recorded.
    pub fn finish_timed(&mut self, id: u32, start: f64, ending: impl Into<Ending>, end: f64) -> bool {
        self.out.spans.cover(id as usize, self.tasks as usize);
        self.out.spans.start[id as usize] = start as SpanMs;
        self.finish(id, ending, end)
    }

    /// Records every task that started and has not ended as cancelled at `at`: what
    /// `try_join_all` does to the others when one fails.
    pub fn cancel_unfinished(&mut self, at: f64) {
        let spans = &mut self.out.spans;
        for i in 0..spans.end.len() {
            if !spans.start[i].is_nan() && spans.end[i].is_nan() {
                spans.end[i] = at as SpanMs;
                spans.state[i] = SpanState::Cancelled;
                if let Some(live) = &self.live {
                    let (id, lane) = (i as u32, spans.lane[i]);
                    live.push(Event { id, lane, at, kind: EventKind::End(SpanState::Cancelled) });
                }
            }
        }
    }

    /// Takes in what a worker thread recorded (its tasks were counted as they ran), then orders
    /// the errors by the time they happened, since threads report one after another.
    pub fn absorb(&mut self, logs: impl IntoIterator<Item = LaneLog>) {
        // The threads logged their events live already.
        let live = self.live.take();
        for log in logs {
            for (id, blocked, start, end, result) in log.tasks {
                self.blocked(id, f64::from(blocked));
                self.out.spans.cover(id as usize, self.tasks as usize);
                self.out.spans.lane[id as usize] = log.lane;
                self.out.spans.start[id as usize] = start as SpanMs;
                self.settle(id, result.into(), end);
            }
            self.out.waits.extend(log.waits);
            self.out.lock_wait_ms += log.lock_wait_ms;
        }
        // In the order the tasks ended (ties in the order they are listed).
        let end = &self.out.spans.end;
        let errors = &mut self.out.errors;
        let mut keys: Vec<u64> =
            errors.iter().enumerate().map(|(k, e)| time_key(end[e.0 as usize], k as u32)).collect();
        if !keys.is_sorted() {
            sort_keys(&mut keys);
            let mut listed: Vec<Option<(u32, String)>> =
                std::mem::take(errors).into_iter().map(Some).collect();
            *errors =
                keys.iter().map(|&k| listed[k as u32 as usize].take().expect("each listed once")).collect();
        }
        self.live = live;
    }

    /// How many tasks ended so far, as recorded here (done, failed or cancelled).
    pub fn finished(&self) -> usize {
        self.out.spans.finished()
    }

    /// The run lost a worker thread (it trapped): records why, under task `id`.
    pub fn crashed(&mut self, id: u32, message: String) {
        self.out.crashed = true;
        self.out.errors.push((id, message));
    }

    /// The run ended `elapsed_ms` after it started; `stopped` if it was stopped first. Hands over
    /// the outcome; the recorder is spent (it holds no tasks any more).
    pub fn end(&mut self, elapsed_ms: f64, stopped: bool) -> Outcome {
        self.publish();
        if let Some(last) = self.tasks.checked_sub(1) {
            self.out.spans.cover(last as usize, self.tasks as usize);
        }
        Outcome { elapsed_ms, stopped, ..std::mem::take(&mut self.out) }
    }

    /// Folds task `id`'s ending into the outcome, without counting it.
    fn settle(&mut self, id: u32, ending: Ending, at: f64) -> bool {
        let i = id as usize;
        let spans = &mut self.out.spans;
        spans.cover(i, self.tasks as usize);
        spans.end[i] = (at as SpanMs).max(spans.start[i]);
        let state = match ending {
            Ending::Done(sum) => {
                self.out.checksum = self.out.checksum.wrapping_add(sum);
                SpanState::Done
            }
            Ending::Failed(message) => {
                self.out.errors.push((id, message));
                SpanState::Failed
            }
            Ending::Cancelled => SpanState::Cancelled,
        };
        spans.state[i] = state;
        if let Some(live) = &self.live {
            live.push(Event {
                id,
                lane: spans.lane[i],
                at: f64::from(spans.end[i]),
                kind: EventKind::End(state),
            });
        }
        state == SpanState::Failed
    }
}

/// What one worker thread records: its tasks are counted in the run's [`TaskCounts`] the moment
/// they start and end, and their spans are kept on the thread (no lock, nothing shared) until
/// the thread reports and [`Recorder::absorb`] takes them in.
pub struct LaneLog {
    lane: Lane,
    progress: Arc<TaskCounts>,
    live: Option<Arc<EventLog>>,
    started: Option<(u32, f64)>,
    /// The running task's blocked time.
    stamps: Stamps,
    /// Each task that ended: id, start, end, ms blocked (an `f32` beside the id: no more room per
    /// task), result.
    tasks: Vec<(u32, f32, f64, f64, TaskResult)>,
    waits: Vec<Wait>,
    lock_wait_ms: f64,
}

impl LaneLog {
    /// An empty log for `lane`, counting in `progress`.
    pub fn new(lane: Lane, progress: Arc<TaskCounts>) -> LaneLog {
        LaneLog {
            lane,
            progress,
            live: None,
            started: None,
            stamps: Stamps::default(),
            tasks: Vec::new(),
            waits: Vec::new(),
            lock_wait_ms: 0.0,
        }
    }

    /// Also appends every start and end to `log` as it happens, for a live view of the run.
    pub fn watched(mut self, log: Option<Arc<EventLog>>) -> LaneLog {
        self.live = log;
        self
    }

    /// Task `id` started on this thread at `at`.
    pub fn start(&mut self, id: u32, at: f64) {
        self.started = Some((id, at));
        self.stamps.begin(at);
        self.progress.count_start();
        if let Some(live) = &self.live {
            live.push(Event { id, lane: self.lane, at, kind: EventKind::Start });
        }
    }

    /// The task started last ended at `at` with `result`.
    pub fn finish(&mut self, result: TaskResult, at: f64) {
        let (id, start) = self.started.take().expect("LaneLog::finish follows LaneLog::start");
        self.progress.count_end();
        if let Some(live) = &self.live {
            let state = if result.is_ok() { SpanState::Done } else { SpanState::Failed };
            live.push(Event { id, lane: self.lane, at: at.max(start), kind: EventKind::End(state) });
        }
        self.tasks.push((id, self.stamps.total() as f32, start, at, result));
    }

    /// Task `id` begins to wait for `kind` at `at`: shown live until [`LaneLog::wait_over`].
    pub fn waiting(&self, id: u32, kind: WaitKind, at: f64) {
        if let Some(live) = &self.live {
            live.wait_begin(self.lane, id, kind, at);
        }
    }

    /// The wait begun with [`LaneLog::waiting`] is over at `at`.
    pub fn wait_over(&self, at: f64) {
        if let Some(live) = &self.live {
            live.wait_end(self.lane, at);
        }
    }

    /// The running task was blocked from `start` to `end`: asleep or waiting for a request (waits
    /// for the GIL or a lock count as blocked through [`LaneLog::wait`] and [`LaneLog::lock_wait`]).
    pub fn blocked(&mut self, start: f64, end: f64) {
        self.stamps.blocked(start, end);
    }

    /// Task `id` waited for the GIL from `start` to `end`: it was blocked.
    pub fn wait(&mut self, id: u32, start: f64, end: f64) {
        self.stamps.blocked(start, end);
        self.waits.push(Wait { kind: WaitKind::Gil, id, lane: self.lane, start, end });
    }

    /// Task `id` waited for a lock from `start` to `end`, blocked (waits within 0.05 ms of each
    /// other draw as one).
    pub fn lock_wait(&mut self, id: u32, start: f64, end: f64) {
        self.stamps.blocked(start, end);
        let w = Wait { kind: WaitKind::Lock, id, lane: self.lane, start, end };
        self.lock_wait_ms += push_wait(&mut self.waits, w, 0.05);
    }
}

/// One moment of a live run: task `id` started, or ended, in `lane` at `at` (ms on the run's clock).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// The task.
    pub id: u32,
    /// Where it runs.
    pub lane: Lane,
    /// When, in ms on the run's clock.
    pub at: f64,
    /// Whether it started or ended, and how.
    pub kind: EventKind,
}

/// What an [`Event`] says happened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventKind {
    /// The task started.
    Start,
    /// The task ended so.
    End(SpanState),
}

/// A slot of the [`EventLog`]: written once by the thread that claimed it, then published by
/// storing the task id plus one (0: not yet written).
#[derive(Default)]
struct Slot {
    id_plus_one: AtomicU32,
    /// The lane's number, and the event kind in the top two bits.
    lane_kind: AtomicU32,
    at: AtomicU64,
}

const KIND_SHIFT: u32 = 30;

/// The starts and ends of a run as they happen, for a live timeline: an append-only log that the
/// event loop and worker threads write without a lock and the event loop reads during the run,
/// each reader with its own cursor. Its room (two events per task, 16 bytes each) is taken once,
/// when the run starts, so recording allocates nothing; that room (32 MB for a million tasks) is
/// why a run only keeps this log when asked to.
pub struct EventLog {
    slots: Box<[Slot]>,
    next: AtomicU32,
    /// Each thread lane's latest wait (for the GIL or a lock), see [`EventLog::wait_begin`], then
    /// each event-loop task's, see [`EventLog::task_wait_begin`].
    waits: Box<[WaitSlot]>,
}

/// Lanes whose waits are shown live: threads 1 to 1,000, the most a run may have (processes have
/// no GIL or shared lock). The event loop's tasks have a slot each after these: they share one
/// lane, and many of them can await a lock at once.
const WAIT_LANES: usize = 1001;

/// One lane's latest wait: its task, and its start and end packed in one word so a reader never
/// sees the end of one wait with the start of another. The start is an `f32` of ms (never
/// negative, so its sign bit is free for the kind), the end an `f32` or [`STILL_WAITING`].
#[derive(Default)]
struct WaitSlot {
    id: AtomicU32,
    span: AtomicU64,
}

const STILL_WAITING: u32 = u32::MAX;
const LOCK_BIT: u32 = 1 << 31;

impl WaitSlot {
    fn begin(&self, id: u32, kind: WaitKind, at: f64) {
        let start = (at.max(0.0) as f32).to_bits() | if kind == WaitKind::Lock { LOCK_BIT } else { 0 };
        self.id.store(id, Ordering::Relaxed);
        self.span.store(u64::from(STILL_WAITING) << 32 | u64::from(start), Ordering::Release);
    }

    fn end(&self, at: f64) {
        let start = self.span.load(Ordering::Relaxed) as u32;
        self.span.store(u64::from((at as f32).to_bits()) << 32 | u64::from(start), Ordering::Release);
    }
}

/// A wait as a live reader sees it: `end` is `None` while it lasts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveWait {
    /// The thread's lane.
    pub lane: Lane,
    /// The task that waits.
    pub id: u32,
    /// What it waits for.
    pub kind: WaitKind,
    /// When it began to wait, ms on the run's clock.
    pub start: f64,
    /// When the wait ended, or `None` while it lasts.
    pub end: Option<f64>,
}

impl EventLog {
    /// A log with room for every start and end of `tasks` tasks.
    pub fn for_tasks(tasks: u32) -> EventLog {
        let slots = (0..tasks as usize * 2).map(|_| Slot::default()).collect();
        let waits = (0..WAIT_LANES + tasks as usize).map(|_| WaitSlot::default()).collect();
        EventLog { slots, next: AtomicU32::new(0), waits }
    }

    /// Task `id` in `lane` began to wait for `kind` at `at`. Only the latest wait of a lane is
    /// kept: the live figure samples it once a frame (the record has every wait at the end).
    pub fn wait_begin(&self, lane: Lane, id: u32, kind: WaitKind, at: f64) {
        if let Some(slot) = self.lane_slot(lane) {
            slot.begin(id, kind, at);
        }
    }

    /// The wait begun last in `lane` ended at `at`.
    pub fn wait_end(&self, lane: Lane, at: f64) {
        if let Some(slot) = self.lane_slot(lane) {
            slot.end(at);
        }
    }

    /// Event-loop task `id` began to await `kind` at `at` (its latest wait is kept, as a lane's).
    pub fn task_wait_begin(&self, id: u32, kind: WaitKind, at: f64) {
        if let Some(slot) = self.task_slot(id) {
            slot.begin(id, kind, at);
        }
    }

    /// The wait begun last by event-loop task `id` ended at `at`.
    pub fn task_wait_end(&self, id: u32, at: f64) {
        if let Some(slot) = self.task_slot(id) {
            slot.end(at);
        }
    }

    /// A thread lane's wait slot; none for lanes past the table (process lanes are numbered from
    /// 2001), which would otherwise land among the tasks' slots.
    fn lane_slot(&self, lane: Lane) -> Option<&WaitSlot> {
        let n = lane.number() as usize;
        (n < WAIT_LANES).then(|| &self.waits[n])
    }

    /// An event-loop task's wait slot, after the lanes'; none past the run's tasks.
    fn task_slot(&self, id: u32) -> Option<&WaitSlot> {
        self.waits.get(WAIT_LANES + id as usize)
    }

    /// Calls `f` with each thread lane's latest wait, in lane order, then each event-loop task's,
    /// in task order; with each, a key that names its slot (a lane's or a task's).
    pub fn latest_waits(&self, mut f: impl FnMut(usize, LiveWait)) {
        for (n, slot) in self.waits.iter().enumerate() {
            let span = slot.span.load(Ordering::Acquire);
            if span == 0 {
                continue;
            }
            let (start, end) = (span as u32, (span >> 32) as u32);
            f(
                n,
                LiveWait {
                    lane: if n < WAIT_LANES { Lane::from_number(n as u32) } else { Lane::EVENT_LOOP },
                    id: slot.id.load(Ordering::Relaxed),
                    kind: if start & LOCK_BIT != 0 { WaitKind::Lock } else { WaitKind::Gil },
                    start: f64::from(f32::from_bits(start & !LOCK_BIT)),
                    end: (end != STILL_WAITING).then(|| f64::from(f32::from_bits(end))),
                },
            );
        }
    }

    /// Appends `event`. Each task starts and ends once, so the room never runs out; if it did,
    /// the event would be dropped rather than overwrite one.
    pub fn push(&self, event: Event) {
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize;
        let Some(slot) = self.slots.get(i) else { return };
        let kind = match event.kind {
            EventKind::Start => 0,
            EventKind::End(state) => 1 + state as u32,
        };
        slot.lane_kind.store(event.lane.number() | kind << KIND_SHIFT, Ordering::Relaxed);
        slot.at.store(event.at.to_bits(), Ordering::Relaxed);
        // Release: a reader that sees the id sees the fields written before it.
        slot.id_plus_one.store(event.id + 1, Ordering::Release);
    }

    /// Calls `f` with every event after `cursor` that is fully written, in the order they were
    /// appended, and moves `cursor` past them. Stops at the first slot a thread claimed but has
    /// not finished writing: the next call picks up from there.
    pub fn drain(&self, cursor: &mut usize, mut f: impl FnMut(Event)) {
        let claimed = (self.next.load(Ordering::Relaxed) as usize).min(self.slots.len());
        while *cursor < claimed {
            let slot = &self.slots[*cursor];
            let id_plus_one = slot.id_plus_one.load(Ordering::Acquire);
            if id_plus_one == 0 {
                break;
            }
            let lane_kind = slot.lane_kind.load(Ordering::Relaxed);
            let kind = match lane_kind >> KIND_SHIFT {
                0 => EventKind::Start,
                1 => EventKind::End(SpanState::Done),
                2 => EventKind::End(SpanState::Failed),
                _ => EventKind::End(SpanState::Cancelled),
            };
            let lane = Lane::from_number(lane_kind & ((1 << KIND_SHIFT) - 1));
            f(Event { id: id_plus_one - 1, lane, at: f64::from_bits(slot.at.load(Ordering::Relaxed)), kind });
            *cursor += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder(tasks: u32) -> (Recorder, Arc<TaskCounts>) {
        let progress = Arc::new(TaskCounts::default());
        (Recorder::new(tasks, progress.clone()), progress)
    }

    #[test]
    fn a_task_is_counted_when_it_starts_and_when_it_ends() {
        let (mut rec, progress) = recorder(3);
        rec.start(0, Lane::EVENT_LOOP, 1.0);
        rec.start(1, Lane::EVENT_LOOP, 2.0);
        assert_eq!((progress.started(), progress.done(), progress.in_flight()), (2, 0, 2));
        assert!(!rec.finish(0, Ok(7), 10.0));
        assert_eq!((progress.started(), progress.done(), progress.in_flight()), (2, 1, 1));
        let o = rec.end(12.0, true);
        assert_eq!((o.spans.start[0], o.spans.end[0]), (1.0, 10.0));
        assert!(o.spans.end[1].is_nan() && o.spans.start[2].is_nan());
        assert_eq!((o.checksum, o.elapsed_ms, o.stopped), (7, 12.0, true));
    }

    #[test]
    fn a_batched_recorder_counts_when_it_publishes() {
        let (rec, progress) = recorder(3);
        let mut rec = rec.batched();
        rec.start(0, Lane::EVENT_LOOP, 1.0);
        rec.start(1, Lane::EVENT_LOOP, 1.0);
        rec.finish(0, Ok(0), 2.0);
        assert_eq!((progress.started(), progress.done()), (0, 0));
        rec.publish();
        assert_eq!((progress.started(), progress.done()), (2, 1));
        rec.finish(1, Ok(0), 3.0);
        rec.end(3.0, false);
        assert_eq!((progress.started(), progress.done()), (2, 2), "the end publishes the rest");
    }

    #[test]
    fn failures_are_kept_in_order_and_checksums_add_up() {
        let (mut rec, _) = recorder(3);
        for id in 0..3 {
            rec.start(id, Lane::EVENT_LOOP, 0.0);
        }
        assert!(rec.finish(2, Err("two".to_string()), 5.0));
        assert!(rec.finish(0, Err("zero".to_string()), 6.0));
        rec.finish(1, Ok(u64::MAX), 7.0);
        rec.finish(1, Ok(2), 7.0);
        let o = rec.end(7.0, false);
        assert_eq!(o.errors, [(2, "two".to_string()), (0, "zero".to_string())]);
        assert_eq!(o.spans.count(SpanState::Failed), 2);
        assert_eq!(o.checksum, 1, "wraps around");
    }

    #[test]
    fn a_lane_shows_its_latest_wait_while_it_lasts_and_once_over() {
        let log = EventLog::for_tasks(2);
        let seen = || {
            let mut v = Vec::new();
            log.latest_waits(|_, w| v.push(w));
            v
        };
        assert!(seen().is_empty());
        log.wait_begin(Lane::thread(2), 1, WaitKind::Lock, 12.5);
        let w = LiveWait { lane: Lane::thread(2), id: 1, kind: WaitKind::Lock, start: 12.5, end: None };
        assert_eq!(seen(), [w]);
        log.wait_end(Lane::thread(2), 20.0);
        assert_eq!(seen(), [LiveWait { end: Some(20.0), ..w }]);
        log.wait_begin(Lane::thread(1), 0, WaitKind::Gil, 0.0);
        assert_eq!(
            seen()[0],
            LiveWait { lane: Lane::thread(1), id: 0, kind: WaitKind::Gil, start: 0.0, end: None }
        );
        // Lanes past the table (process lanes) are left out, not wrapped.
        log.wait_begin(Lane::process(1), 0, WaitKind::Lock, 1.0);
        assert_eq!(seen().len(), 2);
    }

    #[test]
    fn event_loop_tasks_each_show_their_latest_wait() {
        let log = EventLog::for_tasks(3);
        let seen = || {
            let mut v = Vec::new();
            log.latest_waits(|key, w| v.push((key, w)));
            v
        };
        // Two tasks awaiting a lock at once on the one event-loop lane: both are seen.
        log.task_wait_begin(1, WaitKind::Lock, 2.0);
        log.task_wait_begin(2, WaitKind::Lock, 3.0);
        let w1 = LiveWait { lane: Lane::EVENT_LOOP, id: 1, kind: WaitKind::Lock, start: 2.0, end: None };
        let w2 = LiveWait { id: 2, start: 3.0, ..w1 };
        let keys: Vec<usize> = seen().iter().map(|(k, _)| *k).collect();
        assert_eq!(seen().into_iter().map(|(_, w)| w).collect::<Vec<_>>(), [w1, w2]);
        assert_ne!(keys[0], keys[1]);
        log.task_wait_end(1, 9.0);
        assert_eq!(seen()[0].1, LiveWait { end: Some(9.0), ..w1 });
        // A task past the run's tasks: nothing.
        log.task_wait_begin(3, WaitKind::Lock, 1.0);
        assert_eq!(seen().len(), 2);
    }

    #[test]
    fn an_end_never_comes_before_its_start() {
        let (mut rec, _) = recorder(1);
        rec.start(0, Lane::EVENT_LOOP, 5.0);
        rec.finish(0, Ok(0), 4.0);
        assert_eq!(rec.end(5.0, false).spans.end[0], 5.0);
    }

    #[test]
    fn cancelling_marks_only_started_unfinished_tasks_and_counts_no_end() {
        let (mut rec, progress) = recorder(4);
        for id in 0..3 {
            rec.start(id, Lane::EVENT_LOOP, 0.0);
        }
        rec.finish(0, Err("x".to_string()), 3.0);
        rec.cancel_unfinished(3.0);
        assert_eq!(progress.done(), 1);
        let o = rec.end(3.0, false);
        assert_eq!(o.spans.count(SpanState::Cancelled), 2);
        assert!(o.spans.end[3].is_nan(), "never started, never cancelled");
    }

    #[test]
    fn a_process_reports_its_own_start() {
        let (mut rec, progress) = recorder(1);
        rec.start(0, Lane::process(1), 0.5);
        rec.finish_timed(0, 1.5, Ok(0), 9.0);
        assert_eq!(progress.in_flight(), 0);
        let o = rec.end(9.0, false);
        assert_eq!((o.spans.lane[0], o.spans.start[0], o.spans.end[0]), (Lane::process(1), 1.5, 9.0));
    }

    #[test]
    fn thread_logs_count_as_they_go_and_are_absorbed_in_failure_order() {
        let (mut rec, progress) = recorder(4);
        let mut a = LaneLog::new(Lane::thread(1), progress.clone());
        let mut b = LaneLog::new(Lane::thread(2), progress.clone());
        a.start(0, 0.0);
        b.start(1, 0.0);
        assert_eq!(progress.in_flight(), 2);
        a.finish(Ok(1), 10.0);
        b.finish(Err("late".to_string()), 20.0);
        a.start(2, 10.0);
        a.wait(2, 10.0, 12.0);
        a.finish(Err("early".to_string()), 15.0);
        b.start(3, 20.0);
        assert_eq!((progress.started(), progress.done()), (4, 3));
        rec.absorb([b, a]);
        rec.crashed(3, "lost".to_string());
        let o = rec.end(30.0, false);
        let ids: Vec<u32> = o.errors.iter().map(|e| e.0).collect();
        assert_eq!(ids, [2, 1, 3]);
        assert!(o.crashed);
        assert_eq!(o.spans.lane[..3], [Lane::thread(1), Lane::thread(2), Lane::thread(1)]);
        assert!(o.spans.start[3].is_nan(), "a task a thread never finished is not recorded");
        assert_eq!(
            o.waits,
            [Wait { kind: WaitKind::Gil, id: 2, lane: Lane::thread(1), start: 10.0, end: 12.0 }]
        );
        assert_eq!(o.checksum, 1);
    }

    #[test]
    fn lock_waits_close_together_merge_and_are_summed() {
        let mut log = LaneLog::new(Lane::thread(1), Arc::default());
        log.lock_wait(0, 1.0, 1.01);
        log.lock_wait(0, 1.03, 1.05);
        log.lock_wait(0, 2.0, 3.0);
        assert_eq!(log.waits.len(), 2);
        assert_eq!((log.waits[0].start, log.waits[0].end), (1.0, 1.05));
        assert!((log.lock_wait_ms - 1.03).abs() < 1e-9);
        for k in 0..10_000 {
            log.lock_wait(0, 10.0 + f64::from(k), 10.5 + f64::from(k));
        }
        assert_eq!(log.waits.len(), MAX_WAITS_PER_LANE, "capped; the sum still counts every wait");
        assert!(log.lock_wait_ms > 5000.0);
    }

    #[test]
    fn a_watched_run_logs_every_start_and_end_once_in_order() {
        let progress = Arc::new(TaskCounts::default());
        let live = Arc::new(EventLog::for_tasks(3));
        let mut rec = Recorder::new(3, progress.clone()).watched(Some(live.clone()));
        let mut cursor = 0;
        rec.start(0, Lane::EVENT_LOOP, 1.0);
        rec.start(1, Lane::EVENT_LOOP, 2.0);
        let mut seen = Vec::new();
        live.drain(&mut cursor, |e| seen.push(e));
        assert_eq!(
            seen,
            [
                Event { id: 0, lane: Lane::EVENT_LOOP, at: 1.0, kind: EventKind::Start },
                Event { id: 1, lane: Lane::EVENT_LOOP, at: 2.0, kind: EventKind::Start },
            ]
        );
        rec.finish(1, Err("x".to_string()), 3.0);
        rec.cancel_unfinished(4.0);
        seen.clear();
        live.drain(&mut cursor, |e| seen.push(e));
        assert_eq!(
            seen.iter().map(|e| (e.id, e.kind)).collect::<Vec<_>>(),
            [(1, EventKind::End(SpanState::Failed)), (0, EventKind::End(SpanState::Cancelled)),]
        );
        let mut thread = LaneLog::new(Lane::process(16), progress).watched(Some(live.clone()));
        thread.start(2, 5.0);
        thread.finish(Ok(0), 6.0);
        rec.absorb([thread]);
        seen.clear();
        live.drain(&mut cursor, |e| seen.push(e));
        assert_eq!(seen.len(), 2, "absorbing a thread's log does not log its tasks again");
        assert_eq!((seen[1].lane, seen[1].kind), (Lane::process(16), EventKind::End(SpanState::Done)));
        assert_eq!(cursor, 6);
    }

    #[test]
    fn threads_append_to_the_log_without_a_lock() {
        const PER_THREAD: u32 = 10_000;
        let live = Arc::new(EventLog::for_tasks(4 * PER_THREAD));
        let writers: Vec<_> = (0..4u32)
            .map(|t| {
                let live = live.clone();
                std::thread::spawn(move || {
                    let mut log = LaneLog::new(Lane::thread(t + 1), Arc::default()).watched(Some(live));
                    for k in 0..PER_THREAD {
                        log.start(t * PER_THREAD + k, f64::from(k));
                        log.finish(Ok(0), f64::from(k) + 0.5);
                    }
                })
            })
            .collect();
        let (mut cursor, mut events) = (0, Vec::new());
        while writers.iter().any(|w| !w.is_finished()) {
            live.drain(&mut cursor, |e| events.push(e));
        }
        writers.into_iter().for_each(|w| w.join().unwrap());
        live.drain(&mut cursor, |e| events.push(e));
        assert_eq!(events.len(), 8 * PER_THREAD as usize);
        let mut starts = vec![0u32; 4 * PER_THREAD as usize];
        for e in &events {
            assert_eq!(e.lane, Lane::thread(e.id / PER_THREAD + 1));
            if e.kind == EventKind::Start {
                starts[e.id as usize] += 1;
            } else {
                assert_eq!(starts[e.id as usize], 1, "an end comes after its start");
            }
        }
        assert!(starts.iter().all(|&n| n == 1));
    }
}
