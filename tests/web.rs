//! The runners, in a real browser (wasm-bindgen-test-runner drives headless Chromium, and
//! Firefox when present). Run through `./build.sh test`; each test proves one behaviour.
#![cfg(target_arch = "wasm32")]

use playground::params::{FailMode, LockOrder, Model, Params, SyncMode, Timers, Workload};
use playground::run::RunState;
use playground::runner::{Outcome, async_model, sequential};
use playground::timeline;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn params(model: Model, tasks: u32, delay_ms: u32, threads: u32) -> Params {
    Params::new(model, tasks, delay_ms, threads)
}

fn spans_of(o: &Outcome) -> Vec<(timeline::Lane, f64, f64)> {
    (0..o.spans.end.len())
        .map(|i| (o.spans.lane[i], f64::from(o.spans.start[i]), f64::from(o.spans.end[i])))
        .collect()
}

#[wasm_bindgen_test]
async fn async_tasks_all_wait_at_once() {
    for timers in [Timers::Wheel, Timers::PerTask] {
        async_tasks_overlap(timers).await;
    }
}

async fn async_tasks_overlap(timers: Timers) {
    let state = RunState::start(3);
    let o = async_model::run(&state, Params { timers, ..params(Model::Async, 3, 100, 1) }).await;
    assert!(!o.stopped);
    assert_eq!(state.done(), 3);
    // Every task started before any ended: they overlapped.
    let spans = spans_of(&o);
    let last_start = spans.iter().map(|s| s.1).fold(0.0, f64::max);
    let first_end = spans.iter().map(|s| s.2).fold(f64::INFINITY, f64::min);
    assert!(last_start < first_end, "{spans:?}");
    assert!(spans.iter().all(|s| s.0 == timeline::Lane::EVENT_LOOP));
    // One delay, not three: generous, since a busy machine runs timers late (the overlap itself
    // is proved by the spans above).
    assert!(o.elapsed_ms >= 99.0 && o.elapsed_ms < 290.0, "elapsed {}", o.elapsed_ms);
    assert_eq!(timeline::layout(&o.spans).peak, 3);
}

/// Runs `run` and, `at_ms` into it, reads the run's (started, in flight, done) counters.
async fn counters_during<T>(
    state: &RunState,
    at_ms: u32,
    run: impl std::future::Future<Output = T>,
) -> (u32, u32, u32) {
    let probe = async {
        gloo_timers::future::TimeoutFuture::new(at_ms).await;
        (state.started(), state.in_flight(), state.done())
    };
    futures_util::future::join(run, probe).await.1
}

#[wasm_bindgen_test]
async fn progress_counts_tasks_started_and_in_flight_during_a_run() {
    for timers in [Timers::Wheel, Timers::PerTask] {
        let state = RunState::start(3);
        let run = async_model::run(&state, Params { timers, ..params(Model::Async, 3, 200, 1) });
        assert_eq!(counters_during(&state, 100, run).await, (3, 3, 0), "async, {timers:?}");
        assert_eq!((state.started(), state.in_flight(), state.done()), (3, 0, 3));
    }
    let state = RunState::start(3);
    let run = sequential::run(&state, params(Model::Sequential, 3, 200, 1));
    assert_eq!(counters_during(&state, 100, run).await, (1, 1, 0), "sequential");
    assert_eq!((state.started(), state.in_flight(), state.done()), (3, 0, 3));
}

#[wasm_bindgen_test]
async fn a_watched_run_shows_its_starts_during_the_run_and_its_ends_after() {
    use playground::record::{Event, EventKind};
    let state = RunState::start_watched(3);
    let mut cursor = 0;
    let run = async_model::run(&state, params(Model::Async, 3, 200, 1));
    let probe = async {
        gloo_timers::future::TimeoutFuture::new(100).await;
        let mut seen: Vec<Event> = Vec::new();
        state.events().expect("watched").drain(&mut cursor, |e| seen.push(e));
        seen
    };
    let (o, seen) = futures_util::future::join(run, probe).await;
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|e| e.kind == EventKind::Start && e.lane == timeline::Lane::EVENT_LOOP));
    let mut ends = Vec::new();
    state.events().unwrap().drain(&mut cursor, |e| ends.push(e));
    assert_eq!(ends.len(), 3, "{ends:?}");
    for e in ends {
        assert_eq!(e.kind, EventKind::End(timeline::SpanState::Done));
        assert_eq!(e.at, f64::from(o.spans.end[e.id as usize]));
    }
}

