use super::{Arbiter, Message};
use crate::record::Hold;
use crate::timeline::{Lane, WaitKind};

const FIVE_MS: u32 = 5_000;

fn grant(lane: u32, drop_in_ms: Option<f64>) -> Vec<Message> {
    vec![Message::Grant { lane, drop_in_ms }]
}

#[test]
fn a_free_lock_is_granted_at_once_with_nobody_waiting() {
    let mut gil = Arbiter::new(FIVE_MS);
    assert_eq!(gil.ask(1, 0, 0.0), grant(1, None));
    assert_eq!(gil.drop_lock(1, false, 3.0), vec![]);
    let (record, waits) = gil.finish(4.0, FIVE_MS);
    assert_eq!(record.holds, [Hold { lane: 1, start: 0.0, end: 3.0 }]);
    assert_eq!((record.handoffs, record.switch_interval_us), (0, FIVE_MS));
    assert!(waits.is_empty());
}

#[test]
fn a_waiter_makes_the_holder_drop_one_interval_after_it_asked_or_the_holder_took_it() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, 0.0);
    // Asked 2 ms into the hold: the interval runs from the ask.
    assert_eq!(gil.ask(2, 1, 2.0), vec![Message::Waiter { lane: 1, drop_in_ms: 5.0 }]);
    // A third thread: the holder was told already.
    assert_eq!(gil.ask(3, 2, 3.0), vec![]);
    // Thread 1 drops at the interval's end and asks again: thread 2 first, told thread 3 waits.
    assert_eq!(gil.drop_lock(1, true, 7.0), grant(2, Some(5.0)));
    assert_eq!(gil.drop_lock(2, true, 12.0), grant(3, Some(5.0)));
    assert_eq!(gil.drop_lock(3, false, 17.0), grant(1, Some(5.0)), "thread 2 still waits");
    assert_eq!(gil.handoffs(), 3);
    let (record, waits) = gil.finish(20.0, FIVE_MS);
    let lanes: Vec<u32> = record.holds.iter().map(|h| h.lane).collect();
    assert_eq!(lanes, [1, 2, 3, 1]);
    assert_eq!(record.holds[3].end, 20.0, "the hold under way ends with the run");
    // Holds follow each other and never overlap.
    for pair in record.holds.windows(2) {
        assert!(pair[1].start >= pair[0].end, "{pair:?}");
    }
    let waited: Vec<(Lane, u32, f64, f64)> = waits.iter().map(|w| (w.lane, w.id, w.start, w.end)).collect();
    assert_eq!(
        waited,
        [(Lane::thread(2), 1, 2.0, 7.0), (Lane::thread(3), 2, 3.0, 12.0), (Lane::thread(1), 0, 7.0, 17.0)]
    );
    assert!(waits.iter().all(|w| w.kind == WaitKind::Gil));
}

#[test]
fn a_waiter_late_in_a_long_hold_asks_for_the_drop_at_the_interval_from_its_own_ask() {
    let mut gil = Arbiter::new(1_000);
    gil.ask(1, 0, 0.0);
    assert_eq!(gil.ask(2, 1, 50.0), vec![Message::Waiter { lane: 1, drop_in_ms: 1.0 }]);
}

#[test]
fn a_thread_that_took_the_lock_just_now_keeps_it_a_whole_interval() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, 0.0);
    gil.drop_lock(1, false, 1.0);
    gil.ask(2, 1, 1.0);
    // Thread 1 asks again (it woke from a sleep) 0.5 ms into thread 2's hold.
    assert_eq!(gil.ask(1, 2, 1.5), vec![Message::Waiter { lane: 2, drop_in_ms: 5.0 }]);
}

#[test]
fn a_thread_that_drops_and_asks_again_with_nobody_waiting_takes_it_back_at_once() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, 0.0);
    assert_eq!(gil.drop_lock(1, true, 5.0), grant(1, None));
    assert_eq!(gil.handoffs(), 0, "the same thread: no hand-off");
    let (record, _) = gil.finish(6.0, FIVE_MS);
    assert_eq!(record.holds, [Hold { lane: 1, start: 0.0, end: 6.0 }], "one hold, merged");
}

#[test]
fn a_drop_by_a_thread_that_does_not_hold_it_changes_nothing() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, 0.0);
    gil.ask(2, 1, 1.0);
    assert_eq!(gil.drop_lock(2, false, 2.0), vec![]);
    let live = gil.holds_since(0);
    assert_eq!((live.len(), live[0].lane), (1, 1), "thread 1 still holds it");
    assert!(live[0].end.is_nan());
}

#[test]
fn a_thread_that_leaves_hands_the_lock_on_and_leaves_the_queue() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, 0.0);
    gil.ask(2, 1, 1.0);
    gil.ask(3, 2, 1.0);
    assert_eq!(gil.leave(2, 2.0), vec![], "a waiter leaves quietly");
    assert_eq!(gil.leave(1, 3.0), grant(3, None));
    let live = gil.holds_since(0);
    assert_eq!(live.len(), 2);
    assert_eq!((live[1].lane, live[1].start), (3, 3.0));
    assert!(live[1].end.is_nan(), "the hold under way has no end yet");
    assert_eq!(gil.holds_since(1).len(), 1);
}
