//! Transactions as the checkers see them: each `txn` op of a history, with its outcome and
//! its micro-ops parsed and interned.
//!
//! A transaction is an op with `f = "txn"` whose value is an array of micro-ops
//! `[f, key, value]`: `["append", k, v]` or `["w", k, v]` for writes, `["r", k, v]` for
//! reads (`v` null at invocation, filled at an ok completion). Function names may carry
//! Clojure's colon (`":append"`), as some EDN exports do. Keys and values are integers or
//! strings, interned to small numbers; a value names its write because the values written
//! to a key are unique.
//!
//! Outcomes: `ok` happened, and its completion's micro-ops carry what its reads saw;
//! `fail` did not happen; `info` (or no completion) may have happened, its reads unknown.
//! A transaction whose micro-ops cannot be parsed, or whose ok completion does not carry
//! the micro-ops it was invoked with (the same functions and keys in the same order, the
//! same values written), is kept (so ids stay aligned) with no micro-ops, and noted as
//! malformed: the verdict cannot then be `valid`, and `schism check` names its line.
//! Integer keys and values are read by `crate::values` (any width).

use super::budget::{Clock, TimeUp};
use crate::values::int;
use history::{History, Key, Malformed, OpType, Process, Value};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::fmt::Write as _;

/// A transaction's position in [`Txns::list`] (invocation order).
pub type TxnId = u32;
/// An interned key.
pub type KeyId = u32;
/// An interned value.
pub type ValId = u32;

/// Which data type the micro-ops act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Datatype {
    /// Lists: `append` adds at the end, a read returns the whole list.
    ListAppend,
    /// Registers: `w` replaces the value, a read returns it (null: never written).
    RwRegister,
}

impl Datatype {
    pub fn name(self) -> &'static str {
        match self {
            Datatype::ListAppend => "list-append",
            Datatype::RwRegister => "rw-register",
        }
    }
    /// The function of this data type's writes.
    pub fn write_f(self) -> &'static str {
        match self {
            Datatype::ListAppend => "append",
            Datatype::RwRegister => "w",
        }
    }
}

/// What became of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Indeterminate: `info`, or never completed.
    Info,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Info => "info",
            Status::Fail => "fail",
        }
    }
    /// Ok or info: may be in the dependency graph.
    pub fn maybe_committed(self) -> bool {
        self != Status::Fail
    }
}

/// What a read saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Not known (the transaction did not complete ok).
    Unknown,
    /// A list (list-append); empty for the initial state.
    List(Box<[ValId]>),
    /// A register's value (None: the initial nil).
    Reg(Option<ValId>),
}

/// One micro-op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mop {
    /// `append` (list-append) or `w` (rw-register).
    Write {
        key: KeyId,
        value: ValId,
    },
    Read {
        key: KeyId,
        seen: Seen,
    },
}

impl Mop {
    pub fn key(&self) -> KeyId {
        match self {
            Mop::Write { key, .. } | Mop::Read { key, .. } => *key,
        }
    }
}

/// One transaction.
#[derive(Debug, Clone)]
pub struct Txn {
    /// Index of its invocation in the history.
    pub invoke: u32,
    /// Index of its completion (None: never completed).
    pub complete: Option<u32>,
    pub process: Process,
    pub status: Status,
    pub mops: Box<[Mop]>,
}

/// An interned value as written in the history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lit {
    Int(i128),
    Str(SmolStr),
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lit::Int(i) => write!(f, "{i}"),
            Lit::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// The transactions of a history.
#[derive(Debug, Default)]
pub struct Txns {
    pub list: Vec<Txn>,
    pub keys: Vec<Key>,
    pub vals: Vec<Lit>,
    key_ids: FxHashMap<Key, KeyId>,
    int_ids: FxHashMap<i128, ValId>,
    str_ids: FxHashMap<SmolStr, ValId>,
    /// Malformed transactions: (the op that shows it, what is wrong), the first few.
    pub malformed: Vec<(u32, String)>,
    pub malformed_count: usize,
    /// Client ops that are not transactions.
    pub other_ops: usize,
}

/// Malformed transactions named in full.
const MALFORMED_SHOWN: usize = 5;

/// A micro-op function, without Clojure's colon.
fn function(v: &Value) -> Option<&str> {
    let s = v.as_str()?;
    Some(s.strip_prefix(':').unwrap_or(s))
}