#[wasm_bindgen_test]
async fn sequential_tasks_run_one_after_another() {
    let state = RunState::start(3);
    let o = sequential::run(&state, params(Model::Sequential, 3, 40, 1)).await;
    let spans = spans_of(&o);
    for pair in spans.windows(2) {
        assert!(pair[0].2 <= pair[1].1, "{spans:?}");
    }
    assert!(o.elapsed_ms >= 119.0 && o.elapsed_ms < 400.0, "elapsed {}", o.elapsed_ms);
    assert_eq!(timeline::layout(&o.spans).peak, 1);
    // Each task blocked on its sleep for about the delay, within its span.
    let blocked = o.blocked.as_ref().expect("the sequential loop keeps each task's blocked time");
    for (id, span) in spans.iter().enumerate() {
        let ms = blocked.of(id as u32).expect("every task is accounted");
        assert!(ms >= 39.0 && ms <= span.2 - span.1 + 0.01, "task {id}: blocked {ms}, span {span:?}");
    }
}

#[wasm_bindgen_test]
async fn zero_delay_sequential_finishes_many_tasks() {
    let state = RunState::start(100_000);
    let o = sequential::run(&state, params(Model::Sequential, 100_000, 0, 1)).await;
    assert_eq!(o.spans.finished(), 100_000);
}

#[wasm_bindgen_test]
async fn stopping_drops_pending_async_tasks() {
    for timers in [Timers::Wheel, Timers::PerTask] {
        let state = RunState::start(5);
        let stopper = state.clone();
        gloo_timers::callback::Timeout::new(30, move || stopper.stop()).forget();
        let o = async_model::run(&state, Params { timers, ..params(Model::Async, 5, 10_000, 1) }).await;
        assert!(o.stopped);
        assert_eq!(o.spans.finished(), 0);
        assert!(o.elapsed_ms < 1_000.0, "stop took {} ms", o.elapsed_ms);
    }
}

#[wasm_bindgen_test]
async fn tasks_due_together_wake_in_the_order_they_began_to_wait() {
    // As asyncio's timers do; and so a run's ends come in start order, which the record relies
    // on to skip sorting them. Woken last-in first-out, as they were before, each millisecond's
    // tasks woke last first: 1023, 1022, ...
    use playground::executor::{RunAll, sleep};
    use std::cell::RefCell;
    use std::rc::Rc;
    let woke = Rc::new(RefCell::new(Vec::new()));
    let state = RunState::start(2000);
    let o = RunAll::new(&state, 2000, |i| {
        let woke = woke.clone();
        async move {
            sleep(30).await;
            woke.borrow_mut().push(i);
            Ok(0)
        }
    })
    .await;
    assert!(!o.stopped);
    assert!(woke.borrow().iter().copied().eq(0..2000), "woke in another order: {:?}", &woke.borrow()[..20]);
    assert!(o.spans.end.is_sorted(), "ends in start order");
}

