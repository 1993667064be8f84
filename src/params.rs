//! The parameter model: what a run is asked to do, and the checks that refuse bad input.
//!
//! Pure Rust with no browser types, so it is tested natively (`cargo test --lib`) as well as in
//! the browser. Every refusal names the field and the allowed range, because the page shows the
//! message next to the field and `run()` rejects with it (issue #2, point 6).

use std::fmt;

/// Most tasks any model accepts.
pub const MAX_TASKS: u32 = 1_000_000;
/// Longest delay of one task, in ms.
pub const MAX_DELAY_MS: u32 = 60_000;
/// Longest ideal elapsed time of a threads or sequential run (5 minutes): a learner waiting longer
/// has asked for something else (a sequential 1,000 x 60 s run would take 17 hours).
pub const MAX_RUN_MS: u64 = 300_000;
/// Longest a run may keep the page's event loop busy (CPU work or a blocking wait on the event
/// loop freezes the page while it runs, issue #3).
pub const MAX_BUSY_MS: u64 = 5_000;
/// Most tasks with `timers: "per-task"`: each costs a JS closure and a browser timer (about 4 us
/// and 200 bytes); a million would take about 11 s to set up (issue #5).
pub const MAX_PER_TASK_TIMERS: u32 = 100_000;
/// Most tasks of a fetch run: each is a real HTTP request.
pub const MAX_FETCH_TASKS: u32 = 1_000;
/// Requests a browser keeps open to one HTTP/1.1 server at once (Chromium and Firefox: 6); more
/// wait in the browser's queue, whatever the model.
pub const CONNECTIONS_PER_HOST: u32 = 6;
/// The pool the threaded build starts, at least this many threads whatever the core count, so
/// "one thread per task" can be shown for up to 16 tasks on any machine.
pub const MIN_POOL_THREADS: u32 = 16;
/// Most processes (workers with a wasm instance of their own) the processes model starts.
pub const MAX_PROCESSES: u32 = 16;

/// A concurrency model: how the same tasks are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Futures on the page's event loop; every task awaits at once.
    Async,
    /// A pool of Web Worker threads; each task blocks its thread.
    Threads,
    /// One task after another on the event loop.
    Sequential,
    /// Workers with a wasm instance and memory each, nothing shared: like `multiprocessing`.
    Processes,
}

impl Model {
    /// The models "run all" runs, in order: the classic comparison.
    pub const ALL: [Model; 3] = [Model::Async, Model::Threads, Model::Sequential];
    /// Every model.
    pub const EVERY: [Model; 4] = [Model::Async, Model::Threads, Model::Sequential, Model::Processes];

    /// The name used in URLs, the API and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Model::Async => "async",
            Model::Threads => "threads",
            Model::Sequential => "sequential",
            Model::Processes => "processes",
        }
    }

    /// Parses a model name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Model> {
        Model::EVERY.into_iter().find(|m| m.name() == s.trim())
    }
}

/// How the async model waits (issue #5): both are real futures on the event loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Timers {
    /// The playground's own executor: futures polled from one array, woken together by a deadline
    /// queue in Rust that one browser timer drives. Scales to a million tasks.
    #[default]
    Wheel,
    /// One `gloo-timers` browser timeout per task, polled by `join_all`: the simple way, and the
    /// one whose cost grows with every task (a JS closure and a browser timer each).
    PerTask,
}

impl Timers {
    /// The name used in URLs, the API and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Timers::Wheel => "wheel",
            Timers::PerTask => "per-task",
        }
    }
}

/// What each task does (issue #3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Workload {
    /// Waits `delay` ms: a timer, standing in for I/O.
    #[default]
    Sleep,
    /// A real HTTP request to the page's own server, answered after `delay` ms.
    Fetch,
    /// `delay` ms worth of real computation (calibrated on this device).
    Cpu,
}

impl Workload {
    /// The name used in URLs, the API and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Sleep => "sleep",
            Workload::Fetch => "fetch",
            Workload::Cpu => "cpu",
        }
    }
}

