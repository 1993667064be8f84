//! Per-task accounting of the async executor, as tokio-console splits a task's life: **busy**
//! (being polled), **scheduled** (woken, waiting in the ready queue to be polled) and **idle**
//! (waiting for a wake-up), with its number of **polls**; also how late the loop's timers fired
//! and the steps that held the loop longer than asyncio's `slow_callback_duration` (100 ms).
//!
//! A task's life runs from the run's start, when `asyncio.gather` creates every task and puts it
//! in the ready queue, to its end. Until its first poll it is scheduled (idle instead while a
//! `limit` holds it back: it waits for a semaphore place); idle is what busy and scheduled leave.
//!
//! Cost: the executor reads the clock once per batch of polls (every poll when polls may run
//! long: CPU work, blocking calls, requests; every 1,024 polls otherwise), so this reads it no
//! more often. The time between two readings is spread evenly over the polls made between them:
//! busy is exact for long polls, and for quick ones exact in sum, each poll getting the batch's
//! mean (about 0.5-1 µs for a sleeping task). A poll's start is the last reading, so scheduled
//! and idle may be off by one batch (under 1 ms of quick polls). Per task it keeps two `f32`
//! accumulators, a wake time and a poll count (16 bytes), only for the tasks it samples: every
//! task up to [`MAX_ACCOUNTED`] tasks, else every k-th task (k a power of two), so a pending
//! task of a million costs nothing more. Pure Rust (times are passed in), tested natively.

/// Most tasks accounted one by one; larger runs keep every k-th task (k a power of two).
pub const MAX_ACCOUNTED: u32 = 10_000;

/// Every how many tasks of a run of `tasks` one is accounted: 1 up to [`MAX_ACCOUNTED`] tasks,
/// else the least power of two that keeps at most that many.
pub fn accounted_every(tasks: u32) -> u32 {
    tasks.div_ceil(MAX_ACCOUNTED).max(1).next_power_of_two()
}

/// What the async executor accounted for its tasks (see this module): per sampled task (ids
/// 0, `every`, 2 × `every`...) its busy and scheduled ms and its polls; idle is the rest of its
/// life, from the run's start to its end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskTimes {
    /// Every how many tasks one is accounted (1: every task).
    pub every: u32,
    /// Per sampled task, ms being polled.
    pub busy: Vec<f32>,
    /// Per sampled task, ms woken and waiting to be polled (from the run's start to its first
    /// poll, too).
    pub scheduled: Vec<f32>,
    /// Per sampled task, times it was polled.
    pub polls: Vec<u32>,
    /// How late sampled tasks' timers fired: deadline to poll, ms, one per timer.
    pub timer_late: Vec<f32>,
    /// The latest any timer fired, over every task, ms.
    pub timer_late_max: f64,
    /// Timers that fired, over every task.
    pub timers: u64,
    /// Polls that held the loop for [`SLOW_STEP_MS`] or more, in order.
    pub slow_steps: Vec<SlowStep>,
}

/// One poll of a task that held the event loop long: what asyncio's debug mode reports as
/// `Executing <Task ...> took 0.153 seconds`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlowStep {
    /// The task.
    pub id: u32,
    /// When the step ended, ms on the run's clock.
    pub at_ms: f64,
    /// How long it held the loop, ms.
    pub took_ms: f64,
    /// Whether the step ended the task.
    pub finished: bool,
}

/// A step that holds the loop this long is reported, as asyncio's debug mode reports it
/// (`loop.slow_callback_duration`, 0.1 s).
pub const SLOW_STEP_MS: f64 = 100.0;

/// Marks a task woken while the executor was not running (between slices): its wake is stamped
/// when the next slice starts, the first moment the loop could have run it.
const AWAY: f32 = f32::INFINITY;

/// The accounting of one run of the executor.
#[derive(Debug)]
pub struct Accounting {
    /// Task `i` is sampled when `i & mask == 0`; its entry is `i >> shift`.
    shift: u32,
    mask: u32,
    busy: Vec<f32>,
    scheduled: Vec<f32>,
    /// When each sampled task was last woken, ms on the run's clock; NaN while busy or idle.
    woken: Vec<f32>,
    polls: Vec<u32>,
    /// Sampled tasks polled since the clock was last read, and every poll since then.
    batch: Vec<u32>,
    batch_polls: u32,
    /// The last poll since the clock was last read, and whether it ended its task.
    last: (u32, bool),
    last_read: f64,
    /// Sampled tasks woken while the executor was away.
    away: Vec<u32>,
    /// How late each sampled task's timer fired (deadline to poll), ms.
    late: Vec<f32>,
    late_max: f64,
    timers: u64,
    slow: Vec<SlowStep>,
}