#[wasm_bindgen_test]
async fn tasks_woken_by_others_run_in_the_order_they_were_woken() {
    // As asyncio's ready queue runs its callbacks: task 0 answers the others, 1 to 99, in order
    // (as a server's answers wake requests), and they run in that order.
    use futures_channel::oneshot;
    use playground::executor::{RunAll, sleep};
    use std::cell::RefCell;
    use std::rc::Rc;
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..100).map(|_| oneshot::channel::<()>()).unzip();
    let senders = RefCell::new(Some(senders));
    let receivers = RefCell::new(receivers.into_iter().map(Some).collect::<Vec<_>>());
    let woke = Rc::new(RefCell::new(Vec::new()));
    let state = RunState::start(100);
    let o = RunAll::new(&state, 100, |i| {
        let senders = if i == 0 { senders.borrow_mut().take() } else { None };
        let receiver = receivers.borrow_mut()[i as usize].take();
        let woke = woke.clone();
        async move {
            if let Some(senders) = senders {
                sleep(10).await;
                for s in senders.into_iter().skip(1) {
                    let _ = s.send(());
                }
            } else if let Some(r) = receiver {
                let _ = r.await;
                woke.borrow_mut().push(i);
            }
            Ok(0)
        }
    })
    .await;
    assert!(!o.stopped);
    assert!(woke.borrow().iter().copied().eq(1..100), "ran in another order: {:?}", &woke.borrow()[..10]);
}

#[wasm_bindgen_test]
async fn the_wheel_wakes_tasks_with_different_delays_in_deadline_order() {
    use playground::executor::{RunAll, sleep};
    use std::cell::RefCell;
    use std::rc::Rc;
    let state = RunState::start(4);
    let delays = [80, 20, 60, 40];
    // The order the loop ran them in once woken, as asyncio's timer heap pops them: by deadline
    // even when a busy machine's late browser timer finds them all due at once (their ends then
    // share the turn's one clock read, so the ends cannot tell the order).
    let woke = Rc::new(RefCell::new(Vec::new()));
    let o = RunAll::new(&state, 4, |i| {
        let woke = woke.clone();
        async move {
            sleep(delays[i as usize]).await;
            woke.borrow_mut().push(i);
            Ok(0)
        }
    })
    .await;
    assert!(!o.stopped);
    assert_eq!(*woke.borrow(), [1, 3, 2, 0]);
    for (i, d) in delays.iter().enumerate() {
        let took = f64::from(o.spans.end[i] - o.spans.start[i]);
        assert!(took >= f64::from(*d) - 1.0 && took <= o.elapsed_ms, "task {i}: {took} ms");
    }
}

#[wasm_bindgen_test]
async fn the_wheel_also_runs_futures_woken_from_outside() {
    // A task awaiting a JS promise is woken by wasm-bindgen-futures, not by the deadline queue.
    use playground::executor::RunAll;
    let state = RunState::start(3);
    let o = RunAll::new(&state, 3, |_| async {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            gloo_timers::callback::Timeout::new(30, move || {
                resolve.call0(&wasm_bindgen::JsValue::NULL).unwrap();
            })
            .forget();
        });
        wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
        Ok(0)
    })
    .await;
    assert_eq!(o.spans.finished(), 3);
}

#[wasm_bindgen_test]
async fn a_stopped_runs_late_wakes_leave_the_next_run_alone() {
    // A stopped run's tasks are dropped, but a promise one awaited keeps its waker and may settle
    // during the next run (WebKitGTK rejects an aborted fetch in a later task, not within
    // abort()). The next, smaller run used to get the same executor id, take a wake for an index
    // it never had, panic, and never end.
    use playground::executor::{RunAll, sleep};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use std::task::{Poll, Waker};
    let kept: Rc<RefCell<Vec<Waker>>> = Rc::default();
    let first = RunState::start(3);
    let run = RunAll::new(&first, 3, |_| {
        let kept = kept.clone();
        std::future::poll_fn(move |cx| {
            kept.borrow_mut().push(cx.waker().clone());
            Poll::<playground::record::TaskResult>::Pending
        })
    });
    let stop = async {
        gloo_timers::future::TimeoutFuture::new(20).await;
        first.stop();
    };
    let (o, ()) = futures_util::future::join(run, stop).await;
    assert!(o.stopped);
    assert_eq!(kept.borrow().len(), 3, "every task of the first run waited once");

    let polls: Rc<Vec<Cell<u32>>> = Rc::new((0..2).map(|_| Cell::new(0)).collect());
    let next = RunState::start(2);
    let run = RunAll::new(&next, 2, |i| {
        let polls = polls.clone();
        let mut wait = sleep(40);
        std::future::poll_fn(move |cx| {
            polls[i as usize].set(polls[i as usize].get() + 1);
            std::pin::Pin::new(&mut wait).poll(cx).map(|()| Ok(0))
        })
    });
    let late = async {
        gloo_timers::future::TimeoutFuture::new(10).await;
        kept.borrow_mut().drain(..).for_each(Waker::wake);
    };
    let (o, ()) = futures_util::future::join(run, late).await;
    assert!(!o.stopped);
    assert_eq!(o.spans.finished(), 2);
    // Each task polled at its start and at its deadline: the late wakes polled none of them.
    assert_eq!(polls.iter().map(Cell::get).collect::<Vec<_>>(), [2, 2]);
}

