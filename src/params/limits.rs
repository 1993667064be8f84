//! The fixed limits of a run, and what the running engine can do. Each limit is refused up front
//! with its figure (see [`super::rules`]), never hit in the middle of a run.

use super::vocab::Memory;

/// Most tasks of any run: async on the wheel executor, which keeps a pending task in a few tens of
/// bytes, so ten million stay well under the threaded build's 2 GiB ceiling (the bench's memory
/// targets in BENCHMARKS.md give the figure per task).
pub const MAX_TASKS: u32 = 10_000_000;
/// Most tasks of every other model (threads, sequential, processes): each of their tasks is
/// handed over to a queue or a loop one by one, and a million already shows the point.
pub const MAX_TASKS_ELSEWHERE: u32 = 1_000_000;
/// Longest delay of one task, in ms.
pub const MAX_DELAY_MS: u32 = 60_000;
/// Longest ideal elapsed time of a threads or sequential run (5 minutes): a learner waiting longer
/// has asked for something else (a sequential 1,000 x 60 s run would take 17 hours).
pub const MAX_RUN_MS: u64 = 300_000;
/// Longest a run may keep the page's event loop busy: CPU work or a blocking wait on the event
/// loop freezes the page while it runs.
pub const MAX_BUSY_MS: u64 = 5_000;
/// Most tasks with `timers: "per-task"`: each costs a JS closure and a browser timer, and a million
/// would take seconds to set up (BENCHMARKS.md).
pub const MAX_PER_TASK_TIMERS: u32 = 100_000;
/// Most tasks of a fetch run: each is a real HTTP request.
pub const MAX_FETCH_TASKS: u32 = 1_000;
/// Requests a browser keeps open to one HTTP/1.1 server at once (Chromium and Firefox: 6); more
/// wait in the browser's queue, whatever the model.
pub const CONNECTIONS_PER_HOST: u32 = 6;
/// A fetch task's default timeout, in ms: long enough for any ordinary delay, short enough that a
/// stalled request ends while a learner still watches.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

/// CPython's default switch interval, in µs (`sys.getswitchinterval()` is 0.005 s).
pub const DEFAULT_SWITCH_INTERVAL_US: u32 = 5_000;
/// The shortest and longest switch interval a run may ask for, in µs (0.1 to 100 ms).
pub const SWITCH_INTERVAL_US: (u32, u32) = (100, 100_000);
/// Longest timeout of a fetch task, in ms.
pub const MAX_TIMEOUT_MS: u32 = 120_000;
/// Most increments one counter task makes.
pub const MAX_INCREMENTS: u32 = 10_000_000;
/// Most counter updates in one run (tasks × increments): 20 million contended lock updates take
/// seconds, and an async run's updates all happen on the page's event loop.
pub const MAX_COUNTER_UPDATES: u64 = 20_000_000;
/// Most counter updates of an async run with an await inside each: every update is a switch of
/// the event loop (tens of ns each).
pub const MAX_AWAIT_UPDATES: u64 = 5_000_000;
/// Most threads of a threads run where the browser holds that many Web Workers: CPython's
/// one-thread-per-URL program at its scale, which CPython runs at about the cost of one task. A
/// thread is a Web Worker here, and headless Chromium holds this many (BENCHMARKS.md, and the
/// README's "A thread per task"). The page passes the figure for its browser (`configure`).
pub const MAX_THREADS: u32 = 1_000;
/// Most processes (workers with a wasm instance of their own) the processes model starts.
pub const MAX_PROCESSES: u32 = 16;

/// What the running engine can do, which bounds some options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Threads in the started pool; 0 when threads are unavailable.
    pub pool_size: u32,
    /// Most threads a threads run may have: one Web Worker each, as many as this browser holds
    /// (past the pool, a run starts threads of its own).
    pub max_threads: u32,
    /// Logical cores (`navigator.hardwareConcurrency`): the default thread and process counts,
    /// and the ideal time of CPU work.
    pub cores: u32,
    /// Whether the page's server answers latency requests (the fetch workload).
    pub fetch: bool,
    /// Why there are no threads when `pool_size` is 0, and why memory is not shared when
    /// threads have memory of their own (`memory` separate).
    pub no_threads: NoThreads,
    /// Where threads keep their memory: shared (the threaded build's pool, `pool_size` > 0) or
    /// separate (the plain build: threads are Web Workers with a wasm instance each, and there is
    /// no pool to share).
    pub memory: Memory,
}

impl Limits {
    /// A page where everything is available: a started pool of 16 threads, up to
    /// [`MAX_THREADS`] threads, two cores and a server that answers fetches. The tests' page: a
    /// test that needs less takes one thing away (`Limits { pool_size: 0, ..Limits::all_allowed() }`).
    pub const fn all_allowed() -> Limits {
        Limits {
            pool_size: 16,
            max_threads: MAX_THREADS,
            cores: 2,
            fetch: true,
            no_threads: NoThreads::NotIsolated,
            memory: Memory::Shared,
        }
    }

    /// Whether threads runs can run here: on the shared pool, or on threads of separate memory.
    pub fn has_threads(&self) -> bool {
        self.pool_size > 0 || self.memory == Memory::Separate
    }
}

/// Why a page has no threads: the refusal of a threads run says which.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NoThreads {
    /// The page is not cross-origin isolated, so browsers share no memory with workers.
    #[default]
    NotIsolated,
    /// The page is isolated but this browser has no WebAssembly threads (SharedArrayBuffer).
    Unsupported,
}

impl NoThreads {
    /// Reads the code the page passes (`not-isolated` or `unsupported`).
    pub fn parse(code: &str) -> NoThreads {
        if code == "unsupported" { NoThreads::Unsupported } else { NoThreads::NotIsolated }
    }

    /// Why this page's threads have memory of their own, as a clause ("this page is not ...").
    pub fn why_separate(self) -> &'static str {
        match self {
            NoThreads::NotIsolated => {
                "this page is not cross-origin isolated, so the browser shares no memory with its \
                 Web Workers"
            }
            NoThreads::Unsupported => "this browser has no WebAssembly threads (shared memory)",
        }
    }

    /// Where a run that needs shared memory can go instead, as a sentence.
    pub fn way_out(self) -> &'static str {
        match self {
            NoThreads::NotIsolated => {
                "The full page (\"Open in the playground\") can be cross-origin isolated where an embed \
                 cannot, and has threads that share memory there."
            }
            NoThreads::Unsupported => {
                "A browser with WebAssembly threads (Chromium, Firefox) has threads that share memory \
                 on the full page."
            }
        }
    }

    /// The refusal of a threads run, in one sentence.
    pub fn message(self) -> &'static str {
        match self {
            NoThreads::NotIsolated => {
                "threads are unavailable on this page: it is not cross-origin isolated, so the browser \
                 shares no memory with worker threads."
            }
            NoThreads::Unsupported => {
                "threads are unavailable in this browser: it does not support WebAssembly threads \
                 (shared memory), although the page is cross-origin isolated."
            }
        }
    }
}
