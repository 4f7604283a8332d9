//! What `schism sweep` and `schism bench` share: reading the command line into a plan, and
//! the setting up of a grid of runs one at a time in this process (the output directory,
//! the run log, the async runtime and a Ctrl-C that stops after the run under way).

use crate::exit::ExitCode;
use clap::ArgMatches;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Run `schism NAME ...` (the whole command line, program name first): parse it with `cli`
/// (the command line's definition, from `main`, so that no command depends on it), make the
/// plan with `plan` and run it with `run` (given the command line as recorded); returns the
/// exit code. A bad command line or plan is reported and nothing runs.
pub(crate) fn main_with<P>(
    cli: clap::Command,
    argv: Vec<OsString>,
    name: &str,
    plan: impl FnOnce(&ArgMatches) -> Result<P, (ExitCode, String)>,
    run: impl FnOnce(P, Vec<String>) -> i32,
) -> i32 {
    let matches = match cli.try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::BadInput as i32
            } else {
                0
            };
        }
    };
    let m = match matches.subcommand() {
        Some((sub, m)) if sub == name => m,
        _ => {
            eprintln!("schism {name}: the command line is not of a {name}");
            return ExitCode::BadInput as i32;
        }
    };
    let command = std::iter::once("schism".to_string())
        .chain(
            argv.iter()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect();
    match plan(m) {
        Ok(p) => run(p, command),
        Err((code, e)) => {
            eprintln!("schism {name}: {e}");
            code as i32
        }
    }
}

/// What a grid of runs runs in.
pub(crate) struct Setup {
    /// The directory of the sweep or bench (see [`crate::store::out_dir`]).
    pub out: PathBuf,
    pub rt: tokio::runtime::Runtime,
    /// Set on Ctrl-C: stop after the run under way.
    pub stop: Arc<AtomicBool>,
}

/// Make the output directory (`out`, or a new one in `store`/`kind`), start the run log
/// there, start the runtime and listen for Ctrl-C; on failure says why (as `schism NAME`)
/// and returns the exit code.
pub(crate) fn setup(
    name: &str,
    out: Option<&Path>,
    store: &Path,
    kind: &str,
) -> Result<Setup, i32> {
    let out = crate::store::out_dir(out, store, kind).map_err(|e| {
        eprintln!("schism {name}: cannot make the {name}'s directory: {e}");
        ExitCode::HarnessError as i32
    })?;
    crate::runlog::start(&out);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("schism {name}: cannot start the async runtime: {e}");
            ExitCode::HarnessError as i32
        })?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let name = name.to_string();
        rt.spawn(async move {
            let why = crate::signals::stop_requested().await;
            stop.store(true, Ordering::SeqCst);
            eprintln!("schism {name}: {why}: stopping after the run under way");
        });
    }
    Ok(Setup { out, rt, stop })
}
