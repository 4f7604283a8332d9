//! Partition shapes: who stops hearing whom.
//!
//! A grudge maps each node to the nodes whose packets it drops. Every shape here is
//! symmetric (if a drops b, b drops a) and leaves every node able to hear itself.

use history::rng::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Node -> the nodes it drops packets from.
pub type Grudge = BTreeMap<String, Vec<String>>;

/// How to cut the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// A random majority and minority; the leader, when the system names it, is in the
    /// minority (a deposed leader that still believes it leads is what finds stale reads).
    Majority,
    /// The first half of the nodes (by name) and the second; the leader, when the system
    /// names it, takes the place of the last of the first half (the smaller one).
    Halves,
    /// One random node alone.
    IsolateOne,
    /// Two halves joined by one node that hears both; the leader, when the system names
    /// it, is on one side (never the bridge), so the other side elects a second leader
    /// while the first keeps a majority through the bridge.
    Bridge,
    /// Nodes in a random ring, each hearing a majority of its neighbours: every node sees a
    /// majority, but no two nodes see the same one.
    MajoritiesRing,
    /// The node the system says leads, alone (a random one when it cannot say).
    IsolateLeader,
}

impl Shape {
    /// Whether it places the leader, when the system names one.
    pub fn uses_leader(self) -> bool {
        matches!(
            self,
            Shape::Majority | Shape::Halves | Shape::Bridge | Shape::IsolateLeader
        )
    }

    /// Whether its sides overlap: nodes that hear both sides (a bridge, the ring's
    /// neighbours) let two nodes each reach a majority, not the same one, where two
    /// leaders can both be followed. The other shapes cut the cluster into sides that
    /// share no node.
    pub fn overlapping(self) -> bool {
        matches!(self, Shape::Bridge | Shape::MajoritiesRing)
    }

    pub const ALL: [Shape; 6] = [
        Shape::Majority,
        Shape::Halves,
        Shape::IsolateOne,
        Shape::Bridge,
        Shape::MajoritiesRing,
        Shape::IsolateLeader,
    ];
    pub const NAMES: [&'static str; 6] = [
        "majority",
        "halves",
        "isolate-one",
        "bridge",
        "majorities-ring",
        "isolate-leader",
    ];

