//! Why a system could not be resolved, started or spoken to. The harness maps each kind
//! to its own exit code: a mistake in what the user gave (bad input), something this
//! machine lacks or a failure of schism itself, a failure of the cluster backend.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A system spec, flag or option that cannot be used.
    #[error("{0}")]
    Spec(String),
    /// Something this machine lacks (the etcd binary, schism's node program) or a failure
    /// of schism itself (an HTTP client that cannot be made).
    #[error("{0}")]
    Host(String),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
}
