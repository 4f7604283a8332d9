//! Reading a history's log ops, in schism's shape or in Jepsen's, into one form: each
//! client op with its outcome and what it did, as a list of micro-ops (a send of a value
//! to a key's log, with the offset it got when known; a poll, with the `[offset, value]`
//! pairs it returned per key; or a reassignment of the consumer).
//!
//! schism's shape (see the module story of [`super`]): `send` with the key in the op's
//! `key` and the value as its value, ok with `[offset, value]`; `poll` with a null value
//! (a main-phase poll) or `{"final": true}` (a read of the key's whole log, or of every
//! key's when the op has no key), ok with `{key: [[offset, value], ...]}`.
//!
//! Jepsen's shape (its kafka test, and Maelstrom's kafka workload, which uses it): ops
//! `send`, `poll` or `txn` whose value is a list of micro-ops `["send", k, v]` and
//! `["poll"]`, completed as `["send", k, [offset, v]]` (offset nil when unknown) and
//! `["poll", {k: [[offset, v], ...]}]`; `assign` and `subscribe` change what a consumer
//! reads. Keys are compared by name: the integer 3 and the string `"3"` name one log
//! (Maelstrom sends Jepsen's integer keys as strings, and JSON maps have string keys).

use history::{History, Key, OpType, Value};
use smol_str::SmolStr;
use std::fmt;

/// A log's name: its key as text.
pub type LogKey = SmolStr;

/// A value sent to a log, as a hash key: integers (the usual case) without formatting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Elem {
    Int(i64),
    Other(SmolStr),
}

impl Elem {
    pub fn of(v: &Value) -> Elem {
        v.as_i64()
            .map_or_else(|| Elem::Other(v.to_string().into()), Elem::Int)
    }

    /// The value again, as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Elem::Int(i) => Value::from(*i),
            Elem::Other(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        }
    }
}

impl fmt::Display for Elem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Elem::Int(i) => write!(f, "{i}"),
            Elem::Other(s) => f.write_str(s),
        }
    }
}

/// The name of a log given as an op's key.
pub fn key_name(k: &Key) -> LogKey {
    match k {
        Key::Int(i) => i.to_string().into(),
        Key::Str(s) => s.clone(),
    }
}

/// The name of a log given as a JSON value (an integer or a string).
pub fn value_key(v: &Value) -> Option<LogKey> {
    match v {
        Value::Number(n) => n.as_i64().map(|i| i.to_string().into()),
        Value::String(s) => Some(s.as_str().into()),
        _ => None,
    }
}

/// A log's name as an anomaly's key: an integer when it reads as one.
pub fn as_key(k: &LogKey) -> Key {
    k.parse().map_or_else(|_| Key::Str(k.clone()), Key::Int)
}

/// One `[offset, value]` pair a poll returned.
pub type Pair = (i64, Elem);

/// What an op did, one step of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Mop {
    /// A send of `value` to `key`; `offset` when the op is ok and it was told.
    Send {
        key: LogKey,
        value: Elem,
        offset: Option<i64>,
    },
    /// A poll: the pairs it returned per key, in the order returned.
    Poll(Vec<(LogKey, Vec<Pair>)>),
}

/// What kind of op.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Sends and main-phase polls (in Jepsen's shape, a transaction of them).
    Ops,
    /// A final read from offset 0 of one key's log, or of every key's (None).
    Final(Option<LogKey>),
    /// The consumer was given other keys to read (Jepsen's `assign`, `subscribe`).
    Assign,
}

/// One client op of the log.
#[derive(Debug, Clone)]
pub struct LogOp {
    pub invoke: usize,
    pub complete: Option<usize>,
    pub process: u64,
    /// Ok, fail, or info (also for an op that never completed).
    pub outcome: OpType,
    pub kind: Kind,
    /// An ok op: what it did, as completed. Any other: the sends it asked for (no offset;
    /// its polls tell nothing).
    pub mops: Vec<Mop>,
}

/// The log ops of a history, and the ops that could not be read.
#[derive(Debug, Default)]
pub struct Read {
    pub ops: Vec<LogOp>,
    /// (op index, what is wrong), the first few.
    pub malformed: Vec<(usize, String)>,
    pub malformed_count: usize,
}

/// Malformed ops remembered by index (the others are counted).
const MALFORMED_KEPT: usize = 1;

