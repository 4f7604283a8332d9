//! schism's own reference systems (`raft`, `paxos`, `om`, `eig`): the `schism-node` binary packed into an
//! image, one node per container, spoken to with Maelstrom's protocol over the node
//! runtime.

use super::System;
use crate::error::RunError;
use crate::spec::TestSpec;
use async_trait::async_trait;
use cluster::docker::DockerCluster;
use cluster::{Cluster, ClusterSpec, ImageFile, ImageSpec, NodeCommand, NodeInfo, Probe};
use nemesis::Leader;
use serde_json::json;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use workloads::agreement::AgreementClient;
use workloads::maelstrom::MaelstromClient;
use workloads::Client;

pub const PORT: u16 = 7000;
/// The round of `om` and `eig` in containers, in milliseconds.
const ROUND_MS: u64 = 250;

/// A reference protocol of `schism-node`.
pub struct Reference {
    pub protocol: &'static str,
}

/// The program a node container runs, and the arguments that make it a node:
/// `$SCHISM_NODE`; else `schism-node` beside this executable (or one directory up, for
/// test binaries in `deps/`); else `schism` itself, as `schism node` (so a fresh
/// `cargo run --bin schism` needs nothing else).
pub fn node_program() -> Result<(PathBuf, Vec<String>), RunError> {
    if let Some(p) = std::env::var_os("SCHISM_NODE") {
        return Ok((PathBuf::from(p), Vec::new()));
    }
    let exe = std::env::current_exe().map_err(|e| RunError::Harness(e.to_string()))?;
    let dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    let dirs = [dir.clone(), dir.join("..")];
    if let Some(p) = dirs
        .iter()
        .map(|d| d.join("schism-node"))
        .find(|p| p.is_file())
    {
        return Ok((p, Vec::new()));
    }
    let schism = std::iter::once(exe.clone())
        .filter(|e| e.file_name().is_some_and(|n| n == "schism"))
        .chain(dirs.iter().map(|d| d.join("schism")))
        .find(|p| p.is_file());
    match schism {
        Some(p) => Ok((p, vec!["node".into()])),
        None => Err(RunError::Harness(format!(
            "no node program beside {} (build it with `cargo build --release`, or set \
             SCHISM_NODE to a schism-node binary)",
            exe.display()
        ))),
    }
}

/// What holds each node's network namespace in Docker runs: schism's own node program
/// (`schism-node hold`, or `schism node hold`), so a run needs nothing from the host that
/// schism did not build.
pub fn holder() -> Result<cluster::Holder, RunError> {
    let (program, mut args) = node_program()?;
    args.push("hold".into());
    Ok(cluster::Holder {
        host_path: program,
        image_path: "/usr/bin/schism-hold".into(),
        args,
    })
}

/// Every node's name and the address of its `port`.
pub fn addrs(cluster_nodes: &[NodeInfo], port: u16) -> Vec<(String, SocketAddr)> {
    cluster_nodes
        .iter()
        .map(|n| (n.name.clone(), SocketAddr::from((n.ip, port))))
        .collect()
}

#[async_trait]
impl System for Reference {
    fn name(&self) -> &str {
        self.protocol
    }

