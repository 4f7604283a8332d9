//! Fault windows from the nemesis's records. The nemesis writes each fault as a pair of
//! records (`start-X` with the fault, then `start-X` with `applied` or `error`) and each
//! heal as another (`stop-X` with null, then `stop-X` with `healed` or `error`). A window
//! runs from the first record of its start to the last of its heal: an op invoked inside
//! it ran under the fault. A standing fault (`byzantine`) started again changes mode: its
//! window ends and a new one begins. A window never healed ends with the history.

use crate::run::FaultRecord as Stored;
use history::fault::{FaultRecord, Phase, Stage};
use serde_json::Value;

/// One fault, in effect from `start_ns` to `end_ns`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// partition, kill, pause, loss, byzantine, clock, ...
    pub kind: String,
    /// The nodes it touched, or a summary (a partition's sides).
    pub nodes: String,
    /// Details: a partition's shape, a Byzantine mode.
    pub detail: String,
    pub start_ns: u64,
    pub end_ns: u64,
    /// When the heal began (None: never healed).
    pub heal_ns: Option<u64>,
    /// Why applying or healing failed, if it did.
    pub error: Option<String>,
}

impl Window {
    /// `kind detail: nodes`, for labels.
    pub fn label(&self) -> String {
        let mut s = self.kind.clone();
        if !self.detail.is_empty() {
            s.push(' ');
            s.push_str(&self.detail);
        }
        if !self.nodes.is_empty() {
            s.push_str(": ");
            s.push_str(&self.nodes);
        }
        s
    }

    pub fn contains(&self, t_ns: u64) -> bool {
        t_ns >= self.start_ns && t_ns < self.end_ns
    }
}

/// The windows of these records, in order of start; `end_ns` closes the ones never healed.
pub fn windows(records: &[Stored], end_ns: u64) -> Vec<Window> {
    let mut done: Vec<Window> = Vec::new();
    let mut open: Vec<Window> = Vec::new();
    for r in records {
        let t = (r.time_s * 1e9).round().max(0.0) as u64;
        let Some(rec) = FaultRecord::read(&r.f, &r.value) else {
            continue;
        };
        let kind = rec.kind;
        match (rec.phase, rec.stage) {
            (Phase::Start, Stage::Begin) => {
                if kind == "byzantine" {
                    if let Some(i) = open.iter().position(|w| w.kind == kind) {
                        let mut w = open.remove(i);
                        w.end_ns = t;
                        done.push(w);
                    }
                }
                open.push(new_window(kind, &r.value, t));
            }
            (Phase::Start, Stage::Failed(e)) => {
                if let Some(w) = open.iter_mut().rev().find(|w| w.kind == kind) {
                    w.error = Some(format!("not applied: {e}"));
                }
            }
            (Phase::Start, Stage::Done) => {}
            (Phase::Stop, stage) => {
                let Some(i) = open.iter().position(|w| w.kind == kind) else {
                    continue;
                };
                if stage == Stage::Begin {
                    open[i].heal_ns.get_or_insert(t);
                } else {
                    let mut w = open.remove(i);
                    w.heal_ns.get_or_insert(t);
                    w.end_ns = t;
                    if let Stage::Failed(e) = stage {
                        w.error = Some(format!("heal failed: {e}"));
                    }
                    done.push(w);
                }
            }
        }
    }
    for mut w in open {
        w.end_ns = end_ns.max(w.start_ns);
        done.push(w);
    }
    done.sort_by_key(|w| w.start_ns);
    done
}

/// The time under some fault, as disjoint intervals in order: an op invoked inside one
/// ran under faults.
#[derive(Debug, Clone, Default)]
pub struct Covered(Vec<(u64, u64)>);

impl Covered {
    pub fn of(windows: &[Window]) -> Covered {
        let mut v: Vec<(u64, u64)> = windows.iter().map(|w| (w.start_ns, w.end_ns)).collect();
        v.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        Covered(out)
    }

    pub fn contains(&self, t_ns: u64) -> bool {
        let i = self.0.partition_point(|&(a, _)| a <= t_ns);
        i > 0 && t_ns < self.0[i - 1].1
    }
}

