//! The scheduler's objects ("You are the scheduler", [`crate::scheduler`]): a game as the page
//! gets it from `playground.scheduler`, and that API's TypeScript.

#[allow(unused_imports)]
use super::{OrNull, SPREAD, TsType, doc_comment};

js_object! {
    /// One of the scheduler's two threads, from `playground.scheduler`.
    pub struct SchedulerThread {
        /// 1 or 2.
        pub thread: u32 => "thread",
        /// "thread 1", or "task 1" in an async game.
        pub name: String => "name",
        /// Its lines, in order.
        pub lines: Vec<String> => "lines",
        /// The index of its next line in `lines` (their count once it has finished).
        pub next: u32 => "next",
        /// Its next line, or null once it has finished.
        pub next_line: OrNull<String> => "nextLine",
        /// Its local `tmp`, as the real thread last read it, or null.
        pub tmp: OrNull<f64> => "tmp",
        /// The lock it waits for, or null.
        pub waits_for: OrNull<String> => "waitsFor",
        /// Whether it may take a step now.
        pub offered: bool => "offered",
    }
}

js_object! {
    /// One write of the scheduled counter: who wrote what, and whose update it overwrote.
    pub struct SchedulerWrite {
        /// The writer, 1 or 2.
        pub thread: u32 => "thread",
        /// The value it had read.
        pub read: f64 => "read",
        /// The value it wrote.
        pub wrote: f64 => "wrote",
        /// The thread whose write it overwrote, or null.
        pub overwrote_thread: OrNull<u32> => "overwroteThread",
        /// The value it overwrote, or null.
        pub overwrote: OrNull<f64> => "overwrote",
        /// Updates this write undid.
        pub lost: f64 => "lost",
    }
}

js_object! {
    /// A scheduled game as it stands, from `playground.scheduler`: every figure was read on the
    /// real threads' shared memory.
    pub struct SchedulerState {
        /// "threads" (two threads on shared memory) or "async" (two tasks on the event loop).
        pub model: &'static str => "model",
        /// "counter" or "deadlock".
        pub workload: &'static str => "workload",
        /// Whether the fix is in place (a lock, or the same lock order).
        pub fix: bool => "fix",
        /// The challenge, in a sentence.
        pub challenge: String => "challenge",
        /// Both threads.
        pub threads: Vec<SchedulerThread> => "threads",
        /// The counter's value in shared memory (the counter), or null.
        pub shared: OrNull<f64> => "shared",
        /// Who holds each lock: "thread 1", or null when free, by lock name.
        pub locks: Vec<SchedulerLock> => "locks",
        /// The threads that may step now.
        pub offered: Vec<u32> => "offered",
        /// Steps chosen so far.
        pub steps: u32 => "steps",
        /// Every step, in a sentence.
        pub history: Vec<String> => "history",
        /// Every write of the counter.
        pub writes: Vec<SchedulerWrite> => "writes",
        /// Whether the game is over.
        pub over: bool => "over",
        /// Updates lost so far (the counter), or null.
        pub lost: OrNull<f64> => "lost",
        /// The wait-for cycle, once the threads deadlocked, or null.
        pub deadlock: OrNull<String> => "deadlock",
        /// The result once the game is over, or null.
        pub result: OrNull<String> => "result",
        /// Whether the challenge was met, and in how many steps, or null while it may still be.
        pub verdict: OrNull<String> => "verdict",
    }
}

js_object! {
    /// A lock of a scheduled game.
    pub struct SchedulerLock {
        /// "A", "B", or "lock" for the counter's.
        pub name: String => "name",
        /// Its holder ("thread 1"), or null when free.
        pub holder: OrNull<String> => "holder",
    }
}

/// The scheduler's part of the API, in TypeScript.
pub const SCHEDULER_TS: &str = r#"
/** The options of `playground.scheduler.start`. */
export interface SchedulerOptions {
  /** "threads" (default): two threads on shared memory; "async": two tasks on the event loop. */
  model?: "threads" | "async";
  /** The race: "counter" (default) or "deadlock". */
  workload?: "counter" | "deadlock";
  /** The fix in place: a lock around each update, or the same lock order. Default false. */
  fix?: boolean;
  /** Increments per thread (the counter), 1 to 5. Default 1. */
  increments?: number;
}

/**
 * "You are the scheduler": two real threads on shared memory, each parked between steps; the
 * learner says which one takes its next step. Rejects (with a sentence) where threads cannot
 * share this page's memory, and for a step that is not offered.
 */
export interface Scheduler {
  /** Ends any game under way and starts one; resolves once both threads are parked. */
  start(options?: SchedulerOptions): Promise<SchedulerState>;
  /**
   * Thread 1 or 2 takes its next step (a task runs to its next await); "random" (the default)
   * lets the scheduler choose.
   */
  step(thread?: 1 | 2 | "random"): Promise<SchedulerState>;
  /** The game as it stands, or null. */
  state(): SchedulerState | null;
  /** Ends the game and releases both threads; whether there was one. */
  stop(): boolean;
}
"#;
