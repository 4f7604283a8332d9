//! Where the client workers sit: on the controller (the host), or each beside its node,
//! sharing its side of every partition.

use crate::NemesisError;

/// Where the client workers sit during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clients {
    /// On the host: every node is reachable from every client, whatever the partition.
    Controller,
    /// Each worker's connections leave from the network namespace of the node it is bound
    /// to: a partition cuts a client off from the nodes its node cannot reach.
    BesideNodes,
}

impl Clients {
    pub const NAMES: [&'static str; 2] = ["controller", "beside-nodes"];

    pub fn name(self) -> &'static str {
        match self {
            Clients::Controller => Self::NAMES[0],
            Clients::BesideNodes => Self::NAMES[1],
        }
    }

    pub fn parse(s: &str) -> Result<Clients, NemesisError> {
        match s {
            "controller" => Ok(Clients::Controller),
            "beside-nodes" => Ok(Clients::BesideNodes),
            _ => Err(NemesisError::Unknown(format!(
                "unknown client placement {s:?}; known: {}",
                Self::NAMES.join(", ")
            ))),
        }
    }
}
