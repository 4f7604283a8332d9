//! Transactions, as Maelstrom's txn-list-append and txn-rw-register workloads define them:
//! a `txn` request carries a list of micro-ops, each `[f, key, value]`:
//!
//! - `["r", k, null]` reads `k`: the list of a list key, the value of a register, `null`
//!   for a key never written;
//! - `["append", k, v]` appends `v` to the list at `k` (a new key starts empty);
//! - `["w", k, v]` writes `v` to the register at `k`;
//! - `["cas", k, [from, to]]` (schism's extension, for `bank`): writes `to` to the register
//!   at `k` if it holds `from` (`null` for a key never written); if it holds anything else
//!   the whole transaction is aborted with error 30 (txn-conflict, definite), nothing
//!   applied.
//!
//! ```text
//! {"type":"txn","txn":[["r",1,null],["append",1,3],["w",2,5]]}
//! {"type":"txn_ok","txn":[["r",1,[1,2]],["append",1,3],["w",2,5]]}
//! ```
//!
//! The micro-ops run in order, each read seeing the writes before it, and the transaction
//! takes effect whole or not at all: a key holds either a list or a register, and a micro-op
//! of the other kind (`append` to a register, `w` to a list) makes the whole transaction an
//! error 12 (malformed request, definite) with no effect. These keys are their own
//! namespace, apart from the lin-kv keys of `read`, `write` and `cas`. Keys are compared as
//! JSON (`1` and `"1"` are different keys), and answered as they were sent.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use wire::ErrorCode;

/// What a key holds.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    List(Vec<Value>),
    Register(Value),
}

/// The transactional keys of a replica.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Txns {
    cells: BTreeMap<String, Cell>,
    /// The `txn-blind-cas` bug: a `cas` writes `to` whatever the register holds.
    pub blind_cas: bool,
}

/// The micro-ops of a `txn` body, checked for shape: an array of `[f, key, value]` with `f`
/// one of `r`, `append`, `w`. Err says what is wrong.
pub fn micro_ops(body: &Value) -> Result<&[Value], String> {
    let ops = body
        .get("txn")
        .and_then(Value::as_array)
        .ok_or("txn must be an array of micro-ops")?;
    for op in ops {
        match op.as_array().map(Vec::as_slice) {
            Some([Value::String(f), _, _]) if matches!(f.as_str(), "r" | "append" | "w") => {}
            Some([Value::String(f), _, Value::Array(ft)]) if f == "cas" && ft.len() == 2 => {}
            _ => {
                return Err(format!(
                    "bad micro-op {op}: expected [\"r\"|\"append\"|\"w\", key, value] or \
                     [\"cas\", key, [from, to]]"
                ))
            }
        }
    }
    Ok(ops)
}

/// The error body for a transaction that cannot be run, if it cannot (by its shape alone).
pub fn malformed(body: &Value) -> Option<Value> {
    micro_ops(body)
        .err()
        .map(|e| ErrorCode::MalformedRequest.body(&e))
}

