//! The record built natively from recorded outcomes: its fields, its notes and its sentence.

use std::sync::Arc;

use super::*;
use crate::params::FailMode;
use crate::record::{NetSummary, Recorder, TaskCounts, ThreadStart};
use crate::timeline::{self, Lane};

const LIMITS: Limits = Limits::all_allowed();

/// An outcome where task i ran on `lane_of(i)` from `start(i)` for `delay` ms, all finished.
fn outcome(tasks: u32, delay: f64, lane_of: impl Fn(u32) -> Lane, start: impl Fn(u32) -> f64) -> Outcome {
    let mut rec = Recorder::new(tasks, Arc::new(TaskCounts::default()));
    let mut end = 0.0f64;
    for id in 0..tasks {
        rec.start(id, lane_of(id), start(id));
        rec.finish(id, Ok(0), start(id) + delay);
        end = end.max(start(id) + delay);
    }
    rec.end(end, false)
}

fn report(p: &Params, o: Outcome, m: &Measures) -> Record {
    let layout = timeline::layout(&o.spans);
    build(p, LIMITS, o, layout, m)
}

#[test]
fn an_async_sleep_run_waits_at_once_on_one_thread() {
    let p = Params::new(Model::Async, 3, 1000, 1);
    let o = outcome(3, 1000.0, |_| Lane::EVENT_LOOP, |i| f64::from(i) * 0.01);
    let r = report(&p, o, &Measures::default());
    assert_eq!((r.finished, r.failed, r.cancelled, r.peak_in_flight), (3, 0, 0, 3));
    assert_eq!(r.ideal_ms.0, Some(1000.0));
    assert_eq!(r.spans.id.0, [0, 1, 2]);
    assert_eq!(r.spans.row.0, [0, 1, 2], "three overlapping tasks take three rows");
    assert!(r.task_start_us.is_some_and(|us| (us - 10.0).abs() < 0.5), "{:?}", r.task_start_us);
    assert_eq!(
        r.explanation,
        "All 3 tasks waited at once on one thread (up to 3 in flight): 1,000.02 ms, about one delay."
            .replace("1,000.02", "1,000")
    );
    assert_eq!(r.output.last().map(|l| l.lane), Some(0), "the closing line is the event loop's");
}

#[test]
fn threads_wait_in_rounds_and_sequential_one_after_another() {
    let p = Params::new(Model::Threads, 4, 100, 2);
    let o = outcome(4, 100.0, |i| Lane::thread(i % 2 + 1), |i| f64::from(i / 2) * 100.0);
    let r = report(
        &p,
        o,
        &Measures { thread_cost: Some(ThreadCost { ms: 30.0, bytes: 2048.0 }), ..Measures::default() },
    );
    assert_eq!(r.threads, 2);
    assert_eq!(r.thread_start_ms, Some(30.0));
    assert_eq!(
        r.explanation,
        "2 threads each blocked on one task at a time: ceil(4 / 2) × 100 ms = 200 ms ideal."
    );

    let p = Params::new(Model::Sequential, 3, 100, 1);
    let o = outcome(3, 100.0, |_| Lane::EVENT_LOOP, |i| f64::from(i) * 100.0);
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.thread_start_ms, None, "no thread cost outside the threads model");
    assert_eq!(r.explanation, "One task after another: 3 × 100 ms.");
}

#[test]
fn a_stopped_run_says_so_and_a_hidden_page_distorts() {
    let p = Params::new(Model::Async, 5, 100, 1);
    let mut o = outcome(2, 100.0, |_| Lane::EVENT_LOOP, |_| 0.0);
    o.stopped = true;
    let r = report(&p, o, &Measures { distorted: true, ..Measures::default() });
    assert!(r.distorted);
    assert_eq!(
        r.explanation,
        "Stopped: 2 of 5 tasks had finished. Distorted: the page was hidden during the run, and browsers \
         slow timers in background tabs."
    );
}

