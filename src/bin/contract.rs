//! Writes the contract's generated files into a folder (the page's, `www/`): `schema.js` (every
//! option, for the form) and `playground.d.ts` (the public API's types). Run by build.sh before
//! the page is type-checked or served.

use std::{env, fs, path::PathBuf};

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(env::args().nth(1).unwrap_or_else(|| "www".into()));
    fs::write(dir.join("schema.js"), playground::contract::schema_module())?;
    fs::write(dir.join("playground.d.ts"), playground::contract::typescript())?;
    Ok(())
}
