//! Talking to the engine: connecting (with an error that says how to start one), turning
//! bollard's errors into [`ClusterError`]s that name what failed, and the labels every
//! object of a run carries.

use crate::{ClusterError, RUN_LABEL};
use bollard::Docker;
use std::collections::HashMap;
use std::fmt::Display;

/// The label naming the node (`n1`, ...) a container belongs to.
pub const NODE_LABEL: &str = "schism.node";
/// The label telling a node's holder container (`holder`) from its node container (`node`).
pub const ROLE_LABEL: &str = "schism.role";
/// The label images carry (`schism.image=<name>`); images are a cache shared by runs, so they
/// carry no run label.
pub const IMAGE_LABEL: &str = "schism.image";

/// Connects to the local engine (`DOCKER_HOST` or the default socket) and agrees on an API
/// version.
pub(crate) async fn connect() -> Result<Docker, ClusterError> {
    let docker = Docker::connect_with_local_defaults()
        .map_err(|e| ClusterError::EngineUnreachable(e.to_string()))?;
    negotiate(docker).await
}

/// Connects to the engine listening on this unix socket.
#[cfg(test)]
pub(crate) async fn connect_unix(socket_path: &str) -> Result<Docker, ClusterError> {
    let docker = Docker::connect_with_unix(socket_path, 30, bollard::API_DEFAULT_VERSION)
        .map_err(|e| ClusterError::EngineUnreachable(format!("{socket_path}: {e}")))?;
    negotiate(docker).await
}

async fn negotiate(docker: Docker) -> Result<Docker, ClusterError> {
    docker
        .negotiate_version()
        .await
        .map_err(|e| ClusterError::EngineUnreachable(e.to_string()))
}

/// Wraps a bollard error into [`ClusterError::Docker`], prefixed with what was being done.
pub(crate) fn docker_err(
    context: impl Display,
) -> impl FnOnce(bollard::errors::Error) -> ClusterError {
    move |e| ClusterError::Docker(format!("{context}: {}", brief(&e)))
}

/// A bollard error without its Debug noise.
pub(crate) fn brief(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => format!("{message} (HTTP {status_code})"),
        other => other.to_string(),
    }
}

/// The engine answered 404: the object does not exist (any more).
pub(crate) fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// The labels of one of a run's containers: the run, its controller (see `controller`),
/// the node and its role.
pub(crate) fn container_labels(run_id: &str, node: &str, role: &str) -> HashMap<String, String> {
    let mut labels = run_labels(run_id);
    labels.extend([
        (NODE_LABEL.to_string(), node.to_string()),
        (ROLE_LABEL.to_string(), role.to_string()),
    ]);
    labels
}

/// The labels every object of a run carries: the run and its controller.
pub(crate) fn run_labels(run_id: &str) -> HashMap<String, String> {
    let mut labels = super::controller::labels();
    labels.insert(RUN_LABEL.to_string(), run_id.to_string());
    labels
}

/// The filter selecting every object of a run.
pub(crate) fn run_filter(run_id: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{RUN_LABEL}={run_id}")])])
}

/// Docker names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; a run id is part of every name.
pub(crate) fn check_run_id(run_id: &str) -> Result<(), ClusterError> {
    let mut chars = run_id.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if first_ok && rest_ok && run_id.len() <= 100 {
        Ok(())
    } else {
        Err(ClusterError::Docker(format!(
            "run id {run_id:?} cannot be part of a Docker name: use 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids() {
        for (id, ok) in [
            ("t123-4", true),
            ("run_1.a", true),
            ("", false),
            ("-x", false),
            ("a b", false),
            ("a/b", false),
        ] {
            assert_eq!(check_run_id(id).is_ok(), ok, "{id:?}");
        }
    }

    #[tokio::test]
    async fn an_absent_engine_is_unreachable() {
        let e = connect_unix("/nonexistent/schism-docker.sock").await;
        match e {
            Err(ClusterError::EngineUnreachable(why)) => {
                let shown = ClusterError::EngineUnreachable(why).to_string();
                assert!(shown.contains("Start it"), "{shown}");
            }
            Err(other) => panic!("expected EngineUnreachable, got {other}"),
            Ok(_) => panic!("connected to a socket that does not exist"),
        }
    }
}