/// Read every client op of the log, in order of invocation.
pub fn read(history: &History) -> Read {
    let ops = history.ops();
    let mut read = Read::default();
    for (i, c) in history.client_pairs() {
        let (invoke, done) = (&ops[i], c.map(|c| &ops[c]));
        let outcome = done.map_or(OpType::Info, |d| d.kind);
        let history::Process::Client(process) = invoke.process else {
            continue;
        };
        let ok = outcome == OpType::Ok;
        let result = match (invoke.f.as_str(), is_mops(&invoke.value)) {
            ("send" | "poll" | "txn", true) => jepsen(invoke, done.filter(|_| ok)),
            ("send", false) => native_send(invoke, done.filter(|_| ok)),
            ("poll", false) => native_poll(invoke, done.filter(|_| ok)),
            ("assign" | "subscribe", _) => Ok((Kind::Assign, Vec::new())),
            _ => continue,
        };
        match result {
            Ok((kind, mops)) => read.ops.push(LogOp {
                invoke: i,
                complete: c,
                process,
                outcome,
                kind,
                mops,
            }),
            Err(e) => {
                read.malformed_count += 1;
                if read.malformed.len() < MALFORMED_KEPT {
                    read.malformed.push((c.unwrap_or(i), e));
                }
            }
        }
    }
    read
}

type Parsed = Result<(Kind, Vec<Mop>), String>;

/// Whether a value is a list of Jepsen's micro-ops (`["send", k, v]`, `["poll"]`).
fn is_mops(v: &Value) -> bool {
    let Value::Array(items) = v else {
        return false;
    };
    !items.is_empty()
        && items
            .iter()
            .all(|m| matches!(m.get(0).and_then(Value::as_str), Some("send" | "poll")))
}

fn native_send(invoke: &history::Op, done: Option<&history::Op>) -> Parsed {
    let key = invoke
        .key
        .as_ref()
        .map(key_name)
        .ok_or("a send names no key")?;
    let value = Elem::of(&invoke.value);
    let offset = match done {
        None => None,
        Some(d) => {
            let (offset, got) = pair(&d.value).ok_or_else(|| {
                format!(
                    "an ok send completes with [offset, value], not {}",
                    crate::report::show(&d.value)
                )
            })?;
            if got != value {
                return Err(format!("a send of {value} completed as a send of {got}"));
            }
            offset
        }
    };
    Ok((Kind::Ops, vec![Mop::Send { key, value, offset }]))
}

fn native_poll(invoke: &history::Op, done: Option<&history::Op>) -> Parsed {
    let kind = if invoke.value.get("final") == Some(&Value::Bool(true)) {
        Kind::Final(invoke.key.as_ref().map(key_name))
    } else {
        Kind::Ops
    };
    let mops = match done {
        None => Vec::new(),
        Some(d) => vec![Mop::Poll(polled(&d.value)?)],
    };
    Ok((kind, mops))
}

/// `[offset, value]` with an integer (or null) offset.
fn pair(v: &Value) -> Option<(Option<i64>, Elem)> {
    match v.as_array().map(Vec::as_slice) {
        Some([Value::Null, v]) => Some((None, Elem::of(v))),
        Some([o, v]) => Some((Some(o.as_i64()?), Elem::of(v))),
        _ => None,
    }
}

