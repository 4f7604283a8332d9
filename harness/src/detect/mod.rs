//! `schism detect`: the detection matrix. Every planted bug of schism's reference systems
//! (`nodes::choose::SHOWN_IN`: protocol, bug, the workload that exposes it) and, beside
//! them, the same systems without a bug, each run `--runs` times (seeds SEED, SEED+1, ...)
//! with the default faults and with each fault alone; for each cell the share of runs that
//! ended invalid and the median time to the first anomaly (results.json's
//! `first_anomaly_s`). Written as `detection.md` and `detection.svg` (a table and a chart,
//! see [`matrix`] and [`chart`]) in the output directory after every run, and to `--doc`
//! (docs/detection.md) when given; the runs' own records are the sweep's (`sweep.json`).
//!
//! It is a sweep whose cells are listed rather than crossed: the runs go round the cells
//! the same way, Ctrl-C stops after the run under way, and exit codes are the sweep's.

pub mod chart;
pub mod matrix;

use crate::exit::ExitCode;
use crate::run_cmd::RunArgs;
use crate::sweep::{cell_spec, grid::Cell, grid::Param, Plan, SweepArgs};
use clap::{ArgMatches, Args, FromArgMatches};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `schism detect`: which bugs, which faults, how many runs; every flag of `schism run`
/// applies to every run.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Runs of each cell, with seeds SEED, SEED+1, ... (SEED from --seed, else drawn).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub runs: usize,
    /// The fault settings, comma separated: `default` (no --nemesis: what a user gets)
    /// and fault names, each run alone.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "default,partition,kill,pause"
    )]
    pub faults: Vec<String>,
    /// Only these bugs, as SYSTEM:BUG (raft:stale-read), comma separated; default every
    /// planted bug.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub bugs: Vec<String>,
    /// Leave out the rows of the systems without a bug.
    #[arg(long)]
    pub no_correct: bool,
    /// Also write the table here (docs/detection.md), with the chart beside it
    /// (detection.svg).
    #[arg(long, value_name = "FILE")]
    pub doc: Option<PathBuf>,
    /// Where sweep.json, detection.md and detection.svg go (default
    /// STORE/detects/<UTC time>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The matrix's params, in the order of its rows' columns.
pub const FIELDS: [&str; 4] = ["system", "bug", "workload", "nemesis"];

/// Run `schism detect ...` (the whole command line, program name first); returns the exit
/// code. `cli` is the command line's definition (`Cli::command()`).
pub fn main_with<I, T>(cli: clap::Command, argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    crate::grid_runs::main_with(cli, argv, "detect", plan, detect)
}

/// The cells: (system, bug, workload) of each planted bug asked for, then each system and
/// workload without a bug, each with every fault setting (`default` is the empty value: no
/// --nemesis flag).
pub fn cells(bugs: &[String], faults: &[String], correct: bool) -> Result<Vec<Cell>, String> {
    let known = nodes::choose::SHOWN_IN;
    for b in bugs {
        let found = known.iter().any(|(p, bug, _)| format!("{p}:{bug}") == *b);
        if !found {
            let names: Vec<String> = known.iter().map(|(p, b, _)| format!("{p}:{b}")).collect();
            return Err(format!(
                "--bugs {b:?}: not a planted bug; known: {}",
                names.join(", ")
            ));
        }
    }
    if faults.is_empty() {
        return Err("--faults: give at least one setting (default, or a fault name)".into());
    }
    let chosen: Vec<(&str, &str, &str)> = known
        .iter()
        .filter(|(p, b, _)| bugs.is_empty() || bugs.contains(&format!("{p}:{b}")))
        .copied()
        .collect();
    let mut rows: Vec<(&str, &str, &str)> = chosen.clone();
    if correct {
        for (p, _, w) in &chosen {
            if !rows
                .iter()
                .any(|(rp, rb, rw)| rp == p && rb.is_empty() && rw == w)
            {
                rows.push((p, "", w));
            }
        }
    }
    let mut cells = Vec::new();
    for (p, b, w) in rows {
        for f in faults {
            let nemesis = if f == "default" { "" } else { f.as_str() };
            cells.push(Cell(
                [p, b, w, nemesis]
                    .iter()
                    .zip(FIELDS)
                    .map(|(v, k)| (k.to_string(), v.to_string()))
                    .collect(),
            ));
        }
    }
    Ok(cells)
}

/// The sweep to run, and where else the table goes.
struct DetectPlan {
    sweep: Plan,
    doc: Option<PathBuf>,
}

fn plan(m: &ArgMatches) -> Result<DetectPlan, (ExitCode, String)> {
    let bad = |e: String| (ExitCode::BadInput, e);
    let args = DetectArgs::from_arg_matches(m).map_err(|e| bad(e.to_string()))?;
    if args.runs == 0 {
        return Err(bad("--runs must be at least 1".into()));
    }
    let cells = cells(&args.bugs, &args.faults, !args.no_correct).map_err(bad)?;
    let seed = args.run.seed.unwrap_or_else(crate::sweep::draw_seed);
    let mut specs = Vec::new();
    for cell in cells {
        let spec = cell_spec::spec(m, &cell, seed)
            .map_err(|e| (e.exit_code(), format!("cell {}: {e}", cell.label())))?;
        specs.push((cell, spec));
    }
    let params = FIELDS
        .iter()
        .map(|f| Param {
            field: f.to_string(),
            values: Vec::new(),
        })
        .collect();
    Ok(DetectPlan {
        sweep: Plan {
            args: SweepArgs {
                param: Vec::new(),
                test_count: args.runs,
                out: args.out,
                run: args.run,
            },
            params,
            cells: specs,
            seed,
        },
        doc: args.doc,
    })
}

fn detect(plan: DetectPlan, command: Vec<String>) -> i32 {
    let doc = plan.doc;
    let mut write = |report: &crate::sweep::report::Report, out: &Path| {
        let m = matrix::Matrix::of(report);
        write_pair(&m, &out.join("detection.md"), "detection.svg")?;
        if let Some(d) = &doc {
            let svg = d.with_extension("svg");
            let name = svg
                .file_name()
                .map_or("detection.svg".into(), |n| n.to_string_lossy().into_owned());
            write_pair(&m, d, &name)?;
        }
        Ok(())
    };
    crate::sweep::run_plan(plan.sweep, command, "detect", &mut write)
}

/// Write the table to `md` and the chart beside it as `svg_name`.
fn write_pair(m: &matrix::Matrix, md: &Path, svg_name: &str) -> std::io::Result<()> {
    std::fs::write(md, m.markdown(svg_name))?;
    std::fs::write(md.with_file_name(svg_name), chart::svg(m))
}
