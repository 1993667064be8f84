//! The program's printed output: the lines the seed's Python programs print as they run
//! (`Start fetching url1`, `Done fetching url1`, the list of results, `Elapsed: 1.00 seconds`),
//! made from what the tasks recorded, at the moments they started and ended, in the order it
//! really happened. Pure Rust, tested natively.
//!
//! A run of many tasks keeps the first and the last [`KEEP`] task lines and says how many were
//! left out between them, so a million tasks never make two million strings.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::accounting::SlowStep;
use crate::decimal::Fixed;
use crate::params::{FailMode, Model, Params, SyncMode, Workload};
use crate::timeline::{Lane, SpanMs, SpanState, Spans, sort_keys, split_key, time_key};

/// Task lines kept at each end of a long output.
pub const KEEP: usize = 50;

pub use crate::contract::OutputLine;

/// Tasks are named as in the seed's program: url1, url2... for task ids 0, 1...
fn url(id: u32) -> String {
    format!("url{}", u64::from(id) + 1)
}

fn verb(workload: Workload) -> &'static str {
    match workload {
        Workload::Cpu => "computing",
        Workload::Sleep | Workload::Fetch => "fetching",
        Workload::Counter => "counting",
        Workload::Deadlock => "locking",
        Workload::Convoy => "running",
    }
}

/// The line a task prints when it starts.
pub fn start_line(id: u32, workload: Workload) -> String {
    format!("Start {} {}", verb(workload), url(id))
}

/// The line a task prints when it ends so (`error` for a failed one).
pub fn end_line(id: u32, workload: Workload, state: SpanState, error: Option<&str>) -> String {
    match state {
        SpanState::Done => format!("Done {} {}", verb(workload), url(id)),
        SpanState::Failed => {
            format!("Error {} {}: {}", verb(workload), url(id), error.unwrap_or("failed"))
        }
        SpanState::Cancelled => format!("Cancelled {}", url(id)),
    }
}

/// The seed's closing line: `Elapsed: 1.00 seconds`.
pub fn elapsed_line(elapsed_ms: f64) -> String {
    format!("Elapsed: {} seconds", Fixed(elapsed_ms / 1000.0, 2))
}

/// How the code panel's asyncio program (www/code.js) names a task's coroutine, for the lines
/// asyncio's debug mode prints about it: the function, the line of its `def` in the program, and
/// where asyncio created its task (`gather`'s `ensure_future`, or a `TaskGroup`'s
/// `create_task`), as CPython 3.11.7 reports them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coroutine {
    /// The coroutine function: `fetch`, `compute`, `task`, or `limited` around one of them.
    pub name: &'static str,
    /// The line of its `def` in the code panel's program.
    pub line: u32,
    /// Where its task was created, as asyncio prints it.
    pub created_at: &'static str,
}

impl Coroutine {
    /// The coroutine of an async run's tasks, as the code panel's program for `p` writes it.
    pub fn of(p: &Params) -> Coroutine {
        let grouped = p.fail.is_some() && p.fail_mode == FailMode::TryJoinAll;
        let created_at = if grouped { ".../asyncio/taskgroups.py:161" } else { ".../asyncio/tasks.py:680" };
        let (name, line, body) = match p.workload {
            // `import asyncio`, a blank line, `counter = 0` (and the lock), two blank lines.
            Workload::Counter => ("task", if p.sync == SyncMode::Lock { 7 } else { 6 }, 0),
            // The convoy runs on threads only (its rule refuses async); its task function stands
            // where the deadlock's does.
            Workload::Deadlock | Workload::Convoy => ("task", 5, 0),
            Workload::Fetch => ("fetch", 6, 0),
            Workload::Cpu | Workload::Sleep => {
                let name = if p.workload == Workload::Cpu { "compute" } else { "fetch" };
                // Its lines: def, url, Start, the work, Done, return; a failing task's try, check, raise and
                // except adds six, a TaskGroup's cancellation three more.
                let body = 6 + if p.fail.is_some() { 6 } else { 0 } + if grouped { 3 } else { 0 };
                (name, 5, body)
            }
        };
        match p.limit {
            // `withLimit` puts `sem = ...`, two blank lines and `limited` where `main` was, two
            // blank lines after the task function.
            Some(_) if body > 0 => Coroutine { name: "limited", line: line + body + 2 + 3, created_at },
            _ => Coroutine { name, line, created_at },
        }
    }
}