impl Accounting {
    /// Accounting for `tasks` tasks, all created (and scheduled) at the run's start, 0 ms.
    pub fn new(tasks: u32) -> Accounting {
        let every = accounted_every(tasks);
        let shift = every.trailing_zeros();
        let n = tasks.div_ceil(every) as usize;
        Accounting {
            shift,
            mask: every - 1,
            busy: vec![0.0; n],
            scheduled: vec![0.0; n],
            woken: vec![0.0; n],
            polls: vec![0; n],
            batch: Vec::new(),
            batch_polls: 0,
            last: (0, false),
            last_read: 0.0,
            away: Vec::new(),
            late: Vec::new(),
            late_max: 0.0,
            timers: 0,
            slow: Vec::new(),
        }
    }

    /// Task `i` is sampled when `i & mask == 0`.
    pub fn mask(&self) -> u32 {
        self.mask
    }

    /// Whether task `i` is sampled.
    pub fn sampled(&self, i: u32) -> bool {
        i & self.mask == 0
    }

    /// The entry of task `i`, if it is sampled.
    fn entry(&self, i: u32) -> Option<usize> {
        (i & self.mask == 0).then_some((i >> self.shift) as usize)
    }

    /// Task `i` starts at `now` after a `limit` held it back: it was idle until now, ready from now.
    pub fn released(&mut self, i: u32, now: f64) {
        if let Some(k) = self.entry(i) {
            self.woken[k] = now as f32;
        }
    }

    /// Task `i` was woken at `now` (`None`: while the executor was away). A task woken again
    /// before its poll keeps its first wake.
    pub fn woken(&mut self, i: u32, now: Option<f64>) {
        if let Some(k) = self.entry(i)
            && self.woken[k].is_nan()
        {
            self.woken[k] = now.map_or(AWAY, |t| t as f32);
            if now.is_none() {
                self.away.push(i);
            }
        }
    }

    /// A slice of polls begins at `now`: tasks woken meanwhile count as woken now.
    pub fn slice_starts(&mut self, now: f64) {
        for i in std::mem::take(&mut self.away) {
            if let Some(k) = self.entry(i)
                && self.woken[k] == AWAY
            {
                self.woken[k] = now as f32;
            }
        }
    }

    /// Task `i` is about to be polled at `now` (the last clock reading); `deadline`: its timer's,
    /// when the timer woke it. From the deadline on it counts as scheduled.
    pub fn poll_starts(&mut self, i: u32, now: f64, deadline: Option<u32>) {
        if let Some(d) = deadline {
            let late = (now - f64::from(d)).max(0.0);
            self.late_max = self.late_max.max(late);
            self.timers += 1;
            if let Some(k) = self.entry(i) {
                self.late.push(late as f32);
                self.woken[k] = d as f32;
            }
        }
        if let Some(k) = self.entry(i) {
            let woken = self.woken[k];
            if !woken.is_nan() {
                self.scheduled[k] += (now as f32 - woken).max(0.0);
            }
            // Busy now; a wake during the poll stamps it again.
            self.woken[k] = f32::NAN;
            self.polls[k] += 1;
            self.batch.push(i);
        }
    }

    /// Task `i`'s poll returned; `finished`: it ended the task.
    pub fn poll_ends(&mut self, i: u32, finished: bool) {
        self.batch_polls += 1;
        self.last = (i, finished);
    }

    /// The clock read `now`: the time since the last reading goes to the polls made meanwhile;
    /// a single poll that took [`SLOW_STEP_MS`] or more is kept as a slow step.
    pub fn clock_read(&mut self, now: f64) {
        let took = now - self.last_read;
        self.last_read = now;
        if self.batch_polls == 0 {
            return;
        }
        let share = (took / f64::from(self.batch_polls)) as f32;
        for i in self.batch.drain(..) {
            let k = (i >> self.shift) as usize;
            self.busy[k] += share;
        }
        if self.batch_polls == 1 && took >= SLOW_STEP_MS {
            let (id, finished) = self.last;
            self.slow.push(SlowStep { id, at_ms: now, took_ms: took, finished });
        }
        self.batch_polls = 0;
    }

