//! Kafka-style logs, as Maelstrom's kafka workload defines them: a log per key, in the
//! replicated state machine, so every request below is one entry of the replicated log
//! (polls included, so what a poll returns is linearizable).
//!
//! - `send {key, msg}` appends `msg` to the log of `key` and answers `send_ok {offset}`;
//!   a key's offsets are 0, 1, 2, ... in the order sends are applied.
//! - `poll {offsets: {key: offset}}` answers `poll_ok {msgs: {key: [[offset, msg], ...]}}`:
//!   each key's messages from the given offset on, at most [`POLL_PAGE`] of them; a key
//!   with nothing there is left out.
//! - `commit_offsets {offsets: {key: offset}}` answers `commit_offsets_ok`: each key's
//!   committed offset becomes the higher of the one it had and the one given (never
//!   lower).
//! - `list_committed_offsets {keys: [key, ...]}` answers `list_committed_offsets_ok
//!   {offsets: {key: offset}}`, leaving out keys never committed.
//!
//! Keys are names: `1` and `"1"` are one log, answered as strings (a JSON map's keys).
//! A request of the wrong shape is error 12 (malformed, definite).
//!
//! ```text
//! {"type":"send","key":"3","msg":17}            {"type":"send_ok","offset":0}
//! {"type":"poll","offsets":{"3":0}}             {"type":"poll_ok","msgs":{"3":[[0,17]]}}
//! ```

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use wire::ErrorCode;

/// The most messages of one key a poll answers.
pub const POLL_PAGE: usize = 200;

/// The request types served here.
pub const TYPES: [&str; 4] = ["send", "poll", "commit_offsets", "list_committed_offsets"];

/// Every key's log and committed offset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logs {
    logs: BTreeMap<String, Vec<Value>>,
    committed: BTreeMap<String, u64>,
}

/// A key's name (a string as it is, anything else as its JSON text).
fn name(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn malformed(what: &str) -> Value {
    ErrorCode::MalformedRequest.body(what)
}

/// `{key: offset}` with offsets that are natural numbers.
fn offsets(v: Option<&Value>) -> Option<Vec<(String, u64)>> {
    v?.as_object()?
        .iter()
        .map(|(k, o)| Some((k.clone(), o.as_u64()?)))
        .collect()
}

impl Logs {
    /// Apply a request body of one of [`TYPES`] and give the reply body.
    pub fn apply(&mut self, op: &Value) -> Value {
        match op.get("type").and_then(Value::as_str).unwrap_or("") {
            "send" => match op.get("key").filter(|k| !k.is_null()) {
                Some(k) => {
                    let log = self.logs.entry(name(k)).or_default();
                    log.push(op.get("msg").cloned().unwrap_or(Value::Null));
                    json!({"type": "send_ok", "offset": log.len() - 1})
                }
                None => malformed("send needs a key"),
            },
            "poll" => match offsets(op.get("offsets")) {
                Some(from) => {
                    let mut msgs = Map::new();
                    for (k, o) in from {
                        let Some(log) = self.logs.get(&k) else {
                            continue;
                        };
                        let page: Vec<Value> = log
                            .iter()
                            .enumerate()
                            .skip(o as usize)
                            .take(POLL_PAGE)
                            .map(|(i, m)| json!([i, m]))
                            .collect();
                        if !page.is_empty() {
                            msgs.insert(k, Value::Array(page));
                        }
                    }
                    json!({"type": "poll_ok", "msgs": msgs})
                }
                None => malformed("poll needs offsets, a map of keys to natural numbers"),
            },
            "commit_offsets" => match offsets(op.get("offsets")) {
                Some(given) => {
                    for (k, o) in given {
                        let c = self.committed.entry(k).or_insert(o);
                        *c = (*c).max(o);
                    }
                    json!({"type": "commit_offsets_ok"})
                }
                None => malformed("commit_offsets needs offsets, a map of keys to natural numbers"),
            },
            "list_committed_offsets" => match op.get("keys").and_then(Value::as_array) {
                Some(keys) => {
                    let offsets: Map<String, Value> = keys
                        .iter()
                        .map(name)
                        .filter_map(|k| self.committed.get(&k).map(|o| (k, json!(o))))
                        .collect();
                    json!({"type": "list_committed_offsets_ok", "offsets": offsets})
                }
                None => malformed("list_committed_offsets needs keys, a list"),
            },
            other => ErrorCode::NotSupported.body(&format!("no operation {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_get_dense_offsets_per_key_and_polls_page_from_an_offset() {
        let mut l = Logs::default();
        let send = |l: &mut Logs, k: Value, m: i64| {
            l.apply(&json!({"type": "send", "key": k, "msg": m}))["offset"].clone()
        };
        assert_eq!(send(&mut l, json!("a"), 10), json!(0));
        assert_eq!(send(&mut l, json!("a"), 11), json!(1));
        assert_eq!(send(&mut l, json!(1), 12), json!(0));
        assert_eq!(
            send(&mut l, json!("1"), 13),
            json!(1),
            "1 and \"1\" are one log"
        );
        let got = l.apply(&json!({"type": "poll", "offsets": {"a": 1, "1": 0, "zz": 0}}));
        assert_eq!(
            got,
            json!({"type": "poll_ok", "msgs": {"a": [[1, 11]], "1": [[0, 12], [1, 13]]}})
        );
        let got = l.apply(&json!({"type": "poll", "offsets": {"a": 2}}));
        assert_eq!(got["msgs"], json!({}));
        for m in 0..(POLL_PAGE as i64 + 5) {
            send(&mut l, json!("b"), m);
        }
        let got = l.apply(&json!({"type": "poll", "offsets": {"b": 3}}));
        let page = got["msgs"]["b"].as_array().unwrap();
        assert_eq!((page.len(), page[0].clone()), (POLL_PAGE, json!([3, 3])));
    }

    #[test]
    fn committed_offsets_never_go_down_and_bad_shapes_are_malformed() {
        let mut l = Logs::default();
        let commit =
            |l: &mut Logs, o: Value| l.apply(&json!({"type": "commit_offsets", "offsets": o}));
        assert_eq!(commit(&mut l, json!({"a": 5}))["type"], "commit_offsets_ok");
        commit(&mut l, json!({"a": 3, "b": 1}));
        let got = l.apply(&json!({"type": "list_committed_offsets", "keys": ["a", "b", "c"]}));
        assert_eq!(got["offsets"], json!({"a": 5, "b": 1}));
        for bad in [
            json!({"type": "send", "msg": 1}),
            json!({"type": "poll", "offsets": {"a": -1}}),
            json!({"type": "poll"}),
            json!({"type": "commit_offsets", "offsets": [1]}),
            json!({"type": "list_committed_offsets", "keys": "a"}),
        ] {
            assert_eq!(l.apply(&bad)["code"], 12, "{bad}");
        }
    }
}
