//! The scheduler's two real threads: task threads (Web Workers on the page's shared memory, see
//! [`super::task_threads`]) that each park between steps and perform the one step the event loop
//! tells them to, on a shared counter and the locks of a wait-for graph, as the counter and
//! deadlock runs do. What each step is comes from the step machine ([`crate::scheduler`]); a
//! thread only performs it and reports what it read, wrote, took or waits for.
//!
//! The event loop never blocks: it hands a step over with a store and an unpark, and awaits the
//! thread's report on a channel. A thread that finds a lock held registers its wait in the graph,
//! reports it, and keeps trying (in short naps, like a lock's waiter) until the lock is freed,
//! the game ends or the graph is broken (a deadlock was found); then its job returns, so no
//! thread stays parked once a game is over.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};
use std::sync::{Arc, OnceLock};
use std::thread::Thread;
use std::time::Duration;

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;
use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;

use super::task_threads;
use crate::locks::WaitGraph;
use crate::scheduler::{Done, Op, THREADS};
use crate::timeline::Lane;

/// How long the event loop waits for a thread's report before it gives the game up (a step
/// takes microseconds; a worker busy elsewhere on a loaded machine may take a while to wake).
const ANSWER_MS: u32 = 5_000;

/// One thread's mailbox: the step it is told to take, and the thread to wake.
#[derive(Default)]
struct Cell {
    /// The step, encoded by [`encode`]; 0 when none is waiting.
    step: AtomicU32,
    thread: OnceLock<Thread>,
}

/// What the two threads share: the counter, the locks, and their mailboxes.
struct Shared {
    counter: AtomicU64,
    /// Locks A and B (the counter's lock is A), numbered as agents 1 and 2: thread k is agent k.
    graph: WaitGraph,
    cells: [Cell; THREADS],
    /// The game is over: every thread leaves its loop.
    quit: AtomicBool,
}

/// A report: the thread (0 or 1) and what it did; `None` when it is up and parked.
type Report = (usize, Option<Done>);

/// The two threads of a game, as the event loop holds them.
pub struct Pair {
    shared: Arc<Shared>,
    reports: UnboundedReceiver<Report>,
    /// Reports that came while the event loop waited for the other thread's.
    early: Vec<Report>,
}

const QUIT: u32 = u32::MAX;

fn encode(op: Op) -> u32 {
    match op {
        Op::Read => 1,
        Op::Write => 2,
        Op::Acquire(l) => 10 + l as u32,
        Op::Release(l) => 20 + l as u32,
        Op::Await => 30,
    }
}

fn decode(code: u32) -> Option<Op> {
    match code {
        1 => Some(Op::Read),
        2 => Some(Op::Write),
        10..=11 => Some(Op::Acquire(code as usize - 10)),
        20..=21 => Some(Op::Release(code as usize - 20)),
        30 => Some(Op::Await),
        _ => None,
    }
}

impl Pair {
    /// Takes two task threads (starting them if the page has none idle), hands each its loop and
    /// waits until both are parked, ready for a step.
    pub async fn start() -> Result<Pair, String> {
        let shared = Arc::new(Shared {
            counter: AtomicU64::new(0),
            graph: WaitGraph::new(THREADS + 1),
            cells: Default::default(),
            quit: AtomicBool::new(false),
        });
        let (tx, reports) = unbounded();
        let taken = task_threads::take(THREADS);
        for (t, mailbox) in taken.threads.iter().enumerate() {
            let (shared, tx) = (shared.clone(), tx.clone());
            let work: task_threads::Work = Box::new(move || serve(&shared, t, &tx));
            mailbox.send(Box::new(work));
        }
        let mut pair = Pair { shared, reports, early: Vec::new() };
        if let Err(e) = taken.start().await {
            pair.quit();
            let why = e.as_string().or_else(|| js_sys::Error::from(e).message().as_string());
            return Err(format!("The scheduler's threads failed to start: {}", why.unwrap_or_default()));
        }
        for t in 0..THREADS {
            if let Err(e) = pair.report_of(t).await {
                pair.quit();
                return Err(e);
            }
        }
        Ok(pair)
    }

