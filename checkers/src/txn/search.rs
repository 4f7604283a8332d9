//! Naming the cycles of a strongly connected component: for each class of cycle, most
//! severe first, a breadth-first search for a short cycle of that class.
//!
//! A class says which edge kinds a cycle may use, which it must use at least once, and how
//! many anti-dependency (`rw`) edges it has:
//!
//! | class | edges | rw edges |
//! |---|---|---|
//! | `G0` | ww | none |
//! | `G1c` | ww, wr (at least one wr) | none |
//! | `G-single` | ww, wr | exactly one |
//! | `G-nonadjacent` | ww, wr | two or more, no two adjacent (around the cycle) |
//! | `G2-item` | ww, wr | two or more |
//!
//! and for each, a `-process` variant that may also use process edges and uses at least
//! one, and a `-realtime` variant that may use process and real-time edges and uses at
//! least one real-time edge (so `G-single-realtime` is a cycle with one rw edge that
//! closes only through real-time order).
//!
//! The search for a class runs over a product of the component and a small automaton that
//! counts what the class counts. It starts from every transaction with an outgoing edge of
//! the class's rarest kind inside the class's own sub-component (every cycle of the class
//! passes through one), finds the shortest cycle through each, and keeps the shortest of
//! all: a shortest cycle of the class in the component. The work is bounded (`budget`
//! edge visits per class); a search that runs out of work before finding anything says so,
//! and the component is then named by any cycle in it (classified by its own edges), so
//! no component with a cycle goes unreported.

use super::budget::{Clock, TimeUp};
use super::graph::{EdgeKind, KINDS, PROCESS, REALTIME, RW, WR, WW};
use super::txns::TxnId;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// How many rw edges a class of cycle has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rw {
    None,
    One,
    /// Two or more, no two adjacent.
    Nonadjacent,
    /// Two or more.
    Several,
}

/// A class of cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub name: &'static str,
    /// Kinds other than rw the cycle may use.
    pub free: EdgeKind,
    /// Kinds the cycle must use at least once.
    pub need: EdgeKind,
    pub rw: Rw,
}

const fn class(name: &'static str, free: EdgeKind, need: EdgeKind, rw: Rw) -> Class {
    Class {
        name,
        free,
        need,
        rw,
    }
}

const P: EdgeKind = PROCESS;
const T: EdgeKind = PROCESS | REALTIME;

/// Cycles of data edges only, most severe first.
pub const DATA_CLASSES: [Class; 5] = [
    class("G0", WW, 0, Rw::None),
    class("G1c", WW | WR, WR, Rw::None),
    class("G-single", WW | WR, 0, Rw::One),
    class("G-nonadjacent", WW | WR, 0, Rw::Nonadjacent),
    class("G2-item", WW | WR, 0, Rw::Several),
];

/// Cycles that need process or real-time edges, most severe first.
pub const ORDER_CLASSES: [Class; 10] = [
    class("G0-process", WW | P, P, Rw::None),
    class("G1c-process", WW | WR | P, WR | P, Rw::None),
    class("G-single-process", WW | WR | P, P, Rw::One),
    class("G-nonadjacent-process", WW | WR | P, P, Rw::Nonadjacent),
    class("G2-item-process", WW | WR | P, P, Rw::Several),
    class("G0-realtime", WW | T, REALTIME, Rw::None),
    class("G1c-realtime", WW | WR | T, WR | REALTIME, Rw::None),
    class("G-single-realtime", WW | WR | T, REALTIME, Rw::One),
    class(
        "G-nonadjacent-realtime",
        WW | WR | T,
        REALTIME,
        Rw::Nonadjacent,
    ),
    class("G2-item-realtime", WW | WR | T, REALTIME, Rw::Several),
];

impl Class {
    fn allowed(&self) -> EdgeKind {
        self.free | if self.rw == Rw::None { 0 } else { RW }
    }

