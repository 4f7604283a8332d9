//! The files a bench leaves in its directory: `bench.json` (see [`super::model`]) and
//! `bench.html` (see [`super::html`]).

use super::model::Bench;
use std::io;
use std::path::Path;

/// Write `bench.json` and `bench.html` into `dir`.
pub fn write(bench: &Bench, dir: &Path) -> io::Result<()> {
    let json = serde_json::to_string_pretty(bench).map_err(io::Error::other)?;
    std::fs::write(dir.join("bench.json"), json + "\n")?;
    std::fs::write(dir.join("bench.html"), super::html::document(bench))
}
