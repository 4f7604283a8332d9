//! The problem a search solves: which transactions take part, which orders they must
//! (or should) respect, what each observed, and how urgent each is.

use super::edges::{Edge, Edges, FACT};
use super::state::NIL;
use super::{frontier, realtime, search, topo, Outcome, Stuck, ROUNDS};
use crate::txn::budget::{Clock, TimeUp};
use crate::txn::graph::{DepGraph, EdgeKind, ALL, DATA, WR, WW};
use crate::txn::txns::{Datatype, KeyId, Mop, Seen, Status, TxnId, Txns};
use crate::txn::writes::Writers;
use petgraph::graph::NodeIndex;
use petgraph::Direction::Outgoing;

/// What the search orders, and what every order must respect.
pub struct Problem<'a> {
    pub(super) txns: &'a Txns,
    pub(super) dt: Datatype,
    pub(super) g: &'a DepGraph,
    /// Who wrote each (key, value): (transaction, micro-op).
    pub(super) writers: &'a Writers,
    /// Whether each transaction takes part.
    pub(super) member: Vec<bool>,
    pub(super) members: u32,
    /// The transactions real time does not bind (when it is required).
    pub(super) floating: Vec<bool>,
    /// What every order must respect: the graph's edges (and real time, if required),
    /// and the orders real time forces with the reads (module `realtime`).
    pub(super) hard: Edges,
    pub(super) derived: Edges,
    /// What orders are tried first to respect: real time, when it is not required.
    pub(super) soft: Edges,
    /// Each member's observations: the version of each key it read before writing it,
    /// `obs[obs_start[t]..obs_start[t + 1]]`.
    pub(super) obs_start: Vec<u32>,
    pub(super) obs: Vec<(KeyId, u32)>,
    /// How urgent each member is, lower first, and when it surely took effect by (module
    /// `topo`, [`topo::urgency`]).
    pub(super) urgency: Vec<u32>,
    pub(super) deadline: Vec<u32>,
    /// Whether to add the orders real time forces with the reads (module `realtime`;
    /// registers, when real time is required).
    pub(super) derive: bool,
    /// Whether to add the orders the reads force with the data edges alone (registers,
    /// when real time is not required; module `realtime`).
    pub(super) facts: bool,
    /// Whether the above is done.
    pub(super) prepared: bool,
    /// Whether real time is preferred (its edges are built when prepared).
    pub(super) prefer_realtime: bool,
    /// Whether the required edges are acyclic (known once prepared).
    pub(super) acyclic: bool,
}