#[test]
fn fetch_notes_name_what_answered_and_the_browser_s_connection_cap() {
    let mut p = Params::new(Model::Async, 12, 300, 1);
    p.workload = Workload::Fetch;
    let mut o = outcome(12, 300.0, |_| Lane::EVENT_LOOP, |i| f64::from(i / 6) * 300.0);
    // The server saw the requests arrive six at a time.
    o.net = Some(NetSummary {
        by_server: 12,
        by_worker: 0,
        arrivals: (0..12).map(|i| f64::from(i / 6) * 300.0).collect(),
    });
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.answered_by.0.as_deref(), Some("server"));
    assert_eq!(r.peak_requests_in_flight, Some(6));
    assert_eq!(r.notes[0], "The 12 requests were answered by the server, over HTTP/1.1.");
    assert!(
        r.notes[1].starts_with("The browser held requests back: at most 6 were under way"),
        "{:?}",
        r.notes
    );

    let mut o = outcome(12, 300.0, |_| Lane::EVENT_LOOP, |_| 0.0);
    o.net = Some(NetSummary { by_server: 0, by_worker: 12, arrivals: vec![0.0; 12] });
    let r = report(&p, o, &Measures::default());
    assert_eq!((r.answered_by.0.as_deref(), r.peak_requests_in_flight), (Some("service worker"), Some(12)));
    assert_eq!(r.notes.len(), 1, "no cap's note when nothing held the run back: {:?}", r.notes);
}

#[test]
fn a_network_fault_is_named() {
    let mut p = Params::new(Model::Async, 2, 100, 1);
    p.workload = Workload::Fetch;
    p.fail = Some(1);
    p.fail_mode = FailMode::Http500;
    let mut o = outcome(2, 100.0, |_| Lane::EVENT_LOOP, |_| 0.0);
    o.net = Some(NetSummary { by_server: 2, by_worker: 0, arrivals: vec![0.0, 0.0] });
    let r = report(&p, o, &Measures::default());
    assert!(r.notes.iter().any(|n| n == "Task 1's request failed for real: failMode http500 asked the server, which answered it with HTTP 500."), "{:?}", r.notes);
}

#[test]
fn threads_past_the_pool_state_their_start_beside_cpython() {
    let p = Params::new(Model::Threads, 100, 1000, 100);
    let mut o = outcome(100, 1000.0, |i| Lane::thread(i + 1), |_| 500.0);
    o.thread_start =
        Some(ThreadStart { started: 84, ms: 500.0, bytes: 84.0 * 131_072.0, stack_bytes: 131_072 });
    let each = ThreadCost { ms: 500.0 / 84.0, bytes: 131_072.0 };
    let r = report(&p, o, &Measures { thread_cost: Some(each), ..Measures::default() });
    assert_eq!((r.threads_started, r.threads_start_ms), (Some(84), Some(500.0)));
    let note = r.notes.last().expect("a thread-start note");
    assert!(
        note.starts_with("Starting 84 threads took 500 ms of this run's 1500 ms, 5.95 ms and 128 KB each"),
        "{note}"
    );
    assert!(note.ends_with("about 24 times faster."), "{note}");
}

#[test]
fn cpu_runs_carry_their_speedup_and_say_what_ran_in_parallel() {
    let mut p = Params::new(Model::Processes, 4, 100, 2);
    p.workload = Workload::Cpu;
    let o = outcome(4, 100.0, |i| Lane::process(i % 2 + 1), |i| f64::from(i / 2) * 100.0);
    let r = report(&p, o, &Measures { iterations_per_task: 1000, ..Measures::default() });
    assert_eq!(r.speedup, Some(2.0));
    assert_eq!(r.iterations_per_task, Some(1000.0));
    assert_eq!(r.processes, 2);
    assert_eq!(
        r.explanation,
        "2 processes computed in parallel: speedup 2.00× on the 2 cores this browser reports."
    );
}

#[test]
fn an_async_limit_says_how_many_were_in_flight() {
    let mut p = Params::new(Model::Async, 10, 200, 1);
    p.limit = Some(3);
    let o = outcome(10, 200.0, |_| Lane::EVENT_LOOP, |i| f64::from(i / 3) * 200.0);
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.ideal_in_flight.0, Some(3));
    assert_eq!(r.task_start_us, None, "a limit holds starts back: no start cost is claimed");
    assert!(r.notes.iter().any(|n| n.starts_with("At most 3 tasks were allowed in flight at once")));
    assert!(
        r.explanation
            .starts_with("The 10 tasks waited at most 3 at a time on one thread (up to 3 in flight)")
    );
}

