//! The Rust code that ran, for the page's "code side by side" panel: excerpts of the
//! runners' own source, between `// [snippet:NAME]` and `// [/snippet]` markers, so what the page
//! shows cannot drift from what runs (build.rs extracts them when the crate is built). Pure Rust,
//! tested natively.
//!
//! The wasm module names the excerpts of a run ([`snippets_for`]); their text is not in it. The
//! contract binary writes every excerpt to `snippets.json` next to the page ([`snippets_json`]),
//! which the code panel fetches when it is first shown: about 27 KB of static data the module
//! need not carry to every first visit.

// `SNIPPETS`, written by build.rs from the runners' source at build time.
#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/snippets.rs"));

/// The excerpt called `name`, dedented, or `None` if there is no such marker.
#[cfg(not(target_arch = "wasm32"))]
pub fn snippet(name: &str) -> Option<String> {
    let (_, body) = SNIPPETS.iter().find(|(n, _)| *n == name)?;
    Some(dedent(body.trim_matches('\n')))
}

/// Every excerpt, dedented, as one JSON object `{ name: code }`: `snippets.json`.
#[cfg(not(target_arch = "wasm32"))]
pub fn snippets_json() -> String {
    let pairs: Vec<String> = SNIPPETS
        .iter()
        .map(|(name, body)| {
            let code = dedent(body.trim_matches('\n'));
            format!("{}:{}", crate::params::schema::json_str(name), crate::params::schema::json_str(&code))
        })
        .collect();
    format!("{{{}}}\n", pairs.join(",\n"))
}

/// Removes the indentation every non-blank line shares.
#[cfg(not(target_arch = "wasm32"))]
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n")
}

/// The excerpts the page shows for a model and workload, in order; `offload` and `limit` are the
/// async options that change what runs, `separate` a threads run on threads of separate memory,
/// `gil` one with the simulated GIL (on separate memory, its own code: handed over by messages).
#[allow(clippy::too_many_arguments)]
pub fn snippets_for(
    model: &str,
    workload: &str,
    blocking: bool,
    timers: &str,
    offload: bool,
    limit: bool,
    separate: bool,
    gil: bool,
) -> Vec<&'static str> {
    let runner =
        if timers == "per-task" && !blocking && workload != "cpu" { "async-gather" } else { "async-wheel" };
    let mut list = match (model, workload, blocking) {
        ("async", _, _) if offload => vec!["async-offload", "async-wheel"],
        ("async", "counter", _) => vec!["async-counter", "async-wheel"],
        ("async", "deadlock", _) => vec!["async-deadlock", "async-wheel"],
        ("async", _, true) => vec!["async-blocking", runner],
        ("async", "cpu", _) => vec!["async-cpu", runner],
        ("async", "fetch", _) => vec!["async-fetch", runner],
        ("async", _, _) => vec!["async-sleep", runner],
        ("threads", "cpu", _) if separate && gil => vec!["threads-separate", "threads-separate-gil"],
        ("threads", _, _) if separate => vec!["threads-separate"],
        ("threads", "counter", _) => vec!["threads-spawn", "threads-loop", "threads-counter"],
        ("threads", "deadlock", _) => vec!["threads-spawn", "threads-loop", "threads-deadlock"],
        ("threads", "convoy", _) => vec!["threads-spawn", "threads-loop", "threads-convoy", "threads-task"],
        ("threads", _, _) => vec!["threads-spawn", "threads-loop", "threads-task"],
        ("sequential", _, _) => vec!["sequential-task", "sequential"],
        ("processes", "counter", _) => vec!["processes", "processes-counter"],
        ("processes", _, _) => vec!["processes"],
        _ => vec![],
    };
    if model == "async" && limit {
        list.push("async-limit");
    }
    list
}

// The excerpts' text exists natively only (the wasm module names them).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn every_listed_snippet_exists_and_is_dedented() {
        for model in ["async", "threads", "sequential", "processes"] {
            for workload in ["sleep", "fetch", "cpu", "counter", "deadlock"] {
                for (blocking, timers) in [(false, "wheel"), (true, "wheel"), (false, "per-task")] {
                    let list =
                        snippets_for(model, workload, blocking, timers, blocking, !blocking, blocking, true);
                    for name in list {
                        let code = snippet(name).unwrap_or_else(|| panic!("no snippet {name}"));
                        assert!(code.lines().any(|l| !l.starts_with(' ')), "{name} is not dedented");
                        assert!(!code.contains("[snippet:"), "{name} swallowed another marker");
                    }
                }
            }
        }
    }

    #[test]
    fn the_async_sleep_snippet_is_the_real_task() {
        let code = snippet("async-sleep").unwrap();
        assert!(code.contains("executor::sleep("), "{code}");
        assert_eq!(snippet("no-such-thing"), None);
        assert!(snippet("threads-counter").unwrap().contains("counter.store(add_one(x)"));
        assert!(snippet("async-counter").unwrap().contains("yield_now().await"));
        assert!(snippet("async-limit").unwrap().contains("self.next - finished < self.limit"));
        assert!(snippet("async-offload").unwrap().contains("rayon::spawn"));
        assert!(
            snippet("threads-separate").unwrap().contains("= task_message(&p, id, iterations, url, false);")
        );
        assert_eq!(
            snippets_for("threads", "sleep", false, "wheel", false, false, true, false),
            ["threads-separate"]
        );
        assert_eq!(
            snippets_for("threads", "cpu", false, "wheel", false, false, true, true),
            ["threads-separate", "threads-separate-gil"]
        );
        assert!(snippet("threads-separate-gil").unwrap().contains("drop_at = self.take(true).await;"));
    }

    #[test]
    fn snippets_json_holds_every_excerpt() {
        let json = snippets_json();
        for (name, _) in SNIPPETS {
            assert!(json.contains(&format!("\"{name}\":")), "{name} missing");
        }
        assert!(json.contains("executor::sleep("), "{json}");
        assert!(json.starts_with('{') && json.trim_end().ends_with('}'));
    }
}