impl<'a> Problem<'a> {
    /// The problem of ordering `txns` under the edges of `g`. Real time is required if
    /// `floating` is given (except for the transactions it marks; an empty slice marks
    /// none), and otherwise only preferred.
    pub fn new(
        txns: &'a Txns,
        dt: Datatype,
        g: &'a DepGraph,
        writers: &'a Writers,
        floating: Option<&[bool]>,
        clock: &mut Clock,
    ) -> Result<Problem<'a>, TimeUp> {
        let n = txns.len();
        // Info transactions some read observed: those with an outgoing ww or wr edge.
        let observed = |t: usize| {
            g.g.edges_directed(NodeIndex::new(t), Outgoing)
                .any(|e| e.weight() & (WW | WR) != 0)
        };
        let member: Vec<bool> = (0..n)
            .map(|t| match txns.list[t].status {
                Status::Ok => true,
                Status::Info => observed(t),
                Status::Fail => false,
            })
            .collect();
        clock.tick()?;
        let data = || Edges::of_graph(g, &member, |k| k & DATA != 0, |_, _, _| FACT);
        let derive = floating.is_some() && dt == Datatype::RwRegister;
        let prefer_realtime = floating.is_none();
        let (hard, soft, floating) = match floating {
            Some(f) if f.iter().any(|&f| f) => {
                let floating: Vec<bool> =
                    (0..n).map(|t| f.get(t).copied().unwrap_or(false)).collect();
                let realtime = frontier::edges(txns, &member, &floating, clock)?;
                (data().with(&realtime), Edges::none(n), floating)
            }
            Some(_) => {
                // Nothing floats: the graph's own process and real-time edges will do.
                let rests = |k: EdgeKind, _, b| if k & DATA != 0 { FACT } else { b };
                let all = Edges::of_graph(g, &member, |k| k & ALL != 0, rests);
                (all, Edges::none(n), vec![false; n])
            }
            // Real time preferred: its edges are built when the search needs them.
            None => (data(), Edges::none(n), vec![false; n]),
        };
        Ok(Problem {
            txns,
            dt,
            g,
            writers,
            members: member.iter().filter(|m| **m).count() as u32,
            derive,
            member,
            floating,
            hard,
            derived: Edges::none(n),
            soft,
            obs_start: Vec::new(),
            obs: Vec::new(),
            urgency: Vec::new(),
            deadline: Vec::new(),
            facts: false,
            prepared: false,
            prefer_realtime,
            acyclic: false,
        })
    }

    /// The same problem without the orders derived from the reads (module `realtime`):
    /// slower to search, but what it gets stuck on is plain to tell.
    pub fn plain(mut self) -> Self {
        self.derive = false;
        self.facts = false;
        self
    }

    /// The required successors of `t`.
    pub(super) fn required(&self, t: TxnId) -> impl Iterator<Item = TxnId> + '_ {
        self.hard.of(t).iter().chain(self.derived.of(t)).copied()
    }

    /// The required successors of `t`, each with what its edge rests on.
    pub(super) fn required_resting(&self, t: TxnId) -> impl Iterator<Item = (TxnId, TxnId)> + '_ {
        let (h, d) = (&self.hard, &self.derived);
        let hard = h.of(t).iter().copied().zip(h.rests_of(t).iter().copied());
        hard.chain(d.of(t).iter().copied().zip(d.rests_of(t).iter().copied()))
    }

    /// What the required edges into `targets` rest on (transactions, not facts).
    pub(super) fn rests_into(&self, targets: &[TxnId]) -> Vec<TxnId> {
        let mut out = Vec::new();
        for a in (0..self.txns.len() as TxnId).filter(|&a| self.member[a as usize]) {
            for (b, r) in self.required_resting(a) {
                if r != FACT && targets.contains(&b) {
                    out.push(r);
                }
            }
        }
        out
    }

    /// How many required predecessors `t` has.
    pub(super) fn required_preds(&self, t: usize) -> u32 {
        self.hard.preds[t] + self.derived.preds[t]
    }

    pub(super) fn obs(&self, t: TxnId) -> &[(KeyId, u32)] {
        &self.obs[self.obs_start[t as usize] as usize..self.obs_start[t as usize + 1] as usize]
    }

    /// If the required edges form cycles: transactions whose floating breaks them.
    pub(super) fn culprits(&mut self, clock: &mut Clock) -> Result<Option<Vec<TxnId>>, TimeUp> {
        self.prepare(clock)?;
        if self.acyclic {
            return Ok(None);
        }
        topo::culprits(self, clock).map(Some)
    }

    /// Search for an order within `budget` steps. For list-append a plain topological order
    /// is tried first (it is all it takes unless the graph missed something). If the
    /// required edges form a cycle, there is none.
    pub fn solve(&mut self, budget: u64, clock: &mut Clock) -> Result<Outcome, TimeUp> {
        if self.dt == Datatype::ListAppend && topo::witness(self, clock)? {
            return Ok(Outcome::Found {
                steps: self.members as u64,
            });
        }
        self.prepare(clock)?;
        if !self.acyclic {
            let placed = topo::order(self, false, clock)?.len() as u32;
            return Ok(Outcome::Impossible {
                steps: 0,
                stuck: Stuck {
                    placed,
                    members: self.members,
                    waiting: self.members - placed,
                    ..Stuck::default()
                },
            });
        }
        search::Search::new(self, budget).run(clock)
    }

    /// Compute urgency and deadlines, and whether the required edges are acyclic.
    pub(super) fn urgency(&mut self, clock: &mut Clock) -> Result<(), TimeUp> {
        let (urgency, deadline, acyclic) = topo::urgency(self, clock)?;
        self.urgency = urgency;
        self.deadline = deadline;
        // With preferred edges too, urgency's order says nothing of the required alone.
        self.acyclic = if self.soft.is_empty() {
            acyclic
        } else {
            topo::order(self, false, clock)?.len() == self.members as usize
        };
        Ok(())
    }

    /// What the search needs besides the edges: observations, urgency, and the orders real
    /// time forces with the reads, if wanted.
    pub(super) fn prepare(&mut self, clock: &mut Clock) -> Result<(), TimeUp> {
        if self.prepared {
            return Ok(());
        }
        self.prepared = true;
        if self.prefer_realtime {
            let order = |k: EdgeKind| k & ALL & !DATA != 0;
            self.soft = Edges::of_graph(self.g, &self.member, order, |_, _, b| b);
        }
        self.obs_start = Vec::with_capacity(self.txns.len() + 1);
        for (t, txn) in self.txns.list.iter().enumerate() {
            clock.tick()?;
            self.obs_start.push(self.obs.len() as u32);
            if self.member[t] && txn.status == Status::Ok {
                observations(&txn.mops, &mut self.obs);
            }
        }
        self.obs_start.push(self.obs.len() as u32);
        self.urgency(clock)?;
        if self.dt == Datatype::RwRegister && (self.derive || self.facts) {
            let reads = realtime::Reads::new(self, clock)?;
            let mut derived: Vec<Edge> = Vec::new();
            if self.facts {
                derived = reads.facts(self, clock)?;
                self.derived = Edges::none(self.txns.len()).with(&derived);
                self.urgency(clock)?;
            }
            // Derived orders make transactions more urgent, which may force more.
            for _ in 0..if self.derive { ROUNDS } else { 0 } {
                let more = reads.edges(self, clock)?;
                let all = union(&derived, &more);
                if all.len() == derived.len() {
                    break;
                }
                derived = all;
                self.derived = Edges::none(self.txns.len()).with(&derived);
                self.urgency(clock)?;
            }
        }
        Ok(())
    }
}