#[test]
fn a_failure_replaces_the_effect() {
    let mut p = Params::new(Model::Sequential, 5, 100, 1);
    p.fail = Some(1);
    let mut rec = Recorder::new(5, Arc::new(TaskCounts::default()));
    rec.start(0, Lane::EVENT_LOOP, 0.0);
    rec.finish(0, Ok(0), 100.0);
    rec.start(1, Lane::EVENT_LOOP, 100.0);
    rec.finish(1, Err("task 1 failed".into()), 150.0);
    let r = report(&p, rec.end(150.0, false), &Measures::default());
    assert_eq!(r.error.0.as_deref(), Some("task 1 failed"));
    assert_eq!(r.explanation, "Task 1 failed and the loop stopped there: 3 tasks never ran.");
}

#[test]
fn threads_of_separate_memory_say_so_in_the_record_and_one_note() {
    let mut p = Params::new(Model::Threads, 8, 300, 2);
    p.memory = crate::params::Memory::Separate;
    let o = outcome(8, 300.0, |i| Lane::thread(i % 2 + 1), |i| f64::from(i / 2) * 300.0);
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.memory, Some(crate::params::Memory::Separate));
    let note = &r.notes[0];
    assert!(
        note.starts_with("These threads are Web Workers with memory of their own (this page is not"),
        "{note}"
    );
    assert!(note.contains("the timings are those of threads") && note.contains("full page"), "{note}");
    let shared = report(
        &Params::new(Model::Threads, 8, 300, 2),
        outcome(8, 300.0, |i| Lane::thread(i % 2 + 1), |i| f64::from(i / 2) * 300.0),
        &Measures::default(),
    );
    assert_eq!(shared.memory, Some(crate::params::Memory::Shared));
    assert!(shared.notes.is_empty(), "{:?}", shared.notes);
    let seq = report(
        &Params::new(Model::Sequential, 2, 10, 1),
        outcome(2, 10.0, |_| Lane::EVENT_LOOP, |i| f64::from(i) * 10.0),
        &Measures::default(),
    );
    assert_eq!(seq.memory, None, "only threads runs have it");
}

#[test]
fn quantiles_interpolate_between_the_nearest_values() {
    assert_eq!(quantile(&[], 0.5), None);
    assert_eq!(quantile(&[3.0], 0.9), Some(3.0));
    assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert!((quantile(&ten, 0.9).unwrap() - 9.1).abs() < 1e-9, "numpy's percentile(…, 90) is 9.1");
    let w = wake_late(&[5.0, 1.0, f64::NAN, 3.0]);
    assert_eq!((w.median.0, w.count), (Some(3.0), 3), "unsorted in, NaN left out");
    assert_eq!(wake_late(&[]).median.0, None);
}

fn convoy_run(gil: bool, late: &[f64]) -> Record {
    let p = Params {
        workload: Workload::Convoy,
        gil,
        switch_interval_us: 1_000,
        ..Params::new(Model::Threads, 2, 2000, 2)
    };
    let mut o = outcome(2, 2000.0, |i| Lane::thread(i + 1), |_| 0.0);
    o.wake_late = late.to_vec();
    o.gil = gil.then(|| crate::record::GilRecord {
        holds: vec![
            crate::record::Hold { lane: 1, start: 0.0, end: 1.0 },
            crate::record::Hold { lane: 2, start: 1.0, end: 1.1 },
        ],
        handoffs: 400,
        switch_interval_us: 1_000,
        by_messages: None,
        handoff_ms: None,
    });
    report(&p, o, &Measures::default())
}

