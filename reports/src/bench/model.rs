//! `bench.json`: what a bench ran and measured. Each point (a concurrency level) holds its
//! runs (one per seed, each with its directory, safety verdict and figures) and their
//! figures summed up as the mean, min and max over the seeds.
//!
//! Top-level fields: `command`; `started`, `updated` (UTC); `status` (`running`,
//! `complete`, `interrupted`, `stopped`); `machine` (`cores`, `os`, `arch`); what ran
//! (`test`, `system`, `workload`, `nodes`, `rate`, `time_limit_s`, `nemesis`); `seed` (the
//! first: run k of every point has seed `seed + k`), `seeds`, `levels`; `points`; and
//! `comparison` when a baseline was given.

use super::compare::Comparison;
use super::measure::RunFigures;
use super::quantiles::Quantiles;
use history::Validity;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A figure over the seeds of a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Of these values; None when there are none.
    pub fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let fold = |f: fn(f64, f64) -> f64, init| values.iter().copied().fold(init, f);
        Some(Spread {
            mean: values.iter().sum::<f64>() / values.len() as f64,
            min: fold(f64::min, f64::INFINITY),
            max: fold(f64::max, f64::NEG_INFINITY),
        })
    }
}

/// Each latency quantile over the seeds of a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuantileSpread {
    pub p50: Spread,
    pub p90: Spread,
    pub p99: Spread,
    pub p999: Spread,
    pub max: Spread,
}

impl QuantileSpread {
    /// Of the runs' quantiles; None when there are none.
    pub fn of(runs: &[Quantiles]) -> Option<QuantileSpread> {
        let at = |i: usize| Spread::of(&runs.iter().map(|q| q.values()[i]).collect::<Vec<_>>());
        Some(QuantileSpread {
            p50: at(0)?,
            p90: at(1)?,
            p99: at(2)?,
            p999: at(3)?,
            max: at(4)?,
        })
    }

    /// The spreads in the order of [`super::quantiles::NAMES`].
    pub fn spreads(&self) -> [Spread; 5] {
        [self.p50, self.p90, self.p99, self.p999, self.max]
    }
}

/// One run of a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchRun {
    pub seed: u64,
    /// The run's directory in the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    /// The run's safety verdict (absent when it could not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<Validity>,
    /// Why the run stopped early, could not run, or could not be measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures: Option<RunFigures>,
}

/// One concurrency level: its runs and their figures over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub concurrency: usize,
    /// `ok` ops per second.
    pub throughput: Option<Spread>,
    pub latency_ms: Option<QuantileSpread>,
    /// Latencies of ops invoked outside fault windows (with a nemesis).
    #[serde(default)]
    pub healthy_ms: Option<QuantileSpread>,
    /// Latencies of ops invoked inside fault windows (with a nemesis).
    #[serde(default)]
    pub faulted_ms: Option<QuantileSpread>,
    /// Safety verdicts of the runs.
    #[serde(default)]
    pub valid: usize,
    #[serde(default)]
    pub invalid: usize,
    #[serde(default)]
    pub unknown: usize,
    /// Runs that stopped early or could not run.
    #[serde(default)]
    pub errors: usize,
    #[serde(default)]
    pub runs: Vec<BenchRun>,
}

impl Point {
    pub fn new(concurrency: usize) -> Point {
        Point {
            concurrency,
            throughput: None,
            latency_ms: None,
            healthy_ms: None,
            faulted_ms: None,
            valid: 0,
            invalid: 0,
            unknown: 0,
            errors: 0,
            runs: Vec::new(),
        }
    }

    /// Add a run and sum the figures up again.
    pub fn add(&mut self, run: BenchRun) {
        match run.valid {
            Some(Validity::Valid) => self.valid += 1,
            Some(Validity::Invalid) => self.invalid += 1,
            Some(Validity::Unknown) => self.unknown += 1,
            None => {}
        }
        if run.error.is_some() {
            self.errors += 1;
        }
        self.runs.push(run);
        let figures: Vec<&RunFigures> = self
            .runs
            .iter()
            .filter_map(|r| r.figures.as_ref())
            .collect();
        let quantiles = |pick: fn(&RunFigures) -> Option<Quantiles>| {
            QuantileSpread::of(&figures.iter().filter_map(|f| pick(f)).collect::<Vec<_>>())
        };
        self.throughput = Spread::of(&figures.iter().map(|f| f.throughput).collect::<Vec<_>>());
        self.latency_ms = quantiles(|f| f.latency_ms);
        self.healthy_ms = quantiles(|f| f.healthy_ms);
        self.faulted_ms = quantiles(|f| f.faulted_ms);
    }
}