/// asyncio's debug-mode warning for a step of task `id` that held the loop (`result`: what the
/// finished task returned or raised, as asyncio shows it): `Executing <Task finished name='Task-2'
/// coro=<fetch() done, defined at prog.py:5> result='Content of url1' created at
/// .../asyncio/tasks.py:680> took 1.003 seconds`. Task-1 is `main`; gather's tasks follow in
/// order. A step that did not finish the task is shown in short (asyncio adds what it waits for).
pub fn slow_step_line(step: &SlowStep, coro: Coroutine, result: &str) -> String {
    let Coroutine { name, line, created_at } = coro;
    let task = u64::from(step.id) + 2;
    let (state, coro_state) = if step.finished { ("finished", "done") } else { ("pending", "running") };
    let result = if step.finished { format!(" {result}") } else { String::new() };
    format!(
        "Executing <Task {state} name='Task-{task}' coro=<{name}() {coro_state}, defined at \
         prog.py:{line}>{result} created at {created_at}> took {} seconds",
        Fixed(step.took_ms / 1000.0, 3)
    )
}

/// Keeps the first [`KEEP`] lines pushed and the last [`KEEP`], counting those in between.
#[derive(Debug, Default)]
pub struct Bounded {
    head: Vec<OutputLine>,
    tail: VecDeque<OutputLine>,
    left_out: u64,
}

impl Bounded {
    /// Adds a line (in the order printed).
    pub fn push(&mut self, line: OutputLine) {
        if self.head.len() < KEEP {
            self.head.push(line);
            return;
        }
        self.tail.push_back(line);
        if self.tail.len() > KEEP {
            self.tail.pop_front();
            self.left_out += 1;
        }
    }

    /// Lines left out between the first and the last ones.
    pub fn left_out(&self) -> u64 {
        self.left_out
    }

    /// The lines kept, with one saying how many were left out where they were.
    pub fn lines(&self) -> Vec<OutputLine> {
        let mut out = self.head.clone();
        if self.left_out > 0 {
            let at_ms = self.tail.front().map_or(0.0, |l| l.at_ms);
            let n = crate::params::group(self.left_out);
            out.push(OutputLine {
                at_ms,
                lane: Lane::EVENT_LOOP.number(),
                text: format!("... {n} lines left out ..."),
            });
        }
        out.extend(self.tail.iter().cloned());
        out
    }
}

/// A start or an end, ordered by time. At equal times an end comes before another task's start
/// (a loop prints "Done" before it starts the next), and a task that took no time starts before it
/// ends: the key's middle part says which.
/// One [`time_key`]: the time, then the class and the id (ids take 24 bits: `MAX_TASKS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Moment(u64);

impl Moment {
    fn new(at: SpanMs, class: u8, id: u32) -> Moment {
        Moment(time_key(at, u32::from(class) << 24 | id))
    }
    fn at(self) -> f64 {
        f64::from(split_key(self.0).0)
    }
    fn class(self) -> u8 {
        (split_key(self.0).1 >> 24) as u8
    }
    fn id(self) -> u32 {
        split_key(self.0).1 & 0xff_ffff
    }
}

const END: u8 = 0;
/// A task cancelled at the moment another ended: after that end, which is what cancelled it (a
/// `TaskGroup` cancels the others once a task's error reaches it).
const CANCELLED: u8 = 1;
const START: u8 = 2;
const END_OF_INSTANT: u8 = 3;

/// What a run printed, made from its spans: every start and end in time order (the first and
/// last [`KEEP`] of them when there are more), then the results and the elapsed time.
pub struct Run<'a> {
    /// The model that ran.
    pub model: Model,
    /// What each task did.
    pub workload: Workload,
    /// What async did on a failure.
    pub fail_mode: FailMode,
    /// Every task's span.
    pub spans: &'a Spans,
    /// Failed tasks and their messages.
    pub errors: &'a [(u32, String)],
    /// The run's elapsed time, ms.
    pub elapsed_ms: f64,
    /// Whether it was stopped.
    pub stopped: bool,
    /// What a counter run counted, for the lines its program prints instead of the seed's.
    pub counter: Option<CounterPrint>,
    /// Steps that held the event loop, reported as asyncio's debug mode does, with the
    /// coroutine its program names (async runs).
    pub slow_steps: &'a [SlowStep],
    /// See `slow_steps`.
    pub coroutine: Option<Coroutine>,
}

