//! "You are the scheduler": two threads of the counter race or the deadlock, each parked between
//! steps, and the learner choosing which one takes its next step. This module is the step
//! machine: each thread's lines and where it is in them, which threads may step, the shared
//! value, each thread's local `tmp`, the locks, and the history of who read and wrote what. It
//! never performs a step: the engine's two real threads do (`runner::scheduled`), and what they
//! report is applied here, so every figure the page shows was measured on real shared memory.
//! Pure Rust, tested natively; the sentences are in [`result`].

pub mod result;
pub mod view;

use crate::decimal::Shortest;
use crate::locks::{Cycle, LOCK_NAMES, WaitGraph};

/// The most increments a thread makes in a scheduled counter: every step is a click.
pub const MAX_INCREMENTS: u32 = 5;

/// The two threads, numbered 1 and 2 as on screen; indexes 0 and 1 here.
pub const THREADS: usize = 2;

/// Which race the learner schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Both threads add 1 to a shared counter: `tmp = counter`, then `counter = tmp + 1`.
    Counter,
    /// Both threads take locks A and B; without the fix the second takes them B first.
    Deadlock,
}

/// What the learner asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The race.
    pub kind: Kind,
    /// The fix in place: a lock around each update, or the same lock order in both threads.
    pub fix: bool,
    /// Increments per thread (the counter).
    pub increments: u32,
    /// Two async tasks on the page's event loop instead of two threads: the learner picks which
    /// ready task the loop resumes at each await.
    pub asynchronous: bool,
}

impl Setup {
    /// Checks the options of `scheduler.start`: each refusal names its field and range.
    pub fn parse(
        model: Option<&str>,
        workload: Option<&str>,
        fix: Option<bool>,
        increments: Option<f64>,
    ) -> Result<Setup, String> {
        let asynchronous = match model.map(str::trim) {
            None | Some("threads") => false,
            Some("async") => true,
            Some(other) => {
                return Err(format!("model: the scheduler plays \"threads\" or \"async\", not \"{other}\"."));
            }
        };
        let kind = match workload.map(str::trim) {
            None | Some("counter") => Kind::Counter,
            Some("deadlock") => Kind::Deadlock,
            Some(other) => {
                return Err(format!(
                    "workload: the scheduler plays \"counter\" or \"deadlock\", not \"{other}\"."
                ));
            }
        };
        let increments = match increments {
            None => 1,
            Some(n) if n.fract() == 0.0 && (1.0..=f64::from(MAX_INCREMENTS)).contains(&n) => n as u32,
            Some(n) => {
                return Err(format!(
                    "increments: the scheduler takes a whole number from 1 to {MAX_INCREMENTS} per thread, not {}.",
                    Shortest(n)
                ));
            }
        };
        Ok(Setup { kind, fix: fix.unwrap_or(false), increments, asynchronous })
    }
}

/// One step of a thread's program, which its real thread performs when told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `tmp = counter`: read the shared counter into the thread's local.
    Read,
    /// `counter = tmp + 1`: write the local plus one back.
    Write,
    /// Take lock `l` (waiting while the other thread holds it).
    Acquire(usize),
    /// Free lock `l`.
    Release(usize),
    /// `await asyncio.sleep(0)`: an async task gives the loop back, and waits to be resumed.
    Await,
}

impl Op {
    /// Whether `done` is a report of this step (a real thread's or task's, checked by the
    /// engine before the machine takes it).
    pub fn answered_by(self, done: Done) -> bool {
        match (self, done) {
            (Op::Read, Done::Read(_)) | (Op::Write, Done::Wrote(_)) | (Op::Await, Done::Awaited) => true,
            (Op::Acquire(l), Done::Took(m) | Done::Waits(m)) | (Op::Release(l), Done::Released(m)) => l == m,
            _ => false,
        }
    }
}

