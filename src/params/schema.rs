//! The schema: every option a run takes, described once. The checks ([`super::rules`]), the
//! error messages, the page's form and hints, the URL parameters, the API's defaults and the
//! TypeScript description (`playground.d.ts`) all come from this table, so adding an option means
//! one entry here plus the rule that uses it.
//!
//! The page gets the table as `schema.js`, written at build time by `src/bin/contract.rs` from
//! [`to_json`], so the form renders before the engine has loaded.

use super::limits::{
    DEFAULT_SWITCH_INTERVAL_US, DEFAULT_TIMEOUT_MS, MAX_DELAY_MS, MAX_FETCH_TASKS, MAX_INCREMENTS,
    MAX_PROCESSES, MAX_TASKS, MAX_TIMEOUT_MS, SWITCH_INTERVAL_US,
};
use super::vocab::{FailMode, LockOrder, Model, SyncMode, Timers, Workload};

/// Every option, in the order the form shows them. `Opt as usize` indexes [`OPTIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Opt {
    /// Which model runs (`all`: async, threads and sequential in turn).
    Model,
    /// How many tasks.
    Tasks,
    /// How long each task waits or computes, in ms.
    Delay,
    /// Threads of the pool the threads model uses.
    Threads,
    /// Processes the processes model starts.
    Processes,
    /// What each task does.
    Workload,
    /// How async tasks wait.
    Timers,
    /// The task that fails.
    Fail,
    /// How it fails, and what async does about it.
    FailMode,
    /// Threads share a simulated GIL.
    Gil,
    /// How long a thread waits for the GIL before the holder is asked to drop it, in ms.
    SwitchInterval,
    /// Async tasks block instead of awaiting.
    Blocking,
    /// Most requests under way at once (fetch, async): like aiohttp's `TCPConnector(limit=)`.
    Connections,
    /// How long a request may take before its task gives up (fetch).
    TimeoutMs,
    /// Times each counter task adds 1 to the shared counter.
    Increments,
    /// How the counter's update is guarded.
    Sync,
    /// An await between the counter's read and its write (async).
    AwaitInside,
    /// The order the deadlock workload takes its two locks in.
    LockOrder,
    /// At most this many async tasks in flight (a semaphore).
    Limit,
    /// Async tasks hand their CPU or blocking part to the thread pool.
    Offload,
    /// The page asks for the run's headline figure before it runs, and compares after (the
    /// engine only checks it; see `report::predict`).
    Predict,
    /// The page shows the run for a room (large type, keys); how it runs is unchanged.
    Present,
}

impl Opt {
    /// Every option, in [`OPTIONS`] order.
    pub const ALL: [Opt; 22] = [
        Opt::Model,
        Opt::Tasks,
        Opt::Delay,
        Opt::Threads,
        Opt::Processes,
        Opt::Workload,
        Opt::Timers,
        Opt::Fail,
        Opt::FailMode,
        Opt::Gil,
        Opt::SwitchInterval,
        Opt::Blocking,
        Opt::Connections,
        Opt::TimeoutMs,
        Opt::Increments,
        Opt::Sync,
        Opt::AwaitInside,
        Opt::LockOrder,
        Opt::Limit,
        Opt::Offload,
        Opt::Predict,
        Opt::Present,
    ];
    /// How many options there are.
    pub const COUNT: usize = Opt::ALL.len();

    /// The option's description.
    pub fn spec(self) -> &'static Spec {
        &OPTIONS[self as usize]
    }

    /// The option's one name: in URLs, the API, records, `error.field` and form ids.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The option a name or an old alias stands for.
    pub fn find(key: &str) -> Option<Opt> {
        Opt::ALL.into_iter().find(|o| o.name() == key || o.spec().aliases.contains(&key))
    }
}

/// The upper end of a whole number's range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Max {
    /// A fixed number.
    Fixed(u32),
    /// The most threads this browser holds (known once the engine has loaded).
    MaxThreads,
    /// The task count minus one (a task id).
    LastTask,
}

/// What a whole number is when it is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WholeDefault {
    /// This number.
    Value(u32),
    /// One per core (`navigator.hardwareConcurrency`), within the range.
    Cores,
    /// Nothing: the option is off.
    Off,
}

