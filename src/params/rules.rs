//! The rules: one check per run that refuses bad input before anything starts, naming the option
//! and the allowed range, and returns the runs to make.

use super::Params;
use super::ideal::ideal_ms;
use super::limits::*;
use super::parse::{FieldError, Raw, Request, choice, switch, whole};
use super::schema::{Kind, Max, Opt, WholeDefault, group};
use super::vocab::{FailMode, LockOrder, Model, SyncMode, Timers, Workload};

/// The whole number of option `o`, its schema default when missing. `Ok(None)`: off.
fn whole_or_default(o: Opt, raw: Raw, limits: Limits, tasks: Option<u32>) -> Result<Option<u32>, FieldError> {
    let Kind::Whole { min, max, default, .. } = o.spec().kind else {
        unreachable!("{} is not whole", o.name())
    };
    let max = match max {
        Max::Fixed(n) => n,
        Max::MaxThreads => limits.max_threads,
        Max::LastTask => tasks.unwrap_or(MAX_TASKS).saturating_sub(1),
    };
    let missing = match raw {
        Raw::Missing => true,
        // An empty text field means "not given" for options that are off by default and for
        // counts that default to the cores; a required count left empty is refused.
        Raw::Text(s) => s.trim().is_empty() && !matches!(default, WholeDefault::Value(_)),
        _ => false,
    };
    if missing {
        return Ok(match default {
            WholeDefault::Value(n) => Some(n),
            WholeDefault::Cores => Some(limits.cores.clamp(min, max.max(min))),
            WholeDefault::Off => None,
        });
    }
    whole(o, raw, min, max).map(Some)
}