impl Txns {
    /// Run a transaction against this state without changing it: the micro-ops as answered
    /// (reads filled) and the cells it would leave changed, or the error body.
    fn run(&self, body: &Value) -> Result<(Vec<Value>, BTreeMap<String, Cell>), Value> {
        let ops = micro_ops(body).map_err(|e| ErrorCode::MalformedRequest.body(&e))?;
        let mut changed: BTreeMap<String, Cell> = BTreeMap::new();
        let mut answered = Vec::with_capacity(ops.len());
        for op in ops {
            let (f, k, v) = (op[0].as_str().unwrap_or(""), &op[1], &op[2]);
            let key = k.to_string();
            let cur = changed.get(&key).or_else(|| self.cells.get(&key));
            let clash = |want: &str| {
                ErrorCode::MalformedRequest.body(&format!(
                    "{f} on key {k}, which holds a {want}; nothing applied"
                ))
            };
            match (f, cur) {
                ("r", cur) => {
                    let read = match cur {
                        None => Value::Null,
                        Some(Cell::List(l)) => Value::Array(l.clone()),
                        Some(Cell::Register(r)) => r.clone(),
                    };
                    answered.push(json!(["r", k, read]));
                    continue;
                }
                ("append", Some(Cell::Register(_))) => return Err(clash("register")),
                ("append", cur) => {
                    let mut l = match cur {
                        Some(Cell::List(l)) => l.clone(),
                        _ => Vec::new(),
                    };
                    l.push(v.clone());
                    changed.insert(key, Cell::List(l));
                }
                (_, Some(Cell::List(_))) => return Err(clash("list")),
                ("cas", cur) => {
                    let held = match cur {
                        Some(Cell::Register(r)) => r,
                        _ => &Value::Null,
                    };
                    if *held != v[0] && !self.blind_cas {
                        return Err(ErrorCode::TxnConflict.body(&format!(
                            "cas on key {k}: it holds {held}, not {}; nothing applied",
                            v[0]
                        )));
                    }
                    changed.insert(key, Cell::Register(v[1].clone()));
                }
                _ => {
                    changed.insert(key, Cell::Register(v.clone()));
                }
            }
            answered.push(op.clone());
        }
        Ok((answered, changed))
    }

    /// Apply a transaction (a `txn` request body) atomically: the reply body, `txn_ok`
    /// with the reads filled, or an error with nothing applied.
    pub fn apply(&mut self, body: &Value) -> Value {
        match self.run(body) {
            Ok((answered, changed)) => {
                self.cells.extend(changed);
                json!({"type": "txn_ok", "txn": answered})
            }
            Err(e) => e,
        }
    }