    /// The kind every cycle of the class uses, rarest first: where searches start.
    fn anchor(&self) -> EdgeKind {
        if self.rw != Rw::None {
            RW
        } else if self.need & REALTIME != 0 {
            REALTIME
        } else if self.need & PROCESS != 0 {
            PROCESS
        } else if self.need & WR != 0 {
            WR
        } else {
            WW
        }
    }
}

/// One step of a cycle: a transaction and the kind of the edge leaving it for the next
/// one (the last step's edge returns to the first transaction).
pub type Step = (TxnId, EdgeKind);

/// The automaton state of a partial cycle, packed: kinds of `need` seen (bits 0-4), rw
/// edges so far capped at 2 (bits 5-6), last edge rw (bit 7), first edge rw (bit 8), at
/// least one edge (bit 9).
type Packed = u16;

const STARTED: Packed = 1 << 9;
const FIRST_RW: Packed = 1 << 8;
const LAST_RW: Packed = 1 << 7;

fn step(c: &Class, s: Packed, kind: EdgeKind) -> Option<Packed> {
    if kind & c.allowed() == 0 {
        return None;
    }
    let mut rw = (s >> 5) & 3;
    let is_rw = kind == RW;
    if is_rw {
        match c.rw {
            Rw::None => return None,
            Rw::One if rw == 1 => return None,
            Rw::Nonadjacent if s & LAST_RW != 0 => return None,
            _ => rw = (rw + 1).min(2),
        }
    }
    let mut n = (s & 0x1f) | (kind & c.need) as Packed | (rw << 5) | STARTED;
    if is_rw {
        n |= LAST_RW;
    }
    n |= if s & STARTED == 0 {
        if is_rw {
            FIRST_RW
        } else {
            0
        }
    } else {
        s & FIRST_RW
    };
    Some(n)
}

fn accepts(c: &Class, s: Packed) -> bool {
    let rw = (s >> 5) & 3;
    s & STARTED != 0
        && (s & 0x1f) as EdgeKind == c.need
        && match c.rw {
            Rw::None => rw == 0,
            Rw::One => rw == 1,
            Rw::Nonadjacent => rw == 2 && !(s & FIRST_RW != 0 && s & LAST_RW != 0),
            Rw::Several => rw == 2,
        }
}

/// Whether a closed walk with these edge kinds is a cycle of class `c`.
pub fn is_of_class(c: &Class, kinds: impl IntoIterator<Item = EdgeKind>) -> bool {
    let mut s: Packed = 0;
    for k in kinds {
        match step(c, s, k) {
            Some(n) => s = n,
            None => return false,
        }
    }
    accepts(c, s)
}

/// A class's automaton with its states numbered densely (state 0 is the start).
struct Automaton {
    /// Per state, per kind (index into `KINDS`): the next state, or `NONE`.
    next: Vec<[u8; 5]>,
    accept: Vec<bool>,
}

const NONE: u8 = u8::MAX;

impl Automaton {
    fn new(c: &Class) -> Automaton {
        let mut states: Vec<Packed> = vec![0];
        let mut index = vec![NONE; 1 << 10];
        index[0] = 0;
        let mut next = Vec::new();
        let mut i = 0;
        while i < states.len() {
            let s = states[i];
            let mut row = [NONE; 5];
            for (j, &k) in KINDS.iter().enumerate() {
                if let Some(n) = step(c, s, k) {
                    if index[n as usize] == NONE {
                        index[n as usize] = states.len() as u8;
                        states.push(n);
                    }
                    row[j] = index[n as usize];
                }
            }
            next.push(row);
            i += 1;
        }
        Automaton {
            accept: states.iter().map(|&s| accepts(c, s)).collect(),
            next,
        }
    }
}

/// A component as a compact adjacency list: local node i is `nodes[i]`; its edges are
/// `adj[start[i]..start[i+1]]`, (local target, kinds), targets ascending.
struct Local {
    nodes: Vec<TxnId>,
    start: Vec<u32>,
    adj: Vec<(u32, EdgeKind)>,
}