fn new_window(kind: &str, fault: &Value, t: u64) -> Window {
    let detail = ["shape", "mode"]
        .iter()
        .find_map(|k| fault.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    let nodes = if let Some(g) = fault.get("grudge").and_then(Value::as_object) {
        sides(g)
    } else if let Some(n) = fault.get("nodes").and_then(Value::as_array) {
        names(n)
    } else if let Some(o) = fault.get("offsets_ms").and_then(Value::as_object) {
        o.iter()
            .map(|(n, ms)| format!("{n} {ms} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        String::new()
    };
    Window {
        kind: kind.to_string(),
        nodes,
        detail,
        start_ns: t,
        end_ns: t,
        heal_ns: None,
        error: None,
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn names(list: &[Value]) -> String {
    list.iter().map(text).collect::<Vec<_>>().join(" ")
}

/// A partition's sides: nodes with the same grudge stand together (`n1 n2 | n3 n4 n5`).
/// Shapes where no two nodes share a grudge (a ring) are left to the shape's name.
fn sides(grudge: &serde_json::Map<String, Value>) -> String {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for (node, cut) in grudge {
        let key = cut.to_string();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(node),
            None => groups.push((key, vec![node])),
        }
    }
    if groups.len() > 3 || groups.len() == grudge.len() && grudge.len() > 2 {
        return String::new();
    }
    groups
        .iter()
        .map(|(_, g)| g.join(" "))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(t: f64, f: &str, value: Value) -> Stored {
        Stored {
            time_s: t,
            f: f.into(),
            value,
        }
    }

    #[test]
    fn pairs_become_windows() {
        let kill = json!({"fault": "kill", "nodes": ["n1"]});
        let part = json!({"fault": "partition", "shape": "halves",
            "grudge": {"n1": ["n3"], "n2": ["n3"], "n3": ["n1", "n2"]}});
        let records = vec![
            rec(1.0, "start-kill", kill.clone()),
            rec(1.1, "start-kill", json!({"applied": kill, "apply_ms": 1})),
            rec(2.0, "stop-kill", Value::Null),
            rec(2.2, "stop-kill", json!({"healed": kill})),
            rec(3.0, "start-partition", part.clone()),
            rec(3.1, "start-partition", json!({"applied": part})),
            rec(0.0, "traitors", json!({"nodes": ["n2"], "how": "lamport"})),
        ];
        let w = windows(&records, 5_000_000_000);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].label(), "kill: n1");
        assert_eq!(
            (w[0].start_ns, w[0].heal_ns, w[0].end_ns),
            (1_000_000_000, Some(2_000_000_000), 2_200_000_000)
        );
        assert!(w[0].contains(2_100_000_000) && !w[0].contains(2_200_000_000));
        assert_eq!(w[1].label(), "partition halves: n1 n2 | n3");
        assert_eq!((w[1].heal_ns, w[1].end_ns), (None, 5_000_000_000));
    }

    #[test]
    fn covered_time_merges_overlaps() {
        let w = |a: u64, b: u64| Window {
            kind: "kill".into(),
            nodes: String::new(),
            detail: String::new(),
            start_ns: a,
            end_ns: b,
            heal_ns: None,
            error: None,
        };
        let c = Covered::of(&[w(10, 20), w(15, 30), w(40, 50)]);
        assert!(!c.contains(9) && c.contains(10) && c.contains(25));
        assert!(!c.contains(30) && !c.contains(35) && c.contains(49) && !c.contains(50));
    }

    #[test]
    fn a_new_byzantine_mode_ends_the_old_window() {
        let a = json!({"fault": "byzantine", "mode": "forge", "nodes": ["n1"]});
        let b = json!({"fault": "byzantine", "mode": "omit", "nodes": ["n1"]});
        let records = vec![
            rec(1.0, "start-byzantine", a),
            rec(2.0, "start-byzantine", b.clone()),
            rec(3.0, "stop-byzantine", Value::Null),
            rec(3.5, "stop-byzantine", json!({"healed": b})),
        ];
        let w = windows(&records, 9_000_000_000);
        assert_eq!(w.len(), 2);
        assert_eq!(
            (w[0].detail.as_str(), w[0].end_ns),
            ("forge", 2_000_000_000)
        );
        assert_eq!((w[1].detail.as_str(), w[1].end_ns), ("omit", 3_500_000_000));
    }
}
