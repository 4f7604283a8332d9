//! Node names (`n1`, `n2`, ..., `n10`), ordered by their number, so `n2` comes before `n10`
//! and the rank of a name is its component in an interactive-consistency vector.

use std::cmp::Ordering;
use std::fmt;

/// A node's name, ordered by the number it ends with (names without one come last, by text).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Node(pub String);

impl Node {
    pub fn new(name: &str) -> Node {
        Node(name.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number the name ends with, if any.
    fn number(&self) -> Option<u64> {
        let digits = self.0.len() - self.0.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        self.0[self.0.len() - digits..].parse().ok()
    }
}

impl Ord for Node {
    fn cmp(&self, other: &Node) -> Ordering {
        match (self.number(), other.number()) {
            (Some(a), Some(b)) => a.cmp(&b).then_with(|| self.0.cmp(&other.0)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Node) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names joined for a sentence: `n1, n2 and n4`.
pub fn list<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> String {
    let names: Vec<&str> = nodes.into_iter().map(Node::as_str).collect();
    match names.len() {
        0 => "no node".to_string(),
        1 => names[0].to_string(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// Names as a JSON array, for an anomaly's data.
pub fn json<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> serde_json::Value {
    nodes.into_iter().map(|n| n.0.clone()).collect()
}

/// Something for each node, as a JSON object keyed by name, for an anomaly's data.
pub fn json_by_name<'a, T: serde::Serialize>(
    entries: impl IntoIterator<Item = (&'a Node, T)>,
) -> serde_json::Value {
    entries
        .into_iter()
        .map(|(n, v)| (n.0.clone(), serde_json::json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_number_not_text() {
        let mut v: Vec<Node> = ["n10", "n2", "x", "n1"]
            .iter()
            .map(|s| Node::new(s))
            .collect();
        v.sort();
        let names: Vec<&str> = v.iter().map(Node::as_str).collect();
        assert_eq!(names, ["n1", "n2", "n10", "x"]);
        assert_eq!(list(&v[..3]), "n1, n2 and n10");
    }
}
