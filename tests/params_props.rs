//! Property tests of the option parser: whatever arrives in a URL or a `run()` argument (hostile
//! values included), `check` answers with either valid parameters within every limit or
//! messages that name their field, never a panic. Native only (`cargo test`).
#![cfg(not(target_arch = "wasm32"))]

use playground::params::{
    self, Limits, MAX_DELAY_MS, MAX_PROCESSES, MAX_TASKS, Model, Opt, Raw, Request, Workload,
};
use proptest::prelude::*;

const LIMITS: Limits = Limits::all_allowed();

/// Any value a field could receive: numbers of every kind, digit strings, hostile text.
fn raw_value() -> impl Strategy<Value = RawOwned> {
    prop_oneof![
        Just(RawOwned::Missing),
        any::<f64>().prop_map(RawOwned::Number),
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-0.0), Just(1e300), Just(0.5)]
            .prop_map(RawOwned::Number),
        (0u64..2_000_000).prop_map(|n| RawOwned::Number(n as f64)),
        (0u64..2_000_000).prop_map(|n| RawOwned::Text(n.to_string())),
        any::<String>().prop_map(RawOwned::Text),
        prop_oneof![
            Just("<script>alert(1)</script>"),
            Just("1e3"),
            Just("0x10"),
            Just("-1"),
            Just(" 12 "),
            Just("١٢"),
            Just("99999999999999999999999999"),
            Just("async"),
            Just("all"),
            Just("threads"),
            Just("processes"),
            Just("cpu"),
            Just("try_join_all"),
            Just("true"),
            Just(""),
        ]
        .prop_map(|s| RawOwned::Text(s.to_string())),
        any::<bool>().prop_map(RawOwned::Bool),
        Just(RawOwned::Other),
    ]
}

#[derive(Clone, Debug)]
enum RawOwned {
    Missing,
    Number(f64),
    Text(String),
    Bool(bool),
    Other,
}

impl RawOwned {
    fn raw(&self) -> Raw<'_> {
        match self {
            RawOwned::Missing => Raw::Missing,
            RawOwned::Number(n) => Raw::Number(*n),
            RawOwned::Text(s) => Raw::Text(s),
            RawOwned::Bool(b) => Raw::Bool(*b),
            RawOwned::Other => Raw::Other,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn any_request_is_checked_without_panicking(fields in proptest::collection::vec(raw_value(), Opt::COUNT + 2)) {
        // Every option, and one unknown name, get a value.
        let mut names: Vec<&str> = Opt::ALL.iter().map(|o| o.name()).collect();
        names.push("delayMs");
        names.push("speed");
        let (req, unknown) = Request::from_entries(names.iter().copied().zip(fields.iter().map(RawOwned::raw)));
        prop_assert_eq!(unknown.len(), 1, "the unknown name is refused");
        prop_assert_eq!(unknown[0].field.as_str(), "speed");
        match params::check(&req, LIMITS) {
            Ok(runs) => {
                prop_assert!(!runs.is_empty());
                for p in runs {
                    prop_assert!((1..=MAX_TASKS).contains(&p.tasks));
                    prop_assert!(p.delay_ms <= MAX_DELAY_MS);
                    prop_assert!(p.threads >= 1 && p.threads <= LIMITS.max_threads);
                    if p.model == Model::Processes {
                        prop_assert!(p.processes >= 1 && p.processes <= MAX_PROCESSES);
                    } else {
                        prop_assert_eq!(p.processes, 0);
                    }
                    prop_assert!(p.fail.is_none_or(|k| k < p.tasks));
                    // Every accepted run the model predicts takes at most the cap (async rounds
                    // too); the counter alone has no ideal.
                    match params::ideal(&p, LIMITS) {
                        Some(ideal) => {
                            prop_assert!(ideal.ms.is_finite() && ideal.ms >= 0.0);
                            prop_assert!(ideal.ms <= params::MAX_RUN_MS as f64);
                            prop_assert!(ideal.at_once.is_none_or(|w| w >= 1 && w < p.tasks));
                        }
                        None => prop_assert_eq!(p.workload, Workload::Counter),
                    }
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(Opt::find(&e.field).is_some(), "unknown field {}", e.field);
                    // Messages stay short whatever was pasted, and quote input only shortened.
                    prop_assert!(e.message.chars().count() < 260, "{}", e.message);
                }
            }
        }
    }

    #[test]
    fn whole_numbers_in_range_are_accepted_as_numbers_and_as_text(n in 1u32..=MAX_TASKS) {
        let text = n.to_string();
        for raw in [Raw::Number(f64::from(n)), Raw::Text(&text)] {
            prop_assert_eq!(params::parse::whole(Opt::Tasks, raw, 1, MAX_TASKS), Ok(n));
        }
    }

    #[test]
    fn anything_else_in_a_number_field_names_the_field_and_range(s in "\\PC*") {
        if let Err(e) = params::parse::whole(Opt::Tasks, Raw::Text(&s), 1, MAX_TASKS) {
            prop_assert_eq!(e.field, "tasks");
            prop_assert!(e.message.contains("from 1 to 10,000,000"));
        } else {
            let n: u32 = s.trim().parse().unwrap();
            prop_assert!((1..=MAX_TASKS).contains(&n));
        }
    }
}
