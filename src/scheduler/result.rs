//! What the page says about a scheduled game: the challenge, the result once it is over (the
//! updates lost and who wrote what, or the wait-for cycle), and whether the challenge was met.
//! Every sentence is from the steps the real threads reported. Pure Rust, tested natively.

use super::{Kind, Machine, Setup, Write, thread_name};

/// The challenge of a setup, in a sentence.
pub fn challenge(s: &Setup) -> String {
    match (s.kind, s.fix) {
        (Kind::Counter, false) => "Lose an update: make one thread write over the other's update.".into(),
        (Kind::Counter, true) => "Lose an update with the lock in place: each thread takes the lock before \
             `tmp = counter` and releases it after `counter = tmp + 1`."
            .into(),
        (Kind::Deadlock, false) => {
            "Deadlock them: leave each thread holding one lock and waiting for the other's.".into()
        }
        (Kind::Deadlock, true) => {
            "Deadlock them with the fix in place: both threads take A first, then B.".into()
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
        let overwrites: Vec<String> = m.writes.iter().filter_map(overwrite).collect();
        return format!(
            "{lost} of {expected} updates {was} lost, and the counter ended at {}: {}.",
            m.shared,
            overwrites.join("; ")
        );
    }
    if m.setup.fix {
        return format!(
            "No update was lost: the counter ended at {expected}, because the lock let one thread at \
             a time between `tmp = counter` and `counter = tmp + 1`{}.",
            waited(m)
        );
    }
    format!(
        "No update was lost: the counter ended at {expected}, because each thread read it after \
         the other's last write. Let a thread read, then let the other read before it writes."
    )
}

/// How a write lost updates: "thread 2 wrote 1 over thread 1's 1: it had read 0 before thread
/// 1 wrote".
fn overwrite(w: &Write) -> Option<String> {
    let (by, value) = w.overwrote?;
    Some(format!(
        "{} wrote {} over {}'s {value}: it had read {} before {} wrote",
        thread_name(w.thread),
        w.wrote,
        thread_name(by),
        w.read,
        thread_name(by)
    ))
}

/// ", and a thread waited for it N times", when one did.
fn waited(m: &Machine) -> String {
    let waits = m.history.iter().filter(|h| h.contains(" waits for ")).count();
    match waits {
        0 => String::new(),
        1 => " (a thread found it held once and waited)".into(),
        n => format!(" (a thread found it held {n} times and waited)"),
    }
}

fn deadlock_result(m: &Machine) -> String {
    if let Some(cycle) = &m.deadlock {
        return format!(
            "Deadlock: {cycle}. Neither can take another step and nothing will ever release \
             either lock; Python's threads would wait here forever (the engine ended both waits)."
        );
    }
    if m.setup.fix {
        return format!(
            "No deadlock: both threads take A first, so whoever holds A can always take B, and \
             the other waits holding nothing{}.",
            waited(m)
        );
    }
    "No deadlock this time: both threads finished, because one of them took its first lock only \
     when the other held both or none. Let each take its first lock before either takes its second."
        .into()
}

/// Whether the challenge was met, and in how many steps; `None` while it may still be.
pub fn verdict(m: &Machine) -> Option<String> {
    let what = match m.setup.kind {
        Kind::Counter => "an update lost",
        Kind::Deadlock => "the threads deadlocked",
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
