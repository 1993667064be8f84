//! The rules: one check per run that refuses bad input before anything starts, naming the option
//! and the allowed range, and returns the runs to make.
//!
//! A request is read option by option first (`Options`); then each rule of `RULES` lists its
//! refusals, in the order of that list. A rule lists an option's own refusal (a value out of its
//! range, a word that is not a choice) or weighs options against each other, so adding an option
//! adds its reading and a rule, grouped by concern in this folder's files.

mod async_model;
mod gil;
mod memory;
mod network;
mod predict;
mod races;
mod size;
mod view;
mod workers;

use super::Params;
use super::limits::{DEFAULT_TIMEOUT_MS, Limits, MAX_TASKS};
use super::parse::{FieldError, Raw, Request, choice, decimal, switch, whole};
use super::schema::{Kind, Max, Opt, WholeDefault};
use super::vocab::{FailMode, LockOrder, Memory, Model, SyncMode, Timers, Workload};

/// Checks a full request; `model: "all"` means every model of [`Model::ALL`] in turn, and the
/// checks of every model apply (threads are skipped where there are none). Returns every refused
/// option at once, so the form can mark them all.
pub fn check(req: &Request, limits: Limits) -> Result<Vec<Params>, Vec<FieldError>> {
    let options = Options::read(req, limits).map_err(|e| vec![e])?;
    let errors: Vec<FieldError> = RULES.iter().flat_map(|rule| rule(&options)).collect();
    if errors.is_empty() { Ok(options.runs()) } else { Err(errors) }
}

/// A rule: the refusals it finds in a request's options.
type Rule = fn(&Options) -> Vec<FieldError>;

/// Every rule, in the order their refusals are listed: the page, `run()` and the end-to-end suite
/// show them in this order. An option's own refusal comes before the rules that weigh it against
/// the options listed before it; the caps on the run as a whole come last.
const RULES: &[Rule] = &[
    size::tasks_and_delay,
    workers::threads_and_processes,
    async_model::timers,
    network::workload,
    gil::gil,
    gil::convoy,
    async_model::blocking,
    network::fail_mode,
    network::fail,
    network::network_fault,
    network::connections_and_timeout,
    races::options,
    async_model::limit_and_offload,
    races::sync,
    races::await_inside,
    races::lock_order,
    races::no_failing_task,
    races::deadlock,
    memory::shared_only,
    async_model::limit,
    async_model::offload,
    races::counter_cap,
    size::task_caps,
    size::run_length,
    predict::predict,
    view::present,
];

/// A request's options as read, before any rule weighs them. A value is `None` where it was
/// refused (its refusal waits in `refused` for the rule that lists it), where an option that may
/// be off is off, and, for the threads or processes count, where no model asked for has them.
struct Options {
    limits: Limits,
    /// The model asked for; `None` for `all`.
    model: Option<Model>,
    /// The models to run.
    models: Vec<Model>,
    tasks: Option<u32>,
    delay: Option<u32>,
    /// The threads model's threads; also `None` where threads are unavailable.
    threads: Option<u32>,
    /// The processes model's processes.
    processes: Option<u32>,
    timers: Option<Timers>,
    workload: Option<Workload>,
    gil: Option<bool>,
    /// The GIL's switch interval, in µs.
    switch_interval: Option<u32>,
    blocking: Option<bool>,
    fail_mode: Option<FailMode>,
    /// The task that fails, if any.
    fail: Option<u32>,
    connections: Option<u32>,
    timeout_ms: Option<u32>,
    increments: Option<u32>,
    sync: Option<SyncMode>,
    await_inside: Option<bool>,
    lock_order: Option<LockOrder>,
    limit: Option<u32>,
    offload: Option<bool>,
    /// The refusal of each option that could not be read, at `Opt as usize`.
    refused: [Option<FieldError>; Opt::COUNT],
}

impl Options {
    /// Reads every option of `req`. Only a refused model is returned at once: without a model
    /// no other option can be weighed.
    fn read(req: &Request, limits: Limits) -> Result<Options, FieldError> {
        let model = Model::parse(choice(Opt::Model, req.get(Opt::Model))?);
        let models = match model {
            Some(m) => vec![m],
            None => Model::ALL.to_vec(),
        };
        let mut r = Reader { req, limits, refused: std::array::from_fn(|_| None) };
        let tasks = r.whole(Opt::Tasks, None);
        // The page's option (it asks for a prediction before the run): the engine only checks
        // its value, which changes nothing in the run.
        r.switch(Opt::Predict);
        // How the page shows the run, not how it runs: read only so that a bad value is refused.
        r.switch(Opt::Present);
        Ok(Options {
            delay: r.whole(Opt::Delay, None),
            threads: workers::read_threads(&mut r, model, &models, tasks),
            processes: workers::read_processes(&mut r, &models, tasks),
            timers: r.choice(Opt::Timers, Timers::parse),
            workload: r.choice(Opt::Workload, Workload::parse),
            gil: r.switch(Opt::Gil),
            switch_interval: r.decimal(Opt::SwitchInterval),
            blocking: r.switch(Opt::Blocking),
            fail_mode: r.choice(Opt::FailMode, FailMode::parse),
            fail: r.whole(Opt::Fail, tasks),
            connections: r.whole(Opt::Connections, tasks),
            timeout_ms: r.whole(Opt::TimeoutMs, tasks),
            increments: r.whole(Opt::Increments, None),
            sync: r.choice(Opt::Sync, SyncMode::parse),
            await_inside: r.switch(Opt::AwaitInside),
            lock_order: r.choice(Opt::LockOrder, LockOrder::parse),
            limit: r.whole(Opt::Limit, None),
            offload: r.switch(Opt::Offload),
            refused: r.refused,
            limits,
            model,
            models,
            tasks,
        })
    }

