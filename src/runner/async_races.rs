//! Races and locks on the event loop: the counter (`counter += 1` from many coroutines) and the
//! deadlock (two locks taken in opposite order), with a lock like `asyncio.Lock`.
//!
//! A coroutine is only ever switched at an await, so a read and a write with no await between
//! them cannot be interrupted: the counter loses nothing. With an await between them
//! (`awaitInside`), every other task runs in between, reads the same value, and all of them write
//! back the same value + 1. The lock keeps the others out across the await.
//!
//! The text between `[snippet:...]` markers is what the page shows as "the Rust code that ran".

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{Outcome, TaskResult};
use crate::executor::{self, RunAll};
use crate::locks::{LOCK_NAMES, WaitGraph};
use crate::params::{LockOrder, Params, SyncMode};
use crate::record::{Counted, Deadlock, push_wait};
use crate::run::RunState;
use crate::timeline::{Lane, Wait, WaitKind};

/// Two locks like `asyncio.Lock`: a task that finds one held queues and awaits; the holder's
/// release wakes the first in line, and no newcomer jumps the queue. Every wait is in the run's
/// wait-for graph, and a wait that closes a cycle is a deadlock, found the moment it forms.
pub struct Locks {
    graph: WaitGraph,
    queues: [RefCell<VecDeque<(u32, Waker)>>; 2],
    run: Arc<RunState>,
    waits: RefCell<Vec<Wait>>,
    wait_ms: Cell<f64>,
    deadlock: RefCell<Option<Deadlock>>,
}

impl Locks {
    /// Locks for a run of `tasks` tasks.
    pub fn new(run: &Arc<RunState>, tasks: u32) -> Rc<Locks> {
        Rc::new(Locks {
            graph: WaitGraph::new(tasks as usize),
            queues: Default::default(),
            run: run.clone(),
            waits: RefCell::new(Vec::new()),
            wait_ms: Cell::new(0.0),
            deadlock: RefCell::new(None),
        })
    }

    /// Task `id` takes lock `lock` (0 is A, 1 is B), awaiting it if another task holds it.
    /// Fails if the run deadlocked meanwhile: the event loop would otherwise idle forever.
    pub fn acquire(self: &Rc<Self>, lock: usize, id: u32) -> Acquire {
        Acquire { locks: self.clone(), lock, id, since: None }
    }

    fn record_wait(&self, id: u32, start: f64) {
        let end = self.run.since_start();
        if let Some(log) = self.run.events() {
            log.task_wait_end(id, end);
        }
        let w = Wait { kind: WaitKind::Lock, id, lane: Lane::EVENT_LOOP, start, end };
        self.wait_ms.set(self.wait_ms.get() + push_wait(&mut self.waits.borrow_mut(), w, 0.05));
    }

    /// Adds the waits and the deadlock, if any, to a run's outcome.
    pub fn into_outcome(&self, o: &mut Outcome) {
        o.waits.append(&mut self.waits.borrow_mut());
        o.lock_wait_ms += self.wait_ms.get();
        o.deadlock = self.deadlock.borrow_mut().take();
    }
}

/// See [`Locks::acquire`]; resolves to a guard that releases the lock when dropped.
pub struct Acquire {
    locks: Rc<Locks>,
    lock: usize,
    id: u32,
    /// When this task began waiting, if it had to.
    since: Option<f64>,
}

/// A held lock; dropping it releases the lock and wakes the first task in line.
pub struct Held {
    locks: Rc<Locks>,
    lock: usize,
    id: u32,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.locks.graph.release(self.lock, self.id);
        if let Some((_, w)) = self.locks.queues[self.lock].borrow().front() {
            w.wake_by_ref();
        }
    }
}