    fn preflight(&self, spec: &TestSpec) -> Result<(), RunError> {
        node_program()?;
        let known: &[&str] = nodes::choose::PROTOCOLS
            .iter()
            .find(|(p, _)| *p == self.protocol)
            .map_or(&[], |(_, b)| b);
        for b in &spec.bug {
            if !known.contains(&b.as_str()) {
                return Err(RunError::Spec(format!(
                    "unknown bug {b:?} for {}; known: {}",
                    self.protocol,
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    async fn start(&self, spec: &TestSpec, run_id: &str) -> Result<Arc<dyn Cluster>, RunError> {
        let protocol = self.protocol;
        let bugs = spec.bug.clone();
        let (program, prefix) = node_program()?;
        let traitors = crate::traitors::choose(spec, spec.seed.unwrap_or(0));
        let m = spec.traitors;
        let command = move |name: &str, _ip: Ipv4Addr, all: &[(String, Ipv4Addr)]| {
            let nodes: Vec<String> = all
                .iter()
                .map(|(n, ip)| format!("{n}={ip}:{PORT}"))
                .collect();
            let mut argv = vec!["/usr/bin/schism-node".to_string()];
            argv.extend(prefix.iter().cloned());
            argv.extend([
                protocol.to_string(),
                "--id".into(),
                name.to_string(),
                "--nodes".into(),
                nodes.join(","),
                "--data".into(),
                "/data".into(),
            ]);
            if !bugs.is_empty() {
                argv.push("--bug".into());
                argv.push(bugs.join(","));
            }
            if matches!(protocol, "om" | "eig") {
                // Rounds long enough for a loaded two-core machine (a message later than
                // its round counts as lost, which a synchronous algorithm cannot afford).
                argv.push("--round-ms".into());
                argv.push(ROUND_MS.to_string());
            }
            if matches!(protocol, "om" | "eig") && m > 0 {
                // The algorithm is built for as many traitors as the run may have.
                argv.push("--m".into());
                argv.push(m.to_string());
            }
            if let Some((_, how)) = traitors.iter().find(|(n, _)| n == name) {
                argv.push("--traitor".into());
                argv.push(how.to_string());
            }
            NodeCommand {
                argv,
                env: Vec::new(),
            }
        };
        let cluster_spec = ClusterSpec {
            run_id: run_id.to_string(),
            nodes: spec.nodes,
            image: ImageSpec {
                name: "schism-node".into(),
                files: vec![ImageFile {
                    host_path: program,
                    image_path: "/usr/bin/schism-node".into(),
                    with_libraries: true,
                }],
                dirs: vec!["/data".into()],
                base: None,
            },
            command: Arc::new(command),
            probe: Probe::Tcp { port: PORT },
            ready_timeout: Duration::from_secs_f64(spec.ready_timeout_s),
            log_files: Vec::new(),
            stop_signal: None,
            data_dir: Some("/data".into()),
            holder: holder()?,
        };
        Ok(Arc::new(DockerCluster::start(&cluster_spec).await?))
    }

    async fn cleanup(&self, run_id: &str) {
        let _ = cluster::docker::remove_run(run_id).await;
    }

    fn client_in(
        &self,
        cluster: &dyn Cluster,
        node: usize,
        spec: &TestSpec,
    ) -> Result<Box<dyn Client>, RunError> {
        let timeout = Duration::from_millis(spec.client_timeout_ms);
        let inner = MaelstromClient::new(addrs(cluster.nodes(), PORT), node, timeout);
        if spec.workload == "register" {
            return Ok(Box::new(inner));
        }
        if workloads::txn::NAMES.contains(&spec.workload.as_str()) {
            let txn = Box::new(workloads::txn::MaelstromTxnClient::new(inner));
            return Ok(workloads::txn::client_over(
                &spec.workload,
                txn,
                &spec.workload_section(),
            ));
        }
        let via_leader = matches!(self.protocol, "raft" | "paxos");
        let vectors = spec.workload == "interactive-consistency";
        Ok(Box::new(AgreementClient::new(inner, via_leader, vectors)))
    }

    fn control_port(&self) -> Option<u16> {
        Some(PORT)
    }

    fn workloads(&self) -> Vec<String> {
        let names: &[&str] = match self.protocol {
            "om" => &["generals"],
            "eig" => &["interactive-consistency"],
            _ => &[
                "register",
                "consensus",
                "ledger",
                "list-append",
                "rw-register",
                "bank",
                "set",
            ],
        };
        names.iter().map(|w| w.to_string()).collect()
    }

    fn lie_fields(&self) -> (Vec<String>, Vec<serde_json::Value>) {
        let paths: &[&str] = match self.protocol {
            // The values inside the log entries a leader replicates.
            "raft" => &[
                "entries.*.op.value",
                "entries.*.op.from",
                "entries.*.op.to",
                "entries.*.op.entry",
            ],
            // The command a proposer asks acceptors to accept, and decisions it spreads.
            "paxos" => &["value.value", "value.from", "value.to", "value.entry"],
            _ => &["value"],
        };
        let domain = match self.protocol {
            "om" => vec![json!("attack"), json!("retreat")],
            _ => Vec::new(),
        };
        (paths.iter().map(|p| p.to_string()).collect(), domain)
    }

    fn leader(&self) -> Option<Arc<dyn Leader>> {
        Some(Arc::new(StateLeader))
    }
}

/// Asks every node its `schism/state`; the one whose role is leader (highest term) leads.
struct StateLeader;

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
                if s["role"] == "leader" {
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
