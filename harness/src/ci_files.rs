//! The files for CI written beside `results.json` at the end of every run: `junit.xml`
//! (test results) and `summary.md` (a step summary). They are a convenience: a failure to
//! write one is a warning, never a failure of the run.

use reports::run::RunResult;
use std::path::Path;

/// Write `junit.xml` and `summary.md` into the run directory `dir`.
pub fn write(result: &RunResult, dir: &Path) {
    if let Err(e) = reports::junit::write(result, dir) {
        tracing::warn!("could not write {}: {e}", dir.join("junit.xml").display());
    }
    if let Err(e) = reports::summary::write(result, dir) {
        tracing::warn!("could not write {}: {e}", dir.join("summary.md").display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_cannot_be_written_is_only_a_warning() {
        let r: RunResult = serde_json::from_value(serde_json::json!({
            "test": "t", "run_id": "r", "seed": 1, "system": "memory", "workload": workloads::registry::DEFAULT.name,
            "nodes": 1, "concurrency": 1, "started": "20260101T000000Z", "duration_s": 1.0,
            "cluster_ready_ms": 0.0, "valid": true, "interrupted": false,
            "ops": {"ok": 1, "fail": 0, "info": 0}, "ops_per_s": 1.0, "faults": [],
            "checkers": [], "history": "history.jsonl"
        }))
        .unwrap();
        let missing =
            std::env::temp_dir().join(format!("schism-ci-files-{}/no/such", std::process::id()));
        write(&r, &missing);
        assert!(!missing.exists());
    }
}