/// Whether an ok completion carries the micro-ops its invocation asked for: as many, each
/// with the same function and key, and each write with the same value (reads are filled).
fn same_mops(invoked: &Value, done: &Value, dt: Datatype) -> Result<(), String> {
    let (Value::Array(asked), Value::Array(got)) = (invoked, done) else {
        return Ok(()); // Not arrays: parse_mops says what is wrong.
    };
    if asked.len() != got.len() {
        return Err(format!(
            "its ok completion carries {} micro-op(s), but it was invoked with {}",
            got.len(),
            asked.len()
        ));
    }
    for (i, (a, g)) in asked.iter().zip(got).enumerate() {
        let (Value::Array(a), Value::Array(g)) = (a, g) else {
            continue;
        };
        let f = |p: &[Value]| p.first().and_then(function).map(str::to_string);
        let same_op = a.len() == g.len() && f(a) == f(g) && a.get(1) == g.get(1);
        let write = f(a).as_deref() == Some(dt.write_f());
        if !same_op || (write && a.get(2) != g.get(2)) {
            return Err(format!(
                "its ok completion's micro-op {} is {}, but it was invoked as {}",
                i + 1,
                crate::report::show(&Value::Array(g.clone())),
                crate::report::show(&Value::Array(a.clone()))
            ));
        }
    }
    Ok(())
}

impl Txns {
    /// The transactions of `history`, in invocation order.
    pub fn extract(history: &History, dt: Datatype, clock: &mut Clock) -> Result<Txns, TimeUp> {
        let ops = history.ops();
        let mut t = Txns::default();
        for (i, c) in history.client_pairs() {
            clock.tick()?;
            let inv = &ops[i];
            if inv.f != "txn" && inv.f != ":txn" {
                t.other_ops += 1;
                continue;
            }
            let completion = c.map(|c| &ops[c]);
            let status = match completion.map(|c| c.kind) {
                Some(OpType::Ok) => Status::Ok,
                Some(OpType::Fail) => Status::Fail,
                _ => Status::Info,
            };
            let source = match (status, completion) {
                (Status::Ok, Some(c)) => &c.value,
                _ => &inv.value,
            };
            // A problem is told at the op that shows it: the completion, when it does not
            // match its invocation; else the op whose micro-ops were read.
            let parsed = match completion.filter(|_| status == Status::Ok) {
                Some(c) => same_mops(&inv.value, &c.value, dt)
                    .map_err(|e| (c.index as u32, e))
                    .and_then(|()| {
                        t.parse_mops(source, dt, true)
                            .map_err(|e| (c.index as u32, e))
                    }),
                None => t.parse_mops(source, dt, false).map_err(|e| (i as u32, e)),
            };
            let mops = match parsed {
                Ok(m) => m,
                Err(e) => {
                    t.malformed_count += 1;
                    if t.malformed.len() < MALFORMED_SHOWN {
                        t.malformed.push(e);
                    }
                    Vec::new()
                }
            };
            t.list.push(Txn {
                invoke: i as u32,
                complete: c.map(|c| c as u32),
                process: inv.process,
                status,
                mops: mops.into_boxed_slice(),
            });
        }
        Ok(t)
    }

    fn key(&mut self, v: &Value) -> Result<KeyId, String> {
        let k = match v {
            Value::Number(n) => Key::Int(
                n.as_i64()
                    .ok_or_else(|| format!("key {v} is not an integer of 64 bits"))?,
            ),
            Value::String(s) => Key::Str(s.as_str().into()),
            other => return Err(format!("key {other} is neither an integer nor a string")),
        };
        if let Some(&id) = self.key_ids.get(&k) {
            return Ok(id);
        }
        let id = self.keys.len() as KeyId;
        self.keys.push(k.clone());
        self.key_ids.insert(k, id);
        Ok(id)
    }

    fn val(&mut self, v: &Value) -> Result<ValId, String> {
        let next = self.vals.len() as ValId;
        let lit = match (int(v), v) {
            (Some(i), _) => Lit::Int(i),
            (None, Value::String(s)) => Lit::Str(s.as_str().into()),
            (None, Value::Number(_)) => return Err(format!("value {v} is not an integer")),
            (None, other) => {
                return Err(format!("value {other} is neither an integer nor a string"))
            }
        };
        let id = match &lit {
            Lit::Int(i) => *self.int_ids.entry(*i).or_insert(next),
            Lit::Str(s) => *self.str_ids.entry(s.clone()).or_insert(next),
        };
        if id == next {
            self.vals.push(lit);
        }
        Ok(id)
    }

    fn parse_mops(
        &mut self,
        v: &Value,
        dt: Datatype,
        reads_known: bool,
    ) -> Result<Vec<Mop>, String> {
        let Value::Array(items) = v else {
            return Err(format!(
                "the value {} is not an array of micro-ops",
                crate::report::show(v)
            ));
        };
        let mut mops = Vec::with_capacity(items.len());
        for m in items {
            let parts = match m {
                Value::Array(p) if p.len() == 3 => p,
                _ => {
                    return Err(format!(
                        "micro-op {} is not [f, key, value]",
                        crate::report::show(m)
                    ))
                }
            };
            let f = function(&parts[0]);
            let key = self.key(&parts[1])?;
            let mop = match (f, dt) {
                (Some("r"), _) => Mop::Read {
                    key,
                    seen: self.seen(&parts[2], dt, reads_known)?,
                },
                (Some("append"), Datatype::ListAppend) | (Some("w"), Datatype::RwRegister) => {
                    Mop::Write {
                        key,
                        value: self.val(&parts[2])?,
                    }
                }
                _ => {
                    return Err(format!(
                        "micro-op {} is not a read (r) or a write ({}) of {}",
                        crate::report::show(m),
                        dt.write_f(),
                        dt.name()
                    ))
                }
            };
            mops.push(mop);
        }
        Ok(mops)
    }

