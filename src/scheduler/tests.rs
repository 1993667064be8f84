use super::result::{result, verdict};
use super::*;

/// Stands in for the two real threads natively: performs each op on its own counter and locks
/// and reports as they do.
#[derive(Default)]
struct Fake {
    counter: u64,
    tmp: [u64; THREADS],
    holders: [Option<usize>; 2],
    waits: [Option<usize>; THREADS],
}

impl Fake {
    fn perform(&mut self, t: usize, op: Op, asynchronous: bool) -> Done {
        match op {
            Op::Read => {
                self.tmp[t] = self.counter;
                Done::Read(self.counter)
            }
            Op::Write => {
                self.counter = self.tmp[t] + 1;
                Done::Wrote(self.counter)
            }
            Op::Acquire(l) if self.holders[l].is_none() => {
                self.holders[l] = Some(t);
                Done::Took(l)
            }
            Op::Acquire(l) => {
                self.waits[t] = Some(l);
                Done::Waits(l)
            }
            Op::Release(l) => {
                self.holders[l] = None;
                // asyncio.Lock hands it to its waiter.
                if asynchronous && self.waits[1 - t] == Some(l) {
                    self.waits[1 - t] = None;
                    self.holders[l] = Some(1 - t);
                }
                Done::Released(l)
            }
            Op::Await => Done::Awaited,
        }
    }
}

/// Plays `order` (threads 1 and 2 as on screen), as the engine does: the step, then the other
/// thread's take of a lock the step freed.
fn play(setup: Setup, order: &[usize]) -> Machine {
    let (mut m, mut real) = (Machine::new(setup), Fake::default());
    for &n in order {
        let t = n - 1;
        let mut op = m.choose(t).unwrap_or_else(|e| panic!("step of thread {n} refused: {e}"));
        loop {
            let done = real.perform(t, op, m.setup.asynchronous);
            if let Some(o) = m.apply(t, done) {
                let l = real.waits[o].take().expect("it waited");
                real.holders[l] = Some(o);
                assert_eq!(m.apply(o, Done::Took(l)), None);
            }
            if !m.continues(t, done) {
                break;
            }
            op = m.next(t).expect("the step goes on");
        }
        if m.stuck() {
            let cycle = m.cycle().expect("two waits close a cycle");
            let names = m.clone();
            m.deadlocked(cycle.describe(|a| names.name(a as usize - 1)));
        }
    }
    m
}

const COUNTER: Setup = Setup { kind: Kind::Counter, fix: false, increments: 1, asynchronous: false };
const DEADLOCK: Setup = Setup { kind: Kind::Deadlock, fix: false, increments: 1, asynchronous: false };

#[test]
fn read_read_write_write_loses_one_update_and_says_who_wrote_what() {
    let m = play(COUNTER, &[1, 2, 1, 2]);
    assert!(m.over());
    assert_eq!((m.shared, m.lost(), m.met_at), (1, 1, Some(4)));
    assert_eq!(m.writes[1], Write { thread: 1, read: 0, wrote: 1, overwrote: Some((0, 1)), lost: 1 });
    assert_eq!(
        result(&m).unwrap(),
        "1 of 2 updates was lost, and the counter ended at 1: thread 2 wrote 1 over thread 1's 1: \
         it had read 0 before thread 1 wrote."
    );
    assert_eq!(verdict(&m).unwrap(), "Challenge met in 4 steps: an update lost.");
    assert_eq!(m.history[3], "thread 2 wrote 1 over thread 1's 1 (counter = tmp + 1)");
}

#[test]
fn one_thread_after_the_other_loses_nothing() {
    let m = play(Setup { increments: 2, ..COUNTER }, &[1, 1, 1, 1, 2, 2, 2, 2]);
    assert_eq!((m.shared, m.lost()), (4, 0));
    assert!(result(&m).unwrap().starts_with("No update was lost: the counter ended at 4"));
    assert!(verdict(&m).unwrap().starts_with("Challenge not met in 8 steps"));
}

#[test]
fn an_overwrite_can_undo_several_updates() {
    // Thread 2 reads 0 and writes last, over thread 1's two updates.
    let m = play(Setup { increments: 2, ..COUNTER }, &[2, 1, 1, 1, 1, 2, 2, 2]);
    assert_eq!(m.writes[2], Write { thread: 1, read: 0, wrote: 1, overwrote: Some((0, 2)), lost: 2 });
    assert_eq!((m.shared, m.lost()), (2, 2));
}

#[test]
fn with_the_lock_a_waiting_thread_is_not_offered_and_nothing_is_lost() {
    let fixed = Setup { fix: true, ..COUNTER };
    let m = play(fixed, &[1, 1, 2]);
    assert_eq!(m.offered_threads(), vec![0], "thread 2 waits for the lock");
    assert_eq!(
        m.next(1),
        Err("thread 2 cannot take a step: it waits for the lock, which thread 1 holds.".into())
    );
    assert_eq!(m.tmp(0), Some(0));
    let m = play(fixed, &[1, 1, 2, 1, 1, 2, 2, 2]);
    assert!(m.over());
    assert_eq!((m.shared, m.lost(), m.met_at), (2, 0, None));
    assert!(
        m.history.contains(&"thread 2 took the lock (after waiting for it)".to_string()),
        "{:?}",
        m.history
    );
    assert!(result(&m).unwrap().contains("(a thread found it held once and waited)"));
    assert!(verdict(&m).unwrap().contains("it cannot be"));
}

