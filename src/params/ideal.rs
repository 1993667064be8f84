//! Ideal elapsed times: what each model predicts for a run, with perfect machinery.

use super::Params;
use super::limits::Limits;
use super::vocab::{Model, Workload};

/// The ideal elapsed time, in ms: the physical limit of the run with perfect machinery.
/// - Waiting (sleep): async one delay; threads ceil(tasks / threads) delays; sequential tasks ×
///   delay; async tasks that block instead of awaiting, tasks × delay.
/// - Fetch: as waiting; async with `connections` keeps at most that many requests under way, like
///   aiohttp's connector. (A browser that sends them to one HTTP/1.1 server keeps at most 6 open:
///   that is the machinery's limit, not the model's, and the run's record says when it happened.)
/// - CPU: one event loop computes one task at a time (tasks × delay); threads share the cores:
///   ceil(tasks / threads) rounds, and no faster than the total work over the cores; with the
///   GIL, one thread computes at a time (tasks × delay).
pub fn ideal_ms(p: &Params, limits: Limits) -> f64 {
    let (n, d) = (f64::from(p.tasks), f64::from(p.delay_ms));
    let rounds = |width: u32| f64::from(p.tasks.div_ceil(width.max(1))) * d;
    let cpu_on = |width: u32| rounds(width).max(n * d / f64::from(limits.cores.max(1)));
    match (p.model, p.workload) {
        // The counter's time is the updates themselves, which no model predicts: its record
        // gives the time per update instead.
        (_, Workload::Counter) => 0.0,
        // Every task holds lock A for a delay, one at a time (processes each have their own).
        (Model::Processes, Workload::Deadlock) => rounds(p.threads),
        (_, Workload::Deadlock) => n * d,
        (Model::Sequential, _) => n * d,
        // Offloaded: the pool's threads block or compute, the event loop only awaits them.
        (Model::Async, Workload::Cpu) if p.offload => cpu_on(limits.pool_size),
        (Model::Async, Workload::Sleep) if p.offload => rounds(limits.pool_size),
        (Model::Async, _) if p.blocking => n * d,
        (Model::Async, Workload::Sleep) if p.limit.is_some() => rounds(p.limit.unwrap_or(1)),
        (Model::Async, Workload::Fetch) if p.limit.is_some() => {
            let width = p.limit.unwrap_or(1).min(p.connections.unwrap_or(u32::MAX));
            rounds(width)
        }
        (Model::Async, Workload::Sleep) => d,
        (Model::Async, Workload::Fetch) => p.connections.map_or(d, rounds),
        (Model::Async, Workload::Cpu) => n * d,
        (Model::Threads, Workload::Sleep) => rounds(p.threads),
        (Model::Threads, Workload::Fetch) => rounds(p.threads),
        (Model::Threads, Workload::Cpu) if p.gil => n * d,
        (Model::Threads | Model::Processes, Workload::Cpu) => cpu_on(p.threads),
        (Model::Processes, Workload::Sleep) => rounds(p.threads),
        (Model::Processes, Workload::Fetch) => rounds(p.threads),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: Limits = Limits {
        pool_size: 16,
        max_threads: 1_000,
        cores: 2,
        fetch: true,
        no_threads: super::super::NoThreads::NotIsolated,
    };

    #[test]
    fn ideal_times() {
        let ideal = |p: Params| ideal_ms(&p, POOL);
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
    }
}
