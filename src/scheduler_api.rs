//! The wasm-bindgen surface of "You are the scheduler": start a game, step a thread, stop. Each
//! export converts its arguments, asks the step machine ([`crate::scheduler`]) what the step is,
//! has a real thread perform it ([`crate::runner::scheduled`], in the threads build) and hands
//! the page the game as it stands. The plain build has no shared-memory threads: there every
//! call but `stop` rejects with the sentence that says so.

use wasm_bindgen::prelude::*;

#[cfg(feature = "threads")]
use crate::js::ToJs;
use crate::js::{get_f64, get_string};
use crate::scheduler::{Machine, Setup};

/// `Error(message)`, as a rejection.
fn error(message: String) -> JsValue {
    js_sys::Error::new(&message).into()
}

/// Reads `{ workload, fix, increments }`.
fn setup(options: &JsValue) -> Result<Setup, JsValue> {
    let fix = js_sys::Reflect::get(options, &"fix".into()).ok().and_then(|v| v.as_bool());
    let workload = get_string(options, "workload");
    Setup::parse(workload.as_deref(), fix, get_f64(options, "increments")).map_err(error)
}

#[cfg(feature = "threads")]
mod game {
    //! The game under way, kept by the event loop between calls.
    use std::cell::{Cell, RefCell};

    use super::*;
    use crate::runner::scheduled::Pair;

    /// A game: the step machine and the two real threads.
    pub struct Game {
        pub machine: Machine,
        pub pair: Pair,
    }

    thread_local! {
        /// The game between steps; out of here while a step is under way.
        pub static GAME: RefCell<Option<Game>> = const { RefCell::new(None) };
        /// Counts starts and stops: a step that finds it changed drops its game.
        pub static EPOCH: Cell<u32> = const { Cell::new(0) };
        /// Whether a step or a start is under way.
        pub static BUSY: Cell<bool> = const { Cell::new(false) };
        /// The machine of the game a step has taken out, for `state()` and `stop()` meanwhile.
        pub static QUIT: RefCell<Option<std::rc::Rc<dyn Fn()>>> = const { RefCell::new(None) };
    }

    /// Ends the game under way, if any: its threads leave their loops.
    pub fn end() -> bool {
        EPOCH.set(EPOCH.get() + 1);
        let quit = QUIT.take();
        if let Some(q) = &quit {
            q();
        }
        GAME.take().is_some() || quit.is_some()
    }

    /// One step of thread `t` (0 or 1) on the real threads; the other thread's take of a lock
    /// the step freed; the deadlock, if the step closed the cycle; the threads' release once
    /// the game is over.
    pub async fn step(game: &mut Game, t: usize) -> Result<(), String> {
        let op = game.machine.next(t)?;
        let done = game.pair.step(t, op).await?;
        if let Some(other) = game.machine.apply(t, done) {
            let took = game.pair.done_of(other).await?;
            game.machine.apply(other, took);
        }
        if game.machine.stuck()
            && let Some(cycle) = game.pair.cycle()
        {
            game.machine.deadlocked(cycle);
        }
        if game.machine.setup.kind == crate::scheduler::Kind::Counter {
            game.machine.shared = game.pair.counter();
        }
        if game.machine.over() {
            game.pair.quit();
        }
        Ok(())
    }
}

/// Starts a game: `{ workload: "counter" | "deadlock", fix, increments }`; ends any game under
/// way first. Resolves to its state once both threads are parked. `no_threads` is the page's
/// reason why threads cannot share its memory, if they cannot.
#[wasm_bindgen(js_name = schedulerStart)]
pub async fn scheduler_start(options: JsValue, no_threads: Option<String>) -> Result<JsValue, JsValue> {
    let setup = setup(&options)?;
    #[cfg(feature = "threads")]
    {
        let _ = no_threads;
        game::end();
        let epoch = game::EPOCH.get();
        let pair = crate::runner::scheduled::Pair::start().await.map_err(error)?;
        if game::EPOCH.get() != epoch {
            return Err(error("The game was stopped before its threads were ready.".into()));
        }
        let machine = Machine::new(setup);
        let state = crate::scheduler::view::state(&machine).to_js();
        game::GAME.set(Some(game::Game { machine, pair }));
        Ok(state)
    }
    #[cfg(not(feature = "threads"))]
    {
        let _ = setup;
        Err(error(crate::scheduler::result::unavailable(no_threads.as_deref())))
    }
}