/// A counter run's figures as its program prints them (the page's Python for it); the runners'
/// own count is `record::Counted`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CounterPrint {
    /// Tasks × increments.
    pub expected: u64,
    /// The shared counter at the end (for processes, the page's own, which stays 0).
    pub got: u64,
    /// What each task adds.
    pub increments: u64,
}

/// Whether tasks print a line as they start and end. The counter's program prints only its
/// count at the end, as the page's Python for it does: `expected 4_000, got 2_000`.
pub fn prints_task_lines(workload: Workload) -> bool {
    workload != Workload::Counter
}

impl Run<'_> {
    /// Task `id`'s start and end, those that happened.
    fn moments_of(&self, id: u32) -> [Option<Moment>; 2] {
        let s = self.spans;
        let (start, end) = (s.start[id as usize], s.end[id as usize]);
        let class = match s.state[id as usize] {
            _ if end == start => END_OF_INSTANT,
            SpanState::Cancelled => CANCELLED,
            _ => END,
        };
        [
            (!start.is_nan()).then_some(Moment::new(start, START, id)),
            (!end.is_nan()).then_some(Moment::new(end, class, id)),
        ]
    }

    /// Every start and end, by task id (not in time order).
    fn moments(&self) -> impl Iterator<Item = Moment> + '_ {
        (0..self.spans.start.len() as u32).flat_map(|id| self.moments_of(id).into_iter().flatten())
    }

    fn line(&self, m: Moment) -> OutputLine {
        let (id, i) = (m.id(), m.id() as usize);
        let lane = self.spans.lane[i].number();
        let text = if m.class() == START {
            start_line(id, self.workload)
        } else {
            let state = self.spans.state[i];
            let error = self.errors.iter().find(|(e, _)| *e == id).map(|(_, e)| e.as_str());
            end_line(id, self.workload, state, error)
        };
        OutputLine { at_ms: m.at(), lane, text }
    }

    /// The printed lines. Finds the first and last moments with bounded heaps rather than
    /// sorting them all, so a million tasks cost no more than a few passes: a task whose start
    /// and end are both later than every moment kept (or earlier, for the last ones) costs two
    /// comparisons. Tasks mostly start and end in id order, so the first moments are looked for
    /// from the lowest id and the last from the highest, where they mostly are, so most tasks
    /// never touch a heap (a heap update per moment took seconds at ten million tasks,
    /// BENCHMARKS.md). Either order finds the same moments.
    pub fn lines(&self) -> Vec<OutputLine> {
        if let Some(lines) = self.counter_lines() {
            return lines;
        }
        let (starts, ends) = (&self.spans.start, &self.spans.end);
        let happened = |v: &[SpanMs]| v.iter().filter(|t| !t.is_nan()).count() as u64;
        let total = happened(starts) + happened(ends);
        // `worst` is the latest moment kept, once KEEP are; a NaN (never happened) compares
        // false, so it is passed over too.
        let mut first: BinaryHeap<Moment> = BinaryHeap::with_capacity(KEEP + 1);
        let mut worst = SpanMs::INFINITY;
        for (id, (&start, &end)) in starts.iter().zip(ends).enumerate() {
            if start <= worst || end <= worst {
                for m in self.moments_of(id as u32).into_iter().flatten() {
                    first.push(m);
                    if first.len() > KEEP {
                        first.pop();
                    }
                }
                if first.len() == KEEP {
                    worst = first.peek().map_or(SpanMs::INFINITY, |m| m.at() as SpanMs);
                }
            }
        }
        let mut last: BinaryHeap<Reverse<Moment>> = BinaryHeap::with_capacity(KEEP + 1);
        let mut worst = SpanMs::NEG_INFINITY;
        for (id, (&start, &end)) in starts.iter().zip(ends).enumerate().rev() {
            if start >= worst || end >= worst {
                for m in self.moments_of(id as u32).into_iter().flatten() {
                    last.push(Reverse(m));
                    if last.len() > KEEP {
                        last.pop();
                    }
                }
                if last.len() == KEEP {
                    worst = last.peek().map_or(SpanMs::NEG_INFINITY, |m| m.0.at() as SpanMs);
                }
            }
        }
        let mut out = Bounded::default();
        let mut head = first.into_sorted_vec();
        if total <= 2 * KEEP as u64 {
            let mut keys: Vec<u64> = self.moments().map(|m| m.0).collect();
            sort_keys(&mut keys);
            head = keys.into_iter().map(Moment).collect();
        }
        for m in &head {
            out.head.push(self.line(*m));
        }
        if total > 2 * KEEP as u64 {
            let tail: Vec<Moment> = last.into_sorted_vec().into_iter().map(|Reverse(m)| m).rev().collect();
            out.tail = tail.iter().map(|m| self.line(*m)).collect();
            out.left_out = total - 2 * KEEP as u64;
        }
        let mut lines = if total <= 2 * KEEP as u64 { out.head } else { out.lines() };
        self.insert_slow_steps(&mut lines);
        let at_ms = self.elapsed_ms;
        let lane = Lane::EVENT_LOOP.number();
        if let Some(text) = self.closing() {
            lines.push(OutputLine { at_ms, lane, text });
        }
        lines.push(OutputLine { at_ms, lane, text: elapsed_line(self.elapsed_ms) });
        lines
    }

    /// Adds asyncio's line for each slow step where it happened: right after the end of the task
    /// whose step finished it, else before the first line printed after the step.
    fn insert_slow_steps(&self, lines: &mut Vec<OutputLine>) {
        let Some(coro) = self.coroutine else { return };
        for step in self.slow_steps {
            let i = step.id as usize;
            let (state, error) = (self.spans.state.get(i).copied(), self.error_of(step.id));
            let end = state.map(|s| end_line(step.id, self.workload, s, error));
            let at = if step.finished {
                lines.iter().rposition(|l| Some(&l.text) == end.as_ref()).map(|k| k + 1)
            } else {
                None
            };
            let at = at.unwrap_or_else(|| lines.partition_point(|l| l.at_ms <= step.at_ms));
            let result = match (state, error) {
                (Some(SpanState::Failed), Some(e)) => format!("exception=RuntimeError('{e}')"),
                _ if self.workload == Workload::Counter => "result=None".into(),
                _ => format!("result='Content of {}'", url(step.id)),
            };
            let text = slow_step_line(step, coro, &result);
            lines.insert(at, OutputLine { at_ms: step.at_ms, lane: Lane::EVENT_LOOP.number(), text });
        }
    }

    fn error_of(&self, id: u32) -> Option<&str> {
        self.errors.iter().find(|(e, _)| *e == id).map(|(_, e)| e.as_str())
    }

    /// What a counter run's program prints, all at its end: for processes the list of each
    /// task's return value (its process's own count so far), then the count. `None` for other
    /// runs, and for a counter run that was stopped or had a failing task, which print as the
    /// others do.
    fn counter_lines(&self) -> Option<Vec<OutputLine>> {
        let c = self.counter.filter(|_| !self.stopped && self.errors.is_empty())?;
        let big = |n: u64| crate::params::group_with(n, '_');
        let at = |text: String| OutputLine { at_ms: self.elapsed_ms, lane: Lane::EVENT_LOOP.number(), text };
        if self.model != Model::Processes {
            return Some(vec![at(format!("expected {}, got {}", big(c.expected), big(c.got)))]);
        }
        // A process's count starts at 0 with the run and grows by `increments` with each of its
        // tasks, in the order it took them: a task's value is its place in its lane's order. Only
        // the first five are printed, so they are counted, each in one pass, with no sort.
        let (lane, start) = (&self.spans.lane, &self.spans.start);
        let tasks = start.len();
        let value = |id: usize| {
            let before = (0..tasks)
                .filter(|&j| lane[j] == lane[id] && (start[j], j) <= (start[id], id))
                .count() as u64;
            (before * c.increments).to_string()
        };
        let mut items: Vec<String> = (0..tasks.min(5)).map(value).collect();
        if tasks > 5 {
            items.push("...".into());
        }
        Some(vec![
            at(format!("[{}]", items.join(", "))),
            at(format!("expected {}, the parent's counter: {}", big(c.expected), big(c.got))),
        ])
    }

    /// The line the program prints after its tasks: the list of results as Python prints it, or
    /// the error that ended it.
    fn closing(&self) -> Option<String> {
        let tasks = self.spans.start.len();
        if self.stopped {
            let done = self.spans.count(SpanState::Done);
            return Some(format!("Stopped: {done} of {tasks} tasks had finished."));
        }
        let first_error = self.errors.first().map(|(_, e)| e.as_str());
        let raised = match self.model {
            Model::Async => self.fail_mode != FailMode::JoinAll,
            Model::Sequential => true,
            Model::Threads | Model::Processes => false,
        };
        if let (true, Some(error)) = (raised, first_error) {
            // A TaskGroup or a plain loop: the exception propagates, and the results are never
            // printed; the code panel's program catches it at the top and prints it so.
            return Some(format!("RuntimeError: {error}"));
        }
        let item = |id: usize| match self.spans.state[id] {
            SpanState::Done => format!("'Content of {}'", url(id as u32)),
            SpanState::Failed => {
                let e = self.errors.iter().find(|(i, _)| *i as usize == id).map_or("failed", |(_, e)| e);
                format!("RuntimeError('{e}')")
            }
            SpanState::Cancelled => "CancelledError()".into(),
        };
        let mut items: Vec<String> = (0..tasks.min(5)).map(item).collect();
        if tasks > 5 {
            items.push("...".into());
        }
        Some(format!("[{}]", items.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(times: &[(f64, f64)], lane: Lane) -> Spans {
        let mut s = Spans::with_tasks(times.len());
        for (i, &(a, b)) in times.iter().enumerate() {
            s.lane[i] = lane;
            s.start[i] = a as f32;
            s.end[i] = b as f32;
        }
        s
    }

    fn run(s: &Spans, model: Model) -> Vec<String> {
        let r = Run {
            model,
            workload: Workload::Sleep,
            fail_mode: FailMode::JoinAll,
            spans: s,
            errors: &[],
            elapsed_ms: 1004.0,
            stopped: false,
            counter: None,
            slow_steps: &[],
            coroutine: None,
        };
        r.lines().into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn the_seed_example_prints_as_asyncio_does() {
        let s = spans(&[(0.1, 1000.0), (0.2, 1000.1), (0.3, 1000.2)], Lane::EVENT_LOOP);
        assert_eq!(
            run(&s, Model::Async),
            [
                "Start fetching url1",
                "Start fetching url2",
                "Start fetching url3",
                "Done fetching url1",
                "Done fetching url2",
                "Done fetching url3",
                "['Content of url1', 'Content of url2', 'Content of url3']",
                "Elapsed: 1.00 seconds",
            ]
        );
    }

    #[test]
    fn a_loop_alternates_even_when_times_touch() {
        let s = spans(&[(0.0, 10.0), (10.0, 20.0), (20.0, 20.0)], Lane::EVENT_LOOP);
        let lines = run(&s, Model::Sequential);
        assert_eq!(
            &lines[..6],
            [
                "Start fetching url1",
                "Done fetching url1",
                "Start fetching url2",
                "Done fetching url2",
                "Start fetching url3",
                "Done fetching url3"
            ]
        );
    }

    #[test]
    fn long_runs_keep_the_first_and_last_fifty_lines() {
        let n = 1000;
        let times: Vec<(f64, f64)> =
            (0..n).map(|i| (f64::from(i) * 0.01, 1000.0 + f64::from(i) * 0.01)).collect();
        let lines = run(&spans(&times, Lane::EVENT_LOOP), Model::Async);
        assert_eq!(lines.len(), 50 + 1 + 50 + 2);
        assert_eq!(lines[0], "Start fetching url1");
        assert_eq!(lines[49], "Start fetching url50");
        assert_eq!(lines[50], "... 1,900 lines left out ...");
        assert_eq!(lines[51], "Done fetching url951");
        assert_eq!(lines[100], "Done fetching url1000");
        assert!(lines[101].ends_with(", ...]"), "{}", lines[101]);
    }

    /// An async sleep run of `spans` in which `errors` happened, ended by `fail_mode`.
    fn failed_async<'a>(
        spans: &'a Spans,
        errors: &'a [(u32, String)],
        fail_mode: FailMode,
        elapsed_ms: f64,
    ) -> Run<'a> {
        Run {
            model: Model::Async,
            workload: Workload::Sleep,
            fail_mode,
            spans,
            errors,
            elapsed_ms,
            stopped: false,
            counter: None,
            slow_steps: &[],
            coroutine: None,
        }
    }

    #[test]
    fn failures_print_as_the_model_reports_them() {
        let mut s = spans(&[(0.0, 5.0), (0.0, 10.0)], Lane::EVENT_LOOP);
        s.state[0] = SpanState::Failed;
        let errors = [(0, "task 0 failed".to_string())];
        let r = failed_async(&s, &errors, FailMode::JoinAll, 10.0);
        let lines: Vec<String> = r.lines().into_iter().map(|l| l.text).collect();
        assert_eq!(lines[2], "Error fetching url1: task 0 failed");
        assert_eq!(lines[4], "[RuntimeError('task 0 failed'), 'Content of url2']");
        let r = Run { fail_mode: FailMode::TryJoinAll, ..r };
        assert_eq!(r.lines()[4].text, "RuntimeError: task 0 failed");
    }

    #[test]
    fn tasks_cancelled_by_an_error_print_after_it() {
        // try_join_all: task 1 fails at 5 ms, which cancels tasks 0 and 2 at that moment.
        let mut s = spans(&[(0.0, 5.0), (0.0, 5.0), (0.0, 5.0)], Lane::EVENT_LOOP);
        s.state[0] = SpanState::Cancelled;
        s.state[1] = SpanState::Failed;
        s.state[2] = SpanState::Cancelled;
        let errors = [(1, "task 1 failed".to_string())];
        let r = failed_async(&s, &errors, FailMode::TryJoinAll, 5.0);
        let lines: Vec<String> = r.lines().into_iter().map(|l| l.text).collect();
        assert_eq!(lines[3..6], ["Error fetching url2: task 1 failed", "Cancelled url1", "Cancelled url3"]);
    }

    #[test]
    fn a_counter_prints_its_count_as_its_program_does() {
        let s = spans(&[(0.0, 1.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0)], Lane::thread(1));
        let counter = Some(CounterPrint { expected: 400_000, got: 200_000, increments: 100_000 });
        let r = Run {
            model: Model::Threads,
            workload: Workload::Counter,
            fail_mode: FailMode::JoinAll,
            spans: &s,
            errors: &[],
            elapsed_ms: 1.0,
            stopped: false,
            counter,
            slow_steps: &[],
            coroutine: None,
        };
        let text = |r: &Run| r.lines().into_iter().map(|l| l.text).collect::<Vec<_>>();
        assert_eq!(text(&r), ["expected 400_000, got 200_000"]);
        // Processes: each task returns its process's own count so far, in the order it took them.
        let mut s = spans(&[(0.0, 1.0), (0.0, 1.0), (1.0, 2.0), (2.0, 3.0)], Lane::process(1));
        s.lane[1] = Lane::process(2);
        let counter = Some(CounterPrint { expected: 40, got: 0, increments: 10 });
        let p = Run { model: Model::Processes, spans: &s, counter, ..r };
        assert_eq!(text(&p), ["[10, 10, 20, 30]", "expected 40, the parent's counter: 0"]);
        // A stopped counter run prints as the others do.
        let stopped = Run { stopped: true, ..p };
        assert_eq!(text(&stopped)[0], "Start counting url1");
    }

    #[test]
    fn a_step_that_holds_the_loop_prints_asyncio_debug_line_after_its_task() {
        // Three blocking tasks of 1 s, one after another (`time.sleep` in a coroutine).
        let s = spans(&[(0.0, 1000.0), (1000.0, 2000.0), (2000.0, 3000.0)], Lane::EVENT_LOOP);
        let steps: Vec<SlowStep> = (0..3)
            .map(|id| SlowStep { id, at_ms: 1000.0 * f64::from(id + 1), took_ms: 1003.4, finished: true })
            .collect();
        let mut p = Params::new(Model::Async, 3, 1000, 1);
        p.blocking = true;
        let r = Run {
            model: Model::Async,
            workload: Workload::Sleep,
            fail_mode: FailMode::JoinAll,
            spans: &s,
            errors: &[],
            elapsed_ms: 3000.0,
            stopped: false,
            counter: None,
            slow_steps: &steps,
            coroutine: Some(Coroutine::of(&p)),
        };
        let lines: Vec<String> = r.lines().into_iter().map(|l| l.text).collect();
        assert_eq!(lines[0..2], ["Start fetching url1", "Done fetching url1"]);
        assert_eq!(
            lines[2],
            "Executing <Task finished name='Task-2' coro=<fetch() done, defined at prog.py:5> \
             result='Content of url1' created at .../asyncio/tasks.py:680> took 1.003 seconds"
        );
        assert_eq!(lines[3], "Start fetching url2");
        assert!(lines[8].starts_with("Executing <Task finished name='Task-4'"), "{}", lines[8]);
        assert_eq!(lines.len(), 3 * 3 + 2);
        // With a limit, the coroutine is the program's `limited` helper, after the task function.
        p.limit = Some(2);
        assert_eq!(
            Coroutine::of(&p),
            Coroutine { name: "limited", line: 16, created_at: ".../asyncio/tasks.py:680" }
        );
        // CPython 3.11.7 ran the code panel's program for each and printed these.
        p.fail = Some(1);
        assert_eq!(Coroutine::of(&p).line, 22);
        p.limit = None;
        p.fail_mode = FailMode::TryJoinAll;
        assert_eq!(Coroutine::of(&p).created_at, ".../asyncio/taskgroups.py:161");
    }

    #[test]
    fn bounded_keeps_ends() {
        let mut b = Bounded::default();
        for i in 0..130 {
            b.push(OutputLine { at_ms: f64::from(i), lane: 0, text: i.to_string() });
        }
        let lines = b.lines();
        assert_eq!(lines.len(), 101);
        assert_eq!(lines[50].text, "... 30 lines left out ...");
        assert_eq!(lines[51].text, "80");
    }

    // proptest is a native dev-dependency: the wasm builds check these tests without it.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The lines kept are the first and last KEEP moments in time order, as sorting them all
        /// would find, whatever order the tasks ran in and whichever never started or ended.
        #[test]
        fn keeps_the_first_and_last_moments(
            times in proptest::collection::vec((0u8..40, 0u8..40, 0u8..8), 0..300),
        ) {
            let mut s = Spans::with_tasks(times.len());
            for (i, &(a, d, what)) in times.iter().enumerate() {
                // Coarse times, so that many moments tie and the order within a time counts.
                match what {
                    0 => {}
                    1 => s.start[i] = f32::from(a),
                    _ => (s.start[i], s.end[i]) = (f32::from(a), f32::from(a) + f32::from(d)),
                }
            }
            let r = Run {
                model: Model::Threads,
                workload: Workload::Sleep,
                fail_mode: FailMode::JoinAll,
                spans: &s,
                errors: &[],
                elapsed_ms: 100.0,
                stopped: false,
                counter: None,
                slow_steps: &[],
                coroutine: None,
            };
            let mut all: Vec<Moment> = r.moments().collect();
            all.sort();
            let want: Vec<String> = if all.len() <= 2 * KEEP {
                all.iter().map(|m| r.line(*m).text).collect()
            } else {
                let mut w: Vec<String> = all[..KEEP].iter().map(|m| r.line(*m).text).collect();
                w.push(format!("... {} lines left out ...", crate::params::group((all.len() - 2 * KEEP) as u64)));
                w.extend(all[all.len() - KEEP..].iter().map(|m| r.line(*m).text));
                w
            };
            let got: Vec<String> = r.lines().into_iter().map(|l| l.text).collect();
            proptest::prop_assert_eq!(&got[..got.len() - 2], &want[..]);
        }
    }
}