impl Local {
    fn new(
        g: &DiGraph<(), EdgeKind, u32>,
        scc: &[TxnId],
        scope: EdgeKind,
        clock: &mut Clock,
    ) -> Result<Local, TimeUp> {
        let mut start = Vec::with_capacity(scc.len() + 1);
        let mut adj: Vec<(u32, EdgeKind)> = Vec::new();
        for &v in scc {
            start.push(adj.len() as u32);
            let from = adj.len();
            for e in g.edges(NodeIndex::new(v as usize)) {
                clock.tick()?;
                let k = e.weight() & scope;
                if k == 0 {
                    continue;
                }
                if let Ok(w) = scc.binary_search(&(e.target().index() as TxnId)) {
                    adj.push((w as u32, k));
                }
            }
            let mine = &mut adj[from..];
            mine.sort_unstable();
            // Merge the kinds of parallel edges.
            let mut out = from;
            for i in from..adj.len() {
                if out > from && adj[out - 1].0 == adj[i].0 {
                    adj[out - 1].1 |= adj[i].1;
                } else {
                    adj[out] = adj[i];
                    out += 1;
                }
            }
            adj.truncate(out);
        }
        start.push(adj.len() as u32);
        Ok(Local {
            nodes: scc.to_vec(),
            start,
            adj,
        })
    }

    fn edges(&self, u: u32) -> &[(u32, EdgeKind)] {
        &self.adj[self.start[u as usize] as usize..self.start[u as usize + 1] as usize]
    }

    fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Sub-component id of each node over edges of kinds in `mask` (u32::MAX: on no
    /// cycle).
    fn sub_components(&self, mask: EdgeKind) -> Vec<u32> {
        let mut g: DiGraph<(), (), u32> = DiGraph::with_capacity(self.len(), self.adj.len());
        for _ in 0..self.len() {
            g.add_node(());
        }
        for u in 0..self.len() as u32 {
            for &(v, k) in self.edges(u) {
                if k & mask != 0 {
                    g.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), ());
                }
            }
        }
        let mut comp = vec![u32::MAX; self.len()];
        for (i, c) in petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .filter(|c| c.len() > 1)
            .enumerate()
        {
            for n in c {
                comp[n.index()] = i as u32;
            }
        }
        comp
    }
}

/// What the search of one class found.
enum Search {
    Found(Vec<Step>),
    None,
    /// Ran out of work before finding any cycle.
    GaveUp,
}

/// Reusable arrays of the breadth-first search over (node, state).
struct Bfs {
    stamp: Vec<u32>,
    parent: Vec<(u32, EdgeKind)>,
    dist: Vec<u32>,
    round: u32,
}

