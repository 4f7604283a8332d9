//! A system spec as a [`System`]: its image built from the spec, each node's command
//! rendered from the templates (under schism's runtime for the Maelstrom protocol, so
//! every nemesis applies, the Byzantine ones included), and clients by protocol.

use super::image::{program, Program};
use super::template::render;
use super::vars::{client_vars, node_vars};
use super::Loaded;
use crate::client::maelstrom::{self, MaelstromClient};
use crate::client::{self, etcd, exec::ExecClient, http_kv::HttpKvClient};
use crate::etcd_leader::EtcdLeader;
use crate::runtime::{addrs, holder, node_program, IN_IMAGE, PORT as RUNTIME_PORT};
use crate::{Error, Setup, System};
use async_trait::async_trait;
use cluster::docker::DockerCluster;
use cluster::{Cluster, ClusterSpec, ImageFile, ImageSpec, NodeCommand, Probe};
use nemesis::Leader;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use workloads::Client;

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
        s.client
            .port
            .or(s.ports.get("client").copied())
            .unwrap_or(0)
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

    /// The image: the program, the extra files, schism's runtime for Maelstrom nodes.
    fn image(&self, program: &Option<Program>) -> Result<ImageSpec, Error> {
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
                with_libraries: false,
            });
            if !files.last().is_some_and(|f| f.host_path.exists()) {
                return Err(spec_err(self.loaded.error_at(
                    &format!("image.files.{i}"),
                    &format!("{} does not exist", f.host),
                )));
            }
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
        Ok(ImageSpec {
            name: s.name.clone(),
            files,
            dirs,
            base: s.image.existing.clone(),
        })
    }
}

/// Node `name`'s command from the spec's templates (wrapped in the runtime for Maelstrom).
fn node_command(
    l: &Loaded,
    program: &Option<Program>,
    runtime_prefix: &[String],
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
    let env = s
        .env
        .iter()
        .map(|(k, t)| Ok((k.clone(), render(t, &vars)?)))
        .collect::<Result<Vec<_>, String>>()?;
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
        program(&self.loaded).map_err(spec_err)?;
        if self.maelstrom() {
            node_program()?;
        }
        if setup.faults.iter().any(|f| f == "clock") {
            return Err(Error::Spec(format!(
                "the clock nemesis moves the clocks of schism's own nodes; {} reads the \
                 machine's clock, which a container cannot move (skewing a program's clock \
                 with libfaketime is not built)",
                self.name()
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
        let image = self.image(&program)?;
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
            &prefix,
            (&sample[0].0, sample[0].1, &sample),
        )
        .map_err(spec_err)?;
        let loaded = self.loaded.clone();
        let command = move |name: &str, ip: Ipv4Addr, all: &[(String, Ipv4Addr)]| {
            node_command(&loaded, &program, &prefix, (name, ip, all)).unwrap_or_else(|e| {
                NodeCommand {
                    argv: vec![format!("schism: {e}")],
                    env: Vec::new(),
                }
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
            holder: holder()?,
        };
        Ok(Arc::new(DockerCluster::start(&cluster_spec).await?))
    }

    fn client_in(
        &self,
        cluster: &dyn Cluster,
        i: usize,
        setup: &Setup,
    ) -> Result<Box<dyn Client>, Error> {
        let timeout = setup.client_timeout;
        let c = &self.loaded.spec.client;
        let port = self.client_port();
        let node = &cluster.nodes()[i];
        let addr = SocketAddr::from((node.ip, port));
        Ok(match c.protocol.as_str() {
            "maelstrom" => {
                let inner = MaelstromClient::new(addrs(cluster.nodes(), port), i, timeout);
                maelstrom::for_workload(inner, i, setup, false)
            }
            "etcd" => etcd::for_workload(addr, setup, c.read_mode.as_deref(), c.lease_ttl_s)?,
            "http-kv" => {
                let mapping = c.http.clone().unwrap_or_default();
                Box::new(HttpKvClient::new(addr, mapping, timeout).map_err(Error::Host)?)
            }
            "exec" => Box::new(self.exec_client(cluster, i, port, timeout)?),
            p => return Err(Error::Spec(format!("unknown client protocol {p:?}"))),
        })
    }

    async fn cleanup(&self, run_id: &str) {
        let _ = cluster::docker::remove_run(run_id).await;
    }

    fn control_port(&self) -> Option<u16> {
        self.maelstrom().then_some(RUNTIME_PORT)
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
        match self.loaded.spec.leader.as_deref() {
            Some("etcd") => Some(Arc::new(EtcdLeader {
                port: self.client_port(),
            })),
            _ => None,
        }
    }
}

impl SpecSystem {
    /// The exec client of a worker of node `i`: the spec's client command and environment,
    /// rendered from their templates.
    fn exec_client(
        &self,
        cluster: &dyn Cluster,
        i: usize,
        port: u16,
        timeout: Duration,
    ) -> Result<ExecClient, Error> {
        let c = &self.loaded.spec.client;
        let node = &cluster.nodes()[i];
        let all: Vec<(String, Ipv4Addr)> = cluster
            .nodes()
            .iter()
            .map(|n| (n.name.clone(), n.ip))
            .collect();
        let vars = client_vars(port, &node.name, node.ip, &all);
        let argv = c
            .command
            .iter()
            .map(|t| render(t, &vars))
            .collect::<Result<Vec<_>, _>>()
            .map_err(spec_err)?;
        let env = c
            .env
            .iter()
            .map(|(k, t)| Ok((k.clone(), render(t, &vars)?)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(spec_err)?;
        let argv = argv
            .into_iter()
            .enumerate()
            .map(|(j, a)| if j == 0 { self.host_path(&a) } else { a })
            .collect();
        ExecClient::spawn(argv, env, timeout).map_err(Error::Host)
    }

    /// A client command's program: relative paths are from the spec's directory.
    fn host_path(&self, program: &str) -> String {
        let p = Path::new(program);
        if program.contains('/') && p.is_relative() {
            self.loaded.dir.join(p).display().to_string()
        } else {
            program.to_string()
        }
    }
}
