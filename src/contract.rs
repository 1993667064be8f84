//! The typed contract between the engine and the page: the objects the engine hands to
//! JavaScript (a run's record, the check's verdict...), declared once as Rust structs. Each
//! declaration gives the struct, its conversion to a plain JS object and its TypeScript interface,
//! so `playground.d.ts` (written by `src/bin/contract.rs`) cannot drift from what the engine
//! sends.
//!
//! Why not serde with serde-wasm-bindgen and tsify: the records carry typed arrays (a million
//! spans must not become a million objects), the first visit has a tight size budget, and the
//! whole conversion is the small macro below, specific to these few structs.

use crate::params::schema::{self, Opt};
use crate::params::{FailMode, Figure, LockOrder, Memory, Model, SyncMode, Timers, Workload};

/// A value's TypeScript type.
pub trait TsType {
    /// The type, as TypeScript source.
    fn ts() -> String;
    /// Whether the field may be absent (`key?: T`).
    fn optional() -> bool {
        false
    }
    /// The members a struct declared with `js_object!` spreads into another's interface (see
    /// [`SPREAD`]); nothing for other types.
    fn members() -> String {
        String::new()
    }
}

/// The JS key that spreads a field's own fields into the object that holds it, instead of
/// nesting them: the span and wait columns are declared once and spread into both the live
/// snapshot and the record.
pub const SPREAD: &str = "..";