/// What kind of value an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number in `min..=max`; digit strings are accepted too, as URLs and forms give them.
    Whole {
        /// The smallest value.
        min: u32,
        /// The largest value.
        max: Max,
        /// The value when the option is not given.
        default: WholeDefault,
        /// The unit, shown after the range ("ms"), or "".
        unit: &'static str,
    },
    /// A number with up to three decimals in `min..=max`, held in thousandths (0.1 is 100), so
    /// that the schema stays exact; digit strings with a decimal point are accepted too.
    Decimal {
        /// The smallest value, in thousandths.
        min: u32,
        /// The largest value, in thousandths.
        max: u32,
        /// The value when the option is not given, in thousandths.
        default: u32,
        /// The unit, shown after the range ("ms").
        unit: &'static str,
    },
    /// One of a list of names and their [`form`] texts; the first is the default.
    Choice(&'static [(&'static str, &'static str)]),
    /// On or off: `true`/`false`, 1/0, "1"/"0"; off by default.
    Switch,
}

/// Where the page shows an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Chosen by the Run buttons, not a form field.
    Buttons,
    /// On first view.
    Basic,
    /// Behind "More options".
    More,
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Group::Buttons => "buttons",
            Group::Basic => "basic",
            Group::More => "more",
        }
    }
}

/// Text only the generated files show: the form's labels, hints and choices, which
/// `src/bin/contract.rs` writes natively into schema.js and playground.d.ts. The engine never
/// shows it, so the wasm module leaves it out (`""` there; 0.8 KB of the module as sent,
/// BENCHMARKS.md): [`to_json`] and [`Spec::hint`] read it only in the native build.
pub const fn form(text: &'static str) -> &'static str {
    if cfg!(target_arch = "wasm32") { "" } else { text }
}

/// One option, described once.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The one name (see [`Opt::name`]).
    pub name: &'static str,
    /// Earlier names, still accepted in URLs and the API so old links keep working.
    pub aliases: &'static [&'static str],
    /// The form's label ([`form`] text).
    pub label: &'static str,
    /// How messages refer to it: the name, with the unit or meaning where that helps.
    pub what: &'static str,
    /// The kind of value and its range or choices.
    pub kind: Kind,
    /// What else the form's hint says, after the range ([`form`] text).
    pub note: &'static str,
    /// The models that use it; every model when empty.
    pub models: &'static [Model],
    /// Where the page shows it.
    pub group: Group,
}

/// The `model` choices: every model, and `all`.
pub const MODEL_CHOICES: &[(&str, &str)] = &[
    ("async", form("async: one event loop (asyncio)")),
    ("threads", form("threads: a pool of threads (threading)")),
    ("sequential", form("sequential: one after another")),
    ("processes", form("processes: nothing shared (multiprocessing)")),
    (Model::ALL_NAME, form("all: async, threads and sequential in turn")),
];