/// Thread 1 or 2 takes its next step (`"random"` or nothing: one of the threads offered, at
/// random). Resolves to the game's state; rejects, naming why, for a step not offered.
#[wasm_bindgen(js_name = schedulerStep)]
pub async fn scheduler_step(thread: JsValue) -> Result<JsValue, JsValue> {
    #[cfg(feature = "threads")]
    {
        use std::rc::Rc;
        if game::BUSY.get() {
            return Err(error("A step is under way: wait for it to end.".into()));
        }
        let Some(mut g) = game::GAME.take() else {
            return Err(error("No game is under way: start one first.".into()));
        };
        let t = match which(&thread, &g.machine).and_then(|t| g.machine.next(t).map(|_| t)) {
            Ok(t) => t,
            Err(e) => {
                game::GAME.set(Some(g));
                return Err(error(e));
            }
        };
        let epoch = game::EPOCH.get();
        game::BUSY.set(true);
        let quitter = g.pair.quitter();
        game::QUIT.set(Some(Rc::new(quitter)));
        let stepped = game::step(&mut g, t).await;
        game::BUSY.set(false);
        game::QUIT.take();
        if game::EPOCH.get() != epoch {
            return Err(error("The game was stopped.".into()));
        }
        let state = crate::scheduler::view::state(&g.machine).to_js();
        if let Err(e) = stepped {
            g.pair.quit();
            return Err(error(format!("The game ended: {e}.")));
        }
        game::GAME.set(Some(g));
        Ok(state)
    }
    #[cfg(not(feature = "threads"))]
    {
        let _ = thread;
        Err(error(crate::scheduler::result::unavailable(None)))
    }
}

/// The thread a step names: 1 or 2, or one of the offered threads at random.
#[cfg_attr(not(feature = "threads"), allow(dead_code))]
fn which(thread: &JsValue, m: &Machine) -> Result<usize, String> {
    if let Some(n) = thread.as_f64() {
        return if n == 1.0 || n == 2.0 {
            Ok(n as usize - 1)
        } else {
            Err(format!("thread: the scheduler has threads 1 and 2, not {n}."))
        };
    }
    match thread.as_string().as_deref() {
        None | Some("random") => {
            let offered = m.offered_threads();
            let pick = (js_sys::Math::random() * offered.len() as f64) as usize;
            offered
                .get(pick.min(offered.len().saturating_sub(1)))
                .copied()
                .ok_or_else(|| "No thread can take a step: the game is over.".into())
        }
        Some(other) => {
            Err(format!("thread: the scheduler has threads 1 and 2, or \"random\", not \"{other}\"."))
        }
    }
}

/// The game as it stands, or `null` (none, or a step is under way).
#[wasm_bindgen(js_name = schedulerState)]
pub fn scheduler_state() -> JsValue {
    #[cfg(feature = "threads")]
    {
        game::GAME.with_borrow(|g| {
            g.as_ref().map_or(JsValue::NULL, |g| crate::scheduler::view::state(&g.machine).to_js())
        })
    }
    #[cfg(not(feature = "threads"))]
    JsValue::NULL
}

/// Ends the game under way and releases its threads; whether there was one.
#[wasm_bindgen(js_name = schedulerStop)]
pub fn scheduler_stop() -> bool {
    #[cfg(feature = "threads")]
    {
        game::end()
    }
    #[cfg(not(feature = "threads"))]
    false
}