/// `{key: [[offset, value], ...]}` (null: nothing).
fn polled(v: &Value) -> Result<Vec<(LogKey, Vec<Pair>)>, String> {
    let bad = || {
        format!(
            "a poll completes with {{key: [[offset, value], ...]}}, not {}",
            crate::report::show(v)
        )
    };
    let map = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Object(m) => m,
        _ => return Err(bad()),
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, pairs) in map {
        let pairs = match pairs {
            Value::Null => Vec::new(),
            Value::Array(ps) => ps
                .iter()
                .map(|p| match pair(p) {
                    Some((Some(o), v)) => Ok((o, v)),
                    _ => Err(bad()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(bad()),
        };
        out.push((k.as_str().into(), pairs));
    }
    Ok(out)
}

fn jepsen(invoke: &history::Op, done: Option<&history::Op>) -> Parsed {
    let Some(done) = done else {
        // Not ok: the sends it asked for, with no offsets.
        let sends = invoke
            .value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| match m.as_array().map(Vec::as_slice) {
                Some([f, k, v]) if f == "send" => Some(Mop::Send {
                    key: value_key(k)?,
                    value: Elem::of(v),
                    offset: None,
                }),
                _ => None,
            })
            .collect();
        return Ok((Kind::Ops, sends));
    };
    let bad = |m: &Value| {
        format!(
            "a micro-op completes as [\"send\", k, [offset, v]] or [\"poll\", {{k: pairs}}], \
             not {}",
            crate::report::show(m)
        )
    };
    let items = done.value.as_array().ok_or_else(|| bad(&done.value))?;
    let mut mops = Vec::with_capacity(items.len());
    for m in items {
        match m.as_array().map(Vec::as_slice) {
            Some([f, k, v]) if f == "send" => {
                let key = value_key(k).ok_or_else(|| bad(m))?;
                let (offset, value) = pair(v).unwrap_or((None, Elem::of(v)));
                mops.push(Mop::Send { key, value, offset });
            }
            Some([f]) if f == "poll" => mops.push(Mop::Poll(Vec::new())),
            Some([f, p]) if f == "poll" => mops.push(Mop::Poll(polled(p)?)),
            _ => return Err(bad(m)),
        }
    }
    Ok((Kind::Ops, mops))
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    fn one(invoke: Op, done: Op) -> Read {
        read(&History::from_ops(vec![invoke, done], Dialect::Schism).unwrap())
    }

    #[test]
    fn schisms_send_and_poll_are_read() {
        let r = one(
            Op::client(0, OpType::Invoke, "send", json!(5)).with_key(Key::Int(2)),
            Op::client(0, OpType::Ok, "send", json!([7, 5])).with_key(Key::Int(2)),
        );
        let send = Mop::Send {
            key: "2".into(),
            value: Elem::Int(5),
            offset: Some(7),
        };
        assert_eq!(r.ops[0].mops, vec![send]);
        let r = one(
            Op::client(1, OpType::Invoke, "poll", json!({"final": true})).with_key(Key::Int(2)),
            Op::client(1, OpType::Ok, "poll", json!({"2": [[0, 5], [1, "x"]]})),
        );
        assert_eq!(r.ops[0].kind, Kind::Final(Some("2".into())));
        assert_eq!(
            r.ops[0].mops,
            vec![Mop::Poll(vec![(
                "2".into(),
                vec![(0, Elem::Int(5)), (1, Elem::Other("\"x\"".into()))]
            )])]
        );
        assert_eq!(Elem::Other("\"x\"".into()).to_value(), json!("x"));
    }

    #[test]
    fn jepsens_micro_ops_are_read_and_unsure_sends_keep_no_offset() {
        let r = one(
            Op::client(0, OpType::Invoke, "txn", json!([["send", 1, 5], ["poll"]])),
            Op::client(
                0,
                OpType::Ok,
                "txn",
                json!([["send", 1, [3, 5]], ["poll", {"1": [[3, 5]]}]]),
            ),
        );
        assert_eq!(r.ops[0].mops.len(), 2);
        assert!(matches!(&r.ops[0].mops[1], Mop::Poll(p) if p[0].1 == vec![(3, Elem::Int(5))]));
        let r = one(
            Op::client(0, OpType::Invoke, "send", json!([["send", "k", 5]])),
            Op::client(0, OpType::Info, "send", json!([["send", "k", [null, 5]]])),
        );
        assert_eq!(
            r.ops[0].mops,
            vec![Mop::Send {
                key: "k".into(),
                value: Elem::Int(5),
                offset: None
            }]
        );
    }

    #[test]
    fn wrong_shapes_are_malformed() {
        for (invoke, done) in [
            (json!(5), json!(5)),
            (json!(5), json!([1, 6])),
            (json!(5), json!(["x", 5])),
        ] {
            let r = one(
                Op::client(0, OpType::Invoke, "send", invoke).with_key(Key::Int(1)),
                Op::client(0, OpType::Ok, "send", done.clone()).with_key(Key::Int(1)),
            );
            assert_eq!(r.malformed_count, 1, "{done}");
            assert_eq!(r.malformed[0].0, 1);
        }
        let r = one(
            Op::client(0, OpType::Invoke, "poll", json!(null)),
            Op::client(0, OpType::Ok, "poll", json!({"1": [[1]]})),
        );
        assert!(
            r.malformed[0].1.contains("[[offset, value]"),
            "{:?}",
            r.malformed
        );
    }
}