    /// The latest any timer fired so far, ms, if one fired.
    pub fn late_max(&self) -> Option<f64> {
        (self.timers > 0).then_some(self.late_max)
    }

    /// What was accounted, for the run's outcome.
    pub fn finish(self) -> TaskTimes {
        TaskTimes {
            every: 1 << self.shift,
            busy: self.busy,
            scheduled: self.scheduled,
            polls: self.polls,
            timer_late: self.late,
            timer_late_max: self.late_max,
            timers: self.timers,
            slow_steps: self.slow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleeping_task_is_idle_between_its_two_polls() {
        let mut a = Accounting::new(3);
        // Slice 1 at 0 ms: three first polls, 0.3 ms in all.
        a.clock_read(0.0);
        for i in 0..3 {
            a.poll_starts(i, 0.0, None);
            a.poll_ends(i, false);
        }
        a.clock_read(0.3);
        // The timer (due at 1000) fires at 1000.5; the tasks are polled at 1000.5 and end.
        a.clock_read(1000.5);
        for i in 0..3 {
            a.poll_starts(i, 1000.5, Some(1000));
            a.poll_ends(i, true);
        }
        a.clock_read(1000.8);
        let t = a.finish();
        assert_eq!(t.every, 1);
        assert_eq!(t.polls, [2, 2, 2]);
        for k in 0..3 {
            assert!((t.busy[k] - 0.2).abs() < 1e-4, "{:?}", t.busy);
            assert!((t.scheduled[k] - 0.5).abs() < 1e-4, "the timer's lateness: {:?}", t.scheduled);
        }
        assert_eq!((t.timers, t.timer_late_max), (3, 0.5));
        assert!(t.slow_steps.is_empty());
    }

    #[test]
    fn tasks_that_never_await_wait_their_turn_and_are_reported_slow() {
        // Three blocking tasks of 150 ms, polled one after another, the clock read after each.
        let mut a = Accounting::new(3);
        a.clock_read(0.0);
        for i in 0..3u32 {
            let at = f64::from(i) * 150.0;
            a.poll_starts(i, at, None);
            a.poll_ends(i, true);
            a.clock_read(at + 150.0);
        }
        let t = a.finish();
        assert_eq!(t.busy, [150.0, 150.0, 150.0]);
        assert_eq!(t.scheduled, [0.0, 150.0, 300.0]);
        assert_eq!(t.slow_steps.len(), 3);
        assert_eq!(t.slow_steps[1], SlowStep { id: 1, at_ms: 300.0, took_ms: 150.0, finished: true });
    }

    #[test]
    fn a_task_held_by_a_limit_is_idle_until_released_and_wakes_stamp_once() {
        let mut a = Accounting::new(2);
        a.released(1, 40.0);
        a.poll_starts(1, 50.0, None);
        a.poll_ends(1, false);
        a.woken(1, Some(60.0));
        a.woken(1, Some(70.0));
        a.poll_starts(1, 80.0, None);
        a.poll_ends(1, false);
        // Woken while the executor was away: counted from the next slice's start.
        a.woken(1, None);
        a.slice_starts(95.0);
        a.poll_starts(1, 100.0, None);
        let t = a.finish();
        assert_eq!(t.scheduled[1], 10.0 + 20.0 + 5.0);
        assert_eq!(t.polls[1], 3);
    }

    #[test]
    fn large_runs_sample_every_kth_task_and_time_every_timer() {
        let mut a = Accounting::new(1_000_000);
        assert_eq!(a.busy.len(), 7813);
        a.poll_starts(128, 10.0, Some(5));
        a.poll_starts(129, 12.0, Some(5));
        let t = a.finish();
        assert_eq!(t.every, 128);
        assert_eq!((t.polls[1], t.timers, t.timer_late.len(), t.timer_late_max), (1, 2, 1, 7.0));
        assert_eq!(Accounting::new(10_000).finish().every, 1);
        assert_eq!(Accounting::new(10_001).finish().every, 2);
    }
}
