//! Where the client workers sit: on the controller (the host), or each beside its node,
//! sharing its side of every partition.

use crate::named::named;
use crate::NemesisError;

named! {
    /// Where the client workers sit during a run.
    pub enum Clients {
        /// On the host: every node is reachable from every client, whatever the partition.
        Controller = "controller",
        /// Each worker's connections leave from the network namespace of the node it is
        /// bound to: a partition cuts a client off from the nodes its node cannot reach.
        BesideNodes = "beside-nodes",
    }
}

impl Clients {
    /// The placement a spec names; an unknown one lists the known.
    pub fn parse(s: &str) -> Result<Clients, NemesisError> {
        Clients::from_name(s).ok_or_else(|| {
            NemesisError::Unknown(format!(
                "unknown client placement {s:?}; known: {}",
                Self::NAMES.join(", ")
            ))
        })
    }
}
