//! How a client records a key-value reply (Maelstrom's lin-kv) in a history: the outcome,
//! the result and the error, following the schism dialect.

use crate::{Body, ErrorCode};
use history::{OpType, Value, COMPARE_FAILED};

/// The completion of a `read`, `write` or `cas` from its reply: `read_ok` gives the value,
/// a read of a missing key (error 20) gives nil; a CAS that did not match (22) or found no
/// key (20) observed another value: `fail` with `compare-failed`; other definite errors
/// `fail`; indefinite errors `info`.
pub fn outcome(f: &str, reply: &Body) -> (OpType, Value, Option<String>) {
    match reply.kind() {
        "read_ok" => (OpType::Ok, reply["value"].clone(), None),
        "write_ok" | "cas_ok" => (OpType::Ok, Value::Null, None),
        "error" => {
            let code = reply["code"].as_i64().unwrap_or(-1);
            let text = reply["text"].as_str().unwrap_or("").to_string();
            let missing = code == ErrorCode::KeyDoesNotExist as i64;
            match f {
                "read" if missing => (OpType::Ok, Value::Null, None),
                "cas" if missing || code == ErrorCode::PreconditionFailed as i64 => {
                    (OpType::Fail, Value::Null, Some(COMPARE_FAILED.to_string()))
                }
                _ if ErrorCode::is_definite(code) => {
                    (OpType::Fail, Value::Null, Some(format!("{code}: {text}")))
                }
                _ => (OpType::Info, Value::Null, Some(format!("{code}: {text}"))),
            }
        }
        other => (
            OpType::Info,
            Value::Null,
            Some(format!("unexpected reply {other:?}")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replies_become_outcomes() {
        let b = |v: serde_json::Value| Body::from(v);
        assert_eq!(
            outcome("read", &b(json!({"type": "read_ok", "value": 3}))).0,
            OpType::Ok
        );
        assert_eq!(
            outcome("read", &b(ErrorCode::KeyDoesNotExist.body("x"))),
            (OpType::Ok, Value::Null, None)
        );
        let (t, _, e) = outcome("cas", &b(ErrorCode::PreconditionFailed.body("x")));
        assert_eq!((t, e.as_deref()), (OpType::Fail, Some(COMPARE_FAILED)));
        assert_eq!(
            outcome("write", &b(ErrorCode::TemporarilyUnavailable.body("x"))).0,
            OpType::Fail
        );
        assert_eq!(
            outcome("write", &b(ErrorCode::Timeout.body("x"))).0,
            OpType::Info
        );
        assert_eq!(outcome("write", &b(json!({"type": "huh"}))).0, OpType::Info);
    }
}
