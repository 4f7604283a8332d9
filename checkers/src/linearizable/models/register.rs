//! Registers: `register` (read, write) and `cas-register` (read, write, cas), initially nil.
//!
//! Each op is its own shape: a read observes a value, a write sets one, a CAS compares and
//! sets, and a CAS that completed with `fail` (in a dialect where that is observed) saw a
//! value other than its `from`.

use crate::linearizable::open::{Model, OpView, Outcome, Shape};
use history::{Dialect, Value};
use std::fmt;

/// A register's value: integers compare as numbers, anything else as its JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Val {
    Nil,
    Int(i64),
    Json(Box<str>),
}

impl Val {
    fn of(v: &Value) -> Val {
        match v.as_i64() {
            _ if v.is_null() => Val::Nil,
            Some(i) => Val::Int(i),
            None => Val::Json(v.to_string().into()),
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Nil => f.write_str("nil"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Json(text) => f.write_str(text),
        }
    }
}

/// A register, with or without compare-and-set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Register {
    pub cas: bool,
}

impl Register {
    pub const PLAIN: Register = Register { cas: false };
    pub const CAS: Register = Register { cas: true };
}

impl Model for Register {
    type State = Val;
    /// Read: observe; write: set; cas: compare and set; a failed cas: differs.
    type Op = Shape<Val>;

    fn name(&self) -> &'static str {
        if self.cas {
            "cas-register"
        } else {
            "register"
        }
    }

    fn init(&self) -> Val {
        Val::Nil
    }

    fn op(&self, op: OpView) -> Result<Option<Shape<Val>>, String> {
        let shape = match (op.f, op.outcome) {
            ("read" | "r", Outcome::Unknown | Outcome::Fail) => return Ok(None),
            ("read" | "r", Outcome::Ok) => {
                if op.result.is_null() && op.dialect == Dialect::Knossos {
                    return Ok(None);
                }
                Shape::Observe(Val::of(op.result))
            }
            ("write" | "w", Outcome::Fail) => return Ok(None),
            ("write" | "w", _) => Shape::Set(Val::of(op.value)),
            ("cas", outcome) if self.cas => {
                let Some([from, to]) = op.value.as_array().map(Vec::as_slice) else {
                    return Err(format!(
                        "a cas value must be [from, to], found {}",
                        op.value
                    ));
                };
                match outcome {
                    Outcome::Fail => Shape::Differs(Val::of(from)),
                    _ => Shape::CompareSet(Val::of(from), Val::of(to)),
                }
            }
            (f, _) => {
                let knows = if self.cas {
                    "read, write and cas"
                } else {
                    "read and write (use --model cas-register for cas)"
                };
                return Err(format!(
                    "the {} model has no function {f:?}: it knows {knows}",
                    self.name()
                ));
            }
        };
        Ok(Some(shape))
    }

    fn step(&self, state: &Val, op: &Shape<Val>) -> Option<Val> {
        op.apply(state)
    }

    fn shape(&self, op: &Shape<Val>) -> Shape<Val> {
        op.clone()
    }

    fn describe_state(&self, state: &Val) -> String {
        state.to_string()
    }

    fn describe_op(&self, op: &Shape<Val>) -> String {
        match op {
            Shape::Observe(x) => format!("read -> {x}"),
            Shape::Set(x) => format!("write {x}"),
            Shape::CompareSet(a, b) => format!("cas {a} -> {b}"),
            Shape::Differs(a) => format!("cas from {a} (failed: saw another value)"),
            other => format!("{other:?}"),
        }
    }

    fn heap_bytes(&self, state: &Val) -> usize {
        match state {
            Val::Json(text) => text.len(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizable::models::view;
    use serde_json::json;

    fn op(r: Register, f: &str, value: Value, result: Value, o: Outcome) -> Shape<Val> {
        r.op(view(f, &value, &result, o, Dialect::Porcupine))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn steps_follow_register_semantics() {
        let r = Register::CAS;
        let w1 = op(r, "write", json!(1), json!(1), Outcome::Ok);
        let r1 = op(r, "read", json!(null), json!(1), Outcome::Ok);
        let rnil = op(r, "read", json!(null), json!(null), Outcome::Ok);
        let c12 = op(r, "cas", json!([1, 2]), json!([1, 2]), Outcome::Ok);
        let f1 = op(r, "cas", json!([1, 2]), json!([1, 2]), Outcome::Fail);
        let one = r.step(&Val::Nil, &w1).unwrap();
        assert_eq!(one, Val::Int(1));
        assert_eq!(r.step(&Val::Nil, &rnil), Some(Val::Nil));
        assert_eq!(r.step(&one, &rnil), None);
        assert_eq!(r.step(&one, &r1), Some(one.clone()));
        let two = r.step(&one, &c12).unwrap();
        assert_eq!(two, Val::Int(2));
        assert_eq!(r.step(&Val::Nil, &c12), None);
        assert_eq!(r.step(&one, &f1), None);
        assert_eq!(r.step(&two, &f1), Some(two.clone()));
        assert!(r.shape(&w1).blind() && !r.shape(&c12).blind());
        assert_eq!(r.describe_op(&c12), "cas 1 -> 2");
        let text = op(r, "write", json!("a"), json!(null), Outcome::Ok);
        assert_eq!(r.describe_op(&text), "write \"a\"");
        assert_ne!(Val::of(&json!(1.0)), Val::of(&json!(1)));
    }

    #[test]
    fn dialects_differ_on_nil_reads_and_translation_errors_are_clear() {
        let (null, k) = (json!(null), Dialect::Knossos);
        let plain = Register::PLAIN;
        let nil_read = view("read", &null, &null, Outcome::Ok, k);
        assert_eq!(plain.op(nil_read), Ok(None));
        let three = json!(3);
        let unknown = view("read", &null, &three, Outcome::Unknown, k);
        assert_eq!(plain.op(unknown), Ok(None));
        let pair = json!([1, 2]);
        let e = plain
            .op(view("cas", &pair, &null, Outcome::Ok, k))
            .unwrap_err();
        assert!(e.contains("cas-register"), "{e}");
        let e = Register::CAS
            .op(view("cas", &three, &null, Outcome::Ok, k))
            .unwrap_err();
        assert!(e.contains("[from, to]"), "{e}");
        let p = Dialect::Porcupine;
        let nil_read = view("read", &null, &null, Outcome::Ok, p);
        assert_eq!(
            Register::CAS.op(nil_read),
            Ok(Some(Shape::Observe(Val::Nil)))
        );
    }
}