macro_rules! ts_as {
    ($ts:literal: $($t:ty),+) => { $(impl TsType for $t { fn ts() -> String { $ts.into() } })+ };
}
ts_as!("number": f64, u32, u8);
ts_as!("boolean": bool);
ts_as!("string": String, &'static str);

impl<T: TsType> TsType for Option<T> {
    fn ts() -> String {
        T::ts()
    }
    fn optional() -> bool {
        true
    }
}

impl<T: TsType> TsType for Vec<T> {
    fn ts() -> String {
        format!("{}[]", T::ts())
    }
}

/// A value that is `null` in JS when absent (where `Option` leaves the key out).
#[derive(Clone, Debug, PartialEq)]
pub struct OrNull<T>(pub Option<T>);

impl<T> Default for OrNull<T> {
    fn default() -> OrNull<T> {
        OrNull(None)
    }
}

impl<T: TsType> TsType for OrNull<T> {
    fn ts() -> String {
        format!("{} | null", T::ts())
    }
}

/// Numbers that cross as one typed array, not one JS number each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct F64s(pub Vec<f64>);
/// See [`F64s`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct U32s(pub Vec<u32>);
/// See [`F64s`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct U8s(pub Vec<u8>);
ts_as!("Float64Array": F64s);
ts_as!("Uint32Array": U32s);
ts_as!("Uint8Array": U8s);

#[cfg(target_arch = "wasm32")]
mod to_js {
    //! How the column types above cross to JS: each as one typed array, and `OrNull` as `null`.
    use super::{F64s, OrNull, U8s, U32s};
    use crate::js::ToJs;
    use wasm_bindgen::JsValue;

    impl<T: ToJs> ToJs for OrNull<T> {
        fn to_js(&self) -> JsValue {
            self.0.as_ref().map_or(JsValue::NULL, T::to_js)
        }
    }

    macro_rules! to_js_typed_array {
        ($($t:ty => $a:ty),+) => { $(impl ToJs for $t { fn to_js(&self) -> JsValue { <$a>::from(&self.0[..]).into() } })+ };
    }
    to_js_typed_array!(F64s => js_sys::Float64Array, U32s => js_sys::Uint32Array, U8s => js_sys::Uint8Array);
}

macro_rules! ts_names {
    ($($t:ty),+) => {$(
        impl TsType for $t {
            fn ts() -> String {
                <$t>::EVERY.iter().map(|v| schema::json_str(v.name())).collect::<Vec<_>>().join(" | ")
            }
        }
    )+};
}
ts_names!(Model, Workload, Timers, FailMode, SyncMode, LockOrder, Memory, Figure);

/// One line of a TypeScript doc comment per doc line.
fn doc_comment(lines: &[&str], indent: &str) -> String {
    match lines {
        [] => String::new(),
        [one] => format!("{indent}/**{one} */\n"),
        many => {
            let body: String = many.iter().map(|l| format!("{indent} *{l}\n")).collect();
            format!("{indent}/**\n{body}{indent} */\n")
        }
    }
}

/// Declares a struct that crosses to JS as a plain object with these JS keys, with its
/// TypeScript interface. `extra` adds TypeScript members the engine defines another way;
/// `pub struct Name: Default` also derives `Default`; a field keyed [`SPREAD`] spreads its own
/// fields into this object.
macro_rules! js_object {
    (
        $(#[doc = $sdoc:literal])*
        $(extra = $extra:expr;)?
        pub struct $T:ident $(: $derive:ident)? {
            $( $(#[doc = $doc:literal])* pub $f:ident: $ty:ty => $js:literal, )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Clone, Debug, PartialEq $(, $derive)?)]
        pub struct $T {
            $( $(#[doc = $doc])* pub $f: $ty, )*
        }

        impl TsType for $T {
            fn ts() -> String {
                stringify!($T).into()
            }
            fn members() -> String {
                let mut s = String::new();
                $(
                    if $js == SPREAD {
                        s.push_str(&<$ty as TsType>::members());
                    } else {
                        s.push_str(&doc_comment(&[$($doc),*], "  "));
                        let q = if <$ty as TsType>::optional() { "?" } else { "" };
                        s.push_str(&format!("  readonly {}{q}: {};\n", $js, <$ty as TsType>::ts()));
                    }
                )*
                s
            }
        }

        impl $T {
            /// The TypeScript interface of this object.
            pub fn interface() -> String {
                let mut s = doc_comment(&[$($sdoc),*], "");
                s.push_str(&format!("export interface {} {{\n", stringify!($T)));
                s.push_str(&<$T as TsType>::members());
                $( s.push_str(&$extra); )?
                s.push_str("}\n");
                s
            }
        }

        #[cfg(target_arch = "wasm32")]
        impl crate::js::ToJs for $T {
            fn to_js(&self) -> wasm_bindgen::JsValue {
                let o = js_sys::Object::new();
                self.set_on(&o, SPREAD);
                o.into()
            }
            fn set_on(&self, o: &js_sys::Object, key: &str) {
                if key != SPREAD {
                    return crate::js::set(o, key, self.to_js());
                }
                $( crate::js::ToJs::set_on(&self.$f, o, $js); )*
            }
        }
    };
}

js_object! {
    /// A task that failed, and why.
    pub struct TaskError {
        /// The task's id.
        pub id: u32 => "id",
        /// The error it failed with.
        pub message: String => "message",
    }
}

js_object! {
    /// A lane of the timeline: the event loop, a thread or a process.
    pub struct LaneInfo {
        /// The lane's number: 0 the event loop, k thread k, 2000 + k process k + 1.
        pub lane: u32 => "lane",
        /// Its name on screen ("event loop", "thread 2", "process 1").
        pub label: String => "label",
        /// Rows its bars need so that none overlap.
        pub rows: u32 => "rows",
    }
}

js_object! {
    /// A line the run's program printed.
    pub struct OutputLine {
        /// When, ms on the run's clock.
        pub at_ms: f64 => "atMs",
        /// The lane of the task that printed it (0, the event loop, for the closing lines).
        pub lane: u32 => "lane",
        /// What it printed.
        pub text: String => "text",
    }
}

js_object! {
    /// Tasks' spans as columns, one typed array per field, in start order: a million tasks
    /// cross as six arrays, never as a million objects. The live snapshot and the record both
    /// spread these fields.
    pub struct SpanColumns: Default {
        /// Each task's id; the other span arrays follow this order.
        pub id: U32s => "spanId",
        /// Each span's lane.
        pub lane: U32s => "spanLane",
        /// Each span's row in its lane (the lowest free when it started).
        pub row: U32s => "spanRow",
        /// Each span's start, ms on the run's clock (0 = run start).
        pub start: F64s => "spanStart",
        /// Each span's end, ms on the run's clock (NaN while the task runs, in a live snapshot).
        pub end: F64s => "spanEnd",
        /// Each span's state, an index into the span states ("done", "failed", "cancelled"...).
        pub state: U8s => "spanState",
    }
}

js_object! {
    /// Stretches threads spent waiting for the GIL or a lock, as columns like the spans'.
    pub struct WaitColumns: Default {
        /// Each wait's lane.
        pub lane: F64s => "waitLane",
        /// The task that waited.
        pub id: U32s => "waitId",
        /// What was waited for: 0 the GIL, 1 a lock.
        pub kind: U8s => "waitKind",
        /// When each began, ms on the run's clock.
        pub start: F64s => "waitStart",
        /// When each ended, ms on the run's clock (NaN while it lasts, in a live snapshot).
        pub end: F64s => "waitEnd",
    }
}

js_object! {
    /// Who held the simulated GIL, from when to when, as columns like the spans' (threads runs
    /// with the GIL; empty otherwise).
    pub struct GilColumns: Default {
        /// Each hold's thread: its lane (thread k is k).
        pub holder: U32s => "gilHolder",
        /// When it took the GIL, ms on the run's clock.
        pub start: F64s => "gilStart",
        /// When it dropped it, ms on the run's clock (NaN while it holds it, in a live snapshot).
        pub end: F64s => "gilEnd",
    }
}

js_object! {
    /// Each task's life split as tokio-console splits it, as columns in the order of the span
    /// columns (`spanId`): busy + scheduled + idle is the task's life, from the run's start (when
    /// `asyncio.gather` created every task, or the threads' queue or the loop had every task) to
    /// its end. Async runs on the playground's executor, threads runs and sequential runs; a run of more than 10,000 tasks keeps them for every k-th task
    /// (`accountedEvery`), in the same order.
    pub struct TaskTimeColumns: Default {
        /// Ms the task was being polled (running on the event loop); for threads and the
        /// sequential loop, ms it ran (a thread ready but off a core included: no page sees it).
        pub busy: F64s => "busyMs",
        /// Ms the task was woken (or new) and waiting in the ready queue for its turn; for threads,
        /// until a thread took it; for the sequential loop, until the tasks before it ended.
        pub scheduled: F64s => "scheduledMs",
        /// Ms the task waited for a wake-up (a timer, a request, a lock, a place under `limit`);
        /// for threads and the sequential loop, ms it blocked (a sleep, a request, a lock, the GIL).
        pub idle: F64s => "idleMs",
        /// Times the task was polled (async runs; empty for threads and sequential runs, which
        /// run a task to its end in one go).
        pub polls: U32s => "polls",
    }
}

js_object! {
    /// How late the convoy's waiting threads woke from their 1 ms sleeps, in ms.
    pub struct WakeLate: Default {
        /// The median lateness, in ms (null without a wake-up).
        pub median: OrNull<f64> => "median",
        /// The 90th percentile, in ms (null without a wake-up).
        pub p90: OrNull<f64> => "p90",
        /// Wake-ups measured.
        pub count: u32 => "count",
    }
}

js_object! {
    /// The event loop's turns under the playground's executor, as columns: each turn is a slice
    /// of polls between two returns to the browser (at most 8 ms while tasks are ready); between
    /// turns the loop is idle, or the browser has it. Async runs only; at most 16,384 turns.
    pub struct LoopColumns: Default {
        /// When each turn began, ms on the run's clock.
        pub start: F64s => "loopTurnStart",
        /// When each turn ended, ms on the run's clock.
        pub end: F64s => "loopTurnEnd",
        /// Polls each turn made.
        pub polls: U32s => "loopTurnPolls",
        /// Tasks ready to run (the ready queue's length) when each turn ended: woken, or made by
        /// gather and not started yet.
        pub ready: U32s => "loopTurnReady",
    }
}

js_object! {
    /// How late the event loop's timers fired: from a timer's deadline to its task's poll, ms.
    pub struct Lateness {
        /// Half the timers fired at most this late.
        pub median: f64 => "median",
        /// Nine in ten fired at most this late.
        pub p90: f64 => "p90",
        /// The latest.
        pub max: f64 => "max",
    }
}

js_object! {
    /// Diagnostics of the engine, from `stats()`. Wasm memory only grows (pages are never
    /// returned), so a leak shows as growth across repeated runs.
    pub struct Stats {
        /// The module's memory, in bytes.
        pub wasm_memory_bytes: f64 => "wasmMemoryBytes",
        /// Heap in use, in bytes.
        pub heap_bytes: f64 => "heapBytes",
        /// Threads of the pool.
        pub workers: u32 => "workers",
        /// Threads started past the pool by runs that needed more (kept for later runs).
        pub task_threads: u32 => "taskThreads",
        /// Process workers kept for later runs.
        pub processes: u32 => "processes",
        /// Runs finished since the module loaded.
        pub runs: u32 => "runs",
    }
}

js_object! {
    /// One figure of "Cost of the machinery", from `costs()`: what the engine measured for the
    /// latest run of a model, with why it is what it is.
    pub struct CostRow {
        /// What is measured.
        pub name: String => "name",
        /// The figure, with its unit.
        pub value: String => "value",
        /// Why it differs, in a sentence or two.
        pub why: String => "why",
    }
}

js_object! {
    /// A piece of the Rust code that ran, from `rustCode()`: an excerpt of a runner's source.
    pub struct Snippet {
        /// The excerpt's name.
        pub name: &'static str => "name",
        /// Its code.
        pub code: String => "code",
    }
}

js_object! {
    /// The detail of the `start` and `end` events around one `run()` call.
    pub struct RunCall {
        /// The model asked for: a model's name, or "all".
        pub model: String => "model",
    }
}

js_object! {
    /// The detail of the `runstart` event: one model of a `run()` call begins.
    pub struct RunStart {
        /// The model.
        pub model: Model => "model",
        /// Its tasks.
        pub tasks: u32 => "tasks",
        /// What the model predicts, in ms, or null.
        pub ideal_ms: OrNull<f64> => "idealMs",
        /// How often the page redraws the live figure during this run, in ms (`live::frame_ms`).
        pub frame_ms: u32 => "frameMs",
    }
}

js_object! {
    /// The run under way as the page draws it live, from `live()`.
    pub struct LiveSnapshot {
        /// Ms since the run started.
        pub elapsed_ms: f64 => "elapsedMs",
        /// Tasks in the run.
        pub total: u32 => "total",
        /// Tasks started so far.
        pub started: u32 => "started",
        /// Tasks ended so far.
        pub done: u32 => "done",
        /// Tasks started and not ended.
        pub in_flight: u32 => "inFlight",
        /// Whether the run is watched task by task (at most 10,000 tasks); otherwise only the
        /// counters above are live.
        pub watched: bool => "watched",
        /// The lanes used so far, with the rows each needed.
        pub lanes: Vec<LaneInfo> => "lanes",
        /// Started tasks' spans, in start order; an end is NaN while its task runs.
        pub spans: SpanColumns => "..",
        /// What the tasks printed so far: the first and latest 50 lines.
        pub output: Vec<OutputLine> => "output",
        /// Waits seen so far (threads waiting for the GIL or a lock, sampled once per call); an end
        /// is NaN while its wait lasts.
        pub waits: WaitColumns => "..",
        /// The GIL's holders so far; the current one's end is NaN.
        pub gil_holds: GilColumns => "..",
        /// Times the GIL changed hands so far (threads runs with the GIL), else absent.
        pub gil_handoffs: Option<u32> => "gilHandoffs",
        /// Tasks ready to run at the event loop's last turn (async runs on the playground's
        /// executor), or null.
        pub ready: OrNull<u32> => "ready",
        /// The latest a timer of the loop fired so far, in ms, or null (none fired yet).
        pub timer_late_ms: OrNull<f64> => "timerLateMs",
        /// The event loop in a sentence (its ready queue, its timers' lateness), or null.
        pub loop_line: OrNull<String> => "loopLine",
    }
}

js_object! {
    /// A refused option.
    pub struct OptionError {
        /// The option's name (for an unknown option, the name it was given as).
        pub field: String => "field",
        /// A sentence naming the option and the allowed range.
        pub message: String => "message",
    }
}

js_object! {
    /// A run a check would make.
    pub struct PlannedRun {
        /// Its model.
        pub model: Model => "model",
        /// What the model predicts, in ms; null where no model predicts the time (the counter).
        pub ideal_ms: OrNull<f64> => "idealMs",
    }
}

js_object! {
    /// The run under way, as `progress()` reports it.
    pub struct Progress {
        /// Tasks that ended.
        pub done: u32 => "done",
        /// Tasks that started (on their thread, for threads: not when queued).
        pub started: u32 => "started",
        /// Tasks started and not ended: under way right now.
        pub in_flight: u32 => "inFlight",
        /// Tasks in the run.
        pub total: u32 => "total",
        /// Ms since the run started, on the run's clock.
        pub elapsed_ms: f64 => "elapsedMs",
    }
}

js_object! {
    /// The verdict of `check(options)`.
    pub struct Verdict {
        /// Whether the options may run.
        pub ok: bool => "ok",
        /// Every refused option.
        pub errors: Vec<OptionError> => "errors",
        /// The runs they make (`model: "all"` makes several).
        pub runs: Vec<PlannedRun> => "runs",
    }
}

js_object! {
    /// What the page asks the learner before a run with `predict` (one per model of the run).
    pub struct Question {
        /// The model the run uses.
        pub model: Model => "model",
        /// The figure asked for: the record's field that will hold the measured one.
        pub figure: Figure => "figure",
        /// The question, in a sentence.
        pub prompt: String => "prompt",
    }
}

js_object! {
    /// A learner's prediction of a run's headline figure (the one its `Question` asks for).
    pub struct Prediction {
        /// The elapsed time predicted, in ms (sleep, fetch, CPU and convoy runs).
        pub elapsed_ms: Option<f64> => "elapsedMs",
        /// The lost updates predicted (counter runs).
        pub lost_updates: Option<f64> => "lostUpdates",
        /// Whether the run was predicted to deadlock (deadlock runs).
        pub deadlock: Option<bool> => "deadlock",
    }
}

js_object! {
    /// A prediction compared with what the run measured.
    pub struct Judgement {
        /// The figure compared.
        pub figure: Figure => "figure",
        /// Whether the prediction was close: an elapsed time within 25 % or 100 ms, lost updates
        /// within 25 % or 1 % of the updates made, a deadlock's yes or no right.
        pub close: bool => "close",
        /// The prediction, the measured figure and why, in one sentence.
        pub sentence: String => "sentence",
    }
}

js_object! {
    /// The record of one run: its options, what happened and every task's span.
    extra = record_extra();
    pub struct Record: Default {
        /// The model that ran.
        pub model: Model => "model",
        /// How many tasks.
        pub tasks: u32 => "tasks",
        /// Ms each task waited or computed.
        pub delay: u32 => "delay",
        /// Pool threads the run used (threads model); 1 otherwise.
        pub threads: u32 => "threads",
        /// Processes the run used (processes model); 0 otherwise.
        pub processes: u32 => "processes",
        /// What each task did.
        pub workload: Workload => "workload",
        /// Whether threads shared a simulated GIL.
        pub gil: bool => "gil",
        /// Where the threads kept their memory (threads runs): "shared", one wasm memory as
        /// Python's threads have, or "separate", a Web Worker with a wasm instance each where the
        /// page has no shared memory (the timings are those of threads; what needs shared memory
        /// is refused there).
        pub memory: Option<Memory> => "memory",
        /// The GIL's switch interval, in ms (runs with the GIL).
        pub switch_interval: Option<f64> => "switchInterval",
        /// Whether async tasks blocked the event loop instead of awaiting.
        pub blocking: bool => "blocking",
        /// How async tasks waited (async runs only).
        pub timers: Option<Timers> => "timers",
        /// What async did when a task failed (async runs only).
        pub fail_mode: Option<FailMode> => "failMode",
        /// The task asked to fail, or null.
        pub fail: OrNull<u32> => "fail",
        /// Times each task added 1 to the shared counter (counter runs).
        pub increments: Option<u32> => "increments",
        /// How the counter's update was guarded (counter runs).
        pub sync: Option<SyncMode> => "sync",
        /// Whether async tasks awaited between the counter's read and write.
        pub await_inside: bool => "awaitInside",
        /// The order the tasks took the two locks in (deadlock runs).
        pub lock_order: Option<LockOrder> => "lockOrder",
        /// At most this many async tasks were in flight (a semaphore), or null.
        pub limit: OrNull<u32> => "limit",
        /// Whether async tasks handed their CPU or blocking part to the thread pool.
        pub offload: bool => "offload",
        /// From the run's start until its last task ended (or it stopped), in ms.
        pub elapsed_ms: f64 => "elapsedMs",
        /// What the model predicts, in ms; null where no model predicts the time: the counter's
        /// time is its updates (see `nsPerUpdate`).
        pub ideal_ms: OrNull<f64> => "idealMs",
        /// When the ideal has the tasks go in rounds, how many it has in flight at once (fewer
        /// than the tasks): the ideal is then ceil(tasks / idealInFlight) × delay. Null when all
        /// go at once, when the cores rather than the rounds set the ideal, or with no ideal.
        /// (Named `atOnce` before; that name still reads it, for one release.)
        pub ideal_in_flight: OrNull<u32> => "idealInFlight",
        /// Whether the run was stopped before every task finished.
        pub stopped: bool => "stopped",
        /// Whether a worker thread died (the engine must restart).
        pub crashed: bool => "crashed",
        /// Whether the page was hidden at some moment of the run (background tabs slow timers).
        pub distorted: bool => "distorted",
        /// Tasks that finished their work.
        pub finished: u32 => "finished",
        /// Tasks that failed.
        pub failed: u32 => "failed",
        /// Tasks cancelled because another failed.
        pub cancelled: u32 => "cancelled",
        /// The first error, or null.
        pub error: OrNull<String> => "error",
        /// Every failed task.
        pub errors: Vec<TaskError> => "errors",
        /// Sentences about this run that qualify its figures.
        pub notes: Vec<String> => "notes",
        /// What the run shows, in sentences the page shows beside it as they are: one on the
        /// run's effect (or its failure, or its stop), then the `notes`.
        pub explanation: String => "explanation",
        /// What the run's program printed, in the order it happened: a line when each task
        /// started and ended, the results, the elapsed time (the first and last 50 task lines of a
        /// long run, with a line saying how many were left out).
        pub output: Vec<OutputLine> => "output",
        /// Most tasks in flight at one moment.
        pub peak_in_flight: u32 => "peakInFlight",
        /// The most the event loop ran a 10 ms timer late during the run, in ms. (In Firefox it
        /// can be a few blocking tasks long: the engine's queued work seems to run before a
        /// timer that came due meanwhile.)
        pub event_loop_lag_ms: f64 => "eventLoopLagMs",
        /// The longest the run held the page's thread in one go, in ms: meanwhile the page could
        /// not paint, answer input or run anything else.
        pub event_loop_busy_ms: f64 => "eventLoopBusyMs",
        /// Heap the run used at its peak, in bytes.
        pub heap_peak_bytes: f64 => "heapPeakBytes",
        /// `heapPeakBytes` per task.
        pub heap_bytes_per_task: f64 => "heapBytesPerTask",
        /// Time to create and start one async task, in µs: async runs that do not block, have no
        /// `limit`, and took long enough to start for the clock to move.
        pub task_start_us: Option<f64> => "taskStartUs",
        /// Time to start one thread, in ms (threads runs): a pool thread's, or for a run with
        /// threads of its own, one of those (measured when they were started).
        pub thread_start_ms: Option<f64> => "threadStartMs",
        /// Memory one thread added, in bytes (threads runs): a pool thread's wasm memory, or one
        /// of the run's own threads' heap (its stack, thread-local storage and instance).
        pub thread_bytes: Option<f64> => "threadBytes",
        /// Threads a run with more threads than the pool started for itself (0: they were left
        /// from an earlier run); absent when the run used the pool.
        pub threads_started: Option<u32> => "threadsStarted",
        /// Time that run spent starting them, in ms: part of `elapsedMs`, as starting threads is
        /// part of a Python program's time.
        pub threads_start_ms: Option<f64> => "threadsStartMs",
        /// How long the run waited for the worker pool to finish starting before it began, in ms;
        /// not part of `elapsedMs` (threads runs).
        pub pool_wait_ms: Option<f64> => "poolWaitMs",
        /// Processes started for this run (processes runs).
        pub processes_started: Option<u32> => "processesStarted",
        /// Time to start one process, in ms (processes runs).
        pub process_start_ms: Option<f64> => "processStartMs",
        /// Checksum of the CPU work, in hex (cpu runs).
        pub checksum: Option<String> => "checksum",
        /// Loop iterations of one task's CPU work (cpu runs).
        pub iterations_per_task: Option<f64> => "iterationsPerTask",
        /// The work's own length (tasks × delay) over elapsed (cpu runs).
        pub speedup: Option<f64> => "speedup",
        /// Counter updates the tasks made: tasks × increments (counter runs).
        pub counter_expected: Option<f64> => "counterExpected",
        /// The shared counter at the end (counter runs; for processes, the page's own counter,
        /// which no process can reach).
        pub counter_final: Option<f64> => "counterFinal",
        /// `counterExpected − counterFinal`: updates overwritten by another task's (counter runs
        /// that share one counter; not processes).
        pub lost_updates: Option<f64> => "lostUpdates",
        /// Elapsed time per counter update, in ns (counter runs).
        pub ns_per_update: Option<f64> => "nsPerUpdate",
        /// Each process's own count, process 1 first (counter runs of the processes model).
        pub process_counts: Option<Vec<f64>> => "processCounts",
        /// Time tasks spent waiting for a lock, summed over tasks, in ms (counter with a lock,
        /// deadlock).
        pub lock_wait_ms: Option<f64> => "lockWaitMs",
        /// Whether the run ended in a deadlock, found in its wait-for graph.
        pub deadlock: bool => "deadlock",
        /// The cycle of waits, in a sentence ("thread 1 holds A and waits for B; ..."), or null.
        pub deadlock_cycle: OrNull<String> => "deadlockCycle",
        /// From the moment the cycle formed (its last wait began) until the engine found it, in ms.
        pub deadlock_detect_ms: Option<f64> => "deadlockDetectMs",
        /// When the run started: ms since the epoch, as `performance.timeOrigin + now()`.
        pub started_at: f64 => "startedAt",
        /// The lanes used, in order.
        pub lanes: Vec<LaneInfo> => "lanes",
        /// Finished tasks' spans, in start order.
        pub spans: SpanColumns => "..",
        /// Waits for the GIL or a lock.
        pub waits: WaitColumns => "..",
        /// Who held the GIL, from when to when (threads runs with the GIL; at most 200,000
        /// holds, a thread's holds merged when nobody held it in between).
        pub gil_holds: GilColumns => "..",
        /// Times the GIL was taken by another thread than the one that held it last (threads runs
        /// with the GIL).
        pub gil_handoffs: Option<u32> => "gilHandoffs",
        /// What one hand-off of the GIL took, mean over the run's hand-offs, in ms: the waiting
        /// thread's message to the page and the grant's way back, timed as the thread's wait for
        /// the lock (on its clock) less the time the page kept it queued behind the holder (threads
        /// of separate memory with the GIL, where the GIL is handed by messages; absent on shared
        /// memory, where the gaps between `gilEnd` and the next `gilStart` are the hand-offs).
        pub gil_handoff_ms: Option<f64> => "gilHandoffMs",
        /// How late the waiting threads woke from their 1 ms sleeps (convoy runs).
        pub wake_late_ms: Option<WakeLate> => "wakeLateMs",
        /// Each task's busy, scheduled and idle ms and its polls (async runs on the playground's
        /// executor; busy, scheduled and idle for threads runs and sequential runs; empty arrays
        /// otherwise).
        pub task_times: TaskTimeColumns => "..",
        /// The tasks `busyMs`... cover: every task (1), or for a run of more than 10,000 tasks
        /// every k-th (ids 0, k, 2k...); absent when the run has no such accounting.
        pub accounted_every: Option<u32> => "accountedEvery",
        /// What `busyMs`, `scheduledMs` and `idleMs` mean for this run, in one sentence the task
        /// table shows, where it differs from the event loop's (threads and sequential runs, which
        /// have no polls); null otherwise.
        pub task_times_note: OrNull<String> => "taskTimesNote",
        /// How late the loop's timers fired, deadline to poll, in ms (async runs on the
        /// playground's executor whose tasks waited on timers); median and p90 over the
        /// accounted tasks, max over all.
        pub timer_late_ms: Option<Lateness> => "timerLateMs",
        /// The event loop's turns (async runs on the playground's executor).
        pub loop_turns: LoopColumns => "..",
        /// Most requests under way at once, like aiohttp's `TCPConnector(limit=)` (async fetch
        /// runs), or null: no limit.
        pub connections: OrNull<u32> => "connections",
        /// How long a request could take before its task failed, in ms (fetch runs).
        pub timeout_ms: Option<u32> => "timeoutMs",
        /// What answered the requests, as their responses said: "service worker", "server",
        /// "service worker and server", or null (none answered).
        pub answered_by: OrNull<String> => "answeredBy",
        /// Most requests in flight at once where they were answered, measured from the times
        /// they arrived there (fetch runs). (Named `requestsPeak` before; that name still reads
        /// it, for one release.)
        pub peak_requests_in_flight: Option<u32> => "peakRequestsInFlight",
    }
}

/// Old names of record fields, each with the field it now reads: a record answers to both for
/// one release (the old name as a getter of the new field).
pub const RECORD_ALIASES: &[(&str, &str)] =
    &[("atOnce", "idealInFlight"), ("requestsPeak", "peakRequestsInFlight")];

mod scheduler;
pub use scheduler::*;

/// The TypeScript members a record has besides its fields: the `spans` getter and the old names.
fn record_extra() -> String {
    let spans = "  /**
   * Every finished task as an object, made from the typed arrays when first read (a million
   * tasks never become a million objects unless this is read).
   */
  readonly spans: Span[];
";
    let aliases = RECORD_ALIASES.iter().map(|(old, new)| {
        format!("  /** @deprecated the old name of `{new}`. */\n  readonly {old}?: Record[\"{new}\"];\n")
    });
    std::iter::once(spans.to_string()).chain(aliases).collect()
}

/// The TypeScript of the public API (`www/playground.js`), around the generated interfaces.
const API_TS: &str = r#"
/** A task's span, on the run's clock (0 = run start). */
export interface Span {
  readonly id: number;
  readonly lane: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly state: SpanState;
}


/** The result of `run({ model: "all" })`: one record per model, in turn. */
export interface AllRecord {
  readonly model: "all";
  readonly runs: Record[];
}

/** What this page can do. */
export interface Capabilities {
  /**
   * Whether threads run here (the pool may still be starting: see `threadsReady`): true once the
   * engine is ready, on shared memory or separate (see `memory`).
   */
  threads: boolean;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Threads of the pool started at load (threads runs up to this size use it). */
  poolSize: number;
  /**
   * Most threads a threads run may have here: past the pool, a run starts one Web Worker per
   * thread; this is the most this browser holds (0 without threads).
   */
  maxThreads: number;
  /** How long the pool took to start, once it has; null before. */
  poolStartMs: number | null;
  /**
   * Whether the pool starts with the first threads run (which waits for it, outside its elapsed
   * time) rather than in the background once the engine is ready: true in the embed view
   * (`embed=1`), since a documentation page may hold many embeds.
   */
  poolOnDemand: boolean;
  /**
   * Where threads runs keep their memory here: "shared" (the threaded build's pool, on a
   * cross-origin-isolated page with WebAssembly threads) or "separate" (Web Workers with a wasm
   * instance each, everywhere else: the timings are those of threads, and what needs shared
   * memory is refused with the reason).
   */
  memory: "shared" | "separate";
  /**
   * Why threads have no shared memory here (so `memory` is "separate"), in one sentence, or null.
   */
  reason: string | null;
  /** Whether the fetch workload can run here (something answers its requests). */
  fetch: boolean;
  /**
   * What answers the fetch workload's requests: "service worker" (the page's own, with no
   * connection limit), "server" (./build.sh serve, at most 6 connections from a browser), or null.
   * On a first visit `ready` does not wait for the service worker to take control of the page
   * (a few hundred ms): a fetch run asked for before then waits for it, outside its elapsed time.
   */
  fetchAnsweredBy: "service worker" | "server" | null;
  /** Why the fetch workload cannot run here, in one sentence, or null. */
  fetchReason: string | null;
}


/** One Chrome trace event (the Trace Event Format that Perfetto and DevTools open). */
export interface TraceEvent {
  /** "X": a complete event (a task, or a wait for the GIL); "M": metadata (names, order). */
  readonly ph: "X" | "M";
  readonly name: string;
  readonly cat?: string;
  /** Start, in microseconds on the run's clock. */
  readonly ts?: number;
  /** Duration, in microseconds. */
  readonly dur?: number;
  /** 1 for a run; 1, 2, 3 for the runs of `model: "all"`, in turn. */
  readonly pid: number;
  /** The lane (0 event loop, k thread k, 2000 + k process k + 1); rows after a lane's first have tids from 10,000,000. */
  readonly tid: number;
  readonly args?: { readonly [key: string]: string | number };
}

/** A run as a trace file: `JSON.stringify` it and open it in Perfetto or DevTools. */
export interface TraceFile {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: "ms";
}

/** The error `run()` rejects with: `field` names the refused option. */
export interface OptionRefusal extends Error {
  /** The first refused option's name. */
  field?: string;
  /** Every refused option. */
  errors?: OptionError[];
}

/** One option of the schema: everything the form, the URL and the checks know of it. */
export interface SchemaOption {
  readonly name: OptionName;
  readonly aliases: readonly string[];
  readonly label: string;
  readonly kind: "whole" | "decimal" | "choice" | "switch";
  readonly min?: number;
  readonly max?: number | null;
  /** Where a range's upper end comes from when it is not fixed. */
  readonly maxFrom?: "maxThreads" | "tasks" | null;
  readonly unit?: string;
  readonly choices?: readonly { readonly value: string; readonly label: string }[];
  readonly default: number | string | boolean | null;
  readonly hint: string;
  readonly models: readonly ModelName[];
  readonly group: "buttons" | "basic" | "more";
}

export interface Schema {
  readonly options: readonly SchemaOption[];
  readonly models: readonly ModelName[];
  readonly allModels: readonly ModelName[];
}

export interface Playground {
  /**
   * Resolves to `capabilities` once the engine is loaded: async and sequential runs work at once;
   * the worker pool starts after it.
   */
  readonly ready: Promise<Capabilities>;
  /**
   * Resolves once the worker pool has started, to its start time in ms (null without a pool:
   * threads of separate memory start when a run needs them).
   * The full page starts it right after `ready`; an embed when a run first needs threads. A
   * threads run asked for earlier waits for it, outside its elapsed time (`poolWaitMs`).
   */
  readonly threadsReady: Promise<number | null>;
  readonly capabilities: Capabilities;
  /** Every option, described once (generated from the engine's Rust). */
  readonly schema: Schema;
  /** Runs; rejects with an `OptionRefusal` naming the refused option. */
  run(options?: RunOptions & { model?: ModelName }): Promise<Record>;
  run(options: RunOptions & { model: "all" }): Promise<AllRecord>;
  run(options?: RunOptions): Promise<Record | AllRecord>;
  check(options?: RunOptions): Promise<Verdict>;
  progress(): Progress | null;
  /** The run under way as drawn live, or null when idle. */
  live(): LiveSnapshot | null;
  stop(): Promise<boolean>;
  stats(): Stats | null;
  /**
   * The runner source excerpts that ran, for the code panel: `options` are the options that change
   * the code, `{ offload, limit, memory }` (a record will do). Their text comes from
   * `snippets.json` next to the page, fetched on the first call.
   */
  rustCode(
    model: string,
    workload?: string,
    blocking?: boolean,
    timers?: string,
    options?: { offload?: boolean; limit?: number | null; memory?: "shared" | "separate" },
  ): Promise<Snippet[]>;
  /** "Cost of the machinery": the latest run of each model's costs, each with why. */
  costs(): CostRow[];
  /**
   * What a demonstration of the comparison table showed, in one sentence written by the engine:
   * `key` is a row's (`model`, `best-for`, `cpu`, `overhead`, `complexity`, `errors`) or a
   * verdict's (`io`, `blocking`, `cpu`), over the records of the latest `runs` runs (the
   * demonstration's own, in order). Null for an unknown key or when a run it needs is missing.
   */
  demoSentence(key: string, runs: number): string | null;
  /**
   * What to ask before a run of `options` with `predict`: one question per model it runs, or
   * none when the options are refused (the run then says why).
   */
  questions(options?: RunOptions): Promise<Question[]>;
  /**
   * The learner's prediction compared with what `record` measured, in one sentence that says
   * why; null when the prediction does not give the figure the run asks for.
   */
  judge(record: Record, prediction: Prediction): Judgement | null;
  /** `start`/`end` around each `run()`, `runstart`/`runend`/`runerror` per model. */
  readonly events: EventTarget;
  /** "You are the scheduler" (see `Scheduler`). */
  readonly scheduler: Scheduler;
  /**
   * The run as Chrome trace-event JSON: one complete event per task (`ph: "X"`, `ts`/`dur` in µs,
   * `pid` per model, `tid` per lane), thread names, and GIL waits as their own events. Built in
   * slices that give the page back between them, so a million tasks never freeze it.
   */
  trace(record: Record | AllRecord): Promise<TraceFile>;
}

export declare const playground: Playground;
export declare const schema: Schema;
"#;

/// `playground.d.ts`: the public API's types.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated by `cargo run --bin contract` (src/contract.rs, src/params/schema.rs): do not edit.\n",
    );
    let names: Vec<String> = Opt::ALL.iter().map(|o| schema::json_str(o.name())).collect();
    out.push_str(&format!(
        "\n/** The name of an option. */\nexport type OptionName = {};\n",
        names.join(" | ")
    ));
    out.push_str(&format!(
        "\n/** A model's name. */\nexport type ModelName = {};\n",
        <Model as TsType>::ts()
    ));
    out.push_str(
        "\n/** The options of `run()` and `check()`; every one may be left out for its default. */\n",
    );
    out.push_str("export interface RunOptions {\n");
    for o in Opt::ALL {
        let s = o.spec();
        let default = match s.kind {
            schema::Kind::Whole { default: schema::WholeDefault::Value(n), .. } => format!(" Default {n}."),
            schema::Kind::Whole { default: schema::WholeDefault::Cores, .. } => {
                " Default: one per core.".into()
            }
            schema::Kind::Choice(c) => format!(" Default {}.", c[0].0),
            schema::Kind::Decimal { default, .. } => format!(" Default {}.", schema::thousandths(default)),
            _ => String::new(),
        };
        out.push_str(&format!("  /** {}: {}.{default} */\n", s.label, s.hint()));
        out.push_str(&format!("  {}?: {};\n", s.name, schema::ts_type(o)));
        for alias in s.aliases {
            out.push_str(&format!("  /** @deprecated the old name of `{}`. */\n", s.name));
            out.push_str(&format!("  {alias}?: {};\n", schema::ts_type(o)));
        }
    }
    out.push_str("}\n");
    for interface in [
        TaskError::interface(),
        LaneInfo::interface(),
        Lateness::interface(),
        OptionError::interface(),
        PlannedRun::interface(),
        Progress::interface(),
        OutputLine::interface(),
        LiveSnapshot::interface(),
        Verdict::interface(),
        Record::interface(),
        WakeLate::interface(),
        Stats::interface(),
        Snippet::interface(),
        CostRow::interface(),
        RunCall::interface(),
        RunStart::interface(),
        Question::interface(),
        Prediction::interface(),
        Judgement::interface(),
        SchedulerThread::interface(),
        SchedulerWrite::interface(),
        SchedulerLock::interface(),
        SchedulerState::interface(),
    ] {
        out.push('\n');
        out.push_str(&interface);
    }
    out.push_str(scheduler::SCHEDULER_TS);
    out.push_str(API_TS);
    out
}

/// `schema.js`: the schema as an ES module, for the page to render its form before the engine
/// has loaded.
pub fn schema_module() -> String {
    format!(
        "// Generated by `cargo run --bin contract` from src/params/schema.rs: do not edit.\n\
         /** @type {{import(\"./playground\").Schema}} */\n\
         export const schema = {};\n",
        schema::to_json()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_interface_has_every_field() {
        let ts = Record::interface();
        assert!(ts.contains("  readonly delay: number;\n"), "{ts}");
        assert!(ts.contains("  readonly fail: number | null;\n"));
        assert!(ts.contains("  readonly timers?: \"wheel\" | \"per-task\";\n"));
        assert!(ts.contains("  readonly spanStart: Float64Array;\n"));
        assert!(ts.contains("  readonly spans: Span[];\n"));
    }

    #[test]
    fn the_api_types_its_trace_export() {
        let ts = typescript();
        assert!(ts.contains("  trace(record: Record | AllRecord): Promise<TraceFile>;\n"), "{ts}");
        assert!(ts.contains("export interface TraceEvent {"));
        assert!(ts.contains("  readonly traceEvents: TraceEvent[];\n"));
    }

    #[test]
    fn options_are_typed_with_their_aliases() {
        let ts = typescript();
        assert!(ts.contains("  delay?: number | string;\n"), "{ts}");
        assert!(ts.contains("  delayMs?: number | string;\n"));
        assert!(ts.contains(
            "  workload?: \"sleep\" | \"fetch\" | \"cpu\" | \"counter\" | \"deadlock\" | \"convoy\";\n"
        ));
    }
}
