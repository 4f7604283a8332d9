//! Systems under test: how to bring one up, how a client talks to it, and who leads.

pub mod etcd_leader;
pub mod memory;
pub mod reference;
pub mod spec_file;

use crate::error::RunError;
use crate::spec::TestSpec;
use async_trait::async_trait;
use cluster::Cluster;
use nemesis::Leader;
use std::sync::Arc;
use workloads::Client;

/// A system schism knows how to run.
#[async_trait]
pub trait System: Send + Sync {
    fn name(&self) -> &str;
    /// Check what the system needs on this machine before anything starts.
    fn preflight(&self, spec: &TestSpec) -> Result<(), RunError>;
    /// Bring the cluster up, every node ready.
    async fn start(&self, spec: &TestSpec, run_id: &str) -> Result<Arc<dyn Cluster>, RunError>;
    /// A client of node `i` of a running cluster, for one worker.
    fn client_in(
        &self,
        cluster: &dyn Cluster,
        i: usize,
        spec: &TestSpec,
    ) -> Result<Box<dyn Client>, RunError>;
    /// Remove whatever a start that was cut short left behind.
    async fn cleanup(&self, _run_id: &str) {}
    /// The port of schism's node runtime on each node, where the system's nodes run under
    /// it (so the `byzantine` and `clock` nemeses apply).
    fn control_port(&self) -> Option<u16> {
        None
    }
    /// The message fields a lying node of this system changes (dotted paths), and the
    /// values its lies take (empty: derived from the true value).
    fn lie_fields(&self) -> (Vec<String>, Vec<serde_json::Value>) {
        (vec!["value".into()], Vec::new())
    }
    /// The workloads this system serves.
    fn workloads(&self) -> Vec<String> {
        vec!["register".into()]
    }
    /// Whether its nodes run in containers on the Docker engine.
    fn uses_docker(&self) -> bool {
        true
    }
    /// Who leads, where the system can say.
    fn leader(&self) -> Option<Arc<dyn Leader>> {
        None
    }
}

pub const NAMES: [&str; 7] = ["raft", "paxos", "om", "eig", "etcd", "maelstrom", "memory"];

/// The name a run is stored under: the spec's `name`, else `<system>-<workload>` (a name
/// given is checked by [`crate::spec::check_test_name`]).
pub fn test_name(spec: &TestSpec) -> String {
    spec.name
        .clone()
        .unwrap_or_else(|| format!("{}-{}", system_name(spec), spec.workload))
}

/// The system's name: `system`, or for a system spec file the name inside it (else the
/// file's name without its extension).
pub fn system_name(spec: &TestSpec) -> String {
    if !spec_file::is_path(&spec.system) {
        return spec.system.clone();
    }
    let path = std::path::Path::new(&spec.system);
    match spec_file::load(path) {
        Ok(l) => l.spec.name,
        Err(_) => path
            .file_stem()
            .map_or("system".into(), |s| s.to_string_lossy().into_owned()),
    }
}

/// The system a test spec names: a built-in by name (`etcd` is systems/etcd.yaml;
/// `maelstrom` is made from `bin`), or a system spec file (`./my-system.yaml`).
pub fn resolve(spec: &TestSpec) -> Result<Arc<dyn System>, RunError> {
    let name = spec.system.as_str();
    if name != "maelstrom" && spec.bin.is_some() {
        return Err(RunError::Spec(format!(
            "--bin is for --system maelstrom (a Maelstrom node program), not {name}"
        )));
    }
    let loaded = match name {
        "memory" => return Ok(Arc::new(memory::Memory::default())),
        "raft" | "paxos" | "om" | "eig" => {
            let protocol = nodes::choose::PROTOCOLS
                .iter()
                .map(|(p, _)| *p)
                .find(|p| *p == name)
                .unwrap_or("raft");
            return Ok(Arc::new(reference::Reference { protocol }));
        }
        "maelstrom" => {
            let bin = spec.bin.as_ref().ok_or_else(|| {
                RunError::Spec(
                    "--system maelstrom needs --bin PATH: the node program (a binary, or a \
                     script with #!) that speaks Maelstrom's protocol on stdin and stdout"
                        .into(),
                )
            })?;
            spec_file::maelstrom(bin)
        }
        "etcd" if !spec.etcd.binary.is_file() => {
            // Not a mistake in a spec: this machine lacks etcd.
            return Err(RunError::Harness(format!(
                "the etcd binary {} is missing: install Debian's etcd-server package \
                 (apt-get install etcd-server, or scripts/install-deps), or set etcd.binary \
                 in the spec (--etcd-binary)",
                spec.etcd.binary.display()
            )));
        }
        "etcd" => spec_file::builtin("etcd")
            .unwrap_or_else(|| Err("the etcd spec is not built in".into()))
            .map(|mut l| {
                // The test spec's etcd fields (flags --etcd-binary, --read-mode) still apply.
                l.spec.image.binary = Some(spec.etcd.binary.display().to_string());
                l.spec.client.read_mode = Some(spec.etcd.read_mode.clone());
                l
            }),
        path if spec_file::is_path(path) => spec_file::load(std::path::Path::new(path)),
        other => {
            return Err(RunError::Spec(format!(
                "unknown system {other:?}; known: {} (or a system spec file, ./NAME.yaml)",
                NAMES.join(", ")
            )))
        }
    }
    .map_err(RunError::Spec)?;
    Ok(Arc::new(spec_file::SpecSystem { loaded }))
}
