//! A system spec as a [`System`]: its image built from the spec, each node's command
//! rendered from the templates (under schism's runtime for the Maelstrom protocol, so
//! every nemesis applies, the Byzantine ones included), and clients by protocol.

use super::faketime;
use super::image::{program, Program};
use super::schema::LeaderSpec;
use super::template::render;
use super::vars::{client_vars, node_vars};
use super::Loaded;
use crate::client::{self, ClientCtx};
use crate::query::leader::ProbeLeader;
use crate::runtime::{holder, node_program, IN_IMAGE, PORT as RUNTIME_PORT};
use crate::{Error, Setup, System};
use async_trait::async_trait;
use cluster::docker::DockerCluster;
use cluster::{Cluster, ClusterSpec, ImageFile, ImageSpec, NodeCommand, Probe};
use nemesis::Leader;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use workloads::Client;

/// The shell `image.shell` brings: a statically linked busybox (scripts/install-deps).
const SHELL: &str = "/usr/bin/busybox";

/// Message fields a lying Maelstrom node changes when its spec names none.
const LIE_FIELDS: [&str; 6] = ["value", "message", "element", "delta", "echo", "id"];

pub struct SpecSystem {
    pub loaded: Loaded,
}

fn spec_err(e: String) -> Error {
    Error::Spec(e)
}

impl SpecSystem {
    fn maelstrom(&self) -> bool {
        self.loaded.spec.client.protocol == "maelstrom"
    }

    /// The port clients connect to.
    fn client_port(&self) -> u16 {
        let s = &self.loaded.spec;
        if self.maelstrom() {
            return RUNTIME_PORT;
        }
        s.client_port()
    }

    fn probe(&self) -> Probe {
        let r = self.loaded.spec.ready.clone().unwrap_or_default();
        if let Some(h) = r.http {
            Probe::Http {
                port: h.port,
                path: h.path,
            }
        } else if let Some(argv) = r.command {
            Probe::Command { argv }
        } else {
            Probe::Tcp {
                port: r.tcp.unwrap_or_else(|| self.client_port()),
            }
        }
    }

    /// Whether this run's nodes run under libfaketime: the clock fault is asked for and
    /// the program is in its reach.
    fn faketime(&self, setup: &Setup) -> bool {
        setup.faults.iter().any(|f| f == "clock")
            && matches!(self.clock(), nemesis::ClockReach::Faketime { .. })
    }

    /// How the clock fault reaches this system's clocks.
    fn clock(&self) -> nemesis::ClockReach {
        if self.maelstrom() {
            return nemesis::ClockReach::Runtime;
        }
        match program(&self.loaded) {
            Ok(Some(p)) => match p.files.first() {
                Some(f) => faketime::reach(self.name(), &f.host_path),
                None => nemesis::ClockReach::Unknown,
            },
            Ok(None) => nemesis::ClockReach::Refused(format!(
                "{} names no image.binary whose clock libfaketime could reach",
                self.name()
            )),
            Err(e) => nemesis::ClockReach::Refused(e),
        }
    }

    /// The image: the program, the extra files, schism's runtime for Maelstrom nodes,
    /// libfaketime when the clock fault needs it.
    fn image(&self, program: &Option<Program>, faketime: bool) -> Result<ImageSpec, Error> {
        let s = &self.loaded.spec;
        let mut files: Vec<ImageFile> = program.iter().flat_map(|p| p.files.clone()).collect();
        for (i, f) in s.image.files.iter().enumerate() {
            let host = Path::new(&f.host);
            files.push(ImageFile {
                host_path: if host.is_absolute() {
                    host.to_path_buf()
                } else {
                    self.loaded.dir.join(host)
                },
                image_path: f.image.clone(),
                with_libraries: f.libraries,
            });
            if !files.last().is_some_and(|f| f.host_path.exists()) {
                return Err(spec_err(self.loaded.error_at(
                    &format!("image.files.{i}"),
                    &format!("{} does not exist", f.host),
                )));
            }
        }
        if s.image.shell {
            files.push(ImageFile {
                host_path: SHELL.into(),
                image_path: "/bin/sh".into(),
                with_libraries: false,
            });
        }
        if self.maelstrom() {
            let (runtime, _) = node_program()?;
            files.push(ImageFile {
                host_path: runtime,
                image_path: IN_IMAGE.into(),
                with_libraries: true,
            });
        }
        let mut dirs = s.image.dirs.clone();
        dirs.extend(s.data_dir.clone());
        let mut texts = Vec::new();
        if faketime {
            files.push(faketime::image_file());
            texts = faketime::image_texts();
        }
        Ok(ImageSpec {
            name: s.name.clone(),
            files,
            dirs,
            base: s.image.existing.clone(),
            texts,
        })
    }
}

