//! What `schism shrink` writes in its directory: `spec.yaml` (replays the smallest
//! failing schedule: `schism run DIR/spec.yaml`), `shrink.json` (for programs) and
//! `shrink.md` (for people): the faults and the run's length before and after, the
//! reproduction rate of the result, the runs used and every candidate tried.

use super::recorded::{planned, spec_of};
use super::reduce::{Candidate, Outcome, Shrunk, Tried};
use crate::spec::TestSpec;
use history::Value;
use nemesis::fixed::Planned;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Still searching (what was found so far).
    Running,
    /// Every step was done.
    Complete,
    /// The budget of runs or time was spent.
    Budget,
    /// The original schedule, replayed, did not fail often enough to shrink.
    NotReproduced,
    /// Ctrl-C (or SIGTERM).
    Interrupted,
    /// A run could not run.
    Error,
}

/// `shrink.json`.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The run shrunk.
    pub run_dir: PathBuf,
    pub seed: Option<u64>,
    pub status: Status,
    /// Why it stopped before the end, if it did.
    pub stopped: Option<String>,
    pub tries: usize,
    pub min_share: f64,
    pub faults_before: usize,
    pub faults_after: usize,
    pub run_s_before: f64,
    pub run_s_after: f64,
    /// The tries of the result (the original run's own when nothing smaller failed).
    pub reproduction: Outcome,
    pub reproduction_rate: f64,
    pub runs: usize,
    pub elapsed_s: f64,
    /// The result's schedule, and the original one.
    pub schedule: Vec<Planned>,
    pub original: Vec<Planned>,
    /// Of the original schedule, the faults kept (their places in it, from 0).
    pub kept: Vec<usize>,
    pub candidates: Vec<Tried>,
    /// The spec that replays the result (`spec.yaml` beside this file).
    pub spec: String,
}

impl Report {
    pub fn new(
        (run_dir, out): (&Path, &Path),
        base: &TestSpec,
        original: &Candidate<Value>,
        shrunk: &Shrunk<Value>,
        status: Status,
        (tries, min_share): (usize, f64),
    ) -> Report {
        Report {
            run_dir: run_dir.to_path_buf(),
            seed: base.seed,
            status,
            stopped: shrunk.stopped.clone(),
            tries,
            min_share,
            faults_before: original.windows.len(),
            faults_after: shrunk.best.windows.len(),
            run_s_before: original.run_s,
            run_s_after: shrunk.best.run_s,
            reproduction: shrunk.outcome,
            reproduction_rate: shrunk.outcome.share(),
            runs: shrunk.runs,
            elapsed_s: shrunk.elapsed.as_secs_f64(),
            schedule: planned(&shrunk.best),
            original: planned(original),
            kept: shrunk.best.ids(),
            candidates: shrunk.tried.clone(),
            spec: out.join("spec.yaml").display().to_string(),
        }
    }

    /// Write spec.yaml (of `base` with the result's schedule), shrink.json and shrink.md
    /// into `out`.
    pub fn write(
        &self,
        out: &Path,
        base: &TestSpec,
        best: &Candidate<Value>,
    ) -> std::io::Result<()> {
        let spec = spec_of(base, best);
        let yaml = serde_yaml::to_string(&spec).map_err(std::io::Error::other)?;
        std::fs::write(out.join("spec.yaml"), yaml)?;
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(out.join("shrink.json"), json + "\n")?;
        std::fs::write(out.join("shrink.md"), self.markdown())
    }

    /// shrink.md.
    pub fn markdown(&self) -> String {
        let mut m = String::new();
        let _ = writeln!(m, "# schism shrink: {}\n", self.run_dir.display());
        let (f, t) = (self.reproduction.failures, self.reproduction.tries);
        let _ = writeln!(
            m,
            "| | before | after |\n|---|---|---|\n| faults | {} | {} |\n| run length | {:.1} s | {:.1} s |\n",
            self.faults_before, self.faults_after, self.run_s_before, self.run_s_after
        );
        let _ = writeln!(
            m,
            "Reproduction: failed in {f} of {t} tries ({:.0} %), seed {}. {} runs in {:.0} s; \
             {}.\n",
            100.0 * self.reproduction_rate,
            self.seed.map_or("?".into(), |s| s.to_string()),
            self.runs,
            self.elapsed_s,
            match (&self.status, &self.stopped) {
                (Status::Complete, _) => "complete".to_string(),
                (_, Some(why)) => format!("stopped: {why}"),
                (s, None) => format!("{s:?}").to_lowercase(),
            }
        );
        let _ = writeln!(m, "Replay: `schism run {}`\n", self.spec);
        let _ = writeln!(m, "## The schedule found\n");
        let _ = writeln!(
            m,
            "| fault (original #) | at | until | fault |\n|---|---|---|---|"
        );
        for (p, id) in self.schedule.iter().zip(&self.kept) {
            let _ = writeln!(
                m,
                "| {id} | {:.2} s | {:.2} s | `{}` |",
                p.at_s, p.end_s, p.fault
            );
        }
        let _ = writeln!(m, "\n## Candidates tried\n");
        let _ = writeln!(
            m,
            "| # | step | faults | run | failed | kept |\n|---|---|---|---|---|---|"
        );
        for c in &self.candidates {
            let ids: Vec<String> = c.ids.iter().map(|i| i.to_string()).collect();
            let _ = writeln!(
                m,
                "| {} | {} | {} ({}) | {:.1} s | {}/{} | {} |",
                c.k,
                c.step.as_str(),
                c.ids.len(),
                ids.join(" "),
                c.run_s,
                c.outcome.failures,
                c.outcome.tries,
                if c.kept { "yes" } else { "no" }
            );
        }
        m
    }
}
