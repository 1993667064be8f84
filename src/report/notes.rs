//! The notes of a record: sentences that qualify a run's figures, each written only when the
//! run's own measurements call for it (a connection limit's note only when the run was held to
//! it, a thread start's cost only when threads were started).

use super::{Measures, ThreadCost, words};
use crate::accounting::TaskTimes;
use crate::decimal::{Fixed, Shortest};
use crate::params::{self, FailMode, Limits, Memory, Model, NoThreads, Params, SyncMode, Workload};
use crate::record::{NetSummary, Outcome, ThreadStart};
use crate::tasks::work_of;
use crate::timeline;

/// CPython 3.11's time to create and start one `threading.Thread`, in ms, on this project's
/// test machine: a reference figure beside the run's own, not measured by the page (where it
/// comes from: BENCHMARKS.md, "Figures behind design choices").
pub const CPYTHON_THREAD_START_MS: f64 = 0.25;

/// Every note of a run, in the order the page shows them. `no_threads`: why this page has no
/// shared memory, for a threads run on threads of separate memory.
pub fn for_run(p: &Params, o: &Outcome, m: &Measures, peak_in_flight: u32, limits: Limits) -> Vec<String> {
    let no_threads = limits.no_threads;
    let mut notes = Vec::new();
    if p.model == Model::Threads && p.memory == Memory::Separate {
        notes.push(separate_memory(no_threads));
    }
    if p.delay_ms < 4 && matches!(p.workload, Workload::Sleep | Workload::Fetch | Workload::Deadlock) {
        notes.push("Delays under 4 ms are distorted: browsers clamp nested timers to at least 4 ms.".into());
    }
    if let Some(net) = &o.net {
        notes.extend(fetch(p, net));
    }
    if m.distorted {
        notes.push(
            "Distorted: the page was hidden during the run, and browsers slow timers in background tabs."
                .into(),
        );
    }
    if o.left_blocked > 0 {
        notes.push(left_blocked(o.left_blocked));
    }
    notes.extend(crate::races::notes(p, o));
    notes.extend(gil(p, o));
    notes.extend(async_options(p, m, peak_in_flight));
    if let (Some(start), Some(cost)) = (o.thread_start, m.thread_cost) {
        notes.push(thread_start(p, o.elapsed_ms, start, cost));
    }
    if let Some(t) = &o.task_times {
        notes.extend(event_loop(p, t));
    }
    if let Some(b) = o.blocked.as_ref().filter(|b| b.every > 1) {
        notes.push(sampled(p, b.every, "Busy, scheduled and idle times were", "."));
    }
    notes
}

/// What the task table's busy, scheduled and idle mean for a threads or sequential run, which
/// has no event loop to poll its tasks (see `blocked`): the table's own sentence, beside it.
/// `None` for a run without that accounting.
pub fn task_times(p: &Params, o: &Outcome, cores: u32) -> Option<String> {
    o.blocked.as_ref()?;
    let idle = match blocked_on(p) {
        Some(on) => format!("idle while it blocked ({on})"),
        None => "never idle (its work never blocks)".to_string(),
    };
    Some(if p.model == Model::Threads {
        let threads = p.threads.min(p.tasks);
        let off_core = if threads > cores {
            format!(
                " ({} on {})",
                words::plural(threads, "thread", "threads"),
                words::plural(cores, "core", "cores")
            )
        } else {
            String::new()
        };
        format!(
            "Threads have no polls: a task's life splits into scheduled until a thread took it (in \
             the pool's queue, or while its thread started), {idle} and busy the rest, which \
             includes any time the browser kept its thread off a core{off_core}: no page can see that."
        )
    } else {
        format!(
            "The sequential loop has no polls: a task's life splits into scheduled until the tasks \
             before it had ended, {idle} and busy the rest, as a plain for loop runs them."
        )
    })
}

