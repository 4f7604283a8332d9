//! Who leads an etcd cluster: every member's status names its own id and the leader's.

use async_trait::async_trait;
use cluster::Cluster;
use nemesis::Leader;
use std::time::Duration;

/// Asks every member's `/v3/maintenance/status` on the client port.
pub struct EtcdLeader {
    pub port: u16,
}

#[async_trait]
impl Leader for EtcdLeader {
    async fn leader(&self, cluster: &dyn Cluster) -> Option<String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .build()
            .ok()?;
        let mut ids = Vec::new();
        let mut leader = None;
        for n in cluster.nodes() {
            let url = format!("http://{}:{}/v3/maintenance/status", n.ip, self.port);
            let Ok(resp) = http.post(url).body("{}").send().await else {
                continue;
            };
            let Ok(v) = resp.json::<serde_json::Value>().await else {
                continue;
            };
            if let Some(id) = v["header"]["member_id"].as_str() {
                ids.push((id.to_string(), n.name.clone()));
            }
            if let Some(l) = v["leader"].as_str() {
                leader = Some(l.to_string());
            }
        }
        let leader = leader?;
        ids.into_iter()
            .find(|(id, _)| *id == leader)
            .map(|(_, n)| n)
    }
}