    pub fn parse(s: &str) -> Option<Shape> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The shape of a run's next partition among `shapes`, `last` the kind of the one before
/// (overlapping or not, see [`Shape::overlapping`]). Where `shapes` holds both kinds they
/// take turns, the first by the seed, so a run of two partitions or more meets both: a
/// clean cut (a deposed leader cut off with the minority) and overlapping sides (two
/// leaders at once). Drawn uniformly, a 60 s run's three partitions missed the
/// overlapping shapes in about one run in three. Within a kind, every shape alike.
pub fn draw(shapes: &[Shape], last: Option<bool>, rng: &mut Rng) -> Shape {
    let kinds = |o: bool| -> Vec<Shape> {
        shapes
            .iter()
            .copied()
            .filter(|s| s.overlapping() == o)
            .collect()
    };
    let (over, clean) = (kinds(true), kinds(false));
    let pool = if over.is_empty() || clean.is_empty() {
        shapes.to_vec()
    } else {
        let want = match last {
            Some(o) => !o,
            None => rng.below(2) == 0,
        };
        if want {
            over
        } else {
            clean
        }
    };
    pool[rng.below(pool.len() as u64) as usize]
}

fn shuffled(nodes: &[String], rng: &mut Rng) -> Vec<String> {
    let mut v = nodes.to_vec();
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

/// `v` with the leader (when named and among them) moved to the front.
fn leader_first(mut v: Vec<String>, leader: Option<&str>) -> Vec<String> {
    if let Some(i) = leader.and_then(|l| v.iter().position(|x| x == l)) {
        v.swap(0, i);
    }
    v
}

/// Components that cannot hear each other.
fn split(components: &[&[String]]) -> Grudge {
    let mut g = Grudge::new();
    for (i, c) in components.iter().enumerate() {
        let others: Vec<String> = components
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .flat_map(|(_, o)| o.iter().cloned())
            .collect();
        for n in c.iter() {
            let mut o = others.clone();
            o.sort();
            g.insert(n.clone(), o);
        }
    }
    g
}

/// The grudge of a shape over `nodes` (by name, sorted), with the leader if known.
pub fn grudge(shape: Shape, nodes: &[String], rng: &mut Rng, leader: Option<&str>) -> Grudge {
    let n = nodes.len();
    let mut sorted = nodes.to_vec();
    sorted.sort();
    match shape {
        Shape::Majority => {
            let v = leader_first(shuffled(&sorted, rng), leader);
            let (minority, majority) = v.split_at(n / 2);
            split(&[minority, majority])
        }
        Shape::Halves => {
            let mut v = sorted.clone();
            // The leader's half is the smaller one: swap it with the last of the first.
            let at = leader.and_then(|l| v.iter().position(|x| x == l));
            if let Some(i) = at.filter(|i| n >= 2 && *i >= n / 2) {
                v.swap(i, n / 2 - 1);
            }
            let (a, b) = v.split_at(n / 2);
            split(&[a, b])
        }
        Shape::IsolateOne | Shape::IsolateLeader => {
            let alone = match (shape, leader) {
                (Shape::IsolateLeader, Some(l)) if sorted.iter().any(|x| x == l) => l.to_string(),
                _ => sorted[rng.below(n as u64) as usize].clone(),
            };
            let rest: Vec<String> = sorted.iter().filter(|x| **x != alone).cloned().collect();
            split(&[std::slice::from_ref(&alone), &rest])
        }
        Shape::Bridge => {
            let v = leader_first(shuffled(&sorted, rng), leader);
            let (a, rest) = v.split_at(n / 2);
            let (bridge, b) = rest
                .split_first()
                .map_or((None, &[][..]), |(x, b)| (Some(x), b));
            let mut g = split(&[a, b]);
            if let Some(x) = bridge {
                g.insert(x.clone(), Vec::new());
            }
            g
        }
        Shape::MajoritiesRing if n == 3 => {
            // Three nodes on a ring are all neighbours: cut one pair, so the two ends each
            // see a different majority through the middle one.
            let v = shuffled(&sorted, rng);
            let mut g = split(&[&v[..1], &v[2..]]);
            g.insert(v[1].clone(), Vec::new());
            g
        }
        Shape::MajoritiesRing => {
            let ring = shuffled(&sorted, rng);
            // Each node hears those within `reach` places on the ring.
            let reach = (n.saturating_sub(1) / 2).div_ceil(2).max(1);
            let mut g = Grudge::new();
            for (i, node) in ring.iter().enumerate() {
                let mut drops: Vec<String> = ring
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| {
                        let d = i.abs_diff(*j);
                        d.min(n - d) > reach
                    })
                    .map(|(_, x)| x.clone())
                    .collect();
                drops.sort();
                g.insert(node.clone(), drops);
            }
            g
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    fn hears(g: &Grudge, a: &str, b: &str) -> bool {
        !g.get(a).is_some_and(|d| d.iter().any(|x| x == b))
    }

    /// Every node's view: itself and those it hears.
    fn view(g: &Grudge, nodes: &[String], a: &str) -> Vec<String> {
        nodes.iter().filter(|b| hears(g, a, b)).cloned().collect()
    }

    #[test]
    fn every_shape_is_symmetric_and_never_drops_a_node_itself() {
        let mut rng = Rng::new(7);
        for n in [3, 4, 5, 7, 9] {
            let ns = nodes(n);
            for shape in Shape::ALL {
                let g = grudge(shape, &ns, &mut rng, Some("n2"));
                for a in &ns {
                    assert!(hears(&g, a, a), "{shape:?} n={n}");
                    for b in &ns {
                        assert_eq!(hears(&g, a, b), hears(&g, b, a), "{shape:?} n={n} {a} {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn overlapping_and_clean_shapes_take_turns_when_both_are_drawn_from() {
        let mut firsts = [0; 2];
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let mut last = None;
            let mut drawn = Vec::new();
            for _ in 0..6 {
                let s = draw(&Shape::ALL, last, &mut rng);
                last = Some(s.overlapping());
                drawn.push(s);
            }
            firsts[usize::from(drawn[0].overlapping())] += 1;
            for w in drawn.windows(2) {
                assert_ne!(
                    w[0].overlapping(),
                    w[1].overlapping(),
                    "seed {seed}: {drawn:?}"
                );
            }
        }
        assert!(
            firsts[0] > 0 && firsts[1] > 0,
            "the first kind by seed: {firsts:?}"
        );
        // One kind alone: drawn from as it is, every shape in turn.
        let clean = [Shape::Majority, Shape::IsolateLeader];
        let mut rng = Rng::new(1);
        let mut seen = std::collections::BTreeSet::new();
        let mut last = None;
        for _ in 0..40 {
            let s = draw(&clean, last, &mut rng);
            assert!(clean.contains(&s));
            last = Some(s.overlapping());
            seen.insert(s.as_str());
        }
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn shapes_cut_where_they_say() {
        let ns = nodes(5);
        let mut rng = Rng::new(3);
        let g = grudge(Shape::Majority, &ns, &mut rng, None);
        let mut sizes: Vec<usize> = ns.iter().map(|a| view(&g, &ns, a).len()).collect();
        sizes.sort();
        assert_eq!(sizes, vec![2, 2, 3, 3, 3]);
        let g = grudge(Shape::Halves, &ns, &mut rng, None);
        assert_eq!(view(&g, &ns, "n1"), vec!["n1", "n2"]);
        // A named leader is on the smaller side.
        let g = grudge(Shape::Halves, &ns, &mut rng, Some("n4"));
        assert_eq!(view(&g, &ns, "n4"), vec!["n1", "n4"]);
        for seed in 0..20 {
            let g = grudge(Shape::Majority, &ns, &mut Rng::new(seed), Some("n5"));
            assert_eq!(view(&g, &ns, "n5").len(), 2, "seed {seed}");
        }
        let g = grudge(Shape::IsolateLeader, &ns, &mut rng, Some("n4"));
        assert_eq!(view(&g, &ns, "n4"), vec!["n4"]);
        let g = grudge(Shape::Bridge, &ns, &mut rng, None);
        let full: Vec<_> = ns.iter().filter(|a| view(&g, &ns, a).len() == 5).collect();
        assert_eq!(full.len(), 1, "one bridge node hears everyone");
        assert!(ns.iter().all(|a| view(&g, &ns, a).len() >= 3));
        // A named leader is never the bridge: it is on a side, with a majority through
        // the bridge, and the other side too.
        for seed in 0..20 {
            let g = grudge(Shape::Bridge, &ns, &mut Rng::new(seed), Some("n3"));
            assert_eq!(view(&g, &ns, "n3").len(), 3, "seed {seed}");
            let cut_off = ns.iter().filter(|a| !hears(&g, a, "n3")).count();
            assert_eq!(cut_off, 2, "seed {seed}");
        }
    }

    #[test]
    fn majorities_ring_gives_everyone_a_different_majority() {
        for n in [3, 4, 5, 7] {
            let ns = nodes(n);
            let g = grudge(Shape::MajoritiesRing, &ns, &mut Rng::new(11), None);
            let views: Vec<Vec<String>> = ns.iter().map(|a| view(&g, &ns, a)).collect();
            assert!(views.iter().all(|v| v.len() > n / 2), "{views:?}");
            let mut distinct = views.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), n, "{views:?}");
        }
    }
}
