//! The edges a serial order must (or should) respect, among the transactions that take
//! part, as compressed adjacency lists built straight from the dependency graph's edge
//! array (one pass to count, one to fill).
//!
//! Each edge also names what it *rests on*: [`FACT`] for an edge the reads force alone, or
//! the transaction whose real-time constraint it needs (the later one of a real-time pair;
//! module `realtime` says which for the orders it derives). Letting that transaction float
//! (module `frontier`) takes the edge away.

use crate::txn::graph::{DepGraph, EdgeKind};
use crate::txn::txns::TxnId;

/// What an edge the reads force alone rests on.
pub const FACT: TxnId = TxnId::MAX;

/// An edge (before, after, what it rests on).
pub type Edge = (TxnId, TxnId, TxnId);

pub struct Edges {
    /// The successors of `t`: `to[start[t]..start[t + 1]]`, and what each edge rests on.
    start: Vec<u32>,
    to: Vec<TxnId>,
    rests: Vec<TxnId>,
    /// How many predecessors each transaction has.
    pub preds: Vec<u32>,
}

impl Edges {
    /// The edges of `g` between members that `keep` keeps (given their kind), resting on
    /// `rests` (given kind, source, target).
    pub fn of_graph(
        g: &DepGraph,
        member: &[bool],
        keep: impl Fn(EdgeKind) -> bool,
        rests: impl Fn(EdgeKind, TxnId, TxnId) -> TxnId,
    ) -> Edges {
        let n = member.len();
        let wanted = |e: &&petgraph::graph::Edge<EdgeKind, u32>| {
            member[e.source().index()] && member[e.target().index()] && keep(e.weight)
        };
        let mut start = vec![0u32; n + 1];
        let mut preds = vec![0u32; n];
        for e in g.g.raw_edges().iter().filter(wanted) {
            start[e.source().index() + 1] += 1;
            preds[e.target().index()] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut to = vec![0; start[n] as usize];
        let mut rest = vec![FACT; start[n] as usize];
        for e in g.g.raw_edges().iter().filter(wanted) {
            let (a, b) = (e.source().index(), e.target().index());
            let at = fill[a] as usize;
            to[at] = b as TxnId;
            rest[at] = rests(e.weight, a as TxnId, b as TxnId);
            fill[a] += 1;
        }
        Edges {
            start,
            to,
            rests: rest,
            preds,
        }
    }

    /// No edges between `n` transactions.
    pub fn none(n: usize) -> Edges {
        Edges {
            start: vec![0; n + 1],
            to: Vec::new(),
            rests: Vec::new(),
            preds: vec![0; n],
        }
    }

    /// Whether there are no edges at all.
    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
    }

    fn range(&self, t: TxnId) -> std::ops::Range<usize> {
        self.start[t as usize] as usize..self.start[t as usize + 1] as usize
    }

    /// The successors of `t`.
    pub fn of(&self, t: TxnId) -> &[TxnId] {
        &self.to[self.range(t)]
    }

    /// What the edges from `t` rest on, in the order of [`Edges::of`].
    pub fn rests_of(&self, t: TxnId) -> &[TxnId] {
        &self.rests[self.range(t)]
    }

    /// These edges and `extra` (in any order).
    pub fn with(&self, extra: &[Edge]) -> Edges {
        let n = self.preds.len();
        let mut start: Vec<u32> = std::iter::once(0)
            .chain(self.start.windows(2).map(|w| w[1] - w[0]))
            .collect();
        for &(a, _, _) in extra {
            start[a as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut to = vec![0; start[n] as usize];
        let mut rests = vec![FACT; start[n] as usize];
        let mut fill: Vec<u32> = Vec::with_capacity(n);
        for (t, &at) in start[..n].iter().enumerate() {
            let (r, at) = (self.range(t as TxnId), at as usize);
            to[at..at + r.len()].copy_from_slice(&self.to[r.clone()]);
            rests[at..at + r.len()].copy_from_slice(&self.rests[r.clone()]);
            fill.push((at + r.len()) as u32);
        }
        let mut preds = self.preds.clone();
        for &(a, b, on) in extra {
            let at = fill[a as usize] as usize;
            to[at] = b;
            rests[at] = on;
            fill[a as usize] += 1;
            preds[b as usize] += 1;
        }
        Edges {
            start,
            to,
            rests,
            preds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::graph::{REALTIME, RW, WW};

    #[test]
    fn keeps_the_kinds_asked_for_between_members() {
        let mut g = DepGraph::new(4);
        g.add(0, 1, WW);
        g.add(0, 2, RW);
        g.add(1, 2, REALTIME);
        g.add(3, 2, WW);
        let e = Edges::of_graph(
            &g,
            &[true, true, true, false],
            |k| k & (WW | RW) != 0,
            |_, _, _| FACT,
        );
        let mut s = e.of(0).to_vec();
        s.sort();
        assert_eq!(s, [1, 2]);
        assert!(e.of(1).is_empty());
        assert_eq!(e.preds, [0, 1, 1, 0]);
        let e = e.with(&[(3, 0, 3), (1, 2, 2)]);
        assert_eq!((e.of(1), e.of(3)), (&[2][..], &[0][..]));
        assert_eq!(e.rests_of(1), [2]);
        assert_eq!(e.preds, [1, 1, 2, 0]);
        assert!(Edges::none(2).of(1).is_empty());
    }
}
