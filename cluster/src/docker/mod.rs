//! The Docker backend: real containers on the local engine.
//!
//! [`DockerCluster::start`] brings a run up in four steps:
//!
//! 1. images: the system's image from [`ClusterSpec::image`] and the holders' [`tools_image`],
//!    built FROM scratch out of local files and cached by content hash (see `image.rs`);
//! 2. a bridge network `schism-<run id>` on a /24 of its own (`network.rs`);
//! 3. for each node `n1..nN` a holder container owning the network namespace at a fixed
//!    address (.2, .3, ...) and the node container joined to it (`node.rs`), all nodes in
//!    parallel;
//! 4. readiness: the probe, from the host, until every node answers (`probe.rs`).
//!
//! Any failure on the way removes everything the run created before it returns. Every
//! object carries `schism.run=<run id>` and [`Cluster::teardown`] (or [`remove_run`]) removes
//! exactly those.
//!
//! ```no_run
//! # async fn example() -> Result<(), cluster::ClusterError> {
//! use cluster::docker::DockerCluster;
//! use cluster::{Cluster, ClusterSpec, Holder, ImageFile, ImageSpec, NodeCommand, Probe};
//! use std::{sync::Arc, time::Duration};
//!
//! let spec = ClusterSpec {
//!     run_id: "demo-1".into(),
//!     nodes: 3,
//!     image: ImageSpec {
//!         name: "busybox".into(),
//!         files: vec![ImageFile {
//!             host_path: "/usr/bin/busybox".into(),
//!             image_path: "/bin/busybox".into(),
//!             with_libraries: true,
//!         }],
//!         dirs: vec!["/data".into()],
//!         base: None,
//!         texts: Vec::new(),
//!     },
//!     command: Arc::new(|_name, _ip, _all| NodeCommand {
//!         argv: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/data"].map(String::from).to_vec(),
//!         env: vec![],
//!     }),
//!     probe: Probe::Tcp { port: 8080 },
//!     ready_timeout: Duration::from_secs(20),
//!     log_files: Vec::new(),
//!     stop_signal: None,
//!     data_dir: Some("/data".into()),
//!     power_loss: false,
//!     holder: Holder::busybox(),
//! };
//! let cluster = DockerCluster::start(&spec).await?;
//! let n2 = cluster.nodes()[1].ip.to_string();
//! cluster.exec_in_netns("n1", &["iptables", "-A", "INPUT", "-s", &n2, "-j", "DROP"]).await?;
//! cluster.teardown(None).await?;
//! # Ok(()) }
//! ```

pub mod controller;
mod engine;
mod exec;
mod files;
mod image;
mod ldd;
mod leftovers;
mod logs;
mod network;
mod node;
mod power;
mod probe;
mod teardown;

pub use engine::{IMAGE_LABEL, NODE_LABEL, ROLE_LABEL};
pub use exec::ExecPath;
pub use image::{ensure_image, tools_image, BuiltImage};
pub use leftovers::{
    find_leftovers, remove_images, remove_leftovers, unused_images, LeftRun, Leftovers,
};
pub use power::root as power_root;
pub use teardown::{list_run_objects, remove_run};

use crate::{Cluster, ClusterError, ClusterSpec, ExecOutput, FileEntry, NodeInfo, Probe};
use async_trait::async_trait;
use bollard::query_parameters::KillContainerOptionsBuilder;
use bollard::Docker;
use engine::{brief, docker_err};
use node::Member;
use probe::NotReady;
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

/// How many lines of a node's log a [`ClusterError::NotReady`] shows.
const NOT_READY_LOG_LINES: usize = 20;
/// Seconds a node has to exit after its stop signal, at teardown.
const STOP_GRACE_S: i32 = 2;
/// Node addresses are .2 to .254 of the run's /24.
const MAX_NODES: usize = 253;

/// A running cluster of Docker containers; see the module's documentation.
#[derive(Debug)]
pub struct DockerCluster {
    docker: Docker,
    run_id: String,
    network: String,
    nodes: Vec<NodeInfo>,
    members: Vec<Member>,
    probe: Probe,
    log_files: Vec<String>,
    stop_signal: Option<String>,
    node_image: String,
    tools_image: String,
    images_built: Vec<String>,
    exec_path: ExecPath,
    /// The nodes' powerfs data directories, when the spec asked for power loss.
    power: Option<power::PowerDirs>,
}

