//! `schism sweep`: a grid of runs (every combination of the `--param` values, each
//! `--test-count` times with seeds SEED, SEED+1, ...), one at a time in this process, and a
//! table of their verdicts in `sweep.json` and `sweep.md` (see docs/running.md, "Sweeps").
//!
//! Each run gets the sweep's run flags, then its cell's `--FIELD=value` and `--seed`, parsed
//! as `schism run` parses them; every cell's spec is checked before the first run. Runs go
//! round the cells (run k of every cell, then run k+1), so a stopped sweep has sampled
//! every cell evenly.
//!
//! Exit codes: 0 when every run finished, whatever the verdicts (a sweep measures); 254 a
//! bad param or a cell whose spec cannot be used (nothing has run); 255 a run that could not
//! run (the sweep stops there) or stopped early; 130 after Ctrl-C (the run under way is
//! finished and checked). What was done is written in every case.

pub mod cell_spec;
pub mod grid;
pub mod report;
pub mod table;
pub mod tally;

use crate::exit::ExitCode;
use crate::run_cmd::RunArgs;
use crate::spec::TestSpec;
use clap::Args;
use clap::{ArgMatches, FromArgMatches};
use grid::Cell;
use report::{Report, Status};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::SystemTime;
use tally::{Row, RunRecord};
use tracing::Instrument;

/// `schism sweep`: every flag of `schism run` (applied to every run), and the grid.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// FIELD=V1,V2,...: a run flag without its dashes and the values to try, each as it
    /// would be given on the command line (`;` inside a value stands for a comma:
    /// `nemesis=partition;kill,none`). Repeat for more dimensions: every combination runs.
    #[arg(long, value_name = "FIELD=V1,V2,...")]
    pub param: Vec<String>,
    /// Runs of each combination, with seeds SEED, SEED+1, ... (SEED from --seed, else drawn).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub test_count: usize,
    /// Where sweep.json, sweep.md and the harness log (schism.log) go (default
    /// STORE/sweeps/<UTC time>/, with STORE/sweeps/latest pointing at it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The exit code after SIGINT or SIGTERM (the shell's for SIGINT).
pub const INTERRUPTED: i32 = ExitCode::Interrupted as i32;

/// Run `schism sweep ...` (the whole command line, program name first); returns the exit
/// code.
/// `cli` is the command line's definition (`Cli::command()`).
pub fn main_with<I, T>(cli: clap::Command, argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    crate::grid_runs::main_with(cli, argv, "sweep", plan, sweep)
}

/// Everything settled before the first run.
pub(crate) struct Plan {
    pub(crate) args: SweepArgs,
    pub(crate) params: Vec<grid::Param>,
    pub(crate) cells: Vec<(Cell, TestSpec)>,
    pub(crate) seed: u64,
}

/// A seed from the clock and the process id (when `--seed` is not given).
pub(crate) fn draw_seed() -> u64 {
    let t = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    (t.as_nanos() as u64 ^ ((std::process::id() as u64) << 32)) % 1_000_000_000
}

/// Read the params, make and check every cell's spec.
fn plan(m: &ArgMatches) -> Result<Plan, (ExitCode, String)> {
    let bad = |e: String| (ExitCode::BadInput, e);
    let args = SweepArgs::from_arg_matches(m).map_err(|e| bad(e.to_string()))?;
    let params = grid::params(&args.param, &cell_spec::run_flags()).map_err(bad)?;
    if args.test_count == 0 {
        return Err(bad("--test-count must be at least 1".into()));
    }
    let base = RunArgs::from_arg_matches(m).map_err(|e| bad(e.to_string()))?;
    let seed = base.seed.unwrap_or_else(draw_seed);
    let mut cells = Vec::new();
    for cell in grid::cells(&params) {
        let spec = cell_spec::spec(m, &cell, seed).map_err(|e| {
            let at = match cell.label() {
                l if l.is_empty() => String::new(),
                l => format!("cell {l}: "),
            };
            (e.exit_code(), format!("{at}{e}"))
        })?;
        cells.push((cell, spec));
    }
    Ok(Plan {
        args,
        params,
        cells,
        seed,
    })
}

/// Run the plan, writing the report after each run; returns the exit code.
fn sweep(plan: Plan, command: Vec<String>) -> i32 {
    run_plan(plan, command, "sweep", &mut |_, _| Ok(()))
}

