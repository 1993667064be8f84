//! Ideal elapsed times: what each model predicts for a run, with perfect machinery.

use super::Params;
use super::limits::Limits;
use super::vocab::{Model, Workload};

/// What a model predicts for a run, with perfect machinery.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ideal {
    /// The ideal elapsed time, in ms.
    pub ms: f64,
    /// When the tasks go in rounds, how many the model lets wait or compute at once (fewer than
    /// the tasks): the ideal is then ceil(tasks / at_once) delays. `None` when all go at once, or
    /// when the cores, not the rounds, set the ideal.
    pub at_once: Option<u32>,
}

/// What the model predicts for the run, or `None` where no model predicts it: the counter's
/// time is its updates (its record gives the time per update instead).
/// - Waiting (sleep): async one delay; threads ceil(tasks / threads) delays; sequential tasks ×
///   delay; async tasks that block instead of awaiting, tasks × delay.
/// - Fetch: as waiting; async with `connections` keeps at most that many requests under way, like
///   aiohttp's connector. (A browser that sends them to one HTTP/1.1 server keeps at most 6 open:
///   that is the machinery's limit, not the model's, and the run's record says when it happened.)
/// - CPU: one event loop computes one task at a time (tasks × delay); threads share the cores:
///   ceil(tasks / threads) rounds, and no faster than the total work over the cores; with the
///   GIL, one thread computes at a time (tasks × delay).
pub fn ideal(p: &Params, limits: Limits) -> Option<Ideal> {
    let (n, d) = (f64::from(p.tasks), f64::from(p.delay_ms));
    let rounds = |width: u32| {
        let width = width.max(1);
        let at_once = (width < p.tasks).then_some(width);
        Ideal { ms: f64::from(p.tasks.div_ceil(width)) * d, at_once }
    };
    let cpu_on = |width: u32| {
        let shared = n * d / f64::from(limits.cores.max(1));
        let r = rounds(width);
        if r.ms >= shared { r } else { Ideal { ms: shared, at_once: None } }
    };
    Some(match (p.model, p.workload) {
        (_, Workload::Counter) => return None,
        // The convoy lasts as long as its computing task: the others wake beside it.
        (_, Workload::Convoy) => Ideal { ms: d, at_once: None },
        // Every task holds lock A for a delay, one at a time (processes each have their own).
        (Model::Processes, Workload::Deadlock) => rounds(p.processes),
        (_, Workload::Deadlock) => rounds(1),
        (Model::Sequential, _) => rounds(1),
        // Offloaded: the pool's threads block or compute, the event loop only awaits them.
        (Model::Async, Workload::Cpu) if p.offload => cpu_on(limits.pool_size),
        (Model::Async, Workload::Sleep) if p.offload => rounds(limits.pool_size),
        (Model::Async, _) if p.blocking => rounds(1),
        // Without a limit every task waits at once: one round as wide as any task count.
        (Model::Async, Workload::Sleep) => rounds(p.limit.unwrap_or(u32::MAX)),
        (Model::Async, Workload::Fetch) => {
            rounds(p.limit.unwrap_or(u32::MAX).min(p.connections.unwrap_or(u32::MAX)))
        }
        (Model::Async, Workload::Cpu) => rounds(1),
        (Model::Threads, Workload::Sleep | Workload::Fetch) => rounds(p.threads),
        (Model::Threads, Workload::Cpu) if p.gil => rounds(1),
        (Model::Threads | Model::Processes, Workload::Cpu) => cpu_on(p.workers()),
        (Model::Processes, Workload::Sleep | Workload::Fetch) => rounds(p.processes),
    })
}

