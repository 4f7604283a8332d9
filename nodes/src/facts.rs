//! What a harness must know of each reference protocol beside the code that runs it: the
//! workloads its nodes serve, the message fields a lying node of it changes (and the
//! values its lies take), whether clients go through a leader, whether it runs in rounds
//! (and is built for a number of traitors), and the traitors Lamport's adversary makes of
//! its nodes. These are facts of the messages and roles defined in this crate, so they are
//! kept here, next to [`crate::choose::PROTOCOLS`]; the `systems` crate reads them.

/// The facts of one protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub protocol: &'static str,
    /// The workloads its nodes serve (names of `workloads::registry`).
    pub workloads: &'static [&'static str],
    /// The message fields a lying node changes (dotted paths, `*` for every element).
    pub lie_fields: &'static [&'static str],
    /// The values its lies take, as strings (empty: derived from the true value).
    pub lie_domain: &'static [&'static str],
    /// Proposals and submissions go to whoever leads (replicated state machines), rather
    /// than to the node an op names.
    pub leader: bool,
    /// A synchronous algorithm: it runs in rounds of a given length and is built for a
    /// given number of traitors (`--round-ms`, `--m`).
    pub rounds: bool,
    /// The traitor behaviours (of [`crate::choose::TRAITORS`]) Lamport's adversary gives
    /// the commander (`n1`) and every other node; None: no protocol-aware traitors.
    pub lamport: Option<(&'static str, &'static str)>,
    /// The faults a run gets when it names none (`default` in `--nemesis`).
    pub faults: &'static [&'static str],
}

/// What a crash-tolerant protocol is tested against by default: partitions, crashes and
/// pauses (lying is beyond what it promises).
pub const CRASH_FAULTS: &[&str] = &["partition", "kill", "pause"];

/// What a Byzantine-tolerant protocol is tested against by default: partitions, crashes
/// and pauses, then a node that lies for the rest of the run (the `byzantine` nemesis's
/// traitor stays one; coming last, it leaves the run's first part to a loyal commander).
const BYZANTINE_FAULTS: &[&str] = &["partition", "kill", "pause", "byzantine"];

/// The workloads of a replicated state machine (a register, agreement, transactions, logs).
const STATE_MACHINE: &[&str] = &[
    "register",
    "consensus",
    "ledger",
    "list-append",
    "rw-register",
    "bank",
    "set",
    "log",
];

/// Every protocol's facts, in the order of [`crate::choose::PROTOCOLS`].
pub const FACTS: [Facts; 4] = [
    Facts {
        protocol: "raft",
        workloads: STATE_MACHINE,
        // The values inside the log entries a leader replicates.
        lie_fields: &[
            "entries.*.op.value",
            "entries.*.op.from",
            "entries.*.op.to",
            "entries.*.op.entry",
        ],
        lie_domain: &[],
        leader: true,
        rounds: false,
        lamport: None,
        faults: CRASH_FAULTS,
    },
    Facts {
        protocol: "paxos",
        workloads: STATE_MACHINE,
        // The command a proposer asks acceptors to accept, and decisions it spreads.
        lie_fields: &["value.value", "value.from", "value.to", "value.entry"],
        lie_domain: &[],
        leader: true,
        rounds: false,
        lamport: None,
        faults: CRASH_FAULTS,
    },
    Facts {
        protocol: "om",
        workloads: &["generals"],
        lie_fields: &["value"],
        lie_domain: &["attack", "retreat"],
        leader: false,
        rounds: true,
        // A traitor commander splits its orders, a traitor lieutenant relays the opposite.
        lamport: Some(("split-orders", "relay-opposite")),
        faults: BYZANTINE_FAULTS,
    },
    Facts {
        protocol: "eig",
        workloads: &["interactive-consistency"],
        lie_fields: &["value"],
        lie_domain: &[],
        leader: false,
        rounds: true,
        lamport: Some(("equivocate", "equivocate")),
        faults: BYZANTINE_FAULTS,
    },
];

/// The facts of the protocol of this name.
pub fn of(protocol: &str) -> Option<&'static Facts> {
    FACTS.iter().find(|f| f.protocol == protocol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choose::{PROTOCOLS, TRAITORS};

    #[test]
    fn every_protocol_has_facts_and_its_traitors_are_ones_it_knows() {
        let names: Vec<&str> = FACTS.iter().map(|f| f.protocol).collect();
        let protocols: Vec<&str> = PROTOCOLS.iter().map(|(p, _)| *p).collect();
        assert_eq!(names, protocols);
        for f in FACTS {
            let kinds = TRAITORS
                .iter()
                .find(|(p, _)| *p == f.protocol)
                .map_or(&[][..], |(_, k)| *k);
            for t in f.lamport.iter().flat_map(|(c, o)| [c, o]) {
                assert!(kinds.contains(t), "{} {t}", f.protocol);
            }
            assert_eq!(f.lamport.is_some(), kinds.contains(&"silent"));
        }
        assert_eq!(of("om").map(|f| f.lie_domain.len()), Some(2));
        assert!(of("zab").is_none());
    }
}
