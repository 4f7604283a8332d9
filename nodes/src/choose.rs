//! A reference protocol by name, with its deliberate bugs and, for the Byzantine
//! agreement protocols, a traitor's behaviour (what `schism-node` runs).

use crate::eig::{Eig, EigBugs, EigOptions, EigTraitor};
use crate::om::{Om, OmBugs, OmOptions, OmTraitor};
use crate::paxos::{Paxos, PaxosBugs};
use crate::raft::{Raft, RaftBugs};
use wire::Protocol;

/// The protocols, each with its bugs.
pub const PROTOCOLS: [(&str, &[&str]); 4] = [
    (
        "raft",
        &["stale-read", "txn-early-read", "txn-blind-cas", "no-fsync"],
    ),
    (
        "paxos",
        &["accept-any", "txn-early-read", "txn-blind-cas", "no-fsync"],
    ),
    ("om", &["trust-commander"]),
    ("eig", &["trust-direct"]),
];

/// Where each bug of [`PROTOCOLS`] shows: (protocol, bug, the workload that exposes it).
/// `schism detect` runs each bug in its workload; a new bug needs its line here (a test
/// checks that every bug has one).
pub const SHOWN_IN: &[(&str, &str, &str)] = &[
    ("raft", "stale-read", "register"),
    ("raft", "txn-early-read", "list-append"),
    ("raft", "txn-blind-cas", "bank"),
    ("raft", "no-fsync", "register"),
    ("paxos", "accept-any", "register"),
    ("paxos", "txn-early-read", "list-append"),
    ("paxos", "txn-blind-cas", "bank"),
    ("paxos", "no-fsync", "register"),
    ("om", "trust-commander", "generals"),
    ("eig", "trust-direct", "interactive-consistency"),
];

/// The protocol-aware traitor behaviours of `om` and `eig`.
pub const TRAITORS: [(&str, &[&str]); 2] = [
    ("om", &["split-orders", "relay-opposite", "silent"]),
    (
        "eig",
        &["equivocate", "relay-opposite", "relay-corrupt", "silent"],
    ),
];

/// Check the bugs (and traitor) asked of a protocol; the bugs that are set.
fn check(name: &str, bugs: &[String], traitor: Option<&str>) -> Result<Vec<String>, String> {
    let Some((_, known)) = PROTOCOLS.iter().find(|(p, _)| *p == name) else {
        let names: Vec<&str> = PROTOCOLS.iter().map(|(p, _)| *p).collect();
        return Err(format!(
            "unknown protocol {name:?}; known: {}",
            names.join(", ")
        ));
    };
    if let Some(b) = bugs.iter().find(|b| !known.contains(&b.as_str())) {
        return Err(format!(
            "unknown bug {b:?} for {name}; known: {}",
            known.join(", ")
        ));
    }
    if let Some(t) = traitor {
        let kinds = TRAITORS
            .iter()
            .find(|(p, _)| *p == name)
            .map_or(&[][..], |(_, k)| *k);
        if !kinds.contains(&t) {
            return Err(format!(
                "no traitor {t:?} for {name}; known: {}",
                if kinds.is_empty() {
                    "none".to_string()
                } else {
                    kinds.join(", ")
                }
            ));
        }
    }
    Ok(bugs.to_vec())
}

/// How `om` and `eig` are built: the number of traitors they tolerate (default (n - 1) /
/// 3) and the length of a round (default 100 ms; longer on a loaded machine, where a
/// message may take longer than a round and count as lost).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tuning {
    pub m: Option<usize>,
    pub round_ms: Option<u64>,
}

/// The protocol of this name with these bugs; `traitor` makes an `om` or `eig` node lie
/// in a way that knows the protocol.
pub fn protocol(
    name: &str,
    bugs: &[String],
    traitor: Option<&str>,
    tuning: Tuning,
) -> Result<Box<dyn Protocol>, String> {
    let m = tuning.m;
    let bugs = check(name, bugs, traitor)?;
    let has = |b: &str| bugs.iter().any(|x| x == b);
    Ok(match name {
        "raft" => Box::new(Raft::with_bugs(RaftBugs {
            stale_read: has("stale-read"),
            txn_early_read: has("txn-early-read"),
            txn_blind_cas: has("txn-blind-cas"),
        })),
        "paxos" => Box::new(Paxos::with_bugs(PaxosBugs {
            accept_any: has("accept-any"),
            txn_early_read: has("txn-early-read"),
            txn_blind_cas: has("txn-blind-cas"),
        })),
        "om" => Box::new(Om::new(OmOptions {
            bugs: OmBugs {
                trust_commander: has("trust-commander"),
            },
            traitor: traitor.and_then(|t| {
                [
                    OmTraitor::SplitOrders,
                    OmTraitor::RelayOpposite,
                    OmTraitor::Silent,
                ]
                .into_iter()
                .find(|k| k.name() == t)
            }),
            m,
            round_ms: tuning.round_ms.unwrap_or(OmOptions::default().round_ms),
            ..OmOptions::default()
        })),
        _ => Box::new(Eig::new(EigOptions {
            bugs: EigBugs {
                trust_direct: has("trust-direct"),
            },
            traitor: traitor.and_then(|t| {
                [
                    EigTraitor::Equivocate,
                    EigTraitor::RelayOpposite,
                    EigTraitor::RelayCorrupt,
                    EigTraitor::Silent,
                ]
                .into_iter()
                .find(|k| k.name() == t)
            }),
            m,
            round_ms: tuning.round_ms.unwrap_or(EigOptions::default().round_ms),
            ..EigOptions::default()
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bug_names_a_workload_its_protocol_serves() {
        for (p, bugs) in PROTOCOLS {
            let facts = crate::facts::FACTS
                .iter()
                .find(|f| f.protocol == p)
                .unwrap();
            for b in bugs {
                let shown: Vec<_> = SHOWN_IN
                    .iter()
                    .filter(|(sp, sb, _)| *sp == p && sb == b)
                    .collect();
                assert_eq!(shown.len(), 1, "{p} {b}: one line in SHOWN_IN");
                assert!(facts.workloads.contains(&shown[0].2), "{p} {b}: {shown:?}");
            }
        }
        assert_eq!(
            SHOWN_IN.len(),
            PROTOCOLS.iter().map(|(_, b)| b.len()).sum::<usize>()
        );
    }

    #[test]
    fn every_protocol_bug_and_traitor_is_known_and_mistakes_are_named() {
        for (p, bugs) in PROTOCOLS {
            for b in bugs {
                assert!(
                    protocol(p, &[b.to_string()], None, Tuning::default()).is_ok(),
                    "{p} {b}"
                );
            }
        }
        for (p, kinds) in TRAITORS {
            for k in kinds {
                assert!(
                    protocol(p, &[], Some(k), Tuning::default()).is_ok(),
                    "{p} {k}"
                );
            }
        }
        let e = |r: Result<Box<dyn Protocol>, String>| r.err().unwrap_or_default();
        assert!(e(protocol("zab", &[], None, Tuning::default()))
            .contains("known: raft, paxos, om, eig"));
        assert!(e(protocol("raft", &["x".into()], None, Tuning::default()))
            .contains("known: stale-read, txn-early-read, txn-blind-cas, no-fsync"));
        assert!(e(protocol("raft", &[], Some("silent"), Tuning::default())).contains("known: none"));
        assert!(
            e(protocol("om", &[], Some("equivocate"), Tuning::default())).contains("split-orders")
        );
    }
}
