//! What a bench settles before its first run: the levels and each level's spec (made and
//! checked as a sweep makes a cell's, with `--concurrency=N` given last), the first seed,
//! and the baseline (read, and matched against the levels). Anything wrong here is a bad
//! flag or input: nothing has run.

use super::args::BenchArgs;
use crate::exit::ExitCode;
use crate::run_cmd::RunArgs;
use crate::spec::TestSpec;
use crate::sweep::cell_spec;
use crate::sweep::grid::Cell;
use clap::{ArgMatches, FromArgMatches};
use reports::bench::model::Bench;

/// Everything settled before the first run.
pub struct Plan {
    pub args: BenchArgs,
    /// Each level and the spec of its runs (stored under `<test>-concurrency=N`).
    pub levels: Vec<(usize, TestSpec)>,
    /// The first seed: run k of every level has seed `seed + k`.
    pub seed: u64,
    pub baseline: Option<Bench>,
}

/// The levels asked for: unique and not 0; the spec's concurrency when none are given.
fn levels(asked: &[usize], spec_concurrency: usize) -> Result<Vec<usize>, String> {
    if asked.is_empty() {
        return Ok(vec![spec_concurrency]);
    }
    for (i, l) in asked.iter().enumerate() {
        if *l == 0 {
            return Err("--concurrency-levels: a level must be at least 1".into());
        }
        if asked[..i].contains(l) {
            return Err(format!("--concurrency-levels: {l} is given twice"));
        }
    }
    Ok(asked.to_vec())
}

/// Read the flags, make and check every level's spec, read the baseline.
pub fn plan(m: &ArgMatches) -> Result<Plan, (ExitCode, String)> {
    let bad = |e: String| (ExitCode::BadInput, e);
    let args = BenchArgs::from_arg_matches(m).map_err(|e| bad(e.to_string()))?;
    if args.seeds == 0 {
        return Err(bad("--seeds must be at least 1".into()));
    }
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        return Err(bad(format!(
            "--tolerance must be a fraction of 0 or more (0.1: 10 %), not {}",
            args.tolerance
        )));
    }
    if !(args.latency_floor_ms.is_finite() && args.latency_floor_ms >= 0.0) {
        return Err(bad(format!(
            "--latency-floor-ms must be 0 or more, not {}",
            args.latency_floor_ms
        )));
    }
    let base = RunArgs::from_arg_matches(m).map_err(|e| bad(e.to_string()))?;
    let seed = base.seed.unwrap_or_else(crate::sweep::draw_seed);
    let checked =
        |cell: &Cell| cell_spec::spec(m, cell, seed).map_err(|e| (e.exit_code(), e.to_string()));
    let spec = checked(&Cell::default())?;
    let mut planned = Vec::new();
    for level in levels(&args.concurrency_levels, spec.concurrency).map_err(bad)? {
        let cell = Cell(vec![("concurrency".into(), level.to_string())]);
        planned.push((level, checked(&cell)?));
    }
    let numbers: Vec<usize> = planned.iter().map(|(l, _)| *l).collect();
    let baseline = match &args.baseline {
        Some(path) => Some(reports::bench::compare::read_baseline(path, &numbers).map_err(bad)?),
        None => None,
    };
    Ok(Plan {
        args,
        levels: planned,
        seed,
        baseline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_unique_and_positive() {
        assert_eq!(levels(&[], 5).unwrap(), vec![5]);
        assert_eq!(levels(&[1, 2, 8], 5).unwrap(), vec![1, 2, 8]);
        assert!(levels(&[1, 0], 5).unwrap_err().contains("at least 1"));
        assert!(levels(&[2, 2], 5).unwrap_err().contains("2 is given twice"));
    }
}
