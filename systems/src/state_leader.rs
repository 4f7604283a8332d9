//! Who leads a cluster of schism's nodes: every node's runtime answers `schism/state`.

use crate::runtime::{addrs, PORT};
use async_trait::async_trait;
use cluster::Cluster;
use nemesis::Leader;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

/// Asks every node its `schism/state`; the one whose role is leader (highest term) leads.
/// The Byzantine generals' commander leads too (`om`: the node whose faults the loyal
/// lieutenants must survive, and whose lies split them).
pub struct StateLeader;

async fn state_of(addr: SocketAddr, node: &str) -> Option<serde_json::Value> {
    let body = json!({"type": "schism/state"});
    let answer = wire::control::ask(addr, node, body, Duration::from_millis(500)).await;
    answer.ok().map(|b| b["state"].clone())
}

#[async_trait]
impl Leader for StateLeader {
    async fn leader(&self, cluster: &dyn Cluster) -> Option<String> {
        let mut best: Option<(u64, String)> = None;
        for (name, addr) in addrs(cluster.nodes(), PORT) {
            if let Some(s) = state_of(addr, &name).await {
                if s["role"] == "leader" || s["role"] == "commander" {
                    let term = s["term"].as_u64().unwrap_or(0);
                    if best.as_ref().is_none_or(|(t, _)| term > *t) {
                        best = Some((term, name));
                    }
                }
            }
        }
        best.map(|(_, n)| n)
    }
}
