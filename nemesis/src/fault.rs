//! What a fault is, as data.

use crate::grudge::{Grudge, Shape};
use serde::Serialize;

/// The kinds of fault a test can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    Partition,
    Kill,
    Pause,
    Loss,
    Delay,
    Duplicate,
    Reorder,
}

impl FaultKind {
    pub const NAMES: [&'static str; 7] = [
        "partition",
        "kill",
        "pause",
        "loss",
        "delay",
        "duplicate",
        "reorder",
    ];

    pub fn parse(s: &str) -> Result<FaultKind, NemesisError> {
        Ok(match s {
            "partition" => FaultKind::Partition,
            "kill" => FaultKind::Kill,
            "pause" => FaultKind::Pause,
            "loss" => FaultKind::Loss,
            "delay" => FaultKind::Delay,
            "duplicate" => FaultKind::Duplicate,
            "reorder" => FaultKind::Reorder,
            other => {
                return Err(NemesisError::Unknown(format!(
                    "unknown nemesis {other:?}; known: {}",
                    Self::NAMES.join(", ")
                )))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the fault needs tc netem in the kernel.
    pub fn needs_netem(self) -> bool {
        matches!(
            self,
            FaultKind::Delay | FaultKind::Duplicate | FaultKind::Reorder
        )
    }
}

/// A fault as applied: exactly what was done.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "fault")]
pub enum Fault {
    /// Each node drops packets from the nodes of its grudge.
    Partition { shape: Shape, grudge: Grudge },
    /// SIGKILLed; started again at heal.
    Kill { nodes: Vec<String> },
    /// Frozen; resumed at heal.
    Pause { nodes: Vec<String> },
    /// Each node drops incoming packets with this probability.
    Loss {
        nodes: Vec<String>,
        probability: f64,
    },
}

impl Fault {
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Partition { .. } => FaultKind::Partition,
            Fault::Kill { .. } => FaultKind::Kill,
            Fault::Pause { .. } => FaultKind::Pause,
            Fault::Loss { .. } => FaultKind::Loss,
        }
    }
}

/// Why the nemesis cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum NemesisError {
    #[error("{0}")]
    Unknown(String),
    /// The machine lacks what the fault needs.
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
}
