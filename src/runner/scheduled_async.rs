//! The scheduler's two async tasks: real futures on the page's event loop (spawned as
//! `asyncio.create_task` would), each running its lines until its next `await`, where it parks on
//! a gate that only the learner's choice opens, as an event loop resumes one ready task at a
//! time. The counter is a value on the event loop; the locks are the wait-for graph's, used as
//! `asyncio.Lock` is: a task that finds one held waits (parked, not ready), and a release hands
//! the lock to its waiter. Unlike threads, a task is never interrupted between two awaits: the
//! step machine ([`crate::scheduler`]) says where a step ends, the task shows it for real.

use std::cell::Cell;
use std::rc::Rc;

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;

use crate::locks::WaitGraph;
use crate::scheduler::{Done, Op, THREADS};

/// What the two tasks share on the event loop.
struct Loop {
    counter: Cell<u64>,
    /// Locks A and B (the counter's lock is A); task k is agent k.
    graph: WaitGraph,
}

/// The two tasks of a game, as the engine holds them.
pub struct Tasks {
    shared: Rc<Loop>,
    /// Each task's gate: a message resumes it at its await. Dropped, the task ends.
    gates: Vec<UnboundedSender<()>>,
    reports: UnboundedReceiver<(usize, Done)>,
    /// Reports that came for the other task (none do: only one task runs at a time).
    early: Vec<(usize, Done)>,
}

impl Tasks {
    /// Spawns both tasks, each parked before its first line.
    pub fn start(programs: [Vec<Op>; THREADS]) -> Tasks {
        let shared = Rc::new(Loop { counter: Cell::new(0), graph: WaitGraph::new(THREADS + 1) });
        let (tx, reports) = unbounded();
        let gates = programs
            .into_iter()
            .enumerate()
            .map(|(t, program)| {
                let (gate, wait) = unbounded();
                wasm_bindgen_futures::spawn_local(task(t, program, shared.clone(), wait, tx.clone()));
                gate
            })
            .collect();
        Tasks { shared, gates, reports, early: Vec::new() }
    }

    /// The event loop resumes task `t`: it runs until its next await, a held lock, or its end.
    pub fn resume(&self, t: usize) {
        let _ = self.gates[t].unbounded_send(());
    }

    /// Task `t`'s next report.
    pub async fn done_of(&mut self, t: usize) -> Result<Done, String> {
        if let Some(i) = self.early.iter().position(|r| r.0 == t) {
            return Ok(self.early.remove(i).1);
        }
        loop {
            match self.reports.next().await {
                Some((from, done)) if from == t => return Ok(done),
                Some(other) => self.early.push(other),
                None => return Err(format!("task {} has ended", t + 1)),
            }
        }
    }

    /// The counter's value.
    pub fn counter(&self) -> u64 {
        self.shared.counter.get()
    }

    /// The cycle in the wait-for graph, in a sentence ("task 1 holds A and waits for B; ...").
    pub fn cycle(&self) -> Option<String> {
        Some(self.shared.graph.find_cycle()?.describe(|agent| format!("task {agent}")))
    }

    /// Ends the game: both gates close, so both tasks end at their await.
    pub fn quit(&mut self) {
        self.shared.graph.break_all();
        self.gates.clear();
    }
}

/// Task `t`: parks until first resumed, then runs its lines, parking at each await and at a held
/// lock, reporting each line. Ends when its gate closes (the game is over).
async fn task(
    t: usize,
    program: Vec<Op>,
    s: Rc<Loop>,
    mut gate: UnboundedReceiver<()>,
    tx: UnboundedSender<(usize, Done)>,
) {
    let (me, other) = (t as u32 + 1, (1 - t) as u32 + 1);
    let mut tmp = 0;
    if gate.next().await.is_none() {
        return;
    }
    for op in program {
        let done = match op {
            // `tmp = counter` ... `counter = tmp + 1`: no other task runs between two awaits.
            Op::Read => {
                tmp = s.counter.get();
                Done::Read(tmp)
            }
            Op::Write => {
                s.counter.set(tmp + 1);
                Done::Wrote(tmp + 1)
            }
            Op::Await => {
                let _ = tx.unbounded_send((t, Done::Awaited));
                if gate.next().await.is_none() {
                    return;
                }
                continue;
            }
            // A new acquire queues behind a waiter, as asyncio.Lock's does.
            Op::Acquire(l) if s.graph.waits_for(other) != Some(l) && s.graph.try_take(l, me) => Done::Took(l),
            Op::Acquire(l) => {
                s.graph.begin_wait(me, l, 0.0);
                let _ = tx.unbounded_send((t, Done::Waits(l)));
                // Resumed once the holder's release handed the lock over.
                if gate.next().await.is_none() || s.graph.holder(l) != Some(me) {
                    return;
                }
                continue;
            }
            Op::Release(l) => {
                s.graph.release(l, me);
                if s.graph.waits_for(other) == Some(l) {
                    s.graph.end_wait(other);
                    s.graph.try_take(l, other);
                }
                Done::Released(l)
            }
        };
        let _ = tx.unbounded_send((t, done));
    }
}