/// The ideal elapsed time in ms, or `None` where no model predicts it (see [`ideal`]).
pub fn ideal_ms(p: &Params, limits: Limits) -> Option<f64> {
    ideal(p, limits).map(|i| i.ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: Limits = Limits::all_allowed();

    #[test]
    fn ideal_times() {
        let ideal = |p: Params| ideal_ms(&p, POOL).expect("a predicted run");
        assert_eq!(ideal(Params::new(Model::Async, 3, 1000, 1)), 1000.0);
        assert_eq!(ideal(Params::new(Model::Threads, 16, 200, 2)), 1600.0);
        assert_eq!(ideal(Params::new(Model::Threads, 3, 1000, 16)), 1000.0);
        assert_eq!(ideal(Params::new(Model::Sequential, 3, 1000, 1)), 3000.0);
        let cpu = |m, t| Params { workload: Workload::Cpu, ..Params::new(m, 4, 100, t) };
        assert_eq!(ideal(cpu(Model::Async, 1)), 400.0);
        // Two cores: four 100 ms tasks on two threads take two rounds.
        assert_eq!(ideal(cpu(Model::Threads, 2)), 200.0);
        // Four threads on two cores cannot beat the total work over the cores.
        assert_eq!(ideal(cpu(Model::Threads, 4)), 200.0);
        assert_eq!(ideal(Params { gil: true, ..cpu(Model::Threads, 4) }), 400.0);
        let fetch = |m, t| Params { workload: Workload::Fetch, ..Params::new(m, 12, 100, t) };
        assert_eq!(ideal(fetch(Model::Async, 1)), 100.0, "every request at once");
        assert_eq!(ideal(Params { connections: Some(6), ..fetch(Model::Async, 1) }), 200.0, "six at a time");
        assert_eq!(ideal(fetch(Model::Threads, 3)), 400.0);
        assert_eq!(ideal(Params { blocking: true, ..Params::new(Model::Async, 3, 100, 1) }), 300.0);
        let cpu = Params { workload: Workload::Cpu, ..Params::new(Model::Processes, 4, 100, 2) };
        assert_eq!(ideal(cpu), 200.0);
        // asyncio.Semaphore(3): 10 tasks of 200 ms in ceil(10 / 3) rounds.
        assert_eq!(ideal(Params { limit: Some(3), ..Params::new(Model::Async, 10, 200, 1) }), 800.0);
        let offload =
            Params { workload: Workload::Cpu, offload: true, ..Params::new(Model::Async, 4, 100, 1) };
        assert_eq!(ideal(offload), 200.0, "two cores compute while the loop awaits");
        let dead = Params { workload: Workload::Deadlock, ..Params::new(Model::Threads, 4, 100, 2) };
        assert_eq!(ideal(dead), 400.0, "every task holds lock A in turn");
        let counter = Params { workload: Workload::Counter, ..Params::new(Model::Threads, 4, 100, 2) };
        assert_eq!(ideal_ms(&counter, POOL), None, "no model predicts a counter's time");
    }

    #[test]
    fn tasks_at_once() {
        let at_once = |p: Params| ideal(&p, POOL).and_then(|i| i.at_once);
        assert_eq!(at_once(Params::new(Model::Async, 20, 300, 1)), None, "all at once");
        assert_eq!(at_once(Params { limit: Some(5), ..Params::new(Model::Async, 20, 300, 1) }), Some(5));
        let fetch =
            Params { workload: Workload::Fetch, limit: Some(8), ..Params::new(Model::Async, 20, 300, 1) };
        assert_eq!(at_once(Params { connections: Some(6), ..fetch }), Some(6), "the narrower of the two");
        assert_eq!(
            at_once(Params { limit: Some(30), ..fetch }),
            None,
            "a limit above the tasks holds none back"
        );
        assert_eq!(at_once(Params::new(Model::Threads, 20, 300, 4)), Some(4));
        assert_eq!(at_once(Params::new(Model::Threads, 3, 300, 4)), None, "a thread each");
        assert_eq!(at_once(Params::new(Model::Sequential, 3, 300, 1)), Some(1));
        // Eight threads on two cores: the cores set the ideal, not rounds of eight.
        let cpu = Params { workload: Workload::Cpu, ..Params::new(Model::Threads, 16, 100, 8) };
        assert_eq!(ideal(&cpu, POOL), Some(Ideal { ms: 800.0, at_once: None }));
    }
}
