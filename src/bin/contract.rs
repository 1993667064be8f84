//! Writes the contract's generated files into a folder (the page's, `www/`): `schema.js` (every
//! option, for the form, and the other lists of words the page reads) and `playground.d.ts` (the
//! public API's types), and `snippets.json` (the runners' source excerpts the code panel shows). Run by build.sh before the page is type-checked or served.

use playground::params::{FailMode, schema::json_str};
use playground::timeline::SpanState;
use std::{env, fs, path::PathBuf};

/// One `export const`: `name`, an array of the words, typed as their union, with its doc line.
fn export(doc: &str, name: &str, words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| json_str(w)).collect();
    format!(
        "/**\n * {doc}\n * @type {{readonly ({})[]}}\n */\nexport const {name} = [{}];\n",
        quoted.join(" | "),
        quoted.join(", ")
    )
}

/// The lists `schema.js` exports besides the schema, so the page names no word of the engine's
/// by hand: a span's state by its number in a record's `spanState`, and the failure modes that
/// happen at the server, to the failing task's request.
fn lists() -> String {
    let states: Vec<&str> = SpanState::EVERY.iter().map(|s| s.name()).collect();
    let network: Vec<&str> = FailMode::EVERY.iter().filter(|m| m.is_network()).map(|m| m.name()).collect();
    export(
        "A span's state, by its number in a record's `spanState` (src/timeline.rs).",
        "spanStates",
        &states,
    ) + &export(
        "The failure modes that happen at the server, to the failing task's request (fetch).",
        "networkFailModes",
        &network,
    )
}

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(env::args().nth(1).unwrap_or_else(|| "www".into()));
    let schema = playground::contract::schema_module() + &lists();
    fs::write(dir.join("schema.js"), schema)?;
    fs::write(dir.join("playground.d.ts"), playground::contract::typescript())?;
    // The code panel's excerpts, fetched with the panel rather than carried by the wasm module
    // (which has no text of them: this binary runs natively).
    #[cfg(not(target_arch = "wasm32"))]
    fs::write(dir.join("snippets.json"), playground::source::snippets_json())?;
    Ok(())
}
