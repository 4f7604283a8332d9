//! The JSON-lines protocol between schism and an exec client: one op per line on its
//! stdin, `{"f":"read","key":3,"value":null}` (the key an integer, a string or null), and
//! one completion per line on its stdout: `{"type":"ok","value":...}`,
//! `{"type":"fail","error":"..."}` or `{"type":"info","error":"..."}`.
//!
//! An `ok` without a `value` completes with the invocation's value (a write need not echo
//! it). `error` is optional; a cas that found another value answers `fail` with the error
//! `compare-failed`, which is [`history::COMPARE_FAILED`] verbatim. Unknown fields are
//! ignored.

use history::Value;
use serde_json::json;
use workloads::{Completion, Invocation};

/// How much of a garbage line an error quotes.
const QUOTE_CHARS: usize = 200;

/// The line (without its newline) that sends `inv`.
pub fn encode(inv: &Invocation) -> String {
    json!({"f": inv.f.as_str(), "key": inv.key, "value": inv.value}).to_string()
}

/// The completion a line answers for `inv`; Err when it is not one (the error quotes it).
pub fn decode(inv: &Invocation, line: &[u8]) -> Result<Completion, String> {
    let garbage = || format!("the exec client answered garbage: {}", quote(line));
    let v: Value = serde_json::from_slice(line).map_err(|_| garbage())?;
    let error = |default: &str| match v.get("error") {
        None | Some(Value::Null) => default.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    match v.get("type").and_then(Value::as_str) {
        Some("ok") => Ok(Completion::ok(
            v.get("value").cloned().unwrap_or_else(|| inv.value.clone()),
        )),
        Some("fail") => Ok(Completion::fail(
            inv.value.clone(),
            error("the exec client answered fail"),
        )),
        Some("info") => Ok(Completion::info(
            inv.value.clone(),
            error("the exec client answered info"),
        )),
        _ => Err(garbage()),
    }
}

/// The start of a line, as a quoted string.
pub fn quote(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut cut: String = text.chars().take(QUOTE_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Key, OpType};

    #[test]
    fn ops_encode_with_their_key_as_json() {
        let i = Invocation::new("read", Some(Key::Int(3)), Value::Null);
        assert_eq!(encode(&i), r#"{"f":"read","key":3,"value":null}"#);
        let i = Invocation::new("cas", Some(Key::Str("k".into())), json!([1, 2]));
        assert_eq!(encode(&i), r#"{"f":"cas","key":"k","value":[1,2]}"#);
        let i = Invocation::new("add", None, json!(1));
        assert_eq!(encode(&i), r#"{"f":"add","key":null,"value":1}"#);
    }

    #[test]
    fn answers_decode_and_garbage_is_quoted() {
        let w = Invocation::new("write", None, json!(5));
        let c = decode(&w, br#"{"type":"ok"}"#).unwrap();
        assert_eq!((c.kind, c.value), (OpType::Ok, json!(5)));
        let c = decode(&w, br#"{"type":"ok","value":null}"#).unwrap();
        assert_eq!(c.value, Value::Null, "an explicit value wins");
        let c = decode(&w, br#"{"type":"fail","error":"compare-failed"}"#).unwrap();
        assert_eq!(c.kind, OpType::Fail);
        assert_eq!(c.error.as_deref(), Some(history::COMPARE_FAILED));
        let c = decode(&w, br#"{"type":"info"}"#).unwrap();
        assert_eq!(c.kind, OpType::Info);
        assert!(c.error.is_some());
        for bad in [
            &b"hello"[..],
            br#"{"type":"maybe"}"#,
            br#"{"value":1}"#,
            b"[1]",
        ] {
            let e = decode(&w, bad).unwrap_err();
            assert!(
                e.starts_with("the exec client answered garbage: ")
                    && e.contains(&format!("{:?}", String::from_utf8_lossy(bad))),
                "{e}"
            );
        }
    }
}
