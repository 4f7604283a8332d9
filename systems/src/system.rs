//! The `System` trait: how to bring one system under test up, how a client talks to it,
//! and what the nemesis may ask of it.

use crate::{Error, Setup};
use async_trait::async_trait;
use cluster::Cluster;
use nemesis::Leader;
use std::sync::Arc;
use workloads::Client;

/// The faults a run gets when it names none and its system has no defaults of its own:
/// partitions, crashes and pauses.
pub const DEFAULT_FAULTS: &[&str] = nodes::facts::CRASH_FAULTS;

/// A system schism knows how to run.
#[async_trait]
pub trait System: Send + Sync {
    fn name(&self) -> &str;
    /// Check what the system needs on this machine before anything starts.
    fn preflight(&self, setup: &Setup) -> Result<(), Error>;
    /// Bring the cluster up, every node ready.
    async fn start(&self, setup: &Setup, run_id: &str) -> Result<Arc<dyn Cluster>, Error>;
    /// A client of node `i` of a running cluster, for one worker.
    fn client_in(
        &self,
        cluster: &dyn Cluster,
        i: usize,
        setup: &Setup,
    ) -> Result<Box<dyn Client>, Error>;
    /// Remove whatever a start that was cut short left behind.
    async fn cleanup(&self, _run_id: &str) {}
    /// The port of schism's node runtime on each node, where the system's nodes run under
    /// it (so the `byzantine` and `clock` nemeses apply).
    fn control_port(&self) -> Option<u16> {
        None
    }
    /// How the nemesis asks the nodes' runtime (the control port's channel), where the
    /// system's nodes run under it.
    fn control(&self) -> Option<std::sync::Arc<dyn cluster::Control>> {
        self.control_port().map(|port| {
            std::sync::Arc::new(crate::control::RuntimeControl { port })
                as std::sync::Arc<dyn cluster::Control>
        })
    }
    /// What the nemesis may know of the nodes: their data directory, the files worth
    /// corrupting, how their clocks can be moved (by default: through the runtime where
    /// the nodes run under it).
    fn nemesis_facts(&self) -> nemesis::SystemFacts {
        nemesis::SystemFacts {
            clock: if self.control_port().is_some() {
                nemesis::ClockReach::Runtime
            } else {
                nemesis::ClockReach::Unknown
            },
            ..nemesis::SystemFacts::default()
        }
    }
    /// The message fields a lying node of this system changes (dotted paths), and the
    /// values its lies take (empty: derived from the true value).
    fn lie_fields(&self) -> (Vec<String>, Vec<serde_json::Value>) {
        (vec!["value".into()], Vec::new())
    }
    /// The faults a run of this system gets when it names none (`default`).
    fn default_faults(&self) -> Vec<String> {
        DEFAULT_FAULTS.iter().map(|f| f.to_string()).collect()
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