/// Node `name`'s command from the spec's templates (wrapped in the runtime for Maelstrom).
fn node_command(
    l: &Loaded,
    program: &Option<Program>,
    (runtime_prefix, faketime): (&[String], bool),
    (name, ip, all): (&str, Ipv4Addr, &[(String, Ipv4Addr)]),
) -> Result<NodeCommand, String> {
    let s = &l.spec;
    let binary = program.as_ref().map_or("", |p| p.binary.as_str());
    let vars = node_vars(s, binary, name, ip, all);
    let mut argv: Vec<String> = if s.command.is_empty() {
        program.as_ref().map(|p| p.argv.clone()).unwrap_or_default()
    } else {
        s.command
            .iter()
            .map(|t| render(t, &vars))
            .collect::<Result<_, _>>()?
    };
    for t in &s.args {
        argv.push(render(t, &vars)?);
    }
    let mut env = s
        .env
        .iter()
        .map(|(k, t)| Ok((k.clone(), render(t, &vars)?)))
        .collect::<Result<Vec<_>, String>>()?;
    if faketime {
        env.extend(faketime::env());
    }
    if s.client.protocol == "maelstrom" {
        let nodes: Vec<String> = all
            .iter()
            .map(|(n, ip)| format!("{n}={ip}:{RUNTIME_PORT}"))
            .collect();
        let mut wrapped = vec![IN_IMAGE.to_string()];
        wrapped.extend(runtime_prefix.iter().cloned());
        wrapped.extend(["wrap", "--id", name, "--nodes", &nodes.join(","), "--"].map(String::from));
        wrapped.extend(argv);
        argv = wrapped;
    }
    Ok(NodeCommand { argv, env })
}

#[async_trait]
impl System for SpecSystem {
    fn name(&self) -> &str {
        &self.loaded.spec.name
    }

    fn preflight(&self, setup: &Setup) -> Result<(), Error> {
        self.packages_present()?;
        program(&self.loaded).map_err(spec_err)?;
        if self.maelstrom() {
            node_program()?;
        }
        if self.faketime(setup) && !Path::new(faketime::HOST_LIB).is_file() {
            return Err(Error::Host(format!(
                "the clock nemesis moves {}'s clock with libfaketime, and {} is missing: \
                 install Debian's faketime package (apt-get install faketime, or \
                 scripts/install-deps)",
                self.name(),
                faketime::HOST_LIB
            )));
        }
        if !setup.bug.is_empty() {
            return Err(Error::Spec(format!(
                "--bug is for schism's reference systems; {} has none",
                self.name()
            )));
        }
        Ok(())
    }

    async fn start(&self, setup: &Setup, run_id: &str) -> Result<Arc<dyn Cluster>, Error> {
        let program = program(&self.loaded).map_err(spec_err)?;
        let with_faketime = self.faketime(setup);
        let image = self.image(&program, with_faketime)?;
        let prefix = if self.maelstrom() {
            node_program()?.1
        } else {
            Vec::new()
        };
        // Render every node's command now, so a template error is an error, not a panic.
        let sample = super::vars::sample_nodes();
        node_command(
            &self.loaded,
            &program,
            (&prefix, with_faketime),
            (&sample[0].0, sample[0].1, &sample),
        )
        .map_err(spec_err)?;
        let loaded = self.loaded.clone();
        let command = move |name: &str, ip: Ipv4Addr, all: &[(String, Ipv4Addr)]| {
            node_command(&loaded, &program, (&prefix, with_faketime), (name, ip, all))
                .unwrap_or_else(|e| NodeCommand {
                    argv: vec![format!("schism: {e}")],
                    env: Vec::new(),
                })
        };
        let s = &self.loaded.spec;
        let cluster_spec = ClusterSpec {
            run_id: run_id.to_string(),
            nodes: setup.nodes,
            image,
            command: Arc::new(command),
            probe: self.probe(),
            ready_timeout: setup.ready_timeout,
            log_files: s.log_files.clone(),
            stop_signal: s.stop_signal.clone(),
            data_dir: s.data_dir.clone(),
            power_loss: setup.power_loss,
            holder: holder()?,
        };
        let cluster: Arc<dyn Cluster> = Arc::new(DockerCluster::start(&cluster_spec).await?);
        if let Err(why) = self.cluster_ready(cluster.as_ref(), setup).await {
            let _ = cluster.teardown(None).await;
            return Err(Error::Cluster(cluster::ClusterError::Docker(why)));
        }
        Ok(cluster)
    }

    fn client_in(
        &self,
        cluster: &dyn Cluster,
        i: usize,
        setup: &Setup,
    ) -> Result<Box<dyn Client>, Error> {
        let protocol = &self.loaded.spec.client.protocol;
        let def = client::find(protocol)
            .ok_or_else(|| Error::Spec(format!("unknown client protocol {protocol:?}")))?;
        (def.client)(&ClientCtx {
            spec: &self.loaded.spec,
            dir: &self.loaded.dir,
            cluster,
            node: i,
            port: self.client_port(),
            setup,
        })
    }

    async fn cleanup(&self, run_id: &str) {
        let _ = cluster::docker::remove_run(run_id).await;
    }

