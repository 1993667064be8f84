//! The questions and the judging sentences, for each workload kind, close and far.

use super::*;
use crate::contract::OrNull;

fn run(model: Model, tasks: u32, delay: u32, elapsed_ms: f64) -> Record {
    Record {
        model,
        tasks,
        delay,
        threads: if model == Model::Threads { tasks } else { 1 },
        elapsed_ms,
        finished: tasks,
        peak_in_flight: tasks,
        ideal_ms: OrNull(Some(f64::from(delay))),
        ..Record::default()
    }
}

fn elapsed(ms: f64) -> Prediction {
    Prediction { elapsed_ms: Some(ms), lost_updates: None, deadlock: None }
}

fn lost(n: f64) -> Prediction {
    Prediction { elapsed_ms: None, lost_updates: Some(n), deadlock: None }
}

fn deadlock(yes: bool) -> Prediction {
    Prediction { elapsed_ms: None, lost_updates: None, deadlock: Some(yes) }
}

#[test]
fn a_far_prediction_names_both_figures_and_why_in_the_models_terms() {
    let r = run(Model::Threads, 3, 1000, 1003.4);
    let j = judge(&r, &elapsed(3000.0)).expect("an elapsed prediction of a sleep run");
    assert_eq!(j.figure, Figure::ElapsedMs);
    assert!(!j.close);
    assert_eq!(
        j.sentence,
        "You predicted 3 s; threads took 1,003.4 ms (off by 2 s): three threads each waited once, at the \
         same time, for 1,000 ms."
    );
}

#[test]
fn close_is_within_a_quarter_or_100_ms() {
    let r = run(Model::Async, 3, 1000, 1003.4);
    let j = judge(&r, &elapsed(1000.0)).unwrap();
    assert!(j.close, "{}", j.sentence);
    assert!(
        j.sentence
            .starts_with("You predicted 1 s; async took 1,003.4 ms (close): all 3 tasks waited at once")
    );
    assert!(judge(&r, &elapsed(1250.0)).unwrap().close, "within 25 %");
    assert!(!judge(&r, &elapsed(1300.0)).unwrap().close, "more than 25 % off");
    // A short run: 100 ms either way is still close.
    let quick = run(Model::Async, 3, 10, 12.0);
    assert!(judge(&quick, &elapsed(100.0)).unwrap().close);
    assert!(!judge(&quick, &elapsed(150.0)).unwrap().close);
    assert!(
        judge(&quick, &elapsed(100.0))
            .unwrap()
            .sentence
            .starts_with("You predicted 100 ms; async took 12 ms")
    );
}

#[test]
fn elapsed_says_why_for_each_model_and_workload() {
    let mut threads = run(Model::Threads, 8, 500, 2010.0);
    threads.threads = 2;
    let s = judge(&threads, &elapsed(500.0)).unwrap().sentence;
    assert!(
        s.ends_with("2 threads each waited for one task at a time: ceil(8 / 2) = 4 rounds of 500 ms."),
        "{s}"
    );
    let mut seq = run(Model::Sequential, 3, 1000, 3004.0);
    seq.ideal_ms = OrNull(Some(3000.0));
    let s = judge(&seq, &elapsed(1000.0)).unwrap().sentence;
    assert!(s.ends_with("one task after another: 3 × 1,000 ms = 3,000 ms."), "{s}");
    let mut cpu = run(Model::Async, 4, 150, 610.0);
    cpu.workload = Workload::Cpu;
    cpu.speedup = Some(0.98);
    let s = judge(&cpu, &elapsed(150.0)).unwrap().sentence;
    assert!(
        s.contains(
            "CPU work never waits, so one thread computed the 4 tasks one after another (speedup 0.98×)"
        ),
        "{s}"
    );
    let mut gil = run(Model::Threads, 4, 150, 612.0);
    gil.workload = Workload::Cpu;
    gil.gil = true;
    gil.speedup = Some(0.97);
    let s = judge(&gil, &elapsed(150.0)).unwrap().sentence;
    assert!(s.contains("with the GIL one thread computed at a time (speedup 0.97×"), "{s}");
    let mut blocking = run(Model::Async, 3, 300, 905.0);
    blocking.blocking = true;
    let s = judge(&blocking, &elapsed(300.0)).unwrap().sentence;
    assert!(s.contains("each task blocked the event loop instead of awaiting"), "{s}");
    let mut limited = run(Model::Async, 10, 100, 305.0);
    limited.ideal_in_flight = OrNull(Some(4));
    limited.peak_in_flight = 4;
    let s = judge(&limited, &elapsed(100.0)).unwrap().sentence;
    assert!(
        s.contains("at most 4 tasks waited at a time on one thread (up to 4 in flight): 3 rounds of 100 ms"),
        "{s}"
    );
    let mut processes = run(Model::Processes, 4, 200, 410.0);
    processes.processes = 2;
    let s = judge(&processes, &elapsed(400.0)).unwrap().sentence;
    assert!(s.contains("2 processes each waited for one task at a time: 2 rounds of 200 ms"), "{s}");
    let mut stopped = run(Model::Async, 3, 1000, 200.0);
    stopped.stopped = true;
    stopped.finished = 0;
    assert!(
        judge(&stopped, &elapsed(1000.0))
            .unwrap()
            .sentence
            .contains("the run was stopped with 0 of 3 tasks done")
    );
}

