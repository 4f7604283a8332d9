//! A leader probe any system spec can use: each node is asked the spec's question; the
//! first whose answer holds `matches` leads (`role:master`, `Mode: leader`), or, without
//! `matches`, the first answer that names a node (by name or address) names the leader.

use super::{named_node, Query};
use async_trait::async_trait;
use cluster::Cluster;
use nemesis::Leader;
use std::net::Ipv4Addr;

/// Who leads, by asking the nodes.
pub struct ProbeLeader {
    pub query: Query,
}

#[async_trait]
impl Leader for ProbeLeader {
    async fn leader(&self, cluster: &dyn Cluster) -> Option<String> {
        let all: Vec<(String, Ipv4Addr)> = cluster
            .nodes()
            .iter()
            .map(|n| (n.name.clone(), n.ip))
            .collect();
        for (name, ip) in &all {
            let Ok(answer) = self.query.ask(cluster, name, *ip).await else {
                continue;
            };
            match &self.query.matches {
                Some(m) if answer.contains(m.as_str()) => return Some(name.clone()),
                Some(_) => {}
                None => {
                    if let Some(n) = named_node(&answer, &all) {
                        return Some(n.to_string());
                    }
                }
            }
        }
        None
    }
}