/// How the failing task fails, and what the async model does about it (issue #3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailMode {
    /// The task returns an error. Async: like `join_all` (or `asyncio.gather(
    /// return_exceptions=True)`): the others finish, and the error is reported with the results.
    #[default]
    JoinAll,
    /// The task returns an error. Async: like `try_join_all` (or a `TaskGroup`): the first error
    /// ends the run; the other tasks are dropped, which cancels them.
    TryJoinAll,
    /// Threads only: the task panics. With `panic = "abort"` on wasm that kills its worker thread
    /// for good, as a crash would; the run notices the silence and ends with an error (issue #6).
    Panic,
}

impl FailMode {
    /// The name used in URLs, the API and on screen.
    pub fn name(self) -> &'static str {
        match self {
            FailMode::JoinAll => "join_all",
            FailMode::TryJoinAll => "try_join_all",
            FailMode::Panic => "panic",
        }
    }
}

/// A raw value as it arrives from a URL, a form field or a `run()` argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Raw<'a> {
    /// Not given (undefined or null).
    Missing,
    /// A JS number (may be NaN, infinite or fractional).
    Number(f64),
    /// A string, as typed or as in a URL.
    Text(&'a str),
    /// A JS boolean.
    Bool(bool),
    /// Anything else (an object...).
    Other,
}

/// One refused field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in URLs and the form: `model`, `tasks`, `delay`, `threads`,
    /// `timers`, `workload`, `gil`, `blocking`, `fail` or `failMode`.
    pub field: &'static str,
    /// A sentence naming the field and the allowed range.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A run request as it arrives: every field raw, checked by [`check`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request<'a> {
    /// `async`, `threads`, `sequential` or `all`.
    pub model: Raw<'a>,
    /// How many tasks.
    pub tasks: Raw<'a>,
    /// Ms each task waits (`delayMs` in the JS API, `delay` in URLs and the form).
    pub delay: Raw<'a>,
    /// Threads for the threads model.
    pub threads: Raw<'a>,
    /// `wheel` or `per-task`, for the async model; optional.
    pub timers: Raw<'a>,
    /// `sleep`, `fetch` or `cpu`; optional.
    pub workload: Raw<'a>,
    /// Whether threads share a simulated GIL; optional.
    pub gil: Raw<'a>,
    /// Whether async tasks block instead of awaiting (the classic mistake); optional.
    pub blocking: Raw<'a>,
    /// The id of a task that fails; optional.
    pub fail: Raw<'a>,
    /// `join_all` or `try_join_all`; optional.
    pub fail_mode: Raw<'a>,
}

impl Default for Request<'_> {
    fn default() -> Self {
        Request {
            model: Raw::Text("async"),
            tasks: Raw::Missing,
            delay: Raw::Missing,
            threads: Raw::Missing,
            timers: Raw::Missing,
            workload: Raw::Missing,
            gil: Raw::Missing,
            blocking: Raw::Missing,
            fail: Raw::Missing,
            fail_mode: Raw::Missing,
        }
    }
}

/// A checked run request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The model to run.
    pub model: Model,
    /// How many tasks, at least 1.
    pub tasks: u32,
    /// How long each task waits (or computes), in ms.
    pub delay_ms: u32,
    /// Threads that run tasks at once: the pool's share for the threads model, 1 otherwise.
    pub threads: u32,
    /// How async tasks wait.
    pub timers: Timers,
    /// What each task does.
    pub workload: Workload,
    /// Threads share a simulated GIL (threads model only).
    pub gil: bool,
    /// Async tasks block the event loop instead of awaiting (async model only).
    pub blocking: bool,
    /// The task that fails, if any.
    pub fail: Option<u32>,
    /// What the async model does when a task fails.
    pub fail_mode: FailMode,
}

impl Params {
    /// A plain sleep run: the defaults for every option.
    pub fn new(model: Model, tasks: u32, delay_ms: u32, threads: u32) -> Params {
        Params {
            model,
            tasks,
            delay_ms,
            threads,
            timers: Timers::default(),
            workload: Workload::default(),
            gil: false,
            blocking: false,
            fail: None,
            fail_mode: FailMode::default(),
        }
    }

