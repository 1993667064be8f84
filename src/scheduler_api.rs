//! The wasm-bindgen surface of "You are the scheduler": start a game, step a thread or task,
//! stop. Each export converts its arguments, asks the step machine ([`crate::scheduler`]) what
//! the step is, has a real thread ([`crate::runner::scheduled`], in the threads build) or a real
//! async task ([`crate::runner::scheduled_async`]) perform it, and hands the page the game as it
//! stands. The plain build has no shared-memory threads: there a threads game is refused with
//! the sentence that says so, while async games run as anywhere.

use wasm_bindgen::prelude::*;

use crate::decimal::Shortest;
use crate::js::{ToJs, get_bool, get_f64, get_string};
use crate::scheduler::{Machine, Setup};

/// `Error(message)`, as a rejection.
fn error(message: String) -> JsValue {
    js_sys::Error::new(&message).into()
}

/// Reads `{ model, workload, fix, increments }`.
fn setup(options: &JsValue) -> Result<Setup, JsValue> {
    let fix = get_bool(options, "fix");
    let (model, workload) = (get_string(options, "model"), get_string(options, "workload"));
    Setup::parse(model.as_deref(), workload.as_deref(), fix, get_f64(options, "increments")).map_err(error)
}

mod game {
    //! The game under way, kept by the event loop between calls.
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use super::*;
    #[cfg(feature = "threads")]
    use crate::runner::scheduled::Pair;
    use crate::runner::scheduled_async::Tasks;
    use crate::scheduler::Kind;

    /// What performs the steps: two real threads, or two async tasks on the event loop.
    pub enum Real {
        /// Threads on shared memory.
        #[cfg(feature = "threads")]
        Threads(Pair),
        /// Tasks on the page's event loop.
        Async(Tasks),
    }

    impl Real {
        /// Ends the game's threads or tasks.
        fn quit(&mut self) {
            match self {
                #[cfg(feature = "threads")]
                Real::Threads(pair) => pair.quit(),
                Real::Async(tasks) => tasks.quit(),
            }
        }

        fn counter(&self) -> u64 {
            match self {
                #[cfg(feature = "threads")]
                Real::Threads(pair) => pair.counter(),
                Real::Async(tasks) => tasks.counter(),
            }
        }

        fn cycle(&self) -> Option<String> {
            match self {
                #[cfg(feature = "threads")]
                Real::Threads(pair) => pair.cycle(),
                Real::Async(tasks) => tasks.cycle(),
            }
        }
    }

    /// A game: the step machine and what performs its steps.
    pub struct Game {
        pub machine: Machine,
        pub real: Real,
    }

    impl Drop for Game {
        fn drop(&mut self) {
            self.real.quit();
        }
    }

    thread_local! {
        /// The game between steps; out of here while a step is under way.
        pub static GAME: RefCell<Option<Game>> = const { RefCell::new(None) };
        /// Counts starts and stops: a step that finds it changed drops its game.
        pub static EPOCH: Cell<u32> = const { Cell::new(0) };
        /// Whether a step is under way.
        pub static BUSY: Cell<bool> = const { Cell::new(false) };
        /// What ends the threads of a game a step has taken out, for `stop()` meanwhile.
        pub static QUIT: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
    }

    /// Ends the game under way, if any: its threads leave their loops, its tasks end.
    pub fn end() -> bool {
        EPOCH.set(EPOCH.get() + 1);
        let quit = QUIT.take();
        if let Some(q) = &quit {
            q();
        }
        GAME.take().is_some() || quit.is_some()
    }

    /// Starts what performs the steps of `machine`'s game.
    pub async fn real(machine: &Machine, no_threads: Option<String>) -> Result<Real, String> {
        if machine.setup.asynchronous {
            return Ok(Real::Async(Tasks::start([machine.program(0), machine.program(1)])));
        }
        #[cfg(feature = "threads")]
        {
            let _ = no_threads;
            Pair::start().await.map(Real::Threads)
        }
        #[cfg(not(feature = "threads"))]
        Err(crate::scheduler::result::unavailable(no_threads.as_deref()))
    }

    /// What ends the game's threads from `stop()` while a step holds the game.
    pub fn quitter(game: &Game) -> Option<Rc<dyn Fn()>> {
        match &game.real {
            #[cfg(feature = "threads")]
            Real::Threads(pair) => Some(Rc::new(pair.quitter())),
            // A task ends at its next await once the game is dropped.
            Real::Async(_) => None,
        }
    }

