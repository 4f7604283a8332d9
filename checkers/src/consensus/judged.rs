//! Whose decisions a property judges: correct (non-Byzantine) nodes, and for the Byzantine
//! generals only the loyal lieutenants (the commander decides nothing: it gives the order).

use super::decisions::{Instance, Protocol};
use super::faulty::Faults;
use super::node::Node;
use std::collections::BTreeSet;

/// The nodes judged in one instance, and the words for them.
pub struct Judged<'a> {
    pub protocol: Protocol,
    pub faults: &'a Faults,
    /// Generals: the nodes that received an order for the instance.
    pub commanders: BTreeSet<Node>,
}

impl<'a> Judged<'a> {
    pub fn new(protocol: Protocol, faults: &'a Faults, inst: &Instance) -> Judged<'a> {
        let commanders = match protocol {
            Protocol::Generals => inst.proposers(),
            _ => BTreeSet::new(),
        };
        Judged {
            protocol,
            faults,
            commanders,
        }
    }

    /// Whether a node's decisions are judged.
    pub fn judges(&self, n: &Node) -> bool {
        self.faults.is_correct(n) && !self.commanders.contains(n)
    }

    /// Why a node is not judged, if it is not.
    pub fn excused(&self, n: &Node) -> Option<&'static str> {
        if self.faults.is_byzantine(n) {
            Some("Byzantine")
        } else if self.commanders.contains(n) {
            Some("the commander")
        } else {
            None
        }
    }

    /// The judged nodes, in words.
    pub fn who(&self) -> &'static str {
        match self.protocol {
            Protocol::Generals => "loyal lieutenants",
            _ => "correct nodes",
        }
    }
}
