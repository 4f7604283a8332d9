//! What a node does to the values it sends: a loyal node sends what it has; a traitor
//! keeps quiet, lies when it relays, or tells different nodes different things when it
//! speaks as a commander.

use serde_json::{json, Value};

/// How one node treats the values it sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Conduct {
    #[default]
    Loyal,
    /// Sends nothing (not even acknowledgements).
    Silent,
    /// Relays [`other`] of what it received.
    RelayOpposite,
    /// Relays to each node a value made up for that node ([`corrupt`]).
    RelayCorrupt,
    /// As a commander, sends its value to the first half of the receivers and [`other`] of
    /// it to the rest.
    Equivocate,
}

impl Conduct {
    /// The value to send at `path` (ending in this node) to the `i`th of `count` receivers,
    /// `to`, when the truth is `v`; `None` to send nothing.
    pub fn value_for(
        &self,
        path_len: usize,
        i: usize,
        count: usize,
        to: &str,
        v: &Value,
    ) -> Option<Value> {
        let relay = path_len > 1;
        Some(match self {
            Conduct::Silent => return None,
            Conduct::RelayOpposite if relay => other(v),
            Conduct::RelayCorrupt if relay => corrupt(v, to),
            Conduct::Equivocate if !relay && i >= count.div_ceil(2) => other(v),
            _ => v.clone(),
        })
    }
}

/// A different value: attack and retreat swap; anything else becomes something else.
pub fn other(v: &Value) -> Value {
    match v {
        Value::String(s) if s == "attack" => json!("retreat"),
        Value::String(s) if s == "retreat" => json!("attack"),
        Value::String(s) => json!(format!("not {s}")),
        Value::Bool(b) => json!(!b),
        Value::Number(n) if n.is_i64() => json!(n.as_i64().unwrap_or(0).wrapping_add(1)),
        Value::Null => json!("something"),
        v => json!({"not": v}),
    }
}

/// A value made up for one receiver, so that no two receivers hear the same lie.
pub fn corrupt(v: &Value, to: &str) -> Value {
    json!({"corrupted": v, "for": to})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_values_differ() {
        for v in [
            json!("attack"),
            json!("retreat"),
            json!("x"),
            json!(3),
            json!(true),
            json!(null),
            json!([1]),
        ] {
            assert_ne!(other(&v), v);
        }
        assert_eq!(other(&json!("attack")), "retreat");
        assert_ne!(corrupt(&json!(1), "n2"), corrupt(&json!(1), "n3"));
    }

    #[test]
    fn each_conduct_changes_only_its_messages() {
        let v = json!("attack");
        assert_eq!(Conduct::Loyal.value_for(2, 0, 3, "n2", &v), Some(v.clone()));
        assert_eq!(Conduct::Silent.value_for(1, 0, 3, "n2", &v), None);
        assert_eq!(
            Conduct::RelayOpposite.value_for(1, 0, 3, "n2", &v),
            Some(v.clone())
        );
        assert_eq!(
            Conduct::RelayOpposite.value_for(2, 0, 3, "n2", &v),
            Some(json!("retreat"))
        );
        let split: Vec<_> = (0..3)
            .map(|i| Conduct::Equivocate.value_for(1, i, 3, "n", &v).unwrap())
            .collect();
        assert_eq!(split, [json!("attack"), json!("attack"), json!("retreat")]);
        assert_eq!(Conduct::Equivocate.value_for(2, 2, 3, "n", &v), Some(v));
    }
}