/// What a real thread reports after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// It read this value of the counter.
    Read(u64),
    /// It wrote this value to the counter.
    Wrote(u64),
    /// It took lock `l`.
    Took(usize),
    /// Lock `l` was held: it waits for it, registered in the wait-for graph.
    Waits(usize),
    /// It freed lock `l`.
    Released(usize),
    /// It reached an await and gave the loop back.
    Awaited,
}

/// One write of the counter: who wrote what, and whose update it overwrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// The writer, 0 or 1.
    pub thread: usize,
    /// The value it had read.
    pub read: u64,
    /// The value it wrote.
    pub wrote: u64,
    /// The last write this one overwrote, `(thread, value)`: the other thread's, made between
    /// this one's read and write.
    pub overwrote: Option<(usize, u64)>,
    /// Updates this write undid: the writes made between its read and itself.
    pub lost: u64,
}

/// One thread of the game.
#[derive(Clone, Debug, Default)]
struct Thread {
    program: Vec<Op>,
    /// The next step's index in `program`.
    pc: usize,
    /// Its local `tmp`, once read.
    tmp: Option<u64>,
    /// The lock it waits for.
    waits: Option<usize>,
}

/// The game: both threads, the shared value, the locks and the history.
#[derive(Clone, Debug)]
pub struct Machine {
    /// What was asked for.
    pub setup: Setup,
    threads: [Thread; THREADS],
    /// The counter's value as the threads last wrote it.
    pub shared: u64,
    holders: [Option<usize>; 2],
    /// Steps chosen so far.
    pub steps: u32,
    /// Every step, in a sentence.
    pub history: Vec<String>,
    /// Every write of the counter.
    pub writes: Vec<Write>,
    /// The step at which the challenge was met (an update lost, or the deadlock).
    pub met_at: Option<u32>,
    /// The wait-for cycle, once both threads wait for each other.
    pub deadlock: Option<String>,
}

impl Machine {
    /// A game at its start: no step taken, both locks free, the counter at 0.
    pub fn new(setup: Setup) -> Machine {
        let programs = programs(&setup);
        let threads = programs.map(|program| Thread { program, ..Thread::default() });
        Machine {
            setup,
            threads,
            shared: 0,
            holders: [None, None],
            steps: 0,
            history: Vec::new(),
            writes: Vec::new(),
            met_at: None,
            deadlock: None,
        }
    }

    /// Thread `t`'s lines, as the page shows them.
    pub fn lines(&self, t: usize) -> Vec<String> {
        self.threads[t].program.iter().map(|op| self.line(*op)).collect()
    }

    /// Thread `t`'s program, which an async task runs on its own between awaits.
    pub fn program(&self, t: usize) -> Vec<Op> {
        self.threads[t].program.clone()
    }

    /// One step as a line of code.
    pub fn line(&self, op: Op) -> String {
        let lock = |l: usize| {
            if self.setup.kind == Kind::Counter { "lock".into() } else { LOCK_NAMES[l].to_string() }
        };
        match op {
            Op::Read => "tmp = counter".into(),
            Op::Write => "counter = tmp + 1".into(),
            Op::Acquire(l) => format!("acquire {}", lock(l)),
            Op::Release(l) => format!("release {}", lock(l)),
            Op::Await => "await asyncio.sleep(0)".into(),
        }
    }

    /// Where thread `t` is: the index of its next line (its line count once finished).
    pub fn pc(&self, t: usize) -> usize {
        self.threads[t].pc
    }

    /// Thread `t`'s local `tmp`, once it has read the counter.
    pub fn tmp(&self, t: usize) -> Option<u64> {
        self.threads[t].tmp
    }

    /// The lock thread `t` waits for.
    pub fn waits_for(&self, t: usize) -> Option<usize> {
        self.threads[t].waits
    }

    /// Who holds lock `l`.
    pub fn holder(&self, l: usize) -> Option<usize> {
        self.holders[l]
    }

    /// Whether thread `t` has run all its lines.
    pub fn finished(&self, t: usize) -> bool {
        self.threads[t].pc >= self.threads[t].program.len()
    }

