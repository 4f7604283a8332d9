//! schism's own reference systems (`raft`, `paxos`, `om`, `eig`): the `schism-node`
//! binary packed into an image, one node per container, spoken to with Maelstrom's
//! protocol over the node runtime. What each protocol serves and where its nodes lie is
//! read from `nodes::facts`.

use crate::client::maelstrom::{self, MaelstromClient};
use crate::runtime::{addrs, holder, node_program, IN_IMAGE, PORT};
use crate::state_leader::StateLeader;
use crate::{Error, Setup, System};
use async_trait::async_trait;
use cluster::docker::DockerCluster;
use cluster::{Cluster, ClusterSpec, ImageFile, ImageSpec, NodeCommand, Probe};
use nemesis::Leader;
use nodes::facts::Facts;
use std::net::Ipv4Addr;
use std::sync::Arc;
use workloads::Client;

/// The round of `om` and `eig` in containers, in milliseconds: a value later than its
/// round counts as never sent, so a round must outlast the delays of a loaded two-core
/// machine (with 250 ms, eig's correct nodes split when proposals took 200 ms to be
/// answered under load).
const ROUND_MS: u64 = 500;

/// A reference protocol of `schism-node`.
pub struct Reference {
    pub protocol: &'static str,
}

/// Where a reference node keeps what it must not forget.
const DATA_DIR: &str = "/data";

impl Reference {
    fn facts(&self) -> Option<&'static Facts> {
        nodes::facts::of(self.protocol)
    }
}

/// Node `name`'s command line: the protocol, its peers, the bugs asked, and for the
/// algorithms that run in rounds, the round and the traitors they are built for.
struct Command {
    protocol: &'static str,
    prefix: Vec<String>,
    bugs: Vec<String>,
    rounds: bool,
    m: usize,
    traitors: Vec<(String, &'static str)>,
}

impl Command {
    fn argv(&self, name: &str, all: &[(String, Ipv4Addr)]) -> Vec<String> {
        let nodes: Vec<String> = all
            .iter()
            .map(|(n, ip)| format!("{n}={ip}:{PORT}"))
            .collect();
        let mut argv = vec![IN_IMAGE.to_string()];
        argv.extend(self.prefix.iter().cloned());
        argv.extend([
            self.protocol.to_string(),
            "--id".into(),
            name.to_string(),
            "--nodes".into(),
            nodes.join(","),
            "--data".into(),
            DATA_DIR.into(),
        ]);
        if !self.bugs.is_empty() {
            argv.push("--bug".into());
            argv.push(self.bugs.join(","));
        }
        if self.rounds {
            // Rounds long enough for a loaded two-core machine (a message later than
            // its round counts as lost, which a synchronous algorithm cannot afford).
            argv.push("--round-ms".into());
            argv.push(ROUND_MS.to_string());
        }
        if self.rounds && self.m > 0 {
            // The algorithm is built for as many traitors as the run may have.
            argv.push("--m".into());
            argv.push(self.m.to_string());
        }
        if let Some((_, how)) = self.traitors.iter().find(|(n, _)| n == name) {
            argv.push("--traitor".into());
            argv.push(how.to_string());
        }
        argv
    }
}

#[async_trait]
impl System for Reference {
    fn name(&self) -> &str {
        self.protocol
    }

    fn preflight(&self, setup: &Setup) -> Result<(), Error> {
        node_program()?;
        let known: &[&str] = nodes::choose::PROTOCOLS
            .iter()
            .find(|(p, _)| *p == self.protocol)
            .map_or(&[], |(_, b)| b);
        for b in &setup.bug {
            if !known.contains(&b.as_str()) {
                return Err(Error::Spec(format!(
                    "unknown bug {b:?} for {}; known: {}",
                    self.protocol,
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    async fn start(&self, setup: &Setup, run_id: &str) -> Result<Arc<dyn Cluster>, Error> {
        let (program, prefix) = node_program()?;
        let command = Command {
            protocol: self.protocol,
            prefix,
            bugs: setup.bug.clone(),
            rounds: self.facts().is_some_and(|f| f.rounds),
            m: setup.traitors,
            traitors: crate::traitors::choose(setup),
        };
        let command = move |name: &str, _ip: Ipv4Addr, all: &[(String, Ipv4Addr)]| NodeCommand {
            argv: command.argv(name, all),
            env: Vec::new(),
        };
        let cluster_spec = ClusterSpec {
            run_id: run_id.to_string(),
            nodes: setup.nodes,
            image: ImageSpec {
                name: "schism-node".into(),
                files: vec![ImageFile {
                    host_path: program,
                    image_path: IN_IMAGE.into(),
                    with_libraries: true,
                }],
                dirs: vec![DATA_DIR.into()],
                base: None,
                texts: Vec::new(),
            },
            command: Arc::new(command),
            probe: Probe::Tcp { port: PORT },
            ready_timeout: setup.ready_timeout,
            log_files: Vec::new(),
            stop_signal: None,
            data_dir: Some(DATA_DIR.into()),
            power_loss: setup.power_loss,
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
        setup: &Setup,
    ) -> Result<Box<dyn Client>, Error> {
        let inner = MaelstromClient::new(addrs(cluster.nodes(), PORT), node, setup.client_timeout);
        let via_leader = self.facts().is_some_and(|f| f.leader);
        Ok(maelstrom::for_workload(inner, node, setup, via_leader))
    }

    fn control_port(&self) -> Option<u16> {
        Some(PORT)
    }

    fn nemesis_facts(&self) -> nemesis::SystemFacts {
        nemesis::SystemFacts {
            data_dir: Some(DATA_DIR.into()),
            corrupt_paths: Vec::new(),
            clock: nemesis::ClockReach::Runtime,
        }
    }

    fn default_faults(&self) -> Vec<String> {
        let kinds = self.facts().map_or(crate::DEFAULT_FAULTS, |f| f.faults);
        kinds.iter().map(|k| k.to_string()).collect()
    }

    fn workloads(&self) -> Vec<String> {
        let names = self.facts().map_or(&[][..], |f| f.workloads);
        names.iter().map(|w| w.to_string()).collect()
    }

    fn lie_fields(&self) -> (Vec<String>, Vec<serde_json::Value>) {
        let Some(f) = self.facts() else {
            return (vec!["value".into()], Vec::new());
        };
        let fields = f.lie_fields.iter().map(|p| p.to_string()).collect();
        let domain = f.lie_domain.iter().map(|v| serde_json::json!(v)).collect();
        (fields, domain)
    }

    fn leader(&self) -> Option<Arc<dyn Leader>> {
        Some(Arc::new(StateLeader))
    }
}