/// The table. Indexed by [`Opt`]; a test checks the order.
pub const OPTIONS: [Spec; Opt::COUNT] = [
    Spec {
        name: "model",
        aliases: &[],
        label: form("Model"),
        what: "model",
        kind: Kind::Choice(MODEL_CHOICES),
        note: form("which model runs the tasks"),
        models: &[],
        group: Group::Buttons,
    },
    Spec {
        name: "tasks",
        aliases: &[],
        label: form("Tasks"),
        what: "tasks",
        kind: Kind::Whole { min: 1, max: Max::Fixed(MAX_TASKS), default: WholeDefault::Value(3), unit: "" },
        note: form("for async; 1,000,000 for the other models"),
        models: &[],
        group: Group::Basic,
    },
    Spec {
        name: "delay",
        aliases: &["delayMs"],
        label: form("Delay (ms)"),
        what: "delay (ms)",
        kind: Kind::Whole {
            min: 0,
            max: Max::Fixed(MAX_DELAY_MS),
            default: WholeDefault::Value(1000),
            unit: "ms",
        },
        note: form("per task"),
        models: &[],
        group: Group::Basic,
    },
    Spec {
        name: "threads",
        aliases: &[],
        label: form("Threads"),
        what: "threads",
        kind: Kind::Whole { min: 1, max: Max::MaxThreads, default: WholeDefault::Cores, unit: "" },
        note: form("threads model (each a Web Worker); empty: one per core"),
        models: &[Model::Threads],
        group: Group::Basic,
    },
    Spec {
        name: "processes",
        aliases: &[],
        label: form("Processes"),
        what: "processes",
        kind: Kind::Whole { min: 1, max: Max::Fixed(MAX_PROCESSES), default: WholeDefault::Cores, unit: "" },
        note: form("processes model; empty: one per core"),
        models: &[Model::Processes],
        group: Group::More,
    },
    Spec {
        name: "workload",
        aliases: &[],
        label: form("Workload"),
        what: "workload",
        kind: Kind::Choice(Workload::CHOICES),
        note: form("what each task does, in every model"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "timers",
        aliases: &[],
        label: form("Async executor"),
        what: "timers",
        kind: Kind::Choice(Timers::CHOICES),
        note: form("async model only"),
        models: &[Model::Async],
        group: Group::More,
    },
    Spec {
        name: "fail",
        aliases: &[],
        label: form("Failing task"),
        what: "fail (a task id)",
        kind: Kind::Whole { min: 0, max: Max::LastTask, default: WholeDefault::Off, unit: "" },
        note: form("a task id; empty: none"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "failMode",
        aliases: &[],
        label: form("When a task fails"),
        what: "failMode",
        kind: Kind::Choice(FailMode::CHOICES),
        note: form("how async reacts; panic kills a worker thread"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "gil",
        aliases: &[],
        label: form("Simulated GIL"),
        what: "gil",
        kind: Kind::Switch,
        note: form("threads model: one thread computes at a time"),
        models: &[Model::Threads],
        group: Group::More,
    },
    Spec {
        name: "switchInterval",
        aliases: &[],
        label: form("GIL switch interval"),
        what: "switchInterval",
        kind: Kind::Decimal {
            min: SWITCH_INTERVAL_US.0,
            max: SWITCH_INTERVAL_US.1,
            default: DEFAULT_SWITCH_INTERVAL_US,
            unit: "ms",
        },
        note: form(
            "with the GIL: how long a thread waits for it before the holder must drop it \
               (sys.setswitchinterval)",
        ),
        models: &[Model::Threads],
        group: Group::More,
    },
    Spec {
        name: "blocking",
        aliases: &[],
        label: form("Blocking call in async"),
        what: "blocking",
        kind: Kind::Switch,
        note: form("async + sleep: the classic mistake; freezes the page, at most 5 s"),
        models: &[Model::Async],
        group: Group::More,
    },
    Spec {
        name: "connections",
        aliases: &[],
        label: form("Connection limit"),
        what: "connections",
        kind: Kind::Whole { min: 1, max: Max::Fixed(MAX_FETCH_TASKS), default: WholeDefault::Off, unit: "" },
        note: form(
            "async + fetch: requests under way at once, like aiohttp's TCPConnector(limit=); empty: no limit",
        ),
        models: &[Model::Async],
        group: Group::More,
    },
    Spec {
        name: "timeoutMs",
        aliases: &[],
        label: form("Request timeout (ms)"),
        what: "timeoutMs",
        kind: Kind::Whole {
            min: 1,
            max: Max::Fixed(MAX_TIMEOUT_MS),
            default: WholeDefault::Value(DEFAULT_TIMEOUT_MS),
            unit: "ms",
        },
        note: form("fetch: a request that takes longer fails its task, like asyncio.wait_for"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "increments",
        aliases: &[],
        label: form("Increments per task"),
        what: "increments",
        kind: Kind::Whole {
            min: 1,
            max: Max::Fixed(MAX_INCREMENTS),
            default: WholeDefault::Value(100_000),
            unit: "",
        },
        note: form("counter workload: times each task adds 1"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "sync",
        aliases: &[],
        label: form("Counter guard"),
        what: "sync",
        kind: Kind::Choice(SyncMode::CHOICES),
        note: form("counter workload: how the read-add-write is guarded"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "awaitInside",
        aliases: &[],
        label: form("Await between read and write"),
        what: "awaitInside",
        kind: Kind::Switch,
        note: form("async + counter: x = counter; await asyncio.sleep(0); counter = x + 1"),
        models: &[Model::Async],
        group: Group::More,
    },
    Spec {
        name: "lockOrder",
        aliases: &[],
        label: form("Lock order"),
        what: "lockOrder",
        kind: Kind::Choice(LockOrder::CHOICES),
        note: form("deadlock workload: opposite deadlocks, same is the fix"),
        models: &[Model::Async, Model::Threads],
        group: Group::More,
    },
    Spec {
        name: "limit",
        aliases: &[],
        label: form("Async tasks at once"),
        what: "limit",
        kind: Kind::Whole { min: 1, max: Max::Fixed(MAX_TASKS), default: WholeDefault::Off, unit: "" },
        note: form("async: at most this many in flight (asyncio.Semaphore); empty: no limit"),
        models: &[Model::Async],
        group: Group::More,
    },
    Spec {
        name: "offload",
        aliases: &[],
        label: form("Offload to threads"),
        what: "offload",
        kind: Kind::Switch,
        note: form("async + cpu or blocking: each task awaits the pool (asyncio.to_thread)"),
        models: &[Model::Async],
        group: Group::More,
    },
    Spec {
        name: "predict",
        aliases: &[],
        label: form("Predict first"),
        what: "predict",
        kind: Kind::Switch,
        note: form("the page asks for the run's headline figure before it runs, then compares"),
        models: &[],
        group: Group::More,
    },
    Spec {
        name: "present",
        aliases: &[],
        label: form("Presentation mode"),
        what: "present",
        kind: Kind::Switch,
        note: form(
            "for a room: the live figure and the output fill the screen in large type; \
               space runs, r replays, Escape stops (and, with nothing running, leaves)",
        ),
        models: &[],
        group: Group::More,
    },
];

/// Formats 1000000 as "1,000,000" for messages and hints.
pub fn group(n: u64) -> String {
    group_with(n, ',')
}

/// Formats 1000000 as "1{sep}000{sep}000": with '_' as Python's `f"{n:_}"` prints it.
pub fn group_with(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

impl Spec {
    /// The form's hint: the range or choices, then the note.
    pub fn hint(&self) -> String {
        let range = match self.kind {
            Kind::Whole { min, max, unit, .. } => {
                let max = match max {
                    Max::Fixed(n) => group(n.into()),
                    Max::MaxThreads => "the most this browser holds".into(),
                    Max::LastTask => "tasks − 1".into(),
                };
                let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
                format!("{} to {max}{unit}", group(min.into()))
            }
            Kind::Decimal { min, max, unit, .. } => {
                format!("{} to {} {unit}", thousandths(min), thousandths(max))
            }
            Kind::Choice(_) | Kind::Switch => String::new(),
        };
        match (range.is_empty(), self.note.is_empty()) {
            (false, false) => format!("{range}, {}", self.note),
            (false, true) => range,
            _ => self.note.to_string(),
        }
    }
}

/// A number held in thousandths as written: 100 is "0.1", 5000 is "5".
pub fn thousandths(n: u32) -> String {
    let s = format!("{}.{:03}", n / 1000, n % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_list<T>(items: impl IntoIterator<Item = T>, each: impl Fn(T) -> String) -> String {
    format!("[{}]", items.into_iter().map(each).collect::<Vec<_>>().join(","))
}

/// The schema as JSON: `{ options: [...] }`, each option with `name`, `aliases`, `label`,
/// `kind` (`whole`, `choice` or `switch`), `min`/`max`/`maxFrom`/`unit` or `choices`,
/// `default`, `hint`, `models` and `group`. Written by hand rather than with serde: it is one
/// small table, and the engine itself does not need a JSON library.
pub fn to_json() -> String {
    let options = json_list(Opt::ALL, |o| {
        let s = o.spec();
        let mut fields = vec![
            format!("\"name\":{}", json_str(s.name)),
            format!("\"aliases\":{}", json_list(s.aliases, |a| json_str(a))),
            format!("\"label\":{}", json_str(s.label)),
        ];
        match s.kind {
            Kind::Whole { min, max, default, unit } => {
                fields.push("\"kind\":\"whole\"".into());
                fields.push(format!("\"min\":{min}"));
                let (max, from) = match max {
                    Max::Fixed(n) => (n.to_string(), "null".to_string()),
                    Max::MaxThreads => ("null".into(), json_str("maxThreads")),
                    Max::LastTask => ("null".into(), json_str("tasks")),
                };
                fields.push(format!("\"max\":{max}"));
                fields.push(format!("\"maxFrom\":{from}"));
                fields.push(format!("\"unit\":{}", json_str(unit)));
                let default = match default {
                    WholeDefault::Value(n) => n.to_string(),
                    WholeDefault::Cores => json_str("cores"),
                    WholeDefault::Off => "null".into(),
                };
                fields.push(format!("\"default\":{default}"));
            }
            Kind::Decimal { min, max, default, unit } => {
                fields.push("\"kind\":\"decimal\"".into());
                fields.push(format!("\"min\":{}", thousandths(min)));
                fields.push(format!("\"max\":{}", thousandths(max)));
                fields.push("\"maxFrom\":null".into());
                fields.push(format!("\"unit\":{}", json_str(unit)));
                fields.push(format!("\"default\":{}", thousandths(default)));
            }
            Kind::Choice(choices) => {
                fields.push("\"kind\":\"choice\"".into());
                fields.push(format!(
                    "\"choices\":{}",
                    json_list(choices, |(v, l)| format!(
                        "{{\"value\":{},\"label\":{}}}",
                        json_str(v),
                        json_str(l)
                    ))
                ));
                fields.push(format!("\"default\":{}", json_str(choices[0].0)));
            }
            Kind::Switch => {
                fields.push("\"kind\":\"switch\"".into());
                fields.push("\"default\":false".into());
            }
        }
        fields.push(format!("\"hint\":{}", json_str(&s.hint())));
        let models: Vec<&str> = if s.models.is_empty() {
            Model::EVERY.iter().map(|m| m.name()).collect()
        } else {
            s.models.iter().map(|m| m.name()).collect()
        };
        fields.push(format!("\"models\":{}", json_list(models, json_str)));
        fields.push(format!("\"group\":{}", json_str(s.group.name())));
        format!("{{{}}}", fields.join(","))
    });
    let models = json_list(Model::EVERY, |m| json_str(m.name()));
    let all = json_list(Model::ALL, |m| json_str(m.name()));
    format!("{{\"options\":{options},\"models\":{models},\"allModels\":{all}}}")
}

/// The TypeScript type of an option's value in `run()` options.
pub fn ts_type(o: Opt) -> String {
    match o.spec().kind {
        Kind::Whole { default: WholeDefault::Off, .. } => "number | string | null".into(),
        Kind::Whole { .. } | Kind::Decimal { .. } => "number | string".into(),
        Kind::Choice(choices) => choices.iter().map(|(v, _)| json_str(v)).collect::<Vec<_>>().join(" | "),
        Kind::Switch => "boolean | 0 | 1 | \"0\" | \"1\"".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_opt_order_and_names_are_unique() {
        for (i, o) in Opt::ALL.into_iter().enumerate() {
            assert_eq!(o as usize, i);
            assert_eq!(Opt::find(o.name()), Some(o));
        }
        let mut names: Vec<&str> =
            OPTIONS.iter().flat_map(|s| s.aliases.iter().chain([&s.name])).copied().collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a name or alias is used twice");
        assert_eq!(Opt::find("delayMs"), Some(Opt::Delay));
    }

    #[test]
    fn model_choices_are_every_model_and_all() {
        let names: Vec<&str> = MODEL_CHOICES.iter().map(|c| c.0).collect();
        let mut want: Vec<&str> = Model::EVERY.iter().map(|m| m.name()).collect();
        want.push(Model::ALL_NAME);
        assert_eq!(names, want);
    }

    #[test]
    fn hints_say_the_range() {
        assert_eq!(Opt::Tasks.spec().hint(), "1 to 10,000,000, for async; 1,000,000 for the other models");
        assert_eq!(Opt::Delay.spec().hint(), "0 to 60,000 ms, per task");
        assert!(Opt::Threads.spec().hint().starts_with("1 to the most this browser holds"));
        assert!(Opt::SwitchInterval.spec().hint().starts_with("0.1 to 100 ms, with the GIL"));
        assert_eq!(
            (thousandths(100), thousandths(5_000), thousandths(1_250)),
            ("0.1".into(), "5".into(), "1.25".into())
        );
    }

    #[test]
    fn json_is_well_formed_enough() {
        let j = to_json();
        assert!(j.starts_with("{\"options\":[{\"name\":\"model\""));
        assert_eq!(j.matches('{').count(), j.matches('}').count());
        assert!(j.contains("\"aliases\":[\"delayMs\"]"));
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