/// What a task of this run blocks on, in words; `None`: nothing (it only computes).
fn blocked_on(p: &Params) -> Option<String> {
    let gil = p.model == Model::Threads && p.gil;
    let on = match p.workload {
        Workload::Sleep if p.delay_ms == 0 => None,
        Workload::Sleep | Workload::Convoy => Some("asleep"),
        Workload::Fetch => Some("in its request"),
        Workload::Deadlock if p.model == Model::Threads => Some("asleep holding a lock, or waiting for one"),
        Workload::Deadlock => Some("asleep"),
        Workload::Counter if p.sync == SyncMode::Lock && p.model == Model::Threads => {
            Some("waiting for the counter's lock")
        }
        Workload::Counter | Workload::Cpu => None,
    };
    match (on, gil) {
        (Some(on), true) => Some(format!("{on}, or waiting for the GIL")),
        (Some(on), false) => Some(on.to_string()),
        (None, true) => Some("waiting for the GIL".to_string()),
        (None, false) => None,
    }
}

/// The note of a run whose per-task times were kept for every `every`-th task only.
fn sampled(p: &Params, every: u32, what: &str, tail: &str) -> String {
    format!(
        "{what} kept for every {} task ({} of {}), so that a large run pays no memory per task for          them: the figures and histograms are of that sample{tail}",
        ordinal(every),
        words::number(f64::from(p.tasks.div_ceil(every))),
        words::number(f64::from(p.tasks)),
    )
}

/// What differs on threads with memory of their own: only what needs shared memory.
pub fn separate_memory(no_threads: NoThreads) -> String {
    format!(
        "These threads are Web Workers with memory of their own ({}): each blocks on its task and \
         they compute in parallel, so the timings are those of threads; what needs memory shared \
         between threads (the counter race, the deadlock's locks, the convoy) is refused here. {}",
        no_threads.why_separate(),
        no_threads.way_out()
    )
}

/// CPython's free-threaded build's cost on one thread, as the Python docs give it ("Python
/// support for free threading"): a reference, not measured here.
pub const FREE_THREADED_COST: &str = "about 40 % in 3.13 and about 5-10 % in 3.14";

/// What the GIL did to a threads run: how often it changed hands; or, without it, what Python
/// without a GIL is.
fn gil(p: &Params, o: &Outcome) -> Vec<String> {
    if p.model != Model::Threads || o.stopped {
        return Vec::new();
    }
    let interval = f64::from(p.switch_interval_us) / 1000.0;
    let mut notes = match &o.gil {
        Some(g) if g.handoffs > 0 => vec![format!(
            "The GIL changed hands {} times in {} ms, about every {} ms: a thread that wants it \
             waits at most the switch interval ({} ms, sys.setswitchinterval({})) before the holder is \
             asked to drop it at its next check.",
            params::group(g.handoffs),
            Fixed(o.elapsed_ms, 0),
            Fixed(o.elapsed_ms / g.handoffs as f64, 1),
            params::schema::thousandths(p.switch_interval_us),
            Shortest(interval / 1000.0)
        )],
        None if matches!(p.workload, Workload::Cpu | Workload::Convoy) => vec![format!(
            "Without the GIL this is free-threaded Python (3.13t, supported from 3.14, PEP 779), where \
             threads compute in parallel; the Python docs put its cost on a single thread at \
             {FREE_THREADED_COST}, which this engine neither imitates nor measures."
        )],
        _ => Vec::new(),
    };
    notes.extend(o.gil.as_ref().and_then(|g| g.by_messages.map(|c| by_messages(c, g.handoff_ms))));
    notes
}

