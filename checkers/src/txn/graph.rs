//! The dependency graph: one node per transaction, one edge per reason one transaction
//! must come before another. Edges carry one kind each (a pair of transactions may be
//! linked by several edges of different kinds):
//!
//! - `ww` (write-write): T1 installed a version of a key and T2 a later one;
//! - `wr` (write-read): T2 read a version T1 installed;
//! - `rw` (read-write, an anti-dependency): T1 read a version and T2 installed a later
//!   one;
//! - `process`: the same process ran T1, then T2 (T1 completed ok first);
//! - `realtime`: T1 completed ok before T2 was invoked.
//!
//! The graph is a petgraph [`DiGraph`] whose node indices are transaction ids; failed
//! transactions are nodes without edges. No edge links a transaction to itself.

use super::txns::TxnId;
use petgraph::graph::{DiGraph, NodeIndex};

/// An edge kind, as one bit, so that sets of kinds are masks.
pub type EdgeKind = u8;

pub const WW: EdgeKind = 1;
pub const WR: EdgeKind = 2;
pub const RW: EdgeKind = 4;
pub const PROCESS: EdgeKind = 8;
pub const REALTIME: EdgeKind = 16;
/// The kinds inferred from data (reads and writes).
pub const DATA: EdgeKind = WW | WR | RW;
pub const ALL: EdgeKind = DATA | PROCESS | REALTIME;
/// Every kind, in the order searches prefer them.
pub const KINDS: [EdgeKind; 5] = [WW, WR, RW, PROCESS, REALTIME];

pub fn kind_name(k: EdgeKind) -> &'static str {
    match k {
        WW => "ww",
        WR => "wr",
        RW => "rw",
        PROCESS => "process",
        REALTIME => "realtime",
        _ => "?",
    }
}

/// The graph being built, with a count of edges by kind.
pub struct DepGraph {
    pub g: DiGraph<(), EdgeKind, u32>,
    counts: [u64; 5],
}

impl DepGraph {
    /// A graph of `n` transactions and no edges.
    pub fn new(n: usize) -> DepGraph {
        let mut g = DiGraph::with_capacity(n, 4 * n);
        for _ in 0..n {
            g.add_node(());
        }
        DepGraph { g, counts: [0; 5] }
    }

    /// `from` must come before `to`, for a reason of kind `kind`. Self-edges are dropped.
    pub fn add(&mut self, from: TxnId, to: TxnId, kind: EdgeKind) {
        if from == to {
            return;
        }
        self.g.add_edge(
            NodeIndex::new(from as usize),
            NodeIndex::new(to as usize),
            kind,
        );
        self.counts[kind.trailing_zeros() as usize] += 1;
    }

    /// How many edges of each kind, by name.
    pub fn counts(&self) -> Vec<(&'static str, u64)> {
        KINDS
            .iter()
            .map(|&k| (kind_name(k), self.counts[k.trailing_zeros() as usize]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_edges_by_kind_and_drops_self_edges() {
        let mut g = DepGraph::new(3);
        g.add(0, 1, WW);
        g.add(1, 2, RW);
        g.add(1, 2, REALTIME);
        g.add(2, 2, WR);
        assert_eq!(g.g.edge_count(), 3);
        assert_eq!(
            g.counts(),
            [
                ("ww", 1),
                ("wr", 0),
                ("rw", 1),
                ("process", 0),
                ("realtime", 1)
            ]
        );
        assert_eq!(KINDS.iter().fold(0, |a, k| a | k), ALL);
    }
}
