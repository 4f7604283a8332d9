//! What the charts need of a history, compactly: each client op as one record (invocation,
//! completion, outcome, function), the nemesis's records, and the nodes clients talked to.
//! A run of millions of ops is held in a few dozen bytes per op.

use crate::run::FaultRecord;

/// Distinct functions told apart; further ones are counted together.
pub const MAX_FUNCTIONS: usize = 64;

const OTHER: &str = "(other)";

/// How a client op ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Fail,
    /// `fail` with the error `compare-failed`: a CAS that ran and observed another value
    /// (the system answered: it was available).
    CompareFailed,
    Info,
    /// Never completed before the history ended (as good as `info`).
    Open,
}

impl Outcome {
    /// Whether the system answered (ok, or a comparison that did not hold).
    pub fn answered(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::CompareFailed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fail | Outcome::CompareFailed => "fail",
            Outcome::Info => "info",
            Outcome::Open => "open",
        }
    }
}

/// One client op: invocation to completion.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    pub invoke_ns: u64,
    /// The completion's time; for an op that never completed, the end of the history.
    pub complete_ns: u64,
    /// Line of the invocation in the history file (1-based), as anomalies name ops.
    pub line: u32,
    /// Index into [`Timeline::functions`].
    pub f: u16,
    pub outcome: Outcome,
}

impl Done {
    pub fn latency_ns(&self) -> u64 {
        self.complete_ns.saturating_sub(self.invoke_ns)
    }
}

/// A history as the report sees it.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Client ops in order of invocation.
    pub ops: Vec<Done>,
    /// Distinct functions of client ops, in order of first use.
    pub functions: Vec<String>,
    /// Distinct nodes named by ops, in order of first use.
    pub nodes: Vec<String>,
    /// The nemesis's ops, in order.
    pub nemesis: Vec<FaultRecord>,
    /// Time of the last op of the history.
    pub end_ns: u64,
}

impl Timeline {
    /// The index of a function, added when new (past [`MAX_FUNCTIONS`], they share one).
    pub fn function(&mut self, f: &str) -> u16 {
        if let Some(i) = self.functions.iter().position(|x| x == f) {
            return i as u16;
        }
        let f = if self.functions.len() >= MAX_FUNCTIONS {
            OTHER
        } else {
            f
        };
        if let Some(i) = self.functions.iter().position(|x| x == f) {
            return i as u16;
        }
        self.functions.push(f.to_string());
        (self.functions.len() - 1) as u16
    }

    /// Remember a node name (cheap when it was the last one seen).
    pub fn node(&mut self, n: &str) {
        if self.nodes.last().map(String::as_str) != Some(n) && !self.nodes.iter().any(|x| x == n) {
            self.nodes.push(n.to_string());
        }
    }

    /// Ops still open at the end are given the end of the history as their completion.
    pub fn close(&mut self) {
        let end = self.end_ns;
        for op in self.ops.iter_mut().filter(|o| o.outcome == Outcome::Open) {
            op.complete_ns = end.max(op.invoke_ns);
        }
    }
}
