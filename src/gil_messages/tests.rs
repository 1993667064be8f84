use super::{Arbiter, Message, Post};
use crate::record::Hold;
use crate::timeline::{Lane, WaitKind};

const FIVE_MS: u32 = 5_000;

fn grant(lane: u32, drop_in_ms: Option<f64>) -> Vec<Message> {
    vec![Message::Grant { lane, drop_in_ms }]
}

#[test]
fn a_free_lock_is_granted_at_once_with_nobody_waiting() {
    let mut gil = Arbiter::new(FIVE_MS);
    assert_eq!(gil.ask(1, 0, Post::at(0.0)), grant(1, None));
    assert_eq!(gil.drop_lock(1, false, Post::at(3.0)), vec![]);
    let (record, waits) = gil.finish(4.0, FIVE_MS);
    assert_eq!(record.holds, [Hold { lane: 1, start: 0.0, end: 3.0 }]);
    assert_eq!((record.handoffs, record.switch_interval_us), (0, FIVE_MS));
    assert!(waits.is_empty());
}

#[test]
fn a_waiter_makes_the_holder_drop_one_interval_after_it_asked_or_the_holder_took_it() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, Post::at(0.0));
    // Asked 2 ms into the hold: the interval runs from the ask.
    assert_eq!(gil.ask(2, 1, Post::at(2.0)), vec![Message::Waiter { lane: 1, drop_in_ms: 5.0 }]);
    // A third thread: the holder was told already.
    assert_eq!(gil.ask(3, 2, Post::at(3.0)), vec![]);
    // Thread 1 drops at the interval's end and asks again: thread 2 first, told thread 3 waits.
    assert_eq!(gil.drop_lock(1, true, Post::at(7.0)), grant(2, Some(5.0)));
    assert_eq!(gil.drop_lock(2, true, Post::at(12.0)), grant(3, Some(5.0)));
    assert_eq!(gil.drop_lock(3, false, Post::at(17.0)), grant(1, Some(5.0)), "thread 2 still waits");
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
    gil.ask(1, 0, Post::at(0.0));
    assert_eq!(gil.ask(2, 1, Post::at(50.0)), vec![Message::Waiter { lane: 1, drop_in_ms: 1.0 }]);
}

#[test]
fn a_thread_that_took_the_lock_just_now_keeps_it_a_whole_interval() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, Post::at(0.0));
    gil.drop_lock(1, false, Post::at(1.0));
    gil.ask(2, 1, Post::at(1.0));
    // Thread 1 asks again (it woke from a sleep) 0.5 ms into thread 2's hold.
    assert_eq!(gil.ask(1, 2, Post::at(1.5)), vec![Message::Waiter { lane: 2, drop_in_ms: 5.0 }]);
}

#[test]
fn a_thread_that_drops_and_asks_again_with_nobody_waiting_takes_it_back_at_once() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, Post::at(0.0));
    assert_eq!(gil.drop_lock(1, true, Post::at(5.0)), grant(1, None));
    assert_eq!(gil.handoffs(), 0, "the same thread: no hand-off");
    let (record, _) = gil.finish(6.0, FIVE_MS);
    assert_eq!(record.holds, [Hold { lane: 1, start: 0.0, end: 6.0 }], "one hold, merged");
}

#[test]
fn a_drop_by_a_thread_that_does_not_hold_it_changes_nothing() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, Post::at(0.0));
    gil.ask(2, 1, Post::at(1.0));
    assert_eq!(gil.drop_lock(2, false, Post::at(2.0)), vec![]);
    let live = gil.holds_since(0);
    assert_eq!((live.len(), live[0].lane), (1, 1), "thread 1 still holds it");
    assert!(live[0].end.is_nan());
}

#[test]
fn a_thread_that_leaves_hands_the_lock_on_and_leaves_the_queue() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, Post::at(0.0));
    gil.ask(2, 1, Post::at(1.0));
    gil.ask(3, 2, Post::at(1.0));
    assert_eq!(gil.leave(2, 2.0), vec![], "a waiter leaves quietly");
    assert_eq!(gil.leave(1, 3.0), grant(3, None));
    let live = gil.holds_since(0);
    assert_eq!(live.len(), 2);
    assert_eq!((live[1].lane, live[1].start), (3, 3.0));
    assert!(live[1].end.is_nan(), "the hold under way has no end yet");
    assert_eq!(gil.holds_since(1).len(), 1);
}