impl DockerCluster {
    /// Builds the images (when not cached), creates the network and the nodes, and waits
    /// until every node passes `spec.probe` (at most `spec.ready_timeout`). On any error
    /// nothing of the run is left behind.
    pub async fn start(spec: &ClusterSpec) -> Result<DockerCluster, ClusterError> {
        engine::check_run_id(&spec.run_id)?;
        if spec.nodes == 0 || spec.nodes > MAX_NODES {
            return Err(ClusterError::Docker(format!(
                "{} nodes asked for: a run has 1 to {MAX_NODES}",
                spec.nodes
            )));
        }
        if spec.power_loss {
            // Before anything is made: a host without FUSE is told so at once.
            powerfs::check_host().map_err(|e| ClusterError::PowerLoss(e.to_string()))?;
            if spec.data_dir.is_none() {
                return Err(ClusterError::PowerLoss(
                    "the system has no data directory (a system spec's `data_dir`) to lose writes from".into(),
                ));
            }
        }
        let docker = engine::connect().await?;
        // A run id in use belongs to another run: refuse rather than tear its objects down.
        let (containers, networks) = teardown::list_run_objects_with(&docker, &spec.run_id).await?;
        if !containers.is_empty() || !networks.is_empty() {
            return Err(ClusterError::Docker(format!(
                "run id {} is in use ({} containers, {} networks carry its label); pick another or remove it with remove_run",
                spec.run_id,
                containers.len(),
                networks.len()
            )));
        }
        let started = std::time::Instant::now();
        let result = match Self::create(&docker, spec).await {
            Ok(cluster) => cluster
                .wait_all_ready(spec.ready_timeout)
                .await
                .map(|()| cluster),
            Err(e) => Err(e),
        };
        match result {
            Ok(cluster) => {
                tracing::info!(run_id = %spec.run_id, nodes = spec.nodes, elapsed_ms = started.elapsed().as_millis() as u64, "cluster ready");
                Ok(cluster)
            }
            Err(e) => {
                if let Err(t) = teardown::remove_run_with(&docker, &spec.run_id).await {
                    tracing::warn!(run_id = %spec.run_id, error = %t, "teardown after a failed start");
                }
                Err(e)
            }
        }
    }

    /// Images, network, containers; no waiting for readiness.
    async fn create(docker: &Docker, spec: &ClusterSpec) -> Result<DockerCluster, ClusterError> {
        let tools_spec = tools_image(&spec.holder)?;
        let (node_image, tools, network) = tokio::try_join!(
            ensure_image(docker, &spec.image),
            ensure_image(docker, &tools_spec),
            network::create_run_network(docker, &spec.run_id),
        )?;
        let members: Vec<Member> = (0..spec.nodes)
            .map(|i| Member::new(&spec.run_id, &format!("n{}", i + 1), network.node_ip(i)))
            .collect();
        let all: Vec<(String, Ipv4Addr)> = members.iter().map(|m| (m.name.clone(), m.ip)).collect();
        // Mounted before any node container is made; unmounted when dropped on an error.
        let power = match spec.power_loss {
            true => Some(power::PowerDirs::mount(
                &spec.run_id,
                &all.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
            )?),
            false => None,
        };
        let launches = members.iter().map(|m| {
            let command = (spec.command)(&m.name, m.ip, &all);
            let (network, tools, node_image) = (&network, &tools.tag, &node_image.tag);
            let data_on_host = power.as_ref().and_then(|p| p.mountpoint(&m.name));
            async move {
                let images = (tools.as_str(), node_image.as_str());
                let pid =
                    node::launch(docker, spec, network, m, images, &command, data_on_host).await?;
                *m.holder_pid.lock().unwrap_or_else(|e| e.into_inner()) = Some(pid);
                Ok::<(), ClusterError>(())
            }
        });
        futures_util::future::try_join_all(launches).await?;
        let images_built = [&node_image, &tools]
            .iter()
            .filter(|i| i.built)
            .map(|i| i.tag.clone())
            .collect();
        Ok(DockerCluster {
            docker: docker.clone(),
            run_id: spec.run_id.clone(),
            network: network.name,
            nodes: members
                .iter()
                .map(|m| NodeInfo {
                    name: m.name.clone(),
                    ip: m.ip,
                })
                .collect(),
            members,
            probe: spec.probe.clone(),
            log_files: spec.log_files.clone(),
            stop_signal: spec.stop_signal.clone(),
            node_image: node_image.tag,
            tools_image: tools.tag,
            images_built,
            exec_path: exec::choose_exec_path(),
            power,
        })
    }

