//! When a Redis-with-Sentinel cluster is ready for clients: every Sentinel names the
//! same primary, knows every other Sentinel and every replica, and the primary has every
//! replica connected. Until then a failover could be decided by Sentinels that do not
//! know each other, and the first writes could go to a primary nobody replicates.

use super::{GROUP, SENTINEL_PORT};
use crate::spec_file::SystemSpec;
use cluster::Cluster;
use redis::AsyncConnectionConfig;
use std::collections::HashMap;
use std::time::Duration;

/// How long one question may take.
const ASK_TIMEOUT_MS: u64 = 1_000;

fn config() -> AsyncConnectionConfig {
    let t = Some(Duration::from_millis(ASK_TIMEOUT_MS));
    AsyncConnectionConfig::new()
        .set_connection_timeout(t)
        .set_response_timeout(t)
}

async fn ask<T: redis::FromRedisValue>(addr: String, cmd: &redis::Cmd) -> Result<T, String> {
    let client = redis::Client::open(format!("redis://{addr}/")).map_err(|e| e.to_string())?;
    let mut c = client
        .get_multiplexed_async_connection_with_config(&config())
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    cmd.query_async(&mut c)
        .await
        .map_err(|e| format!("{addr}: {e}"))
}

/// `Ok` once the Sentinels and replicas are all in place; else what is missing.
pub async fn sentinels_agree(cluster: &dyn Cluster, spec: &SystemSpec) -> Result<(), String> {
    let n = cluster.nodes().len();
    let mut primaries = Vec::new();
    for node in cluster.nodes() {
        let mut cmd = redis::cmd("SENTINEL");
        cmd.arg("master").arg(GROUP);
        let fields: HashMap<String, String> =
            ask(format!("{}:{SENTINEL_PORT}", node.ip), &cmd).await?;
        let count = |k: &str| {
            fields
                .get(k)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        if count("num-other-sentinels") + 1 < n || count("num-slaves") + 1 < n {
            return Err(format!(
                "the Sentinel of {} knows {} other Sentinels and {} replicas of {}",
                node.name,
                count("num-other-sentinels"),
                count("num-slaves"),
                n - 1
            ));
        }
        let ip = fields.get("ip").cloned().unwrap_or_default();
        let port = fields.get("port").cloned().unwrap_or_default();
        primaries.push(format!("{ip}:{port}"));
    }
    primaries.dedup();
    let [primary] = primaries.as_slice() else {
        return Err(format!(
            "the Sentinels name different primaries: {primaries:?}"
        ));
    };
    let info: String = ask(primary.clone(), redis::cmd("INFO").arg("replication")).await?;
    let connected = info
        .lines()
        .find_map(|l| l.strip_prefix("connected_slaves:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if connected + 1 < n {
        return Err(format!(
            "the primary {primary} has {connected} replicas of {}",
            n - 1
        ));
    }
    let _ = spec;
    Ok(())
}
