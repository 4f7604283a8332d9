//! The fields of a system spec, as a user writes them in YAML. Every field is documented
//! in docs/systems.md; unknown fields are errors (a typo must not be silently ignored).

use crate::query::Query;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How to run one system under test: its image, each node's command, readiness, and how
/// clients talk to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    /// The system's name (lower case, digits, `-`): runs are stored under `<name>-<workload>`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub image: ImageSource,
    /// The node's command, templated; default `["{{binary}}"]`.
    #[serde(default)]
    pub command: Vec<String>,
    /// Appended to the command, templated.
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Named ports (`client`, `peer`, ...), usable in templates as `{{port.NAME}}`.
    #[serde(default)]
    pub ports: BTreeMap<String, u16>,
    /// When a node is ready; default: the client port accepts TCP connections.
    #[serde(default)]
    pub ready: Option<Ready>,
    /// The node's data directory: a volume of its own, kept across kill and restart.
    #[serde(default)]
    pub data_dir: Option<String>,
    /// The files of the data directory worth corrupting (the `corrupt-file` fault):
    /// patterns relative to `data_dir` (`*`, `**`, `?`); default: any regular file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrupt_paths: Vec<String>,
    /// The signal that asks a node to stop (sent at teardown, 2 s before removal).
    #[serde(default)]
    pub stop_signal: Option<String>,
    /// Log files the node writes besides stdout and stderr (saved with them).
    #[serde(default)]
    pub log_files: Vec<String>,
    /// How to find the leader or primary (for the isolate-leader partition, the `leader`
    /// target and leader-first traitors): `none`, a client protocol that can ask (`etcd`),
    /// or a probe any spec can use.
    #[serde(default)]
    pub leader: Option<LeaderSpec>,
    /// When the whole cluster serves clients, beyond each node being ready: a question
    /// every node must answer (with `matches` in the answer, when given) before the run's
    /// clients start.
    #[serde(default)]
    pub cluster_ready: Option<Query>,
    /// The Debian package that provides `image.binary`, named when it is missing.
    #[serde(default)]
    pub package: Option<String>,
    pub client: ClientSpec,
    /// The workloads it serves (default: those its client protocol can drive).
    #[serde(default)]
    pub workloads: Vec<String>,
    /// Message fields a Byzantine node of this system lies about (dotted paths; Maelstrom
    /// protocol only).
    #[serde(default)]
    pub lie_fields: Vec<String>,
}

/// Where the node image comes from: a binary (or script) of this machine packed into an
/// image of its own, or a local image; plus extra files.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSource {
    /// A program of this machine (relative paths: from the spec's directory). An ELF
    /// binary comes with its shared libraries; a script (`#!`) with its interpreter (for
    /// Python, its standard library) and the files of its directory.
    #[serde(default)]
    pub binary: Option<String>,
    /// A local image to build on (no registry is reachable: it must be there already).
    #[serde(default)]
    pub existing: Option<String>,
    /// Extra files or directories: this machine's path -> the path in the image.
    #[serde(default)]
    pub files: Vec<ExtraFile>,
    /// Empty directories to create.
    #[serde(default)]
    pub dirs: Vec<String>,
    /// A shell in the image (this machine's static busybox at `/bin/sh`, its applets by
    /// `busybox NAME`), for a node that runs several processes from one script.
    #[serde(default)]
    pub shell: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraFile {
    pub host: String,
    pub image: String,
    /// An ELF program or library: its shared libraries (as `ldd` names them) come too.
    #[serde(default)]
    pub libraries: bool,
}

/// Who leads: a name (`none`, or a client protocol that can ask, such as `etcd`), or a
/// question asked of each node: the node whose answer holds `matches` leads; without
/// `matches`, the answer names the leader (a node's name or address).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LeaderSpec {
    Named(String),
    Probe(Query),
}

/// How to tell that a node is ready: exactly one of the three.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    /// A TCP connection to this port succeeds.
    #[serde(default)]
    pub tcp: Option<u16>,
    /// An HTTP GET answers 2xx.
    #[serde(default)]
    pub http: Option<HttpReady>,
    /// A command run in the node's container exits 0.
    #[serde(default)]
    pub command: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpReady {
    pub port: u16,
    pub path: String,
}

/// How clients talk to the nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// `maelstrom`, `etcd`, `http-kv` or `exec`.
    pub protocol: String,
    /// The port clients connect to (default `ports.client`; for `maelstrom`, schism's
    /// runtime port 7000).
    #[serde(default)]
    pub port: Option<u16>,
    /// etcd: `linearizable` (default) or `serializable` reads.
    #[serde(default)]
    pub read_mode: Option<String>,
    /// etcd: the lease of a held lock, in seconds (default 10).
    #[serde(default)]
    pub lease_ttl_s: Option<i64>,
    /// http-kv: the REST mapping of read, write and cas.
    #[serde(default)]
    pub http: Option<crate::client::http_kv::HttpKvMapping>,
    /// exec: the command run (on this machine) for each client worker, templated.
    #[serde(default)]
    pub command: Vec<String>,
    /// exec: its environment, templated.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The protocol's own options (each protocol documents and checks its own).
    #[serde(default)]
    pub options: serde_json::Value,
}

impl SystemSpec {
    /// The port clients connect to (`client.port`, else `ports.client`; 0 when neither).
    pub fn client_port(&self) -> u16 {
        self.client
            .port
            .or(self.ports.get("client").copied())
            .unwrap_or(0)
    }
}