    async fn wait_all_ready(&self, timeout: Duration) -> Result<(), ClusterError> {
        let waits = self
            .members
            .iter()
            .map(|m| self.wait_ready(&m.name, timeout));
        futures_util::future::try_join_all(waits).await.map(|_| ())
    }

    /// Polls the node's probe until it passes; [`ClusterError::NotReady`] (with the end of
    /// its log) when `timeout` passes or its container stops first. Use it after
    /// [`Cluster::start`] or [`Cluster::resume`] to wait for a node to be back.
    pub async fn wait_ready(&self, node: &str, timeout: Duration) -> Result<(), ClusterError> {
        let m = self.member(node)?;
        let why =
            match probe::wait_ready(&self.docker, &m.container, m.ip, &self.probe, timeout).await {
                Ok(()) => return Ok(()),
                Err(NotReady::Engine(e)) => return Err(e),
                Err(NotReady::Timeout) => self.probe.to_string(),
                Err(NotReady::Exited(code)) => {
                    format!("{}; its container exited with code {code}", self.probe)
                }
            };
        let log = logs::node_log(&self.docker, &m.container, &self.log_files)
            .await
            .unwrap_or_else(|e| format!("(its log cannot be read: {e})\n"));
        Err(ClusterError::NotReady {
            node: node.to_string(),
            timeout_ms: timeout.as_millis() as u64,
            probe: why,
            log_tail: logs::last_lines(&log, NOT_READY_LOG_LINES),
        })
    }

    /// One probe attempt (at most `timeout`): whether the node answers right now.
    pub async fn probe_once(&self, node: &str, timeout: Duration) -> Result<bool, ClusterError> {
        let m = self.member(node)?;
        Ok(probe::probe_once(&self.docker, &m.container, m.ip, &self.probe, timeout).await)
    }

    /// Runs a command in the node container (its image's binaries). Unlike
    /// [`Cluster::exec_in_netns`], a non-zero exit is returned, not an error.
    pub async fn exec_in_node(
        &self,
        node: &str,
        argv: &[&str],
    ) -> Result<ExecOutput, ClusterError> {
        let m = self.member(node)?;
        exec::docker_exec(
            &self.docker,
            &m.container,
            argv,
            Duration::from_millis(exec::EXEC_TIMEOUT_MS),
        )
        .await
    }

    /// [`Cluster::exec_in_netns`] by a chosen path (to compare them, or to test the tools
    /// image): `Nsenter` runs the host's binaries, `DockerExec` the holder's.
    pub async fn exec_in_netns_via(
        &self,
        node: &str,
        argv: &[&str],
        path: ExecPath,
    ) -> Result<ExecOutput, ClusterError> {
        let m = self.member(node)?;
        let timeout = Duration::from_millis(exec::EXEC_TIMEOUT_MS);
        let out = match path {
            ExecPath::Nsenter => exec::nsenter(self.holder_pid(m).await?, argv, timeout).await?,
            ExecPath::DockerExec => {
                exec::docker_exec(&self.docker, &m.holder, argv, timeout).await?
            }
        };
        exec::judged(node, argv, out)
    }

