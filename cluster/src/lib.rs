//! # cluster: the fleet of nodes under test
//!
//! A test needs real nodes: processes with their own addresses that can be cut off from
//! each other, killed, frozen and restarted. This crate gives the rest of schism one small
//! trait, [`Cluster`], for exactly those powers, and two implementations: [`docker`], real
//! containers on the local Docker engine (images built from local files, one bridge network
//! per run, each node a *holder* container that owns the network namespace plus the node
//! container joined to it, so network rules survive a node's kill and restart), and
//! [`fake`], an in-memory fleet for unit tests of faults and run loops.
//!
//! ```
//! use cluster::{fake::FakeCluster, Cluster};
//! # tokio_test();
//! # fn tokio_test() {
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! rt.block_on(async {
//!     let c = FakeCluster::new(3);
//!     c.kill("n2").await.unwrap();
//!     assert!(!c.state("n2").running);
//!     c.start("n2").await.unwrap();
//!     assert!(c.state("n2").running);
//! });
//! # }
//! ```
//!
//! Every Docker object a run creates carries the label `schism.run=<run id>`; teardown
//! removes exactly those.

mod control;
pub mod docker;
pub mod fake;
mod files;
pub mod sample;
mod spec;

pub use control::Control;
pub use files::{no_files, FileEntry, MAX_TRANSFER_BYTES};
/// What a power loss drops ([`Cluster::lose_unsynced`]).
pub use powerfs::{Cut, Lost};
pub use spec::{ClusterSpec, CommandFn, Holder, ImageFile, ImageSpec, NodeCommand, Probe};

use async_trait::async_trait;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// The label every object of a run carries: `schism.run=<run id>`.
pub const RUN_LABEL: &str = "schism.run";

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// `n1`, `n2`, ...
    pub name: String,
    pub ip: Ipv4Addr,
}

/// What a command run in a node's network namespace printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

/// Why a cluster operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The Docker engine cannot be reached.
    #[error("cannot reach the Docker engine: {0}. Start it (for example `dockerd &` or `systemctl start docker`) and check that `docker info` works")]
    EngineUnreachable(String),
    /// A file an image needs is missing.
    #[error("{path}: {why}")]
    MissingFile { path: String, why: String },
    /// A node did not become ready before its deadline.
    #[error("node {node} did not become ready within {timeout_ms} ms ({probe}); the end of its log:\n{log_tail}")]
    NotReady {
        node: String,
        timeout_ms: u64,
        probe: String,
        log_tail: String,
    },
    #[error("no node named {0}")]
    UnknownNode(String),
    /// A command in a node's network namespace failed.
    #[error("on {node}: `{command}` exited {exit_code}: {stderr}")]
    Exec {
        node: String,
        command: String,
        exit_code: i64,
        stderr: String,
    },
    #[error("docker: {0}")]
    Docker(String),
    /// The nodes' data directories cannot be powerfs mounts on this host.
    #[error("power loss (powerfs data directories): {0}")]
    PowerLoss(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The powers a test has over its nodes.
///
/// Contract: node names are those of [`Cluster::nodes`]; every method is safe to call from
/// several tasks at once; `kill` then `start` (and `pause` then `resume`) leave the node as
/// it was, with the same address and data; `teardown` is idempotent and removes every
/// object of the run, also after errors.
#[async_trait]
pub trait Cluster: Send + Sync {
    fn nodes(&self) -> &[NodeInfo];
    /// SIGKILL the node's process (its network namespace and data stay).
    async fn kill(&self, node: &str) -> Result<(), ClusterError>;
    /// Start a killed node again.
    async fn start(&self, node: &str) -> Result<(), ClusterError>;
    /// Freeze the node's processes.
    async fn pause(&self, node: &str) -> Result<(), ClusterError>;
    async fn resume(&self, node: &str) -> Result<(), ClusterError>;
    /// Run a command (iptables, ip, tc) in the node's network namespace.
    async fn exec_in_netns(&self, node: &str, argv: &[&str]) -> Result<ExecOutput, ClusterError>;
    /// Run a command in the node's own container (its programs, its filesystem), as a
    /// readiness or leader probe does; at most `timeout`. Backends without containers
    /// cannot.
    async fn exec(
        &self,
        node: &str,
        argv: &[&str],
        _timeout: std::time::Duration,
    ) -> Result<ExecOutput, ClusterError> {
        Err(ClusterError::Exec {
            node: node.to_string(),
            command: argv.join(" "),
            exit_code: -1,
            stderr: "this cluster backend cannot run commands in a node".into(),
        })
    }
    /// The regular files under `dir` in the node's filesystem (recursively, by path),
    /// whether the node runs or is stopped.
    async fn list_files(&self, node: &str, dir: &str) -> Result<Vec<FileEntry>, ClusterError> {
        Err(no_files(node, &format!("list {dir}")))
    }
    /// The contents of one file of the node, whether it runs or is stopped.
    async fn read_file(&self, node: &str, path: &str) -> Result<Vec<u8>, ClusterError> {
        Err(no_files(node, &format!("read {path}")))
    }
    /// Replace (or create) one file of the node with `bytes` (mode 0644), whether it
    /// runs or is stopped; its directory must exist.
    async fn write_file(&self, node: &str, path: &str, _bytes: &[u8]) -> Result<(), ClusterError> {
        Err(no_files(node, &format!("write {path}")))
    }
    /// The node's network namespace as a file this process can open and `setns` into
    /// (`/proc/<pid>/ns/net`), for work done from inside the namespace (clients beside
    /// their nodes, the packet shaper's NFQUEUE socket); None where the backend has no such namespace on this host.
    async fn netns_path(&self, _node: &str) -> Result<Option<PathBuf>, ClusterError> {
        Ok(None)
    }
    /// Power loss: SIGKILL the node, then drop every write to its data directory it never
    /// synced ([`Cut`] says whether torn at a byte); what went. Start it again with
    /// [`Cluster::start`]. Only clusters made with [`ClusterSpec::power_loss`] can.
    async fn lose_unsynced(&self, node: &str, _cut: Cut) -> Result<Lost, ClusterError> {
        Err(ClusterError::Exec {
            node: node.to_string(),
            command: "lose-unfsynced".into(),
            exit_code: -1,
            stderr:
                "this cluster's data directories are not powerfs mounts (ClusterSpec::power_loss)"
                    .into(),
        })
    }
    /// The last `tail` lines of the node's log.
    async fn logs(&self, node: &str, tail: usize) -> Result<String, ClusterError>;
    /// Remove every object of the run; first save each node's whole log into `save_logs_to`
    /// as `<node>.log`, when given.
    async fn teardown(&self, save_logs_to: Option<&Path>) -> Result<(), ClusterError>;
}
