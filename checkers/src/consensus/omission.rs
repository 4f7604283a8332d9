//! Omission faults of the synchronous problems. The Byzantine generals and interactive
//! consistency are problems of a synchronous system: every message between correct nodes
//! arrives within a known bound, and a message that does not counts as the sender's (or
//! the receiver's) fault. A node the nemesis killed, paused, cut off by a partition, made
//! lose or delay packets, or whose clock it moved, while an instance ran, could not keep
//! that bound: for that instance it is faulty by omission, as the problem's model counts
//! it, and is judged no more than a traitor. When the traitors and the nodes out of touch
//! together number more than (n - 1) / 3 the problem promises nothing (n > 3m), and the
//! instance is not judged: going beyond the bound is not a bug found. Crash-tolerant
//! consensus (asynchronous, crash-recovery) does not use this: there a crashed node is
//! correct and must still agree.
//!
//! When: an instance runs from its first proposal until [`SETTLE_NS`] after its last (its
//! rounds, with resends); a fault runs from its first record until [`RECOVER_NS`] after its
//! heal completed (a TCP connection stalled by a partition resumes seconds after the heal,
//! when its retransmission timer next fires). A partition's nodes out of touch are the
//! fewest whose being faulty explains every cut link (a smallest vertex cover of the cuts:
//! the minority of a split, the isolated node). A node the `byzantine` nemesis made lie is
//! faulty, as a traitor is, in the instances that ran while it lied (and its recovery);
//! the protocol-aware `traitors` are traitors all run.

use super::node::Node;
use history::fault::{self, Window};
use history::{History, Value};
use std::collections::BTreeSet;

/// How long after its last proposal an instance may still be deciding (ns).
pub const SETTLE_NS: u64 = 2_000_000_000;
/// How long after its heal a fault may still delay messages (ns).
pub const RECOVER_NS: u64 = 3_000_000_000;
/// Partitions over more nodes than this are covered by every node they cut (the exact
/// cover is searched over subsets).
const EXACT_COVER_MAX: usize = 16;

/// When some nodes were faulty: from ns, until ns (with the recovery), which nodes.
type Span = (u64, u64, BTreeSet<Node>);

/// The faults of a history that break synchrony, with the nodes each put out of touch,
/// and when the `byzantine` nemesis made nodes lie.
#[derive(Debug, Clone, Default)]
pub struct Omissions {
    out_of_touch: Vec<Span>,
    lying: Vec<Span>,
}

impl Omissions {
    /// Read from the nemesis's records (a fault that failed to apply touched nobody).
    pub fn read(history: &History) -> Omissions {
        let mut o = Omissions::default();
        let windows = fault::of_history(history.ops());
        let applied = windows
            .iter()
            .filter(|w| !matches!(w.failure, Some(fault::Failure::NotApplied(_))));
        for w in applied {
            let (list, nodes) = match w.kind.as_str() {
                "byzantine" => (&mut o.lying, names(w.fault.get("nodes"))),
                _ => (&mut o.out_of_touch, out_of_touch(w)),
            };
            if !nodes.is_empty() {
                list.push((w.start_ns, w.end_ns + RECOVER_NS, nodes));
            }
        }
        o
    }

    /// The nodes out of touch at some time in `[from_ns, to_ns]`.
    pub fn during(&self, from_ns: u64, to_ns: u64) -> BTreeSet<Node> {
        overlapping(&self.out_of_touch, from_ns, to_ns)
    }

    /// The nodes the `byzantine` nemesis made lie at some time in `[from_ns, to_ns]`.
    pub fn lying(&self, from_ns: u64, to_ns: u64) -> BTreeSet<Node> {
        overlapping(&self.lying, from_ns, to_ns)
    }
}

fn overlapping(spans: &[Span], from_ns: u64, to_ns: u64) -> BTreeSet<Node> {
    spans
        .iter()
        .filter(|(s, e, _)| *s <= to_ns && from_ns < *e)
        .flat_map(|(_, _, nodes)| nodes.iter().cloned())
        .collect()
}

/// The node names of a JSON list.
fn names(v: Option<&Value>) -> BTreeSet<Node> {
    let list = v.and_then(Value::as_array).into_iter().flatten();
    list.filter_map(Value::as_str).map(Node::new).collect()
}

/// How many faulty nodes a synchronous problem tolerates among `n`: m with n > 3m.
pub fn tolerated(n: usize) -> usize {
    n.saturating_sub(1) / 3
}

/// The nodes one fault window puts out of touch.
fn out_of_touch(w: &Window) -> BTreeSet<Node> {
    match w.kind.as_str() {
        "partition" => cover(&w.fault["grudge"]),
        "clock" => match w.fault.get("offsets_ms").and_then(Value::as_object) {
            Some(offsets) => offsets.keys().map(|n| Node::new(n)).collect(),
            None => names(w.fault.get("nodes")),
        },
        _ => names(w.fault.get("nodes")),
    }
}

