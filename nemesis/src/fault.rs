//! What a fault is, as data.

use crate::byzantine::ByzMode;
use crate::grudge::{Grudge, Shape};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Nodes under schism's runtime made to lie (see [`ByzMode`]).
    Byzantine,
    /// The clock a node's protocol sees, moved.
    Clock,
}

impl FaultKind {
    pub const NAMES: [&'static str; 9] = [
        "partition",
        "kill",
        "pause",
        "loss",
        "delay",
        "duplicate",
        "reorder",
        "byzantine",
        "clock",
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
            "byzantine" => FaultKind::Byzantine,
            "clock" => FaultKind::Clock,
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

    /// Whether the fault is applied by control messages to the node runtime (so only to
    /// nodes under it).
    pub fn needs_runtime(self) -> bool {
        matches!(self, FaultKind::Byzantine | FaultKind::Clock)
    }

    /// Whether the fault stands once started (a Byzantine node is faulty for the whole
    /// run: its mode may change, its lies are removed only at the final heal), while the
    /// other faults come and go around it.
    pub fn is_standing(self) -> bool {
        self == FaultKind::Byzantine
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
    /// These nodes' interceptors run these rules (the mode's); removed at heal.
    Byzantine {
        nodes: Vec<String>,
        mode: ByzMode,
        rules: serde_json::Value,
    },
    /// Each node's protocol clock is moved by this many milliseconds; back at heal.
    Clock { offsets_ms: BTreeMap<String, i64> },
}

impl Fault {
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Partition { .. } => FaultKind::Partition,
            Fault::Kill { .. } => FaultKind::Kill,
            Fault::Pause { .. } => FaultKind::Pause,
            Fault::Loss { .. } => FaultKind::Loss,
            Fault::Byzantine { .. } => FaultKind::Byzantine,
            Fault::Clock { .. } => FaultKind::Clock,
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