#[test]
fn crosswise_acquisitions_deadlock_with_the_cycle_of_the_wait_for_graph() {
    let m = play(DEADLOCK, &[1, 2, 1, 2]);
    assert!(m.over());
    assert_eq!(m.offered_threads(), Vec::<usize>::new());
    assert_eq!(
        m.deadlock.as_deref(),
        Some("thread 1 holds A and waits for B; thread 2 holds B and waits for A")
    );
    assert!(result(&m).unwrap().starts_with("Deadlock: thread 1 holds A and waits for B; thread 2"));
    assert_eq!(verdict(&m).unwrap(), "Challenge met in 4 steps: the threads deadlocked.");
    assert_eq!(m.lines(1), ["acquire B", "acquire A", "release A", "release B"]);
}

#[test]
fn the_same_lock_order_cannot_deadlock() {
    let fixed = Setup { fix: true, ..DEADLOCK };
    let m = play(fixed, &[1, 2]);
    assert_eq!(m.waits_for(1), Some(0), "thread 2 waits for A, holding nothing");
    assert_eq!(m.offered_threads(), vec![0]);
    let m = play(fixed, &[1, 2, 1, 1, 1, 2, 2, 2]);
    assert!(m.over() && m.deadlock.is_none());
    assert!(result(&m).unwrap().starts_with("No deadlock: both threads take A first"));
    let m = play(DEADLOCK, &[1, 1, 2, 1, 1, 2, 2, 2]);
    assert!(result(&m).unwrap().starts_with("No deadlock this time"));
}

#[test]
fn options_are_checked_with_their_field_and_range() {
    assert_eq!(Setup::parse(None, None, None, None), Ok(COUNTER));
    assert_eq!(Setup::parse(None, Some("deadlock"), Some(true), None), Ok(Setup { fix: true, ..DEADLOCK }));
    assert_eq!(Setup::parse(Some("async"), None, None, None), Ok(Setup { asynchronous: true, ..COUNTER }));
    assert!(Setup::parse(Some("processes"), None, None, None).unwrap_err().starts_with("model:"));
    assert!(Setup::parse(None, Some("sleep"), None, None).unwrap_err().starts_with("workload:"));
    let e = Setup::parse(None, None, None, Some(9.0)).unwrap_err();
    assert_eq!(e, "increments: the scheduler takes a whole number from 1 to 5 per thread, not 9.");
    assert!(Machine::new(COUNTER).next(2).unwrap_err().starts_with("thread:"));
}

#[test]
fn the_page_gets_both_threads_next_lines_and_the_shared_value() {
    let m = play(COUNTER, &[1, 2, 1]);
    let s = view::state(&m);
    assert_eq!(s.threads[0].next_line.0, None, "thread 1 has finished");
    assert_eq!(s.threads[1].next_line.0.as_deref(), Some("counter = tmp + 1"));
    assert_eq!((s.threads[1].tmp.0, s.shared.0, s.offered.clone()), (Some(0.0), Some(1.0), vec![2]));
    assert!(s.result.0.is_none() && !s.over);
    let d = view::state(&play(DEADLOCK, &[1, 2]));
    assert_eq!(
        d.locks.iter().map(|l| l.holder.0.clone().unwrap()).collect::<Vec<_>>(),
        ["thread 1", "thread 2"]
    );
    assert_eq!(d.shared.0, None);
}

const ASYNC: Setup = Setup { asynchronous: true, ..COUNTER };

#[test]
fn async_tasks_switch_only_at_the_await_and_lose_an_update_there() {
    // Each resume runs a task to its next await: task 1 reads and awaits, task 2 reads and
    // awaits, task 1 writes and ends, task 2 writes over it.
    let m = play(ASYNC, &[1, 2, 1, 2]);
    assert_eq!(m.lines(0), ["tmp = counter", "await asyncio.sleep(0)", "counter = tmp + 1"]);
    assert_eq!((m.shared, m.lost(), m.steps), (1, 1, 4));
    assert!(result(&m).unwrap().contains("task 2 wrote 1 over task 1's 1"), "{:?}", result(&m));
    // Resumed one after the other, nothing is lost.
    let m = play(ASYNC, &[1, 1, 2, 2]);
    assert_eq!((m.shared, m.lost()), (2, 0));
}

#[test]
fn asyncio_lock_hands_itself_to_the_waiting_task() {
    let fixed = Setup { fix: true, ..ASYNC };
    // Task 1 takes the lock, reads and awaits; task 2 finds the lock held and waits.
    let m = play(fixed, &[1, 2]);
    assert_eq!((m.pc(0), m.waits_for(1), m.offered_threads()), (3, Some(0), vec![0]));
    // Task 1 writes and releases: the lock goes to task 2, which is ready again.
    let m = play(fixed, &[1, 2, 1]);
    assert_eq!((m.holder(0), m.offered_threads()), (Some(1), vec![1]));
    let m = play(fixed, &[1, 2, 1, 2, 2]);
    assert!(m.over());
    assert_eq!((m.shared, m.lost()), (2, 0));
    assert!(verdict(&m).unwrap().contains("it cannot be"));
}

#[test]
fn async_tasks_deadlock_across_an_await() {
    let m = play(Setup { kind: Kind::Deadlock, ..ASYNC }, &[1, 2, 1, 2]);
    assert_eq!(m.deadlock.as_deref(), Some("task 1 holds A and waits for B; task 2 holds B and waits for A"));
    assert!(result(&m).unwrap().contains("asyncio's event loop would idle here forever"));
    assert_eq!(verdict(&m).unwrap(), "Challenge met in 4 steps: the tasks deadlocked.");
}

#[test]
fn a_report_answers_only_its_own_step() {
    assert!(Op::Acquire(1).answered_by(Done::Waits(1)));
    assert!(!Op::Acquire(1).answered_by(Done::Took(0)));
    assert!(!Op::Read.answered_by(Done::Wrote(1)));
    assert!(Op::Await.answered_by(Done::Awaited));
}
