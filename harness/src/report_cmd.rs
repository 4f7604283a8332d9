//! `schism report`: rebuild the `report.html` of a stored run from its files, or check a
//! history like `schism check` and render its report; and the report every `schism run`
//! writes into its run directory when it ends.

use crate::check_file::check_file;
use crate::check_input::Read;
use crate::exit::ExitCode;
use clap::Args;
use history::Verdict;
use reports::html::{render_history_at, render_run, render_run_at, REPORT_FILE};
use reports::results::{text_line, FileResult};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run directory (its report.html is rebuilt; exit code 0 once written), or a
    /// history file (checked like `schism check`, then rendered; the exit code is its
    /// verdict's).
    pub path: PathBuf,
    /// Where to write the report (default: RUN_DIR/report.html; for a history,
    /// <history stem>.report.html beside it).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// For a history: give up checking after this many seconds (the verdict is then
    /// unknown).
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// For a history: refuse files larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub max_history_mb: u64,
}

/// Run the command. A run directory: 0 once its report is written. A history: the exit
/// code of its verdict, as `schism check` gives it.
pub fn run(args: &ReportArgs) -> ExitCode {
    if args.path.is_dir() {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| args.path.join(REPORT_FILE));
        let html = match render_run_at(&args.path, out.parent()) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("schism report: {e}");
                return ExitCode::BadInput;
            }
        };
        return match write(&out, &html) {
            Ok(()) => ExitCode::Valid,
            Err(code) => code,
        };
    }
    let time_limit = match args
        .time_limit
        .map(|s| crate::limits::seconds("--time-limit", s, false))
    {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!("schism report: {e}");
            return ExitCode::BadInput;
        }
    };
    let workload = workloads::registry::DEFAULT.name;
    let checkers = match crate::check_file::checkers_for(workload, Vec::new(), time_limit) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("schism report: {e}");
            return ExitCode::BadInput;
        }
    };
    let read = Read {
        path: &args.path,
        format: None,
        dialect: None,
        max_bytes: args.max_history_mb.saturating_mul(1 << 20),
    };
    let checked = check_file(&read, workload, &checkers);
    println!("{}", text_line(&checked));
    if let Some(e) = &checked.error {
        eprintln!("schism report: {e}");
        return ExitCode::BadInput;
    }
    let out = args.out.clone().unwrap_or_else(|| beside(&args.path));
    let verdicts = [verdict(checked.clone())];
    let html = match render_history_at(&args.path, &verdicts, out.parent()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("schism report: {e}");
            return ExitCode::BadInput;
        }
    };
    match write(&out, &html) {
        Ok(()) => ExitCode::of(checked.valid),
        Err(code) => code,
    }
}

/// `<stem>.report.html` beside the history.
fn beside(history: &Path) -> PathBuf {
    let stem = history
        .file_stem()
        .map_or_else(|| "history".into(), |s| s.to_string_lossy().into_owned());
    history.with_file_name(format!("{stem}.report.html"))
}

fn write(out: &Path, html: &str) -> Result<(), ExitCode> {
    match std::fs::write(out, html) {
        Ok(()) => {
            println!("report: {}", out.display());
            Ok(())
        }
        Err(e) => {
            eprintln!("schism report: cannot write {}: {e}", out.display());
            Err(ExitCode::HarnessError)
        }
    }
}

/// A checked file's result as the linearizability checker's verdict.
fn verdict(r: FileResult) -> Verdict {
    let mut v = Verdict::new("linearizable", r.valid);
    v.reason = r.reason;
    v.anomalies = r.anomalies;
    for (k, val) in [
        ("model", r.model.into()),
        ("dialect", r.dialect.into()),
        ("format", r.format.into()),
        ("ops", r.ops.into()),
        ("keys", r.keys.into()),
        ("elapsed_ms", r.elapsed_ms.into()),
    ] {
        v.stats.insert(k.into(), val);
    }
    v
}

/// Write `report.html` into a finished run's directory. A failure is logged as a
/// warning: it never fails the run.
pub fn write_run_report(dir: &Path) {
    let started = Instant::now();
    let out = dir.join(REPORT_FILE);
    match render_run(dir).map(|html| std::fs::write(&out, &html).map(|()| html.len())) {
        Ok(Ok(bytes)) => tracing::info!(
            bytes,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "{REPORT_FILE} written"
        ),
        Ok(Err(e)) => tracing::warn!("{REPORT_FILE} not written: {}: {e}", out.display()),
        Err(e) => tracing::warn!("{REPORT_FILE} not written: {e}"),
    }
}