    /// Whether the run keeps the page's event loop busy while tasks run.
    pub fn busies_event_loop(&self) -> bool {
        match self.model {
            Model::Async => self.blocking || self.workload == Workload::Cpu,
            Model::Sequential => self.workload == Workload::Cpu,
            Model::Threads | Model::Processes => false,
        }
    }
}

/// What the running engine can do, which bounds some fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Threads in the started pool; 0 when threads are unavailable.
    pub pool_size: u32,
    /// Logical cores (`navigator.hardwareConcurrency`), for ideal CPU times.
    pub cores: u32,
    /// Whether the page's server answers latency requests (the fetch workload).
    pub fetch: bool,
}

/// Formats 1000000 as "1,000,000" for messages.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Shows a refused value in a message: quoted, shortened, and never longer than 24 characters,
/// so a pasted essay or markup does not flood the page (the page writes it as text, not HTML).
fn shown(raw: Raw) -> String {
    match raw {
        Raw::Missing => "nothing".into(),
        Raw::Number(n) => {
            let plain = format!("{n}");
            if plain.len() <= 24 { plain } else { format!("{n:.3e}") }
        }
        Raw::Text(s) if s.trim().is_empty() => "an empty value".into(),
        Raw::Text(s) => {
            let short: String = s.chars().take(24).collect();
            let more = if s.chars().count() > 24 { "…" } else { "" };
            format!("\"{short}{more}\"")
        }
        Raw::Bool(b) => format!("{b}"),
        Raw::Other => "a value that is not a number".into(),
    }
}

/// Parses a whole number in `min..=max`. Text must be plain decimal digits (spaces around are
/// trimmed); numbers must be finite and whole. `what` describes the field in the message.
pub fn whole(field: &'static str, what: &str, raw: Raw, min: u32, max: u32) -> Result<u32, FieldError> {
    let refuse = || FieldError {
        field,
        message: format!(
            "{what} must be a whole number from {} to {}; got {}.",
            group(min.into()),
            group(max.into()),
            shown(raw)
        ),
    };
    let value: u64 = match raw {
        Raw::Number(n) if n.is_finite() && n.fract() == 0.0 && n >= 0.0 && n <= u64::MAX as f64 => n as u64,
        Raw::Text(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse());
            }
            s.parse().map_err(|_| refuse())?
        }
        _ => return Err(refuse()),
    };
    if value < min.into() || value > max.into() {
        return Err(refuse());
    }
    Ok(value as u32)
}

/// Parses the model field. `all` is not a model the engine runs but a request to run every model;
/// the page and the API accept it and run [`Model::ALL`] one after another.
pub fn model(raw: Raw) -> Result<Option<Model>, FieldError> {
    match raw {
        Raw::Text(s) if s.trim() == "all" => Ok(None),
        Raw::Text(s) => Model::parse(s).map(Some).ok_or(()),
        _ => Err(()),
    }
    .map_err(|()| FieldError {
        field: "model",
        message: format!(
            "model must be one of async, threads, sequential, processes or all; got {}.",
            shown(raw)
        ),
    })
}

/// Parses the timers field; missing means the default.
pub fn timers(raw: Raw) -> Result<Timers, FieldError> {
    match raw {
        Raw::Missing => Ok(Timers::default()),
        Raw::Text(s) if s.trim() == "wheel" => Ok(Timers::Wheel),
        Raw::Text(s) if s.trim() == "per-task" => Ok(Timers::PerTask),
        _ => Err(FieldError {
            field: "timers",
            message: format!("timers must be wheel or per-task; got {}.", shown(raw)),
        }),
    }
}