    fn control_port(&self) -> Option<u16> {
        self.maelstrom().then_some(RUNTIME_PORT)
    }

    fn nemesis_facts(&self) -> nemesis::SystemFacts {
        let s = &self.loaded.spec;
        nemesis::SystemFacts {
            data_dir: s.data_dir.clone(),
            corrupt_paths: s.corrupt_paths.clone(),
            clock: self.clock(),
        }
    }

    fn lie_fields(&self) -> (Vec<String>, Vec<serde_json::Value>) {
        let s = &self.loaded.spec;
        let fields = if s.lie_fields.is_empty() {
            LIE_FIELDS.iter().map(|f| f.to_string()).collect()
        } else {
            s.lie_fields.clone()
        };
        (fields, Vec::new())
    }

    fn workloads(&self) -> Vec<String> {
        let s = &self.loaded.spec;
        if s.workloads.is_empty() {
            client::workloads(&s.client.protocol)
                .into_iter()
                .map(String::from)
                .collect()
        } else {
            s.workloads.clone()
        }
    }

    fn leader(&self) -> Option<Arc<dyn Leader>> {
        let spec = &self.loaded.spec;
        match spec.leader.as_ref()? {
            LeaderSpec::Named(n) if n == "none" => None,
            LeaderSpec::Named(n) => client::find(n).and_then(|p| p.leader).map(|f| f(spec)),
            LeaderSpec::Probe(query) => Some(Arc::new(ProbeLeader {
                query: query.clone(),
            })),
        }
    }
}

impl SpecSystem {
    /// Every program the image needs is on this machine, or the error names the Debian
    /// package that brings it and `scripts/install-deps`.
    fn packages_present(&self) -> Result<(), Error> {
        let s = &self.loaded.spec;
        let Some(package) = &s.package else {
            return Ok(());
        };
        let binary = s.image.binary.iter();
        let files = s.image.files.iter().map(|f| &f.host);
        for path in binary.chain(files) {
            let p = Path::new(path);
            let found = if p.is_absolute() {
                p.exists()
            } else {
                self.loaded.dir.join(p).exists()
            };
            if !found {
                return Err(Error::Host(format!(
                    "{} needs {path}, which is missing: install Debian's {package} package \
                     (apt-get install {package}, or scripts/install-deps)",
                    s.name
                )));
            }
        }
        Ok(())
    }

    /// Waits for the whole cluster: the spec's `cluster_ready` question, then the
    /// protocol's own readiness, both within the run's ready timeout.
    async fn cluster_ready(&self, cluster: &dyn Cluster, setup: &Setup) -> Result<(), String> {
        let spec = &self.loaded.spec;
        let start = std::time::Instant::now();
        if let Some(q) = &spec.cluster_ready {
            crate::query::ready::wait(cluster, q, setup.ready_timeout).await?;
        }
        let Some(ready) = client::find(&spec.client.protocol).and_then(|p| p.cluster_ready) else {
            return Ok(());
        };
        loop {
            let why = match ready(cluster, spec, setup).await {
                Ok(()) => return Ok(()),
                Err(why) => why,
            };
            if start.elapsed() >= setup.ready_timeout {
                return Err(format!(
                    "the cluster was not ready within {} ms: {why}",
                    setup.ready_timeout.as_millis()
                ));
            }
            tokio::time::sleep(Duration::from_millis(CLUSTER_READY_PAUSE_MS)).await;
        }
    }
}

/// The pause between two asks of a protocol's cluster readiness.
const CLUSTER_READY_PAUSE_MS: u64 = 250;

/// A command's words and the environment it adds.
pub type CommandLine = (Vec<String>, Vec<(String, String)>);

/// The exec client's command and environment for a worker of node `c.node`, rendered from
/// the spec's templates (a relative program is from the spec's directory).
pub fn client_command(c: &ClientCtx<'_>) -> Result<CommandLine, Error> {
    let spec = c.spec;
    let node = &c.cluster.nodes()[c.node];
    let all: Vec<(String, Ipv4Addr)> = c
        .cluster
        .nodes()
        .iter()
        .map(|n| (n.name.clone(), n.ip))
        .collect();
    let vars = client_vars(spec, c.port, &node.name, node.ip, &all);
    let argv = spec
        .client
        .command
        .iter()
        .map(|t| render(t, &vars))
        .collect::<Result<Vec<_>, _>>()
        .map_err(spec_err)?;
    let env = spec
        .client
        .env
        .iter()
        .map(|(k, t)| Ok((k.clone(), render(t, &vars)?)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(spec_err)?;
    let argv = argv
        .into_iter()
        .enumerate()
        .map(|(j, a)| if j == 0 { host_path(c.dir, &a) } else { a })
        .collect();
    Ok((argv, env))
}

/// A client command's program: relative paths are from the spec's directory.
fn host_path(dir: &Path, program: &str) -> String {
    let p = Path::new(program);
    if program.contains('/') && p.is_relative() {
        dir.join(p).display().to_string()
    } else {
        program.to_string()
    }
}
