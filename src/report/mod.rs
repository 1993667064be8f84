//! A finished run's [`Record`]: built by one pure function from the checked options, what the
//! runner recorded ([`Outcome`]), the timeline's layout and what the engine measured around the
//! run ([`Measures`]). Nothing here reads a clock, a global or the browser, so every field and
//! every sentence of a record is tested natively.
//!
//! The sentences live beside it: [`notes`] qualifies the figures (what answered the requests,
//! what starting threads cost...), [`summary`] says what the run shows, and [`words`] writes
//! numbers as the page does.

pub mod costs;
pub mod demos;
pub mod notes;
pub mod predict;
pub mod summary;
pub mod task_times;
pub mod words;

use crate::contract::{
    F64s, GilColumns, LaneInfo, OrNull, Record, SpanColumns, TaskError, U8s, U32s, WaitColumns, WakeLate,
};
use crate::output;
use crate::params::{self, Limits, Model, Params, Workload};
use crate::record::GilRecord;
use crate::record::Outcome;
use crate::timeline::{Layout, SpanMs, SpanState, Wait, ord64, sort_keys, unord64};

/// What the engine measured around a run, outside what its runner recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measures {
    /// When the run started: ms since the epoch.
    pub started_at: f64,
    /// Whether the page was hidden at some moment of the run.
    pub distorted: bool,
    /// The most the event loop ran a timer late during the run, in ms.
    pub lag_ms: f64,
    /// The longest the run held the page's thread in one go, in ms.
    pub busy_ms: f64,
    /// Heap the run used at its peak, in bytes.
    pub heap_peak_bytes: f64,
    /// How long a threads run waited for the pool before it began, in ms.
    pub pool_wait_ms: Option<f64>,
    /// Processes a processes run started, and the ms each took.
    pub processes_started: Option<(u32, f64)>,
    /// What one thread cost to start (threads runs): a pool thread's, or for a run with threads
    /// of its own, the latest measured start of those.
    pub thread_cost: Option<ThreadCost>,
    /// Loop iterations one task's CPU work makes (CPU runs).
    pub iterations_per_task: u64,
}

/// What starting one thread cost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ThreadCost {
    /// Ms to start it.
    pub ms: f64,
    /// Bytes of memory it added.
    pub bytes: f64,
}

/// Builds the record of a finished run. Spans go out as typed arrays in start order (one copy,
/// no object per task), because a million tasks would otherwise cost a million objects.
pub fn build(p: &Params, limits: Limits, o: Outcome, layout: Layout, m: &Measures) -> Record {
    let ideal = params::ideal(p, limits);
    let notes = notes::for_run(p, &o, m, layout.peak, limits);
    let peak = o.net.as_ref().map(|net| notes::requests_peak(p, net));
    let mut record = Record {
        elapsed_ms: o.elapsed_ms,
        ideal_ms: OrNull(ideal.map(|i| i.ms)),
        ideal_in_flight: OrNull(ideal.and_then(|i| i.at_once)),
        stopped: o.stopped,
        crashed: o.crashed,
        distorted: m.distorted,
        finished: o.spans.count(SpanState::Done) as u32,
        failed: o.spans.count(SpanState::Failed) as u32,
        cancelled: o.spans.count(SpanState::Cancelled) as u32,
        error: OrNull(o.errors.first().map(|(_, m)| m.clone())),
        errors: o
            .errors
            .iter()
            .map(|(id, message)| TaskError { id: *id, message: message.clone() })
            .collect(),
        notes,
        output: printed(p, &o),
        peak_in_flight: layout.peak,
        event_loop_lag_ms: m.lag_ms,
        event_loop_busy_ms: m.busy_ms,
        heap_peak_bytes: m.heap_peak_bytes,
        heap_bytes_per_task: m.heap_peak_bytes / f64::from(p.tasks),
        task_start_us: task_start_us(p, &o, &layout),
        thread_start_ms: m.thread_cost.filter(|_| p.model == Model::Threads).map(|c| c.ms),
        thread_bytes: m.thread_cost.filter(|_| p.model == Model::Threads).map(|c| c.bytes),
        threads_started: o.thread_start.map(|s| s.started),
        threads_start_ms: o.thread_start.map(|s| s.ms),
        pool_wait_ms: m.pool_wait_ms,
        processes_started: m.processes_started.map(|(n, _)| n),
        process_start_ms: m.processes_started.map(|(_, ms)| ms),
        deadlock: o.deadlock.is_some(),
        deadlock_cycle: OrNull(o.deadlock.as_ref().map(|d| d.cycle.clone())),
        deadlock_detect_ms: o.deadlock.as_ref().map(|d| d.detect_ms),
        started_at: m.started_at,
        lanes: layout
            .lanes
            .iter()
            .map(|&(lane, rows)| LaneInfo { lane: lane.number(), label: lane.label(), rows })
            .collect(),
        waits: waits(&o.waits),
        gil_holds: o.gil.as_ref().map(gil_holds).unwrap_or_default(),
        gil_handoffs: o.gil.as_ref().map(|g| g.handoffs.min(u64::from(u32::MAX)) as u32),
        gil_handoff_ms: o.gil.as_ref().and_then(|g| g.handoff_ms),
        wake_late_ms: (p.workload == Workload::Convoy).then(|| wake_late(&o.wake_late)),
        answered_by: OrNull(o.net.as_ref().and_then(notes::answered_by).map(String::from)),
        peak_requests_in_flight: peak,
        ..options(p)
    };
    cpu_figures(&mut record, p, &o, m);
    race_figures(&mut record, p, &o);
    record.task_times = task_times::columns(&o, &layout);
    record.accounted_every =
        o.task_times.as_ref().map(|t| t.every).or_else(|| o.blocked.as_ref().map(|b| b.every));
    record.task_times_note = OrNull(notes::task_times(p, &o, limits.cores));
    record.timer_late_ms = o.task_times.as_ref().and_then(task_times::timer_late);
    record.loop_turns = task_times::loop_turns(&o.loop_turns);
    record.spans = spans(&o, layout);
    record.explanation = summary::explanation(&record, limits.cores);
    record
}

