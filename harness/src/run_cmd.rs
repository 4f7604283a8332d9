//! `schism run`: the spec from a file and flags, a run, its summary and exit code.

use crate::exit::ExitCode;
use crate::spec::TestSpec;
use clap::Args;
use std::path::PathBuf;

/// Every field of the test spec can be given as a flag, which wins over the spec file.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// A test spec in YAML (see docs/running.md); flags override its fields.
    pub spec: Option<PathBuf>,
    /// The test's name (runs are stored under STORE/NAME/).
    #[arg(long)]
    pub name: Option<String>,
    /// The system under test: raft (default), paxos, om, eig, memory, maelstrom (with
    /// --bin), a built-in database (etcd, redis, galera, ...), or a system spec file
    /// (./my-system.yaml); `schism systems` lists them.
    #[arg(long)]
    pub system: Option<String>,
    /// With --system maelstrom: the node program (a binary, or a script with #!) speaking
    /// Maelstrom's protocol on stdin and stdout.
    #[arg(long, value_name = "PATH")]
    pub bin: Option<PathBuf>,
    /// The workload, by its name in the workload registry (the registry's default when not
    /// given); a system serves its own, and an unknown name or pairing is refused, naming
    /// the ones it takes.
    #[arg(long)]
    pub workload: Option<String>,
    /// Faults, comma separated (`schism faults` lists them): partition, kill, pause, loss,
    /// byzantine, clock, corrupt-file, and `default`, the system's own (the default:
    /// partition,kill,pause; om and eig: partition,kill,pause,byzantine); none: no faults.
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
    /// Where node faults land, comma separated, one drawn per fault: some (1 to
    /// --max-faulty nodes; the default), one, minority, majority, minority-third, all,
    /// leader, or nodes joined by + (n1+n3).
    #[arg(long, value_delimiter = ',')]
    pub targets: Option<Vec<String>>,
    /// Faults overlap, each kind on its own rhythm (a kill during a partition), instead of
    /// one at a time.
    #[arg(long)]
    pub overlap: bool,
    /// Where the clients sit: controller (the default; they reach every node whatever the
    /// partition) or beside-nodes (each sends from its node's network namespace, so a
    /// partition cuts it off with its node).
    #[arg(long, value_name = "PLACE")]
    pub clients: Option<String>,
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
    /// txn.max_len=6`, `--option bank.accounts=4`), or a fault's, nemesis.FAULT.FIELD=VALUE;
    /// VALUE is read as YAML. Repeatable.
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

/// The spec: the file's (or the defaults), then every flag given.
pub fn spec_of(args: &RunArgs) -> Result<TestSpec, String> {
    if let Some(kb) = args.max_spec_kb {
        crate::yaml::set_max_spec_bytes(kb.saturating_mul(1024));
    }
    let mut s = match &args.spec {
        Some(p) => TestSpec::read(p).map_err(|e| e.0)?,
        None => TestSpec::default(),
    };
    macro_rules! set {
        ($($flag:ident => $($field:ident).+),* $(,)?) => {
            $(if let Some(v) = &args.$flag { s.$($field).+ = v.clone().into(); })*
        };
    }
    set!(
        system => system, workload => workload, nodes => nodes,
        concurrency => concurrency, rate => rate, time_limit => time_limit_s,
        store => store, client_timeout_ms => client_timeout_ms, recovery => recovery_s,
        ready_timeout => ready_timeout_s, check_time_limit => check_time_limit_s,
        nemesis => nemesis.faults, nemesis_interval => nemesis.interval_s,
        nemesis_duration => nemesis.duration_s, max_faulty => nemesis.max_faulty,
        loss_probability => nemesis.loss_probability, shapes => nemesis.shapes,
        targets => nemesis.targets, clients => nemesis.clients,
        read_mode => etcd.read_mode, bug => bug,
        etcd_binary => etcd.binary, traitors => traitors, byzantine => nemesis.byzantine,
        lie_fields => nemesis.lie_fields, max_clock_skew_ms => nemesis.max_clock_skew_ms,
    );
    // Flags of the workloads' options: shorthands for `--option SECTION.FIELD=VALUE`,
    // whose section and field the workload registry knows.
    macro_rules! option {
        ($($flag:ident => $name:literal),* $(,)?) => {
            $(if let Some(v) = &args.$flag {
                let sh = workloads::registry::shorthand($name).expect("a registered shorthand");
                s.set_option(sh.section(), sh.field, serde_json::json!(v));
            })*
        };
    }
    option!(
        ops_per_key => "--ops-per-key", workers_per_key => "--workers-per-key",
        values => "--values", read_fraction => "--read-fraction", cas_fraction => "--cas-fraction",
        instances_per_s => "--instances-per-s", proposal_values => "--proposal-values",
        traitor_strategy => "--traitor-strategy", txn_model => "--txn-model",
    );
    for o in &args.option {
        let ((section, field), value) = parse_option(o)?;
        match (section.as_str(), field.split_once('.')) {
            // A fault's option: nemesis.FAULT.FIELD=VALUE.
            ("nemesis", Some((fault, field))) => {
                let entry = s.nemesis.options.entry(fault.to_string()).or_default();
                if !entry.is_object() {
                    *entry = serde_json::json!({});
                }
                entry[field] = value;
            }
            _ => s.set_option(&section, &field, value),
        }
    }
    if args.overlap {
        s.nemesis.overlap = true;
    }
    if args.name.is_some() {
        s.name = args.name.clone();
    }
    if args.bin.is_some() {
        s.bin = args.bin.clone();
    }
    if args.seed.is_some() {
        s.seed = args.seed;
    }
    s.nemesis.faults.retain(|f| !f.is_empty() && f != "none");
    crate::system::settle(&mut s);
    s.validate().map_err(|e| e.0)?;
    Ok(s)
}

/// Run the command; returns the exit code.
pub fn run(args: &RunArgs) -> ExitCode {
    let spec = match spec_of(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("schism run: {e}");
            return ExitCode::BadInput;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("schism run: cannot start the async runtime: {e}");
            return ExitCode::HarnessError;
        }
    };
    let outcome = rt.block_on(crate::run::run(spec, |seed| eprintln!("seed: {seed}")));
    match outcome {
        Err(e) => {
            eprintln!("schism run: {e}");
            e.exit_code()
        }
        Ok(o) => {
            println!("{}", o.result.summary());
            println!("  store: {}", o.dir.display());
            if o.result.error.is_some() {
                ExitCode::HarnessError
            } else if o.result.interrupted && o.result.valid != history::Validity::Invalid {
                // Stopped early: what it recorded holds nothing invalid, but the run did
                // not run its course, so it must not look like a pass.
                ExitCode::Interrupted
            } else {
                ExitCode::of(o.result.valid)
            }
        }
    }
}
