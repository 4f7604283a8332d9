//! The JetStream streams of a run, and when the cluster is ready for clients.
//!
//! - `log`: one stream per key, `log-K` on subject `log.K`, so a key's offsets are its
//!   stream's sequence numbers (1, 2, 3, ... with no gaps: nothing is ever deleted);
//! - `register`: the key-value bucket `schism` (stream `KV_schism`, subjects
//!   `$KV.schism.>`, one value kept per key), made as `async-nats` makes a bucket except
//!   for `allow_direct`, which follows the `reads` option: off, a get is answered by the
//!   stream's leader only; on (`async-nats`'s default for buckets), by any replica.
//!
//! Each has min(3, nodes) replicas. The cluster is ready once a JetStream meta leader
//! answers, the run's streams exist (made here, once; making one that exists alike is a
//! no-op), and each has a leader with every other replica current.

use super::conn;
use super::Reads;
use crate::spec_file::SystemSpec;
use crate::Setup;
use async_nats::jetstream::stream::{Config, DiscardPolicy, StorageType};
use async_nats::jetstream::Context;
use cluster::Cluster;
use std::time::Duration;

/// The key-value bucket of the register workload.
pub const BUCKET: &str = "schism";
/// How long one readiness question may take.
const ASK_TIMEOUT_MS: u64 = 2_000;

/// Replicas of every stream: 3, or every node of a smaller cluster.
pub fn replicas(nodes: usize) -> usize {
    nodes.clamp(1, 3)
}

/// The stream of a log key.
pub fn log_stream(key: &str) -> String {
    format!("log-{key}")
}

/// The subject of a log key.
pub fn log_subject(key: &str) -> String {
    format!("log.{key}")
}

/// The stream behind the bucket.
pub fn bucket_stream() -> String {
    format!("KV_{BUCKET}")
}

/// The configurations of the streams a run of `setup` uses.
pub fn configs(setup: &Setup, reads: Reads) -> Vec<Config> {
    let num_replicas = replicas(setup.nodes);
    if setup.workload == workloads::log::NAME {
        return workloads::log::keys(&setup.workload_options)
            .iter()
            .map(|k| Config {
                name: log_stream(&k.to_string()),
                subjects: vec![log_subject(&k.to_string())],
                num_replicas,
                storage: StorageType::File,
                ..Config::default()
            })
            .collect();
    }
    vec![Config {
        name: bucket_stream(),
        subjects: vec![format!("$KV.{BUCKET}.>")],
        max_messages_per_subject: 1,
        num_replicas,
        storage: StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: reads == Reads::Direct,
        discard: DiscardPolicy::New,
        ..Config::default()
    }]
}

/// `Ok` once the run's streams exist with a leader and every replica current.
pub async fn cluster_ready(
    cluster: &dyn Cluster,
    spec: &SystemSpec,
    setup: &Setup,
) -> Result<(), String> {
    let options = super::options_of(spec).map_err(|e| format!("client.options: {e}"))?;
    let port = super::client_port(spec);
    let js = conn::connect(
        conn::addresses(cluster, 0, port),
        Duration::from_millis(ASK_TIMEOUT_MS),
    )
    .await?;
    // Asked raw: `async-nats`'s account info wants fields nats-server 2.9 does not send.
    let info: serde_json::Value = js
        .request("INFO", &serde_json::json!({}))
        .await
        .map_err(|e| format!("JetStream's account info: {e}"))?;
    if let Some(e) = info.get("error") {
        return Err(format!("JetStream is not ready (no meta leader yet?): {e}"));
    }
    for config in configs(setup, options.reads) {
        ready(&js, config).await?;
    }
    Ok(())
}

/// Makes the stream when it is missing; `Ok` when it has a leader and current replicas.
async fn ready(js: &Context, config: Config) -> Result<(), String> {
    let name = config.name.clone();
    let want = config.num_replicas;
    let stream = js
        .get_or_create_stream(config)
        .await
        .map_err(|e| format!("making stream {name}: {e}"))?;
    let info = stream
        .get_info()
        .await
        .map_err(|e| format!("stream {name}: {e}"))?;
    let cluster = info.cluster.unwrap_or_default();
    let current = cluster.replicas.iter().filter(|p| p.current).count();
    match cluster.leader {
        Some(_) if current + 1 >= want => Ok(()),
        leader => Err(format!(
            "stream {name}: leader {leader:?}, {current} of {} other replicas current",
            want - 1
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_run_has_one_stream_per_key_and_a_register_run_the_bucket() {
        let mut setup = Setup::new("nats", 5);
        setup.workload = "log".into();
        let log = configs(&setup, Reads::Leader);
        assert_eq!(log.len(), 4);
        assert_eq!(log[1].name, "log-1");
        assert_eq!(log[1].subjects, vec!["log.1".to_string()]);
        assert!(log.iter().all(|c| c.num_replicas == 3));
        setup.workload = "register".into();
        setup.nodes = 1;
        let kv = configs(&setup, Reads::Leader);
        assert_eq!(kv.len(), 1);
        assert_eq!((kv[0].name.as_str(), kv[0].num_replicas), ("KV_schism", 1));
        assert!(!kv[0].allow_direct);
        assert!(configs(&setup, Reads::Direct)[0].allow_direct);
    }
}