/// Search for the shortest cycle of class `c` in `local`, spending at most `budget` edge
/// visits.
fn search(
    local: &Local,
    c: &Class,
    budget: &mut u64,
    bfs: &mut Bfs,
    clock: &mut Clock,
) -> Result<Search, TimeUp> {
    let auto = Automaton::new(c);
    let ns = auto.next.len();
    let allowed = c.allowed();
    let comp = local.sub_components(allowed);
    let anchor = c.anchor();
    let starts: Vec<u32> = (0..local.len() as u32)
        .filter(|&u| {
            comp[u as usize] != u32::MAX
                && local
                    .edges(u)
                    .iter()
                    .any(|&(v, k)| k & anchor != 0 && comp[v as usize] == comp[u as usize])
        })
        .collect();
    let size = local.len() * ns;
    if bfs.stamp.len() < size {
        bfs.stamp.resize(size, 0);
        bfs.parent.resize(size, (0, 0));
        bfs.dist.resize(size, 0);
    }
    let mut best: Option<Vec<Step>> = None;
    let mut queue: Vec<u32> = Vec::new();
    for &s in &starts {
        if best.as_ref().is_some_and(|b| b.len() <= 2) {
            break;
        }
        if *budget == 0 {
            return Ok(match best {
                Some(b) => Search::Found(b),
                None => Search::GaveUp,
            });
        }
        bfs.round = bfs.round.wrapping_add(1);
        if bfs.round == 0 {
            bfs.stamp.fill(0);
            bfs.round = 1;
        }
        let limit = best.as_ref().map_or(u32::MAX, |b| b.len() as u32);
        let home = comp[s as usize];
        queue.clear();
        let origin = s * ns as u32;
        bfs.stamp[origin as usize] = bfs.round;
        bfs.dist[origin as usize] = 0;
        queue.push(origin);
        let mut head = 0;
        let mut closed: Option<(u32, EdgeKind)> = None;
        'bfs: while head < queue.len() {
            let cur = queue[head];
            head += 1;
            let (u, st) = (cur / ns as u32, (cur % ns as u32) as usize);
            let d = bfs.dist[cur as usize];
            if d + 1 >= limit {
                break;
            }
            for &(v, kinds) in local.edges(u) {
                if kinds & allowed == 0 || comp[v as usize] != home {
                    continue;
                }
                clock.tick()?;
                *budget = budget.saturating_sub(1);
                for (j, &k) in KINDS.iter().enumerate() {
                    if kinds & k == 0 {
                        continue;
                    }
                    let n = auto.next[st][j];
                    if n == NONE {
                        continue;
                    }
                    if v == s {
                        if auto.accept[n as usize] {
                            closed = Some((cur, k));
                            break 'bfs;
                        }
                        continue;
                    }
                    let next = v * ns as u32 + n as u32;
                    if bfs.stamp[next as usize] != bfs.round {
                        bfs.stamp[next as usize] = bfs.round;
                        bfs.parent[next as usize] = (cur, k);
                        bfs.dist[next as usize] = d + 1;
                        queue.push(next);
                    }
                }
            }
        }
        if let Some((last, k)) = closed {
            // Walk back from the last state to the origin.
            let mut steps = vec![(local.nodes[(last / ns as u32) as usize], k)];
            let mut cur = last;
            while cur != origin {
                let (prev, pk) = bfs.parent[cur as usize];
                steps.push((local.nodes[(prev / ns as u32) as usize], pk));
                cur = prev;
            }
            steps.reverse();
            if !matches!(&best, Some(b) if b.len() <= steps.len()) {
                best = Some(steps);
            }
        }
    }
    Ok(match best {
        Some(b) => Search::Found(b),
        None if *budget == 0 => Search::GaveUp,
        None => Search::None,
    })
}

/// Any cycle through the component's first node, over edges of kinds in `scope`, each
/// edge labelled with its least anti-dependent kind.
fn any_cycle(local: &Local, scope: EdgeKind) -> Option<Vec<Step>> {
    let n = local.len();
    let mut parent = vec![u32::MAX; n];
    let mut queue = vec![0u32];
    let mut head = 0;
    let label = |k: EdgeKind| -> EdgeKind {
        [WW, WR, PROCESS, REALTIME, RW]
            .into_iter()
            .find(|&x| k & x != 0)
            .unwrap_or(WW)
    };
    while head < queue.len() {
        let u = queue[head];
        head += 1;
        for &(v, k) in local.edges(u) {
            if k & scope == 0 {
                continue;
            }
            if v == 0 {
                let mut path = vec![(u, label(k & scope))];
                let mut cur = u;
                while cur != 0 {
                    let p = parent[cur as usize];
                    let pk = local
                        .edges(p)
                        .iter()
                        .find(|e| e.0 == cur)
                        .map_or(WW, |e| label(e.1 & scope));
                    path.push((p, pk));
                    cur = p;
                }
                path.reverse();
                return Some(
                    path.into_iter()
                        .map(|(u, k)| (local.nodes[u as usize], k))
                        .collect(),
                );
            }
            if parent[v as usize] == u32::MAX {
                parent[v as usize] = u;
                queue.push(v);
            }
        }
    }
    None
}

