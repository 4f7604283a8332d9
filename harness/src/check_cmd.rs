//! `schism check`: judge stored or foreign histories by the checkers of a workload
//! (`register`, linearizability per key, unless `--workload` names another).

use crate::check_file::CheckOption;
use crate::check_input::Read;
use crate::exit::ExitCode;
use clap::Args;
use history::{Dialect, Format};
use reports::results::{summary_line, text_line, Results};
use reports::run::TERMINAL_ANOMALIES;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The workload whose checkers judge: register (the default: linearizability per key,
    /// with the model from the ops), list-append,
    /// rw-register (Elle-style transactional checking), bank, set, g-set, broadcast,
    /// g-counter, pn-counter, unique-ids, echo, lock, log, consensus, generals,
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
    /// register: the sequential model, register, cas-register or kv (default: from the
    /// ops' functions).
    #[arg(long, value_parser = model_names())]
    pub model: Option<String>,
    /// The history format (default: recognised from the content).
    #[arg(long, default_value = "auto", value_parser = ["auto", "jsonl", "jepsen-edn", "porcupine-etcd", "porcupine-kv"])]
    pub format: String,
    /// How `fail` ops and nil reads are read: knossos (Jepsen EDN's default), porcupine
    /// (Porcupine's logs) or schism (native histories).
    #[arg(long, value_parser = ["knossos", "porcupine", "schism"])]
    pub dialect: Option<String>,
    /// Give up after this many seconds per file (default: no limit); the verdict is then
    /// unknown.
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// register: give up when the search holds this many MiB (default 1024); the verdict
    /// is then unknown.
    #[arg(long, value_name = "MIB")]
    pub memory_limit: Option<u64>,
    /// Refuse history files larger than this many MiB (only regular files are read).
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub max_history_mb: u64,
    /// register: check every key to the end even after one is not linearizable (default:
    /// stop, the verdict is invalid either way).
    #[arg(long)]
    pub all_keys: bool,
    /// register: skip the quick refutation of impossible reads; decide by search alone
    /// (for measuring the search).
    #[arg(long)]
    pub search_only: bool,
    /// One JSON object per file on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print the explanations of the first anomalies (3, then a count; the default when
    /// checking a single file).
    #[arg(long)]
    pub explain: bool,
    /// Also write every file's result to this results.json.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// History files, or directories to check every history file in; a run's directory
    /// (`store/TEST/RUN`) is its `history.jsonl`, judged by the run's workload unless
    /// `--workload` names another.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// `--model`'s choices: the built-in models of the registry.
fn model_names() -> clap::builder::PossibleValuesParser {
    checkers::linearizable::ModelKind::ALL
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .into()
}

const HISTORY_EXTENSIONS: [&str; 4] = ["jsonl", "edn", "log", "txt"];

/// Run the command; returns the exit code.
pub fn run(args: &CheckArgs) -> ExitCode {
    let time_limit = match time_limit(args) {
        Ok(t) => t,
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
    // Each file's workload: `--workload`, else its run's, else the registry's default.
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(file, run)| {
            let workload = args.workload.clone().or(run);
            (
                file,
                workload.unwrap_or_else(|| workloads::registry::DEFAULT.name.into()),
            )
        })
        .collect();
    let mut checkers_of = std::collections::BTreeMap::new();
    for (_, workload) in &files {
        if checkers_of.contains_key(workload) {
            continue;
        }
        match crate::check_file::checkers_for(workload, given(args), time_limit) {
            Ok(c) => checkers_of.insert(workload.clone(), c),
            Err(e) => {
                eprintln!("schism check: {e}");
                return ExitCode::BadInput;
            }
        };
    }
    let max_bytes = args.max_history_mb.saturating_mul(1 << 20);
    let explain = args.explain || files.len() == 1;
    let mut results = Vec::with_capacity(files.len());
    // Output errors (a closed pipe) are ignored: the exit code still tells the verdict.
    let mut out = std::io::stdout().lock();
    for (file, workload) in &files {
        let checkers = &checkers_of[workload];
        let read = Read {
            path: file,
            format: fmt,
            dialect: args.dialect.as_deref().and_then(Dialect::parse),
            max_bytes,
        };
        let r = crate::check_file::check_file(&read, workload, checkers);
        if args.json {
            let _ = writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
        } else {
            let _ = writeln!(out, "{}", text_line(&r));
            for note in &r.notes {
                let _ = writeln!(out, "    note: {note}");
            }
            if explain {
                for a in r.anomalies.iter().take(TERMINAL_ANOMALIES) {
                    let _ = writeln!(out, "{}", indent(&a.explanation));
                }
                if r.anomalies.len() > TERMINAL_ANOMALIES {
                    let _ = writeln!(
                        out,
                        "    ... and {} more listed (--json or --results shows each)",
                        r.anomalies.len() - TERMINAL_ANOMALIES
                    );
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

/// The checkers' time budget: `--time-limit`, else none.
fn time_limit(args: &CheckArgs) -> Result<Option<Duration>, String> {
    args.time_limit
        .map(|s| crate::limits::seconds("--time-limit", s, false))
        .transpose()
}

/// The workload options the flags give: each belongs to one workload's section, and is
/// refused with another workload.
fn given(args: &CheckArgs) -> Vec<CheckOption<'static>> {
    let mut given = Vec::new();
    let mut give = |flag, value, section, field| {
        given.push(CheckOption {
            flag,
            value,
            section,
            field,
        })
    };
    let mut short = |flag, value| {
        let sh = workloads::registry::shorthand(flag).expect("a registered shorthand");
        give(sh.flag, value, sh.section(), sh.field)
    };
    if let Some(m) = &args.txn_model {
        short("--txn-model", json!(m));
    }
    if let Some(t) = args.bank_total {
        short("--bank-total", json!(t));
    }
    // The default workload's options (linearizability per key).
    let default = workloads::registry::DEFAULT.section.unwrap_or_default();
    if let Some(m) = &args.model {
        give("--model", json!(m), default, "model");
    }
    if let Some(m) = args.memory_limit {
        give("--memory-limit", json!(m), default, "memory_limit_mb");
    }
    if args.all_keys {
        give("--all-keys", json!(true), default, "all_keys");
    }
    if args.search_only {
        give("--search-only", json!(true), default, "search_only");
    }
    given
}

/// Files as given, and the history files under each directory, in name order; each with
/// the workload of the run whose directory it is in (a run's directory holds only its
/// `history.jsonl` for checking).
fn expand(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Option<String>)>, String> {
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
            out.push((p.clone(), None));
        }
    }
    Ok(out)
}

/// The workload of the run stored in `dir`, when it is a run's directory (its
/// `results.json` names it beside a `history.jsonl`).
fn run_workload(dir: &Path) -> Option<String> {
    if !dir.join("history.jsonl").is_file() {
        return None;
    }
    let text = std::fs::read_to_string(dir.join("results.json")).ok()?;
    let results: serde_json::Value = serde_json::from_str(&text).ok()?;
    results["workload"].as_str().map(String::from)
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Option<String>)>) -> std::io::Result<()> {
    if let Some(workload) = run_workload(dir) {
        out.push((dir.join("history.jsonl"), Some(workload)));
        return Ok(());
    }
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
            out.push((p, None));
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