/// Parses a choice among `names` (missing means `default`).
fn choice<T: Copy>(
    field: &'static str,
    raw: Raw,
    default: T,
    options: &[(&str, T)],
) -> Result<T, FieldError> {
    if raw == Raw::Missing {
        return Ok(default);
    }
    if let Raw::Text(s) = raw
        && let Some((_, v)) = options.iter().find(|(n, _)| *n == s.trim())
    {
        return Ok(*v);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    };
    Err(FieldError { field, message: format!("{field} must be {list}; got {}.", shown(raw)) })
}

/// Parses a switch: 0/1, true/false (as booleans, numbers or text); missing means off.
pub fn switch(field: &'static str, raw: Raw) -> Result<bool, FieldError> {
    match raw {
        Raw::Missing => Ok(false),
        Raw::Bool(b) => Ok(b),
        Raw::Number(n) if n == 0.0 || n == 1.0 => Ok(n == 1.0),
        Raw::Text(s) if matches!(s.trim(), "0" | "false" | "") => Ok(false),
        Raw::Text(s) if matches!(s.trim(), "1" | "true") => Ok(true),
        _ => Err(FieldError { field, message: format!("{field} must be 0 or 1; got {}.", shown(raw)) }),
    }
}

/// Parses the workload field.
pub fn workload(raw: Raw) -> Result<Workload, FieldError> {
    choice(
        "workload",
        raw,
        Workload::Sleep,
        &[("sleep", Workload::Sleep), ("fetch", Workload::Fetch), ("cpu", Workload::Cpu)],
    )
}

/// Parses the failMode field.
pub fn fail_mode(raw: Raw) -> Result<FailMode, FieldError> {
    choice(
        "failMode",
        raw,
        FailMode::JoinAll,
        &[
            ("join_all", FailMode::JoinAll),
            ("try_join_all", FailMode::TryJoinAll),
            ("panic", FailMode::Panic),
        ],
    )
}