#[wasm_bindgen_test]
async fn a_hundred_thousand_wheel_tasks_take_about_one_delay() {
    // A delay long enough for this debug build to start every task before the first ends, even
    // on a busy machine (at a load average of 20, 65,536 of them had started after 200 ms).
    let state = RunState::start(100_000);
    let o = async_model::run(&state, params(Model::Async, 100_000, 3_000, 1)).await;
    assert_eq!(o.spans.finished(), 100_000);
    // All of them waiting at once is what makes it one delay; how close to the delay it ends is
    // the bench's figure, so the bound here is generous.
    assert_eq!(timeline::layout(&o.spans).peak, 100_000);
    assert!(o.elapsed_ms >= 2_999.0 && o.elapsed_ms < 15_000.0, "elapsed {}", o.elapsed_ms);
}

#[wasm_bindgen_test]
async fn a_failing_async_task_lets_the_others_finish_under_join_all() {
    for timers in [Timers::Wheel, Timers::PerTask] {
        let state = RunState::start(4);
        let p = Params { timers, fail: Some(2), ..params(Model::Async, 4, 60, 1) };
        let o = async_model::run(&state, p).await;
        assert_eq!(o.errors.len(), 1);
        assert_eq!(o.errors[0].0, 2);
        assert_eq!(o.spans.count(timeline::SpanState::Done), 3, "{timers:?}");
        assert_eq!(o.spans.count(timeline::SpanState::Failed), 1);
    }
}

#[wasm_bindgen_test]
async fn try_join_all_ends_the_run_at_the_first_error_and_cancels_the_rest() {
    for timers in [Timers::Wheel, Timers::PerTask] {
        let state = RunState::start(4);
        let p = Params {
            timers,
            fail: Some(1),
            fail_mode: FailMode::TryJoinAll,
            ..params(Model::Async, 4, 100, 1)
        };
        let o = async_model::run(&state, p).await;
        assert_eq!(o.spans.count(timeline::SpanState::Failed), 1);
        assert_eq!(o.spans.count(timeline::SpanState::Cancelled), 3, "{timers:?}");
        // The failing task fails halfway through its delay; the run ends there: the others were
        // cancelled (above), not finished, whenever a busy machine ran the failing timer.
        assert!(o.elapsed_ms >= 49.0 && o.elapsed_ms < 1_000.0, "elapsed {}", o.elapsed_ms);
    }
}

#[wasm_bindgen_test]
async fn a_failing_task_ends_the_sequential_loop() {
    let state = RunState::start(5);
    let o = sequential::run(&state, Params { fail: Some(1), ..params(Model::Sequential, 5, 20, 1) }).await;
    assert_eq!(o.spans.finished(), 2, "tasks after the failure never run");
    assert_eq!(o.errors[0].0, 1);
}

#[wasm_bindgen_test]
async fn cpu_tasks_on_the_event_loop_run_one_at_a_time_with_a_checksum() {
    playground::workload::calibrate().await;
    let state = RunState::start(3);
    let o =
        async_model::run(&state, Params { workload: Workload::Cpu, ..params(Model::Async, 3, 30, 1) }).await;
    assert_eq!(timeline::layout(&o.spans).peak, 1);
    assert_ne!(o.checksum, 0);
    // The same work gives the same checksum.
    let state = RunState::start(3);
    let again =
        sequential::run(&state, Params { workload: Workload::Cpu, ..params(Model::Sequential, 3, 30, 1) })
            .await;
    assert_eq!(again.checksum, o.checksum);
}

