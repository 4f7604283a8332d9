//! What runs left behind: the containers and networks labelled `schism.run` whose
//! controller is gone (see `controller`), grouped by run, and their removal. A run whose
//! controller still runs is never touched, nor is anything without schism's run label;
//! runs started from another host sharing the engine are listed apart and left alone.
//!
//! A run with power loss also leaves powerfs mounts on this host (see `power`): a dead
//! one's are detached lazily (`fusermount -uz`) and their directories removed, also when
//! no container of the run is left.
//!
//! Volumes are the anonymous data volumes of node containers: they go with their
//! containers (removal with `v`). Images are a cache shared by all runs, not leftovers of
//! one: [`unused_images`] lists schism's images no container uses, for `schism clean
//! --images`.

use super::controller::{liveness, Liveness};
use super::engine::{brief, connect, docker_err, is_not_found, IMAGE_LABEL};
use super::teardown::remove_run_with;
use crate::{ClusterError, RUN_LABEL};
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListImagesOptionsBuilder, ListNetworksOptionsBuilder,
    RemoveImageOptionsBuilder,
};
use bollard::Docker;
use std::collections::{BTreeMap, HashMap};

/// What one run left.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeftRun {
    pub run_id: String,
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    /// Its powerfs mountpoints (and directories) on this host.
    pub mounts: Vec<String>,
    /// Why its controller is taken to be gone (or, for another host's run, which host).
    pub why: String,
}

/// The runs labelled on this engine whose controller is gone, and those started from
/// another host (left alone).
#[derive(Debug, Clone, Default)]
pub struct Leftovers {
    pub dead: Vec<LeftRun>,
    pub elsewhere: Vec<LeftRun>,
}

impl Leftovers {
    /// One line for a person, or None when nothing is left: `3 containers and 1 network of
    /// 1 run whose schism is gone (20261206t...-4242)`.
    pub fn summary(&self) -> Option<String> {
        if self.dead.is_empty() {
            return None;
        }
        let c: usize = self.dead.iter().map(|r| r.containers.len()).sum();
        let n: usize = self.dead.iter().map(|r| r.networks.len()).sum();
        let m: usize = self.dead.iter().map(|r| r.mounts.len()).sum();
        let ids: Vec<&str> = self.dead.iter().map(|r| r.run_id.as_str()).collect();
        let mounts = match m {
            0 => String::new(),
            m => format!(", {m} powerfs mount(s)"),
        };
        Some(format!(
            "{c} container(s) and {n} network(s){mounts} of {} run(s) whose schism is gone ({})",
            self.dead.len(),
            ids.join(", ")
        ))
    }
}

/// Every labelled run on the local engine whose controller is gone.
pub async fn find_leftovers() -> Result<Leftovers, ClusterError> {
    find_leftovers_with(&connect().await?).await
}

async fn find_leftovers_with(docker: &Docker) -> Result<Leftovers, ClusterError> {
    let filter = HashMap::from([("label".to_string(), vec![RUN_LABEL.to_string()])]);
    let containers = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::new()
                .all(true)
                .filters(&filter)
                .build(),
        ))
        .await
        .map_err(docker_err("listing schism's containers"))?;
    let networks = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::new().filters(&filter).build(),
        ))
        .await
        .map_err(docker_err("listing schism's networks"))?;
    // run id -> (its objects, the labels of one of them)
    let mut runs: BTreeMap<String, (LeftRun, HashMap<String, String>)> = BTreeMap::new();
    let mut add = |labels: Option<HashMap<String, String>>, name: Option<String>, container| {
        let labels = labels.unwrap_or_default();
        let (Some(id), Some(name)) = (labels.get(RUN_LABEL).cloned(), name) else {
            return;
        };
        let (run, _) = runs.entry(id.clone()).or_insert_with(|| {
            let run = LeftRun {
                run_id: id,
                ..LeftRun::default()
            };
            (run, labels)
        });
        let name = name.trim_start_matches('/').to_string();
        if container {
            run.containers.push(name);
        } else {
            run.networks.push(name);
        }
    };
    for c in containers {
        add(c.labels, c.names.and_then(|n| n.into_iter().next()), true);
    }
    for n in networks {
        add(n.labels, n.name, false);
    }
    // Runs with only powerfs directories left: judged by the controller their directory
    // names.
    for id in super::power::run_dirs() {
        let (run, _) = runs.entry(id.clone()).or_insert_with(|| {
            let run = LeftRun {
                run_id: id.clone(),
                ..LeftRun::default()
            };
            (run, super::power::controller_labels(&id))
        });
        run.mounts = super::power::left(&id);
    }
    let mut found = Leftovers::default();
    for (_, (mut run, labels)) in runs {
        match liveness(&labels, &run.run_id) {
            Liveness::Alive => {}
            Liveness::Gone(why) => {
                run.why = why;
                found.dead.push(run);
            }
            Liveness::Elsewhere(host) => {
                run.why = format!("started from host {host}");
                found.elsewhere.push(run);
            }
        }
    }
    Ok(found)
}

/// Remove the objects of these runs (each as teardown would: containers with their
/// volumes, then networks). Every run is tried; the errors are joined.
pub async fn remove_leftovers(runs: &[LeftRun]) -> Result<(), ClusterError> {
    let docker = connect().await?;
    let mut errors = Vec::new();
    for run in runs {
        if let Err(e) = remove_run_with(&docker, &run.run_id).await {
            errors.push(e.to_string());
        }
        if let Err(e) = super::power::unmount_leftovers(&run.run_id) {
            errors.push(e.to_string());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ClusterError::Docker(errors.join("; ")))
    }
}

/// schism's cached images (labelled `schism.image`) that no container uses: (id, tags).
pub async fn unused_images() -> Result<Vec<(String, Vec<String>)>, ClusterError> {
    let docker = connect().await?;
    let filter = HashMap::from([("label".to_string(), vec![IMAGE_LABEL.to_string()])]);
    let images = docker
        .list_images(Some(
            ListImagesOptionsBuilder::new().filters(&filter).build(),
        ))
        .await
        .map_err(docker_err("listing schism's images"))?;
    let used: Vec<String> = docker
        .list_containers(Some(ListContainersOptionsBuilder::new().all(true).build()))
        .await
        .map_err(docker_err("listing containers"))?
        .into_iter()
        .filter_map(|c| c.image_id)
        .collect();
    Ok(images
        .into_iter()
        .filter(|i| !used.contains(&i.id))
        .map(|i| (i.id, i.repo_tags))
        .collect())
}

/// Remove images by id (ones already gone are fine).
pub async fn remove_images(ids: &[String]) -> Result<(), ClusterError> {
    let docker = connect().await?;
    let mut errors = Vec::new();
    for id in ids {
        let options = RemoveImageOptionsBuilder::new().force(false).build();
        match docker.remove_image(id, Some(options), None).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => errors.push(format!("removing image {id}: {}", brief(&e))),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ClusterError::Docker(errors.join("; ")))
    }
}
