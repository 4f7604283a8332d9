//! Data directories that can lose power: for a run whose spec asks
//! ([`crate::ClusterSpec::power_loss`]), each node's data directory is a powerfs mount
//! served by this process, at `<tmp>/schism-powerfs/<run id>/<node>/mnt` (its backing
//! files beside it), bind-mounted into the node container. Mounted before the containers
//! are made; unmounted after they are removed (teardown), or when this is dropped (a
//! failed start, a panic). A schism killed outright leaves its mounts dead: the next
//! clean-up ([`unmount_leftovers`]) detaches them.

use crate::{ClusterError, Cut, Lost};
use powerfs::Mount;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file of a run's powerfs directory naming its controller (`label=value` lines).
const CONTROLLER_FILE: &str = "controller";

/// The controller labels a run's powerfs directory keeps (empty when it has none).
pub fn controller_labels(run_id: &str) -> std::collections::HashMap<String, String> {
    let text =
        std::fs::read_to_string(root().join(run_id).join(CONTROLLER_FILE)).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Where every run's powerfs mounts live.
pub fn root() -> PathBuf {
    std::env::temp_dir().join("schism-powerfs")
}

/// One run's mounts, by node; all unmounted, and the run's directory removed, when
/// dropped.
pub(crate) struct PowerDirs {
    run_id: String,
    mounts: Mutex<BTreeMap<String, Mount>>,
}

impl Drop for PowerDirs {
    fn drop(&mut self) {
        self.unmount_all();
    }
}

impl std::fmt::Debug for PowerDirs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nodes: Vec<String> = self.lock().keys().cloned().collect();
        f.debug_struct("PowerDirs").field("nodes", &nodes).finish()
    }
}

fn err(e: impl std::fmt::Display) -> ClusterError {
    ClusterError::PowerLoss(e.to_string())
}

impl PowerDirs {
    /// Check the host, then mount one powerfs per node.
    pub fn mount(run_id: &str, nodes: &[String]) -> Result<PowerDirs, ClusterError> {
        powerfs::check_host().map_err(err)?;
        // Who mounts them, as the run's containers' labels say (for `schism clean`).
        let dir = root().join(run_id);
        std::fs::create_dir_all(&dir).map_err(err)?;
        let labels: Vec<String> = super::controller::labels()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        std::fs::write(dir.join(CONTROLLER_FILE), labels.join("\n")).map_err(err)?;
        let dirs = PowerDirs {
            run_id: run_id.to_string(),
            mounts: Mutex::default(),
        };
        for node in nodes {
            let base = root().join(run_id).join(node);
            let m =
                Mount::new(&base).map_err(|e| err(format!("mounting {}: {e}", base.display())))?;
            dirs.lock().insert(node.clone(), m);
        }
        Ok(dirs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Mount>> {
        self.mounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The host path to bind-mount as `node`'s data directory.
    pub fn mountpoint(&self, node: &str) -> Option<PathBuf> {
        self.lock().get(node).map(|m| m.mountpoint().to_path_buf())
    }

    /// Drop what `node` never synced (it must be dead).
    pub fn lose(&self, node: &str, cut: Cut) -> Result<Lost, ClusterError> {
        let mounts = self.lock();
        let m = mounts
            .get(node)
            .ok_or_else(|| ClusterError::UnknownNode(node.to_string()))?;
        Ok(m.lose(cut))
    }

    /// Unmount every node's (their containers must be gone) and remove the run's directory.
    pub fn unmount_all(&self) {
        let mounts = std::mem::take(&mut *self.lock());
        for (_, m) in mounts {
            m.unmount();
        }
        let dir = root().join(&self.run_id);
        if powerfs::mounts_under(&dir).is_empty() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Detach the powerfs mounts a run left (its schism killed) and remove their directories.
pub fn unmount_leftovers(run_id: &str) -> Result<(), ClusterError> {
    let dir = root().join(run_id);
    for point in powerfs::mounts_under(&dir) {
        powerfs::lazy_unmount(&point)
            .map_err(|e| err(format!("unmounting {}: {e}", point.display())))?;
    }
    if dir.exists() && powerfs::mounts_under(&dir).is_empty() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| err(format!("removing {}: {e}", dir.display())))?;
    }
    Ok(())
}

/// What a run left of its powerfs: its mountpoints, else its directory (empty: nothing).
pub fn left(run_id: &str) -> Vec<String> {
    let dir = root().join(run_id);
    let mounts: Vec<String> = powerfs::mounts_under(&dir)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    match (mounts.is_empty(), Path::new(&dir).exists()) {
        (false, _) => mounts,
        (true, true) => vec![dir.display().to_string()],
        (true, false) => Vec::new(),
    }
}

/// The run ids with a powerfs directory on this host.
pub fn run_dirs() -> Vec<String> {
    std::fs::read_dir(root())
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// How long a killed node's container may take to stop.
const STOP_WAIT_MS: u64 = 10_000;

/// Until the container no longer runs (at most [`STOP_WAIT_MS`]).
pub(crate) async fn wait_stopped(
    docker: &bollard::Docker,
    container: &str,
) -> Result<(), ClusterError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(STOP_WAIT_MS);
    loop {
        let inspect = docker
            .inspect_container(
                container,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .map_err(super::engine::docker_err(format!("inspecting {container}")))?;
        if !inspect.state.and_then(|s| s.running).unwrap_or(false) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(err(format!(
                "{container} still runs {STOP_WAIT_MS} ms after SIGKILL"
            )));
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