#[wasm_bindgen_test]
async fn a_blocking_async_task_stalls_the_others() {
    let state = RunState::start(3);
    let o = async_model::run(&state, Params { blocking: true, ..params(Model::Async, 3, 40, 1) }).await;
    assert_eq!(timeline::layout(&o.spans).peak, 1);
    assert!(o.elapsed_ms >= 119.0, "elapsed {}", o.elapsed_ms);
}

/// The record of an async run of `p` (built as the page's is, with no measures around it).
async fn async_record(p: Params) -> playground::contract::Record {
    let state = RunState::start(p.tasks);
    let o = async_model::run(&state, p).await;
    let layout = timeline::layout(&o.spans);
    let limits = playground::params::Limits {
        pool_size: 1,
        max_threads: 1,
        cores: 2,
        fetch: false,
        ..playground::params::Limits::all_allowed()
    };
    playground::report::build(&p, limits, o, layout, &Default::default())
}

#[wasm_bindgen_test]
async fn each_task_is_busy_scheduled_or_idle_as_tokio_console_counts() {
    // Awaiting a timer: idle for the delay, two quick polls.
    let r = async_record(params(Model::Async, 3, 1000, 1)).await;
    let t = &r.task_times;
    assert_eq!((r.accounted_every, &t.polls.0[..]), (Some(1), &[2, 2, 2][..]));
    // Idle for the delay and for however late the browser's timer woke it; busy for two polls
    // (generous: a loaded machine may take the page off its core during one).
    for k in 0..3 {
        assert!(t.busy.0[k] < 50.0, "busy {:?}", t.busy);
        assert!(t.idle.0[k] >= 949.0 && t.idle.0[k] <= r.elapsed_ms, "idle {:?}", t.idle);
    }
    // How late a timer fired is how long its woken task then waited for its poll: the two are
    // one measure, whatever the machine's load made of the browser's timer.
    let late = r.timer_late_ms.as_ref().expect("the timers' lateness");
    let waited = t.scheduled.0.iter().copied().fold(0.0, f64::max);
    assert!(late.max <= waited + 20.0 && late.max < 1000.0, "{late:?} against scheduled {:?}", t.scheduled);
    assert!(!r.output.iter().any(|l| l.text.starts_with("Executing")));

    // Blocking the loop: busy for the delay, and asyncio's debug line for each task.
    let r = async_record(Params { blocking: true, ..params(Model::Async, 3, 1000, 1) }).await;
    let t = &r.task_times;
    // Busy for the blocking call's 1000 ms, more when the machine took the page off its core
    // during it; never more than the task lived.
    for k in 0..3 {
        assert!(t.busy.0[k] >= 999.0 && t.busy.0[k] <= r.elapsed_ms, "busy {:?}", t.busy);
    }
    assert!(t.scheduled.0[2] > 1900.0, "the last waited for the two before it: {:?}", t.scheduled);
    let warnings: Vec<&str> = r
        .output
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| t.starts_with("Executing <Task finished"))
        .collect();
    assert_eq!(warnings.len(), 3, "{:?}", r.output);
    // "took 1.0xx seconds" on a quiet machine: at least the blocking call's second.
    let took = |w: &str| w.rsplit(" took ").next()?.strip_suffix(" seconds")?.parse::<f64>().ok();
    assert!(
        warnings.iter().all(|w| took(w).is_some_and(|s| s >= 0.999 && s * 1000.0 <= r.elapsed_ms)),
        "{warnings:?}"
    );
}

