//! The rules' tests: each refusal names its field, in the order the rules list them.

use super::check;
use crate::params::{
    DEFAULT_TIMEOUT_MS, FailMode, FieldError, Limits, Memory, Model, NoThreads, Opt, Params, Raw, Request,
    SyncMode, Timers, Workload,
};

const POOL: Limits = Limits::all_allowed();

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
        assert!(errs[0].message.contains("at most 1,000,000 tasks; got 1,000,001"), "{}", errs[0].message);
    }
    let all = check(&req("all", ten_m, Raw::Number(0.0), Raw::Missing), POOL).unwrap_err();
    assert!(all[0].message.starts_with("tasks: a threads run takes at most 1,000,000"), "{}", all[0].message);
    let per_task = check(
        &req("async", ten_m, Raw::Number(1000.0), Raw::Missing).with(Opt::Timers, Raw::Text("per-task")),
        POOL,
    )
    .unwrap_err();
    assert!(per_task[0].message.contains("at most 100,000"), "{}", per_task[0].message);
}

#[test]
fn refuses_bad_delay_and_threads_together() {
    let errs = one(Model::Threads, Raw::Number(3.0), Raw::Number(60_001.0), Raw::Number(0.0)).unwrap_err();
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
    let e =
        check(&req("threads", Raw::Number(3.0), Raw::Number(5.0), Raw::Number(500.0)), fewer).unwrap_err();
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
    assert!(e[0].message.starts_with("tasks: an async run may take at most 300,000 ms"), "{}", e[0].message);
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
    assert!(e[0].message.contains("sleep, fetch, cpu, counter, deadlock or convoy"), "{}", e[0].message);
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
    assert_eq!(check(&base.with(Opt::Connections, Raw::Text("6")), POOL).unwrap()[0].connections, Some(6));
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
    assert!(check(&dead.with(Opt::LockOrder, Raw::Text("same")), POOL).is_ok(), "same order cannot deadlock");
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
    assert_eq!(check(&r, none).unwrap()[0].processes, 3, "an old link's threads=3");
    let r = r.with(Opt::Processes, Raw::Number(4.0));
    let p = check(&r, none).unwrap()[0];
    assert_eq!(p.processes, 4, "processes wins over threads");
    assert_eq!((p.threads, p.workers()), (1, 4), "a processes run has no threads");
    let p = one(Model::Threads, Raw::Number(4.0), Raw::Number(10.0), Raw::Number(3.0)).unwrap();
    assert_eq!((p.threads, p.processes, p.workers()), (3, 0, 3));
    let e = check(&r.with(Opt::Processes, Raw::Number(17.0)), none).unwrap_err();
    assert_eq!(e[0].field, "processes");
    assert!(e[0].message.contains("processes must be a whole number from 1 to 16"), "{}", e[0].message);
}

#[test]
fn options_refused_as_given_are_listed_in_the_rules_order() {
    let junk = [
        (Opt::Tasks, Raw::Text("x")),
        (Opt::Delay, Raw::Number(-1.0)),
        (Opt::Workload, Raw::Text("disk")),
        (Opt::Timers, Raw::Text("fast")),
        (Opt::Fail, Raw::Text("x")),
        (Opt::FailMode, Raw::Text("gather")),
        (Opt::Gil, Raw::Text("yes")),
        (Opt::Blocking, Raw::Number(2.0)),
        (Opt::Connections, Raw::Number(0.0)),
        (Opt::TimeoutMs, Raw::Number(0.0)),
        (Opt::Increments, Raw::Number(0.0)),
        (Opt::Sync, Raw::Text("x")),
        (Opt::AwaitInside, Raw::Text("x")),
        (Opt::LockOrder, Raw::Text("x")),
        (Opt::Limit, Raw::Number(0.0)),
        (Opt::Offload, Raw::Text("x")),
    ];
    let r = junk
        .into_iter()
        .fold(Request::default().with(Opt::Model, Raw::Text("async")), |r, (o, v)| r.with(o, v));
    let fields: Vec<String> = check(&r, POOL).unwrap_err().into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "tasks",
            "delay",
            "timers",
            "workload",
            "gil",
            "blocking",
            "failMode",
            "fail",
            "connections",
            "timeoutMs",
            "increments",
            "sync",
            "awaitInside",
            "lockOrder",
            "limit",
            "offload",
        ]
    );
}

