//! One run of a bench as recorded in `bench.json`: its verdict and directory from the
//! outcome, its figures measured from the `history.jsonl` it left.

use crate::run::RunOutcome;
use crate::spec::TestSpec;
use history::Dialect;
use reports::bench::measure::{measure, RunFigures};
use reports::bench::model::BenchRun;
use std::path::Path;
use std::time::Duration;

/// Read and measure a stored history; `spec` gives the main phase's time limit.
pub fn figures(history: &Path, spec: &TestSpec) -> Result<RunFigures, String> {
    let text = std::fs::read_to_string(history)
        .map_err(|e| format!("cannot read {}: {e}", history.display()))?;
    let h = history::jsonl::parse(&text, Dialect::Schism)
        .map_err(|e| format!("cannot measure {}: {e}", history.display()))?;
    let limit = Duration::from_secs_f64(spec.time_limit_s).as_nanos() as u64;
    Ok(measure(h.ops(), Some(limit)))
}

/// A run that ran (it may have stopped early or been interrupted: `error` says so).
pub fn of(o: &RunOutcome, spec: &TestSpec) -> BenchRun {
    let measured = figures(&o.dir.join(&o.result.history), spec);
    let mut error = o.result.error.clone();
    if o.result.interrupted {
        error.get_or_insert_with(|| "interrupted".into());
    }
    let (figures, error) = match measured {
        Ok(f) => (Some(f), error),
        Err(e) => (None, Some(error.map_or(e.clone(), |r| format!("{r}; {e}")))),
    };
    BenchRun {
        seed: o.result.seed,
        dir: Some(o.dir.clone()),
        valid: Some(o.result.valid),
        error,
        figures,
    }
}

/// A run that could not run.
pub fn failed(seed: u64, error: String) -> BenchRun {
    BenchRun {
        seed,
        dir: None,
        valid: None,
        error: Some(error),
        figures: None,
    }
}
