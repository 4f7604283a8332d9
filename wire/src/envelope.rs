//! The envelope: `{"src":"n1","dest":"n2","body":{"type":"...","msg_id":5,...}}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A message body: a JSON object with at least a `type`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Body(pub Map<String, Value>);

impl Body {
    /// A body of this type with these other fields (an object, or null for none).
    pub fn new(kind: &str, fields: Value) -> Body {
        let mut m = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        m.insert("type".into(), Value::String(kind.into()));
        Body(m)
    }
    /// The `type`, or "" when there is none.
    pub fn kind(&self) -> &str {
        self.0.get("type").and_then(Value::as_str).unwrap_or("")
    }
    pub fn msg_id(&self) -> Option<u64> {
        self.0.get("msg_id").and_then(Value::as_u64)
    }
    pub fn in_reply_to(&self) -> Option<u64> {
        self.0.get("in_reply_to").and_then(Value::as_u64)
    }
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }
    pub fn set(&mut self, field: &str, v: Value) {
        self.0.insert(field.into(), v);
    }
}

impl From<Value> for Body {
    fn from(v: Value) -> Body {
        match v {
            Value::Object(m) => Body(m),
            _ => Body::default(),
        }
    }
}

/// One message between two participants: nodes `n1..`, clients `c1..`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub src: String,
    pub dest: String,
    pub body: Body,
}

impl Envelope {
    pub fn new(src: &str, dest: &str, body: impl Into<Body>) -> Envelope {
        Envelope {
            src: src.into(),
            dest: dest.into(),
            body: body.into(),
        }
    }

    /// The answer to this message: source and destination swapped, `in_reply_to` set.
    pub fn reply(&self, body: impl Into<Body>) -> Envelope {
        let mut body = body.into();
        if let Some(id) = self.body.msg_id() {
            body.set("in_reply_to", Value::from(id));
        }
        Envelope::new(&self.dest, &self.src, body)
    }
}

impl std::ops::Index<&str> for Body {
    type Output = Value;
    /// The field, or null.
    fn index(&self, field: &str) -> &Value {
        self.0.get(field).unwrap_or(&Value::Null)
    }
}