#[test]
fn options_refused_together_are_listed_in_the_rules_order() {
    let r = Request::default()
        .with(Opt::Model, Raw::Text("async"))
        .with(Opt::Tasks, Raw::Number(200_000.0))
        .with(Opt::Workload, Raw::Text("cpu"))
        .with(Opt::Timers, Raw::Text("per-task"))
        .with(Opt::Blocking, Raw::Bool(true))
        .with(Opt::FailMode, Raw::Text("drop"))
        .with(Opt::Sync, Raw::Text("lock"))
        .with(Opt::AwaitInside, Raw::Bool(true))
        .with(Opt::LockOrder, Raw::Text("same"))
        .with(Opt::Limit, Raw::Number(3.0))
        .with(Opt::Offload, Raw::Bool(true));
    let none = Limits { pool_size: 0, ..POOL };
    assert_eq!(
        opening_words(check(&r, none)),
        [
            "blocking | blocking=1 applies to",
            "failMode | failMode drop is",
            "sync | sync guards the",
            "awaitInside | awaitInside puts an",
            "lockOrder | lockOrder is the",
            "limit | limit is kept",
            "offload | offload is unavailable:",
            "tasks | tasks: an async",
        ]
    );
    let r = Request::default()
        .with(Opt::Model, Raw::Text("threads"))
        .with(Opt::Tasks, Raw::Number(1.0))
        .with(Opt::Workload, Raw::Text("deadlock"))
        .with(Opt::Fail, Raw::Number(0.0))
        .with(Opt::AwaitInside, Raw::Bool(true))
        .with(Opt::Limit, Raw::Number(3.0))
        .with(Opt::Offload, Raw::Bool(true));
    assert_eq!(
        opening_words(check(&r, none)),
        [
            "threads | threads are unavailable",
            "awaitInside | awaitInside puts an",
            "fail | fail applies to",
            "tasks | tasks: a deadlock",
            "limit | limit (asyncio.Semaphore) applies",
            "offload | offload applies to",
        ]
    );
}

/// Each refusal as its field and the first three words of its message.
fn opening_words(checked: Result<Vec<Params>, Vec<FieldError>>) -> Vec<String> {
    let words = |m: &str| m.split(' ').take(3).collect::<Vec<_>>().join(" ");
    checked.unwrap_err().iter().map(|e| format!("{} | {}", e.field, words(&e.message))).collect()
}

#[test]
fn threads_of_separate_memory_run_and_refuse_what_needs_shared_memory() {
    let separate = Limits { pool_size: 0, memory: Memory::Separate, ..POOL };
    let (eight, three, two) = (Raw::Number(8.0), Raw::Number(300.0), Raw::Number(2.0));
    let p = check(&req("threads", eight, three, two), separate).unwrap()[0];
    assert_eq!((p.threads, p.memory), (2, Memory::Separate));
    let models: Vec<_> =
        check(&req("all", eight, three, two), separate).unwrap().iter().map(|p| p.model).collect();
    assert_eq!(models, Model::ALL, "all runs three models");
    let per_task = check(&req("threads", Raw::Number(100.0), three, Raw::Number(100.0)), separate).unwrap();
    assert_eq!(per_task[0].threads, 100, "a thread per task, up to the same limits");
    let counter = req("threads", eight, three, two).with(Opt::Workload, Raw::Text("counter"));
    let e = check(&counter, separate).unwrap_err();
    assert_eq!(e[0].field, "workload");
    assert!(
        e[0].message.contains("not cross-origin isolated") && e[0].message.contains("full page"),
        "{}",
        e[0].message
    );
    let all_counter = req("all", eight, three, two).with(Opt::Workload, Raw::Text("counter"));
    assert_eq!(check(&all_counter, separate).unwrap_err()[0].field, "workload", "all runs threads too");
    let deadlock = req("threads", eight, three, two).with(Opt::Workload, Raw::Text("deadlock"));
    assert_eq!(check(&deadlock, separate).unwrap_err()[0].field, "workload");
    let convoy = req("threads", eight, three, two).with(Opt::Workload, Raw::Text("convoy"));
    let unsupported = Limits { no_threads: NoThreads::Unsupported, ..separate };
    let e = check(&convoy, unsupported).unwrap_err();
    assert_eq!(e[0].field, "workload");
    assert!(
        e[0].message.contains("no WebAssembly threads") && e[0].message.contains("Chromium"),
        "{}",
        e[0].message
    );
    assert!(check(&convoy, POOL).is_ok(), "shared memory keeps the convoy");
    // The GIL runs on either memory: on separate memory the page hands it over by messages.
    let gil = req("threads", eight, three, two).with(Opt::Gil, Raw::Bool(true));
    for limits in [separate, unsupported, POOL] {
        let p = check(&gil.with(Opt::Workload, Raw::Text("cpu")), limits).unwrap()[0];
        assert!(p.gil && p.switch_interval_us == 5_000);
    }
    let async_counter = req("async", eight, three, two).with(Opt::Workload, Raw::Text("counter"));
    assert!(check(&async_counter, separate).is_ok(), "async's counter needs no threads");
    let offload = req("async", eight, three, two).with(Opt::Offload, Raw::Bool(true));
    assert_eq!(check(&offload, separate).unwrap_err()[0].field, "offload", "offload needs the shared pool");
}

