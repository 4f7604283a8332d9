//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    Run(Box<RunArgs>),
    /// Run a grid of tests: every combination of the `--param` values, each `--test-count`
    /// times, and tabulate the verdicts (sweep.json, sweep.md).
    Sweep(Box<SweepArgs>),
    /// Measure throughput and latency at several concurrency levels, a few seeds each
    /// (bench.json, bench.html); with --baseline, fail when they got worse.
    Bench(Box<crate::bench::args::BenchArgs>),
    /// List the systems `--system` takes: the built-in ones, and the system specs in
    /// ./systems (and in any directory given).
    Systems(SystemsArgs),
    /// Check histories for linearizability.
    Check(CheckArgs),
    /// Write a seeded synthetic register history (for benches and other checkers).
    Synth(SynthArgs),
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

#[derive(Debug, Args)]
pub struct SystemsArgs {
    /// Directories of system specs (*.yaml) to list too (default: ./systems).
    pub dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// Everything `schism-node` takes (`schism node --help` shows it).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

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

#[derive(Debug, Args)]
pub struct SynthArgs {
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 5)]
    pub clients: u32,
    /// Client operations in all.
    #[arg(long, default_value_t = 1000)]
    pub ops: usize,
    #[arg(long, default_value_t = 1)]
    pub keys: u32,
    /// Writes draw values from 0..VALUES.
    #[arg(long, default_value_t = 5)]
    pub values: u32,
    #[arg(long, default_value_t = 0.5)]
    pub reads: f64,
    #[arg(long, default_value_t = 0.0)]
    pub cas: f64,
    /// Fraction of ops that time out (info); half of them took effect.
    #[arg(long, default_value_t = 0.0)]
    pub info: f64,
    /// Make one read stale, so the history is not linearizable.
    #[arg(long)]
    pub stale: bool,
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "jepsen-edn"])]
    pub format: String,
    /// Where to write (default: stdout).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Every field of the test spec can be given as a flag, which wins over the spec file.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// A test spec in YAML (see docs/running.md); flags override its fields.
    pub spec: Option<PathBuf>,
    /// The test's name (runs are stored under STORE/NAME/).
    #[arg(long)]
    pub name: Option<String>,
    /// The system under test: raft (default), paxos, om, eig, etcd, maelstrom (with
    /// --bin), memory, or a system spec file (./my-system.yaml; see `schism systems`).
    #[arg(long)]
    pub system: Option<String>,
    /// With --system maelstrom: the node program (a binary, or a script with #!) speaking
    /// Maelstrom's protocol on stdin and stdout.
    #[arg(long, value_name = "PATH")]
    pub bin: Option<PathBuf>,
    /// The workload: register, consensus, generals, interactive-consistency, ledger.
    #[arg(long)]
    pub workload: Option<String>,
    /// Faults, comma separated: partition, kill, pause, loss, byzantine, clock (default
    /// partition,kill,pause; none: no faults).
    #[arg(long, value_delimiter = ',')]
    pub nemesis: Option<Vec<String>>,
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Concurrent client workers.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Ops per second in all (0: as fast as the system answers).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds of the main phase.
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where runs are stored (default ./store).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    #[arg(long, value_name = "MS")]
    pub client_timeout_ms: Option<u64>,
    /// Seconds to wait after the final heal before the final reads.
    #[arg(long, value_name = "SECS")]
    pub recovery: Option<f64>,
    /// Seconds a node may take to become ready.
    #[arg(long, value_name = "SECS")]
    pub ready_timeout: Option<f64>,
    /// Seconds the checker may take (then: unknown).
    #[arg(long, value_name = "SECS")]
    pub check_time_limit: Option<f64>,
    /// Healthy seconds before each fault.
    #[arg(long, value_name = "SECS")]
    pub nemesis_interval: Option<f64>,
    /// Seconds each fault is held.
    #[arg(long, value_name = "SECS")]
    pub nemesis_duration: Option<f64>,
    /// At most this many nodes killed, paused or losing packets at once.
    #[arg(long)]
    pub max_faulty: Option<usize>,
    #[arg(long)]
    pub loss_probability: Option<f64>,
    /// At most this many nodes made Byzantine in a run (the `byzantine` nemesis).
    #[arg(long)]
    pub traitors: Option<usize>,
    /// Byzantine modes, comma separated: silent, omit, equivocate, corrupt, replay, forge.
    #[arg(long, value_delimiter = ',')]
    pub byzantine: Option<Vec<String>>,
    /// Message fields a lying node changes (dotted paths, `*` for every element).
    #[arg(long, value_delimiter = ',')]
    pub lie_fields: Option<Vec<String>>,
    /// The `clock` nemesis moves clocks by up to this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub max_clock_skew_ms: Option<u64>,
    /// Partition shapes, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub shapes: Option<Vec<String>>,
    /// Register workload: ops on a key before moving to a fresh one.
    #[arg(long)]
    pub ops_per_key: Option<usize>,
    /// Register workload: workers sharing one key.
    #[arg(long)]
    pub workers_per_key: Option<usize>,
    /// Register workload: writes and CAS draw values from 0..VALUES.
    #[arg(long)]
    pub values: Option<u32>,
    /// Register workload: the fraction of reads.
    #[arg(long)]
    pub read_fraction: Option<f64>,
    /// Register workload: the fraction of compare-and-set (the rest are writes).
    #[arg(long)]
    pub cas_fraction: Option<f64>,
    /// Agreement workloads: new instances (ledger: submissions) per second.
    #[arg(long)]
    pub instances_per_s: Option<f64>,
    /// Agreement workloads: proposals and private values drawn from 0..N.
    #[arg(long)]
    pub proposal_values: Option<u32>,
    /// om and eig: how protocol-aware traitors behave (lamport, silent, none).
    #[arg(long)]
    pub traitor_strategy: Option<String>,
    /// Deliberate bugs of a reference system, comma separated (raft: stale-read,
    /// txn-early-read, txn-blind-cas; paxos: accept-any, txn-early-read, txn-blind-cas).
    #[arg(long, value_delimiter = ',')]
    pub bug: Option<Vec<String>>,
    /// list-append, rw-register: the consistency model judged (read-committed,
    /// snapshot-isolation, serializable, strict-serializable).
    #[arg(long, value_name = "MODEL")]
    pub txn_model: Option<String>,
    /// A workload option, SECTION.FIELD=VALUE (as in the spec's section: `--option
    /// txn.max_len=6`, `--option bank.accounts=4`); VALUE is read as YAML. Repeatable.
    #[arg(long = "option", short = 'o', value_name = "SECTION.FIELD=VALUE")]
    pub option: Vec<String>,
    /// etcd: linearizable or serializable reads.
    #[arg(long)]
    pub read_mode: Option<String>,
    /// etcd: the binary to pack into the node image.
    #[arg(long, value_name = "PATH")]
    pub etcd_binary: Option<PathBuf>,
    /// Refuse test and system spec files larger than this many KiB (default 1024).
    #[arg(long, value_name = "KIB")]
    pub max_spec_kb: Option<u64>,
}

/// `SECTION.FIELD=VALUE` of `--option`: the section, the field, and the value read as YAML.
pub fn parse_option(text: &str) -> Result<((String, String), serde_json::Value), String> {
    let bad = || format!("--option {text:?}: expected SECTION.FIELD=VALUE, as in txn.max_len=6");
    let (path, value) = text.split_once('=').ok_or_else(bad)?;
    let (section, field) = path.split_once('.').ok_or_else(bad)?;
    if section.is_empty() || field.is_empty() {
        return Err(bad());
    }
    let value: serde_json::Value =
        crate::yaml::parse(value).map_err(|e| format!("--option {text:?}: the value: {e}"))?;
    Ok(((section.to_string(), field.to_string()), value))
}
