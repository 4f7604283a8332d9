//! The key-value state machine the consensus protocols replicate, with Maelstrom's lin-kv
//! semantics: `read` (error 20 for a missing key), `write`, and `cas` with `from` and `to`
//! (error 20 for a missing key, 22 when `from` does not match).

use serde_json::{json, Value};
use std::collections::BTreeMap;
use wire::{Body, Ctx, Envelope, ErrorCode};

/// Turn away a client request a replica cannot serve: an operation the store does not
/// have, or a replica that does not lead (naming the leader it knows, so the client can go
/// there). True when the request was answered here.
pub fn refuse(ctx: &mut Ctx<'_>, req: &Envelope, leading: bool, leader: Option<&str>) -> bool {
    let kind = req.body.kind();
    let body = if !matches!(kind, "read" | "write" | "cas") {
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
}

fn key_of(op: &Value) -> String {
    match op.get("key") {
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
}