#[test]
fn switch_interval_is_read_in_ms_with_decimals() {
    let base = req("threads", Raw::Number(2.0), Raw::Number(100.0), Raw::Number(2.0))
        .with(Opt::Gil, Raw::Bool(true));
    assert_eq!(check(&base, POOL).unwrap()[0].switch_interval_us, 5_000, "CPython's default, 5 ms");
    for (raw, us) in [
        (Raw::Number(0.2), 200),
        (Raw::Text(" 1.5 "), 1_500),
        (Raw::Text("100"), 100_000),
        (Raw::Text(""), 5_000),
    ] {
        assert_eq!(check(&base.with(Opt::SwitchInterval, raw), POOL).unwrap()[0].switch_interval_us, us);
    }
    for raw in [
        Raw::Number(0.05),
        Raw::Number(101.0),
        Raw::Text("1e3"),
        Raw::Text("5 ms"),
        Raw::Text("."),
        Raw::Bool(true),
    ] {
        let e = check(&base.with(Opt::SwitchInterval, raw), POOL).unwrap_err();
        assert_eq!(e[0].field, "switchInterval");
        assert!(e[0].message.contains("a number from 0.1 to 100 ms"), "{}", e[0].message);
    }
}

#[test]
fn the_convoy_needs_two_threads_and_two_tasks_on_the_threads_model() {
    let convoy = |model, tasks, threads| {
        req(model, Raw::Number(tasks), Raw::Number(2000.0), Raw::Number(threads))
            .with(Opt::Workload, Raw::Text("convoy"))
    };
    let p = check(&convoy("threads", 3.0, 2.0), POOL).unwrap()[0];
    assert_eq!((p.workload, p.threads), (Workload::Convoy, 2));
    for (model, tasks, threads, field) in [
        ("async", 3.0, 2.0, "workload"),
        ("all", 3.0, 2.0, "workload"),
        ("threads", 3.0, 1.0, "threads"),
        ("threads", 1.0, 2.0, "tasks"),
    ] {
        let e = check(&convoy(model, tasks, threads), POOL).unwrap_err();
        assert_eq!(e[0].field, field, "{model} {tasks} {threads}: {e:?}");
    }
    let e = check(&convoy("threads", 3.0, 2.0).with(Opt::Fail, Raw::Number(1.0)), POOL).unwrap_err();
    assert_eq!(e[0].field, "fail");
}

#[test]
fn presentation_mode_changes_no_run_and_a_bad_value_names_the_field() {
    let plain = check(&req("all", Raw::Number(3.0), Raw::Number(100.0), Raw::Number(2.0)), POOL).unwrap();
    let shown =
        req("all", Raw::Number(3.0), Raw::Number(100.0), Raw::Number(2.0)).with(Opt::Present, Raw::Text("1"));
    assert_eq!(check(&shown, POOL).unwrap(), plain);
    let e = check(
        &req("async", Raw::Number(3.0), Raw::Number(100.0), Raw::Missing)
            .with(Opt::Present, Raw::Text("yes")),
        POOL,
    )
    .unwrap_err();
    assert_eq!((e.len(), e[0].field.as_str()), (1, "present"));
    assert_eq!(e[0].message, "present must be 0 or 1; got \"yes\".");
}