#[wasm_bindgen_test]
async fn cpu_tasks_wait_in_the_ready_queue_for_their_turn() {
    playground::workload::calibrate().await;
    let r = async_record(Params { workload: Workload::Cpu, ..params(Model::Async, 100, 5, 1) }).await;
    let (busy, scheduled) = (&r.task_times.busy.0, &r.task_times.scheduled.0);
    assert_eq!(busy.len(), 100);
    assert!(scheduled.windows(2).all(|w| w[1] >= w[0]), "{scheduled:?}");
    // The last waited for the 99 before it (about 99 × one task's busy), and for the browser's
    // turns between the loop's slices.
    let before: f64 = busy[..99].iter().sum();
    let ratio = scheduled[99] / before;
    assert!((0.95..1.5).contains(&ratio), "last scheduled {} = {ratio} × the busy before it", scheduled[99]);
}

fn counter(model: Model, tasks: u32, increments: u32, threads: u32) -> Params {
    Params { workload: Workload::Counter, increments, ..params(model, tasks, 0, threads) }
}

#[wasm_bindgen_test]
async fn async_counter_loses_updates_only_with_an_await_inside_and_never_with_its_lock() {
    let count = |p: Params| async move {
        let o = async_model::run(&RunState::start(p.tasks), p).await;
        o.counter.expect("a counter run").shared
    };
    let p = counter(Model::Async, 4, 1000, 1);
    assert_eq!(count(p).await, 4000, "a coroutine is switched only at an await");
    // Every round each task reads the same value: 3 of every 4 updates lost, every time.
    for _ in 0..2 {
        assert_eq!(count(Params { await_inside: true, ..p }).await, 1000);
    }
    assert_eq!(count(Params { await_inside: true, sync: SyncMode::Lock, ..p }).await, 4000);
    assert_eq!(count(Params { await_inside: true, sync: SyncMode::Atomic, ..p }).await, 4000);
    let seq = sequential::run(&RunState::start(3), counter(Model::Sequential, 3, 500, 1)).await;
    assert_eq!(seq.counter.unwrap().shared, 1500);
}

#[wasm_bindgen_test]
async fn async_tasks_taking_two_locks_in_opposite_order_deadlock_and_are_named() {
    let p = Params { workload: Workload::Deadlock, ..params(Model::Async, 2, 30, 1) };
    let o = async_model::run(&RunState::start(2), p).await;
    let d = o.deadlock.expect("a deadlock");
    assert_eq!(d.cycle, "task 0 holds A and waits for B; task 1 holds B and waits for A");
    assert!(d.detect_ms < 1.0, "found the moment the cycle formed: {}", d.detect_ms);
    assert_eq!(o.spans.count(timeline::SpanState::Failed), 2);
    assert!(o.waits.len() >= 2, "both waits are recorded: {:?}", o.waits);
    let same = async_model::run(&RunState::start(2), Params { lock_order: LockOrder::Same, ..p }).await;
    assert!(same.deadlock.is_none());
    assert_eq!(same.spans.count(timeline::SpanState::Done), 2);
}

#[wasm_bindgen_test]
async fn a_limit_keeps_that_many_async_tasks_in_flight() {
    let o =
        async_model::run(&RunState::start(10), Params { limit: Some(3), ..params(Model::Async, 10, 50, 1) })
            .await;
    assert_eq!(timeline::layout(&o.spans).peak, 3);
    assert!(o.elapsed_ms >= 199.0, "ceil(10 / 3) = 4 rounds of 50 ms: {}", o.elapsed_ms);
}

#[cfg(feature = "threads")]
mod threads {
    use super::*;
    use playground::runner::threads;
    use wasm_bindgen_futures::JsFuture;

    /// The pool is global to the wasm instance and starts once; every test awaits the same start.
    /// Eight threads: the tests below may run at once and together use 2 + 4 + 2.
    async fn pool() {
        thread_local! {
            static STARTED: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
        }
        let promise = STARTED.with(|s| {
            s.borrow_mut()
                .get_or_insert_with(|| {
                    wasm_bindgen_futures::future_to_promise(async {
                        playground::start_pool(8).await.map(Into::into)
                    })
                })
                .clone()
        });
        JsFuture::from(promise).await.expect("the pool starts");
    }

