//! Systems under test: how to bring one up, how a client talks to it, and who leads.

pub mod etcd;
pub mod memory;
pub mod reference;

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
    fn name(&self) -> &'static str;
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
    fn workloads(&self) -> &'static [&'static str] {
        &["register"]
    }
    /// Who leads, where the system can say.
    fn leader(&self) -> Option<Arc<dyn Leader>> {
        None
    }
}

pub const NAMES: [&str; 6] = ["etcd", "raft", "paxos", "om", "eig", "memory"];

/// The system of this name.
pub fn by_name(name: &str) -> Result<Arc<dyn System>, RunError> {
    match name {
        "etcd" => Ok(Arc::new(etcd::Etcd)),
        "memory" => Ok(Arc::new(memory::Memory::default())),
        "raft" => Ok(Arc::new(reference::Reference { protocol: "raft" })),
        "paxos" => Ok(Arc::new(reference::Reference { protocol: "paxos" })),
        "om" => Ok(Arc::new(reference::Reference { protocol: "om" })),
        "eig" => Ok(Arc::new(reference::Reference { protocol: "eig" })),
        other => Err(RunError::Spec(format!(
            "unknown system {other:?}; known: {}",
            NAMES.join(", ")
        ))),
    }
}
