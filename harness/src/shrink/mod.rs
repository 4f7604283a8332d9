//! `schism shrink RUN_DIR`: given an invalid run, find a smaller fault schedule that still
//! makes it fail (see docs/shrink.md). The run's faults become windows
//! ([`recorded`]); each candidate schedule is run for real, in this process, with the
//! run's spec and seed and the schedule as `nemesis.schedule`, `--tries` times, and kept
//! when it fails in at least `--min-share` of them; the search ([`reduce`]) drops faults
//! (halves, then smaller chunks, then single faults), shortens the faults it kept, then
//! the run. A progress line follows each candidate; the out directory (default
//! `RUN_DIR/shrink/`) gets `spec.yaml` (replays the result), `shrink.json`, `shrink.md`
//! ([`report`]; rewritten after each candidate, status `running`, so a killed shrink
//! leaves what it had found), and the candidates' runs under `runs/`.
//!
//! Exit codes: 0 when the search ended (complete, its budget spent, or the original
//! schedule not failing again when replayed), 130 after Ctrl-C
//! (the run under way is finished; what was found is written), 254 a bad argument or a
//! run that cannot be shrunk (not invalid, no faults, files missing), 255 a candidate that
//! could not run (what was found before it is written).

pub mod recorded;
pub mod reduce;
pub mod report;

