//! A node's files, as the cluster reaches them from outside the node: listed, read and
//! written whether the node runs or is stopped (the disk-corruption fault rewrites a file
//! of a stopped node; the clock fault rewrites libfaketime's control file of a running
//! one).

use crate::ClusterError;

/// A regular file of a node's filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Its absolute path in the node.
    pub path: String,
    pub size: u64,
}

/// At most this many bytes are brought out of a node by one listing or read (a data
/// directory larger than this is refused rather than held in memory).
pub const MAX_TRANSFER_BYTES: usize = 1 << 30;

/// The error of a backend that cannot reach a node's files.
pub fn no_files(node: &str, what: &str) -> ClusterError {
    ClusterError::Exec {
        node: node.to_string(),
        command: what.to_string(),
        exit_code: -1,
        stderr: "this cluster backend cannot reach a node's files".into(),
    }
}
