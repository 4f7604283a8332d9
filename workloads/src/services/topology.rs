//! Broadcast's topology: which nodes each node relays to, and the opening phase that tells
//! every node before any message is broadcast.
//!
//! The topology is a spanning tree in heap order: node `i` (0-based, in the order the
//! nodes are named) neighbours its parent `(i-1)/2` and its children `2i+1` and `2i+2`.
//! With three nodes, `n1` neighbours `n2` and `n3`, which neighbour only `n1`. A tree has
//! no redundant path, so a node that does not relay what it receives loses messages for
//! the nodes behind it.

use crate::generator::{Ctx, Generator, Next};
use crate::Invocation;
use history::{Op, OpType};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;

/// The tree topology of these nodes: each node's neighbours, parent first.
pub fn tree(nodes: &[String]) -> Map<String, Value> {
    let mut t = Map::new();
    for (i, n) in nodes.iter().enumerate() {
        let mut near = Vec::new();
        if i > 0 {
            near.push(nodes[(i - 1) / 2].clone());
        }
        near.extend(
            [2 * i + 1, 2 * i + 2]
                .into_iter()
                .filter_map(|c| nodes.get(c).cloned()),
        );
        t.insert(n.clone(), json!(near));
    }
    t
}

/// One `topology` op per node, each naming its node (value `{"node", "topology"}`, the
/// whole tree); then it waits until all of them have completed, whatever their outcome,
/// and is done. Put it first in [`crate::generator::Phases`].
pub struct TopologyFirst {
    pending: VecDeque<Invocation>,
    outstanding: usize,
}

/// How long a worker waits before asking again while the topology ops are in flight.
const POLL_NS: u64 = 10_000_000;

impl TopologyFirst {
    pub fn new(nodes: &[String]) -> TopologyFirst {
        let t = Value::Object(tree(nodes));
        TopologyFirst {
            pending: nodes
                .iter()
                .map(|n| Invocation::new("topology", None, json!({"node": n, "topology": t})))
                .collect(),
            outstanding: 0,
        }
    }
}

impl Generator for TopologyFirst {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if let Some(inv) = self.pending.pop_front() {
            self.outstanding += 1;
            return Next::Op(inv);
        }
        if self.outstanding > 0 {
            return Next::Wait(ctx.time_ns + POLL_NS);
        }
        Next::Done
    }

    fn update(&mut self, op: &Op) {
        if op.f == "topology" && op.kind != OpType::Invoke {
            self.outstanding = self.outstanding.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    #[test]
    fn the_tree_links_parents_and_children() {
        assert_eq!(
            Value::Object(tree(&names(3))),
            json!({"n1": ["n2", "n3"], "n2": ["n1"], "n3": ["n1"]})
        );
        assert_eq!(
            Value::Object(tree(&names(5))),
            json!({"n1": ["n2", "n3"], "n2": ["n1", "n4", "n5"], "n3": ["n1"], "n4": ["n2"], "n5": ["n2"]})
        );
        assert_eq!(Value::Object(tree(&names(1))), json!({"n1": []}));
    }

    #[test]
    fn every_node_is_told_and_nothing_follows_until_all_have_answered() {
        let mut g = TopologyFirst::new(&names(2));
        let mut rng = Rng::new(1);
        let mut ask = |g: &mut TopologyFirst| {
            g.next(&mut Ctx {
                time_ns: 5,
                process: 0,
                rng: &mut rng,
            })
        };
        let mut told = Vec::new();
        for _ in 0..2 {
            match ask(&mut g) {
                Next::Op(inv) => told.push(inv.value["node"].clone()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(told, vec![json!("n1"), json!("n2")]);
        assert_eq!(ask(&mut g), Next::Wait(5 + POLL_NS));
        g.update(&Op::client(0, OpType::Ok, "topology", json!(null)));
        assert_eq!(ask(&mut g), Next::Wait(5 + POLL_NS), "one still in flight");
        g.update(&Op::client(1, OpType::Info, "topology", json!(null)));
        assert_eq!(ask(&mut g), Next::Done);
    }
}