    #[wasm_bindgen_test]
    async fn t_threads_take_ceil_n_over_t_delays() {
        pool().await;
        let state = RunState::start(4);
        let o = threads::run(&state, params(Model::Threads, 4, 60, 2)).await;
        let spans = spans_of(&o);
        let mut lanes: Vec<timeline::Lane> = spans.iter().map(|s| s.0).collect();
        lanes.sort();
        lanes.dedup();
        assert_eq!(lanes.len(), 2, "two threads, two lanes: {spans:?}");
        assert!(lanes.iter().all(|&l| l >= timeline::Lane::thread(1)), "worker lanes are numbered from 1");
        assert!(o.elapsed_ms >= 119.0 && o.elapsed_ms < 400.0, "elapsed {}", o.elapsed_ms);
        assert_eq!(timeline::layout(&o.spans).peak, 2);
        // Each thread stamped its task's sleep: blocked about the delay, within its span.
        let blocked = o.blocked.as_ref().expect("threads keep each task's blocked time");
        for id in 0..4u32 {
            let (start, end) = (o.spans.start[id as usize], o.spans.end[id as usize]);
            let ms = blocked.of(id).expect("every task is accounted");
            assert!(ms >= 59.0 && ms <= f64::from(end - start) + 0.01, "task {id}: blocked {ms}");
        }
    }

    #[wasm_bindgen_test]
    async fn t_a_queued_task_is_not_started_until_a_thread_takes_it() {
        pool().await;
        let state = RunState::start(4);
        let run = threads::run(&state, params(Model::Threads, 4, 200, 2));
        assert_eq!(counters_during(&state, 100, run).await, (2, 2, 0));
        assert_eq!((state.started(), state.in_flight(), state.done()), (4, 0, 4));
    }

    #[wasm_bindgen_test]
    async fn t_a_thread_per_task_overlaps_them_all() {
        pool().await;
        let state = RunState::start(4);
        let o = threads::run(&state, params(Model::Threads, 4, 80, 4)).await;
        assert_eq!(timeline::layout(&o.spans).peak, 4);
        assert!(o.elapsed_ms >= 79.0 && o.elapsed_ms < 300.0, "elapsed {}", o.elapsed_ms);
    }

    #[wasm_bindgen_test]
    async fn t_the_gil_serialises_cpu_work_but_not_sleeps() {
        pool().await;
        playground::workload::calibrate().await;
        let state = RunState::start(2);
        let cpu = Params { workload: Workload::Cpu, gil: true, ..params(Model::Threads, 2, 40, 2) };
        let o = threads::run(&state, cpu).await;
        assert_eq!(o.spans.finished(), 2);
        // Two threads, one lock: somebody waited for it, and the lock changed hands.
        assert!(!o.waits.is_empty(), "no GIL waits recorded");
        // Those waits are the tasks' blocked time.
        let blocked = o.blocked.as_ref().expect("threads keep each task's blocked time");
        let total = blocked.of(0).unwrap_or(0.0) + blocked.of(1).unwrap_or(0.0);
        assert!(total > 0.0, "the GIL's waits count as blocked: {blocked:?}");
        let state = RunState::start(2);
        let sleep = Params { gil: true, ..params(Model::Threads, 2, 60, 2) };
        let o = threads::run(&state, sleep).await;
        // A thread that wakes takes the GIL back, as in CPython, so two waking together may wait
        // for each other a moment; never for anything like a sleep: sleeping releases the GIL.
        assert!(
            o.waits.iter().all(|w| w.end - w.start < 60.0),
            "GIL waits of sleeping threads: {:?}",
            o.waits
        );
        // Both slept at once: the second began before the first ended (a relation, not a time
        // bound, which a loaded machine's late timers would break).
        let spans = spans_of(&o);
        let (last_start, first_end) = (
            spans.iter().map(|s| s.1).fold(f64::MIN, f64::max),
            spans.iter().map(|s| s.2).fold(f64::MAX, f64::min),
        );
        assert!(last_start < first_end, "sleeps overlap with the GIL on: {spans:?}");
    }

