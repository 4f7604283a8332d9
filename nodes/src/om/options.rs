//! What an OM(m) node is told at construction: who commands, how many traitors to
//! tolerate, how long a round is, what to decide without a majority, its deliberate bug,
//! and whether it is a traitor (and which kind).

use crate::eig_tree::Conduct;
use serde_json::{json, Value};

/// Deliberate bugs, for proving that schism catches them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OmBugs {
    /// `trust-commander`: a lieutenant decides what the commander told it (OM(0)),
    /// ignoring relays.
    pub trust_commander: bool,
}

/// What a traitor does (it knows the protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OmTraitor {
    /// As commander: its order to half the lieutenants, a different one to the others.
    SplitOrders,
    /// As lieutenant: relays a different value from the one it received.
    RelayOpposite,
    /// Sends nothing.
    Silent,
}

impl OmTraitor {
    pub fn name(self) -> &'static str {
        match self {
            OmTraitor::SplitOrders => "split-orders",
            OmTraitor::RelayOpposite => "relay-opposite",
            OmTraitor::Silent => "silent",
        }
    }

    pub(crate) fn conduct(self) -> Conduct {
        match self {
            OmTraitor::SplitOrders => Conduct::Equivocate,
            OmTraitor::RelayOpposite => Conduct::RelayOpposite,
            OmTraitor::Silent => Conduct::Silent,
        }
    }
}

/// The options of one OM(m) node.
#[derive(Debug, Clone, PartialEq)]
pub struct OmOptions {
    /// Default: the first node.
    pub commander: Option<String>,
    /// Traitors tolerated (the depth of relaying). Default: (n - 1) / 3.
    pub m: Option<usize>,
    pub round_ms: u64,
    /// What a lieutenant decides without a majority (and for a value never received).
    pub default_value: Value,
    pub bugs: OmBugs,
    pub traitor: Option<OmTraitor>,
}

impl Default for OmOptions {
    fn default() -> Self {
        OmOptions {
            commander: None,
            m: None,
            round_ms: 100,
            default_value: json!("retreat"),
            bugs: OmBugs::default(),
            traitor: None,
        }
    }
}
