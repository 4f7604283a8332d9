//! A fault window named for people: `kind detail: nodes`, the detail a partition's shape
//! or a Byzantine mode, the nodes those it touched, a partition's sides (`n1 n2 | n3`) or a
//! clock fault's offsets.

use super::Window;
use serde_json::{Map, Value};

impl Window {
    /// `kind detail: nodes`, for labels.
    pub fn label(&self) -> String {
        let mut s = self.kind.clone();
        let detail = self.detail();
        if !detail.is_empty() {
            s.push(' ');
            s.push_str(&detail);
        }
        let nodes = self.nodes();
        if !nodes.is_empty() {
            s.push_str(": ");
            s.push_str(&nodes);
        }
        s
    }

    /// A partition's shape, a Byzantine mode; empty for other faults.
    pub fn detail(&self) -> String {
        ["shape", "mode"]
            .iter()
            .find_map(|k| self.fault.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_string()
    }

    /// The nodes the fault touched, a partition's sides or a clock fault's offsets; empty
    /// when the fault names none.
    pub fn nodes(&self) -> String {
        let f = &self.fault;
        if let Some(g) = f.get("grudge").and_then(Value::as_object) {
            sides(g)
        } else if let Some(n) = f.get("nodes").and_then(Value::as_array) {
            n.iter().map(text).collect::<Vec<_>>().join(" ")
        } else if let Some(o) = f.get("offsets_ms").and_then(Value::as_object) {
            o.iter()
                .map(|(n, ms)| format!("{n} {ms} ms"))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            String::new()
        }
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// A partition's sides: nodes with the same grudge stand together (`n1 n2 | n3 n4 n5`).
/// Shapes where no two nodes share a grudge (a ring) are left to the shape's name.
fn sides(grudge: &Map<String, Value>) -> String {
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

    fn window(kind: &str, fault: Value) -> Window {
        Window {
            kind: kind.into(),
            fault,
            start_ns: 0,
            heal_ns: None,
            end_ns: 0,
            failure: None,
        }
    }

    #[test]
    fn labels_name_the_shape_mode_nodes_sides_and_offsets() {
        let halves = json!({"fault": "partition", "shape": "halves",
            "grudge": {"n1": ["n3"], "n2": ["n3"], "n3": ["n1", "n2"]}});
        assert_eq!(
            window("partition", halves).label(),
            "partition halves: n1 n2 | n3"
        );
        let ring = json!({"shape": "ring",
            "grudge": {"n1": ["n3"], "n2": ["n1"], "n3": ["n2"]}});
        assert_eq!(window("partition", ring).label(), "partition ring");
        let forge = json!({"mode": "forge", "nodes": ["n1", "n2"]});
        assert_eq!(window("byzantine", forge).label(), "byzantine forge: n1 n2");
        let clock = json!({"offsets_ms": {"n1": -300, "n2": 50}});
        assert_eq!(
            window("clock", clock).label(),
            "clock: n1 -300 ms, n2 50 ms"
        );
        assert_eq!(window("loss", Value::Null).label(), "loss");
    }
}