/// Run a plan's cells round by round as `schism NAME` (sweep.json and sweep.md written
/// after each run, then `also` with the report and the output directory, for a command
/// built on the sweep); prints the table at the end and returns the exit code.
pub(crate) fn run_plan(
    plan: Plan,
    command: Vec<String>,
    name: &str,
    also: &mut dyn FnMut(&Report, &std::path::Path) -> std::io::Result<()>,
) -> i32 {
    let runs = plan.cells.len() * plan.args.test_count;
    eprintln!("seed: {}", plan.seed);
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let (cells, count) = (plan.cells.len(), plan.args.test_count);
    eprintln!(
        "schism {name}: {cells} cell{} × {count} run{} = {runs} run{}",
        s(cells),
        s(count),
        s(runs)
    );
    let crate::grid_runs::Setup { out, rt, stop } = match crate::grid_runs::setup(
        name,
        plan.args.out.as_deref(),
        &plan.cells[0].1.store,
        &format!("{name}s"),
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut report = Report::new(command, &plan.params, plan.args.test_count, plan.seed);
    report.runs_planned = runs;
    report.cells = plan
        .cells
        .iter()
        .map(|(cell, spec)| Row::new(cell, crate::system::test_name(spec)))
        .collect();
    let mut written = report.write(&out).and_then(|()| also(&report, &out));
    let (mut code, mut stopped_early) = (None, false);
    'runs: for k in 0..plan.args.test_count {
        for (i, (cell, spec)) in plan.cells.iter().enumerate() {
            if stop.load(Ordering::SeqCst) {
                break 'runs;
            }
            let seed = plan.seed.wrapping_add(k as u64);
            let mut spec = spec.clone();
            spec.seed = Some(seed);
            let span = tracing::info_span!("run", cell = %cell.label(), seed);
            let outcome = rt.block_on(crate::run::run(spec, |_| {}).instrument(span));
            let n = report.runs_done + 1;
            let row = &mut report.cells[i];
            match outcome {
                Ok(o) => {
                    let r = RunRecord::of(&o.result, o.dir);
                    eprintln!("[{n}/{runs}] {} seed {seed}: {}", row.name, progress(&r));
                    stopped_early |= r.error.is_some();
                    row.add(r);
                }
                Err(e) => {
                    eprintln!("[{n}/{runs}] {} seed {seed}: could not run: {e}", row.name);
                    row.add(RunRecord::failed(seed, e.to_string()));
                    report.status = Status::Stopped;
                    code = Some(e.exit_code() as i32);
                }
            }
            report.runs_done = n;
            written = report.write(&out).and_then(|()| also(&report, &out));
            if code.is_some() {
                break 'runs;
            }
        }
    }
    let interrupted = stop.load(Ordering::SeqCst);
    if report.status == Status::Running {
        report.status = if interrupted {
            Status::Interrupted
        } else {
            Status::Complete
        };
    }
    written = written.and(report.write(&out).and_then(|()| also(&report, &out)));
    rt.shutdown_background();
    let fields: Vec<String> = plan.params.iter().map(|p| p.field.clone()).collect();
    print!("{}", table::table(&fields, &report.cells));
    eprintln!(
        "schism {name}: {}: {}",
        report.status.as_str(),
        out.display()
    );
    if let Err(e) = written {
        eprintln!(
            "schism {name}: cannot write the report in {}: {e}",
            out.display()
        );
        return ExitCode::HarnessError as i32;
    }
    match code {
        Some(c) => c,
        None if interrupted => INTERRUPTED,
        None if stopped_early => ExitCode::HarnessError as i32,
        None => 0,
    }
}

/// The line shown after a run.
fn progress(r: &RunRecord) -> String {
    let mut s = r.valid.map_or("no verdict", |v| v.as_str()).to_string();
    if !r.invalid_checkers.is_empty() {
        s.push_str(&format!(" ({} invalid)", r.invalid_checkers.join(", ")));
    }
    s.push_str(&format!(", {:.0} ops/s", r.ops_per_s));
    if r.interrupted {
        s.push_str(", interrupted");
    }
    if let Some(e) = &r.error {
        s.push_str(&format!(", stopped early: {e}"));
    }
    s
}