    /// The holder's PID, looked up again when the cached one is gone.
    async fn holder_pid(&self, m: &Member) -> Result<i64, ClusterError> {
        let cached = *m.holder_pid.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pid) = cached.filter(|pid| Path::new(&format!("/proc/{pid}/ns/net")).exists()) {
            return Ok(pid);
        }
        let pid = node::holder_pid(&self.docker, &m.holder).await?;
        *m.holder_pid.lock().unwrap_or_else(|e| e.into_inner()) = Some(pid);
        Ok(pid)
    }

    /// The run id every object of this cluster is labelled with.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The run's network, `schism-<run id>`.
    pub fn network_name(&self) -> &str {
        &self.network
    }

    /// The node container's name (`schism-<run id>-<node>`), for `docker` commands by hand.
    pub fn container_name(&self, node: &str) -> Result<&str, ClusterError> {
        Ok(&self.member(node)?.container)
    }

    /// The tag of the nodes' image.
    pub fn node_image(&self) -> &str {
        &self.node_image
    }

    /// The tag of the holders' tools image.
    pub fn tools_image_tag(&self) -> &str {
        &self.tools_image
    }

    /// The tags this start had to build (empty when every image was cached).
    pub fn images_built(&self) -> &[String] {
        &self.images_built
    }

    /// How [`Cluster::exec_in_netns`] reaches a namespace on this machine.
    pub fn exec_path(&self) -> ExecPath {
        self.exec_path
    }

    /// The engine connection, for anything this type does not offer.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    fn member(&self, node: &str) -> Result<&Member, ClusterError> {
        self.members
            .iter()
            .find(|m| m.name == node)
            .ok_or_else(|| ClusterError::UnknownNode(node.to_string()))
    }

    async fn save_logs(&self, dir: &Path) -> Result<(), ClusterError> {
        tokio::fs::create_dir_all(dir).await?;
        let saves = self.members.iter().map(|m| async move {
            let log = match logs::node_log(&self.docker, &m.container, &self.log_files).await {
                Ok(log) => log,
                // Torn down already: nothing to save, keep what an earlier teardown saved.
                Err(_) if !self.container_exists(&m.container).await => return Ok(()),
                Err(e) => return Err(e),
            };
            let path = dir.join(format!("{}.log", m.name));
            tokio::fs::write(&path, log).await.map_err(|e| {
                ClusterError::Docker(format!(
                    "saving the log of {} to {}: {e}",
                    m.name,
                    path.display()
                ))
            })
        });
        futures_util::future::try_join_all(saves).await.map(|_| ())
    }

    /// Asks every node to stop with its stop signal, and gives them [`STOP_GRACE_S`] to
    /// exit (then the engine kills them), so they can flush their logs. Errors are
    /// ignored: removal follows anyway.
    async fn stop_gracefully(&self) {
        let stops = self.members.iter().map(|m| {
            let options = bollard::query_parameters::StopContainerOptionsBuilder::new()
                .t(STOP_GRACE_S)
                .build();
            self.docker.stop_container(&m.container, Some(options))
        });
        let _ = futures_util::future::join_all(stops).await;
    }

    async fn container_exists(&self, name: &str) -> bool {
        !matches!(
            self.docker.inspect_container(name, None::<bollard::query_parameters::InspectContainerOptions>).await,
            Err(ref e) if engine::is_not_found(e)
        )
    }
}

#[async_trait]
impl Cluster for DockerCluster {
    fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// SIGKILL to the node container (its holder, so its address and rules, stay). Killing
    /// a stopped node is a no-op; a paused one is thawed first (the engine refuses to
    /// signal a frozen container).
    async fn kill(&self, node: &str) -> Result<(), ClusterError> {
        let m = self.member(node)?;
        let options = || Some(KillContainerOptionsBuilder::new().signal("SIGKILL").build());
        match self.docker.kill_container(&m.container, options()).await {
            Ok(()) => Ok(()),
            Err(e) if brief(&e).contains("is not running") => Ok(()),
            Err(e) if brief(&e).contains("paused") => {
                self.resume(node).await?;
                self.docker
                    .kill_container(&m.container, options())
                    .await
                    .map_err(docker_err(format!("killing {}", m.container)))
            }
            Err(e) => Err(docker_err(format!("killing {}", m.container))(e)),
        }
    }