#[test]
fn a_convoy_says_how_late_the_waking_threads_woke_and_what_cpython_measured() {
    let r = convoy_run(true, &[1.1, 1.3, 1.2]);
    let w = r.wake_late_ms.clone().unwrap();
    assert_eq!((w.median.0, w.count), (Some(1.2), 3));
    assert_eq!((r.switch_interval, r.gil_handoffs), (Some(1.0), Some(400)));
    assert_eq!(r.gil_handoff_ms, None, "shared memory: the gaps between holds are the hand-offs");
    assert_eq!(r.gil_holds.holder.0, [1, 2]);
    assert_eq!(r.ideal_ms.0, Some(2000.0));
    assert!(
        r.explanation.starts_with(
            "The threads that slept 1 ms at a time beside the computing one woke a median 1.20 ms late \
             (p90 1.28 ms, 3 wake-ups): a thread that wakes from I/O must take the GIL back"
        ),
        "{}",
        r.explanation
    );
    assert!(r.explanation.contains("after the switch interval (1 ms)"), "{}", r.explanation);
    assert!(r.explanation.contains("CPython 3.11.7 woke here 5.21 ms at 5 ms, 1.18 ms at 1 ms, 0.35 ms at 0.2 ms late, and 0.08 ms with no thread computing."), "{}", r.explanation);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("The GIL changed hands 400 times in 2000 ms, about every 5.0 ms")
                && n.contains("(1 ms, sys.setswitchinterval(0.001))")),
        "{:?}",
        r.notes
    );

    let free = convoy_run(false, &[0.05, 0.07]);
    assert_eq!((free.gil_handoffs, free.switch_interval), (None, None));
    assert!(free.gil_holds.holder.0.is_empty());
    assert!(
        free.explanation.starts_with("Without the GIL (free-threaded Python) the threads that slept 1 ms"),
        "{}",
        free.explanation
    );
    assert!(
        free.notes.iter().any(|n| n.contains("free-threaded Python (3.13t, supported from 3.14, PEP 779)")
            && n.contains("about 40 % in 3.13 and about 5-10 % in 3.14")),
        "{:?}",
        free.notes
    );
}

/// The outcome of `tasks` async tasks accounted as `run` polls them (see `accounting`).
fn accounted(tasks: u32, run: impl FnOnce(&mut crate::accounting::Accounting, &mut Recorder)) -> Outcome {
    let mut rec = Recorder::new(tasks, Arc::new(TaskCounts::default()));
    let mut acct = crate::accounting::Accounting::new(tasks);
    run(&mut acct, &mut rec);
    let mut o = rec.end(0.0, false);
    o.elapsed_ms = (0..tasks as usize).map(|i| f64::from(o.spans.end[i])).fold(0.0, f64::max);
    o.task_times = Some(acct.finish());
    o
}

/// `tasks` tasks that each hold the loop for one poll of `ms`, one after another from 0, all made
/// ready at once by gather, each returning `checksum`.
fn one_poll_each(tasks: u32, ms: f64, checksum: u64) -> Outcome {
    accounted(tasks, |a, rec| {
        a.clock_read(0.0);
        for i in 0..tasks {
            let at = f64::from(i) * ms;
            rec.start(i, Lane::EVENT_LOOP, at);
            a.poll_starts(i, at, None);
            a.poll_ends(i, true);
            a.clock_read(at + ms);
            rec.finish(i, Ok(checksum), at + ms);
        }
    })
}

#[test]
fn sleeping_tasks_are_idle_and_blocking_ones_busy_with_asyncio_warnings() {
    // Three tasks of 1000 ms awaiting a timer: polled at 0 and when the timer fires at 1000.4.
    let o = accounted(3, |a, rec| {
        a.clock_read(0.0);
        for i in 0..3 {
            rec.start(i, Lane::EVENT_LOOP, 0.0);
            a.poll_starts(i, 0.0, None);
            a.poll_ends(i, false);
        }
        a.clock_read(0.05);
        a.clock_read(1000.4);
        for i in 0..3 {
            a.poll_starts(i, 1000.4, Some(1000));
            a.poll_ends(i, true);
            rec.finish(i, Ok(0), 1000.4);
        }
        a.clock_read(1000.45);
    });
    let r = report(&Params::new(Model::Async, 3, 1000, 1), o, &Measures::default());
    assert_eq!(r.accounted_every, Some(1));
    assert_eq!(r.task_times.polls.0, [2, 2, 2]);
    for k in 0..3 {
        assert!(r.task_times.busy.0[k] < 5.0);
        assert!((r.task_times.idle.0[k] - 1000.0).abs() < 1.0, "{:?}", r.task_times.idle);
        let life = r.task_times.busy.0[k] + r.task_times.scheduled.0[k] + r.task_times.idle.0[k];
        assert!((life - r.spans.end.0[k]).abs() < 1e-3);
    }
    let late = r.timer_late_ms.expect("timers fired");
    assert!((late.max - 0.4).abs() < 1e-6 && (late.median - 0.4).abs() < 1e-3);
    assert!(!r.output.iter().any(|l| l.text.starts_with("Executing")));

    // The same tasks blocking the loop for 1000 ms each: busy, and asyncio's warning for each.
    let o = one_poll_each(3, 1002.0, 0);
    let mut p = Params::new(Model::Async, 3, 1000, 1);
    p.blocking = true;
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.task_times.busy.0, [1002.0, 1002.0, 1002.0]);
    assert_eq!(r.task_times.scheduled.0, [0.0, 1002.0, 2004.0]);
    let warnings: Vec<&str> =
        r.output.iter().map(|l| l.text.as_str()).filter(|t| t.starts_with("Executing <Task")).collect();
    assert_eq!(warnings.len(), 3);
    assert!(warnings[2].ends_with("took 1.002 seconds"), "{}", warnings[2]);
    assert_eq!(r.timer_late_ms, None, "no timers");
}