    /// The refusals of `opts` as they were read, in that order.
    fn refusals(&self, opts: &[Opt]) -> Vec<FieldError> {
        opts.iter().filter_map(|&o| self.refused[o as usize].clone()).collect()
    }

    /// Whether the workload was read as `w`.
    fn workload_is(&self, w: Workload) -> bool {
        self.workload == Some(w)
    }

    /// Whether one model other than async was asked for, so the async model's options do not
    /// apply (`all` runs async too).
    fn without_async(&self) -> bool {
        self.model.is_some_and(|m| m != Model::Async)
    }

    /// The runs to make, once no rule refused anything.
    fn runs(&self) -> Vec<Params> {
        let base = Params {
            timers: self.timers.unwrap_or_default(),
            workload: self.workload.unwrap_or_default(),
            gil: self.gil.unwrap_or(false),
            switch_interval_us: self.switch_interval.unwrap_or(super::limits::DEFAULT_SWITCH_INTERVAL_US),
            blocking: self.blocking.unwrap_or(false),
            fail: self.fail,
            fail_mode: self.fail_mode.unwrap_or_default(),
            connections: self.connections,
            timeout_ms: self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
            increments: self.increments.unwrap_or(1),
            sync: self.sync.unwrap_or_default(),
            await_inside: self.await_inside.unwrap_or(false),
            lock_order: self.lock_order.unwrap_or_default(),
            limit: self.limit,
            offload: self.offload.unwrap_or(false),
            ..Params::new(Model::Async, self.tasks.unwrap_or(1), self.delay.unwrap_or(0), 1)
        };
        // Without threads on the page, `all` runs the other models.
        self.models
            .iter()
            .filter_map(|&model| match model {
                Model::Threads => {
                    Some(Params { model, threads: self.threads?, memory: self.limits.memory, ..base })
                }
                Model::Processes => Some(Params { model, processes: self.processes?, ..base }),
                Model::Async | Model::Sequential => Some(Params { model, ..base }),
            })
            .collect()
    }
}

/// Reads options one at a time, keeping each refusal for the rule that lists it.
struct Reader<'r, 'a> {
    req: &'r Request<'a>,
    limits: Limits,
    refused: [Option<FieldError>; Opt::COUNT],
}

impl Reader<'_, '_> {
    /// The value read, or `None` with its refusal kept under `o`.
    fn keep<T>(&mut self, o: Opt, read: Result<T, FieldError>) -> Option<T> {
        read.map_err(|e| self.refused[o as usize] = Some(e)).ok()
    }

    /// A whole number, its schema default when missing; `None` also where it is off. `tasks`
    /// bounds a task id.
    fn whole(&mut self, o: Opt, tasks: Option<u32>) -> Option<u32> {
        let read = whole_or_default(o, self.req.get(o), self.limits, tasks);
        self.keep(o, read).flatten()
    }

    /// One of the option's choices; `None` also for a choice `parse` does not know.
    fn choice<T>(&mut self, o: Opt, parse: fn(&str) -> Option<T>) -> Option<T> {
        let read = choice(o, self.req.get(o));
        self.keep(o, read).and_then(parse)
    }

    /// A decimal number in thousandths, its schema default when missing or empty.
    fn decimal(&mut self, o: Opt) -> Option<u32> {
        let Kind::Decimal { min, max, default, .. } = o.spec().kind else {
            unreachable!("{} is not decimal", o.name())
        };
        let read = match self.req.get(o) {
            Raw::Missing => Ok(default),
            Raw::Text(s) if s.trim().is_empty() => Ok(default),
            raw => decimal(o, raw, min, max),
        };
        self.keep(o, read)
    }

    /// An on-off option.
    fn switch(&mut self, o: Opt) -> Option<bool> {
        let read = switch(o, self.req.get(o));
        self.keep(o, read)
    }
}

/// The whole number of option `o`, its schema default when missing. `Ok(None)`: off.
fn whole_or_default(o: Opt, raw: Raw, limits: Limits, tasks: Option<u32>) -> Result<Option<u32>, FieldError> {
    let Kind::Whole { min, max, default, .. } = o.spec().kind else {
        unreachable!("{} is not whole", o.name())
    };
    let max = match max {
        Max::Fixed(n) => n,
        Max::MaxThreads => limits.max_threads,
        Max::LastTask => tasks.unwrap_or(MAX_TASKS).saturating_sub(1),
    };
    let missing = match raw {
        Raw::Missing => true,
        // An empty text field means "not given" for options that are off by default and for
        // counts that default to the cores; a required count left empty is refused.
        Raw::Text(s) => s.trim().is_empty() && !matches!(default, WholeDefault::Value(_)),
        _ => false,
    };
    if missing {
        return Ok(match default {
            WholeDefault::Value(n) => Some(n),
            WholeDefault::Cores => Some(limits.cores.clamp(min, max.max(min))),
            WholeDefault::Off => None,
        });
    }
    whole(o, raw, min, max).map(Some)
}

#[cfg(test)]
mod tests;
