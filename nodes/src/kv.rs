//! The state machine the consensus protocols replicate:
//!
//! - a key-value store with Maelstrom's lin-kv semantics: `read` (error 20 for a missing
//!   key), `write`, and `cas` with `from` and `to` (error 20 for a missing key, 22 when
//!   `from` does not match);
//! - single-decree consensus instances: `propose` with an `instance` and a `value`; the
//!   first proposal of an instance to be applied is its decision, and every proposal is
//!   answered with it (`propose_ok` with `decided`);
//! - a ledger: `submit` appends an `entry` (`submit_ok` with its `index`);
//! - transactions: `txn`, a list of micro-ops applied atomically as one op, with the
//!   semantics of Maelstrom's txn-list-append and txn-rw-register (see [`crate::txn`]);
//! - Kafka-style logs: `send`, `poll`, `commit_offsets`, `list_committed_offsets`, with
//!   the semantics of Maelstrom's kafka workload (see [`crate::logs`]).
//!
//! Each replica also answers, from its own copy and without replication, what it has
//! decided (`decision` for an instance) and its ledger (`log` from an index, a page at a
//! time): the checkers compare what every node holds.

use crate::txn::{self, Txns};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wire::{Body, Ctx, Envelope, ErrorCode};

/// Answer here what a replica answers by itself (what it decided, its ledger), and turn
/// away what it cannot serve: an operation the store does not have, or a replica that does
/// not lead (naming the leader it knows, so the client can go there), or a transaction
/// malformed by its shape alone (error 12, from any replica). True when the
/// request was answered here; false when it must be replicated.
pub fn refuse(
    ctx: &mut Ctx<'_>,
    req: &Envelope,
    leading: bool,
    leader: Option<&str>,
    kv: &Kv,
) -> bool {
    let kind = req.body.kind();
    let body = if let Some(b) = kv.local(&req.body) {
        Value::Object(b.0)
    } else if let Some(e) = (kind == "txn")
        .then(|| txn::malformed(&Value::Object(req.body.0.clone())))
        .flatten()
    {
        e
    } else if !matches!(
        kind,
        "read" | "write" | "cas" | "propose" | "submit" | "txn"
    ) && !crate::logs::TYPES.contains(&kind)
    {
        ErrorCode::NotSupported.body(&format!("no operation {kind:?}"))
    } else if !leading {
        let leader = leader.unwrap_or("unknown");
        ErrorCode::TemporarilyUnavailable.body(&format!("not the leader; the leader is {leader}"))
    } else {
        return false;
    };
    ctx.reply(req, Body::from(body));
    true
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kv {
    map: BTreeMap<String, Value>,
    decisions: BTreeMap<String, Value>,
    ledger: Vec<Value>,
    txns: Txns,
    logs: crate::logs::Logs,
}

/// Ledger entries answered in one `log` page at most (a page stays well under a line's
/// size limit).
pub const LOG_PAGE: usize = 1000;

fn key_of(op: &Value) -> String {
    field_key(op, "key")
}

fn field_key(op: &Value, field: &str) -> String {
    match op.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

impl Kv {
    /// Apply an op (a client request body) and give the reply body. Ops of other types
    /// (a leader's no-op) change nothing and answer nothing.
    pub fn apply(&mut self, op: &Value) -> Option<Body> {
        let key = key_of(op);
        let kind = op.get("type").and_then(Value::as_str).unwrap_or("");
        Some(Body::from(match kind {
            "read" => match self.map.get(&key) {
                Some(v) => json!({"type": "read_ok", "value": v}),
                None => ErrorCode::KeyDoesNotExist.body("not found"),
            },
            "write" => {
                self.map
                    .insert(key, op.get("value").cloned().unwrap_or(Value::Null));
                json!({"type": "write_ok"})
            }
            "cas" => {
                let from = op.get("from").cloned().unwrap_or(Value::Null);
                match self.map.get(&key) {
                    None => ErrorCode::KeyDoesNotExist.body("not found"),
                    Some(cur) if *cur != from => {
                        ErrorCode::PreconditionFailed.body(&format!("expected {from}, had {cur}"))
                    }
                    Some(_) => {
                        self.map
                            .insert(key, op.get("to").cloned().unwrap_or(Value::Null));
                        json!({"type": "cas_ok"})
                    }
                }
            }
            "propose" => {
                let instance = field_key(op, "instance");
                let v = op.get("value").cloned().unwrap_or(Value::Null);
                let decided = self.decisions.entry(instance).or_insert(v);
                json!({"type": "propose_ok", "decided": decided})
            }
            "submit" => {
                self.ledger
                    .push(op.get("entry").cloned().unwrap_or(Value::Null));
                json!({"type": "submit_ok", "index": self.ledger.len() - 1})
            }
            "txn" => self.txns.apply(op),
            k if crate::logs::TYPES.contains(&k) => self.logs.apply(op),
            _ => return None,
        }))
    }

    /// A store with the `txn-blind-cas` bug: a transaction's `cas` never compares.
    pub fn with_blind_cas(blind: bool) -> Kv {
        let mut kv = Kv::default();
        kv.txns.blind_cas = blind;
        kv
    }

    /// A transaction's micro-ops as this copy would answer them now, reads filled, without
    /// replication and without applying it (None: it would be an error).
    pub fn txn_preview(&self, op: &Value) -> Option<Value> {
        self.txns.preview(op)
    }

    /// The answer to a query this replica answers from its own copy, if it is one.
    pub fn local(&self, req: &Body) -> Option<Body> {
        Some(Body::from(match req.kind() {
            "decision" => {
                let d = self
                    .decisions
                    .get(&field_key(&Value::Object(req.0.clone()), "instance"));
                json!({"type": "decision_ok", "instance": req["instance"], "value": d,
                    "decided": d.is_some()})
            }
            "log" => {
                let from = req["from"].as_u64().unwrap_or(0) as usize;
                let page: Vec<&Value> = self.ledger.iter().skip(from).take(LOG_PAGE).collect();
                json!({"type": "log_ok", "from": from, "entries": page, "total": self.ledger.len()})
            }
            _ => return None,
        }))
    }

    /// A read answered from this copy alone (no replication).
    pub fn read_local(&self, op: &Value) -> Body {
        let mut copy = self.clone();
        copy.apply(op)
            .unwrap_or_else(|| Body::from(ErrorCode::NotSupported.body("not a read")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lin_kv_semantics() {
        let mut kv = Kv::default();
        let r = |kv: &mut Kv, op: Value| kv.apply(&op).unwrap();
        assert_eq!(r(&mut kv, json!({"type": "read", "key": 1}))["code"], 20);
        assert_eq!(
            r(
                &mut kv,
                json!({"type": "cas", "key": 1, "from": 1, "to": 2})
            )["code"],
            20
        );
        assert_eq!(
            r(&mut kv, json!({"type": "write", "key": 1, "value": 1})).kind(),
            "write_ok"
        );
        assert_eq!(
            r(
                &mut kv,
                json!({"type": "cas", "key": 1, "from": 3, "to": 2})
            )["code"],
            22
        );
        assert_eq!(
            r(
                &mut kv,
                json!({"type": "cas", "key": 1, "from": 1, "to": 2})
            )
            .kind(),
            "cas_ok"
        );
        assert_eq!(r(&mut kv, json!({"type": "read", "key": 1}))["value"], 2);
        assert!(kv.apply(&json!({"type": "noop"})).is_none());
    }

    #[test]
    fn the_first_proposal_applied_decides_and_the_ledger_pages() {
        let mut kv = Kv::default();
        let p = |kv: &mut Kv, v: i64| {
            kv.apply(&json!({"type": "propose", "instance": 3, "value": v}))
                .unwrap()
        };
        assert_eq!(p(&mut kv, 7)["decided"], 7);
        assert_eq!(p(&mut kv, 8)["decided"], 7);
        let d = kv
            .local(&Body::from(json!({"type": "decision", "instance": 3})))
            .unwrap();
        assert_eq!(
            (d["value"].clone(), d["decided"].clone()),
            (json!(7), json!(true))
        );
        let d = kv
            .local(&Body::from(json!({"type": "decision", "instance": 4})))
            .unwrap();
        assert_eq!(d["decided"], false);
        for e in 0..(LOG_PAGE + 5) {
            kv.apply(&json!({"type": "submit", "entry": e}));
        }
        let page = kv
            .local(&Body::from(json!({"type": "log", "from": LOG_PAGE})))
            .unwrap();
        assert_eq!(page["entries"], json!([1000, 1001, 1002, 1003, 1004]));
        assert_eq!(page["total"], LOG_PAGE + 5);
        assert!(kv
            .local(&Body::from(json!({"type": "read", "key": 1})))
            .is_none());
    }
}