/// The options as the record repeats them: each only where it played a part.
fn options(p: &Params) -> Record {
    let fetch = p.workload == Workload::Fetch;
    Record {
        model: p.model,
        tasks: p.tasks,
        delay: p.delay_ms,
        threads: if p.model == Model::Threads { p.threads } else { 1 },
        processes: if p.model == Model::Processes { p.processes } else { 0 },
        workload: p.workload,
        gil: p.gil && p.model == Model::Threads,
        memory: (p.model == Model::Threads).then_some(p.memory),
        switch_interval: (p.gil && p.model == Model::Threads)
            .then(|| f64::from(p.switch_interval_us) / 1000.0),
        blocking: p.blocking && p.model == Model::Async,
        timers: (p.model == Model::Async).then_some(p.timers),
        fail_mode: (p.model == Model::Async || p.network_fault().is_some()).then_some(p.fail_mode),
        fail: OrNull(p.fail),
        increments: (p.workload == Workload::Counter).then_some(p.increments),
        sync: (p.workload == Workload::Counter).then_some(p.sync),
        await_inside: p.await_inside && p.model == Model::Async,
        lock_order: (p.workload == Workload::Deadlock).then_some(p.lock_order),
        limit: OrNull(p.limit.filter(|_| p.model == Model::Async)),
        offload: p.offload && p.model == Model::Async,
        connections: OrNull(p.connections.filter(|_| p.model == Model::Async && fetch)),
        timeout_ms: fetch.then_some(p.timeout_ms),
        ..Record::default()
    }
}

/// The record without its per-task columns and printed lines: what is kept of a run after it
/// was handed to the page (the demonstrations' sentences compare such copies).
///
/// The per-task columns are moved out while the rest is copied, then put back: a run of ten
/// million tasks would otherwise copy its span columns (hundreds of MB) only to drop the copy.
pub fn without_tasks(r: &mut Record) -> Record {
    let spans = std::mem::take(&mut r.spans);
    let waits = std::mem::take(&mut r.waits);
    let gil_holds = std::mem::take(&mut r.gil_holds);
    let task_times = std::mem::take(&mut r.task_times);
    let loop_turns = std::mem::take(&mut r.loop_turns);
    let output = std::mem::take(&mut r.output);
    let copy = r.clone();
    (r.spans, r.waits, r.gil_holds, r.task_times, r.loop_turns, r.output) =
        (spans, waits, gil_holds, task_times, loop_turns, output);
    copy
}

/// What the run's program printed.
fn printed(p: &Params, o: &Outcome) -> Vec<output::OutputLine> {
    output::Run {
        model: p.model,
        workload: p.workload,
        fail_mode: p.fail_mode,
        spans: &o.spans,
        errors: &o.errors,
        elapsed_ms: o.elapsed_ms,
        stopped: o.stopped,
        counter: o.counter.as_ref().map(|c| output::CounterPrint {
            expected: p.counter_expected(),
            got: c.shared,
            increments: u64::from(p.increments),
        }),
        slow_steps: o.task_times.as_ref().map_or(&[], |t| &t.slow_steps[..]),
        coroutine: (p.model == Model::Async).then(|| output::Coroutine::of(p)),
    }
    .lines()
}