    /// Starts the node container again, in its holder's namespace (same address, same
    /// filesystem). Does not wait for readiness: see [`DockerCluster::wait_ready`].
    async fn start(&self, node: &str) -> Result<(), ClusterError> {
        let m = self.member(node)?;
        match self
            .docker
            .start_container(
                &m.container,
                None::<bollard::query_parameters::StartContainerOptions>,
            )
            .await
        {
            Ok(()) => Ok(()),
            // 304: already running.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            Err(e) => Err(docker_err(format!("starting {}", m.container))(e)),
        }
    }

    /// Freezes the node container's processes (cgroup freezer); its kernel-side TCP still
    /// completes handshakes, so a TCP probe may pass while an HTTP probe does not.
    async fn pause(&self, node: &str) -> Result<(), ClusterError> {
        let m = self.member(node)?;
        self.docker
            .pause_container(&m.container)
            .await
            .map_err(docker_err(format!("pausing {}", m.container)))
    }

    async fn resume(&self, node: &str) -> Result<(), ClusterError> {
        let m = self.member(node)?;
        self.docker
            .unpause_container(&m.container)
            .await
            .map_err(docker_err(format!("resuming {}", m.container)))
    }

    /// By `nsenter` into the holder's namespace with the host's binaries when running as
    /// root with nsenter installed, else by `docker exec` in the holder.
    async fn exec_in_netns(&self, node: &str, argv: &[&str]) -> Result<ExecOutput, ClusterError> {
        self.exec_in_netns_via(node, argv, self.exec_path).await
    }

    /// The holder's namespace, `/proc/<holder pid>/ns/net` (the engine is local).
    async fn netns_path(&self, node: &str) -> Result<Option<std::path::PathBuf>, ClusterError> {
        let pid = self.holder_pid(self.member(node)?).await?;
        Ok(Some(format!("/proc/{pid}/ns/net").into()))
    }

    async fn exec(
        &self,
        node: &str,
        argv: &[&str],
        timeout: std::time::Duration,
    ) -> Result<ExecOutput, ClusterError> {
        let m = self.member(node)?;
        exec::docker_exec(&self.docker, &m.container, argv, timeout).await
    }

    /// Through the engine's archive API (see `files.rs`): no program in the node needed.
    async fn list_files(&self, node: &str, dir: &str) -> Result<Vec<FileEntry>, ClusterError> {
        files::list(&self.docker, &self.member(node)?.container, dir).await
    }

    async fn read_file(&self, node: &str, path: &str) -> Result<Vec<u8>, ClusterError> {
        files::read(&self.docker, &self.member(node)?.container, path).await
    }

    async fn write_file(&self, node: &str, path: &str, bytes: &[u8]) -> Result<(), ClusterError> {
        files::write(&self.docker, &self.member(node)?.container, path, bytes).await
    }

    /// SIGKILL, wait until the container has stopped (no process of it can write any
    /// more), then drop what it never synced from its powerfs data directory.
    async fn lose_unsynced(
        &self,
        node: &str,
        cut: crate::Cut,
    ) -> Result<crate::Lost, ClusterError> {
        let Some(power) = &self.power else {
            return Err(ClusterError::PowerLoss(format!(
                "{node}'s data directory is not a powerfs mount: the cluster was made without power_loss"
            )));
        };
        let m = self.member(node)?;
        self.kill(node).await?;
        power::wait_stopped(&self.docker, &m.container).await?;
        power.lose(node, cut)
    }

    async fn logs(&self, node: &str, tail: usize) -> Result<String, ClusterError> {
        let m = self.member(node)?;
        let log = logs::node_log(&self.docker, &m.container, &self.log_files).await?;
        Ok(logs::last_lines(&log, tail))
    }

    async fn teardown(&self, save_logs_to: Option<&Path>) -> Result<(), ClusterError> {
        if self.stop_signal.is_some() {
            self.stop_gracefully().await;
        }
        // Saving logs must not keep the run's objects alive: remove them whatever happened.
        let saved = match save_logs_to {
            Some(dir) => self.save_logs(dir).await,
            None => Ok(()),
        };
        let removed = teardown::remove_run_with(&self.docker, &self.run_id).await;
        // The containers that bound the powerfs mounts are gone: now they can go.
        if let Some(power) = &self.power {
            power.unmount_all();
        }
        saved.and(removed)
    }
}