    #[wasm_bindgen_test]
    async fn t_the_gil_changes_hands_at_the_switch_interval_and_its_holds_never_overlap() {
        pool().await;
        playground::workload::calibrate().await;
        let state = RunState::start(2);
        let cpu = Params {
            workload: Workload::Cpu,
            gil: true,
            switch_interval_us: 1000,
            ..params(Model::Threads, 2, 60, 2)
        };
        let o = threads::run(&state, cpu).await;
        let lanes: Vec<u32> = spans_of(&o).iter().map(|s| s.0.number()).collect();
        let gil = o.gil.expect("a run with the GIL records its holders");
        assert_eq!(gil.switch_interval_us, 1000);
        // At least once, when the first to finish drops it; many times on a machine with cores to
        // spare, but a loaded one may run the threads one after the other.
        assert!(gil.handoffs >= 1, "two computing threads hand the GIL over: {}", gil.handoffs);
        // The lock orders the holds, whichever worker's clock each was read on.
        for (i, pair) in gil.holds.windows(2).enumerate() {
            assert!(pair[1].start >= pair[0].end, "hold {} starts before hold {i} ends: {pair:?}", i + 1);
        }
        for h in &gil.holds {
            assert!(h.end >= h.start, "a hold ends after it starts: {h:?}");
            assert!(lanes.contains(&h.lane), "hold on lane {} of {lanes:?}", h.lane);
        }
    }

    #[wasm_bindgen_test]
    async fn t_a_failing_thread_task_leaves_the_others_running() {
        pool().await;
        let state = RunState::start(4);
        let o = threads::run(&state, Params { fail: Some(0), ..params(Model::Threads, 4, 20, 2) }).await;
        assert_eq!(o.spans.count(timeline::SpanState::Done), 3);
        assert_eq!(o.errors[0].0, 0);
    }

    #[wasm_bindgen_test]
    async fn t_stopping_ends_blocking_threads_at_the_next_slice() {
        pool().await;
        let state = RunState::start(2);
        let stopper = state.clone();
        gloo_timers::callback::Timeout::new(50, move || stopper.stop()).forget();
        let o = threads::run(&state, params(Model::Threads, 2, 10_000, 2)).await;
        assert!(o.stopped);
        assert!(o.elapsed_ms < 500.0, "stop took {} ms", o.elapsed_ms);
        // The pool is usable again at once.
        let state = RunState::start(2);
        let o = threads::run(&state, params(Model::Threads, 2, 10, 2)).await;
        assert_eq!(o.spans.finished(), 2);
    }

    #[wasm_bindgen_test]
    async fn t_threads_lose_counter_updates_without_a_guard_and_none_with_one() {
        pool().await;
        let p = counter(Model::Threads, 2, 1_000_000, 2);
        let mut losses = Vec::new();
        for _ in 0..5 {
            let o = threads::run(&RunState::start(2), p).await;
            losses.push(2_000_000 - o.counter.unwrap().shared);
        }
        assert!(losses.iter().any(|&n| n > 0), "real shared memory, real lost updates: {losses:?}");
        for sync in [SyncMode::Lock, SyncMode::Atomic] {
            let o = threads::run(&RunState::start(2), Params { sync, ..p }).await;
            assert_eq!(o.counter.unwrap().shared, 2_000_000, "{sync:?}");
        }
    }

    #[wasm_bindgen_test]
    async fn t_two_threads_deadlock_for_real_are_released_and_the_pool_works_after() {
        pool().await;
        let p = Params { workload: Workload::Deadlock, ..params(Model::Threads, 2, 50, 2) };
        let o = threads::run(&RunState::start(2), p).await;
        let d = o.deadlock.expect("a deadlock");
        assert!(
            d.cycle.contains("holds A and waits for B") && d.cycle.contains("holds B and waits for A"),
            "{}",
            d.cycle
        );
        assert!(d.detect_ms < 1000.0, "found {} ms after it formed", d.detect_ms);
        assert_eq!(o.spans.count(timeline::SpanState::Failed), 2);
        let o = threads::run(&RunState::start(2), params(Model::Threads, 2, 10, 2)).await;
        assert_eq!(o.spans.finished(), 2, "the pool is free again");
    }
}
