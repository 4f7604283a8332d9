//! An in-memory fleet for unit tests: it records what was done to each node and applies
//! iptables-like rules to a simulated reachability relation, so fault logic and run loops
//! can be tested without Docker.

use crate::{Cluster, ClusterError, ExecOutput, FileEntry, NodeInfo};
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Mutex;

/// What the fake knows of one node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeNode {
    pub running: bool,
    pub paused: bool,
    /// Source IPs whose packets this node drops (from `iptables -A ... -s IP -j DROP`).
    pub drops_from: BTreeSet<Ipv4Addr>,
    /// The probability of the `statistic` drop rule, if one is set.
    pub loss: Option<String>,
    pub kills: u32,
    pub starts: u32,
    pub pauses: u32,
    /// Every command run in its network namespace.
    pub commands: Vec<Vec<String>>,
    /// Its files, by absolute path (for faults that read and write them).
    pub files: BTreeMap<String, Vec<u8>>,
    /// Whether it was running at each file write (in order).
    pub writes_running: Vec<bool>,
}

/// A fleet of `n` nodes, `n1..nN` at 10.99.0.(i+1).
pub struct FakeCluster {
    nodes: Vec<NodeInfo>,
    state: Mutex<BTreeMap<String, FakeNode>>,
    pub torn_down: Mutex<bool>,
}

impl FakeCluster {
    pub fn new(n: usize) -> FakeCluster {
        let nodes: Vec<NodeInfo> = (1..=n)
            .map(|i| NodeInfo {
                name: format!("n{i}"),
                ip: Ipv4Addr::new(10, 99, 0, i as u8 + 1),
            })
            .collect();
        let state = nodes
            .iter()
            .map(|n| {
                (
                    n.name.clone(),
                    FakeNode {
                        running: true,
                        ..FakeNode::default()
                    },
                )
            })
            .collect();
        FakeCluster {
            nodes,
            state: Mutex::new(state),
            torn_down: Mutex::new(false),
        }
    }

    /// A copy of what the fake knows of a node.
    pub fn state(&self, node: &str) -> FakeNode {
        self.lock().get(node).cloned().unwrap_or_default()
    }

    /// Put a file into a node's filesystem.
    pub fn put_file(&self, node: &str, path: &str, bytes: &[u8]) {
        if let Some(n) = self.lock().get_mut(node) {
            n.files.insert(path.to_string(), bytes.to_vec());
        }
    }

    /// Whether packets from `from` reach `to`.
    pub fn reaches(&self, from: &str, to: &str) -> bool {
        let ip = self.ip(from);
        !self.lock()[to].drops_from.contains(&ip)
    }

    fn ip(&self, node: &str) -> Ipv4Addr {
        self.nodes
            .iter()
            .find(|n| n.name == node)
            .map(|n| n.ip)
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, FakeNode>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with<T>(&self, node: &str, f: impl FnOnce(&mut FakeNode) -> T) -> Result<T, ClusterError> {
        let mut s = self.lock();
        let n = s
            .get_mut(node)
            .ok_or_else(|| ClusterError::UnknownNode(node.to_string()))?;
        Ok(f(n))
    }
}

#[async_trait]
impl Cluster for FakeCluster {
    fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    async fn kill(&self, node: &str) -> Result<(), ClusterError> {
        self.with(node, |n| {
            n.running = false;
            n.kills += 1;
        })
    }

    async fn start(&self, node: &str) -> Result<(), ClusterError> {
        self.with(node, |n| {
            n.running = true;
            n.starts += 1;
        })
    }

    async fn pause(&self, node: &str) -> Result<(), ClusterError> {
        self.with(node, |n| {
            n.paused = true;
            n.pauses += 1;
        })
    }

    async fn resume(&self, node: &str) -> Result<(), ClusterError> {
        self.with(node, |n| n.paused = false)
    }

    /// Understands the iptables commands the nemesis uses: `-A <chain> -s IP[,IP...] -j
    /// DROP`, `-A <chain> -m statistic --mode random --probability P -j DROP`, the same
    /// with `-D` (delete), and `-F <chain>`; refuses `tc` as a kernel without netem does.
    /// None: the fake's nodes have no network namespace (packet faults are refused).
    async fn netns_path(&self, node: &str) -> Result<Option<std::path::PathBuf>, ClusterError> {
        self.with(node, |_| None)
    }

    async fn exec_in_netns(&self, node: &str, argv: &[&str]) -> Result<ExecOutput, ClusterError> {
        self.with(node, |n| {
            n.commands
                .push(argv.iter().map(|s| s.to_string()).collect());
            let arg = |flag: &str| {
                argv.iter()
                    .position(|a| *a == flag)
                    .and_then(|i| argv.get(i + 1))
                    .copied()
            };
            if argv.first() == Some(&"iptables") {
                let delete = arg("-D").is_some();
                if arg("-F").is_some() {
                    n.drops_from.clear();
                    n.loss = None;
                } else if let Some(p) = arg("--probability") {
                    n.loss = (!delete).then(|| p.to_string());
                } else if let Some(ips) = arg("-s") {
                    let ips = ips.split(',').filter_map(|ip| ip.parse::<Ipv4Addr>().ok());
                    if delete {
                        for ip in ips {
                            n.drops_from.remove(&ip);
                        }
                    } else {
                        n.drops_from.extend(ips);
                    }
                }
            }
            if argv.first() == Some(&"tc") {
                // Like the kernels seen on these machines: no netem.
                return Err(ClusterError::Exec {
                    node: node.to_string(),
                    command: argv.join(" "),
                    exit_code: 2,
                    stderr: "Error: Specified qdisc kind is unknown.".into(),
                });
            }
            Ok(ExecOutput::default())
        })?
    }

    async fn list_files(&self, node: &str, dir: &str) -> Result<Vec<FileEntry>, ClusterError> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.with(node, |n| {
            n.files
                .iter()
                .filter(|(p, _)| p.starts_with(&prefix))
                .map(|(p, b)| FileEntry {
                    path: p.clone(),
                    size: b.len() as u64,
                })
                .collect()
        })
    }

    async fn read_file(&self, node: &str, path: &str) -> Result<Vec<u8>, ClusterError> {
        self.with(node, |n| n.files.get(path).cloned())?
            .ok_or_else(|| ClusterError::Docker(format!("{path} of {node}: no such file")))
    }

    async fn write_file(&self, node: &str, path: &str, bytes: &[u8]) -> Result<(), ClusterError> {
        self.with(node, |n| {
            n.writes_running.push(n.running);
            n.files.insert(path.to_string(), bytes.to_vec());
        })
    }

    async fn logs(&self, node: &str, _tail: usize) -> Result<String, ClusterError> {
        self.with(node, |n| format!("{} commands\n", n.commands.len()))
    }

    async fn teardown(&self, _save_logs_to: Option<&Path>) -> Result<(), ClusterError> {
        *self.torn_down.lock().unwrap_or_else(|e| e.into_inner()) = true;
        Ok(())
    }
}
