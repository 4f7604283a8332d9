//! A string key-value store with get, put and append, as Porcupine's kv tests use it.
//! Each key is its own object (split by key before the search); a missing key reads "".
//!
//! A get observes a string and a put sets one; an append is always legal and its string
//! follows from the one before ([`Shape::Update`]). States are [`Text`]s, which carry their
//! hash: a state made by an append is numbered without reading the whole string again.

use super::text::Text;
use crate::linearizable::open::{Model, OpView, Outcome, Shape};
use history::{Dialect, Value};

/// The kv store, one key at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kv;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KvOp {
    /// Returned this string.
    Get(Text),
    /// Set this string.
    Put(Text),
    /// Appended this string.
    Append(Text),
}

fn text(v: &Value, what: &str) -> Result<Text, String> {
    match v {
        Value::String(s) => Ok(Text::new(s)),
        Value::Number(n) => Ok(Text::new(&n.to_string())),
        other => Err(format!("a kv {what} must be a string, found {other}")),
    }
}

impl Model for Kv {
    type State = Text;
    type Op = KvOp;

    fn name(&self) -> &'static str {
        "kv"
    }

    fn init(&self) -> Text {
        Text::new("")
    }

    fn op(&self, op: OpView) -> Result<Option<KvOp>, String> {
        let (value, result) = (op.value, op.result);
        Ok(Some(match (op.f, op.outcome) {
            ("get" | "read", Outcome::Ok) if result.is_null() => {
                if op.dialect == Dialect::Knossos {
                    return Ok(None);
                }
                KvOp::Get(Text::new(""))
            }
            ("get" | "read", Outcome::Ok) => KvOp::Get(text(result, "get result")?),
            ("get" | "read", _) => return Ok(None),
            ("put" | "write" | "append", Outcome::Fail) => return Ok(None),
            ("put" | "write", _) => KvOp::Put(text(value, "put value")?),
            ("append", _) => KvOp::Append(text(value, "append value")?),
            (f, _) => {
                return Err(format!(
                    "the kv model has no function {f:?}: it knows get, put and append"
                ))
            }
        }))
    }

    fn step(&self, state: &Text, op: &KvOp) -> Option<Text> {
        match op {
            KvOp::Append(tail) => Some(state.append(tail)),
            op => self.shape(op).apply(state),
        }
    }

    fn shape(&self, op: &KvOp) -> Shape<Text> {
        match op {
            KvOp::Get(s) => Shape::Observe(s.clone()),
            KvOp::Put(s) => Shape::Set(s.clone()),
            KvOp::Append(_) => Shape::Update,
        }
    }

    fn describe_state(&self, state: &Text) -> String {
        format!("{:?}", state.as_str())
    }

    fn describe_op(&self, op: &KvOp) -> String {
        match op {
            KvOp::Get(s) => format!("get -> {:?}", s.as_str()),
            KvOp::Put(s) => format!("put {:?}", s.as_str()),
            KvOp::Append(a) => format!("append {:?}", a.as_str()),
        }
    }

    fn heap_bytes(&self, state: &Text) -> usize {
        state.as_str().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizable::models::view;
    use serde_json::json;

    #[test]
    fn get_put_append_behave_like_a_string_map_entry() {
        let null = json!(null);
        let op = |f: &str, v: Value, r: Value| {
            Kv.op(view(f, &v, &r, Outcome::Ok, Dialect::Porcupine))
                .unwrap()
                .unwrap()
        };
        let put_a = op("put", json!("a"), null.clone());
        let app_b = op("append", json!("b"), null.clone());
        let get_ab = op("get", null.clone(), json!("ab"));
        let get_empty = op("get", null.clone(), null.clone());
        let empty = Kv.init();
        assert_eq!(Kv.step(&empty, &get_empty), Some(empty.clone()));
        let a = Kv.step(&empty, &put_a).unwrap();
        let ab = Kv.step(&a, &app_b).unwrap();
        assert_eq!(Kv.step(&ab, &get_ab).as_ref().map(Text::as_str), Some("ab"));
        assert_eq!(Kv.describe_state(&ab), "\"ab\"");
        assert_eq!(Kv.step(&a, &get_ab), None);
        assert!(!Kv.shape(&app_b).stutter_or_overwrite());
        assert!(Kv.shape(&put_a).stutter_or_overwrite());
        assert_eq!(Kv.describe_op(&get_ab), "get -> \"ab\"");
        let one = json!(1);
        let cas = view("cas", &one, &one, Outcome::Ok, Dialect::Porcupine);
        assert!(Kv.op(cas).is_err());
        let nil_get = view("get", &null, &null, Outcome::Ok, Dialect::Knossos);
        assert_eq!(Kv.op(nil_get), Ok(None));
    }
}
