//! Why a run could not go on, and the exit code that says so.

use crate::exit::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A spec or flag that cannot be used.
    #[error("{0}")]
    Spec(String),
    /// Stopped by SIGINT or SIGTERM before anything was recorded.
    #[error("{0}")]
    Interrupted(String),
    /// Something this machine lacks or a failure of schism itself.
    #[error("{0}")]
    Harness(String),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
    #[error(transparent)]
    Nemesis(#[from] nemesis::NemesisError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<systems::Error> for RunError {
    fn from(e: systems::Error) -> Self {
        match e {
            systems::Error::Spec(m) => RunError::Spec(m),
            systems::Error::Host(m) => RunError::Harness(m),
            systems::Error::Cluster(e) => RunError::Cluster(e),
        }
    }
}

impl RunError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            RunError::Spec(_) => ExitCode::BadInput,
            RunError::Interrupted(_) => ExitCode::Interrupted,
            RunError::Nemesis(nemesis::NemesisError::Unknown(_)) => ExitCode::BadInput,
            _ => ExitCode::HarnessError,
        }
    }
}