/// The fewest nodes touching every cut link of a grudge (`{"n1": ["n2"], ...}`: n1 drops
/// what n2 sends); the first such set in node order when several are as small.
fn cover(grudge: &Value) -> BTreeSet<Node> {
    let Some(map) = grudge.as_object() else {
        return BTreeSet::new();
    };
    let mut nodes: BTreeSet<&str> = map.keys().map(String::as_str).collect();
    let mut cuts = Vec::new();
    for (a, from) in map {
        for b in from
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            nodes.insert(b);
            cuts.push((a.as_str(), b));
        }
    }
    let nodes: Vec<&str> = nodes.into_iter().collect();
    let touched = |set: &[&str]| cuts.iter().all(|(a, b)| set.contains(a) || set.contains(b));
    if nodes.len() <= EXACT_COVER_MAX {
        let mut masks: Vec<u32> = (0..1u32 << nodes.len()).collect();
        masks.sort_by_key(|m| m.count_ones());
        for mask in masks {
            let set: Vec<&str> = (0..nodes.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| nodes[i])
                .collect();
            if touched(&set) {
                return set.into_iter().map(Node::new).collect();
            }
        }
    }
    let cut = cuts.iter().flat_map(|(a, b)| [*a, *b]);
    cut.map(Node::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op, OpType, Process};
    use serde_json::json;

    fn set(names: &[&str]) -> BTreeSet<Node> {
        names.iter().map(|n| Node::new(n)).collect()
    }

    #[test]
    fn a_partition_puts_its_smallest_cover_out_of_touch() {
        let isolate = json!({"n1": ["n2", "n3", "n4"], "n2": ["n1"], "n3": ["n1"], "n4": ["n1"]});
        assert_eq!(cover(&isolate), set(&["n1"]));
        let split = json!({"n1": ["n3", "n4", "n5"], "n2": ["n3", "n4", "n5"],
            "n3": ["n1", "n2"], "n4": ["n1", "n2"], "n5": ["n1", "n2"]});
        assert_eq!(cover(&split), set(&["n1", "n2"]));
        // A bridge: n1 talks to all, {n2, n5} and {n3, n4} are cut apart.
        let bridge = json!({"n1": [], "n2": ["n3", "n4"], "n3": ["n2", "n5"],
            "n4": ["n2", "n5"], "n5": ["n3", "n4"]});
        assert_eq!(cover(&bridge).len(), 2);
        assert!(cover(&json!({"n1": [], "n2": []})).is_empty());
        assert!(cover(&json!("odd")).is_empty());
    }

    #[test]
    fn faults_count_from_their_start_until_after_their_heal() {
        let nem = |t: u64, f: &str, v: Value| {
            let mut op = Op::client(0, OpType::Info, f, v).with_time_ns(t);
            op.process = Process::Nemesis;
            op
        };
        let s = 1_000_000_000;
        let kill = json!({"fault": "kill", "nodes": ["n3"]});
        let lie = json!({"fault": "byzantine", "nodes": ["n2"], "mode": "forge"});
        let clock = json!({"fault": "clock", "offsets_ms": {"n4": 300}});
        let ops = vec![
            nem(10 * s, "start-kill", kill.clone()),
            nem(10 * s + 1, "start-kill", json!({"applied": kill.clone()})),
            nem(14 * s, "stop-kill", Value::Null),
            nem(14 * s + 1, "stop-kill", json!({"healed": kill})),
            nem(20 * s, "start-byzantine", lie),
            nem(30 * s, "start-clock", clock.clone()),
            nem(30 * s + 1, "start-clock", json!({"error": "no runtime"})),
            Op::client(1, OpType::Invoke, "order", json!(null)).with_time_ns(60 * s),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let o = Omissions::read(&h);
        assert_eq!(o.during(5 * s, 9 * s), set(&[]));
        assert_eq!(o.during(5 * s, 10 * s), set(&["n3"]));
        assert_eq!(
            o.during(16 * s, 16 * s),
            set(&["n3"]),
            "within its recovery"
        );
        assert_eq!(
            o.during(17 * s + 2, 40 * s),
            set(&[]),
            "a lie, a clock not applied"
        );
        assert_eq!(o.lying(5 * s, 19 * s), set(&[]));
        assert_eq!(
            o.lying(50 * s, 50 * s),
            set(&["n2"]),
            "never healed: to the end"
        );
        assert_eq!((tolerated(3), tolerated(4), tolerated(7)), (0, 1, 2));
    }
}