    /// The micro-ops as this state would answer them now, without applying anything (None
    /// when the transaction would be an error).
    pub fn preview(&self, body: &Value) -> Option<Value> {
        self.run(body)
            .ok()
            .map(|(answered, _)| Value::Array(answered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn txn(t: &mut Txns, ops: Value) -> Value {
        t.apply(&json!({"type": "txn", "txn": ops}))
    }

    #[test]
    fn list_append_reads_see_earlier_appends_in_order() {
        let mut t = Txns::default();
        let r = txn(
            &mut t,
            json!([
                ["r", 1, null],
                ["append", 1, 1],
                ["append", 1, 2],
                ["r", 1, null]
            ]),
        );
        assert_eq!(
            r,
            json!({"type": "txn_ok", "txn": [["r", 1, null], ["append", 1, 1], ["append", 1, 2], ["r", 1, [1, 2]]]})
        );
        let r = txn(
            &mut t,
            json!([["r", 1, null], ["append", 1, 3], ["r", 2, null]]),
        );
        assert_eq!(
            r["txn"],
            json!([["r", 1, [1, 2]], ["append", 1, 3], ["r", 2, null]])
        );
        assert_eq!(
            txn(&mut t, json!([["r", 1, null]]))["txn"][0][2],
            json!([1, 2, 3])
        );
    }

    #[test]
    fn rw_register_reads_give_the_last_write_or_null() {
        let mut t = Txns::default();
        let r = txn(
            &mut t,
            json!([["r", 2, null], ["w", 2, 5], ["r", 2, null], ["w", 2, 6]]),
        );
        assert_eq!(
            r["txn"],
            json!([["r", 2, null], ["w", 2, 5], ["r", 2, 5], ["w", 2, 6]])
        );
        assert_eq!(txn(&mut t, json!([["r", 2, null]]))["txn"][0][2], 6);
        // Keys are JSON: the string "2" is another key.
        assert_eq!(
            txn(&mut t, json!([["r", "2", null]]))["txn"][0],
            json!(["r", "2", null])
        );
    }

    #[test]
    fn a_type_clash_is_a_definite_error_and_applies_nothing() {
        let mut t = Txns::default();
        txn(&mut t, json!([["append", 1, 1], ["w", 2, 5]]));
        let before = t.clone();
        for bad in [
            json!([["append", 1, 2], ["w", 1, 3]]),
            json!([["w", 2, 6], ["append", 2, 7]]),
        ] {
            let r = txn(&mut t, bad);
            assert_eq!(r["code"], 12, "{r}");
            assert!(ErrorCode::is_definite(12));
            assert_eq!(t, before, "nothing applied");
        }
        // Within one transaction too: a key written as a register cannot be appended to.
        assert_eq!(
            txn(&mut t, json!([["w", 3, 1], ["append", 3, 2]]))["code"],
            12
        );
        assert_eq!(
            txn(&mut t, json!([["r", 3, null]]))["txn"][0][2],
            Value::Null
        );
    }

    #[test]
    fn cas_writes_when_the_register_holds_from_and_else_aborts_the_whole_txn() {
        let mut t = Txns::default();
        let r = txn(
            &mut t,
            json!([
                ["cas", 1, [null, 10]],
                ["cas", 2, [null, 10]],
                ["r", 1, null]
            ]),
        );
        assert_eq!(
            r["txn"],
            json!([["cas", 1, [null, 10]], ["cas", 2, [null, 10]], ["r", 1, 10]])
        );
        let before = t.clone();
        let r = txn(&mut t, json!([["cas", 1, [10, 7]], ["cas", 2, [9, 13]]]));
        assert_eq!(r["code"], 30, "{r}");
        assert!(ErrorCode::is_definite(30));
        assert_eq!(t, before, "nothing applied");
        let r = txn(&mut t, json!([["cas", 1, [10, 7]], ["cas", 2, [10, 13]]]));
        assert_eq!(r["type"], "txn_ok", "{r}");
        assert_eq!(
            txn(&mut t, json!([["r", 1, null], ["r", 2, null]]))["txn"],
            json!([["r", 1, 7], ["r", 2, 13]])
        );
        // The blind-cas bug writes regardless.
        t.blind_cas = true;
        let r = txn(&mut t, json!([["cas", 1, [10, 8]]]));
        assert_eq!(r["type"], "txn_ok", "{r}");
        assert_eq!(txn(&mut t, json!([["r", 1, null]]))["txn"][0][2], 8);
        // A list is no register.
        txn(&mut t, json!([["append", 3, 1]]));
        assert_eq!(txn(&mut t, json!([["cas", 3, [null, 1]]]))["code"], 12);
    }

    #[test]
    fn malformed_transactions_are_named() {
        for bad in [
            json!({"type": "txn"}),
            json!({"type": "txn", "txn": 3}),
            json!({"type": "txn", "txn": [["r", 1]]}),
            json!({"type": "txn", "txn": [["cas", 1, 2]]}),
            json!({"type": "txn", "txn": [["cas", 1, [2]]]}),
            json!({"type": "txn", "txn": [["inc", 1, 2]]}),
            json!({"type": "txn", "txn": [[1, 1, 2]]}),
        ] {
            assert_eq!(
                malformed(&bad).map(|e| e["code"].clone()),
                Some(json!(12)),
                "{bad}"
            );
            assert_eq!(Txns::default().apply(&bad)["code"], 12);
        }
        assert!(malformed(&json!({"type": "txn", "txn": []})).is_none());
        assert_eq!(
            Txns::default().apply(&json!({"type": "txn", "txn": []})),
            json!({"type": "txn_ok", "txn": []})
        );
    }

    #[test]
    fn a_preview_answers_without_applying() {
        let mut t = Txns::default();
        txn(&mut t, json!([["append", 1, 1]]));
        let body = json!({"type": "txn", "txn": [["append", 1, 2], ["r", 1, null]]});
        assert_eq!(
            t.preview(&body),
            Some(json!([["append", 1, 2], ["r", 1, [1, 2]]]))
        );
        assert_eq!(
            txn(&mut t, json!([["r", 1, null]]))["txn"][0][2],
            json!([1])
        );
        assert_eq!(
            t.preview(&json!({"type": "txn", "txn": [["w", 1, 0]]})),
            None
        );
    }
}
