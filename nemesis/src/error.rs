//! Why the nemesis cannot do what was asked.

/// A nemesis error: a mistake in what was asked, a machine that cannot do it, or the
/// cluster failing.
#[derive(Debug, thiserror::Error)]
pub enum NemesisError {
    /// An unknown fault, target, shape or mode, or options that make no sense.
    #[error("{0}")]
    Unknown(String),
    /// The machine (or the system) lacks what the fault needs.
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
}
