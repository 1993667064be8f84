//! What a run is asked to do: the vocabulary ([`vocab`]), the schema of every option
//! ([`schema`]), reading raw values ([`parse`], numbers from text by [`number`]), the rules that
//! refuse bad input ([`rules`]) and the ideal times ([`ideal`]).
//!
//! Pure Rust with no browser types, so it is tested natively (`cargo test --lib`) as well as in
//! the browser.

pub mod ideal;
pub mod limits;
pub mod no_fetch;
pub mod no_shared_memory;
pub mod number;
pub mod parse;
pub mod rules;
pub mod schema;
pub mod vocab;

pub use ideal::{Ideal, ideal, ideal_ms};
pub use limits::*;
pub use no_fetch::NoFetch;
pub use no_shared_memory::NoSharedMemory;
pub use parse::{FieldError, Raw, Request};
pub use rules::check;
pub use schema::{Opt, group, group_with};
pub use vocab::{FailMode, Figure, LockOrder, Memory, Model, SyncMode, Timers, Workload};

/// A checked run request: one model, every option decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The model to run.
    pub model: Model,
    /// How many tasks, at least 1.
    pub tasks: u32,
    /// How long each task waits (or computes), in ms.
    pub delay_ms: u32,
    /// The threads model's threads: the pool's, or one per task past the pool. 1 for the other
    /// models.
    pub threads: u32,
    /// The processes the processes model starts; 0 for the other models.
    pub processes: u32,
    /// How async tasks wait.
    pub timers: Timers,
    /// What each task does.
    pub workload: Workload,
    /// Threads share a simulated GIL (threads model only).
    pub gil: bool,
    /// The GIL's switch interval, in µs (`sys.setswitchinterval`, given in ms).
    pub switch_interval_us: u32,
    /// Async tasks block the event loop instead of awaiting (async model only).
    pub blocking: bool,
    /// The task that fails, if any.
    pub fail: Option<u32>,
    /// What the async model does when a task fails.
    pub fail_mode: FailMode,
    /// Most requests under way at once (async fetch), or no limit.
    pub connections: Option<u32>,
    /// How long a request may take before its task fails, in ms (fetch).
    pub timeout_ms: u32,
    /// Times each counter task adds 1 to the shared counter.
    pub increments: u32,
    /// How the counter's read-add-write is guarded.
    pub sync: SyncMode,
    /// An await between the counter's read and its write (async model only).
    pub await_inside: bool,
    /// The order the deadlock workload takes its two locks in.
    pub lock_order: LockOrder,
    /// At most this many async tasks in flight, if set (async model only).
    pub limit: Option<u32>,
    /// Async tasks hand their CPU or blocking part to the thread pool (async model only).
    pub offload: bool,
    /// Where the threads model's threads keep their memory (see [`Memory`]).
    pub memory: Memory,
}

impl Params {
    /// A plain sleep run: the defaults for every option. `workers` is the threads model's thread
    /// count or the processes model's process count; the models on the page's event loop have
    /// neither.
    pub fn new(model: Model, tasks: u32, delay_ms: u32, workers: u32) -> Params {
        let (threads, processes) = match model {
            Model::Threads => (workers, 0),
            Model::Processes => (1, workers),
            Model::Async | Model::Sequential => (1, 0),
        };
        Params {
            model,
            tasks,
            delay_ms,
            threads,
            processes,
            timers: Timers::default(),
            workload: Workload::default(),
            gil: false,
            switch_interval_us: DEFAULT_SWITCH_INTERVAL_US,
            blocking: false,
            fail: None,
            fail_mode: FailMode::default(),
            connections: None,
            timeout_ms: limits::DEFAULT_TIMEOUT_MS,
            increments: 100_000,
            sync: SyncMode::default(),
            await_inside: false,
            lock_order: LockOrder::default(),
            limit: None,
            offload: false,
            memory: Memory::Shared,
        }
    }

    /// How many tasks run at once at most on threads or processes: the threads model's threads,
    /// the processes model's processes; 1 for the models on the page's event loop (where async
    /// tasks still wait at once).
    pub fn workers(&self) -> u32 {
        match self.model {
            Model::Threads => self.threads,
            Model::Processes => self.processes,
            Model::Async | Model::Sequential => 1,
        }
    }

    /// The network fault the failing task's request meets, if any (fetch only).
    pub fn network_fault(&self) -> Option<FailMode> {
        (self.fail.is_some() && self.workload == Workload::Fetch && self.fail_mode.is_network())
            .then_some(self.fail_mode)
    }

    /// Counter updates the run should make: tasks × increments (counter workload).
    pub fn counter_expected(&self) -> u64 {
        u64::from(self.tasks) * u64::from(self.increments)
    }

    /// Whether the run keeps the page's event loop busy while tasks run.
    pub fn busies_event_loop(&self) -> bool {
        match self.model {
            Model::Async if self.offload => false,
            Model::Async => {
                self.blocking
                    || self.workload == Workload::Cpu
                    || (self.workload == Workload::Counter && !self.await_inside)
            }
            Model::Sequential => matches!(self.workload, Workload::Cpu | Workload::Counter),
            Model::Threads | Model::Processes => false,
        }
    }
}
