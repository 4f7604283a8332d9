//! The detection matrix as a table: one line per cell (system, bug or none, workload, fault
//! setting) with how many of its runs ended invalid, the median time to the first anomaly
//! over those runs, and the runs that ended unknown or could not run; then what falls
//! short of the goal (a planted bug caught in fewer than 9 of 10 runs with the default
//! faults) and every false positive (a system without a bug found invalid).

use crate::sweep::report::Report;
use crate::sweep::tally::Row;
use history::Validity;
use reports::escape::{md_code, md_text};
use std::fmt::Write;

/// The share of runs with the default faults a planted bug must be caught in.
pub const GOAL: f64 = 0.9;

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub system: String,
    /// Empty: the system without a bug.
    pub bug: String,
    pub workload: String,
    /// `default`, or the one fault run alone.
    pub faults: String,
    /// Runs with a verdict.
    pub runs: usize,
    pub invalid: usize,
    pub unknown: usize,
    /// Runs that stopped early or could not run.
    pub errors: usize,
    /// The median over the invalid runs of their time to the first anomaly.
    pub median_first_anomaly_s: Option<f64>,
    pub invalid_seeds: Vec<u64>,
}

impl Line {
    fn of(row: &Row) -> Line {
        let param = |k: &str| {
            row.params
                .iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut times: Vec<f64> = row
            .results
            .iter()
            .filter(|r| r.valid == Some(Validity::Invalid))
            .filter_map(|r| r.first_anomaly_s)
            .collect();
        times.sort_by(f64::total_cmp);
        let faults = match param("nemesis") {
            f if f.is_empty() => "default".to_string(),
            f => f,
        };
        Line {
            system: param("system"),
            bug: param("bug"),
            workload: param("workload"),
            faults,
            runs: row.runs,
            invalid: row.invalid,
            unknown: row.unknown,
            errors: row.errors,
            median_first_anomaly_s: median(&times),
            invalid_seeds: row.invalid_seeds.clone(),
        }
    }

    /// The share of its runs that ended invalid (0 before any).
    pub fn share(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.invalid as f64 / self.runs as f64
        }
    }

    /// `raft stale-read (register)`, or `raft, no bug (register)`.
    pub fn label(&self) -> String {
        match self.bug.as_str() {
            "" => format!("{}, no bug ({})", self.system, self.workload),
            b => format!("{} {b} ({})", self.system, self.workload),
        }
    }
}

/// The command line without the flags that only say where files go (`--store`, `--out`,
/// `--doc`): what ran, not where this machine kept it.
pub fn what_ran(command: &[String]) -> String {
    let place = ["--store", "--out", "--doc"];
    let mut kept = Vec::new();
    let mut skip = false;
    for a in command {
        if std::mem::take(&mut skip) {
            continue;
        }
        if place.contains(&a.as_str()) {
            skip = true;
        } else if !place.iter().any(|p| a.starts_with(&format!("{p}="))) {
            kept.push(a.as_str());
        }
    }
    kept.join(" ")
}

/// The median of sorted values.
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The whole matrix, with what ran it.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub lines: Vec<Line>,
    pub command: String,
    pub runs_per_cell: usize,
    pub seed: u64,
    pub status: String,
    pub updated: String,
}

impl Matrix {
    pub fn of(report: &Report) -> Matrix {
        Matrix {
            lines: report.cells.iter().map(Line::of).collect(),
            command: what_ran(&report.command),
            runs_per_cell: report.test_count,
            seed: report.seed,
            status: report.status.as_str().to_string(),
            updated: report.updated.clone(),
        }
    }

    /// The bugs with the default faults caught in fewer than [`GOAL`] of their runs (or
    /// not run yet).
    pub fn short(&self) -> Vec<&Line> {
        self.lines
            .iter()
            .filter(|l| !l.bug.is_empty() && l.faults == "default" && l.share() < GOAL)
            .collect()
    }

    /// The systems without a bug that some run found invalid.
    pub fn false_positives(&self) -> Vec<&Line> {
        self.lines
            .iter()
            .filter(|l| l.bug.is_empty() && l.invalid > 0)
            .collect()
    }

