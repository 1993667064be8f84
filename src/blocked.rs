//! Per-task accounting of threads and the sequential loop, in the async accounting's words
//! (`accounting`): a task that has begun is **busy** (running) or **idle** (blocked, waiting for
//! a wake-up: a sleep, a request, a lock, the GIL); before it begins it is **scheduled** (waiting
//! its turn: in the pool's queue, for its thread to start, or for the tasks before it in a loop).
//! There are no polls: a thread or the loop runs a task to its end in one go.
//!
//! The runners only stamp: each blocking wait's start and end, on the thread that waited
//! ([`Stamps`]); the task's blocked ms are kept per task ([`BlockedTimes`], the same sample as the
//! async accounting's) and split from its span when the record is built ([`split`]). What no page
//! can see is a thread that is ready but off a core (the browser's scheduler, not the program's):
//! that time is in busy. Pure Rust (times are passed in), tested natively.

use crate::accounting::accounted_every;

/// The blocked time of the task running on one thread (or the loop), from its stamps.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stamps {
    /// When the running task began, ms on the run's clock.
    start: f64,
    /// Its blocked ms so far.
    blocked: f64,
}

impl Stamps {
    /// A task begins at `at`: nothing blocked yet.
    pub fn begin(&mut self, at: f64) {
        *self = Stamps { start: at, blocked: 0.0 };
    }

    /// The running task was blocked from `start` to `end` (the part before the task began, or a
    /// clock that stepped back, counts for nothing).
    pub fn blocked(&mut self, start: f64, end: f64) {
        self.blocked += (end - start.max(self.start)).max(0.0);
    }

    /// The running task's blocked ms so far.
    pub fn total(&self) -> f64 {
        self.blocked
    }
}

/// Each sampled task's blocked ms: every task up to `accounting::MAX_ACCOUNTED` tasks, else
/// every k-th (k a power of two), as the async accounting samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockedTimes {
    /// Every how many tasks one is accounted (1: every task).
    pub every: u32,
    /// Per sampled task (ids 0, `every`, 2 × `every`...), ms blocked; NaN until it ends.
    pub ms: Vec<f32>,
}

impl BlockedTimes {
    /// None blocked yet, for a run of `tasks` tasks.
    pub fn new(tasks: u32) -> BlockedTimes {
        let every = accounted_every(tasks);
        BlockedTimes { every, ms: vec![f32::NAN; tasks.div_ceil(every) as usize] }
    }

    /// Task `id` ended, blocked for `ms` in all (kept if it is sampled).
    pub fn ended(&mut self, id: u32, ms: f64) {
        if id.is_multiple_of(self.every)
            && let Some(slot) = self.ms.get_mut((id / self.every) as usize)
        {
            *slot = ms as f32;
        }
    }

    /// Task `id`'s blocked ms, if it is sampled and ended.
    pub fn of(&self, id: u32) -> Option<f64> {
        id.is_multiple_of(self.every)
            .then(|| self.ms.get((id / self.every) as usize))
            .flatten()
            .filter(|ms| !ms.is_nan())
            .map(|&ms| f64::from(ms))
    }
}

/// A task's life, from the run's start to its end, split: busy, scheduled and idle ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    /// Ms it ran (or was ready to, off a core).
    pub busy: f64,
    /// Ms before it began.
    pub scheduled: f64,
    /// Ms it was blocked.
    pub idle: f64,
}

/// The split of a task that ran from `start` to `end` and was blocked for `blocked` ms of it: the
/// three add up to `end` (blocked never counts for more than the span).
pub fn split(start: f64, end: f64, blocked: f64) -> Split {
    // A start before the run's clock (a clock read on another thread) counts from 0.
    let start = start.max(0.0);
    let span = (end - start).max(0.0);
    let idle = blocked.clamp(0.0, span);
    Split { busy: span - idle, scheduled: start, idle }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleeping_task_is_idle_for_its_sleep_and_busy_for_the_rest() {
        let mut s = Stamps::default();
        s.begin(100.0);
        s.blocked(100.2, 1100.4);
        let t = split(100.0, 1100.5, s.total());
        assert!((t.idle - 1000.2).abs() < 1e-9, "{t:?}");
        assert!((t.busy - 0.3).abs() < 1e-9, "{t:?}");
        assert_eq!(t.scheduled, 100.0);
        assert!((t.busy + t.scheduled + t.idle - 1100.5).abs() < 1e-9);
    }

    #[test]
    fn waits_add_up_and_count_only_inside_the_task() {
        let mut s = Stamps::default();
        s.begin(10.0);
        // A GIL wait that began before this task (stamped late) counts from the task's start.
        s.blocked(5.0, 12.0);
        s.blocked(20.0, 25.0);
        s.blocked(30.0, 29.0);
        assert_eq!(s.total(), 7.0);
        // The next task starts from nothing.
        s.begin(40.0);
        assert_eq!(s.total(), 0.0);
    }

    #[test]
    fn a_start_read_before_the_runs_clock_still_adds_up_to_its_end() {
        let t = split(-1.0, 301.0, 302.0);
        assert_eq!(t, Split { busy: 0.0, scheduled: 0.0, idle: 301.0 });
        assert_eq!(t.busy + t.scheduled + t.idle, 301.0);
    }

    #[test]
    fn a_computing_task_is_busy_and_blocked_time_never_exceeds_its_span() {
        assert_eq!(split(0.0, 300.0, 0.0), Split { busy: 300.0, scheduled: 0.0, idle: 0.0 });
        assert_eq!(split(50.0, 60.0, 12.0), Split { busy: 0.0, scheduled: 50.0, idle: 10.0 });
    }

    #[test]
    fn blocked_times_are_kept_for_a_sample_of_large_runs() {
        let mut b = BlockedTimes::new(3);
        assert_eq!(b.every, 1);
        b.ended(2, 4.5);
        assert_eq!((b.of(2), b.of(1), b.of(7)), (Some(4.5), None, None));
        let mut b = BlockedTimes::new(20_000);
        assert_eq!((b.every, b.ms.len()), (2, 10_000));
        b.ended(3, 1.0);
        b.ended(4, 2.0);
        assert_eq!((b.of(3), b.of(4)), (None, Some(2.0)));
    }
}