use crate::exit::ExitCode;
use clap::Args;
use reduce::{Budget, Candidate, Outcome, Progress, Try};
use report::{Report, Status};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ShrinkArgs {
    /// The directory of a stored invalid run (its spec.yaml, results.json and
    /// history.jsonl), such as store/latest.
    pub run_dir: PathBuf,
    /// Runs of each candidate schedule (same seed each time: a real cluster is not
    /// deterministic).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub tries: usize,
    /// A candidate is kept when at least this share of its tries fail.
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    pub min_share: f64,
    /// At most this many runs in all.
    #[arg(long, value_name = "N")]
    pub max_runs: Option<usize>,
    /// No run starts after this many seconds.
    #[arg(long, value_name = "S")]
    pub time_budget_s: Option<f64>,
    /// A shortened run ends this many seconds after the first anomaly.
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    pub margin_s: f64,
    /// Re-aim faults that were aimed at the leader of their time (`isolate-leader`
    /// partitions) at the leader of each replay (`nemesis.reaim_leader`), instead of the
    /// nodes recorded.
    #[arg(long)]
    pub reaim_leader: bool,
    /// Where spec.yaml, shrink.json, shrink.md and the candidates' runs go (default
    /// RUN_DIR/shrink).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

impl ShrinkArgs {
    /// The budget of the search; an error names the flag.
    fn budget(&self) -> Result<Budget, String> {
        if self.tries == 0 || self.tries > 1000 {
            return Err(format!(
                "--tries must be between 1 and 1000, not {}",
                self.tries
            ));
        }
        if !(0.0..=1.0).contains(&self.min_share) {
            return Err(format!(
                "--min-share must be between 0 and 1, not {}",
                self.min_share
            ));
        }
        if self.max_runs == Some(0) {
            return Err("--max-runs must be at least 1".into());
        }
        let seconds = |flag: &str, s: f64| match Duration::try_from_secs_f64(s) {
            Ok(d) if s <= 1e9 => Ok(d),
            _ => Err(format!("{flag} must be a number of seconds, not {s}")),
        };
        let time = self
            .time_budget_s
            .map(|s| seconds("--time-budget-s", s))
            .transpose()?;
        seconds("--margin-s", self.margin_s)?;
        Ok(Budget {
            tries: self.tries,
            min_share: self.min_share,
            max_runs: self.max_runs,
            time,
            margin_s: self.margin_s,
            ..Budget::default()
        })
    }
}

/// Run the command; returns the exit code.
pub fn run(args: &ShrinkArgs) -> ExitCode {
    let say = |code: ExitCode, e: String| {
        eprintln!("schism shrink: {e}");
        code
    };
    let budget = match args.budget() {
        Ok(b) => b,
        Err(e) => return say(ExitCode::BadInput, e),
    };
    let recorded = match recorded::read(&args.run_dir) {
        Ok(r) => r,
        Err((code, e)) => return say(code, e),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.run_dir.join("shrink"));
    let crate::grid_runs::Setup { out, rt, stop } =
        match crate::grid_runs::setup("shrink", Some(&out), &recorded.spec.store, "shrinks") {
            Ok(s) => s,
            Err(_) => return ExitCode::HarnessError,
        };
    let mut base = recorded.spec.clone();
    base.nemesis.reaim_leader |= args.reaim_leader;
    let original = recorded.schedule.clone();
    eprintln!(
        "schism shrink: {} faults in a run of {:.1} s (seed {}), {} tries a candidate",
        original.windows.len(),
        original.run_s,
        base.seed.unwrap_or(0),
        budget.tries
    );
    let runs_store = out.join("runs");
    let mut could_not_run = false;
    let oracle = |c: &Candidate<history::Value>| {
        if stop.load(Ordering::SeqCst) {
            return Try::Stop("interrupted".into());
        }
        let mut spec = recorded::spec_of(&base, c);
        spec.store = runs_store.clone();
        let span = tracing::info_span!("candidate", faults = c.windows.len());
        let outcome = rt.block_on(tracing::Instrument::instrument(
            crate::run::run(spec, |_| {}),
            span,
        ));
        match outcome {
            Err(e) => {
                could_not_run = true;
                Try::Stop(format!("a candidate could not run: {e}"))
            }
            Ok(_) if stop.load(Ordering::SeqCst) => Try::Stop("interrupted".into()),
            Ok(o) if o.result.valid == history::Validity::Invalid => Try::Failed {
                first_anomaly_s: o.result.first_anomaly_s,
            },
            Ok(_) => Try::Passed,
        }
    };
    let shrunk = reduce::shrink(
        original.clone(),
        Outcome::failed_once(recorded.first_anomaly_s),
        &budget,
        oracle,
        |p| {
            eprintln!("{}", progress_line(p));
            // What was found so far, in case the shrink is killed.
            let report = Report::new(
                (&args.run_dir, &out),
                &base,
                &original,
                &p.so_far,
                Status::Running,
                (budget.tries, budget.min_share),
            );
            if let Err(e) = report.write(&out, &base, &p.so_far.best) {
                tracing::warn!("cannot write the result so far in {}: {e}", out.display());
            }
        },
    );
    rt.shutdown_background();
    let interrupted = stop.load(Ordering::SeqCst);
    let unreproduced = shrunk
        .tried
        .first()
        .is_some_and(|t| t.step == reduce::Step::Original && !t.kept);
    let status = match &shrunk.stopped {
        None => Status::Complete,
        Some(_) if unreproduced => Status::NotReproduced,
        Some(_) if interrupted => Status::Interrupted,
        Some(_) if could_not_run => Status::Error,
        Some(_) => Status::Budget,
    };
    let report = Report::new(
        (&args.run_dir, &out),
        &base,
        &original,
        &shrunk,
        status,
        (budget.tries, budget.min_share),
    );
    if let Err(e) = report.write(&out, &base, &shrunk.best) {
        return say(
            ExitCode::HarnessError,
            format!("cannot write the result in {}: {e}", out.display()),
        );
    }
    println!("{}", summary(&report, &out));
    match status {
        Status::Complete | Status::Budget | Status::NotReproduced | Status::Running => {
            ExitCode::Valid
        }
        Status::Interrupted => ExitCode::Interrupted,
        Status::Error => ExitCode::HarnessError,
    }
}

/// The line shown after each candidate.
fn progress_line<F>(p: &Progress<'_, F>) -> String {
    let t = p.tried;
    let runs = match p.max_runs {
        Some(m) => format!("{}/{m}", p.runs),
        None => p.runs.to_string(),
    };
    format!(
        "shrink: candidate {} ({}): {}, {:.1} s: failed {}/{} ({:.0} %), {}; \
         smallest so far {}; {runs} runs, {:.0} s",
        t.k,
        t.step.as_str(),
        faults(t.ids.len()),
        t.run_s,
        t.outcome.failures,
        t.outcome.tries,
        100.0 * t.outcome.share(),
        if t.kept { "kept" } else { "dropped" },
        faults(p.best_faults),
        p.elapsed.as_secs_f64()
    )
}

/// "1 fault", "3 faults".
fn faults(n: usize) -> String {
    match n {
        1 => "1 fault".into(),
        n => format!("{n} faults"),
    }
}

/// What is printed at the end.
fn summary(r: &Report, out: &Path) -> String {
    format!(
        "faults: {} -> {}; run: {:.1} s -> {:.1} s; reproduced {}/{} ({:.0} %); {} runs, \
         {:.0} s ({})\nreplay: schism run {}\nreport: {}",
        r.faults_before,
        r.faults_after,
        r.run_s_before,
        r.run_s_after,
        r.reproduction.failures,
        r.reproduction.tries,
        100.0 * r.reproduction_rate,
        r.runs,
        r.elapsed_s,
        match &r.stopped {
            None => "complete".to_string(),
            Some(why) => format!("stopped: {why}"),
        },
        r.spec,
        out.join("shrink.md").display()
    )
}
