//! The vocabulary of a run: models, workloads, executors and failure modes. Each word is declared
//! once with its name (as in URLs, the API, records and on screen) and its label (the form's
//! choice text), and everything else reads them from here.

use super::schema::form;

/// Declares a closed set of words: the enum, its names, labels and the parser. The first variant
/// is the default.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $T:ident {
            $( $(#[$vmeta:meta])* $V:ident = $name:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $T {
            $( $(#[$vmeta])* $V, )+
        }

        impl $T {
            /// Every value, in the order the form lists them; the first is the default.
            pub const EVERY: &'static [$T] = &[$($T::$V),+];
            /// `(name, label)` of every value, for the schema (the label is [`form`] text).
            pub const CHOICES: &'static [(&'static str, &'static str)] = &[$(($name, form($label))),+];

            /// The name used in URLs, the API, records and on screen.
            pub fn name(self) -> &'static str {
                match self { $($T::$V => $name),+ }
            }

            /// Parses a name (spaces around are ignored); `None` for anything else.
            pub fn parse(s: &str) -> Option<$T> {
                Self::EVERY.iter().copied().find(|v| v.name() == s.trim())
            }
        }

        impl Default for $T {
            fn default() -> Self {
                Self::EVERY[0]
            }
        }
    };
}

vocabulary! {
    /// A concurrency model: how the same tasks are run.
    pub enum Model {
        /// Futures on the page's event loop; every task awaits at once.
        Async = "async", "async: one event loop (asyncio)";
        /// A pool of Web Worker threads; each task blocks its thread.
        Threads = "threads", "threads: a pool of threads (threading)";
        /// One task after another on the event loop.
        Sequential = "sequential", "sequential: one after another";
        /// Workers with a wasm instance and memory each, nothing shared: like `multiprocessing`.
        Processes = "processes", "processes: nothing shared (multiprocessing)";
    }
}

impl Model {
    /// The models `model: "all"` runs, in order: the classic comparison.
    pub const ALL: [Model; 3] = [Model::Async, Model::Threads, Model::Sequential];
    /// The word that asks for every model of [`Model::ALL`] in turn.
    pub const ALL_NAME: &'static str = "all";
}

vocabulary! {
    /// How the async model waits: both are real futures on the event loop.
    pub enum Timers {
        /// The playground's own executor: futures polled from one array, woken together by a
        /// deadline queue in Rust that one browser timer drives. Scales to millions of tasks.
        Wheel = "wheel", "wheel: one timer for all tasks";
        /// One `gloo-timers` browser timeout per task, polled by `join_all`: the simple way, and
        /// the one whose cost grows with every task (a JS closure and a browser timer each).
        PerTask = "per-task", "per-task: a browser timer each";
    }
}

vocabulary! {
    /// What each task does.
    pub enum Workload {
        /// Waits `delay` ms: a timer, standing in for I/O.
        Sleep = "sleep", "sleep: wait (like a network call)";
        /// A real HTTP request to the page's own server, answered after `delay` ms.
        Fetch = "fetch", "fetch: a real HTTP request";
        /// `delay` ms worth of real computation (calibrated on this device).
        Cpu = "cpu", "cpu: real computation";
        /// Every task adds 1 to one shared counter `increments` times: read, add, write back.
        Counter = "counter", "counter: add 1 to a shared counter (a race)";
        /// Two locks, A and B: each task takes one, holds it `delay` ms, then takes the other.
        Deadlock = "deadlock", "deadlock: two locks, taken in turn";
        /// The convoy effect: task 0 computes for `delay` ms while every other task sleeps 1 ms at
        /// a time and notes how late each wake-up was (threads model).
        Convoy = "convoy", "convoy: one thread computes, the others wake every 1 ms";
    }
}

vocabulary! {
    /// How the counter workload guards its read-add-write.
    pub enum SyncMode {
        /// A plain read, then a plain write: another task may run in between.
        None = "none", "none: read, then write back";
        /// A mutex around the update (`threading.Lock`, `asyncio.Lock`).
        Lock = "lock", "lock: a mutex around the update";
        /// One atomic add (CPython's standard library has none).
        Atomic = "atomic", "atomic: one atomic add";
    }
}