/// Checks a full request; `model: "all"` means every model in turn, and the checks of every
/// model apply. Returns every refused field at once, so the form can mark them all.
pub fn check(req: &Request, limits: Limits) -> Result<Vec<Params>, Vec<FieldError>> {
    let model = model(req.model).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    macro_rules! keep {
        ($e:expr) => {
            $e.map_err(|e| errors.push(e)).ok()
        };
    }
    let models: Vec<Model> = match model {
        Some(m) => vec![m],
        None => Model::ALL.to_vec(),
    };
    let wants_threads = models.contains(&Model::Threads);

    let tasks = keep!(whole("tasks", "tasks", req.tasks, 1, MAX_TASKS));
    let delay = keep!(whole("delay", "delay (ms)", req.delay, 0, MAX_DELAY_MS));
    let threads = if !wants_threads {
        Some(1)
    } else if limits.pool_size == 0 {
        if model.is_some() {
            errors.push(FieldError {
                field: "threads",
                message: "threads are unavailable on this page (it is not cross-origin isolated).".into(),
            });
        }
        None
    } else {
        keep!(whole("threads", "threads", req.threads, 1, limits.pool_size))
    };
    // For the processes model the threads field says how many processes.
    let processes = if models.contains(&Model::Processes) {
        keep!(whole("threads", "threads (processes)", req.threads, 1, MAX_PROCESSES))
    } else {
        Some(1)
    };
    let timers = keep!(timers(req.timers));
    let workload = keep!(workload(req.workload));
    if workload == Some(Workload::Fetch) && !limits.fetch {
        errors.push(FieldError {
            field: "workload",
            message: "workload fetch is unavailable: this page's server does not answer latency \
                      requests (a plain static host). Use ./build.sh serve."
                .into(),
        });
    }
    let gil = keep!(switch("gil", req.gil));
    let blocking = keep!(switch("blocking", req.blocking));
    if blocking == Some(true) && workload.is_some_and(|w| w != Workload::Sleep) {
        errors.push(FieldError {
            field: "blocking",
            message: "blocking=1 applies to the sleep workload (CPU work blocks anyway, and a blocking \
                      request on the page's main thread is deprecated in browsers)."
                .into(),
        });
    }
    let fail_mode = keep!(fail_mode(req.fail_mode));
    if fail_mode == Some(FailMode::Panic) && models.iter().any(|&m| m != Model::Threads) {
        errors.push(FieldError {
            field: "failMode",
            message: "failMode panic applies to the threads model only: a panic aborts its thread, and \
                      on the page's own thread that would be the whole engine."
                .into(),
        });
    }
    let fail = match req.fail {
        Raw::Missing => Some(None),
        Raw::Text(s) if s.trim().is_empty() => Some(None),
        raw => {
            let last = tasks.map_or(MAX_TASKS, |t| t) - 1;
            keep!(whole("fail", "fail (a task id)", raw, 0, last)).map(Some)
        }
    };

    if let (Some(tasks), Some(delay_ms), Some(workload), Some(blocking)) = (tasks, delay, workload, blocking)
    {
        if timers == Some(Timers::PerTask)
            && models.contains(&Model::Async)
            && workload == Workload::Sleep
            && tasks > MAX_PER_TASK_TIMERS
        {
            errors.push(FieldError {
                field: "tasks",
                message: format!(
                    "tasks: with timers per-task each task costs a browser timer and a JS closure, so at \
                     most {}; got {}. The wheel executor takes up to 1,000,000.",
                    group(MAX_PER_TASK_TIMERS.into()),
                    group(tasks.into())
                ),
            });
        }
        if workload == Workload::Fetch && tasks > MAX_FETCH_TASKS {
            errors.push(FieldError {
                field: "tasks",
                message: format!(
                    "tasks: a fetch run makes a real request per task, at most {}; got {}.",
                    group(MAX_FETCH_TASKS.into()),
                    group(tasks.into())
                ),
            });
        }
        // Caps that depend on several fields: a run that would take hours, or freeze the page
        // for long, is refused before it starts, with the figure.
        for &m in &models {
            let threads = match (m, threads, processes) {
                (Model::Threads, Some(t), _) | (Model::Processes, _, Some(t)) => t,
                (Model::Threads | Model::Processes, _, _) => continue,
                _ => 1,
            };
            let p = Params {
                workload,
                blocking,
                gil: gil.unwrap_or(false),
                ..Params::new(m, tasks, delay_ms, threads)
            };
            let busy = u64::from(tasks) * u64::from(delay_ms);
            if p.busies_event_loop() && busy > MAX_BUSY_MS {
                errors.push(FieldError {
                    field: "tasks",
                    message: format!(
                        "tasks: this {} run keeps the page's event loop busy (the page freezes), so \
                         tasks × delay may be at most {} ms; got {} ms.",
                        m.name(),
                        group(MAX_BUSY_MS),
                        group(busy)
                    ),
                });
                break;
            }
            let ideal = ideal_ms(&p, limits);
            if m != Model::Async && ideal > MAX_RUN_MS as f64 {
                errors.push(FieldError {
                    field: "tasks",
                    message: format!(
                        "tasks: a {} run may take at most {} ms (5 minutes); this one would take {} ms. \
                         Lower tasks or delay.",
                        m.name(),
                        group(MAX_RUN_MS),
                        group(ideal as u64)
                    ),
                });
                break;
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let base = Params {
        timers: timers.unwrap_or_default(),
        workload: workload.unwrap_or_default(),
        gil: gil.unwrap_or(false),
        blocking: blocking.unwrap_or(false),
        fail: fail.flatten(),
        fail_mode: fail_mode.unwrap_or_default(),
        ..Params::new(Model::Async, tasks.unwrap_or(1), delay.unwrap_or(0), 1)
    };
    Ok(models
        .into_iter()
        .filter_map(|model| {
            let threads = match model {
                Model::Threads => threads.filter(|_| limits.pool_size > 0)?,
                Model::Processes => processes?,
                _ => 1,
            };
            Some(Params { model, threads, ..base })
        })
        .collect())
}

/// The ideal elapsed time, in ms: the physical limit of the run with perfect machinery.
/// - Waiting (sleep): async one delay; threads ceil(tasks / threads) delays; sequential tasks ×
///   delay; async tasks that block instead of awaiting, tasks × delay.
/// - Fetch: as waiting, but the browser keeps at most [`CONNECTIONS_PER_HOST`] requests open.
/// - CPU: one event loop computes one task at a time (tasks × delay); threads share the cores:
///   ceil(tasks / threads) rounds, and no faster than the total work over the cores; with the
///   GIL, one thread computes at a time (tasks × delay).
pub fn ideal_ms(p: &Params, limits: Limits) -> f64 {
    let (n, d) = (f64::from(p.tasks), f64::from(p.delay_ms));
    let rounds = |width: u32| f64::from(p.tasks.div_ceil(width.max(1))) * d;
    match (p.model, p.workload) {
        (Model::Sequential, _) => n * d,
        (Model::Async, _) if p.blocking => n * d,
        (Model::Async, Workload::Sleep) => d,
        (Model::Async, Workload::Fetch) => rounds(CONNECTIONS_PER_HOST),
        (Model::Async, Workload::Cpu) => n * d,
        (Model::Threads, Workload::Sleep) => rounds(p.threads),
        (Model::Threads, Workload::Fetch) => rounds(p.threads.min(CONNECTIONS_PER_HOST)),
        (Model::Threads, Workload::Cpu) if p.gil => n * d,
        (Model::Threads | Model::Processes, Workload::Cpu) => {
            rounds(p.threads).max(n * d / f64::from(limits.cores.max(1)))
        }
        (Model::Processes, Workload::Sleep) => rounds(p.threads),
        (Model::Processes, Workload::Fetch) => rounds(p.threads.min(CONNECTIONS_PER_HOST)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: Limits = Limits { pool_size: 16, cores: 2, fetch: true };

    fn req<'a>(model: &'a str, tasks: Raw<'a>, delay: Raw<'a>, threads: Raw<'a>) -> Request<'a> {
        Request { model: Raw::Text(model), tasks, delay, threads, ..Request::default() }
    }

    fn one(model: Model, tasks: Raw, delay: Raw, threads: Raw) -> Result<Params, Vec<FieldError>> {
        check(&req(model.name(), tasks, delay, threads), POOL).map(|v| v[0])
    }

    #[test]
    fn accepts_numbers_and_digit_strings() {
        let p = one(Model::Threads, Raw::Text(" 3 "), Raw::Number(1000.0), Raw::Text("3")).unwrap();
        assert_eq!(p, Params::new(Model::Threads, 3, 1000, 3));
    }

    #[test]
    fn refuses_bad_tasks_naming_field_and_range() {
        for bad in [
            Raw::Text(""),
            Raw::Text("0"),
            Raw::Text("1.5"),
            Raw::Text("-1"),
            Raw::Text("abc"),
            Raw::Text("1e3"),
            Raw::Text("1000001"),
            Raw::Text("99999999999999999999999"),
            Raw::Number(f64::NAN),
            Raw::Number(f64::INFINITY),
            Raw::Number(2.5),
            Raw::Number(-3.0),
            Raw::Missing,
            Raw::Other,
        ] {
            let errs = one(Model::Async, bad, Raw::Number(10.0), Raw::Missing).unwrap_err();
            assert_eq!(errs.len(), 1, "{bad:?}");
            assert_eq!(errs[0].field, "tasks");
            assert!(errs[0].message.contains("from 1 to 1,000,000"), "{}", errs[0].message);
        }
    }

    #[test]
    fn refuses_bad_delay_and_threads_together() {
        let errs =
            one(Model::Threads, Raw::Number(3.0), Raw::Number(60_001.0), Raw::Number(17.0)).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["delay", "threads"]);
        assert!(errs[0].message.contains("from 0 to 60,000"));
        assert!(errs[1].message.contains("from 1 to 16"));
    }

    #[test]
    fn threads_field_only_matters_to_the_threads_model() {
        let p = one(Model::Async, Raw::Number(3.0), Raw::Number(5.0), Raw::Text("junk")).unwrap();
        assert_eq!(p.threads, 1);
    }

    #[test]
    fn threads_unavailable_is_refused_for_threads_and_skipped_for_all() {
        let none = Limits { pool_size: 0, ..POOL };
        let (three, five, two) = (Raw::Number(3.0), Raw::Number(5.0), Raw::Number(2.0));
        let e = check(&req("threads", three, five, two), none).unwrap_err();
        assert_eq!(e[0].field, "threads");
        let all = check(&req("all", three, five, two), none).unwrap();
        let models: Vec<_> = all.iter().map(|p| p.model).collect();
        assert_eq!(models, [Model::Async, Model::Sequential]);
    }

    #[test]
    fn long_runs_are_refused_with_the_figure() {
        let e = one(Model::Sequential, Raw::Number(1000.0), Raw::Number(60_000.0), Raw::Missing).unwrap_err();
        assert_eq!(e[0].field, "tasks");
        assert!(e[0].message.contains("60,000,000 ms"), "{}", e[0].message);
        // The same tasks overlap under async: allowed.
        assert!(one(Model::Async, Raw::Number(1000.0), Raw::Number(60_000.0), Raw::Missing).is_ok());
        // A million async tasks are allowed.
        assert!(one(Model::Async, Raw::Number(1e6), Raw::Number(1000.0), Raw::Missing).is_ok());
    }

    #[test]
    fn model_names() {
        assert_eq!(model(Raw::Text("threads")), Ok(Some(Model::Threads)));
        assert_eq!(model(Raw::Text("processes")), Ok(Some(Model::Processes)));
        assert_eq!(model(Raw::Text("all")), Ok(None));
        let e = model(Raw::Text("<b>x</b>")).unwrap_err();
        assert!(e.message.contains("async, threads, sequential, processes or all"));
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(10_000);
        let e = one(Model::Async, Raw::Text(&long), Raw::Number(1.0), Raw::Missing).unwrap_err();
        assert!(e[0].message.len() < 120, "{}", e[0].message);
    }

    #[test]
    fn timers_default_to_the_wheel_and_refuse_others() {
        let r = Request {
            timers: Raw::Text("per-task"),
            ..req("async", Raw::Number(3.0), Raw::Number(5.0), Raw::Missing)
        };
        assert_eq!(check(&r, POOL).unwrap()[0].timers, Timers::PerTask);
        let r = Request { timers: Raw::Text("fast"), ..r };
        let e = check(&r, POOL).unwrap_err();
        assert_eq!(e[0].field, "timers");
        assert!(e[0].message.contains("wheel or per-task"));
    }

    #[test]
    fn ideal_times() {
        let ideal = |p: Params| ideal_ms(&p, POOL);
        assert_eq!(ideal(Params::new(Model::Async, 3, 1000, 1)), 1000.0);
        assert_eq!(ideal(Params::new(Model::Threads, 16, 200, 2)), 1600.0);
        assert_eq!(ideal(Params::new(Model::Threads, 3, 1000, 16)), 1000.0);
        assert_eq!(ideal(Params::new(Model::Sequential, 3, 1000, 1)), 3000.0);
        let cpu = |m, t| Params { workload: Workload::Cpu, ..Params::new(m, 4, 100, t) };
        assert_eq!(ideal(cpu(Model::Async, 1)), 400.0);
        // Two cores: four 100 ms tasks on two threads take two rounds.
        assert_eq!(ideal(cpu(Model::Threads, 2)), 200.0);
        // Four threads on two cores cannot beat the total work over the cores.
        assert_eq!(ideal(cpu(Model::Threads, 4)), 200.0);
        assert_eq!(ideal(Params { gil: true, ..cpu(Model::Threads, 4) }), 400.0);
        let fetch = |m, t| Params { workload: Workload::Fetch, ..Params::new(m, 12, 100, t) };
        assert_eq!(ideal(fetch(Model::Async, 1)), 200.0, "six connections per host");
        assert_eq!(ideal(fetch(Model::Threads, 3)), 400.0);
        assert_eq!(ideal(Params { blocking: true, ..Params::new(Model::Async, 3, 100, 1) }), 300.0);
    }

    fn with<'a>(base: Request<'a>, f: impl FnOnce(&mut Request<'a>)) -> Request<'a> {
        let mut r = base;
        f(&mut r);
        r
    }

    #[test]
    fn workload_gil_blocking_fail_options() {
        let base = req("threads", Raw::Number(4.0), Raw::Number(50.0), Raw::Number(2.0));
        let r = with(base, |r| {
            r.workload = Raw::Text("cpu");
            r.gil = Raw::Text("1");
            r.fail = Raw::Number(3.0);
            r.fail_mode = Raw::Text("try_join_all");
        });
        let p = check(&r, POOL).unwrap()[0];
        assert_eq!(
            (p.workload, p.gil, p.fail, p.fail_mode),
            (Workload::Cpu, true, Some(3), FailMode::TryJoinAll)
        );
        assert_eq!(check(&base, POOL).unwrap()[0].fail, None);
        for (field, r) in [
            ("workload", with(base, |r| r.workload = Raw::Text("disk"))),
            ("gil", with(base, |r| r.gil = Raw::Text("yes"))),
            ("blocking", with(base, |r| r.blocking = Raw::Number(2.0))),
            ("fail", with(base, |r| r.fail = Raw::Number(4.0))),
            ("failMode", with(base, |r| r.fail_mode = Raw::Text("gather"))),
        ] {
            let e = check(&r, POOL).unwrap_err();
            assert_eq!(e[0].field, field, "{e:?}");
        }
        let e = check(&with(base, |r| r.fail = Raw::Number(9.0)), POOL).unwrap_err();
        assert!(e[0].message.contains("from 0 to 3"), "{}", e[0].message);
        let e = check(&with(base, |r| r.workload = Raw::Text("disk")), POOL).unwrap_err();
        assert!(e[0].message.contains("sleep, fetch or cpu"), "{}", e[0].message);
    }

    #[test]
    fn busy_event_loop_and_fetch_caps() {
        let r = with(req("async", Raw::Number(10.0), Raw::Number(1000.0), Raw::Missing), |r| {
            r.blocking = Raw::Bool(true)
        });
        let e = check(&r, POOL).unwrap_err();
        assert!(e[0].message.contains("at most 5,000 ms; got 10,000 ms"), "{}", e[0].message);
        // The same blocking tasks are fine on threads, where blocking is what threads do.
        assert!(
            check(&Request { model: Raw::Text("threads"), threads: Raw::Number(2.0), ..r }, POOL).is_ok()
        );
        let r = with(req("async", Raw::Number(1001.0), Raw::Number(10.0), Raw::Missing), |r| {
            r.workload = Raw::Text("fetch")
        });
        assert_eq!(check(&r, POOL).unwrap_err()[0].field, "tasks");
        let no_fetch = Limits { fetch: false, ..POOL };
        let r = with(req("async", Raw::Number(3.0), Raw::Number(10.0), Raw::Missing), |r| {
            r.workload = Raw::Text("fetch")
        });
        assert_eq!(check(&r, no_fetch).unwrap_err()[0].field, "workload");
    }

    #[test]
    fn processes_count_comes_from_the_threads_field_without_a_pool() {
        let none = Limits { pool_size: 0, ..POOL };
        let r = req("processes", Raw::Number(4.0), Raw::Number(10.0), Raw::Number(3.0));
        assert_eq!(check(&r, none).unwrap()[0].threads, 3);
        let e = check(&Request { threads: Raw::Number(17.0), ..r }, none).unwrap_err();
        assert!(e[0].message.contains("threads (processes) must be a whole number from 1 to 16"));
        let cpu = Params { workload: Workload::Cpu, ..Params::new(Model::Processes, 4, 100, 2) };
        assert_eq!(ideal_ms(&cpu, POOL), 200.0);
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1_000_000), "1,000,000");
    }
}