/// Time to create and start one task, in µs: the spread of start times over the tasks. Not
/// measured when a limit holds tasks back (their starts then wait for a free place), nor when
/// the clock did not move while they started: the executor reads it once per batch of polls, so
/// a few quick tasks share one reading, and 0 would claim a cost of nothing.
fn task_start_us(p: &Params, o: &Outcome, layout: &Layout) -> Option<f64> {
    let (first, last) = layout.ids.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &i| {
        let s = f64::from(o.spans.start[i as usize]);
        (a.min(s), b.max(s))
    });
    (layout.ids.len() > 1
        && p.model == Model::Async
        && !p.busies_event_loop()
        && p.limit.is_none()
        && last > first)
        .then(|| (last - first) * 1000.0 / (layout.ids.len() - 1) as f64)
}

/// The CPU workload's figures: its checksum, its work per task and its speedup.
fn cpu_figures(r: &mut Record, p: &Params, o: &Outcome, m: &Measures) {
    if p.workload != Workload::Cpu {
        return;
    }
    r.checksum = Some(format!("{:016x}", o.checksum));
    r.iterations_per_task = Some(m.iterations_per_task as f64);
    // The work's own length (tasks × delay, as calibrated) over the time it took.
    let work_ms = f64::from(p.tasks) * f64::from(p.delay_ms);
    r.speedup = Some(if o.elapsed_ms > 0.0 { work_ms / o.elapsed_ms } else { 0.0 });
}

/// The counter's and the locks' figures.
fn race_figures(r: &mut Record, p: &Params, o: &Outcome) {
    let counter = o.counter.as_ref();
    let expected = p.counter_expected() as f64;
    let shares = p.model != Model::Processes;
    r.counter_expected = counter.map(|_| expected);
    r.counter_final = counter.map(|c| c.shared as f64);
    r.lost_updates = counter.filter(|_| shares && !o.stopped).map(|c| expected - c.shared as f64);
    r.ns_per_update = counter.filter(|_| expected > 0.0).map(|_| o.elapsed_ms * 1e6 / expected);
    r.process_counts = counter
        .filter(|_| p.model == Model::Processes)
        .map(|c| c.per_process.iter().map(|&n| n as f64).collect());
    let locks = p.workload == Workload::Deadlock || (counter.is_some() && p.sync == params::SyncMode::Lock);
    r.lock_wait_ms = locks.then_some(o.lock_wait_ms);
}

/// The finished spans as columns, in the layout's start order.
fn spans(o: &Outcome, layout: Layout) -> SpanColumns {
    let pick = |v: &[SpanMs]| F64s(layout.ids.iter().map(|&i| f64::from(v[i as usize])).collect());
    SpanColumns {
        lane: U32s(layout.ids.iter().map(|&i| o.spans.lane[i as usize].number()).collect()),
        start: pick(&o.spans.start),
        end: pick(&o.spans.end),
        state: U8s(layout.ids.iter().map(|&i| o.spans.state[i as usize] as u8).collect()),
        row: U32s(layout.rows),
        id: U32s(layout.ids),
    }
}

/// Who held the GIL, as columns.
pub fn gil_holds(g: &GilRecord) -> GilColumns {
    GilColumns {
        holder: U32s(g.holds.iter().map(|h| h.lane).collect()),
        start: F64s(g.holds.iter().map(|h| h.start).collect()),
        end: F64s(g.holds.iter().map(|h| h.end).collect()),
    }
}

/// The `q` quantile (0 to 1) of `sorted` (ascending), interpolated between the two nearest
/// values as numpy's `percentile` and Python's `statistics.quantiles(method="inclusive")` do;
/// `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let at = q.clamp(0.0, 1.0) * last as f64;
    let (i, frac) = (at.floor() as usize, at.fract());
    let next = sorted[(i + 1).min(last)];
    Some(sorted[i] + (next - sorted[i]) * frac)
}

/// How late the convoy's wake-ups were: median, 90th percentile and count.
pub fn wake_late(samples: &[f64]) -> WakeLate {
    // Sorted as keys, with the engine's one sort (`timeline::sort_keys`).
    let mut keys: Vec<u64> = samples.iter().copied().filter(|x| x.is_finite()).map(ord64).collect();
    sort_keys(&mut keys);
    let sorted: Vec<f64> = keys.into_iter().map(unord64).collect();
    WakeLate {
        median: OrNull(quantile(&sorted, 0.5)),
        p90: OrNull(quantile(&sorted, 0.9)),
        count: sorted.len() as u32,
    }
}

/// The waits as columns, in the order they were recorded.
pub fn waits(waits: &[Wait]) -> WaitColumns {
    let col = |f: fn(&Wait) -> f64| F64s(waits.iter().map(f).collect());
    WaitColumns {
        lane: col(|w| f64::from(w.lane.number())),
        id: U32s(waits.iter().map(|w| w.id).collect()),
        kind: U8s(waits.iter().map(|w| w.kind as u8).collect()),
        start: col(|w| w.start),
        end: col(|w| w.end),
    }
}

#[cfg(test)]
mod tests;
