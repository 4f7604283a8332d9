//! A cell's spec, as `schism run` would see it: the sweep's own run flags, then the cell's
//! `--FIELD=value` and `--seed`, parsed by clap into `RunArgs` (a later flag replaces the
//! sweep's, lists included) and made a spec by `run_cmd::spec_of`; then checked as far as
//! can be without running, so a bad cell stops the sweep before anything runs.

use super::grid::Cell;
use crate::error::RunError;
use crate::run_cmd::RunArgs;
use crate::spec::TestSpec;
use clap::{ArgMatches, Args, FromArgMatches};

/// `schism run`'s flags as a command of their own, to parse a cell's flags with.
fn run_command() -> clap::Command {
    RunArgs::augment_args(clap::Command::new("run")).no_binary_name(true)
}

/// The flags of `schism run` a `--param` may name (long names, without dashes).
pub fn run_flags() -> Vec<String> {
    run_command()
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|l| !matches!(*l, "help" | "version"))
        .map(String::from)
        .collect()
}

/// The first line of a clap error, without its `error: `.
fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let line = text.lines().next().unwrap_or_default();
    line.trim_start_matches("error: ").to_string()
}

/// The run args of a cell: those of the sweep (`base`: the sweep's matches), with the cell's
/// flags and `--seed=<seed>` given after them.
pub fn run_args(base: &ArgMatches, cell: &Cell, seed: u64) -> Result<RunArgs, String> {
    let mut args = RunArgs::from_arg_matches(base).map_err(|e| clap_message(&e))?;
    let mut argv = cell.flags();
    argv.push(format!("--seed={seed}"));
    let cell_matches = run_command()
        .try_get_matches_from(&argv)
        .map_err(|e| clap_message(&e))?;
    args.update_from_arg_matches(&cell_matches)
        .map_err(|e| clap_message(&e))?;
    Ok(args)
}

/// The spec of a cell's runs (seed `seed`; the sweep sets it again for each run), stored
/// under `<test name>-<cell>`. An error says what is wrong, not which cell.
pub fn spec(base: &ArgMatches, cell: &Cell, seed: u64) -> Result<TestSpec, RunError> {
    let args = run_args(base, cell, seed).map_err(RunError::Spec)?;
    let mut spec = crate::run_cmd::spec_of(&args).map_err(RunError::Spec)?;
    // What a run would refuse at its start, refused now (before any run of the grid).
    crate::run::prepare(&spec)?;
    let label = cell.dir_label();
    if !label.is_empty() {
        spec.name = Some(format!("{}-{label}", crate::system::test_name(&spec)));
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::SweepArgs;

    fn base(argv: &[&str]) -> ArgMatches {
        SweepArgs::augment_args(clap::Command::new("sweep"))
            .try_get_matches_from(std::iter::once("sweep").chain(argv.iter().copied()))
            .unwrap()
    }

    fn cell(pairs: &[(&str, &str)]) -> Cell {
        Cell(
            pairs
                .iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_cell_replaces_the_sweeps_flags_and_keeps_the_rest() {
        let b = base(&[
            "--system",
            "memory",
            "--nemesis",
            "partition,kill",
            "--nodes",
            "5",
        ]);
        let s = spec(&b, &cell(&[("nemesis", "none"), ("nodes", "3")]), 7).unwrap();
        assert_eq!(s.system, "memory");
        assert!(s.nemesis.faults.is_empty());
        assert_eq!(s.nodes, 3);
        assert_eq!(s.seed, Some(7));
        assert_eq!(
            s.name.as_deref(),
            Some("memory-register-nemesis=none-nodes=3")
        );
        let s = spec(&b, &cell(&[("nemesis", "pause,loss")]), 7).unwrap();
        assert_eq!(s.nemesis.faults, vec!["pause", "loss"]);
        // An empty value leaves the flag as the sweep has it.
        let s = spec(&b, &cell(&[("nodes", "")]), 7).unwrap();
        assert_eq!(s.nodes, 5);
        assert_eq!(s.nemesis.faults, vec!["partition", "kill"]);
    }

    #[test]
    fn bad_cells_are_refused_before_running() {
        let b = base(&["--system", "memory"]);
        // A workload of the registry that the memory system does not serve.
        let served = systems::resolve(&systems::Setup::new("memory", 3))
            .unwrap()
            .workloads();
        let unserved = workloads::registry::names()
            .into_iter()
            .find(|w| !served.iter().any(|s| s == w))
            .expect("a workload memory does not serve");
        for (c, says) in [
            (cell(&[("nodes", "0")]), "nodes must be"),
            (cell(&[("nodes", "three")]), "invalid value 'three'"),
            (cell(&[("system", "mongo")]), "unknown system"),
            (cell(&[("nemesis", "flood")]), "unknown nemesis"),
            (cell(&[("shapes", "ring")]), "unknown partition shape"),
            (cell(&[("workload", unserved)]), "does not serve"),
        ] {
            let e = spec(&b, &c, 1).unwrap_err();
            assert_eq!(e.exit_code(), crate::exit::ExitCode::BadInput, "{e}");
            assert!(e.to_string().contains(says), "{}: {e}", c.label());
        }
    }

    #[test]
    fn params_may_name_every_run_flag_but_not_the_spec_file() {
        let flags = run_flags();
        for f in ["nodes", "read-fraction", "nemesis", "bug", "system", "seed"] {
            assert!(flags.contains(&f.to_string()), "{f}");
        }
        assert!(!flags.contains(&"spec".to_string()));
        assert!(!flags.contains(&"help".to_string()));
    }
}
