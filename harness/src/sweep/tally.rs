//! What a sweep counts: each run reduced to its safety verdict, its liveness and its rate,
//! and each cell's row of counts (the rows of sweep.json and sweep.md).

use super::grid::Cell;
use history::Validity;
use reports::run::RunResult;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One run of a cell.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub seed: u64,
    /// The safety verdict (`valid` of results.json: the worst of the checkers that are not
    /// liveness checkers), absent when the run could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid: Option<Validity>,
    /// Some liveness checker found the run invalid.
    pub liveness_failed: bool,
    /// The checkers that found it invalid.
    pub invalid_checkers: Vec<String>,
    pub ops_per_s: f64,
    /// When its first anomaly had shown itself (results.json's `first_anomaly_s`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_anomaly_s: Option<f64>,
    pub interrupted: bool,
    /// Why the run stopped early or could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The run's directory in the store (replay: `schism run <dir>/spec.yaml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    #[serde(skip)]
    checkers: Vec<(String, bool, Validity)>,
}

impl RunRecord {
    /// A run that finished (or stopped early and was checked).
    pub fn of(result: &RunResult, dir: PathBuf) -> RunRecord {
        let checkers: Vec<(String, bool, Validity)> = result
            .checkers
            .iter()
            .map(|v| (v.checker.to_string(), v.liveness, v.validity))
            .collect();
        RunRecord {
            seed: result.seed,
            valid: Some(result.valid),
            liveness_failed: result.liveness == Some(Validity::Invalid),
            invalid_checkers: checkers
                .iter()
                .filter(|c| c.2 == Validity::Invalid)
                .map(|c| c.0.clone())
                .collect(),
            ops_per_s: result.ops_per_s,
            first_anomaly_s: result.first_anomaly_s,
            interrupted: result.interrupted,
            error: result.error.clone(),
            dir: Some(dir),
            checkers,
        }
    }

    /// A run that could not run.
    pub fn failed(seed: u64, error: String) -> RunRecord {
        RunRecord {
            seed,
            valid: None,
            liveness_failed: false,
            invalid_checkers: Vec::new(),
            ops_per_s: 0.0,
            first_anomaly_s: None,
            interrupted: false,
            error: Some(error),
            dir: None,
            checkers: Vec::new(),
        }
    }
}

/// How often a checker found the runs it judged invalid.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckerCount {
    pub liveness: bool,
    pub invalid: usize,
    pub runs: usize,
}

/// One cell's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `{"nodes": "3", "traitors": "1"}`, in the order of the params.
    #[serde(serialize_with = "ordered")]
    pub params: Vec<(String, String)>,
    /// The test name its runs are stored under.
    pub name: String,
    /// Runs with a verdict (valid + invalid + unknown).
    pub runs: usize,
    pub valid: usize,
    pub invalid: usize,
    pub unknown: usize,
    /// Runs some liveness checker found invalid.
    pub liveness_failed: usize,
    /// Runs that stopped early or could not run.
    pub errors: usize,
    pub checkers: BTreeMap<String, CheckerCount>,
    /// The mean of the runs' ops/s (null before a run).
    pub mean_ops_per_s: Option<f64>,
    pub invalid_seeds: Vec<u64>,
    pub unknown_seeds: Vec<u64>,
    pub liveness_failed_seeds: Vec<u64>,
    pub error_seeds: Vec<u64>,
    pub results: Vec<RunRecord>,
}

fn ordered<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

impl Row {
    pub fn new(cell: &Cell, name: String) -> Row {
        Row {
            params: cell.0.clone(),
            name,
            runs: 0,
            valid: 0,
            invalid: 0,
            unknown: 0,
            liveness_failed: 0,
            errors: 0,
            checkers: BTreeMap::new(),
            mean_ops_per_s: None,
            invalid_seeds: Vec::new(),
            unknown_seeds: Vec::new(),
            liveness_failed_seeds: Vec::new(),
            error_seeds: Vec::new(),
            results: Vec::new(),
        }
    }