vocabulary! {
    /// The order in which the deadlock workload's tasks take the two locks.
    pub enum LockOrder {
        /// Even tasks take A then B, odd tasks B then A: the classic deadlock.
        Opposite = "opposite", "opposite: even tasks A then B, odd B then A";
        /// Every task takes A first: the fix.
        Same = "same", "same: every task takes A, then B";
    }
}

vocabulary! {
    /// How the failing task fails, and what the async model does about it.
    pub enum FailMode {
        /// The task returns an error. Async: like `join_all` (or `asyncio.gather(
        /// return_exceptions=True)`): the others finish, and the error is reported with the results.
        JoinAll = "join_all", "join_all: the others finish";
        /// The task returns an error. Async: like `try_join_all` (or a `TaskGroup`): the first
        /// error ends the run; the other tasks are dropped, which cancels them.
        TryJoinAll = "try_join_all", "try_join_all: the first error ends the run";
        /// Threads only: the task panics. With `panic = "abort"` on wasm that kills its worker
        /// thread for good, as a crash would; the run notices the silence and ends with an error.
        Panic = "panic", "panic: the task panics (threads only)";
        /// Fetch only: the failing task's request is answered with HTTP 500, for real, by what
        /// answers the requests (the server decides by a query parameter).
        Http500 = "http500", "http500: the server answers 500 (fetch)";
        /// Fetch only: the server sends part of the response, then closes the connection; the
        /// task sees a network error.
        Drop = "drop", "drop: the server closes the connection (fetch)";
        /// Fetch only: the server never answers; the task's timeout (`timeoutMs`) ends it, as
        /// `asyncio.wait_for` or `requests.get(timeout=)` would.
        Stall = "stall", "stall: the server never answers (fetch)";
    }
}

vocabulary! {
    /// Where a threads run's threads keep their memory.
    pub enum Memory {
        /// One wasm memory shared by every thread (the threaded build, on a cross-origin-isolated
        /// page): what Python's threads have.
        Shared = "shared", "shared: one memory for every thread";
        /// A wasm instance and memory of its own per thread (the plain build, where the page has no
        /// SharedArrayBuffer or the browser no WebAssembly threads): threads that block, wait and
        /// compute in parallel, but share nothing.
        Separate = "separate", "separate: a wasm instance per thread";
    }
}

impl FailMode {
    /// Whether the failure happens at the server, to the failing task's request (fetch only),
    /// rather than in the task.
    pub fn is_network(self) -> bool {
        matches!(self, FailMode::Http500 | FailMode::Drop | FailMode::Stall)
    }
}

vocabulary! {
    /// The headline figure predict first asks for before a run (`report::predict`); its name is
    /// the record's field that holds the measured figure, and the prediction's.
    pub enum Figure {
        /// The run's elapsed time, in ms.
        ElapsedMs = "elapsedMs", "the elapsed time";
        /// The counter's lost updates.
        LostUpdates = "lostUpdates", "the lost updates";
        /// Whether the run deadlocks.
        Deadlock = "deadlock", "whether it deadlocks";
    }
}

impl Figure {
    /// The figure a run of `workload` is asked for.
    pub fn of(workload: Workload) -> Figure {
        match workload {
            Workload::Counter => Figure::LostUpdates,
            Workload::Deadlock => Figure::Deadlock,
            Workload::Sleep | Workload::Fetch | Workload::Cpu | Workload::Convoy => Figure::ElapsedMs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_the_first_is_the_default() {
        for &m in Model::EVERY {
            assert_eq!(Model::parse(m.name()), Some(m));
        }
        assert_eq!(Model::parse(" threads "), Some(Model::Threads));
        assert_eq!(Model::parse("all"), None);
        assert_eq!(Workload::default(), Workload::Sleep);
        assert_eq!(Timers::default(), Timers::Wheel);
        assert_eq!(FailMode::default(), FailMode::JoinAll);
        assert_eq!(FailMode::CHOICES[1].0, "try_join_all");
    }
}