/// This machine, as far as it bears on the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// The CPUs this process may use.
    pub cores: usize,
    pub os: String,
    pub arch: String,
}

impl Machine {
    pub fn this() -> Machine {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
        }
    }
}

/// Where a bench (or a `schism sweep`, which records its status the same way) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    /// Every run finished.
    Complete,
    /// Ctrl-C: stopped after the run under way.
    Interrupted,
    /// A run could not run (or, in a bench, stopped early); the runs stopped there.
    Stopped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Complete => "complete",
            Status::Interrupted => "interrupted",
            Status::Stopped => "stopped",
        }
    }
}

/// `bench.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bench {
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub started: String,
    #[serde(default)]
    pub updated: String,
    pub status: Status,
    pub machine: Machine,
    #[serde(default)]
    pub test: String,
    #[serde(default)]
    pub system: String,
    #[serde(default)]
    pub workload: String,
    #[serde(default)]
    pub nodes: usize,
    /// The spec's rate limit (0: none).
    #[serde(default)]
    pub rate: f64,
    #[serde(default)]
    pub time_limit_s: f64,
    /// The faults of the nemesis (empty: none).
    #[serde(default)]
    pub nemesis: Vec<String>,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub seeds: usize,
    #[serde(default)]
    pub levels: Vec<usize>,
    pub points: Vec<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

impl Bench {
    /// The runs whose safety verdict is not valid: (concurrency, seed, verdict).
    pub fn not_valid(&self) -> Vec<(usize, u64, Validity)> {
        self.points
            .iter()
            .flat_map(|p| {
                p.runs.iter().filter_map(move |r| match r.valid {
                    Some(v) if v != Validity::Valid => Some((p.concurrency, r.seed, v)),
                    _ => None,
                })
            })
            .collect()
    }

    /// The point of this concurrency.
    pub fn point(&self, concurrency: usize) -> Option<&Point> {
        self.points.iter().find(|p| p.concurrency == concurrency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(throughput: f64, p50: f64) -> RunFigures {
        let q = Quantiles::from_values([p50, p50 * 2.0, p50 * 3.0, p50 * 4.0, p50 * 5.0]);
        RunFigures {
            ok_ops: 0,
            main_phase_s: 1.0,
            throughput,
            latency_ms: Some(q),
            healthy_ms: Some(q),
            faulted_ms: None,
            faulted_ops: 0,
            fault_s: 0.0,
        }
    }

    fn run(seed: u64, valid: Validity, f: Option<RunFigures>) -> BenchRun {
        BenchRun {
            seed,
            dir: Some(format!("store/t/{seed}").into()),
            valid: Some(valid),
            error: None,
            figures: f,
        }
    }

    #[test]
    fn spreads_are_mean_min_and_max() {
        let s = Spread::of(&[1.0, 2.0, 6.0]).unwrap();
        assert_eq!((s.mean, s.min, s.max), (3.0, 1.0, 6.0));
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn a_point_sums_up_its_runs_and_counts_verdicts() {
        let mut p = Point::new(4);
        p.add(run(1, Validity::Valid, Some(figures(100.0, 1.0))));
        p.add(run(2, Validity::Invalid, Some(figures(300.0, 3.0))));
        p.add(run(3, Validity::Unknown, None));
        let t = p.throughput.unwrap();
        assert_eq!((t.mean, t.min, t.max), (200.0, 100.0, 300.0));
        let l = p.latency_ms.unwrap();
        assert_eq!((l.p99.mean, l.p99.min, l.p99.max), (6.0, 3.0, 9.0));
        assert_eq!(l.spreads()[4].max, 15.0);
        assert!(p.healthy_ms.is_some());
        assert!(p.faulted_ms.is_none());
        assert_eq!((p.valid, p.invalid, p.unknown, p.errors), (1, 1, 1, 0));
        let bench = Bench {
            command: vec!["schism".into(), "bench".into()],
            started: String::new(),
            updated: String::new(),
            status: Status::Complete,
            machine: Machine::this(),
            test: "t".into(),
            system: "memory".into(),
            workload: "register".into(),
            nodes: 3,
            rate: 0.0,
            time_limit_s: 1.0,
            nemesis: Vec::new(),
            seed: 1,
            seeds: 3,
            levels: vec![4],
            points: vec![p],
            comparison: None,
        };
        assert_eq!(
            bench.not_valid(),
            vec![(4, 2, Validity::Invalid), (4, 3, Validity::Unknown)]
        );
        assert!(bench.machine.cores >= 1);
        let text = serde_json::to_string(&bench).unwrap();
        let back: Bench = serde_json::from_str(&text).unwrap();
        assert_eq!(back, bench);
    }
}
