//! Who leads, for leader-aware faults: the leader of the run's first stream (`KV_schism`
//! in a register run, `log-0` in a log run), as JetStream's stream info names it (a
//! server's name, which the spec sets to the node's). The stream's leader is the one
//! that orders its writes and answers its leader reads; JetStream's meta leader
//! (streams' placement) may be another node. The streams are asked for by name, not
//! listed: a listing needs the meta leader, which may be in an election of its own.

use super::conn;
use super::streams::{bucket_stream, log_stream};
use async_nats::jetstream::Context;
use async_trait::async_trait;
use cluster::Cluster;
use nemesis::Leader;
use std::time::Duration;

/// How long the question may take.
const ASK_TIMEOUT_MS: u64 = 1_000;

pub struct StreamLeader {
    pub port: u16,
}

/// The leader of the run's first stream: the bucket's, else the first log's.
async fn first_stream_leader(js: &Context) -> Option<String> {
    for name in [bucket_stream(), log_stream("0")] {
        let Ok(stream) = js.get_stream_no_info(&name).await else {
            continue;
        };
        if let Ok(info) = stream.get_info().await {
            return info.cluster?.leader.filter(|l| !l.is_empty());
        }
    }
    None
}

#[async_trait]
impl Leader for StreamLeader {
    async fn leader(&self, cluster: &dyn Cluster) -> Option<String> {
        let timeout = Duration::from_millis(ASK_TIMEOUT_MS);
        // Asked of each node in turn: an isolated one cannot reach the stream's leader.
        for first in 0..cluster.nodes().len() {
            let addrs = conn::addresses(cluster, first, self.port);
            let Ok(js) = conn::connect(addrs, timeout).await else {
                continue;
            };
            let leader = first_stream_leader(&js).await;
            if let Some(name) = leader.filter(|l| cluster.nodes().iter().any(|n| &n.name == l)) {
                return Some(name);
            }
        }
        None
    }
}