    /// detection.md: what ran, the chart (`svg_name`, beside the file), the table, and
    /// what falls short.
    pub fn markdown(&self, svg_name: &str) -> String {
        let mut s = String::from("# Detection matrix\n\n");
        let _ = writeln!(
            s,
            "Written by {} ({}, {}): {} runs per cell planned, seeds {} to {}. A cell's runs are \
             counted caught when the run's safety verdict is invalid; the time to the first \
             anomaly is when the first anomaly a checker names had shown itself \
             (results.json's `first_anomaly_s`), the median over the caught runs. The goal: \
             every planted bug caught in at least {:.0} % of its runs with the default \
             faults, and no system without a bug ever invalid. How the defaults were tuned, \
             lever by lever: docs/reference-systems.md, \"How the defaults find the planted \
             bugs\".\n",
            md_code(&self.command),
            md_text(&self.status),
            md_text(&self.updated),
            self.runs_per_cell,
            self.seed,
            self.seed + self.runs_per_cell.saturating_sub(1) as u64,
            GOAL * 100.0
        );
        let _ = writeln!(
            s,
            "![The share of runs that ended invalid, per bug and fault setting]({svg_name})\n"
        );
        s.push_str(
            "| system | bug | workload | faults | caught | share | median time to first anomaly | unknown | errors | invalid seeds |\n\
             |---|---|---|---|---:|---:|---:|---:|---:|---|\n",
        );
        for l in &self.lines {
            let mut seeds: Vec<String> =
                l.invalid_seeds.iter().take(6).map(u64::to_string).collect();
            if l.invalid_seeds.len() > seeds.len() {
                seeds.push(format!("… ({} in all)", l.invalid_seeds.len()));
            }
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {}/{} | {:.0} % | {} | {} | {} | {} |",
                md_text(&l.system),
                if l.bug.is_empty() {
                    "none".into()
                } else {
                    md_text(&l.bug)
                },
                md_text(&l.workload),
                md_text(&l.faults),
                l.invalid,
                l.runs,
                l.share() * 100.0,
                l.median_first_anomaly_s
                    .map_or("".into(), |t| format!("{t:.1} s")),
                l.unknown,
                l.errors,
                seeds.join(", ")
            );
        }
        s.push('\n');
        let short = self.short();
        if short.is_empty() {
            s.push_str("Every planted bug reached the goal with the default faults.\n");
        } else {
            s.push_str("Short of the goal with the default faults:\n\n");
            for l in short {
                let _ = writeln!(s, "- {}: {}/{}", md_text(&l.label()), l.invalid, l.runs);
            }
        }
        let fp = self.false_positives();
        if fp.is_empty() {
            s.push_str("\nNo false positive: no run of a system without a bug was invalid.\n");
        } else {
            s.push_str("\n**False positives** (a system without a bug found invalid):\n\n");
            for l in fp {
                let _ = writeln!(
                    s,
                    "- {} with {}: {}/{} (seeds {:?})",
                    md_text(&l.label()),
                    md_text(&l.faults),
                    l.invalid,
                    l.runs,
                    l.invalid_seeds
                );
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_shown_leaves_out_where_files_went() {
        let c: Vec<String> = "schism detect --runs 2 --store /x --out=/y --doc d.md --seed 5"
            .split(' ')
            .map(String::from)
            .collect();
        assert_eq!(what_ran(&c), "schism detect --runs 2 --seed 5");
    }

    #[test]
    fn a_long_list_of_invalid_seeds_says_how_many_it_leaves_out() {
        let line = |seeds: Vec<u64>| Line {
            system: "paxos".into(),
            bug: "accept-any".into(),
            workload: workloads::registry::DEFAULT.name.into(),
            faults: "default".into(),
            runs: 10,
            invalid: seeds.len(),
            unknown: 0,
            errors: 0,
            median_first_anomaly_s: Some(5.0),
            invalid_seeds: seeds,
        };
        let m = Matrix {
            lines: vec![line((1..=9).collect()), line(vec![4, 5])],
            command: "schism detect".into(),
            runs_per_cell: 10,
            seed: 1,
            status: "complete".into(),
            updated: "now".into(),
        };
        let md = m.markdown("d.svg");
        assert!(md.contains("| 1, 2, 3, 4, 5, 6, … (9 in all) |"), "{md}");
        assert!(md.contains("| 4, 5 |"), "{md}");
    }

    #[test]
    fn medians_of_odd_even_and_no_values() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 10.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), Some(3.0));
    }
}
