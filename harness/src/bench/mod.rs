//! `schism bench`: throughput and latency against concurrency. For each level of
//! `--concurrency-levels`, `--seeds` runs (seeds SEED, SEED+1, ...; the same at every
//! level), each a normal stored run, one at a time in this process; each run's history is
//! measured (see `reports::bench::measure`) and the figures summed up per level in
//! `bench.json` and `bench.html` (see docs/running.md, "Benchmarks").
//!
//! The levels' specs are made as a sweep makes its cells' (the run flags, then
//! `--concurrency=N`) and all checked before the first run, with the baseline.
//!
//! Exit codes: 0 every run ran (and, with `--baseline`, every point is within the
//! tolerance); 1 the baseline comparison failed; 254 a bad flag, spec or baseline (nothing
//! has run); 255 a run could not run, stopped early or could not be measured (the bench
//! stops there); 130 after Ctrl-C. Safety verdicts do not change the exit code: a bench
//! measures, and says loudly when some run was not valid.

pub mod args;
mod finish;
pub mod plan;
pub mod record;
mod runs;

use std::ffi::OsString;

/// The exit code of a bench outside the baseline's tolerance.
pub const GATE_FAILED: i32 = 1;

/// Run `schism bench ...` (the whole command line, program name first); returns the exit
/// code.
/// `cli` is the command line's definition (`Cli::command()`).
pub fn main_with<I, T>(cli: clap::Command, argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    crate::grid_runs::main_with(cli, argv, "bench", plan::plan, runs::bench)
}
