//! What a fault sees of the run: the cluster, the runtime's control channel, the options,
//! who leads, and which nodes other faults hold down.

use crate::NemesisOptions;
use async_trait::async_trait;
use cluster::{Cluster, Control};

/// A system that can say which node leads (for the `leader` target and the
/// `isolate-leader` shape).
#[async_trait]
pub trait Leader: Send + Sync {
    async fn leader(&self, cluster: &dyn Cluster) -> Option<String>;
}

/// The world of one fault.
pub struct Env<'a> {
    pub cluster: &'a dyn Cluster,
    /// The node runtime's control channel, where the system's nodes run under it.
    pub control: Option<&'a dyn Control>,
    pub options: &'a NemesisOptions,
    /// The node that leads now, when the fault asked and the system could say.
    pub leader: Option<String>,
    /// Nodes other active faults hold down (killed, paused): node faults that take nodes
    /// down leave them alone, so overlapping faults never act on a node twice.
    pub held: Vec<String>,
}

impl<'a> Env<'a> {
    /// A fault's world with nothing else going on: no runtime, no leader, nothing held.
    pub fn plain(cluster: &'a dyn Cluster, options: &'a NemesisOptions) -> Env<'a> {
        Env {
            cluster,
            control: None,
            options,
            leader: None,
            held: Vec::new(),
        }
    }

    /// Every node's name.
    pub fn nodes(&self) -> Vec<String> {
        self.cluster
            .nodes()
            .iter()
            .map(|n| n.name.clone())
            .collect()
    }

    /// The nodes no other fault holds down.
    pub fn free_nodes(&self) -> Vec<String> {
        let mut nodes = self.nodes();
        nodes.retain(|n| !self.held.contains(n));
        nodes
    }
}
