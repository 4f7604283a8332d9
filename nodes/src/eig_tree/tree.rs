//! The information-gathering tree of one commander: the value a node received for each
//! path, which paths it may accept, and the bottom-up majority that resolves it.

use serde_json::Value;
use std::collections::BTreeMap;

/// The commander, then each node that relayed the value, in order.
pub type Path = Vec<String>;

/// A path from its JSON form (an array of node names).
pub fn path_of(v: &Value) -> Option<Path> {
    v.as_array()?
        .iter()
        .map(|p| p.as_str().map(String::from))
        .collect()
}

/// Whether `me` may accept a value for `path` from `from` in OM(m): a nonempty path of
/// known nodes without repeats, not through `me`, sent by its last node, at most m + 1
/// long. (Which commanders are expected is the caller's business.)
pub fn admissible(path: &[String], from: &str, me: &str, m: usize, nodes: &[String]) -> bool {
    !path.is_empty()
        && path.len() <= m + 1
        && path.last().is_some_and(|l| l == from)
        && path.iter().all(|p| p != me && nodes.contains(p))
        && (1..path.len()).all(|i| !path[..i].contains(&path[i]))
}

/// The value with a strict majority among `values`, or `default` when none has one.
pub fn majority(values: &[Value], default: &Value) -> Value {
    for v in values {
        if values.iter().filter(|w| *w == v).count() * 2 > values.len() {
            return v.clone();
        }
    }
    default.clone()
}

/// The values one node received for one commander, by path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    values: BTreeMap<Path, Value>,
}

impl Tree {
    /// Keep the value for a path; the first one received wins. True when it is new.
    pub fn store(&mut self, path: Path, v: Value) -> bool {
        if self.values.contains_key(&path) {
            return false;
        }
        self.values.insert(path, v);
        true
    }

    pub fn get(&self, path: &[String]) -> Option<&Value> {
        self.values.get(path)
    }

    /// What `me` makes of `path` in OM(m): at depth m + 1 the value received (or
    /// `default`); above, the majority of the value received and what each node not yet on
    /// the path (`me` aside) relayed of it, each resolved the same way.
    pub fn resolve(
        &self,
        path: &[String],
        me: &str,
        nodes: &[String],
        m: usize,
        default: &Value,
    ) -> Value {
        let own = self.get(path).cloned().unwrap_or_else(|| default.clone());
        if path.len() > m {
            return own;
        }
        let mut votes = vec![own];
        let mut next = path.to_vec();
        for j in nodes.iter().filter(|j| *j != me && !path.contains(j)) {
            next.push(j.clone());
            votes.push(self.resolve(&next, me, nodes, m, default));
            next.pop();
        }
        majority(&votes, default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    fn p(xs: &[&str]) -> Path {
        xs.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn admissible_paths() {
        let nodes = names(4);
        assert!(admissible(&p(&["n1"]), "n1", "n2", 1, &nodes));
        assert!(admissible(&p(&["n1", "n3"]), "n3", "n2", 1, &nodes));
        assert!(!admissible(&p(&[]), "n1", "n2", 1, &nodes));
        assert!(
            !admissible(&p(&["n1", "n3"]), "n4", "n2", 1, &nodes),
            "not its sender"
        );
        assert!(
            !admissible(&p(&["n1", "n2"]), "n2", "n2", 1, &nodes),
            "through me"
        );
        assert!(
            !admissible(&p(&["n1", "n3", "n4"]), "n4", "n2", 1, &nodes),
            "too long"
        );
        assert!(
            !admissible(&p(&["n3", "n3"]), "n3", "n2", 1, &nodes),
            "a repeat"
        );
        assert!(
            !admissible(&p(&["n9"]), "n9", "n2", 1, &nodes),
            "unknown node"
        );
    }

    #[test]
    fn majority_needs_more_than_half() {
        let d = json!("retreat");
        assert_eq!(majority(&[json!(1), json!(1), json!(2)], &d), json!(1));
        assert_eq!(majority(&[json!(1), json!(2)], &d), d);
        assert_eq!(majority(&[json!(1), json!(2), json!(3)], &d), d);
        assert_eq!(majority(&[], &d), d);
    }

    #[test]
    fn one_lie_among_four_is_outvoted_but_not_among_three() {
        let d = json!("retreat");
        let mut t = Tree::default();
        t.store(p(&["n1"]), json!("attack"));
        t.store(p(&["n1", "n3"]), json!("attack"));
        t.store(p(&["n1", "n4"]), json!("retreat"));
        assert!(!t.store(p(&["n1", "n4"]), json!("attack")), "first wins");
        assert_eq!(t.resolve(&p(&["n1"]), "n2", &names(4), 1, &d), "attack");
        let mut three = Tree::default();
        three.store(p(&["n1"]), json!("attack"));
        three.store(p(&["n1", "n3"]), json!("retreat"));
        assert_eq!(
            three.resolve(&p(&["n1"]), "n2", &names(3), 1, &d),
            "retreat"
        );
        // OM(0): the commander's word.
        assert_eq!(t.resolve(&p(&["n1"]), "n2", &names(4), 0, &d), "attack");
    }
}