/// The union of two sorted lists without repeats, sorted.
fn union(a: &[Edge], b: &[Edge]) -> Vec<Edge> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x <= y => {
                i += 1;
                j += (x == y) as usize;
                *x
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (_, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => unreachable!("the loop's condition"),
        };
        out.push(next);
    }
    out
}

/// Push what a transaction of micro-ops `mops` observed: per key, the version it read
/// before writing the key (a list's length without its own appends; a register's value,
/// if it read the key before writing it), from its first read of the key.
fn observations(mops: &[Mop], out: &mut Vec<(KeyId, u32)>) {
    for (i, m) in mops.iter().enumerate() {
        let Mop::Read { key, seen } = m else {
            continue;
        };
        let earlier = &mops[..i];
        if earlier
            .iter()
            .any(|m| matches!(m, Mop::Read { key: k, .. } if k == key))
        {
            continue;
        }
        let own = earlier
            .iter()
            .filter(|m| matches!(m, Mop::Write { key: k, .. } if k == key))
            .count();
        let version = match seen {
            Seen::List(l) => l.len().checked_sub(own).map(|v| v as u32),
            Seen::Reg(v) if own == 0 => Some(v.unwrap_or(NIL)),
            _ => None,
        };
        out.extend(version.map(|v| (*key, v)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::writes::one_txn;
    use serde_json::json;

    fn observed(mops: serde_json::Value, dt: Datatype) -> Vec<(KeyId, u32)> {
        let txns = one_txn(mops, dt);
        let mut out = Vec::new();
        observations(&txns.list[0].mops, &mut out);
        out
    }

    #[test]
    fn unions_merge_sorted_lists() {
        assert_eq!(
            union(&[(0, 1, 1), (2, 3, 3)], &[(0, 1, 1), (1, 0, 0), (5, 5, 5)]),
            [(0, 1, 1), (1, 0, 0), (2, 3, 3), (5, 5, 5)]
        );
        assert!(union(&[], &[]).is_empty());
    }

    #[test]
    fn observations_are_versions_before_the_transaction() {
        let l = Datatype::ListAppend;
        assert_eq!(observed(json!([["r", 1, [1, 2]]]), l), [(0, 2)]);
        assert_eq!(
            observed(json!([["append", 1, 5], ["r", 1, [1, 5]], ["r", 2, []]]), l),
            [(0, 1), (1, 0)]
        );
        let r = Datatype::RwRegister;
        assert_eq!(
            observed(json!([["r", 1, null], ["w", 1, 3], ["r", 1, 3]]), r),
            [(0, NIL)]
        );
        assert_eq!(observed(json!([["w", 1, 3], ["r", 1, 3]]), r), []);
    }
}
