//! Process and real-time edges: what the history's order says, whatever the data.
//!
//! Only a transaction that completed `ok` has a known end, so only it can be known to
//! precede another: an `info` transaction may take effect at any time after its
//! invocation, even after a later transaction of its own process. Failed transactions take
//! no part.
//!
//! - `process`: each transaction gets an edge from the last transaction of its process
//!   that completed ok before it.
//! - `realtime`: T1 precedes T2 when T1 completed ok before T2 was invoked (op indices: a
//!   history is in real-time order). All such pairs would be quadratic; instead, like Elle,
//!   we keep a *frontier*: the transactions completed so far that no completed transaction
//!   is known to follow. A newly invoked transaction gets an edge from each member; when a
//!   transaction completes, it replaces the members that completed before it was invoked.
//!   Every real-time pair is then joined by a path, and the frontier's members overlap in
//!   time, so there are at most as many as the history's concurrency.

use super::budget::{Clock, TimeUp};
use super::graph::{DepGraph, PROCESS, REALTIME};
use super::txns::{Status, TxnId, Txns};
use history::{History, Process};
use rustc_hash::FxHashMap;

/// Add the process and real-time edges of `txns` to `g`.
pub fn add_edges(
    history: &History,
    txns: &Txns,
    g: &mut DepGraph,
    clock: &mut Clock,
) -> Result<(), TimeUp> {
    /// What happens at an op index.
    #[derive(Clone, Copy)]
    enum Event {
        None,
        Invoke(TxnId),
        Complete(TxnId),
    }
    let mut events = vec![Event::None; history.len()];
    for (id, t) in txns.list.iter().enumerate() {
        if t.status == Status::Fail {
            continue;
        }
        events[t.invoke as usize] = Event::Invoke(id as TxnId);
        if let (Status::Ok, Some(c)) = (t.status, t.complete) {
            events[c as usize] = Event::Complete(id as TxnId);
        }
    }
    let mut last_ok: FxHashMap<Process, TxnId> = FxHashMap::default();
    let mut frontier: Vec<TxnId> = Vec::new();
    for e in events {
        clock.tick()?;
        match e {
            Event::None => {}
            Event::Invoke(t) => {
                let txn = &txns.list[t as usize];
                if let Some(&p) = last_ok.get(&txn.process) {
                    g.add(p, t, PROCESS);
                }
                for &f in &frontier {
                    g.add(f, t, REALTIME);
                }
            }
            Event::Complete(t) => {
                let txn = &txns.list[t as usize];
                last_ok.insert(txn.process, t);
                let invoked = txn.invoke;
                frontier.retain(|&f| txns.list[f as usize].complete.is_some_and(|c| c > invoked));
                frontier.push(t);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::txns::Datatype;
    use history::{Dialect, Op, OpType};
    use petgraph::visit::EdgeRef;
    use serde_json::json;

    fn edges(ops: Vec<(u64, OpType)>) -> Vec<(u32, u32, &'static str)> {
        let ops = ops
            .into_iter()
            .map(|(p, k)| Op::client(p, k, "txn", json!([["r", 1, null]])))
            .collect();
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let mut clock = Clock::new(None);
        let txns = Txns::extract(&h, Datatype::ListAppend, &mut clock).unwrap();
        let mut g = DepGraph::new(txns.len());
        add_edges(&h, &txns, &mut g, &mut clock).unwrap();
        let mut e: Vec<_> =
            g.g.edge_references()
                .map(|e| {
                    (
                        e.source().index() as u32,
                        e.target().index() as u32,
                        super::super::graph::kind_name(*e.weight()),
                    )
                })
                .collect();
        e.sort();
        e
    }

    #[test]
    fn realtime_edges_follow_the_frontier() {
        use OpType::*;
        // T0 and T1 overlap; both complete before T2; T2 completes before T3.
        let e = edges(vec![
            (0, Invoke),
            (1, Invoke),
            (0, Ok),
            (1, Ok),
            (2, Invoke),
            (2, Ok),
            (3, Invoke),
            (3, Ok),
        ]);
        assert_eq!(
            e,
            [(0, 2, "realtime"), (1, 2, "realtime"), (2, 3, "realtime"),]
        );
    }

    #[test]
    fn process_order_skips_info_and_fail() {
        use OpType::*;
        // Process 0: T0 ok, T1 info, then process 0 runs T2; T3 failed in between.
        let e = edges(vec![
            (0, Invoke),
            (0, Ok),
            (0, Invoke),
            (0, Info),
            (1, Invoke),
            (1, Fail),
            (0, Invoke),
            (0, Ok),
        ]);
        assert_eq!(
            e,
            [
                (0, 1, "process"),
                (0, 1, "realtime"),
                (0, 3, "process"),
                (0, 3, "realtime"),
            ],
            "into the info T1, but nothing from it; nothing to or from the failed T2"
        );
    }
}