    /// Tells thread `t` to take `op` and resolves to what it reports.
    pub async fn step(&mut self, t: usize, op: Op) -> Result<Done, String> {
        let cell = &self.shared.cells[t];
        cell.step.store(encode(op), Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if let Some(thread) = cell.thread.get() {
            thread.unpark();
        }
        self.done_of(t).await
    }

    /// Waits for thread `t`'s next report of a step (the take of a lock it waited for, after
    /// the other thread freed it).
    pub async fn done_of(&mut self, t: usize) -> Result<Done, String> {
        self.report_of(t).await?.ok_or_else(|| format!("thread {} reported no step", t + 1))
    }

    async fn report_of(&mut self, t: usize) -> Result<Option<Done>, String> {
        if let Some(i) = self.early.iter().position(|r| r.0 == t) {
            return Ok(self.early.remove(i).1);
        }
        loop {
            match select(self.reports.next(), TimeoutFuture::new(ANSWER_MS)).await {
                Either::Left((Some((from, done)), _)) if from == t => return Ok(done),
                Either::Left((Some(other), _)) => self.early.push(other),
                Either::Left((None, _)) => return Err(format!("thread {} has ended", t + 1)),
                Either::Right(_) => {
                    return Err(format!("thread {} did not answer within {} s", t + 1, ANSWER_MS / 1000));
                }
            }
        }
    }

    /// The counter's value in the shared memory.
    pub fn counter(&self) -> u64 {
        self.shared.counter.load(Ordering::Acquire)
    }

    /// The cycle in the real wait-for graph, in a sentence ("thread 1 holds A and waits for B;
    /// ..."), as the deadlock runs find and name it.
    pub fn cycle(&self) -> Option<String> {
        let cycle = self.shared.graph.find_cycle()?;
        Some(cycle.describe(|agent| Lane::thread(agent).label()))
    }

    /// Ends the game: every wait gives up, and both threads leave their loops and return to the
    /// page's idle task threads.
    pub fn quit(&self) {
        self.shared.quit();
    }

    /// What ends this game, for a caller that does not hold the pair.
    pub fn quitter(&self) -> impl Fn() + 'static {
        let shared = self.shared.clone();
        move || shared.quit()
    }
}

impl Shared {
    fn quit(&self) {
        self.quit.store(true, Ordering::SeqCst);
        self.graph.break_all();
        for cell in &self.cells {
            cell.step.store(QUIT, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if let Some(thread) = cell.thread.get() {
                thread.unpark();
            }
        }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.quit();
    }
}

/// Thread `t`'s loop: park until told a step, take it, report, until the game is over.
fn serve(shared: &Shared, t: usize, tx: &UnboundedSender<Report>) {
    crate::alloc::worker_thread();
    let _ = shared.cells[t].thread.set(std::thread::current());
    fence(Ordering::SeqCst);
    let _ = tx.unbounded_send((t, None));
    let me = t as u32 + 1;
    let mut tmp = 0;
    while !shared.quit.load(Ordering::SeqCst) {
        let code = shared.cells[t].step.swap(0, Ordering::SeqCst);
        if code == 0 {
            // An unpark that came first makes this return at once: no step is missed.
            std::thread::park();
            continue;
        }
        let Some(op) = decode(code) else { break };
        let done = match op {
            // `tmp = counter` and `counter = tmp + 1`: two separate accesses to shared memory.
            Op::Read => {
                tmp = shared.counter.load(Ordering::SeqCst);
                Done::Read(tmp)
            }
            Op::Write => {
                shared.counter.store(tmp + 1, Ordering::SeqCst);
                Done::Wrote(tmp + 1)
            }
            Op::Acquire(l) if shared.graph.try_take(l, me) => Done::Took(l),
            Op::Acquire(l) => {
                shared.graph.begin_wait(me, l, 0.0);
                let _ = tx.unbounded_send((t, Some(Done::Waits(l))));
                let took = wait_for(shared, l, me);
                shared.graph.end_wait(me);
                if !took {
                    break;
                }
                Done::Took(l)
            }
            Op::Release(l) => {
                shared.graph.release(l, me);
                Done::Released(l)
            }
            // Threads' lines have no await (a thread is switched anywhere, by the learner).
            Op::Await => Done::Awaited,
        };
        let _ = tx.unbounded_send((t, Some(done)));
    }
    for l in 0..2 {
        shared.graph.release(l, me);
    }
}

/// Keeps trying to take lock `l` until it is free (`true`) or the game is over (`false`).
fn wait_for(shared: &Shared, l: usize, me: u32) -> bool {
    loop {
        if shared.graph.try_take(l, me) {
            return true;
        }
        if shared.graph.is_broken() || shared.quit.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}
