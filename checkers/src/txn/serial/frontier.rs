//! Real-time edges for the search, some transactions *floating*: T1 precedes T2 when T1
//! completed ok before T2 was invoked, unless either floats (a floating transaction is
//! ordered by the data alone: a stale read, say, when real time is only preferred).
//!
//! As in module `order`, a frontier keeps this linear: a transaction invoked gets an edge
//! from each member, and one that completes replaces the members that completed before it
//! was invoked, since it follows them. Floating ones take no part.

use super::edges::Edge;
use crate::txn::budget::{Clock, TimeUp};
use crate::txn::txns::{Status, TxnId, Txns};

/// The real-time edges between members that do not float; each rests on its later
/// transaction.
pub fn edges(
    txns: &Txns,
    member: &[bool],
    floating: &[bool],
    clock: &mut Clock,
) -> Result<Vec<Edge>, TimeUp> {
    #[derive(Clone, Copy)]
    enum Event {
        None,
        Invoke(TxnId),
        Complete(TxnId),
    }
    let last = txns
        .list
        .iter()
        .map(|t| t.complete.unwrap_or(t.invoke))
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut events = vec![Event::None; last];
    for (t, txn) in txns.list.iter().enumerate() {
        if !member[t] || floating[t] {
            continue;
        }
        events[txn.invoke as usize] = Event::Invoke(t as TxnId);
        if let (Status::Ok, Some(c)) = (txn.status, txn.complete) {
            events[c as usize] = Event::Complete(t as TxnId);
        }
    }
    let mut out = Vec::new();
    let mut frontier: Vec<TxnId> = Vec::new();
    for e in events {
        clock.tick()?;
        match e {
            Event::None => {}
            Event::Invoke(t) => out.extend(frontier.iter().map(|&f| (f, t, t))),
            Event::Complete(t) => {
                let invoked = txns.list[t as usize].invoke;
                frontier.retain(|&f| txns.list[f as usize].complete.is_some_and(|c| c > invoked));
                frontier.push(t);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::txns::Datatype;
    use history::{Dialect, History, Op, OpType};
    use serde_json::json;

    #[test]
    fn a_floating_transaction_takes_no_part() {
        use OpType::*;
        // T0 completes, then T1 runs, then T2.
        let ops = [
            (0, Invoke),
            (0, Ok),
            (1, Invoke),
            (1, Ok),
            (2, Invoke),
            (2, Ok),
        ]
        .into_iter()
        .map(|(p, k)| Op::client(p, k, "txn", json!([["r", 1, null]])))
        .collect();
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let mut clock = Clock::new(None);
        let txns = Txns::extract(&h, Datatype::ListAppend, &mut clock).unwrap();
        let all = [true; 3];
        let mut e = edges(&txns, &all, &[false; 3], &mut clock).unwrap();
        e.sort();
        assert_eq!(e, [(0, 1, 1), (1, 2, 2)]);
        let mut e = edges(&txns, &all, &[false, true, false], &mut clock).unwrap();
        e.sort();
        assert_eq!(e, [(0, 2, 2)], "T1 floats: T0 reaches T2 directly");
    }
}
