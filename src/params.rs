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
/// The pool the threaded build starts, at least this many threads whatever the core count, so
/// "one thread per task" can be shown for up to 16 tasks on any machine.
pub const MIN_POOL_THREADS: u32 = 16;

/// A concurrency model: how the same tasks are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Futures on the page's event loop; every task awaits at once.
    Async,
    /// A pool of Web Worker threads; each task blocks its thread.
    Threads,
    /// One task after another on the event loop.
    Sequential,
}

impl Model {
    /// Every model, in the order "run all" runs them.
    pub const ALL: [Model; 3] = [Model::Async, Model::Threads, Model::Sequential];

    /// The name used in URLs, the API and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Model::Async => "async",
            Model::Threads => "threads",
            Model::Sequential => "sequential",
        }
    }

    /// Parses a model name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.name() == s.trim())
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

/// A raw value as it arrives from a URL, a form field or a `run()` argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Raw<'a> {
    /// Not given (undefined or null).
    Missing,
    /// A JS number (may be NaN, infinite or fractional).
    Number(f64),
    /// A string, as typed or as in a URL.
    Text(&'a str),
    /// Anything else (an object, a boolean...).
    Other,
}

/// One refused field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name: `model`, `tasks`, `delay` or `threads`.
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
}

impl Default for Request<'_> {
    fn default() -> Self {
        Request {
            model: Raw::Text("async"),
            tasks: Raw::Missing,
            delay: Raw::Missing,
            threads: Raw::Missing,
            timers: Raw::Missing,
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
    /// How long each task waits, in ms.
    pub delay_ms: u32,
    /// Threads that run tasks at once: the pool's share for the threads model, 1 otherwise.
    pub threads: u32,
    /// How async tasks wait.
    pub timers: Timers,
}

/// What the running engine can do, which bounds the `threads` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Threads in the started pool; 0 when threads are unavailable.
    pub pool_size: u32,
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
        Raw::Number(n) => format!("{n}"),
        Raw::Text(s) if s.trim().is_empty() => "an empty value".into(),
        Raw::Text(s) => {
            let short: String = s.chars().take(24).collect();
            let more = if s.chars().count() > 24 { "…" } else { "" };
            format!("\"{short}{more}\"")
        }
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
            "model must be one of async, threads, sequential or all; got {}.",
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

/// Checks a full request; `model: "all"` means every model in turn, and the checks of every
/// model apply. Returns every refused field at once, so the form can mark them all.
pub fn check(req: &Request, limits: Limits) -> Result<Vec<Params>, Vec<FieldError>> {
    let model = model(req.model).map_err(|e| vec![e])?;
    let (tasks, delay, threads) = (req.tasks, req.delay, req.threads);
    let mut errors = Vec::new();
    let timers = timers(req.timers).map_err(|e| errors.push(e)).ok();
    let models: Vec<Model> = match model {
        Some(m) => vec![m],
        None => Model::ALL.to_vec(),
    };
    let wants_threads = models.contains(&Model::Threads);

    let tasks = whole("tasks", "tasks", tasks, 1, MAX_TASKS)
        .map_err(|e| errors.push(e))
        .ok();
    let delay = whole("delay", "delay (ms)", delay, 0, MAX_DELAY_MS)
        .map_err(|e| errors.push(e))
        .ok();
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
        whole("threads", "threads", threads, 1, limits.pool_size)
            .map_err(|e| errors.push(e))
            .ok()
    };

    // Caps that depend on two fields: a run that would take hours is refused before it starts.
    if let (Some(tasks), Some(delay)) = (tasks, delay) {
        for &m in &models {
            let t = match (m, threads) {
                (Model::Threads, Some(t)) => t,
                (Model::Threads, None) => continue,
                _ => 1,
            };
            let ideal = ideal_ms(m, tasks, delay, t);
            if m != Model::Async && ideal > MAX_RUN_MS as f64 {
                let how = if m == Model::Threads {
                    format!("ceil(tasks / threads) × delay = {} ms", group(ideal as u64))
                } else {
                    format!("tasks × delay = {} ms", group(ideal as u64))
                };
                errors.push(FieldError {
                    field: "tasks",
                    message: format!(
                        "tasks: a {} run may take at most {} ms (5 minutes); {how}. Lower tasks or delay.",
                        m.name(),
                        group(MAX_RUN_MS)
                    ),
                });
                break;
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let (tasks, delay_ms) = (tasks.unwrap_or(1), delay.unwrap_or(0));
    Ok(models
        .into_iter()
        .filter_map(|model| {
            let threads = match model {
                Model::Threads => threads.filter(|_| limits.pool_size > 0)?,
                _ => 1,
            };
            let timers = timers.unwrap_or_default();
            Some(Params {
                model,
                tasks,
                delay_ms,
                threads,
                timers,
            })
        })
        .collect())
}

/// The ideal elapsed time, in ms: the physical limit of the model with perfect machinery.
/// Async: one delay (all tasks wait at once). Threads: ceil(tasks / threads) delays (each thread
/// takes a task at a time). Sequential: tasks × delay.
pub fn ideal_ms(model: Model, tasks: u32, delay_ms: u32, threads: u32) -> f64 {
    let delay = f64::from(delay_ms);
    match model {
        Model::Async => delay,
        Model::Threads => f64::from(tasks.div_ceil(threads.max(1))) * delay,
        Model::Sequential => f64::from(tasks) * delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: Limits = Limits { pool_size: 16 };

    fn req<'a>(model: &'a str, tasks: Raw<'a>, delay: Raw<'a>, threads: Raw<'a>) -> Request<'a> {
        Request {
            model: Raw::Text(model),
            tasks,
            delay,
            threads,
            ..Request::default()
        }
    }

    fn one(model: Model, tasks: Raw, delay: Raw, threads: Raw) -> Result<Params, Vec<FieldError>> {
        check(&req(model.name(), tasks, delay, threads), POOL).map(|v| v[0])
    }

    #[test]
    fn accepts_numbers_and_digit_strings() {
        let p = one(
            Model::Threads,
            Raw::Text(" 3 "),
            Raw::Number(1000.0),
            Raw::Text("3"),
        )
        .unwrap();
        assert_eq!(
            p,
            Params {
                model: Model::Threads,
                tasks: 3,
                delay_ms: 1000,
                threads: 3,
                timers: Timers::Wheel
            }
        );
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
            assert!(
                errs[0].message.contains("from 1 to 1,000,000"),
                "{}",
                errs[0].message
            );
        }
    }

    #[test]
    fn refuses_bad_delay_and_threads_together() {
        let errs = one(
            Model::Threads,
            Raw::Number(3.0),
            Raw::Number(60_001.0),
            Raw::Number(17.0),
        )
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["delay", "threads"]);
        assert!(errs[0].message.contains("from 0 to 60,000"));
        assert!(errs[1].message.contains("from 1 to 16"));
    }

    #[test]
    fn threads_field_only_matters_to_the_threads_model() {
        let p = one(
            Model::Async,
            Raw::Number(3.0),
            Raw::Number(5.0),
            Raw::Text("junk"),
        )
        .unwrap();
        assert_eq!(p.threads, 1);
    }

    #[test]
    fn threads_unavailable_is_refused_for_threads_and_skipped_for_all() {
        let none = Limits { pool_size: 0 };
        let (three, five, two) = (Raw::Number(3.0), Raw::Number(5.0), Raw::Number(2.0));
        let e = check(&req("threads", three, five, two), none).unwrap_err();
        assert_eq!(e[0].field, "threads");
        let all = check(&req("all", three, five, two), none).unwrap();
        let models: Vec<_> = all.iter().map(|p| p.model).collect();
        assert_eq!(models, [Model::Async, Model::Sequential]);
    }

    #[test]
    fn long_runs_are_refused_with_the_figure() {
        let e = one(
            Model::Sequential,
            Raw::Number(1000.0),
            Raw::Number(60_000.0),
            Raw::Missing,
        )
        .unwrap_err();
        assert_eq!(e[0].field, "tasks");
        assert!(e[0].message.contains("60,000,000 ms"), "{}", e[0].message);
        // The same tasks overlap under async: allowed.
        assert!(
            one(
                Model::Async,
                Raw::Number(1000.0),
                Raw::Number(60_000.0),
                Raw::Missing
            )
            .is_ok()
        );
        // A million async tasks are allowed.
        assert!(one(Model::Async, Raw::Number(1e6), Raw::Number(1000.0), Raw::Missing).is_ok());
    }

    #[test]
    fn model_names() {
        assert_eq!(model(Raw::Text("threads")), Ok(Some(Model::Threads)));
        assert_eq!(model(Raw::Text("all")), Ok(None));
        let e = model(Raw::Text("<b>x</b>")).unwrap_err();
        assert!(e.message.contains("async, threads, sequential or all"));
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
        let r = Request {
            timers: Raw::Text("fast"),
            ..r
        };
        let e = check(&r, POOL).unwrap_err();
        assert_eq!(e[0].field, "timers");
        assert!(e[0].message.contains("wheel or per-task"));
    }

    #[test]
    fn ideal_times() {
        assert_eq!(ideal_ms(Model::Async, 3, 1000, 1), 1000.0);
        assert_eq!(ideal_ms(Model::Threads, 16, 200, 2), 1600.0);
        assert_eq!(ideal_ms(Model::Threads, 3, 1000, 16), 1000.0);
        assert_eq!(ideal_ms(Model::Sequential, 3, 1000, 1), 3000.0);
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1_000_000), "1,000,000");
    }
}
