//! Extracts the excerpts that the page shows as "the Rust code that ran" (between
//! `// [snippet:NAME]` and `// [/snippet]` in the runners' source) into `$OUT_DIR/snippets.rs`,
//! so the wasm module carries those excerpts, about 22 KB, and not the whole 76 KB of source
//! they come from (see src/source.rs).

use std::fmt::Write as _;
use std::{env, fs, path::Path};

const SOURCES: [&str; 8] = [
    "src/runner/async_model.rs",
    "src/runner/async_races.rs",
    "src/executor.rs",
    "src/runner/threads.rs",
    "src/runner/sequential.rs",
    "src/runner/processes.rs",
    "src/runner/separate_threads.rs",
    "src/runner/gil_worker.rs",
];

fn main() {
    let mut out = String::from("/// Every snippet of the runners' source: (name, text as written).\n");
    out.push_str("const SNIPPETS: &[(&str, &str)] = &[\n");
    for path in SOURCES {
        println!("cargo:rerun-if-changed={path}");
        let src = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut rest = src.as_str();
        while let Some(at) = rest.find("// [snippet:") {
            let after = &rest[at + "// [snippet:".len()..];
            let name_end = after.find(']').unwrap_or_else(|| panic!("{path}: unclosed snippet marker"));
            let name = &after[..name_end];
            let body = &after[name_end + 1..];
            let end =
                body.find("// [/snippet]").unwrap_or_else(|| panic!("{path}: snippet {name} has no end"));
            writeln!(out, "    ({name:?}, {:?}),", &body[..end]).expect("writing to a String");
            rest = &body[end..];
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("snippets.rs");
    fs::write(dest, out).expect("writing snippets.rs");
}