#[test]
fn cpu_tasks_wait_their_turn_in_the_ready_queue() {
    // 100 tasks of 10 ms CPU work: gather makes them all ready at 0; the loop runs one at a time.
    let o = one_poll_each(100, 10.0, 1);
    let mut p = Params::new(Model::Async, 100, 10, 1);
    p.workload = Workload::Cpu;
    let r = report(&p, o, &Measures::default());
    let (busy, scheduled) = (&r.task_times.busy.0, &r.task_times.scheduled.0);
    assert!(scheduled.windows(2).all(|w| w[1] > w[0]));
    assert!((scheduled[99] / busy[0] - 99.0).abs() < 1e-3, "{}", scheduled[99]);
    assert!(r.task_times.idle.0.iter().all(|&i| i < 1e-3));
}

#[test]
fn large_runs_are_accounted_in_a_sample_and_say_so() {
    let o = accounted(20_000, |a, rec| {
        for i in 0..20_000 {
            rec.start(i, Lane::EVENT_LOOP, 0.0);
            a.poll_starts(i, 0.0, None);
            a.poll_ends(i, true);
            rec.finish(i, Ok(0), 1.0);
        }
        a.clock_read(1.0);
    });
    let r = report(&Params::new(Model::Async, 20_000, 1, 1), o, &Measures::default());
    assert_eq!(r.accounted_every, Some(2));
    assert_eq!(r.task_times.polls.0.len(), 10_000);
    assert!(r.notes.iter().any(|n| n.contains("every 2nd task")), "{:?}", r.notes);
}

#[test]
fn the_live_view_says_what_the_loop_has_ready_and_how_late_its_timers_are() {
    assert_eq!(
        summary::live_loop(0, Some(0.4)),
        "Event loop: no task ready to run (every task waits for a wake-up) at its last turn; its \
         timers fired at most 0.4 ms late so far."
    );
    assert_eq!(summary::live_loop(12_345, None), "Event loop: 12,345 tasks ready to run at its last turn.");
}

#[test]
fn the_loop_turns_cross_as_columns() {
    let mut o = outcome(1, 10.0, |_| Lane::EVENT_LOOP, |_| 0.0);
    o.loop_turns = vec![
        crate::record::LoopTurn { start: 0.0, end: 0.5, polls: 1, ready: 0 },
        crate::record::LoopTurn { start: 10.0, end: 10.1, polls: 1, ready: 0 },
    ];
    let r = report(&Params::new(Model::Async, 1, 10, 1), o, &Measures::default());
    assert_eq!(r.loop_turns.start.0, [0.0, 10.0]);
    assert_eq!((r.loop_turns.polls.0.len(), r.loop_turns.ready.0[1]), (2, 0));
}

#[test]
fn a_kept_copy_has_no_task_columns_and_the_record_keeps_its_own() {
    let mut r = report(
        &Params::new(Model::Async, 3, 100, 1),
        outcome(3, 100.0, |_| Lane::EVENT_LOOP, |_| 0.0),
        &Measures::default(),
    );
    let before = r.clone();
    let kept = without_tasks(&mut r);
    assert_eq!(r, before, "the record handed to the page is unchanged");
    assert!(kept.spans.id.0.is_empty() && kept.output.is_empty());
    assert_eq!((kept.tasks, kept.elapsed_ms, &kept.explanation), (3, before.elapsed_ms, &before.explanation));
}

