//! `schism check`: check stored or foreign histories for linearizability, or (with
//! `--workload`) by the checkers of a workload.

use crate::check_input::Read;
use crate::exit::ExitCode;
use checkers::linearizable::{self, ModelKind, Options};
use clap::Args;
use history::{Dialect, Format};
use reports::results::{summary_line, text_line, FileResult, Results};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Judge by a workload's checkers instead of linearizability: list-append,
    /// rw-register (Elle-style transactional checking), bank, set, g-set, broadcast,
    /// g-counter, pn-counter, unique-ids, echo, lock, consensus, generals,
    /// interactive-consistency, ledger.
    #[arg(long)]
    pub workload: Option<String>,
    /// list-append, rw-register: the consistency model judged (read-committed,
    /// snapshot-isolation, serializable, strict-serializable; default strict-serializable).
    #[arg(long, value_name = "MODEL")]
    pub txn_model: Option<String>,
    /// bank: the total every read must show (default: the sum of the open op's balances,
    /// else the sum most complete reads show).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub bank_total: Option<i64>,
    /// The sequential model: register, cas-register or kv (default: from the ops' functions).
    #[arg(long, value_parser = ["register", "cas-register", "kv"])]
    pub model: Option<String>,
    /// The history format (default: recognised from the content).
    #[arg(long, default_value = "auto", value_parser = ["auto", "jsonl", "jepsen-edn", "porcupine-etcd", "porcupine-kv"])]
    pub format: String,
    /// How `fail` ops and nil reads are read: knossos (Jepsen EDN's default), porcupine
    /// (Porcupine's logs) or schism (native histories).
    #[arg(long, value_parser = ["knossos", "porcupine", "schism"])]
    pub dialect: Option<String>,
    /// Give up after this many seconds per file; the verdict is then unknown.
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// Give up when the search holds this many MiB; the verdict is then unknown.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub memory_limit: usize,
    /// Refuse history files larger than this many MiB (only regular files are read).
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub max_history_mb: u64,
    /// Check every key to the end even after one is not linearizable (default: stop, the
    /// verdict is invalid either way).
    #[arg(long)]
    pub all_keys: bool,
    /// Skip the quick refutation of impossible reads; decide by search alone (for
    /// measuring the search).
    #[arg(long)]
    pub search_only: bool,
    /// One JSON object per file on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print each anomaly's explanation (the default when checking a single file).
    #[arg(long)]
    pub explain: bool,
    /// Also write every file's result to this results.json.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// History files, or directories to check every history file in.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

const HISTORY_EXTENSIONS: [&str; 4] = ["jsonl", "edn", "log", "txt"];

/// Run the command; returns the exit code.
pub fn run(args: &CheckArgs) -> ExitCode {
    let options = match options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("schism check: {e}");
            return ExitCode::BadInput;
        }
    };
    let fmt = Format::parse(&args.format);
    let files = match expand(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("schism check: {e}");
            return ExitCode::BadInput;
        }
    };
    let by_workload = match args.workload.as_deref().filter(|w| *w != "register") {
        None => None,
        Some(w) => {
            use crate::check_workload::{checkers_for, CheckOption};
            let mut given = Vec::new();
            if let Some(m) = &args.txn_model {
                given.push(CheckOption {
                    flag: "--txn-model",
                    value: serde_json::json!(m),
                    section: "txn",
                    field: "model",
                });
            }
            if let Some(t) = args.bank_total {
                given.push(CheckOption {
                    flag: "--bank-total",
                    value: serde_json::json!(t),
                    section: "bank",
                    field: "expected_total",
                });
            }
            // --time-limit bounds these checkers too (checked again below for the others).
            let secs = args
                .time_limit
                .filter(|t| t.is_finite() && *t > 0.0 && *t <= 1e7);
            let time_limit = Some(std::time::Duration::from_secs_f64(secs.unwrap_or(60.0)));
            match checkers_for(w, given, time_limit) {
                Ok(c) => Some((w, c)),
                Err(e) => {
                    eprintln!("schism check: {e}");
                    return ExitCode::BadInput;
                }
            }
        }
    };
    let max_bytes = args.max_history_mb.saturating_mul(1 << 20);
    let explain = args.explain || files.len() == 1;
    let mut results = Vec::with_capacity(files.len());
    // Output errors (a closed pipe) are ignored: the exit code still tells the verdict.
    let mut out = std::io::stdout().lock();
    for file in &files {
        let read = Read {
            path: file,
            format: fmt,
            dialect: options.dialect,
            max_bytes,
        };
        let r = match &by_workload {
            Some((w, checkers)) => crate::check_workload::check_file(&read, w, checkers),
            None => check_file(&read, &options),
        };
        if args.json {
            let _ = writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
        } else {
            let _ = writeln!(out, "{}", text_line(&r));
            for note in &r.notes {
                let _ = writeln!(out, "    note: {note}");
            }
            if explain {
                for a in &r.anomalies {
                    let _ = writeln!(out, "{}", indent(&a.explanation));
                }
            }
        }
        let _ = out.flush();
        results.push(r);
    }
    let results = Results::new(results);
    if !args.json {
        let _ = writeln!(out, "{}", summary_line(&results));
    }
    if let Some(path) = &args.results {
        if let Err(e) = results.write(path) {
            eprintln!("schism check: cannot write {}: {e}", path.display());
            return ExitCode::HarnessError;
        }
    }
    for r in results.files.iter().filter(|r| r.error.is_some()) {
        eprintln!("schism check: {}", r.error.as_deref().unwrap_or_default());
    }
    if results.errors() > 0 {
        ExitCode::BadInput
    } else {
        ExitCode::of(results.valid)
    }
}

fn options(args: &CheckArgs) -> Result<Options, String> {
    let time_limit = match args.time_limit {
        None => None,
        Some(s) => Some(crate::limits::seconds("--time-limit", s, false)?),
    };
    if args.memory_limit == 0 {
        return Err("--memory-limit must be at least 1 MiB".into());
    }
    Ok(Options {
        model: args.model.as_deref().and_then(ModelKind::parse),
        dialect: args.dialect.as_deref().and_then(Dialect::parse),
        time_limit,
        memory_limit_bytes: args.memory_limit.saturating_mul(1 << 20),
        all_keys: args.all_keys,
        refute: !args.search_only,
    })
}

/// Files as given, and the history files under each directory, in name order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out).map_err(|e| format!("{}: cannot list: {e}", p.display()))?;
            if out.len() == before {
                return Err(format!(
                    "{}: no history files (*.{}) in this directory",
                    p.display(),
                    HISTORY_EXTENSIONS.join(", *.")
                ));
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| HISTORY_EXTENSIONS.contains(&e))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Read and check one file; any problem becomes the file's error.
pub fn check_file(read: &Read, options: &Options) -> FileResult {
    let name = read.path.display().to_string();
    let (history, format) = match read.history() {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let report = match linearizable::check(&history, options) {
        Ok(r) => r,
        Err(e) => return FileResult::error(&name, format!("{name}:{}: {}", e.line, e.message)),
    };
    FileResult {
        model: report.model.into(),
        dialect: report.dialect.as_str().into(),
        format: format.as_str().into(),
        ops: report.ops,
        keys: report.keys.len(),
        elapsed_ms: report.elapsed.as_secs_f64() * 1e3,
        reason: report.verdict.reason.clone(),
        notes: history.notes(),
        anomalies: report.verdict.anomalies,
        ..FileResult::new(&name, report.verdict.validity)
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