    /// One step of thread `t` (0 or 1): a thread takes one line; an async task runs to its next
    /// await. Then the other thread's take of a lock the step freed; the deadlock, if the step
    /// closed the cycle; the release of the threads or tasks once the game is over.
    pub async fn step(game: &mut Game, t: usize) -> Result<(), String> {
        let mut op = game.machine.choose(t)?;
        match &game.real {
            #[cfg(feature = "threads")]
            Real::Threads(_) => {}
            Real::Async(tasks) => tasks.resume(t),
        }
        loop {
            let done = match &mut game.real {
                #[cfg(feature = "threads")]
                Real::Threads(pair) => pair.step(t, op).await?,
                Real::Async(tasks) => tasks.done_of(t).await?,
            };
            if !op.answered_by(done) {
                let line = game.machine.line(op);
                return Err(format!("{} reported {done:?} for `{line}`", game.machine.name(t)));
            }
            #[cfg(feature = "threads")]
            if let (Some(other), Real::Threads(pair)) = (game.machine.apply(t, done), &mut game.real) {
                let took = pair.done_of(other).await?;
                game.machine.apply(other, took);
            }
            #[cfg(not(feature = "threads"))]
            game.machine.apply(t, done);
            if !game.machine.continues(t, done) {
                break;
            }
            op = game.machine.next(t)?;
        }
        if game.machine.stuck()
            && let Some(cycle) = game.real.cycle()
        {
            game.machine.deadlocked(cycle);
        }
        if game.machine.setup.kind == Kind::Counter {
            game.machine.shared = game.real.counter();
        }
        if game.machine.over() {
            game.real.quit();
        }
        Ok(())
    }
}

/// Starts a game: `{ model: "threads" | "async", workload: "counter" | "deadlock", fix,
/// increments }`; ends any game under way first. Resolves to its state once both threads are
/// parked (or both tasks spawned). `no_threads` is the page's reason why threads cannot share
/// its memory, if they cannot: a threads game is refused with it (an async game needs none).
#[wasm_bindgen(js_name = schedulerStart)]
pub async fn scheduler_start(options: JsValue, no_threads: Option<String>) -> Result<JsValue, JsValue> {
    let machine = Machine::new(setup(&options)?);
    game::end();
    let epoch = game::EPOCH.get();
    let real = game::real(&machine, no_threads).await.map_err(error)?;
    let g = game::Game { machine, real };
    if game::EPOCH.get() != epoch {
        return Err(error("The game was stopped before its threads were ready.".into()));
    }
    let state = crate::scheduler::view::state(&g.machine).to_js();
    game::GAME.set(Some(g));
    Ok(state)
}

/// Thread 1 or 2 takes its next step (`"random"` or nothing: one of the threads offered, at
/// random). Resolves to the game's state; rejects, naming why, for a step not offered.
#[wasm_bindgen(js_name = schedulerStep)]
pub async fn scheduler_step(thread: JsValue) -> Result<JsValue, JsValue> {
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
    game::QUIT.set(game::quitter(&g));
    let stepped = game::step(&mut g, t).await;
    game::BUSY.set(false);
    game::QUIT.take();
    if game::EPOCH.get() != epoch {
        return Err(error("The game was stopped.".into()));
    }
    let state = crate::scheduler::view::state(&g.machine).to_js();
    if let Err(e) = stepped {
        return Err(error(format!("The game ended: {e}.")));
    }
    game::GAME.set(Some(g));
    Ok(state)
}

/// The thread a step names: 1 or 2, or one of the offered threads at random.
fn which(thread: &JsValue, m: &Machine) -> Result<usize, String> {
    if let Some(n) = thread.as_f64() {
        return if n == 1.0 || n == 2.0 {
            Ok(n as usize - 1)
        } else {
            Err(format!("thread: the scheduler has threads 1 and 2, not {}.", Shortest(n)))
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
    game::GAME.with_borrow(|g| {
        g.as_ref().map_or(JsValue::NULL, |g| crate::scheduler::view::state(&g.machine).to_js())
    })
}

/// Ends the game under way and releases its threads or tasks; whether there was one.
#[wasm_bindgen(js_name = schedulerStop)]
pub fn scheduler_stop() -> bool {
    game::end()
}
