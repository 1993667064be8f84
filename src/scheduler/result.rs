//! What the page says about a scheduled game: the challenge, the result once it is over (the
//! updates lost and who wrote what, or the wait-for cycle), and whether the challenge was met.
//! Every sentence is from the steps the real threads reported. Pure Rust, tested natively.

use super::{Kind, Machine, Setup, Write};

/// What the game's two agents are: ("thread", "threads"), or ("task", "tasks") in an async game.
pub fn words(s: &Setup) -> (&'static str, &'static str) {
    if s.asynchronous { ("task", "tasks") } else { ("thread", "threads") }
}

/// The challenge of a setup, in a sentence.
pub fn challenge(s: &Setup) -> String {
    let (one, both) = words(s);
    let (lock_first, lock_last) = if s.asynchronous {
        ("`tmp = counter`", "`counter = tmp + 1`, across the await")
    } else {
        ("`tmp = counter`", "`counter = tmp + 1`")
    };
    match (s.kind, s.fix) {
        (Kind::Counter, false) => format!("Lose an update: make one {one} write over the other's update."),
        (Kind::Counter, true) => format!(
            "Lose an update with the lock in place: each {one} takes the lock before {lock_first} and \
             releases it after {lock_last}."
        ),
        (Kind::Deadlock, false) => {
            format!("Deadlock them: leave each {one} holding one lock and waiting for the other's.")
        }
        (Kind::Deadlock, true) => {
            format!("Deadlock them with the fix in place: both {both} take A first, then B.")
        }
    }
}

/// The game's result once it is over; `None` while it goes on.
pub fn result(m: &Machine) -> Option<String> {
    if !m.over() {
        return None;
    }
    Some(match m.setup.kind {
        Kind::Counter => counter_result(m),
        Kind::Deadlock => deadlock_result(m),
    })
}

fn counter_result(m: &Machine) -> String {
    let (lost, expected) = (m.lost(), m.expected());
    if lost > 0 {
        let was = if lost == 1 { "was" } else { "were" };
        let overwrites: Vec<String> = m.writes.iter().filter_map(|w| overwrite(m, w)).collect();
        return format!(
            "{lost} of {expected} updates {was} lost, and the counter ended at {}: {}.",
            m.shared,
            overwrites.join("; ")
        );
    }
    let (one, _) = words(&m.setup);
    if m.setup.fix {
        return format!(
            "No update was lost: the counter ended at {expected}, because the lock let one {one} at \
             a time between `tmp = counter` and `counter = tmp + 1`{}.",
            waited(m)
        );
    }
    format!(
        "No update was lost: the counter ended at {expected}, because each {one} read it after \
         the other's last write. Let a {one} read, then let the other read before it writes."
    )
}

/// How a write lost updates: "thread 2 wrote 1 over thread 1's 1: it had read 0 before thread
/// 1 wrote".
fn overwrite(m: &Machine, w: &Write) -> Option<String> {
    let (by, value) = w.overwrote?;
    Some(format!(
        "{} wrote {} over {}'s {value}: it had read {} before {} wrote",
        m.name(w.thread),
        w.wrote,
        m.name(by),
        w.read,
        m.name(by)
    ))
}

/// ", and a thread waited for it N times", when one did.
fn waited(m: &Machine) -> String {
    let waits = m.history.iter().filter(|h| h.contains(" waits for ")).count();
    match waits {
        0 => String::new(),
        1 => format!(" (a {} found it held once and waited)", words(&m.setup).0),
        n => format!(" (a {} found it held {n} times and waited)", words(&m.setup).0),
    }
}

fn deadlock_result(m: &Machine) -> String {
    let (_, both) = words(&m.setup);
    if let Some(cycle) = &m.deadlock {
        let forever = if m.setup.asynchronous {
            "asyncio's event loop would idle here forever"
        } else {
            "Python's threads would wait here forever"
        };
        return format!(
            "Deadlock: {cycle}. Neither can take another step and nothing will ever release \
             either lock; {forever} (the engine ended both waits)."
        );
    }
    if m.setup.fix {
        return format!(
            "No deadlock: both {both} take A first, so whoever holds A can always take B, and \
             the other waits holding nothing{}.",
            waited(m)
        );
    }
    format!(
        "No deadlock this time: both {both} finished, because one of them took its first lock only \
         when the other held both or none. Let each take its first lock before either takes its second."
    )
}

/// Whether the challenge was met, and in how many steps; `None` while it may still be.
pub fn verdict(m: &Machine) -> Option<String> {
    let what = match m.setup.kind {
        Kind::Counter => "an update lost".to_string(),
        Kind::Deadlock => format!("the {} deadlocked", words(&m.setup).1),
    };
    match (m.met_at, m.setup.fix) {
        (Some(n), false) => Some(format!("Challenge met in {n} steps: {what}.")),
        (Some(n), true) => Some(format!(
            "Challenge met in {n} steps with the fix in place: this is a bug in the playground."
        )),
        (None, _) if !m.over() => None,
        (None, false) => {
            Some(format!("Challenge not met in {} steps: start again and try another order.", m.steps))
        }
        (None, true) => Some(format!(
            "Challenge not met in {} steps, and it cannot be: with the fix in place no order of steps \
             leads there. That is the lesson.",
            m.steps
        )),
    }
}

/// Why the scheduler cannot run on this page: `reason` is the page's (its capabilities').
pub fn unavailable(reason: Option<&str>) -> String {
    let base = "The scheduler steps two threads on memory shared with this page, and threads cannot \
         share this page's memory here.";
    match reason {
        Some(why) => format!("{base} {why}"),
        None => base.into(),
    }
}