impl Future for Acquire {
    type Output = Result<Held, String>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (locks, lock, id) = (self.locks.clone(), self.lock, self.id);
        let mut queue = locks.queues[lock].borrow_mut();
        let first_in_line = queue.front().is_none_or(|&(q, _)| q == id);
        if first_in_line && locks.graph.try_take(lock, id) {
            if let Some(start) = self.since.take() {
                queue.pop_front();
                locks.graph.end_wait(id);
                locks.record_wait(id, start);
                // The next in line may take the other lock... or this one when it is released.
            }
            return Poll::Ready(Ok(Held { locks: locks.clone(), lock, id }));
        }
        if locks.graph.is_broken() {
            if let Some(start) = self.since.take() {
                queue.retain(|&(q, _)| q != id);
                locks.graph.end_wait(id);
                locks.record_wait(id, start);
            }
            // Everyone else in line gives up too.
            queue.iter().for_each(|(_, w)| w.wake_by_ref());
            return Poll::Ready(Err(deadlock_message(id, &locks.graph, lock)));
        }
        match self.since {
            Some(_) => {
                if let Some(entry) = queue.iter_mut().find(|(q, _)| *q == id) {
                    entry.1.clone_from(cx.waker());
                }
            }
            None => {
                let now = locks.run.since_start();
                self.since = Some(now);
                queue.push_back((id, cx.waker().clone()));
                locks.graph.begin_wait(id, lock, now);
                // Shown live as the task awaits, like a thread blocked on a lock.
                if let Some(log) = locks.run.events() {
                    log.task_wait_begin(id, WaitKind::Lock, now);
                }
                // A wait that closes a cycle is a deadlock: nothing can ever wake these tasks.
                if let Some(cycle) = locks.graph.cycle_through(id) {
                    let found = Deadlock {
                        cycle: cycle.describe(|a| format!("task {a}")),
                        detect_ms: now - cycle.formed_at,
                    };
                    *locks.deadlock.borrow_mut() = Some(found);
                    locks.graph.break_all();
                    cx.waker().wake_by_ref();
                    // Every task in line for either lock gives up.
                    drop(queue);
                    for q in &locks.queues {
                        q.borrow().iter().for_each(|(_, w)| w.wake_by_ref());
                    }
                }
            }
        }
        Poll::Pending
    }
}

/// Why a task ends when its run deadlocked.
pub fn deadlock_message(id: u32, graph: &WaitGraph, wanted: usize) -> String {
    let held: Vec<&str> = (0..2).filter(|&l| graph.holder(l) == Some(id)).map(|l| LOCK_NAMES[l]).collect();
    match held.first() {
        Some(h) => format!("task {id} deadlocked: it held {h} and waited for {}", LOCK_NAMES[wanted]),
        None => format!("task {id} waited for {}, held by a deadlocked task", LOCK_NAMES[wanted]),
    }
}

// [snippet:async-counter]
/// One task: add 1 to the shared counter `increments` times, the way `counter += 1` does it:
/// read, (maybe await), write back.
async fn counter_task(id: u32, p: Params, counter: Rc<Cell<u64>>, locks: Rc<Locks>) -> TaskResult {
    for _ in 0..p.increments {
        match p.sync {
            // x = counter; [await asyncio.sleep(0)]; counter = x + 1
            SyncMode::None => {
                let x = counter.get();
                if p.await_inside {
                    executor::yield_now().await;
                }
                counter.set(std::hint::black_box(x) + 1);
            }
            // async with lock: x = counter; [await asyncio.sleep(0)]; counter = x + 1
            SyncMode::Lock => {
                let _held = locks.acquire(0, id).await?;
                let x = counter.get();
                if p.await_inside {
                    executor::yield_now().await;
                }
                counter.set(std::hint::black_box(x) + 1);
            }
            // [await asyncio.sleep(0)]; then the read and the write in one step, no await between.
            SyncMode::Atomic => {
                if p.await_inside {
                    executor::yield_now().await;
                }
                counter.set(std::hint::black_box(counter.get()) + 1);
            }
        }
    }
    Ok(0)
}
// [/snippet]

// [snippet:async-deadlock]
/// One task: take one lock, hold it `delay` ms, then take the other. In opposite order (even
/// tasks A then B, odd tasks B then A), two tasks can each hold the lock the other awaits.
async fn deadlock_task(id: u32, p: Params, locks: Rc<Locks>) -> TaskResult {
    let (first, second) = if p.lock_order == LockOrder::Opposite && id % 2 == 1 { (1, 0) } else { (0, 1) };
    let _a = locks.acquire(first, id).await?;
    executor::sleep(p.delay_ms).await;
    let _b = locks.acquire(second, id).await?;
    Ok(0)
}
// [/snippet]

/// Runs the counter workload on the event loop.
pub async fn counter(state: &Arc<RunState>, p: Params) -> Outcome {
    let count = Rc::new(Cell::new(0u64));
    let locks = Locks::new(state, p.tasks);
    let (c, l) = (count.clone(), locks.clone());
    let mut o = RunAll::new(state, p.tasks, move |id| counter_task(id, p, c.clone(), l.clone()))
        .limit(p.limit)
        .long_polls(p.busies_event_loop())
        .await;
    locks.into_outcome(&mut o);
    o.counter = Some(Counted { shared: count.get(), per_process: Vec::new() });
    o
}

/// Runs the deadlock workload on the event loop.
pub async fn deadlock(state: &Arc<RunState>, p: Params) -> Outcome {
    let locks = Locks::new(state, p.tasks);
    let l = locks.clone();
    let mut o = RunAll::new(state, p.tasks, move |id| deadlock_task(id, p, l.clone())).limit(p.limit).await;
    locks.into_outcome(&mut o);
    o
}