/// A message sent at `sent` on its thread's clock, arrived at `at` on the page's; for a drop,
/// `grant`: when the grant of the hold it ends arrived, and how long the thread had waited for it.
fn said(at: f64, sent: f64, grant: Option<(f64, f64)>) -> Post {
    Post { at, sent, granted: grant.map(|g| g.0), took: grant.map(|g| g.1) }
}

#[test]
fn holds_waits_and_hand_offs_are_as_the_threads_lived_them_not_as_the_page_saw_them() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, said(0.0, -0.02, None));
    gil.ask(2, 1, said(2.0, 1.98, None));
    // Thread 1 drops at the interval's end (its grant had arrived at 0.03) and asks again.
    assert_eq!(gil.drop_lock(1, true, said(7.0, 6.98, Some((0.03, 0.05)))), grant(2, Some(5.0)));
    assert_eq!(gil.handoff_ms(), None, "no hand-off timed yet: the lock was free when thread 1 asked");
    // Thread 2 waited 5.04 ms for its grant by its clock, queued 5 ms by the page's: its ask's way
    // to the page and the grant's way back took 0.04 ms. It drops for good.
    assert_eq!(gil.drop_lock(2, false, said(12.0, 11.97, Some((7.02, 5.04)))), grant(1, None));
    assert!((gil.handoff_ms().unwrap() - 0.04).abs() < 1e-9, "{:?}", gil.handoff_ms());
    // Thread 1 waited 5.07 ms, queued 5 ms.
    assert_eq!(gil.drop_lock(1, false, said(14.0, 13.99, Some((12.05, 5.07)))), vec![]);
    let (record, waits) = gil.finish(15.0, FIVE_MS);
    assert!((record.handoff_ms.unwrap() - 0.055).abs() < 1e-9, "{:?}", record.handoff_ms);
    let holds: Vec<(u32, f64, f64)> = record.holds.iter().map(|h| (h.lane, h.start, h.end)).collect();
    assert_eq!(holds, [(1, 0.03, 6.98), (2, 7.02, 11.97), (1, 12.05, 13.99)], "with their gaps");
    let waited: Vec<(u32, f64, f64)> = waits.iter().map(|w| (w.lane.number(), w.start, w.end)).collect();
    assert_eq!(waited, [(2, 1.98, 7.02), (1, 6.98, 12.05)], "from the ask sent to the grant come");
}

#[test]
fn a_hold_never_begins_before_the_one_before_it_ended_whatever_the_clocks_say() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, said(0.0, 0.0, None));
    gil.ask(2, 1, said(1.0, 1.0, None));
    gil.drop_lock(1, false, said(5.0, 5.0, Some((0.0, 0.0))));
    // Thread 2's clock reads its grant's arrival 0.3 ms before thread 1's drop left (rounding).
    gil.drop_lock(2, false, said(9.0, 9.0, Some((4.7, 4.1))));
    let (record, _) = gil.finish(10.0, FIVE_MS);
    assert_eq!(record.holds[1], Hold { lane: 2, start: 5.0, end: 9.0 });
    assert!((record.handoff_ms.unwrap() - 0.1).abs() < 1e-9, "{:?}", record.handoff_ms);
}

#[test]
fn a_lock_told_nothing_of_the_threads_clocks_times_no_hand_off() {
    let mut gil = Arbiter::new(FIVE_MS);
    gil.ask(1, 0, Post::at(0.0));
    gil.ask(2, 1, Post::at(1.0));
    gil.drop_lock(1, false, Post::at(5.0));
    gil.drop_lock(2, false, Post::at(9.0));
    assert_eq!(gil.handoffs(), 1);
    assert_eq!(gil.finish(10.0, FIVE_MS).0.handoff_ms, None);
}
