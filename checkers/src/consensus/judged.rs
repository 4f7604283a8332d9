//! Whose decisions a property judges: correct (non-Byzantine) nodes, and for the Byzantine
//! generals only the loyal lieutenants (the commander decides nothing: it gives the order).
//! In the synchronous problems (generals, interactive consistency) a node out of touch
//! while the instance ran is faulty for it too, and an instance with more faulty nodes
//! than the problem tolerates is not judged at all ([`super::omission`]).

use super::decisions::{Instance, Protocol};
use super::faulty::Faults;
use super::node::{self, Node};
use super::omission::{tolerated, SETTLE_NS};
use std::collections::BTreeSet;

/// The nodes judged in one instance, and the words for them.
pub struct Judged<'a> {
    pub protocol: Protocol,
    pub faults: &'a Faults,
    /// Generals: the nodes that received an order for the instance.
    pub commanders: BTreeSet<Node>,
    /// Synchronous problems: the nodes out of touch while the instance ran.
    pub out_of_touch: BTreeSet<Node>,
    /// The Byzantine nodes of this instance: for consensus every node that ever lied;
    /// for the synchronous problems the traitors and the nodes lying while it ran.
    pub byzantine: BTreeSet<Node>,
    /// Synchronous problems: the traitors and the nodes out of touch were more than
    /// (n - 1) / 3, so the problem promises nothing for this instance.
    pub beyond_bound: bool,
}

impl<'a> Judged<'a> {
    pub fn new(protocol: Protocol, faults: &'a Faults, inst: &Instance) -> Judged<'a> {
        let commanders = match protocol {
            Protocol::Generals => inst.proposers(),
            _ => BTreeSet::new(),
        };
        let all_run = || faults.byzantine.keys().cloned().collect();
        let (out_of_touch, byzantine) = match (protocol, inst.proposed_ns()) {
            (Protocol::Consensus, _) => (BTreeSet::new(), all_run()),
            (_, None) => (BTreeSet::new(), faults.traitors.clone()),
            (_, Some((from, to))) => {
                let o = &faults.omissions;
                let lying = o.lying(from, to + SETTLE_NS);
                let byzantine = faults.traitors.union(&lying).cloned().collect();
                (o.during(from, to + SETTLE_NS), byzantine)
            }
        };
        let faulty: BTreeSet<&Node> = out_of_touch.iter().chain(&byzantine).collect();
        let beyond_bound = !out_of_touch.is_empty() && faulty.len() > tolerated(faults.cluster);
        Judged {
            protocol,
            faults,
            commanders,
            out_of_touch,
            byzantine,
            beyond_bound,
        }
    }

    /// Whether a node is correct in this instance: never Byzantine, and not out of touch.
    pub fn correct(&self, n: &Node) -> bool {
        !self.byzantine.contains(n) && !self.out_of_touch.contains(n)
    }

    /// Whether a node's decisions are judged.
    pub fn judges(&self, n: &Node) -> bool {
        self.correct(n) && !self.commanders.contains(n)
    }

    /// Why a node is not judged, if it is not.
    pub fn excused(&self, n: &Node) -> Option<&'static str> {
        if self.byzantine.contains(n) {
            Some("Byzantine")
        } else if self.out_of_touch.contains(n) {
            Some("out of touch while the instance ran")
        } else if self.commanders.contains(n) {
            Some("the commander")
        } else {
            None
        }
    }

    /// Which nodes were faulty, in a sentence: for consensus those of the run; for the
    /// synchronous problems those of this instance.
    pub fn describe(&self) -> String {
        if self.protocol == Protocol::Consensus {
            return self.faults.describe();
        }
        let mut parts = Vec::new();
        if !self.byzantine.is_empty() {
            let how = |n: &Node| match self.faults.byzantine.get(n) {
                Some(modes) => {
                    format!("{n} ({})", Vec::from_iter(modes.iter().cloned()).join(", "))
                }
                None => n.to_string(),
            };
            let lying: Vec<String> = self.byzantine.iter().map(how).collect();
            parts.push(format!(
                "Byzantine in this instance, so not judged: {}",
                lying.join(", ")
            ));
        }
        if !self.out_of_touch.is_empty() {
            parts.push(format!(
                "out of touch in this instance (killed, paused, cut off or skewed), so not judged: {}",
                node::list(&self.out_of_touch)
            ));
        }
        match parts.is_empty() {
            true => "Faulty nodes: none in this instance.".into(),
            false => format!("Faulty nodes: {}.", parts.join("; ")),
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