/// Cut a closed walk that passes some transaction twice into a simple cycle of the same
/// class, where one of its two halves is one; rotate it to start at its smallest
/// transaction.
fn tidy(c: &Class, mut walk: Vec<Step>) -> Vec<Step> {
    'again: loop {
        for i in 0..walk.len() {
            for j in i + 1..walk.len() {
                if walk[i].0 != walk[j].0 {
                    continue;
                }
                let inner: Vec<Step> = walk[i..j].to_vec();
                let outer: Vec<Step> = walk[j..].iter().chain(&walk[..i]).copied().collect();
                for half in [inner, outer] {
                    if is_of_class(c, half.iter().map(|s| s.1)) {
                        walk = half;
                        continue 'again;
                    }
                }
            }
        }
        break;
    }
    let first = (0..walk.len()).min_by_key(|&i| walk[i].0).unwrap_or(0);
    walk.rotate_left(first);
    walk
}

/// How one component was named.
pub struct Named {
    /// The class (an index into the classes searched) and a cycle of it.
    pub cycle: Option<(usize, Vec<Step>)>,
    /// The most severe class whose search ran out of work before finding anything.
    pub gave_up: Option<usize>,
}

/// Name the component `scc` of `g` (edges of kinds in `scope`) by the most severe of
/// `classes` it has a cycle of, spending at most `budget` edge visits per class.
pub fn name_component(
    g: &DiGraph<(), EdgeKind, u32>,
    scc: &[TxnId],
    scope: EdgeKind,
    classes: &[Class],
    budget: u64,
    clock: &mut Clock,
) -> Result<Named, TimeUp> {
    let local = Local::new(g, scc, scope, clock)?;
    let mut bfs = Bfs {
        stamp: Vec::new(),
        parent: Vec::new(),
        dist: Vec::new(),
        round: 0,
    };
    let mut gave_up = None;
    for (i, c) in classes.iter().enumerate() {
        let mut left = budget;
        match search(&local, c, &mut left, &mut bfs, clock)? {
            Search::Found(walk) => {
                return Ok(Named {
                    cycle: Some((i, tidy(c, walk))),
                    gave_up,
                })
            }
            Search::GaveUp => {
                gave_up.get_or_insert(i);
            }
            Search::None => {}
        }
    }
    // No class found within its budget: name the component by any cycle in it.
    let cycle = any_cycle(&local, scope).and_then(|walk| {
        classes
            .iter()
            .position(|c| is_of_class(c, walk.iter().map(|s| s.1)))
            .map(|i| (i, tidy(&classes[i], walk)))
    });
    Ok(Named { cycle, gave_up })
}

#[cfg(test)]
mod tests {
    use super::super::graph::{DepGraph, DATA};
    use super::*;

    fn named(edges: &[(u32, u32, EdgeKind)], n: usize, scope: EdgeKind) -> (String, Vec<Step>) {
        let mut g = DepGraph::new(n);
        for &(a, b, k) in edges {
            g.add(a, b, k);
        }
        let scc: Vec<TxnId> = (0..n as u32).collect();
        let classes: Vec<Class> = DATA_CLASSES.iter().chain(&ORDER_CLASSES).copied().collect();
        let r = name_component(
            &g.g,
            &scc,
            scope,
            &classes,
            1_000_000,
            &mut Clock::new(None),
        )
        .unwrap();
        let (i, c) = r.cycle.expect("a cycle");
        (classes[i].name.to_string(), c)
    }

