//! What a transaction's micro-ops mean, run against the values of a store read at one
//! point: `r` reads (and sees the transaction's own earlier writes), `append` extends a
//! list, `w` writes, and a `cas` whose register does not hold `from` fails the whole
//! transaction, nothing written. Used by clients that run transactions themselves (etcd's,
//! optimistically) and by the unit tests' store in memory.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Runs the micro-ops of `txn` on the values `current` reads (absent: null), with each
/// op's key named by `key`: the answered transaction and the keys written, with their new
/// values.
pub fn apply<K: Ord>(
    txn: &[Value],
    key: impl Fn(&Value) -> K,
    current: impl Fn(&K) -> Option<Value>,
) -> Result<(Value, BTreeMap<K, Value>), String> {
    let mut writes: BTreeMap<K, Value> = BTreeMap::new();
    let mut answered = Vec::with_capacity(txn.len());
    for m in txn {
        let key = key(&m[1]);
        let current = writes
            .get(&key)
            .cloned()
            .or_else(|| current(&key))
            .unwrap_or(Value::Null);
        match m[0].as_str() {
            Some("r") => answered.push(json!(["r", m[1], current])),
            Some("append") => {
                let mut list = match current {
                    Value::Null => Vec::new(),
                    Value::Array(l) => l,
                    other => return Err(format!("key {} holds {other}, not a list", m[1])),
                };
                list.push(m[2].clone());
                writes.insert(key, Value::Array(list));
                answered.push(m.clone());
            }
            Some("w") => {
                writes.insert(key, m[2].clone());
                answered.push(m.clone());
            }
            Some("cas") if current == m[2][0] => {
                writes.insert(key, m[2][1].clone());
                answered.push(m.clone());
            }
            Some("cas") => {
                return Err(format!(
                    "conflict: key {} holds {current}, not {}",
                    m[1], m[2][0]
                ))
            }
            _ => return Err(format!("unknown micro-op {m}")),
        }
    }
    Ok((Value::Array(answered), writes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        txn: &[Value],
        store: &[(i64, Value)],
    ) -> Result<(Value, BTreeMap<String, Value>), String> {
        let store: BTreeMap<String, Value> = store
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        apply(txn, |k| k.to_string(), |k| store.get(k).cloned())
    }

    #[test]
    fn micro_ops_run_on_the_snapshot_and_see_their_own_writes() {
        let txn = [
            json!(["r", 1, null]),
            json!(["append", 1, 3]),
            json!(["r", 1, null]),
            json!(["r", 2, null]),
        ];
        let (answered, writes) = run(&txn, &[(1, json!([1, 2]))]).unwrap();
        assert_eq!(
            answered,
            json!([
                ["r", 1, [1, 2]],
                ["append", 1, 3],
                ["r", 1, [1, 2, 3]],
                ["r", 2, null]
            ])
        );
        assert_eq!(writes.get("1"), Some(&json!([1, 2, 3])));
        assert!(run(&[json!(["append", 1, 3])], &[(1, json!(5))]).is_err());
        let cas = [json!(["cas", 1, [5, 6]])];
        assert!(run(&cas, &[(1, json!(5))]).is_ok());
        assert!(run(&cas, &[(1, json!(4))])
            .unwrap_err()
            .starts_with("conflict"));
    }
}