#[test]
fn the_counter_is_judged_by_its_lost_updates() {
    let mut r = run(Model::Threads, 2, 0, 40.0);
    r.workload = Workload::Counter;
    r.threads = 2;
    r.sync = Some(SyncMode::None);
    r.counter_expected = Some(2_000_000.0);
    r.lost_updates = Some(412_345.0);
    let j = judge(&r, &lost(0.0)).expect("a lost-updates prediction of a counter run");
    assert_eq!(j.figure, Figure::LostUpdates);
    assert!(!j.close);
    assert!(
        j.sentence.starts_with("You predicted 0 updates lost; threads lost 412,345 of 2,000,000 (off by 412,345): 2 threads ran at once"),
        "{}",
        j.sentence
    );
    assert!(judge(&r, &lost(400_000.0)).unwrap().close);
    // An elapsed time is not what a counter run asks for.
    assert_eq!(judge(&r, &elapsed(40.0)), None);

    let mut locked = r.clone();
    locked.sync = Some(SyncMode::Lock);
    locked.lost_updates = Some(0.0);
    let j = judge(&locked, &lost(0.0)).unwrap();
    assert!(j.close);
    assert!(
        j.sentence.ends_with("(close): the lock let one thread at a time between the read and the write."),
        "{}",
        j.sentence
    );
    // Within 1 % of the updates made is close when none was lost.
    assert!(judge(&locked, &lost(20_000.0)).unwrap().close);
    assert!(!judge(&locked, &lost(20_001.0)).unwrap().close);

    let mut awaited = run(Model::Async, 4, 0, 5.0);
    awaited.workload = Workload::Counter;
    awaited.await_inside = true;
    awaited.sync = Some(SyncMode::None);
    awaited.counter_expected = Some(4000.0);
    awaited.lost_updates = Some(3000.0);
    let s = judge(&awaited, &lost(3000.0)).unwrap().sentence;
    assert!(
        s.contains(
            "async lost 3,000 of 4,000 (close): each of the 4 tasks awaited between its read and its write"
        ),
        "{s}"
    );

    let mut processes = run(Model::Processes, 2, 0, 30.0);
    processes.workload = Workload::Counter;
    processes.processes = 2;
    processes.counter_expected = Some(200_000.0);
    let s = judge(&processes, &lost(1.0)).unwrap().sentence;
    assert!(
        s.starts_with(
            "You predicted 1 update lost; processes lost 0 of 200,000 (close): each of the 2 processes"
        ),
        "{s}"
    );
}

#[test]
fn the_deadlock_is_judged_yes_or_no() {
    let mut r = run(Model::Threads, 2, 100, 160.0);
    r.workload = Workload::Deadlock;
    r.lock_order = Some(LockOrder::Opposite);
    r.deadlock = true;
    r.deadlock_cycle =
        OrNull(Some("thread 1 holds A and waits for B; thread 2 holds B and waits for A".into()));
    let j = judge(&r, &deadlock(true)).expect("a yes-or-no prediction of a deadlock run");
    assert_eq!(j.figure, Figure::Deadlock);
    assert!(j.close);
    assert_eq!(
        j.sentence,
        "You predicted a deadlock; threads deadlocked (right): thread 1 holds A and waits for B; thread 2 \
         holds B and waits for A."
    );
    let mut fixed = r.clone();
    fixed.lock_order = Some(LockOrder::Same);
    fixed.deadlock = false;
    let j = judge(&fixed, &deadlock(true)).unwrap();
    assert!(!j.close);
    assert!(
        j.sentence.ends_with("(wrong): every task takes A first, so whoever holds A can always take B."),
        "{}",
        j.sentence
    );
    assert_eq!(judge(&fixed, &lost(0.0)), None);
}

#[test]
fn questions_ask_for_each_workloads_figure() {
    let mut p = Params::new(Model::Threads, 3, 1000, 3);
    let q = question(&p);
    assert_eq!((q.model, q.figure), (Model::Threads, Figure::ElapsedMs));
    assert_eq!(q.prompt, "How long will 3 tasks that each wait 1,000 ms take on threads (3 threads)?");
    p.workload = Workload::Counter;
    p.increments = 1_000_000;
    p.tasks = 2;
    let q = question(&p);
    assert_eq!(q.figure, Figure::LostUpdates);
    assert_eq!(
        q.prompt,
        "How many of the 2,000,000 counter updates (2 tasks × 1,000,000) will threads (3 threads) lose?"
    );
    p.workload = Workload::Deadlock;
    p.delay_ms = 100;
    let q = question(&p);
    assert_eq!(q.figure, Figure::Deadlock);
    assert!(q.prompt.starts_with(
        "Will threads (3 threads) deadlock, with 2 tasks taking locks A and B in opposite orders"
    ));
    let mut cpu = Params::new(Model::Async, 8, 150, 1);
    cpu.workload = Workload::Cpu;
    assert_eq!(question(&cpu).prompt, "How long will 8 tasks of 150 ms of CPU work take on async?");
    let mut failing = Params::new(Model::Async, 3, 300, 1);
    failing.fail = Some(1);
    failing.fail_mode = crate::params::FailMode::TryJoinAll;
    assert_eq!(
        question(&failing).prompt,
        "How long will 3 tasks that each wait 300 ms take on async, with task 1 failing (try_join_all)?"
    );
    let names: Vec<&str> = Figure::EVERY.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["elapsedMs", "lostUpdates", "deadlock"]);
}