    #[test]
    fn classes_accept_what_they_say() {
        let by = |name: &str| {
            *DATA_CLASSES
                .iter()
                .chain(&ORDER_CLASSES)
                .find(|c| c.name == name)
                .unwrap()
        };
        assert!(is_of_class(&by("G0"), [WW, WW]));
        assert!(!is_of_class(&by("G0"), [WW, WR]));
        assert!(is_of_class(&by("G1c"), [WW, WR]));
        assert!(!is_of_class(&by("G1c"), [WW, WW]));
        assert!(is_of_class(&by("G-single"), [WR, RW]));
        assert!(!is_of_class(&by("G-single"), [RW, RW]));
        assert!(is_of_class(&by("G-nonadjacent"), [RW, WR, RW, WR]));
        assert!(
            !is_of_class(&by("G-nonadjacent"), [RW, WR, WR, RW]),
            "wraps around"
        );
        assert!(!is_of_class(&by("G-nonadjacent"), [RW, RW, WR]));
        assert!(is_of_class(&by("G2-item"), [RW, RW]));
        assert!(is_of_class(&by("G-single-realtime"), [RW, REALTIME]));
        assert!(!is_of_class(&by("G-single-realtime"), [RW, WR]));
        assert!(is_of_class(&by("G0-process"), [WW, PROCESS]));
        assert!(!is_of_class(&by("G0-process"), [WW, REALTIME]));
    }

    #[test]
    fn the_most_severe_class_is_named_with_its_shortest_cycle() {
        // A G2-item 2-cycle (0 <-> 1 by rw) and a longer G-single 0 -> 2 -> 3 -> 0.
        let edges = [(0, 1, RW), (1, 0, RW), (0, 2, WR), (2, 3, WW), (3, 0, RW)];
        let (name, c) = named(&edges, 4, DATA);
        assert_eq!(name, "G-single");
        assert_eq!(c, [(0, WR), (2, WW), (3, RW)]);
        // Add a ww 2-cycle between 2 and 3: G0 wins.
        let mut edges = edges.to_vec();
        edges.push((3, 2, WW));
        let (name, c) = named(&edges, 4, DATA);
        assert_eq!((name.as_str(), c), ("G0", vec![(2, WW), (3, WW)]));
    }

    #[test]
    fn nonadjacent_and_order_variants() {
        // 0 -rw-> 1 -wr-> 2 -rw-> 3 -wr-> 0: rw edges never adjacent.
        let edges = [(0, 1, RW), (1, 2, WR), (2, 3, RW), (3, 0, WR)];
        let (name, c) = named(&edges, 4, DATA);
        assert_eq!(name, "G-nonadjacent");
        assert_eq!(c, [(0, RW), (1, WR), (2, RW), (3, WR)]);
        // A stale read closed by real time: 0 -rw-> 1 -realtime-> 0.
        let (name, c) = named(&[(0, 1, RW), (1, 0, REALTIME)], 2, super::super::graph::ALL);
        assert_eq!(
            (name.as_str(), c),
            ("G-single-realtime", vec![(0, RW), (1, REALTIME)])
        );
        // Process order is named before real time when it suffices.
        let (name, _) = named(
            &[(0, 1, WW), (1, 0, PROCESS), (1, 0, REALTIME)],
            2,
            super::super::graph::ALL,
        );
        assert_eq!(name, "G0-process");
    }

    #[test]
    fn a_search_out_of_work_falls_back_to_any_cycle() {
        let mut g = DepGraph::new(3);
        g.add(0, 1, RW);
        g.add(1, 2, RW);
        g.add(2, 0, WR);
        let r = name_component(
            &g.g,
            &[0, 1, 2],
            DATA,
            &DATA_CLASSES,
            0,
            &mut Clock::new(None),
        )
        .unwrap();
        assert_eq!(r.gave_up, Some(0));
        let (i, c) = r.cycle.unwrap();
        assert_eq!(DATA_CLASSES[i].name, "G2-item");
        assert_eq!(c, [(0, RW), (1, RW), (2, WR)]);
    }

    #[test]
    fn tidy_cuts_walks_into_simple_cycles() {
        // 0 -ww-> 1 -ww-> 0 -wr-> 2 -wr-> 0 as a G1c walk: the wr half is a G1c cycle.
        let walk = vec![(0, WW), (1, WW), (0, WR), (2, WR)];
        assert_eq!(tidy(&DATA_CLASSES[1], walk), [(0, WR), (2, WR)]);
        assert_eq!(
            tidy(&DATA_CLASSES[0], vec![(3, WW), (1, WW)]),
            [(1, WW), (3, WW)]
        );
    }
}
