//! One node = two containers, like a Kubernetes pod.
//!
//! The *holder* (`schism-<run>-<node>-holder`, tools image, its holder program doing nothing) owns the
//! network namespace: the node's fixed address on the run network, its hostname, and the
//! iptables rules faults put there (it has NET_ADMIN). The *node* container
//! (`schism-<run>-<node>`, the system's image and command) joins that namespace with
//! `network_mode: container:<holder>`. Killing and restarting the node container therefore
//! keeps its address and the rules; its own filesystem, and so its data directory, survives
//! too.

use super::engine::{container_labels, docker_err};
use super::network::RunNetwork;
use crate::{ClusterError, ClusterSpec, NodeCommand};
use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HostConfig, NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, StartContainerOptions,
};
use bollard::Docker;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Mutex;

/// The containers of one node.
#[derive(Debug)]
pub(crate) struct Member {
    pub name: String,
    pub ip: Ipv4Addr,
    /// The holder container's name.
    pub holder: String,
    /// The node container's name.
    pub container: String,
    /// The holder's PID on the host (for nsenter), looked up once.
    pub holder_pid: Mutex<Option<i64>>,
}

impl Member {
    pub fn new(run_id: &str, name: &str, ip: Ipv4Addr) -> Member {
        Member {
            name: name.to_string(),
            ip,
            holder: format!("schism-{run_id}-{name}-holder"),
            container: format!("schism-{run_id}-{name}"),
            holder_pid: Mutex::new(None),
        }
    }
}

/// Creates and starts the holder, then the node container in its namespace. Returns the
/// holder's host PID.
/// The run id, data directory and stop signal come from the cluster's spec.
pub(crate) async fn launch(
    docker: &Docker,
    spec: &ClusterSpec,
    network: &RunNetwork,
    member: &Member,
    (tools_image, node_image): (&str, &str),
    command: &NodeCommand,
    data_on_host: Option<std::path::PathBuf>,
) -> Result<i64, ClusterError> {
    let run_id = spec.run_id.as_str();
    let (data_dir, stop_signal) = (spec.data_dir.as_deref(), spec.stop_signal.as_deref());
    let holder = ContainerCreateBody {
        hostname: Some(member.name.clone()),
        image: Some(tools_image.to_string()),
        cmd: Some(
            std::iter::once(spec.holder.image_path.clone())
                .chain(spec.holder.args.iter().cloned())
                .collect(),
        ),
        labels: Some(container_labels(run_id, &member.name, "holder")),
        host_config: Some(HostConfig {
            network_mode: Some(network.name.clone()),
            cap_add: Some(vec!["NET_ADMIN".to_string()]),
            ..HostConfig::default()
        }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                network.name.clone(),
                EndpointSettings {
                    ipam_config: Some(EndpointIpamConfig {
                        ipv4_address: Some(member.ip.to_string()),
                        ..EndpointIpamConfig::default()
                    }),
                    // Other containers on the run network resolve `n1` (Docker's DNS).
                    aliases: Some(vec![member.name.clone()]),
                    ..EndpointSettings::default()
                },
            )])),
        }),
        ..ContainerCreateBody::default()
    };
    let holder_id = create(docker, &member.holder, holder).await?;
    start(docker, &member.holder).await?;
    let pid = holder_pid(docker, &member.holder).await?;
    let node = ContainerCreateBody {
        image: Some(node_image.to_string()),
        cmd: Some(command.argv.clone()),
        env: Some(
            command
                .env
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
        ),
        labels: Some(container_labels(run_id, &member.name, "node")),
        stop_signal: stop_signal.map(String::from),
        // An anonymous volume: it lives as long as the container (kill and start keep it)
        // and goes with it at teardown (removal with `v`). Or, for power loss, the node's
        // powerfs mount on the host, bound in its place.
        volumes: match data_on_host {
            None => data_dir.map(|d| [(d.to_string(), Default::default())].into_iter().collect()),
            Some(_) => None,
        },
        host_config: Some(HostConfig {
            binds: data_on_host
                .zip(data_dir)
                .map(|(host, d)| vec![format!("{}:{d}", host.display())]),
            network_mode: Some(format!("container:{holder_id}")),
            ..HostConfig::default()
        }),
        ..ContainerCreateBody::default()
    };
    create(docker, &member.container, node).await?;
    start(docker, &member.container).await?;
    Ok(pid)
}

async fn create(
    docker: &Docker,
    name: &str,
    body: ContainerCreateBody,
) -> Result<String, ClusterError> {
    let options = CreateContainerOptionsBuilder::new().name(name).build();
    let created = docker
        .create_container(Some(options), body)
        .await
        .map_err(docker_err(format!("creating container {name}")))?;
    Ok(created.id)
}

pub(crate) async fn start(docker: &Docker, name: &str) -> Result<(), ClusterError> {
    docker
        .start_container(name, None::<StartContainerOptions>)
        .await
        .map_err(docker_err(format!("starting container {name}")))
}

/// The host PID of a running container's first process.
pub(crate) async fn holder_pid(docker: &Docker, holder: &str) -> Result<i64, ClusterError> {
    let inspect = docker
        .inspect_container(holder, None::<InspectContainerOptions>)
        .await
        .map_err(docker_err(format!("inspecting {holder}")))?;
    match inspect.state.and_then(|s| s.pid) {
        Some(pid) if pid > 0 => Ok(pid),
        _ => Err(ClusterError::Docker(format!(
            "{holder} is not running (no PID): its node has no network namespace"
        ))),
    }
}
