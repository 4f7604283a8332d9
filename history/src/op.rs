//! One event of a history: an invocation or a completion.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::fmt;

/// What kind of event an op is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpType {
    /// The client asked for something.
    Invoke,
    /// It happened.
    Ok,
    /// It definitely did not happen.
    Fail,
    /// It may or may not have happened, at any moment after its invocation.
    Info,
}

impl OpType {
    pub fn as_str(self) -> &'static str {
        match self {
            OpType::Invoke => "invoke",
            OpType::Ok => "ok",
            OpType::Fail => "fail",
            OpType::Info => "info",
        }
    }
    pub fn is_completion(self) -> bool {
        self != OpType::Invoke
    }
}

/// Who performed an op: a logical client or the nemesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Process {
    Client(u64),
    Nemesis,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Process::Client(p) => write!(f, "{p}"),
            Process::Nemesis => f.write_str("nemesis"),
        }
    }
}

impl Serialize for Process {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Process::Client(p) => s.serialize_u64(*p),
            Process::Nemesis => s.serialize_str("nemesis"),
        }
    }
}

impl<'de> Deserialize<'de> for Process {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Process;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer or \"nemesis\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Process, E> {
                Ok(Process::Client(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Process, E> {
                u64::try_from(v)
                    .map(Process::Client)
                    .map_err(|_| E::custom(format!("process {v} is negative")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Process, E> {
                if v == "nemesis" {
                    Ok(Process::Nemesis)
                } else {
                    Err(E::custom(format!(
                        "process {v:?} is neither an integer nor \"nemesis\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The key an op works on, for keyed (independent) histories.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Int(i64),
    Str(SmolStr),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Int(k) => write!(f, "{k}"),
            Key::Str(k) => write!(f, "{k:?}"),
        }
    }
}

impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Key::Int(k) => s.serialize_i64(*k),
            Key::Str(k) => s.serialize_str(k),
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a string key")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Key, E> {
                i64::try_from(v)
                    .map(Key::Int)
                    .map_err(|_| E::custom("key out of range"))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key::Int(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key::Str(v.into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An op's value: any JSON value (a read's result, a write's argument, a cas pair, ...).
pub type Value = serde_json::Value;

/// One event of a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// Position in the history, from 0 (readers renumber ops in order).
    #[serde(default)]
    pub index: u64,
    /// Nanoseconds since the run started (0 when the source had no times).
    #[serde(rename = "time", default)]
    pub time_ns: u64,
    pub process: Process,
    #[serde(rename = "type")]
    pub kind: OpType,
    /// The function: read, write, cas, get, put, append, partition, ...
    pub f: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    #[serde(default)]
    pub value: Value,
    /// The node the client talked to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<SmolStr>,
    /// Why a completion failed or is indeterminate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

impl Op {
    /// A client op with no key, node or error; `index` and `time_ns` are filled by the builder.
    pub fn client(process: u64, kind: OpType, f: &str, value: Value) -> Op {
        Op {
            index: 0,
            time_ns: 0,
            process: Process::Client(process),
            kind,
            f: f.into(),
            key: None,
            value,
            node: None,
            error: None,
        }
    }

    pub fn with_key(mut self, key: Key) -> Op {
        self.key = Some(key);
        self
    }

    pub fn with_time_ns(mut self, time_ns: u64) -> Op {
        self.time_ns = time_ns;
        self
    }

    pub fn is_client(&self) -> bool {
        matches!(self.process, Process::Client(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the round-trip property (history/tests/roundtrip.rs): without serde_json's
    /// `float_roundtrip`, about a third of all finite floats (these three among them) read
    /// back one unit in the last place off, so a history did not read back as written.
    #[test]
    fn floats_read_back_exactly() {
        for f in [
            -1.4453218923736016e-34f64,
            6.096035935985606e117,
            2.699038309416696e-307,
        ] {
            let op = Op::client(0, OpType::Ok, "read", serde_json::json!(f));
            let text = serde_json::to_string(&op).unwrap();
            let again: Op = serde_json::from_str(&text).unwrap();
            assert_eq!(
                again.value.as_f64().map(f64::to_bits),
                Some(f.to_bits()),
                "{text}"
            );
        }
    }
}
