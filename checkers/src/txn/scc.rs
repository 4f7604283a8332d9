//! Where the cycles can be: the strongly connected components of the dependency graph
//! (over the edges of some kinds), found in two steps.
//!
//! 1. [`trim`]: peel off, again and again, every transaction with no incoming or no
//!    outgoing edge left: it lies on no cycle. A valid history's graph is acyclic and
//!    peels away entirely, in linear time and without recursion.
//! 2. [`components`]: petgraph's Tarjan SCC over what is left. Tarjan recurses once per
//!    transaction on a path, so [`with_stack`] runs it on a thread whose stack is sized
//!    for what is left.

use super::budget::{Clock, TimeUp};
use super::graph::EdgeKind;
use super::txns::TxnId;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction::{Incoming, Outgoing};

/// The transactions that may lie on a cycle of edges of kinds in `mask`, ascending.
pub fn trim(
    g: &DiGraph<(), EdgeKind, u32>,
    mask: EdgeKind,
    clock: &mut Clock,
) -> Result<Vec<TxnId>, TimeUp> {
    let n = g.node_count();
    let mut indeg = vec![0u32; n];
    let mut outdeg = vec![0u32; n];
    for e in g.edge_references() {
        clock.tick()?;
        if e.weight() & mask != 0 {
            outdeg[e.source().index()] += 1;
            indeg[e.target().index()] += 1;
        }
    }
    let mut alive = vec![true; n];
    let mut queue: Vec<u32> = (0..n as u32)
        .filter(|&v| indeg[v as usize] == 0 || outdeg[v as usize] == 0)
        .collect();
    while let Some(v) = queue.pop() {
        if !alive[v as usize] {
            continue;
        }
        alive[v as usize] = false;
        let node = NodeIndex::new(v as usize);
        for e in g.edges_directed(node, Outgoing) {
            clock.tick()?;
            let w = e.target().index();
            if e.weight() & mask != 0 && alive[w] {
                indeg[w] -= 1;
                if indeg[w] == 0 {
                    queue.push(w as u32);
                }
            }
        }
        for e in g.edges_directed(node, Incoming) {
            clock.tick()?;
            let u = e.source().index();
            if e.weight() & mask != 0 && alive[u] {
                outdeg[u] -= 1;
                if outdeg[u] == 0 {
                    queue.push(u as u32);
                }
            }
        }
    }
    Ok((0..n as u32).filter(|&v| alive[v as usize]).collect())
}

/// The strongly connected components of at least two transactions, among `nodes` (from
/// [`trim`]), over edges of kinds in `mask`: each sorted, ordered by first member.
/// Recursive: call it on a thread from [`with_stack`].
pub fn components(
    g: &DiGraph<(), EdgeKind, u32>,
    mask: EdgeKind,
    nodes: &[TxnId],
    clock: &mut Clock,
) -> Result<Vec<Vec<TxnId>>, TimeUp> {
    if nodes.is_empty() {
        return Ok(Vec::new());
    }
    let mut local = vec![u32::MAX; g.node_count()];
    let mut sub: DiGraph<TxnId, (), u32> = DiGraph::with_capacity(nodes.len(), nodes.len());
    for &v in nodes {
        local[v as usize] = sub.add_node(v).index() as u32;
    }
    for &v in nodes {
        for e in g.edges(NodeIndex::new(v as usize)) {
            clock.tick()?;
            let w = local[e.target().index()];
            if e.weight() & mask != 0 && w != u32::MAX {
                sub.add_edge(
                    NodeIndex::new(local[v as usize] as usize),
                    NodeIndex::new(w as usize),
                    (),
                );
            }
        }
    }
    let mut sccs: Vec<Vec<TxnId>> = petgraph::algo::tarjan_scc(&sub)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<TxnId> = c.into_iter().map(|i| sub[i]).collect();
            c.sort_unstable();
            c
        })
        .collect();
    sccs.sort_unstable_by_key(|c| c[0]);
    Ok(sccs)
}

/// Bytes of stack per transaction a recursive pass over `nodes` transactions may need.
const STACK_PER_NODE: usize = 1024;

/// Run `f` on a thread with a stack big enough to recurse once per each of `nodes`
/// transactions (and at least 8 MiB).
pub fn with_stack<T: Send>(nodes: usize, f: impl FnOnce() -> T + Send) -> T {
    let size = (8 << 20) + nodes.saturating_mul(STACK_PER_NODE);
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("txn-cycles".into())
            .stack_size(size)
            .spawn_scoped(s, f)
            .expect("spawn the cycle-search thread")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

#[cfg(test)]
mod tests {
    use super::super::graph::{DepGraph, RW, WR, WW};
    use super::*;

    #[test]
    fn an_acyclic_graph_trims_away_and_cycles_remain() {
        let mut g = DepGraph::new(6);
        // 0 -> 1 -> 2 -> 0 (ww, ww, rw); 2 -> 3 -> 4 (a tail); 5 alone.
        g.add(0, 1, WW);
        g.add(1, 2, WW);
        g.add(2, 0, RW);
        g.add(2, 3, WR);
        g.add(3, 4, WR);
        let mut clock = Clock::new(None);
        let left = trim(&g.g, WW | WR | RW, &mut clock).unwrap();
        assert_eq!(left, [0, 1, 2]);
        assert_eq!(
            components(&g.g, WW | WR | RW, &left, &mut clock).unwrap(),
            [vec![0, 1, 2]]
        );
        // Without rw edges there is no cycle at all.
        assert!(trim(&g.g, WW | WR, &mut clock).unwrap().is_empty());
    }

    #[test]
    fn a_long_cycle_does_not_overflow_the_stack() {
        let n = 300_000u32;
        let mut g = DepGraph::new(n as usize);
        for v in 0..n {
            g.add(v, (v + 1) % n, WW);
        }
        let mut clock = Clock::new(None);
        let left = trim(&g.g, WW, &mut clock).unwrap();
        assert_eq!(left.len(), n as usize);
        let sccs = with_stack(left.len(), || {
            components(&g.g, WW, &left, &mut clock).unwrap()
        });
        assert_eq!(sccs.len(), 1);
        assert_eq!(sccs[0].len(), n as usize);
    }
}