    /// Whether thread `t` may take a step now: it has lines left, and it is not waiting for a lock.
    pub fn offered(&self, t: usize) -> bool {
        self.deadlock.is_none() && !self.finished(t) && self.threads[t].waits.is_none()
    }

    /// The threads that may step now.
    pub fn offered_threads(&self) -> Vec<usize> {
        (0..THREADS).filter(|&t| self.offered(t)).collect()
    }

    /// Whether the game is over: both threads finished, or they deadlocked.
    pub fn over(&self) -> bool {
        self.deadlock.is_some() || (0..THREADS).all(|t| self.finished(t))
    }

    /// Both threads wait, each for a lock: the engine then looks for the cycle in its graph.
    pub fn stuck(&self) -> bool {
        self.threads.iter().all(|t| t.waits.is_some())
    }

    /// The step thread `t` takes next, or why it cannot take one.
    pub fn next(&self, t: usize) -> Result<Op, String> {
        if t >= THREADS {
            return Err(format!("thread: the scheduler has threads 1 and 2, not {}.", t + 1));
        }
        let name = self.name(t);
        if self.over() {
            return Err("The game is over: start it again to play another.".into());
        }
        if self.finished(t) {
            return Err(format!("{name} has no line left to run."));
        }
        if let Some(l) = self.threads[t].waits {
            let by = self.holders[l].map_or_else(|| "the other".into(), |h| self.name(h));
            return Err(format!(
                "{name} cannot take a step: it waits for {}, which {by} holds.",
                self.lock_name(l)
            ));
        }
        Ok(self.threads[t].program[self.threads[t].pc])
    }

    /// The learner chose thread `t`: its first op of the step, counted as one step.
    pub fn choose(&mut self, t: usize) -> Result<Op, String> {
        let op = self.next(t)?;
        self.steps += 1;
        Ok(op)
    }

    /// Whether thread `t`'s step goes on after it reported `done`: a thread's step is one line;
    /// an async task runs on until it awaits, waits for a lock, or ends.
    pub fn continues(&self, t: usize, done: Done) -> bool {
        self.setup.asynchronous && !matches!(done, Done::Awaited | Done::Waits(_)) && self.offered(t)
    }

    /// "thread 1", or "task 1" in an async game.
    pub fn name(&self, t: usize) -> String {
        if self.setup.asynchronous { format!("task {}", t + 1) } else { thread_name(t) }
    }

    /// Applies what thread `t`'s real thread reported for its step. Returns the other thread
    /// when it now takes the lock `t` freed (the engine waits for that report too).
    pub fn apply(&mut self, t: usize, done: Done) -> Option<usize> {
        let name = self.name(t);
        let other = 1 - t;
        let mut wakes = None;
        let line = match done {
            Done::Read(v) => {
                self.threads[t].tmp = Some(v);
                format!("{name} read {v} (tmp = counter)")
            }
            Done::Wrote(v) => self.wrote(t, v),
            Done::Took(l) => {
                self.holders[l] = Some(t);
                let waited = self.threads[t].waits.take().is_some();
                let how = if waited { "after waiting for it" } else { "which was free" };
                format!("{name} took {} ({how})", self.lock_name(l))
            }
            Done::Waits(l) => {
                self.threads[t].waits = Some(l);
                self.history.push(format!(
                    "{name} waits for {}, which {} holds",
                    self.lock_name(l),
                    self.name(other)
                ));
                return None;
            }
            Done::Released(l) => {
                self.holders[l] = None;
                let line = format!("{name} released {}", self.lock_name(l));
                if self.threads[other].waits != Some(l) {
                    line
                } else if self.setup.asynchronous {
                    // asyncio.Lock hands the lock to its first waiter, which holds it when the
                    // loop resumes it (a new acquire queues behind it).
                    self.holders[l] = Some(other);
                    self.threads[other].waits = None;
                    self.threads[other].pc += 1;
                    format!("{line}, handing it to {}, which is ready again", self.name(other))
                } else {
                    wakes = Some(other);
                    line
                }
            }
            Done::Awaited => format!("{name} reached an await and gave the loop back"),
        };
        self.history.push(line);
        self.threads[t].pc += 1;
        wakes
    }