/// A refused thread count above the most this browser holds says why there is a most at all.
fn beyond_threads(mut e: FieldError, raw: Raw, limits: Limits) -> FieldError {
    let asked = match raw {
        Raw::Number(n) => n,
        Raw::Text(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    };
    if asked > f64::from(limits.max_threads) {
        e.message.push_str(&format!(
            " A thread here is a Web Worker with its own wasm instance, and {} is the most this browser \
             holds on this page.",
            group(limits.max_threads.into())
        ));
    }
    e
}

/// Checks a full request; `model: "all"` means every model of [`Model::ALL`] in turn, and the
/// checks of every model apply (threads are skipped where there are none). Returns every refused
/// option at once, so the form can mark them all.
pub fn check(req: &Request, limits: Limits) -> Result<Vec<Params>, Vec<FieldError>> {
    let model_name = choice(Opt::Model, req.get(Opt::Model)).map_err(|e| vec![e])?;
    let model = Model::parse(model_name);
    let mut errors = Vec::new();
    macro_rules! keep {
        ($e:expr) => {
            $e.map_err(|e| errors.push(e)).ok()
        };
    }
    let models: Vec<Model> = match model {
        Some(m) => vec![m],
        None => Model::ALL.to_vec(),
    };

    let tasks = keep!(whole_or_default(Opt::Tasks, req.get(Opt::Tasks), limits, None)).flatten();
    let delay = keep!(whole_or_default(Opt::Delay, req.get(Opt::Delay), limits, None)).flatten();
    let threads = if !models.contains(&Model::Threads) {
        Some(1)
    } else if limits.pool_size == 0 {
        if model.is_some() {
            errors.push(FieldError::new(Opt::Threads, limits.no_threads.message().into()));
        }
        None
    } else {
        let raw = req.get(Opt::Threads);
        keep!(whole_or_default(Opt::Threads, raw, limits, tasks).map_err(|e| beyond_threads(e, raw, limits)))
            .flatten()
    };
    let processes = if models.contains(&Model::Processes) {
        // Links made before `processes` was an option of its own gave the count as `threads`.
        let raw = match req.get(Opt::Processes) {
            Raw::Missing => req.get(Opt::Threads),
            raw => raw,
        };
        keep!(whole_or_default(Opt::Processes, raw, limits, tasks)).flatten()
    } else {
        Some(1)
    };
    let timers = keep!(choice(Opt::Timers, req.get(Opt::Timers))).and_then(Timers::parse);
    let workload = keep!(choice(Opt::Workload, req.get(Opt::Workload))).and_then(Workload::parse);
    if workload == Some(Workload::Fetch) && !limits.fetch {
        errors.push(FieldError::new(
            Opt::Workload,
            "workload fetch is unavailable on this page: nothing answers its requests (the page's \
             service worker does on a static host where the browser allows it; ./build.sh serve does \
             too)."
                .into(),
        ));
    }
    let gil = keep!(switch(Opt::Gil, req.get(Opt::Gil)));
    let blocking = keep!(switch(Opt::Blocking, req.get(Opt::Blocking)));
    if blocking == Some(true) && workload.is_some_and(|w| w != Workload::Sleep) {
        errors.push(FieldError::new(
            Opt::Blocking,
            "blocking=1 applies to the sleep workload (CPU work blocks anyway, and a blocking request \
             on the page's main thread is deprecated in browsers)."
                .into(),
        ));
    }
    let fail_mode = keep!(choice(Opt::FailMode, req.get(Opt::FailMode))).and_then(FailMode::parse);
    if fail_mode == Some(FailMode::Panic) && models.iter().any(|&m| m != Model::Threads) {
        errors.push(FieldError::new(
            Opt::FailMode,
            "failMode panic applies to the threads model only: a panic aborts its thread, and on the \
             page's own thread that would be the whole engine."
                .into(),
        ));
    }
    let fail = keep!(whole_or_default(Opt::Fail, req.get(Opt::Fail), limits, tasks));
    if let (Some(mode), Some(w)) = (fail_mode, workload)
        && mode.is_network()
        && w != Workload::Fetch
    {
        errors.push(FieldError::new(
            Opt::FailMode,
            format!(
                "failMode {} is a network fault: it applies to workload fetch only (the server fails \
                 the request), and workload is {}.",
                mode.name(),
                w.name()
            ),
        ));
    }
    let connections = keep!(whole_or_default(Opt::Connections, req.get(Opt::Connections), limits, tasks));
    let timeout_ms =
        keep!(whole_or_default(Opt::TimeoutMs, req.get(Opt::TimeoutMs), limits, tasks)).flatten();
    if let (Some(t), Some(d), Some(Workload::Fetch)) = (timeout_ms, delay, workload)
        && t <= d
    {
        errors.push(FieldError::new(
            Opt::TimeoutMs,
            format!(
                "timeoutMs must be longer than delay ({} ms), or every request times out; got {} ms.",
                group(d.into()),
                group(t.into())
            ),
        ));
    }

    // The races, the locks and the bounded or offloaded async tasks.
    let increments =
        keep!(whole_or_default(Opt::Increments, req.get(Opt::Increments), limits, None)).flatten();
    let sync = keep!(choice(Opt::Sync, req.get(Opt::Sync))).and_then(SyncMode::parse);
    let await_inside = keep!(switch(Opt::AwaitInside, req.get(Opt::AwaitInside)));
    let lock_order = keep!(choice(Opt::LockOrder, req.get(Opt::LockOrder))).and_then(LockOrder::parse);
    let limit = keep!(whole_or_default(Opt::Limit, req.get(Opt::Limit), limits, None));
    let offload = keep!(switch(Opt::Offload, req.get(Opt::Offload)));
    let only_async = model.is_some_and(|m| m != Model::Async);
    let counter = workload == Some(Workload::Counter);
    let deadlock = workload == Some(Workload::Deadlock);
    if workload.is_some() && !counter && sync.is_some_and(|s| s != SyncMode::None) {
        errors.push(FieldError::new(
            Opt::Sync,
            "sync guards the counter's update: it applies to workload counter.".into(),
        ));
    }
    if await_inside == Some(true) {
        if workload.is_some() && !counter {
            errors.push(FieldError::new(
                Opt::AwaitInside,
                "awaitInside puts an await between the counter's read and write: it applies to workload \
                 counter."
                    .into(),
            ));
        } else if only_async {
            errors.push(FieldError::new(
                Opt::AwaitInside,
                "awaitInside applies to the async model: threads and processes have no await, and a \
                 thread may be switched between any read and write without one."
                    .into(),
            ));
        }
    }
    if workload.is_some() && !deadlock && lock_order.is_some_and(|o| o != LockOrder::default()) {
        errors.push(FieldError::new(
            Opt::LockOrder,
            "lockOrder is the order the deadlock workload takes its two locks in: it applies to \
             workload deadlock."
                .into(),
        ));
    }
    if (counter || deadlock) && fail.flatten().is_some() {
        errors.push(FieldError::new(
            Opt::Fail,
            "fail applies to the sleep, fetch and cpu workloads; a counter or a lock has no task that \
             fails halfway."
                .into(),
        ));
    }
    if deadlock && lock_order != Some(LockOrder::Same) {
        if model == Some(Model::Threads) && threads.is_some_and(|t| t < 2) {
            errors.push(FieldError::new(
                Opt::Threads,
                "threads: a deadlock needs two threads, each holding the lock the other wants, so at \
                 least 2; got 1."
                    .into(),
            ));
        }
        if matches!(model, Some(Model::Threads | Model::Async)) && tasks.is_some_and(|t| t < 2) {
            errors.push(FieldError::new(
                Opt::Tasks,
                "tasks: a deadlock needs two tasks, each holding the lock the other wants, so at least \
                 2; got 1."
                    .into(),
            ));
        }
    }
    if limit.flatten().is_some() && timers == Some(Timers::PerTask) && !only_async {
        errors.push(FieldError::new(
            Opt::Limit,
            "limit is kept by the playground's executor: use timers wheel with it.".into(),
        ));
    }
    if limit.flatten().is_some() && only_async {
        errors.push(FieldError::new(
            Opt::Limit,
            "limit (asyncio.Semaphore) applies to the async model; threads are already limited by \
             their number: set threads instead."
                .into(),
        ));
    }
    if offload == Some(true) {
        if only_async {
            errors.push(FieldError::new(
                Opt::Offload,
                "offload applies to the async model: it is how a coroutine hands work to a thread \
                 (asyncio.to_thread)."
                    .into(),
            ));
        } else if limits.pool_size == 0 {
            errors.push(FieldError::new(
                Opt::Offload,
                format!(
                    "offload is unavailable: it needs the thread pool, and {}",
                    limits.no_threads.message()
                ),
            ));
        } else if workload.is_some_and(|w| w != Workload::Cpu) && blocking != Some(true) {
            errors.push(FieldError::new(
                Opt::Offload,
                "offload hands a task's CPU work or blocking call to a thread: use workload cpu, or \
                 blocking=1 with sleep (awaiting a timer or a request needs no thread)."
                    .into(),
            ));
        }
    }
    if let (true, Some(tasks), Some(increments)) = (counter, tasks, increments) {
        let updates = u64::from(tasks) * u64::from(increments);
        let awaits = await_inside == Some(true) && model.is_none_or(|m| m == Model::Async);
        let cap = if awaits { MAX_AWAIT_UPDATES } else { MAX_COUNTER_UPDATES };
        if updates > cap {
            errors.push(FieldError::new(
                Opt::Increments,
                format!(
                    "increments: tasks × increments may be at most {}{}; got {}.",
                    group(cap),
                    if awaits { " with an await inside each update" } else { "" },
                    group(updates)
                ),
            ));
        }
    }

    if let (Some(tasks), Some(delay_ms), Some(workload), Some(blocking)) = (tasks, delay, workload, blocking)
    {
        if timers == Some(Timers::PerTask)
            && models.contains(&Model::Async)
            && workload == Workload::Sleep
            && tasks > MAX_PER_TASK_TIMERS
        {
            errors.push(FieldError::new(
                Opt::Tasks,
                format!(
                    "tasks: with timers per-task each task costs a browser timer and a JS closure, so at \
                     most {}; got {}. The wheel executor takes up to {}.",
                    group(MAX_PER_TASK_TIMERS.into()),
                    group(tasks.into()),
                    group(MAX_TASKS.into())
                ),
            ));
        }
        if workload == Workload::Fetch && tasks > MAX_FETCH_TASKS {
            errors.push(FieldError::new(
                Opt::Tasks,
                format!(
                    "tasks: a fetch run makes a real request per task, at most {}; got {}.",
                    group(MAX_FETCH_TASKS.into()),
                    group(tasks.into())
                ),
            ));
        }
        // Only the wheel executor keeps ten million pending tasks; every other model has its
        // own cap, named with the figure.
        if let Some(&m) = models.iter().find(|&&m| m != Model::Async)
            && tasks > MAX_TASKS_ELSEWHERE
        {
            errors.push(FieldError::new(
                Opt::Tasks,
                format!(
                    "tasks: a {} run takes at most {} tasks; got {}. Only async runs (wheel executor) \
                     take up to {}.",
                    m.name(),
                    group(MAX_TASKS_ELSEWHERE.into()),
                    group(tasks.into()),
                    group(MAX_TASKS.into())
                ),
            ));
        }
        // Caps that depend on several options: a run that would take hours, or freeze the page
        // for long, is refused before it starts, with the figure.
        for &m in &models {
            let threads = match (m, threads, processes) {
                (Model::Threads, Some(t), _) | (Model::Processes, _, Some(t)) => t,
                (Model::Threads | Model::Processes, _, _) => continue,
                _ => 1,
            };
            let p = Params {
                workload,
                blocking,
                gil: gil.unwrap_or(false),
                offload: offload.unwrap_or(false),
                limit: limit.flatten(),
                connections: connections.flatten(),
                ..Params::new(m, tasks, delay_ms, threads)
            };
            let busy = u64::from(tasks) * u64::from(delay_ms);
            // (The counter's own cap, above, bounds how long its updates keep the loop busy.)
            if p.busies_event_loop() && workload != Workload::Counter && busy > MAX_BUSY_MS {
                errors.push(FieldError::new(
                    Opt::Tasks,
                    format!(
                        "tasks: this {} run keeps the page's event loop busy (the page freezes), so \
                         tasks × delay may be at most {} ms; got {} ms.",
                        m.name(),
                        group(MAX_BUSY_MS),
                        group(busy)
                    ),
                ));
                break;
            }
            let ideal = ideal_ms(&p, limits).unwrap_or(0.0);
            // Async tasks that all wait at once take one delay however many they are; held to a
            // few at a time (limit, connections, the pool they offload to) they take rounds, as
            // threads do, and the same cap applies.
            if ideal > MAX_RUN_MS as f64 {
                let article = if m == Model::Async { "an" } else { "a" };
                let wider = if m == Model::Async { ", or let more run at once" } else { "" };
                errors.push(FieldError::new(
                    Opt::Tasks,
                    format!(
                        "tasks: {article} {} run may take at most {} ms (5 minutes); this one would \
                         take {} ms. Lower tasks or delay{wider}.",
                        m.name(),
                        group(MAX_RUN_MS),
                        group(ideal as u64)
                    ),
                ));
                break;
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let base = Params {
        timers: timers.unwrap_or_default(),
        workload: workload.unwrap_or_default(),
        gil: gil.unwrap_or(false),
        blocking: blocking.unwrap_or(false),
        fail: fail.flatten(),
        fail_mode: fail_mode.unwrap_or_default(),
        connections: connections.flatten(),
        timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
        increments: increments.unwrap_or(1),
        sync: sync.unwrap_or_default(),
        await_inside: await_inside.unwrap_or(false),
        lock_order: lock_order.unwrap_or_default(),
        limit: limit.flatten(),
        offload: offload.unwrap_or(false),
        ..Params::new(Model::Async, tasks.unwrap_or(1), delay.unwrap_or(0), 1)
    };
    Ok(models
        .into_iter()
        .filter_map(|model| {
            let threads = match model {
                Model::Threads => threads.filter(|_| limits.pool_size > 0)?,
                Model::Processes => processes?,
                _ => 1,
            };
            Some(Params { model, threads, ..base })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: Limits = Limits {
        pool_size: 16,
        max_threads: 1_000,
        cores: 2,
        fetch: true,
        no_threads: NoThreads::NotIsolated,
    };

    fn req<'a>(model: &'a str, tasks: Raw<'a>, delay: Raw<'a>, threads: Raw<'a>) -> Request<'a> {
        Request::default()
            .with(Opt::Model, Raw::Text(model))
            .with(Opt::Tasks, tasks)
            .with(Opt::Delay, delay)
            .with(Opt::Threads, threads)
    }

    fn one(model: Model, tasks: Raw, delay: Raw, threads: Raw) -> Result<Params, Vec<FieldError>> {
        check(&req(model.name(), tasks, delay, threads), POOL).map(|v| v[0])
    }

    #[test]
    fn accepts_numbers_and_digit_strings() {
        let p = one(Model::Threads, Raw::Text(" 3 "), Raw::Number(1000.0), Raw::Text("3")).unwrap();
        assert_eq!(p, Params::new(Model::Threads, 3, 1000, 3));
    }

    #[test]
    fn defaults_come_from_the_schema() {
        let p = check(&Request::default(), POOL).unwrap()[0];
        assert_eq!(p, Params::new(Model::Async, 3, 1000, 1));
        let p = check(&Request::default().with(Opt::Model, Raw::Text("threads")), POOL).unwrap()[0];
        assert_eq!(p.threads, 2, "one thread per core");
        let p = check(&req("threads", Raw::Missing, Raw::Missing, Raw::Text("")), POOL).unwrap()[0];
        assert_eq!(p.threads, 2, "an empty threads field means one per core");
    }

    #[test]
    fn refuses_bad_tasks_naming_field_and_range() {
        for bad in [
            Raw::Text(""),
            Raw::Text("0"),
            Raw::Text("1.5"),
            Raw::Text("-1"),
            Raw::Text("abc"),
            Raw::Text("1e3"),
            Raw::Text("10000001"),
            Raw::Text("99999999999999999999999"),
            Raw::Number(f64::NAN),
            Raw::Number(f64::INFINITY),
            Raw::Number(2.5),
            Raw::Number(-3.0),
            Raw::Other,
        ] {
            let errs = one(Model::Async, bad, Raw::Number(10.0), Raw::Missing).unwrap_err();
            assert_eq!(errs.len(), 1, "{bad:?}");
            assert_eq!(errs[0].field, "tasks");
            assert!(errs[0].message.contains("from 1 to 10,000,000"), "{}", errs[0].message);
        }
    }

    #[test]
    fn ten_million_tasks_are_for_async_on_the_wheel_only() {
        let ten_m = Raw::Number(10_000_000.0);
        assert_eq!(one(Model::Async, ten_m, Raw::Number(1000.0), Raw::Missing).unwrap().tasks, 10_000_000);
        for model in [Model::Threads, Model::Sequential, Model::Processes] {
            let errs = one(model, Raw::Number(1_000_001.0), Raw::Number(0.0), Raw::Missing).unwrap_err();
            assert_eq!(errs[0].field, "tasks");
            assert!(
                errs[0].message.contains("at most 1,000,000 tasks; got 1,000,001"),
                "{}",
                errs[0].message
            );
        }
        let all = check(&req("all", ten_m, Raw::Number(0.0), Raw::Missing), POOL).unwrap_err();
        assert!(
            all[0].message.starts_with("tasks: a threads run takes at most 1,000,000"),
            "{}",
            all[0].message
        );
        let per_task = check(
            &req("async", ten_m, Raw::Number(1000.0), Raw::Missing).with(Opt::Timers, Raw::Text("per-task")),
            POOL,
        )
        .unwrap_err();
        assert!(per_task[0].message.contains("at most 100,000"), "{}", per_task[0].message);
    }

    #[test]
    fn refuses_bad_delay_and_threads_together() {
        let errs =
            one(Model::Threads, Raw::Number(3.0), Raw::Number(60_001.0), Raw::Number(0.0)).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["delay", "threads"]);
        assert!(errs[0].message.contains("from 0 to 60,000"));
        assert!(errs[1].message.contains("from 1 to 1,000"));
    }

    #[test]
    fn threads_go_past_the_pool_up_to_the_browsers_most() {
        let p = one(Model::Threads, Raw::Number(1_000.0), Raw::Number(5.0), Raw::Number(1_000.0)).unwrap();
        assert_eq!(p.threads, 1_000, "one thread per task, past the pool of 16");
        let e = one(Model::Threads, Raw::Number(3.0), Raw::Number(5.0), Raw::Text("1001")).unwrap_err();
        assert_eq!(e[0].field, "threads");
        assert!(e[0].message.starts_with("threads must be a whole number from 1 to 1,000; got \"1001\"."));
        assert!(e[0].message.contains("1,000 is the most this browser holds"), "{}", e[0].message);
        let fewer = Limits { max_threads: 480, ..POOL };
        let e = check(&req("threads", Raw::Number(3.0), Raw::Number(5.0), Raw::Number(500.0)), fewer)
            .unwrap_err();
        assert!(e[0].message.contains("from 1 to 480") && e[0].message.contains("480 is the most"));
        // Below the range, the range alone says it.
        let e = one(Model::Threads, Raw::Number(3.0), Raw::Number(5.0), Raw::Number(0.0)).unwrap_err();
        assert!(!e[0].message.contains("most this browser"), "{}", e[0].message);
    }

    #[test]
    fn threads_field_only_matters_to_the_threads_model() {
        let p = one(Model::Async, Raw::Number(3.0), Raw::Number(5.0), Raw::Text("junk")).unwrap();
        assert_eq!(p.threads, 1);
    }

    #[test]
    fn threads_unavailable_is_refused_with_the_reason_and_skipped_for_all() {
        let none = Limits { pool_size: 0, ..POOL };
        let (three, five, two) = (Raw::Number(3.0), Raw::Number(5.0), Raw::Number(2.0));
        let e = check(&req("threads", three, five, two), none).unwrap_err();
        assert_eq!(e[0].field, "threads");
        assert!(e[0].message.contains("not cross-origin isolated"));
        let unsupported = Limits { no_threads: NoThreads::Unsupported, ..none };
        let e = check(&req("threads", three, five, two), unsupported).unwrap_err();
        assert!(e[0].message.contains("does not support WebAssembly threads"), "{}", e[0].message);
        let all = check(&req("all", three, five, two), none).unwrap();
        let models: Vec<_> = all.iter().map(|p| p.model).collect();
        assert_eq!(models, [Model::Async, Model::Sequential]);
    }

    #[test]
    fn long_runs_are_refused_with_the_figure() {
        let e = one(Model::Sequential, Raw::Number(1000.0), Raw::Number(60_000.0), Raw::Missing).unwrap_err();
        assert_eq!(e[0].field, "tasks");
        assert!(e[0].message.contains("60,000,000 ms"), "{}", e[0].message);
        // The same tasks overlap under async: allowed.
        assert!(one(Model::Async, Raw::Number(1000.0), Raw::Number(60_000.0), Raw::Missing).is_ok());
        // A million async tasks are allowed.
        assert!(one(Model::Async, Raw::Number(1e6), Raw::Number(1000.0), Raw::Missing).is_ok());
        // Held to one at a time they take rounds, as threads do: the same cap.
        let limited = req("async", Raw::Number(1000.0), Raw::Number(60_000.0), Raw::Missing)
            .with(Opt::Limit, Raw::Number(1.0));
        let e = check(&limited, POOL).unwrap_err();
        assert_eq!(e[0].field, "tasks");
        assert!(
            e[0].message.starts_with("tasks: an async run may take at most 300,000 ms"),
            "{}",
            e[0].message
        );
        assert!(e[0].message.ends_with("or let more run at once."), "{}", e[0].message);
        let fetches = req("async", Raw::Number(1000.0), Raw::Number(60_000.0), Raw::Missing)
            .with(Opt::Workload, Raw::Text("fetch"))
            .with(Opt::Connections, Raw::Number(2.0));
        let e = check(&fetches, POOL).unwrap_err();
        assert!(e.iter().any(|e| e.field == "tasks" && e.message.contains("30,000,000 ms")), "{e:?}");
    }

    #[test]
    fn model_names() {
        let m = |s| check(&req(s, Raw::Number(1.0), Raw::Number(1.0), Raw::Number(1.0)), POOL);
        assert_eq!(m("threads").unwrap()[0].model, Model::Threads);
        assert_eq!(m("processes").unwrap()[0].model, Model::Processes);
        assert_eq!(m("all").unwrap().len(), 3);
        let e = m("<b>x</b>").unwrap_err();
        assert!(e[0].message.contains("async, threads, sequential, processes or all"), "{}", e[0].message);
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(10_000);
        let e = one(Model::Async, Raw::Text(&long), Raw::Number(1.0), Raw::Missing).unwrap_err();
        assert!(e[0].message.len() < 120, "{}", e[0].message);
    }

    #[test]
    fn timers_default_to_the_wheel_and_refuse_others() {
        let r = req("async", Raw::Number(3.0), Raw::Number(5.0), Raw::Missing)
            .with(Opt::Timers, Raw::Text("per-task"));
        assert_eq!(check(&r, POOL).unwrap()[0].timers, Timers::PerTask);
        let r = r.with(Opt::Timers, Raw::Text("fast"));
        let e = check(&r, POOL).unwrap_err();
        assert_eq!(e[0].field, "timers");
        assert!(e[0].message.contains("wheel or per-task"));
    }

    #[test]
    fn workload_gil_blocking_fail_options() {
        let base = req("threads", Raw::Number(4.0), Raw::Number(50.0), Raw::Number(2.0));
        let r = base
            .with(Opt::Workload, Raw::Text("cpu"))
            .with(Opt::Gil, Raw::Text("1"))
            .with(Opt::Fail, Raw::Number(3.0))
            .with(Opt::FailMode, Raw::Text("try_join_all"));
        let p = check(&r, POOL).unwrap()[0];
        assert_eq!(
            (p.workload, p.gil, p.fail, p.fail_mode),
            (Workload::Cpu, true, Some(3), FailMode::TryJoinAll)
        );
        assert_eq!(check(&base, POOL).unwrap()[0].fail, None);
        assert_eq!(check(&base.with(Opt::Fail, Raw::Text(" ")), POOL).unwrap()[0].fail, None);
        for (field, r) in [
            ("workload", base.with(Opt::Workload, Raw::Text("disk"))),
            ("gil", base.with(Opt::Gil, Raw::Text("yes"))),
            ("blocking", base.with(Opt::Blocking, Raw::Number(2.0))),
            ("fail", base.with(Opt::Fail, Raw::Number(4.0))),
            ("failMode", base.with(Opt::FailMode, Raw::Text("gather"))),
        ] {
            let e = check(&r, POOL).unwrap_err();
            assert_eq!(e[0].field, field, "{e:?}");
        }
        let e = check(&base.with(Opt::Fail, Raw::Number(9.0)), POOL).unwrap_err();
        assert!(e[0].message.contains("from 0 to 3"), "{}", e[0].message);
        let e = check(&base.with(Opt::Workload, Raw::Text("disk")), POOL).unwrap_err();
        assert!(e[0].message.contains("sleep, fetch, cpu, counter or deadlock"), "{}", e[0].message);
    }

    #[test]
    fn busy_event_loop_and_fetch_caps() {
        let r = req("async", Raw::Number(10.0), Raw::Number(1000.0), Raw::Missing)
            .with(Opt::Blocking, Raw::Bool(true));
        let e = check(&r, POOL).unwrap_err();
        assert!(e[0].message.contains("at most 5,000 ms; got 10,000 ms"), "{}", e[0].message);
        // The same blocking tasks are fine on threads, where blocking is what threads do.
        let r = r.with(Opt::Model, Raw::Text("threads")).with(Opt::Threads, Raw::Number(2.0));
        assert!(check(&r, POOL).is_ok());
        let r = req("async", Raw::Number(1001.0), Raw::Number(10.0), Raw::Missing)
            .with(Opt::Workload, Raw::Text("fetch"));
        assert_eq!(check(&r, POOL).unwrap_err()[0].field, "tasks");
        let no_fetch = Limits { fetch: false, ..POOL };
        let r = req("async", Raw::Number(3.0), Raw::Number(10.0), Raw::Missing)
            .with(Opt::Workload, Raw::Text("fetch"));
        assert_eq!(check(&r, no_fetch).unwrap_err()[0].field, "workload");
    }

    #[test]
    fn network_faults_need_fetch_and_timeouts_exceed_the_delay() {
        let base =
            req("async", Raw::Number(4.0), Raw::Number(50.0), Raw::Missing).with(Opt::Fail, Raw::Number(1.0));
        for mode in ["http500", "drop", "stall"] {
            let r = base.with(Opt::FailMode, Raw::Text(mode));
            let e = check(&r, POOL).unwrap_err();
            assert_eq!(e[0].field, "failMode");
            assert!(e[0].message.contains("workload fetch only"), "{}", e[0].message);
            let p = check(&r.with(Opt::Workload, Raw::Text("fetch")), POOL).unwrap()[0];
            assert_eq!(p.network_fault().map(|m| m.name()), Some(mode));
            assert_eq!(p.timeout_ms, DEFAULT_TIMEOUT_MS);
        }
        let fetch = base.with(Opt::Workload, Raw::Text("fetch"));
        let e = check(&fetch.with(Opt::TimeoutMs, Raw::Number(50.0)), POOL).unwrap_err();
        assert_eq!(e[0].field, "timeoutMs");
        assert!(e[0].message.contains("longer than delay (50 ms)"), "{}", e[0].message);
        let e = check(&fetch.with(Opt::TimeoutMs, Raw::Number(200_000.0)), POOL).unwrap_err();
        assert!(e[0].message.contains("from 1 to 120,000"), "{}", e[0].message);
        assert_eq!(check(&fetch.with(Opt::TimeoutMs, Raw::Number(51.0)), POOL).unwrap()[0].timeout_ms, 51);
        // Sleep runs keep the default timeout, which they never use.
        assert!(check(&base.with(Opt::Delay, Raw::Number(20_000.0)), POOL).is_ok());
    }

    #[test]
    fn connections_are_off_by_default_and_bounded() {
        let base = req("async", Raw::Number(10.0), Raw::Number(50.0), Raw::Missing)
            .with(Opt::Workload, Raw::Text("fetch"));
        assert_eq!(check(&base, POOL).unwrap()[0].connections, None);
        assert_eq!(
            check(&base.with(Opt::Connections, Raw::Text("6")), POOL).unwrap()[0].connections,
            Some(6)
        );
        let e = check(&base.with(Opt::Connections, Raw::Number(0.0)), POOL).unwrap_err();
        assert_eq!(e[0].field, "connections");
        assert!(e[0].message.contains("from 1 to 1,000"), "{}", e[0].message);
    }

    #[test]
    fn race_and_lock_options_are_checked_naming_the_field() {
        let counter = |model: &'static str| {
            req(model, Raw::Number(2.0), Raw::Number(10.0), Raw::Number(2.0))
                .with(Opt::Workload, Raw::Text("counter"))
        };
        let p = check(&counter("threads").with(Opt::Sync, Raw::Text("lock")), POOL).unwrap()[0];
        assert_eq!((p.workload, p.sync, p.increments), (Workload::Counter, SyncMode::Lock, 100_000));
        let p = check(&counter("async").with(Opt::AwaitInside, Raw::Bool(true)), POOL).unwrap()[0];
        assert!(p.await_inside);
        let field = |r: Request, limits: Limits| check(&r, limits).unwrap_err()[0].field.clone();
        assert_eq!(field(counter("threads").with(Opt::AwaitInside, Raw::Bool(true)), POOL), "awaitInside");
        assert_eq!(field(counter("async").with(Opt::Increments, Raw::Number(0.0)), POOL), "increments");
        let e = check(&counter("async").with(Opt::Increments, Raw::Number(10_000_001.0)), POOL).unwrap_err();
        assert!(e[0].message.contains("from 1 to 10,000,000"), "{}", e[0].message);
        let many =
            counter("threads").with(Opt::Tasks, Raw::Number(100.0)).with(Opt::Increments, Raw::Number(1e6));
        assert!(field(many, POOL) == "increments");
        let sleep = req("async", Raw::Number(2.0), Raw::Number(10.0), Raw::Missing);
        assert_eq!(field(sleep.with(Opt::Sync, Raw::Text("lock")), POOL), "sync");
        assert_eq!(field(sleep.with(Opt::LockOrder, Raw::Text("same")), POOL), "lockOrder");
        let dead = req("threads", Raw::Number(2.0), Raw::Number(10.0), Raw::Number(1.0))
            .with(Opt::Workload, Raw::Text("deadlock"));
        assert_eq!(field(dead, POOL), "threads");
        assert!(
            check(&dead.with(Opt::LockOrder, Raw::Text("same")), POOL).is_ok(),
            "same order cannot deadlock"
        );
        let limited = req("threads", Raw::Number(10.0), Raw::Number(200.0), Raw::Number(2.0))
            .with(Opt::Limit, Raw::Number(3.0));
        assert_eq!(field(limited, POOL), "limit");
        let p = check(&limited.with(Opt::Model, Raw::Text("async")), POOL).unwrap()[0];
        assert_eq!(p.limit, Some(3));
        let cpu = req("async", Raw::Number(4.0), Raw::Number(100.0), Raw::Missing)
            .with(Opt::Workload, Raw::Text("cpu"))
            .with(Opt::Offload, Raw::Bool(true));
        let p = check(&cpu, POOL).unwrap()[0];
        assert!(p.offload && !p.busies_event_loop());
        let none = Limits { pool_size: 0, ..POOL };
        let e = check(&cpu, none).unwrap_err();
        assert_eq!(e[0].field, "offload");
        assert!(e[0].message.contains("not cross-origin isolated"), "{}", e[0].message);
        assert_eq!(field(cpu.with(Opt::Workload, Raw::Text("sleep")), POOL), "offload");
    }

    #[test]
    fn processes_have_their_own_count_and_old_links_give_it_as_threads() {
        let none = Limits { pool_size: 0, ..POOL };
        let r = req("processes", Raw::Number(4.0), Raw::Number(10.0), Raw::Number(3.0));
        assert_eq!(check(&r, none).unwrap()[0].threads, 3, "an old link's threads=3");
        let r = r.with(Opt::Processes, Raw::Number(4.0));
        assert_eq!(check(&r, none).unwrap()[0].threads, 4, "processes wins over threads");
        let e = check(&r.with(Opt::Processes, Raw::Number(17.0)), none).unwrap_err();
        assert_eq!(e[0].field, "processes");
        assert!(e[0].message.contains("processes must be a whole number from 1 to 16"), "{}", e[0].message);
    }
}