#[test]
fn threads_split_each_task_by_its_blocked_time_and_have_no_polls() {
    // Two threads: thread 1 sleeps through tasks 0 and 2 (a GIL wait after the first sleep);
    // thread 2 computes task 1, then waits 50 ms for a lock in task 3.
    let progress = Arc::new(TaskCounts::default());
    let mut one = crate::record::LaneLog::new(Lane::thread(1), progress.clone());
    one.start(0, 0.0);
    one.blocked(0.1, 100.1);
    one.wait(0, 100.1, 100.2);
    one.finish(Ok(0), 100.3);
    one.start(2, 100.3);
    one.blocked(100.4, 200.4);
    one.finish(Ok(0), 200.5);
    let mut two = crate::record::LaneLog::new(Lane::thread(2), progress.clone());
    two.start(1, 0.0);
    two.finish(Ok(0), 100.0);
    two.start(3, 100.0);
    two.lock_wait(3, 100.0, 150.0);
    two.finish(Ok(0), 250.0);
    let mut rec = Recorder::new(4, progress).accounting_blocked();
    rec.absorb([one, two]);
    let o = rec.end(250.0, false);
    let r = report(&Params::new(Model::Threads, 4, 100, 2), o, &Measures::default());
    assert_eq!(r.accounted_every, Some(1));
    assert_eq!(r.spans.id.0, [0, 1, 3, 2]);
    let t = &r.task_times;
    let near = |a: &[f64], b: [f64; 4]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3);
    assert!(near(&t.idle.0, [100.1, 0.0, 50.0, 100.0]), "{:?}", t.idle);
    assert!(near(&t.busy.0, [0.2, 100.0, 100.0, 0.2]), "{:?}", t.busy);
    assert!(near(&t.scheduled.0, [0.0, 0.0, 100.0, 100.3]), "{:?}", t.scheduled);
    assert!(t.polls.0.is_empty(), "threads are not polled");
    for k in 0..4 {
        let life = t.busy.0[k] + t.scheduled.0[k] + t.idle.0[k];
        assert!((life - r.spans.end.0[k]).abs() < 1e-3);
    }
    let note = r.task_times_note.0.unwrap_or_default();
    assert!(
        note.starts_with("Threads have no polls") && note.contains("idle while it blocked (asleep)"),
        "{note}"
    );
    assert!(
        !r.notes.iter().any(|n| n.contains("no polls")),
        "the table's sentence, not the run's: {:?}",
        r.notes
    );
}

#[test]
fn the_split_note_names_what_this_run_blocked_on() {
    let note = |p: &Params| {
        let o = outcome(2, 100.0, |i| Lane::thread(i + 1), |_| 0.0);
        let o = Outcome { blocked: Some(crate::blocked::BlockedTimes::new(2)), ..o };
        let r = report(p, o, &Measures::default());
        r.task_times_note.0.unwrap_or_default()
    };
    let mut p = Params::new(Model::Threads, 2, 100, 2);
    p.workload = Workload::Cpu;
    assert!(note(&p).contains("never idle (its work never blocks)"), "{}", note(&p));
    assert!(!note(&p).contains("off a core ("), "2 threads on 2 cores: {}", note(&p));
    p.gil = true;
    assert!(note(&p).contains("idle while it blocked (waiting for the GIL)"), "{}", note(&p));
    p.workload = Workload::Fetch;
    assert!(note(&p).contains("(in its request, or waiting for the GIL)"), "{}", note(&p));
    p.threads = 8;
    p.tasks = 8;
    assert!(note(&p).contains("off a core (8 threads on 2 cores)"), "{}", note(&p));
    let mut p = Params::new(Model::Sequential, 2, 100, 1);
    p.workload = Workload::Cpu;
    assert!(note(&p).starts_with("The sequential loop has no polls"), "{}", note(&p));
    assert!(note(&p).contains("never idle"), "{}", note(&p));
}

