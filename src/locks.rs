//! The two locks of the deadlock workload (and the counter's lock), as a wait-for graph: who holds
//! each lock and which lock each task or thread waits for. A deadlock is a cycle in that graph
//! ("thread 1 holds A and waits for B; thread 2 holds B and waits for A"), and finding the cycle
//! is how the engine ends a deadlocked run within a moment of it forming, rather than after a
//! timeout of the whole run.
//!
//! Lock-free (atomics only), because worker threads take and wait for the locks while the event
//! loop reads the graph, and the event loop must never block. Pure Rust, tested natively.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

/// The locks' names, by index.
pub const LOCK_NAMES: [&str; 2] = ["A", "B"];

/// Who holds each lock and what each agent (a thread's lane number, or an async task's id) waits
/// for.
pub struct WaitGraph {
    /// Per lock: the holder plus one, 0 when free.
    holders: [AtomicU32; 2],
    /// Per agent: the lock it waits for plus one, 0 when it waits for none.
    waiting: Box<[AtomicU32]>,
    /// Per agent: when its wait began, ms on the run's clock (f64 bits).
    since: Box<[AtomicU64]>,
    /// A deadlock was found: every wait gives up, and no lock is granted any more.
    broken: AtomicBool,
}

/// A cycle of waits: every agent holds the lock the one before it wants.
#[derive(Clone, Debug, PartialEq)]
pub struct Cycle {
    /// `(agent, lock it holds, lock it waits for)`, in the order of the cycle.
    pub links: Vec<(u32, usize, usize)>,
    /// When the cycle formed: the latest start of its waits, ms on the run's clock.
    pub formed_at: f64,
}

impl Cycle {
    /// The cycle in a sentence, naming each agent with `name`: "thread 1 holds A and waits for B;
    /// thread 2 holds B and waits for A".
    pub fn describe(&self, name: impl Fn(u32) -> String) -> String {
        self.links
            .iter()
            .map(|&(agent, held, wanted)| {
                format!("{} holds {} and waits for {}", name(agent), LOCK_NAMES[held], LOCK_NAMES[wanted])
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl WaitGraph {
    /// A graph for agents numbered `0..agents`, both locks free.
    pub fn new(agents: usize) -> WaitGraph {
        WaitGraph {
            holders: Default::default(),
            waiting: (0..agents).map(|_| AtomicU32::new(0)).collect(),
            since: (0..agents).map(|_| AtomicU64::new(0)).collect(),
            broken: AtomicBool::new(false),
        }
    }

    /// Ends every wait: a deadlock was found, and the run ends instead of hanging forever.
    pub fn break_all(&self) {
        self.broken.store(true, Ordering::Release);
    }

    /// Whether [`WaitGraph::break_all`] was called.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Acquire)
    }

    /// Takes `lock` for `agent` if it is free (and no deadlock was found).
    pub fn try_take(&self, lock: usize, agent: u32) -> bool {
        !self.is_broken()
            && self.holders[lock].compare_exchange(0, agent + 1, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }

    /// Frees `lock`, which `agent` holds.
    pub fn release(&self, lock: usize, agent: u32) {
        let _ = self.holders[lock].compare_exchange(agent + 1, 0, Ordering::Release, Ordering::Relaxed);
    }

    /// Who holds `lock`.
    pub fn holder(&self, lock: usize) -> Option<u32> {
        self.holders[lock].load(Ordering::Acquire).checked_sub(1)
    }

    /// `agent` starts waiting for `lock` at `at` (ms on the run's clock).
    pub fn begin_wait(&self, agent: u32, lock: usize, at: f64) {
        self.since[agent as usize].store(at.to_bits(), Ordering::Relaxed);
        self.waiting[agent as usize].store(lock as u32 + 1, Ordering::Release);
    }

    /// `agent` waits no more.
    pub fn end_wait(&self, agent: u32) {
        self.waiting[agent as usize].store(0, Ordering::Release);
    }

    /// The lock `agent` waits for.
    pub fn waits_for(&self, agent: u32) -> Option<usize> {
        let w = self.waiting.get(agent as usize)?.load(Ordering::Acquire);
        w.checked_sub(1).map(|l| l as usize)
    }

    /// The cycle through `agent`, if its wait closes one: follow "waits for a lock, held by"
    /// from `agent` until it comes back (a cycle) or reaches an agent that waits for nothing. The
    /// links begin at the cycle's lowest-numbered agent.
    pub fn cycle_through(&self, agent: u32) -> Option<Cycle> {
        let mut path: Vec<(u32, usize)> = Vec::new();
        let mut cur = agent;
        loop {
            let wanted = self.waits_for(cur)?;
            path.push((cur, wanted));
            let holder = self.holder(wanted)?;
            if holder == agent {
                break;
            }
            // A cycle that does not come back to `agent` is found from one of its own agents.
            if path.iter().any(|&(a, _)| a == holder) || path.len() > self.waiting.len() {
                return None;
            }
            cur = holder;
        }
        let n = path.len();
        let mut links: Vec<_> = (0..n).map(|i| (path[i].0, path[(i + n - 1) % n].1, path[i].1)).collect();
        // Told from its lowest-numbered agent, whichever wait closed it: one cycle, one sentence.
        let first = (0..n).min_by_key(|&i| links[i].0).unwrap_or(0);
        links.rotate_left(first);
        let formed_at = path
            .iter()
            .map(|&(a, _)| f64::from_bits(self.since[a as usize].load(Ordering::Relaxed)))
            .fold(0.0, f64::max);
        Some(Cycle { links, formed_at })
    }

    /// Any cycle in the graph, starting from the lowest-numbered agent in it.
    pub fn find_cycle(&self) -> Option<Cycle> {
        (0..self.waiting.len() as u32).find_map(|a| self.cycle_through(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_agents_in_opposite_order_make_a_cycle() {
        let g = WaitGraph::new(3);
        assert!(g.try_take(0, 1));
        assert!(g.try_take(1, 2));
        assert!(!g.try_take(0, 2), "A is held");
        g.begin_wait(1, 1, 10.0);
        assert_eq!(g.find_cycle(), None, "thread 2 is not waiting yet");
        g.begin_wait(2, 0, 12.5);
        let c = g.find_cycle().expect("a cycle");
        assert_eq!(c.formed_at, 12.5);
        assert_eq!(
            c.describe(|a| format!("thread {a}")),
            "thread 1 holds A and waits for B; thread 2 holds B and waits for A"
        );
        assert_eq!(
            g.cycle_through(2),
            Some(c),
            "the same cycle, told from its lowest agent, whoever closed it"
        );
    }

    #[test]
    fn waiting_for_a_lock_whose_holder_runs_is_no_cycle() {
        let g = WaitGraph::new(2);
        assert!(g.try_take(0, 0));
        g.begin_wait(1, 0, 1.0);
        assert_eq!(g.find_cycle(), None);
        g.release(0, 0);
        assert_eq!(g.holder(0), None);
        assert!(g.try_take(0, 1));
        g.end_wait(1);
        assert_eq!(g.waits_for(1), None);
        g.release(0, 0);
        assert_eq!(g.holder(0), Some(1), "only the holder releases");
    }
}