    /// Records a write of `v` by thread `t`, and which update of the other thread it overwrote.
    fn wrote(&mut self, t: usize, v: u64) -> String {
        let name = self.name(t);
        let read = self.threads[t].tmp.unwrap_or(0);
        let before = self.shared;
        let last = self.writes.last().map(|w| (w.thread, w.wrote)).filter(|_| before > read);
        let lost = before.saturating_sub(read);
        self.writes.push(Write { thread: t, read, wrote: v, overwrote: last, lost });
        self.shared = v;
        match last {
            Some((by, w)) => {
                self.met_at.get_or_insert(self.steps);
                format!("{name} wrote {v} over {}'s {w} (counter = tmp + 1)", self.name(by))
            }
            None => format!("{name} wrote {v} (counter = tmp + 1)"),
        }
    }

    /// The two waits close a cycle: the deadlock, described by the engine's wait-for graph.
    pub fn deadlocked(&mut self, cycle: String) {
        self.met_at.get_or_insert(self.steps);
        self.deadlock = Some(cycle);
    }

    /// This game's locks and waits as a wait-for graph (agents 1 and 2, as the real threads are
    /// numbered), and the cycle in it, if any: what the engine's real graph shows after the same
    /// steps.
    pub fn cycle(&self) -> Option<Cycle> {
        let graph = WaitGraph::new(THREADS + 1);
        for (l, holder) in self.holders.iter().enumerate() {
            if let Some(t) = holder {
                graph.try_take(l, *t as u32 + 1);
            }
        }
        for (t, thread) in self.threads.iter().enumerate() {
            if let Some(l) = thread.waits {
                graph.begin_wait(t as u32 + 1, l, 0.0);
            }
        }
        graph.find_cycle()
    }

    /// The updates that should have been made (the counter).
    pub fn expected(&self) -> u64 {
        u64::from(self.setup.increments) * THREADS as u64
    }

    /// Updates lost so far: the writes made, less the counter's value.
    pub fn lost(&self) -> u64 {
        (self.writes.len() as u64).saturating_sub(self.shared)
    }

    /// Lock `l` as the lines name it.
    pub fn lock_name(&self, l: usize) -> String {
        match self.setup.kind {
            Kind::Counter => "the lock".into(),
            Kind::Deadlock => LOCK_NAMES[l].into(),
        }
    }
}

/// "thread 1" or "thread 2", as on screen and in the wait-for graph's sentence.
pub fn thread_name(t: usize) -> String {
    format!("thread {}", t + 1)
}

/// Each thread's lines.
fn programs(s: &Setup) -> [Vec<Op>; THREADS] {
    match s.kind {
        Kind::Counter => {
            let one: &[Op] = match (s.fix, s.asynchronous) {
                (false, false) => &[Op::Read, Op::Write],
                (true, false) => &[Op::Acquire(0), Op::Read, Op::Write, Op::Release(0)],
                // The await between the read and the write is where the loop may switch tasks.
                (false, true) => &[Op::Read, Op::Await, Op::Write],
                (true, true) => &[Op::Acquire(0), Op::Read, Op::Await, Op::Write, Op::Release(0)],
            };
            let program: Vec<Op> = (0..s.increments).flat_map(|_| one.iter().copied()).collect();
            [program.clone(), program]
        }
        Kind::Deadlock => {
            // An async task switches only at an await: one between the two acquisitions.
            let pair = |x, y| {
                let mut p = vec![Op::Acquire(x), Op::Acquire(y), Op::Release(y), Op::Release(x)];
                if s.asynchronous {
                    p.insert(1, Op::Await);
                }
                p
            };
            [pair(0, 1), if s.fix { pair(0, 1) } else { pair(1, 0) }]
        }
    }
}

#[cfg(test)]
mod tests;
