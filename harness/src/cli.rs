//! The command line.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "schism",
    version,
    about = "Jepsen-style cluster testing: partitions, crashes and lies, checked.",
    after_help = "Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 harness error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a test: a system in containers, clients, a nemesis, a history and a verdict.
    Run(Box<crate::run_cmd::RunArgs>),
    /// Run a grid of tests: every combination of the `--param` values, each `--test-count`
    /// times, and tabulate the verdicts (sweep.json, sweep.md).
    Sweep(Box<crate::sweep::SweepArgs>),
    /// The detection matrix: every planted bug of schism's own systems, and the systems
    /// without it, run `--runs` times with the default faults and with each fault alone;
    /// the share caught and the time to the first anomaly (detection.md, detection.svg).
    Detect(Box<crate::detect::DetectArgs>),
    /// Measure throughput and latency at several concurrency levels, a few seeds each
    /// (bench.json, bench.html); with --baseline, fail when they got worse.
    Bench(Box<crate::bench::args::BenchArgs>),
    /// Find a smaller fault schedule that still makes an invalid run fail (`schism shrink
    /// RUN_DIR`): faults dropped, shortened, the run cut short; each candidate run for
    /// real with the same seed; writes a spec that replays the result.
    Shrink(crate::shrink::ShrinkArgs),
    /// List the systems `--system` takes: the built-in ones, and the system specs in
    /// ./systems (and in any directory given).
    Systems(crate::systems_cmd::SystemsArgs),
    /// List the faults `--nemesis` takes, and the targets node faults take.
    Faults,
    /// Check histories for linearizability.
    Check(crate::check_cmd::CheckArgs),
    /// Write a seeded synthetic register history (for benches and other checkers).
    Synth(crate::synth_cmd::SynthArgs),
    /// Rebuild a stored run's report.html (`schism report RUN_DIR`), or check a history
    /// and render its report (`schism report HISTORY.jsonl [--out FILE]`).
    Report(crate::report_cmd::ReportArgs),
    /// Remove what killed runs left on the Docker engine: the containers (with their
    /// volumes) and networks of runs whose schism process is gone; never those of a run
    /// still going. `--images` also removes schism's unused cached images.
    Clean(crate::clean_cmd::CleanArgs),
    /// Browse the store over HTTP on 127.0.0.1: the runs, newest first, their reports and
    /// files, and the sweeps (prints the URL first).
    Serve(crate::serve::ServeArgs),
    /// Run one node of a reference system, or wrap a Maelstrom binary (what the node
    /// containers run; the same as `schism-node`): `schism node raft --id n1 --nodes ...`,
    /// `schism node paxos --stdio`, `schism node wrap --id n1 --nodes ... -- ./binary`.
    #[command(disable_help_flag = true)]
    Node(NodeArgs),
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// Everything `schism-node` takes (`schism node --help` shows it).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}
