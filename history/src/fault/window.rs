//! One fault window: a fault of one kind, in force from its first record until its heal
//! completed (or a new mode of a standing fault replaced it, or the history ended).

use serde_json::Value;
use std::fmt;

/// Why a fault did not go as the nemesis meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It could not be applied (the error the nemesis recorded).
    NotApplied(String),
    /// Its heal failed.
    HealFailed(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotApplied(e) => write!(f, "not applied: {e}"),
            Failure::HealFailed(e) => write!(f, "heal failed: {e}"),
        }
    }
}

/// One fault, in force from `start_ns` to `end_ns` (ns since the history began).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// `partition`, `kill`, `pause`, `loss`, `byzantine`, `clock`, ...
    pub kind: String,
    /// The fault as the nemesis chose it (`{"fault": "kill", "nodes": [...]}`), or what
    /// was applied when the history lacks its first record.
    pub fault: Value,
    pub start_ns: u64,
    /// When its heal began; None when it was never healed: it was still in force when the
    /// history ended, or a new mode of a standing fault replaced it.
    pub heal_ns: Option<u64>,
    /// When it ended: its heal completed, a new mode replaced it, or the history ended.
    pub end_ns: u64,
    pub failure: Option<Failure>,
}

impl Window {
    /// Whether `t_ns` falls inside: from its start, up to (not at) its end.
    pub fn contains(&self, t_ns: u64) -> bool {
        t_ns >= self.start_ns && t_ns < self.end_ns
    }
}