#[test]
fn the_sequential_loop_is_scheduled_until_its_turn_and_idle_while_it_waits() {
    let mut rec = Recorder::new(3, Arc::new(TaskCounts::default())).accounting_blocked();
    for id in 0..3 {
        let at = f64::from(id) * 100.0;
        rec.start(id, Lane::EVENT_LOOP, at);
        rec.blocked(id, 99.5);
        rec.finish(id, Ok(0), at + 100.0);
    }
    let o = rec.end(300.0, false);
    let r = report(&Params::new(Model::Sequential, 3, 100, 1), o, &Measures::default());
    assert_eq!(r.task_times.scheduled.0, [0.0, 100.0, 200.0]);
    assert_eq!(r.task_times.idle.0, [99.5, 99.5, 99.5]);
    assert_eq!(r.task_times.busy.0, [0.5, 0.5, 0.5]);
    assert!(r.task_times.polls.0.is_empty());
    assert!(r.task_times_note.0.is_some_and(|n| n.starts_with("The sequential loop has no polls")));
    // Runs without the accounting (processes, threads of separate memory) have no columns.
    let r = report(
        &Params::new(Model::Processes, 3, 100, 1),
        outcome(3, 100.0, |i| Lane::process(i + 1), |_| 0.0),
        &Measures::default(),
    );
    assert!(r.task_times.busy.0.is_empty() && r.accounted_every.is_none());
    assert_eq!(r.task_times_note.0, None);
}

#[test]
fn large_sequential_runs_keep_a_sample_and_say_so() {
    let mut rec = Recorder::new(20_000, Arc::new(TaskCounts::default())).accounting_blocked();
    for id in 0..20_000 {
        rec.start(id, Lane::EVENT_LOOP, f64::from(id));
        rec.blocked(id, 0.5);
        rec.finish(id, Ok(0), f64::from(id) + 1.0);
    }
    let o = rec.end(20_000.0, false);
    let r = report(&Params::new(Model::Sequential, 20_000, 1, 1), o, &Measures::default());
    assert_eq!((r.accounted_every, r.task_times.busy.0.len()), (Some(2), 10_000));
    assert!(
        r.notes.iter().any(|n| n.starts_with("Busy, scheduled and idle times were kept for every 2nd task")),
        "{:?}",
        r.notes
    );
}

#[test]
fn the_gil_of_threads_with_separate_memory_says_how_it_differs_and_what_it_cost() {
    let p = Params {
        workload: Workload::Cpu,
        gil: true,
        memory: crate::params::Memory::Separate,
        ..Params::new(Model::Threads, 4, 300, 2)
    };
    let mut o = outcome(4, 1250.0, |i| Lane::thread(i % 2 + 1), |_| 0.0);
    o.gil = Some(crate::record::GilRecord {
        holds: vec![crate::record::Hold { lane: 1, start: 0.0, end: 5.0 }],
        handoffs: 240,
        switch_interval_us: 5_000,
        by_messages: Some(crate::record::MessageCost {
            round_trip_us: 212.4,
            yield_us: 23.6,
            yield_every_ms: 8.46,
        }),
        handoff_ms: Some(0.0452),
    });
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.gil_handoff_ms, Some(0.0452));
    let note = r.notes.iter().find(|n| n.starts_with("Unlike CPython's GIL")).expect("the note");
    assert!(note.contains("hands between Web Workers by messages"), "{note}");
    assert!(
        note.contains(
            "one took 45 µs on average in this run (a thread's wait for the lock, timed by the thread, \
             less the time the page kept it queued behind the holder; a message and its answer took \
             212 µs before the run)"
        ),
        "{note}"
    );
    assert!(note.contains("every 8.5 ms"), "{note}");
    assert!(note.contains("24 µs each (0.3 % of its work)"), "{note}");
    assert!(r.notes.iter().any(|n| n.starts_with("The GIL changed hands 240 times")), "{:?}", r.notes);
    assert!(!r.notes.iter().any(|n| n.contains("the simulated GIL) is refused")), "{:?}", r.notes);
}

#[test]
fn without_a_timed_hand_off_the_note_gives_the_round_trip_and_the_record_no_hand_off_cost() {
    let p = Params { workload: Workload::Cpu, gil: true, ..Params::new(Model::Threads, 1, 300, 2) };
    let mut o = outcome(1, 300.0, |_| Lane::thread(1), |_| 0.0);
    let cost = crate::record::MessageCost { round_trip_us: 80.0, yield_us: 20.0, yield_every_ms: 2.0 };
    o.gil = Some(crate::record::GilRecord { by_messages: Some(cost), ..Default::default() });
    let r = report(&p, o, &Measures::default());
    assert_eq!(r.gil_handoff_ms, None);
    assert!(r.notes.iter().any(|n| n.contains("a message and its answer took 80 µs here;")), "{:?}", r.notes);
}