/// How the GIL of threads with separate memory differs from CPython's, with what it cost here:
/// the hand-offs as timed in the run (`handoff_ms`, if any was), a message's round trip and a
/// yield as timed before it.
pub fn by_messages(c: crate::record::MessageCost, handoff_ms: Option<f64>) -> String {
    let took = match handoff_ms {
        Some(ms) => format!(
            "one took {} µs on average in this run (a thread's wait for the lock, timed by the \
             thread, less the time the page kept it queued behind the holder; a message and its \
             answer took {} µs before the run)",
            Fixed(ms * 1000.0, 0),
            Fixed(c.round_trip_us, 0)
        ),
        None => format!("a message and its answer took {} µs here", Fixed(c.round_trip_us, 0)),
    };
    format!(
        "Unlike CPython's GIL, a mutex and a condition variable in memory its threads share, this GIL \
         is a lock the page holds and hands between Web Workers by messages: a hand-off is two \
         messages (the holder's drop to the page, the page's grant to the next thread), and {took}; \
         a thread computing with nobody waiting gives its event loop a turn every {} ms so that a \
         request to drop the lock can reach it, {} µs each ({} % of its work).",
        // Tenths of a ms past 1 ms, as CPython's interval is given (0.005 s, 0.05 ms).
        crate::params::schema::thousandths(if c.yield_every_ms < 1.0 {
            (c.yield_every_ms * 1000.0).round() as u32
        } else {
            (c.yield_every_ms * 10.0).round() as u32 * 100
        }),
        Fixed(c.yield_us, 0),
        Fixed(c.yield_us / (c.yield_every_ms * 10.0), 1)
    )
}

/// What the executor's accounting says about the event loop: the steps that held it, and which
/// tasks' busy, scheduled and idle times were kept.
fn event_loop(p: &Params, t: &TaskTimes) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(longest) = t.slow_steps.iter().map(|s| s.took_ms).reduce(f64::max) {
        let n = t.slow_steps.len() as u32;
        notes.push(format!(
            "{} held the event loop for more than 100 ms (the longest {} s): asyncio's debug \
             mode (asyncio.run(main(), debug=True)) warns about each, as the output shows.",
            words::plural(n, "step of a task", "steps of tasks"),
            Fixed(longest / 1000.0, 3)
        ));
    }
    if t.every > 1 {
        notes.push(sampled(
            p,
            t.every,
            "Busy, scheduled and idle times and polls were",
            ", but the latest a timer fired is of every task.",
        ));
    }
    notes
}

/// "2nd", "128th": the k of "every k-th task".
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A stopped threads run that left threads blocked in a request.
fn left_blocked(n: u32) -> String {
    let (threads, were) = if n == 1 { ("thread was", "its") } else { ("threads were", "their") };
    format!(
        "Stopped while {n} {threads} blocked in a request: a blocking call cannot be interrupted \
         (in Python neither), so {were} request ends at its timeout (timeoutMs) in the background, \
         and {were} tasks are left out of this record."
    )
}

/// What `offload` and `limit` did to an async run.
fn async_options(p: &Params, m: &Measures, peak: u32) -> Vec<String> {
    let mut notes = Vec::new();
    if p.model == Model::Async && p.offload {
        let part = if p.workload == Workload::Cpu { "CPU work" } else { "blocking call" };
        notes.push(format!(
            "Each task handed its {part} to a pool thread and awaited it (asyncio.to_thread): the \
             event loop stayed free, its timers at most {} ms late.",
            Fixed(m.lag_ms, 0)
        ));
    }
    if let Some(limit) = p.limit.filter(|_| p.model == Model::Async) {
        let were = if peak == 1 { "was" } else { "were" };
        notes.push(format!(
            "At most {limit} tasks were allowed in flight at once (asyncio.Semaphore({limit})); at the \
             peak {peak} {were}. Threads have this bound already: their number."
        ));
    }
    notes
}

