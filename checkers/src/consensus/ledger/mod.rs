//! Checkers of a replicated ledger (workload `ledger`): clients submit entries to nodes,
//! and at the end every node reports its committed log. Only correct (non-Byzantine) nodes'
//! logs are judged.

mod duplicates;
pub mod logs;
mod lost;
mod phantoms;
mod prefix;
mod termination;

pub use duplicates::NoDuplicates;
pub use lost::NoLostAcks;
pub use phantoms::NoPhantoms;
pub use prefix::LogPrefix;
pub use termination::LedgerTermination;

use crate::consensus::faulty::Faults;
use crate::consensus::report::{with_faults, Report};
use history::History;
use logs::Ledger;

/// What a ledger safety checker starts from: the faults, the ledger, and its report, already
/// unknown when the logs cannot be judged ([`Ledger::unjudgeable`]).
fn start(name: &str, history: &History) -> (Faults, Ledger, Report) {
    let faults = Faults::read(history);
    let ledger = Ledger::read(history);
    let mut report = with_faults(name, &faults, &ledger.malformed);
    if let Some(reason) = ledger.unjudgeable(&faults) {
        report.cannot_judge(reason);
    }
    (faults, ledger, report)
}
