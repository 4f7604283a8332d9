//! What a system is told of the run it serves: the narrow part of a test spec that
//! bringing a cluster up and making its clients need. The harness builds it from its test
//! spec; nothing here knows that spec.

use std::path::PathBuf;
use std::time::Duration;

/// A run, as its system sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The system: a built-in's name (`raft`, `etcd`, ...) or a system spec's path.
    pub system: String,
    /// With `maelstrom`: the node program that speaks Maelstrom's protocol.
    pub bin: Option<PathBuf>,
    pub nodes: usize,
    /// The run's workload, and its options section as given (null: every default).
    pub workload: String,
    pub workload_options: serde_json::Value,
    /// Deliberate bugs of a reference system.
    pub bug: Vec<String>,
    /// How many nodes may be Byzantine (with `om` and `eig`: protocol-aware traitors).
    pub traitors: usize,
    /// The nemesis's faults, by name (`clock`, `byzantine`, ...).
    pub faults: Vec<String>,
    /// The nodes' data directories are powerfs mounts on the host (a fault of the run
    /// drops unsynced writes).
    pub power_loss: bool,
    /// The seed of the run's random choices (which nodes are traitors).
    pub seed: u64,
    pub etcd: Etcd,
    /// How long a client waits for an answer.
    pub client_timeout: Duration,
    /// How long a node may take to become ready.
    pub ready_timeout: Duration,
}

/// The built-in `etcd`'s options.
#[derive(Debug, Clone, PartialEq)]
pub struct Etcd {
    /// The etcd binary packed into the node image.
    pub binary: PathBuf,
    /// `linearizable` or `serializable` reads.
    pub read_mode: String,
}

impl Setup {
    /// `system` on `nodes` nodes with nothing else asked (for tests and examples): the
    /// register workload with its defaults, no bugs, traitors or faults, seed 0, etcd at
    /// `/usr/bin/etcd`, a client timeout of 2 s and 30 s for a node to be ready.
    pub fn new(system: &str, nodes: usize) -> Setup {
        Setup {
            system: system.into(),
            bin: None,
            nodes,
            workload: "register".into(),
            workload_options: serde_json::Value::Null,
            bug: Vec::new(),
            traitors: 0,
            faults: Vec::new(),
            power_loss: false,
            seed: 0,
            etcd: Etcd {
                binary: PathBuf::from("/usr/bin/etcd"),
                read_mode: "linearizable".into(),
            },
            client_timeout: Duration::from_secs(2),
            ready_timeout: Duration::from_secs(30),
        }
    }
}
