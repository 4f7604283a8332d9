//! Checkers for agreement protocols, judging correct processes only: consensus, the
//! Byzantine generals, interactive consistency and a replicated ledger.
//!
//! Consensus and the ledger (crash-recovery, asynchronous): correct means never Byzantine:
//! the nodes of `start-byzantine` faults and the run's `traitors` are faulty, and whatever
//! they decided or logged is left out (their modes are named in every explanation).
//! Crashed nodes (`start-kill`, `start-pause`) are correct: they must agree, but are
//! excused from termination when they gave no final answer. The Byzantine generals and
//! interactive consistency are synchronous problems, judged per instance: a node lying,
//! killed, paused or cut off while the instance ran is faulty in it, and an instance with
//! more faulty nodes than n > 3m allows is not judged ([`omission`]).
//! Safety properties are judged from every decision seen; termination, a liveness property
//! (its verdict has `liveness` set), from the final read at the end of the run. A history
//! without that final phase cannot be judged: the verdict is unknown, with the reason.
//!
//! ```
//! use checkers::consensus;
//! let names: Vec<String> = consensus::properties(consensus::Problem::Generals)
//!     .iter()
//!     .map(|c| c.name().to_string())
//!     .collect();
//! assert_eq!(names, ["ic1", "ic2", "termination"]);
//! ```

mod agreement;
mod allowed;
pub mod decisions;
pub mod faulty;
mod generals;
mod integrity;
mod judged;
pub mod ledger;
pub mod node;
pub mod omission;
mod report;
mod termination;
mod vectors;
mod weak_integrity;

pub use agreement::Agreement;
pub use decisions::Protocol;
pub use generals::Ic2;
pub use integrity::Integrity;
pub use ledger::{LedgerTermination, LogPrefix, NoDuplicates, NoLostAcks, NoPhantoms};
pub use termination::Termination;
pub use vectors::VectorValidity;
pub use weak_integrity::WeakIntegrity;

use crate::Checker;
use decisions::Run;
use faulty::Faults;
use history::History;
use report::{no_final_phase, with_faults, Report};
use std::collections::BTreeSet;

/// The problems these checkers judge (the workloads that pose them are in `workloads`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Consensus,
    Generals,
    InteractiveConsistency,
    Ledger,
}

impl Problem {
    pub const ALL: [Problem; 4] = [
        Problem::Consensus,
        Problem::Generals,
        Problem::InteractiveConsistency,
        Problem::Ledger,
    ];
}

/// The checkers of a problem's properties, one verdict each: safety first, then liveness.
pub fn properties(problem: Problem) -> Vec<Box<dyn Checker>> {
    match problem {
        Problem::Consensus => vec![
            Box::new(Agreement::new(Protocol::Consensus)),
            Box::new(Integrity::crash()),
            Box::new(WeakIntegrity),
            Box::new(Integrity::byzantine()),
            Box::new(Termination::new(Protocol::Consensus)),
        ],
        Problem::Generals => vec![
            Box::new(Agreement::new(Protocol::Generals)),
            Box::new(Ic2),
            Box::new(Termination::new(Protocol::Generals)),
        ],
        Problem::InteractiveConsistency => vec![
            Box::new(Agreement::new(Protocol::Vectors)),
            Box::new(VectorValidity),
            Box::new(Termination::new(Protocol::Vectors)),
        ],
        Problem::Ledger => vec![
            Box::new(LogPrefix),
            Box::new(NoDuplicates),
            Box::new(NoPhantoms),
            Box::new(NoLostAcks),
            Box::new(LedgerTermination),
        ],
    }
}

/// What a checker of decisions starts from: the faults, the run read for its protocol, and
/// its report, already unknown when the run has no final phase.
fn start(name: &str, history: &History, protocol: Protocol) -> (Faults, Run, Report) {
    let mut faults = Faults::read(history);
    let run = Run::read(history, protocol);
    faults.cluster = run
        .nodes
        .iter()
        .chain(faults.nodes())
        .collect::<BTreeSet<_>>()
        .len();
    let mut report = with_faults(name, &faults, &run.malformed);
    if !run.final_phase {
        report.cannot_judge(no_final_phase("decision"));
    }
    (faults, run, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Key, Op, OpType, Process};
    use serde_json::json;

    /// Every checker of every workload, over ops whose values have every wrong shape.
    #[test]
    fn no_checker_panics_on_odd_values() {
        let odd = [
            json!(null),
            json!(3),
            json!("n1"),
            json!([1, "x"]),
            json!({"node": 5}),
            json!({"node": "n2"}),
            json!({"node": "n1", "value": [1], "vector": "v", "decided": {}}),
            json!({"node": "n1", "entry": null, "entries": [null, null]}),
            json!({"node": "n", "entries": 7, "nodes": "n1"}),
            json!({"applied": 1, "nodes": [3, "n2"], "mode": []}),
        ];
        let fs = ["propose", "order", "decision", "submit", "log"];
        let nemesis = ["start-byzantine", "traitors", "start-kill", "start-pause"];
        let mut ops = Vec::new();
        for (i, v) in odd.iter().enumerate() {
            for (j, f) in fs.iter().enumerate() {
                let key = (i % 2 == 0).then_some(Key::Int(j as i64));
                let done = odd[(i + j) % odd.len()].clone();
                let kind = [OpType::Ok, OpType::Fail, OpType::Info][(i + j) % 3];
                let mut invoke = Op::client(0, OpType::Invoke, f, v.clone());
                invoke.key = key;
                ops.push(invoke);
                ops.push(Op::client(0, kind, f, done));
            }
            let mut n = Op::client(0, OpType::Info, nemesis[i % 4], v.clone());
            n.process = Process::Nemesis;
            ops.push(n);
        }
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        for p in Problem::ALL {
            for c in properties(p) {
                let v = c.check(&h);
                assert_eq!(v.checker, c.name());
            }
        }
        let empty = History::from_ops(Vec::new(), Dialect::Schism).unwrap();
        for p in Problem::ALL {
            for c in properties(p) {
                let v = c.check(&empty);
                assert_eq!(v.validity, history::Validity::Unknown, "{p:?} {}", c.name());
            }
        }
    }
}