    fn seen(&mut self, v: &Value, dt: Datatype, known: bool) -> Result<Seen, String> {
        if !known {
            return Ok(Seen::Unknown);
        }
        Ok(match (dt, v) {
            (Datatype::ListAppend, Value::Null) => Seen::List(Box::new([])),
            (Datatype::ListAppend, Value::Array(items)) => Seen::List(
                items
                    .iter()
                    .map(|x| self.val(x))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_boxed_slice(),
            ),
            (Datatype::ListAppend, other) => {
                return Err(format!("read {} is not a list", crate::report::show(other)))
            }
            (Datatype::RwRegister, Value::Null) => Seen::Reg(None),
            (Datatype::RwRegister, x) => Seen::Reg(Some(self.val(x)?)),
        })
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The first malformed transaction, as a verdict notes it.
    pub fn first_malformed(&self, history: &History) -> Option<Malformed> {
        let (op, why) = self.malformed.first()?;
        let mut m = Malformed::at(history, *op as usize, why.clone());
        m.count = self.malformed_count;
        Some(m)
    }

    /// Key and value as one map key.
    pub fn kv(key: KeyId, value: ValId) -> u64 {
        ((key as u64) << 32) | value as u64
    }

    pub fn key_name(&self, k: KeyId) -> String {
        self.keys[k as usize].to_string()
    }

    pub fn val_name(&self, v: ValId) -> String {
        self.vals[v as usize].to_string()
    }

    /// What a read micro-op saw (`?` for a write).
    pub fn read_name(&self, m: &Mop) -> String {
        match m {
            Mop::Read {
                seen: Seen::List(l),
                ..
            } => self.list_name(l),
            Mop::Read {
                seen: Seen::Reg(v), ..
            } => self.reg_name(*v),
            _ => "?".into(),
        }
    }

    /// A register value, nil for the initial state.
    pub fn reg_name(&self, v: Option<ValId>) -> String {
        v.map_or_else(|| "nil".to_string(), |v| self.val_name(v))
    }

    /// A list as `[1 2 3]`; long lists keep their first and last elements.
    pub fn list_name(&self, l: &[ValId]) -> String {
        const HEAD: usize = 3;
        const TAIL: usize = 5;
        let mut s = String::from("[");
        let items: Vec<String> = if l.len() <= HEAD + TAIL + 1 {
            l.iter().map(|&v| self.val_name(v)).collect()
        } else {
            let mut v: Vec<String> = l[..HEAD].iter().map(|&v| self.val_name(v)).collect();
            v.push(format!("..({} more)..", l.len() - HEAD - TAIL));
            v.extend(l[l.len() - TAIL..].iter().map(|&v| self.val_name(v)));
            v
        };
        s.push_str(&items.join(" "));
        s.push(']');
        s
    }

    /// The end of a list as `[.. 4 5]` (the whole list when short).
    pub fn list_tail(&self, l: &[ValId]) -> String {
        if l.len() <= 3 {
            return self.list_name(l);
        }
        let tail: Vec<String> = l[l.len() - 2..].iter().map(|&v| self.val_name(v)).collect();
        format!("[.. {}]", tail.join(" "))
    }

    /// The micro-ops of a transaction as text: `[append 3 5] [r 4 [1 2]]`.
    pub fn text(&self, t: TxnId, dt: Datatype) -> String {
        let txn = &self.list[t as usize];
        if txn.mops.is_empty() {
            return "(no micro-ops)".to_string();
        }
        let mut s = String::new();
        for (i, m) in txn.mops.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            let _ = match m {
                Mop::Write { key, value } => write!(
                    s,
                    "[{} {} {}]",
                    dt.write_f(),
                    self.key_name(*key),
                    self.val_name(*value)
                ),
                Mop::Read { key, seen } => {
                    let v = match seen {
                        Seen::Unknown => "?".to_string(),
                        Seen::List(l) => self.list_name(l),
                        Seen::Reg(v) => self.reg_name(*v),
                    };
                    write!(s, "[r {} {v}]", self.key_name(*key))
                }
            };
            if s.len() > 400 {
                s.push_str(&format!(" ... ({} micro-ops in all)", txn.mops.len()));
                break;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    fn history(ops: Vec<(u64, OpType, Value)>) -> History {
        let ops = ops
            .into_iter()
            .map(|(p, k, v)| Op::client(p, k, "txn", v))
            .collect();
        History::from_ops(ops, Dialect::Schism).unwrap()
    }

    #[test]
    fn parses_outcomes_reads_and_keywords() {
        let h = history(vec![
            (
                0,
                OpType::Invoke,
                json!([[":append", 1, 2], ["r", "k", null]]),
            ),
            (1, OpType::Invoke, json!([["append", 1, 3]])),
            (
                0,
                OpType::Ok,
                json!([[":append", 1, 2], ["r", "k", [5, "x"]]]),
            ),
            (1, OpType::Fail, json!([["append", 1, 3]])),
            (2, OpType::Invoke, json!([["r", 1, null]])),
        ]);
        let t = Txns::extract(&h, Datatype::ListAppend, &mut Clock::new(None)).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.list.iter().map(|x| x.status).collect::<Vec<_>>(),
            [Status::Ok, Status::Fail, Status::Info]
        );
        assert_eq!(
            t.text(0, Datatype::ListAppend),
            "[append 1 2] [r \"k\" [5 \"x\"]]"
        );
        assert_eq!(t.text(2, Datatype::ListAppend), "[r 1 ?]");
        assert_eq!(t.list[0].complete, Some(2));
        assert_eq!(t.list[2].complete, None);
        assert_eq!(t.malformed_count, 0);
    }

    #[test]
    fn malformed_micro_ops_are_noted_not_fatal() {
        let h = history(vec![
            (0, OpType::Invoke, json!([["w", 1, 2]])),
            (0, OpType::Ok, json!([["w", 1, 2]])),
            (1, OpType::Invoke, json!(7)),
            (1, OpType::Ok, json!(7)),
            (2, OpType::Invoke, json!([["r", 1, null]])),
            (2, OpType::Ok, json!([["r", 1, {"a": 1}]])),
        ]);
        let t = Txns::extract(&h, Datatype::ListAppend, &mut Clock::new(None)).unwrap();
        assert_eq!(t.malformed_count, 3);
        assert!(t.malformed[0]
            .1
            .contains("not a read (r) or a write (append)"));
        assert!(t.malformed[1].1.contains("not an array"));
        assert!(t.malformed[2].1.contains("not a list"));
        let t = Txns::extract(&h, Datatype::RwRegister, &mut Clock::new(None)).unwrap();
        assert_eq!(t.malformed_count, 2, "{:?}", t.malformed);
        assert!(t.malformed[1].1.contains("neither an integer nor a string"));
    }

    #[test]
    fn an_ok_completion_must_carry_the_micro_ops_invoked() {
        let h = history(vec![
            (0, OpType::Invoke, json!([["append", 1, 2], ["r", 1, null]])),
            (0, OpType::Ok, json!([["append", 1, 2]])),
            (1, OpType::Invoke, json!([["append", 1, 3], ["r", 2, null]])),
            (1, OpType::Ok, json!([["append", 1, 4], ["r", 2, [1]]])),
            (2, OpType::Invoke, json!([["append", 1, 5], ["r", 2, null]])),
            (2, OpType::Ok, json!([["append", 1, 5], ["r", 3, []]])),
            (
                3,
                OpType::Invoke,
                json!([[":append", 1, 6], ["r", 2, null]]),
            ),
            (
                3,
                OpType::Ok,
                json!([["append", 1, 6], ["r", 2, [18446744073709551615u64]]]),
            ),
        ]);
        let t = Txns::extract(&h, Datatype::ListAppend, &mut Clock::new(None)).unwrap();
        assert_eq!(t.malformed_count, 3, "{:?}", t.malformed);
        assert!(t.malformed[0]
            .1
            .contains("carries 1 micro-op(s), but it was invoked with 2"));
        assert!(t.malformed[1].1.contains("micro-op 1 is [\"append\",1,4]"));
        assert!(t.malformed[2].1.contains("micro-op 2 is [\"r\",3,[]]"));
        assert_eq!(t.vals.last(), Some(&Lit::Int(18446744073709551615)));
        let m = t.first_malformed(&h).unwrap();
        assert_eq!((m.line, m.count), (2, 3));
    }

    #[test]
    fn long_lists_are_shortened() {
        let mut t = Txns::default();
        let l: Vec<ValId> = (0..20).map(|i| t.val(&json!(i)).unwrap()).collect();
        assert_eq!(t.list_name(&l[..3]), "[0 1 2]");
        assert_eq!(t.list_name(&l), "[0 1 2 ..(12 more).. 15 16 17 18 19]");
        assert_eq!(t.list_tail(&l), "[.. 18 19]");
    }
}
