//! Removing a run: every container labelled `schism.run=<run id>` (node containers before
//! their holders, forced), then the run's network. Only objects with the run's label are
//! touched, so other runs on the same engine are safe; removing what is already gone is not
//! an error, so teardown can be repeated.

use super::engine::{brief, connect, docker_err, is_not_found, run_filter, ROLE_LABEL};
use super::network::run_networks;
use crate::ClusterError;
use bollard::query_parameters::{ListContainersOptionsBuilder, RemoveContainerOptionsBuilder};
use bollard::Docker;
use std::time::Duration;

/// How often removing the network is tried (its endpoints may linger a moment).
const NETWORK_REMOVE_ATTEMPTS: usize = 20;
const NETWORK_RETRY_MS: u64 = 100;

/// The names of a run's containers and networks (what teardown would remove).
pub async fn list_run_objects(run_id: &str) -> Result<(Vec<String>, Vec<String>), ClusterError> {
    list_run_objects_with(&connect().await?, run_id).await
}

pub(crate) async fn list_run_objects_with(
    docker: &Docker,
    run_id: &str,
) -> Result<(Vec<String>, Vec<String>), ClusterError> {
    let containers = run_containers(docker, run_id)
        .await?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let networks = run_networks(docker, run_id).await?;
    Ok((containers, networks))
}

/// Removes whatever is left of a run (containers and network), for example after a harness
/// crash. Removing nothing is fine.
pub async fn remove_run(run_id: &str) -> Result<(), ClusterError> {
    let docker = connect().await?;
    remove_run_with(&docker, run_id).await
}

/// (name, is a holder) of every container of the run, running or not.
async fn run_containers(
    docker: &Docker,
    run_id: &str,
) -> Result<Vec<(String, bool)>, ClusterError> {
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&run_filter(run_id))
        .build();
    let containers = docker
        .list_containers(Some(options))
        .await
        .map_err(docker_err(format!(
            "listing the containers of run {run_id}"
        )))?;
    Ok(containers
        .into_iter()
        .filter_map(|c| {
            let name = c.names?.first()?.trim_start_matches('/').to_string();
            let holder = c
                .labels
                .as_ref()
                .and_then(|l| l.get(ROLE_LABEL))
                .is_some_and(|r| r == "holder");
            Some((name, holder))
        })
        .collect())
}

pub(crate) async fn remove_run_with(docker: &Docker, run_id: &str) -> Result<(), ClusterError> {
    let containers = run_containers(docker, run_id).await?;
    let mut errors = Vec::new();
    // Node containers first: they live in their holders' namespaces.
    for holders in [false, true] {
        let removals =
            containers
                .iter()
                .filter(|(_, h)| *h == holders)
                .map(|(name, _)| async move {
                    let options = RemoveContainerOptionsBuilder::new()
                        .force(true)
                        .v(true)
                        .build();
                    match docker.remove_container(name, Some(options)).await {
                        Ok(()) => Ok(()),
                        Err(e) if is_not_found(&e) => Ok(()),
                        // "removal of container ... is already in progress": someone else is on it.
                        Err(e) if brief(&e).contains("already in progress") => Ok(()),
                        Err(e) => Err(format!("removing container {name}: {}", brief(&e))),
                    }
                });
        for r in futures_util::future::join_all(removals).await {
            if let Err(e) = r {
                errors.push(e);
            }
        }
    }
    for network in run_networks(docker, run_id).await? {
        if let Err(e) = remove_network(docker, &network).await {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        tracing::debug!(run_id, "run removed");
        Ok(())
    } else {
        Err(ClusterError::Docker(format!(
            "tearing down run {run_id}: {}",
            errors.join("; ")
        )))
    }
}

async fn remove_network(docker: &Docker, network: &str) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..NETWORK_REMOVE_ATTEMPTS {
        match docker.remove_network(network).await {
            Ok(()) => return Ok(()),
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => last = brief(&e),
        }
        tokio::time::sleep(Duration::from_millis(NETWORK_RETRY_MS)).await;
    }
    Err(format!("removing network {network}: {last}"))
}
