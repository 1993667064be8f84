//! The rules: one check per run that refuses bad input before anything starts, naming the option
//! and the allowed range, and returns the runs to make.

use super::Params;
use super::ideal::ideal_ms;
use super::limits::*;
use super::parse::{FieldError, Raw, Request, choice, switch, whole};
use super::schema::{Kind, Max, Opt, WholeDefault, group};
use super::vocab::{FailMode, Model, Timers, Workload};

/// The whole number of option `o`, its schema default when missing. `Ok(None)`: off.
fn whole_or_default(o: Opt, raw: Raw, limits: Limits, tasks: Option<u32>) -> Result<Option<u32>, FieldError> {
    let Kind::Whole { min, max, default, .. } = o.spec().kind else {
        unreachable!("{} is not whole", o.name())
    };
    let max = match max {
        Max::Fixed(n) => n,
        Max::PoolSize => limits.pool_size,
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
        keep!(whole_or_default(Opt::Threads, req.get(Opt::Threads), limits, tasks)).flatten()
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
            "workload fetch is unavailable: this page's server does not answer latency requests (a \
             plain static host). Use ./build.sh serve."
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
                ..Params::new(m, tasks, delay_ms, threads)
            };
            let busy = u64::from(tasks) * u64::from(delay_ms);
            if p.busies_event_loop() && busy > MAX_BUSY_MS {
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
            let ideal = ideal_ms(&p, limits);
            if m != Model::Async && ideal > MAX_RUN_MS as f64 {
                errors.push(FieldError::new(
                    Opt::Tasks,
                    format!(
                        "tasks: a {} run may take at most {} ms (5 minutes); this one would take {} ms. \
                         Lower tasks or delay.",
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

    const POOL: Limits = Limits { pool_size: 16, cores: 2, fetch: true, no_threads: NoThreads::NotIsolated };

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
            one(Model::Threads, Raw::Number(3.0), Raw::Number(60_001.0), Raw::Number(17.0)).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["delay", "threads"]);
        assert!(errs[0].message.contains("from 0 to 60,000"));
        assert!(errs[1].message.contains("from 1 to 16"));
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
        assert!(e[0].message.contains("sleep, fetch or cpu"), "{}", e[0].message);
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