    /// Count one more run.
    pub fn add(&mut self, r: RunRecord) {
        if r.error.is_some() {
            self.errors += 1;
            self.error_seeds.push(r.seed);
        }
        if let Some(v) = r.valid {
            let n = self.runs as f64;
            self.mean_ops_per_s =
                Some((self.mean_ops_per_s.unwrap_or(0.0) * n + r.ops_per_s) / (n + 1.0));
            self.runs += 1;
            match v {
                Validity::Valid => self.valid += 1,
                Validity::Invalid => {
                    self.invalid += 1;
                    self.invalid_seeds.push(r.seed);
                }
                Validity::Unknown => {
                    self.unknown += 1;
                    self.unknown_seeds.push(r.seed);
                }
            }
        }
        if r.liveness_failed {
            self.liveness_failed += 1;
            self.liveness_failed_seeds.push(r.seed);
        }
        for (name, liveness, v) in &r.checkers {
            let c = self.checkers.entry(name.clone()).or_default();
            c.liveness = *liveness;
            c.runs += 1;
            if *v == Validity::Invalid {
                c.invalid += 1;
            }
        }
        self.results.push(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use history::Verdict;

    fn result(seed: u64, verdicts: Vec<Verdict>, ops_per_s: f64) -> RunResult {
        let (valid, liveness) = RunResult::verdicts(&verdicts);
        RunResult {
            test: "t".into(),
            run_id: "r".into(),
            seed,
            system: "memory".into(),
            workload: workloads::registry::DEFAULT.name.into(),
            nodes: 3,
            concurrency: 2,
            started: String::new(),
            duration_s: 1.0,
            cluster_ready_ms: 0.0,
            valid,
            liveness,
            interrupted: false,
            error: None,
            ops: Default::default(),
            ops_per_s,
            first_anomaly_s: None,
            faults: Vec::new(),
            checkers: verdicts,
            history: "history.jsonl".into(),
        }
    }

    #[test]
    fn rows_count_verdicts_checkers_seeds_and_rates() {
        let cell = Cell(vec![("nodes".into(), "3".into())]);
        let mut row = Row::new(&cell, "t-nodes=3".into());
        let ok = Verdict::new("linearizable", Validity::Valid);
        let bad = Verdict::new("linearizable", Validity::Invalid);
        let unsure = Verdict::new("linearizable", Validity::Unknown);
        row.add(RunRecord::of(&result(10, vec![ok], 100.0), "a".into()));
        row.add(RunRecord::of(&result(11, vec![bad], 200.0), "b".into()));
        row.add(RunRecord::of(&result(12, vec![unsure], 300.0), "c".into()));
        row.add(RunRecord::failed(13, "no docker".into()));
        assert_eq!(
            (row.runs, row.valid, row.invalid, row.unknown),
            (3, 1, 1, 1)
        );
        assert_eq!(row.errors, 1);
        assert_eq!(row.error_seeds, vec![13]);
        assert_eq!(row.invalid_seeds, vec![11]);
        assert_eq!(row.unknown_seeds, vec![12]);
        assert_eq!(row.mean_ops_per_s, Some(200.0));
        let c = &row.checkers["linearizable"];
        assert_eq!((c.invalid, c.runs, c.liveness), (1, 3, false));
        let j = serde_json::to_value(&row).unwrap();
        assert_eq!(j["params"], serde_json::json!({"nodes": "3"}));
        assert_eq!(j["results"][1]["valid"], serde_json::json!(false));
    }

    #[test]
    fn liveness_verdicts_are_not_safety_verdicts() {
        let mut live = Verdict::new("termination", Validity::Invalid);
        live.liveness = true;
        let safe = Verdict::new("ic1", Validity::Valid);
        let r = RunRecord::of(&result(5, vec![safe, live], 1.0), "d".into());
        assert_eq!(r.valid, Some(Validity::Valid));
        assert!(r.liveness_failed);
        assert_eq!(r.invalid_checkers, vec!["termination"]);
        let mut row = Row::new(&Cell::default(), "t".into());
        row.add(r);
        assert_eq!((row.valid, row.invalid, row.liveness_failed), (1, 0, 1));
        assert!(row.checkers["termination"].liveness);
        assert_eq!(row.liveness_failed_seeds, vec![5]);
    }
}
