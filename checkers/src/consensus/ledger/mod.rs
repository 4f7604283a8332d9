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
