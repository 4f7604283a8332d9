//! `etcd`: Debian's etcd server (package etcd-server) packed into an image, one member per
//! node, talked to over its v3 JSON gateway.

use super::System;
use crate::error::RunError;
use crate::spec::TestSpec;
use async_trait::async_trait;
use cluster::docker::DockerCluster;
use cluster::{Cluster, ClusterSpec, ImageFile, ImageSpec, NodeCommand, Probe};
use nemesis::Leader;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;
use workloads::etcd::{EtcdClient, ReadMode};
use workloads::Client;

pub const CLIENT_PORT: u16 = 2379;
pub const PEER_PORT: u16 = 2380;

pub struct Etcd;

fn read_mode(spec: &TestSpec) -> Result<ReadMode, RunError> {
    ReadMode::parse(&spec.etcd.read_mode).ok_or_else(|| {
        RunError::Spec(format!(
            "etcd.read_mode must be linearizable or serializable, not {:?}",
            spec.etcd.read_mode
        ))
    })
}

/// Node i's command: its name, its own URLs, and the whole initial cluster.
pub fn command(name: &str, ip: Ipv4Addr, all: &[(String, Ipv4Addr)]) -> NodeCommand {
    let initial: Vec<String> = all
        .iter()
        .map(|(n, ip)| format!("{n}=http://{ip}:{PEER_PORT}"))
        .collect();
    let argv = [
        "/usr/bin/etcd",
        "--name",
        name,
        "--data-dir",
        "/data/etcd",
        "--listen-client-urls",
        &format!("http://0.0.0.0:{CLIENT_PORT}"),
        "--advertise-client-urls",
        &format!("http://{ip}:{CLIENT_PORT}"),
        "--listen-peer-urls",
        &format!("http://0.0.0.0:{PEER_PORT}"),
        "--initial-advertise-peer-urls",
        &format!("http://{ip}:{PEER_PORT}"),
        "--initial-cluster",
        &initial.join(","),
        "--initial-cluster-state",
        "new",
        "--initial-cluster-token",
        "schism",
    ];
    NodeCommand {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
    }
}

#[async_trait]
impl System for Etcd {
    fn name(&self) -> &'static str {
        "etcd"
    }

    fn preflight(&self, spec: &TestSpec) -> Result<(), RunError> {
        read_mode(spec)?;
        if !spec.etcd.binary.is_file() {
            return Err(RunError::Harness(format!(
                "the etcd binary {} is missing: install Debian's etcd-server package \
                 (apt-get install etcd-server), or set etcd.binary in the spec",
                spec.etcd.binary.display()
            )));
        }
        Ok(())
    }

    async fn start(&self, spec: &TestSpec, run_id: &str) -> Result<Arc<dyn Cluster>, RunError> {
        let cluster_spec = ClusterSpec {
            run_id: run_id.to_string(),
            nodes: spec.nodes,
            image: ImageSpec {
                name: "etcd".into(),
                files: vec![ImageFile {
                    host_path: spec.etcd.binary.clone(),
                    image_path: "/usr/bin/etcd".into(),
                    with_libraries: true,
                }],
                dirs: vec!["/data".into(), "/tmp".into()],
            },
            command: Arc::new(command),
            probe: Probe::Http {
                port: CLIENT_PORT,
                path: "/health".into(),
            },
            ready_timeout: Duration::from_secs_f64(spec.ready_timeout_s),
            log_file: None,
            data_dir: Some("/data".into()),
        };
        Ok(Arc::new(DockerCluster::start(&cluster_spec).await?))
    }

    fn client_in(
        &self,
        cluster: &dyn Cluster,
        i: usize,
        spec: &TestSpec,
    ) -> Result<Box<dyn Client>, RunError> {
        let node = &cluster.nodes()[i];
        let timeout = Duration::from_millis(spec.client_timeout_ms);
        let c = EtcdClient::new(
            &format!("{}:{CLIENT_PORT}", node.ip),
            timeout,
            read_mode(spec)?,
        )
        .map_err(RunError::Harness)?;
        Ok(Box::new(c))
    }

    async fn cleanup(&self, run_id: &str) {
        let _ = cluster::docker::remove_run(run_id).await;
    }

    fn leader(&self) -> Option<Arc<dyn Leader>> {
        Some(Arc::new(EtcdLeader))
    }
}

/// Asks every member for its status: each says its own id and the leader's.
struct EtcdLeader;

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
            let url = format!("http://{}:{CLIENT_PORT}/v3/maintenance/status", n.ip);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_member_gets_its_urls_and_the_whole_cluster() {
        let all: Vec<(String, Ipv4Addr)> = (1..=3)
            .map(|i| (format!("n{i}"), Ipv4Addr::new(10, 0, 0, i + 1)))
            .collect();
        let c = command("n2", all[1].1, &all);
        let joined = c.argv.join(" ");
        assert!(joined.contains("--name n2"));
        assert!(joined.contains("--advertise-client-urls http://10.0.0.3:2379"));
        assert!(joined.contains(
            "--initial-cluster n1=http://10.0.0.2:2380,n2=http://10.0.0.3:2380,n3=http://10.0.0.4:2380"
        ));
    }
}