/// What a threads run with threads of its own (past the pool) cost to start, beside CPython.
fn thread_start(p: &Params, elapsed_ms: f64, start: ThreadStart, each: ThreadCost) -> String {
    if start.started > 0 {
        format!(
            "Starting {} threads took {} ms of this run's {} ms, {} ms and {} KB each (a Web \
             Worker with its own instance of the module and a {} KB stack); CPython 3.11 starts a thread \
             in about {} ms (measured on the project's 2-core test machine), about \
             {} times faster.",
            params::group(start.started.into()),
            Fixed(start.ms, 0),
            Fixed(elapsed_ms, 0),
            Fixed(each.ms, 2),
            Fixed(each.bytes / 1024.0, 0),
            start.stack_bytes / 1024,
            Shortest(CPYTHON_THREAD_START_MS),
            Fixed(each.ms / CPYTHON_THREAD_START_MS, 0),
        )
    } else {
        format!(
            "Its {} threads were left from an earlier run, so no thread start is in its time (the \
             latest start took {} ms per thread; CPython 3.11 starts one in about \
             {} ms).",
            params::group(p.threads.min(p.tasks).into()),
            Fixed(each.ms, 2),
            Shortest(CPYTHON_THREAD_START_MS)
        )
    }
}

/// What answered a fetch run's requests, as the record names it.
pub fn answered_by(net: &NetSummary) -> Option<&'static str> {
    match (net.by_worker, net.by_server) {
        (0, 0) => None,
        (_, 0) => Some("service worker"),
        (0, _) => Some("server"),
        _ => Some("service worker and server"),
    }
}

/// The most requests under way at once where they were answered, from the times they arrived.
pub fn requests_peak(p: &Params, net: &NetSummary) -> u32 {
    let delay_of = |id: u32| f64::from(work_of(p.fail == Some(id), p.delay_ms));
    timeline::peak_at_answerer(&net.arrivals, delay_of)
}

/// The fetch run's notes: what answered, the fault asked for, and the connection limit's note
/// only when the run was held to it.
fn fetch(p: &Params, net: &NetSummary) -> Vec<String> {
    let mut notes = Vec::new();
    let plural = |n: u32| if n == 1 { "request was" } else { "requests were" };
    let (w, s) = (net.by_worker, net.by_server);
    match answered_by(net) {
        Some("service worker") => notes.push(format!(
            "The {} {} answered by this page's service worker, inside the browser, after the delay: \
             no connection limit applies there, where one HTTP/1.1 server gets at most 6 connections \
             from a browser.",
            params::group(w.into()),
            plural(w)
        )),
        Some("server") => notes.push(format!(
            "The {} {} answered by the server, over HTTP/1.1.",
            params::group(s.into()),
            plural(s)
        )),
        Some(_) => notes.push(format!(
            "{} {} answered by this page's service worker and {} by the server.",
            params::group(w.into()),
            plural(w),
            params::group(s.into())
        )),
        None => {}
    }
    if let Some(mode) = p.network_fault() {
        let what = match mode {
            FailMode::Http500 => "answered it with HTTP 500",
            FailMode::Drop => "closed the connection in the middle of the response",
            _ => "never answered it, so the task's timeout (timeoutMs) ended it",
        };
        let k = p.fail.unwrap_or(0);
        notes.push(format!(
            "Task {k}'s request failed for real: failMode {} asked the server, which {what}.",
            mode.name()
        ));
    }
    notes.extend(held_back(p, net));
    notes
}

/// Whether a limit held the requests back: the run's own `connections`, or the browser's 6
/// connections to one HTTP/1.1 server.
fn held_back(p: &Params, net: &NetSummary) -> Option<String> {
    let peak = requests_peak(p, net);
    // How many requests the model would have under way at once.
    let width = match p.model {
        Model::Async => p.connections.unwrap_or(p.tasks),
        Model::Threads | Model::Processes => p.workers(),
        Model::Sequential => 1,
    }
    .min(p.tasks);
    let answered = net.by_server + net.by_worker;
    if p.model == Model::Async && p.connections.is_some_and(|n| n < p.tasks) && peak >= width {
        Some(format!(
            "connections={width} held the run to {width} requests under way at once (measured: {peak}), \
             like aiohttp's TCPConnector(limit={width}); the other tasks waited for a free connection."
        ))
    } else if net.by_server > 0 && answered >= width && peak < width {
        Some(format!(
            "The browser held requests back: at most {peak} were under way at the server at once, because \
             a browser opens at most 6 connections to one HTTP/1.1 server; the others waited in its queue."
        ))
    } else {
        None
    }
}
