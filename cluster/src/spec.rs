//! What a cluster is made of: the image, each node's command, readiness.

use std::path::PathBuf;
use std::time::Duration;

/// A file (or a directory, with everything under it) to put into an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Where it is on this machine.
    pub host_path: PathBuf,
    /// Where it goes in the image (absolute).
    pub image_path: String,
    /// An executable: the shared libraries `ldd` names for it come too (for a directory:
    /// for every `.so` file in it).
    pub with_libraries: bool,
}

/// An image built FROM scratch out of local files (no registry is reachable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    /// A short name: the image is tagged `schism/<name>:<content hash>`.
    pub name: String,
    pub files: Vec<ImageFile>,
    /// Empty directories to create (for example a data directory).
    pub dirs: Vec<String>,
    /// A local image to build on (`FROM` it) instead of an empty one; None: FROM scratch.
    pub base: Option<String>,
    /// Small text files written into the image: (absolute path, content), mode 0644.
    pub texts: Vec<(String, String)>,
}

/// How node i is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCommand {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// How to tell a node is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// A TCP connection to this port of the node's address succeeds.
    Tcp { port: u16 },
    /// An HTTP GET of this path on this port answers 2xx.
    Http { port: u16, path: String },
    /// This command, run in the node container, exits 0.
    Command { argv: Vec<String> },
}

impl std::fmt::Display for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Probe::Tcp { port } => write!(f, "TCP port {port}"),
            Probe::Http { port, path } => write!(f, "HTTP GET :{port}{path}"),
            Probe::Command { argv } => write!(f, "command `{}`", argv.join(" ")),
        }
    }
}

/// Makes node i's command from its name, its IP and every node's (name, IP).
pub type CommandFn = std::sync::Arc<
    dyn Fn(&str, std::net::Ipv4Addr, &[(String, std::net::Ipv4Addr)]) -> NodeCommand + Send + Sync,
>;

/// The program that holds each node's network namespace: it runs in the holder container
/// until the container is removed, doing nothing. It is packed into the tools image with
/// its libraries, so it comes from what schism builds itself (schism's own node binary,
/// `schism-node hold`), never from a tool the host may lack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The program on the host.
    pub host_path: std::path::PathBuf,
    /// Where it is in the tools image (a multi-call binary such as busybox needs its own
    /// name there).
    pub image_path: String,
    /// Its arguments (after the program).
    pub args: Vec<String>,
}

impl Holder {
    /// The host's static busybox (`busybox sleep`): for the cluster crate's own tests and
    /// samples, where schism's node binary is not at hand.
    pub fn busybox() -> Holder {
        Holder {
            host_path: "/usr/bin/busybox".into(),
            image_path: "/bin/busybox".into(),
            args: vec!["sleep".into(), "2147483647".into()],
        }
    }
}

/// Everything needed to bring a cluster up.
#[derive(Clone)]
pub struct ClusterSpec {
    /// Labels every object; names are prefixed with it.
    pub run_id: String,
    /// Node names, `n1..nN`.
    pub nodes: usize,
    pub image: ImageSpec,
    /// The command of each node.
    pub command: CommandFn,
    pub probe: Probe,
    pub ready_timeout: Duration,
    /// Log files the node keeps in the container besides its stdout/stderr (saved after
    /// them, each under a header).
    pub log_files: Vec<String>,
    /// The signal that asks a node to stop (teardown sends it and waits briefly, so the
    /// node can flush its logs, before removing it); None: removed at once.
    pub stop_signal: Option<String>,
    /// The node's data directory: a volume of its own (off the containers' layered
    /// filesystem, which is slow to write), kept across kill and restart, removed at
    /// teardown.
    pub data_dir: Option<String>,
    /// The data directory is instead a powerfs mount on the host (one per node, mounted
    /// before the node's container is made, bind-mounted into it, unmounted at teardown),
    /// so that [`crate::Cluster::lose_unsynced`] can drop what the node never synced.
    pub power_loss: bool,
    /// What holds each node's network namespace.
    pub holder: Holder,
}

impl std::fmt::Debug for ClusterSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterSpec")
            .field("run_id", &self.run_id)
            .field("nodes", &self.nodes)
            .field("image", &self.image)
            .field("probe", &self.probe)
            .field("ready_timeout", &self.ready_timeout)
            .field("log_files", &self.log_files)
            .field("stop_signal", &self.stop_signal)
            .field("data_dir", &self.data_dir)
            .field("power_loss", &self.power_loss)
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}
