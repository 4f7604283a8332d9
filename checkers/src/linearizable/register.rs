//! Registers: `register` (read, write) and `cas-register` (read, write, cas), initially nil.
//!
//! Values are interned per key (nil is 0), so a state is the id of the value held.

use super::model::{show, Effect, Interner, OpView, Outcome, Spec};
use history::{Dialect, Value};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RegOp {
    Read(u32),
    Write(u32),
    Cas(u32, u32),
    /// A CAS that completed with `fail` in the Porcupine dialect: it saw another value.
    CasFailed(u32),
}

const NIL: u32 = 0;

/// One key's register.
pub struct RegisterSpec {
    cas: bool,
    dialect: Dialect,
    values: Vec<Value>,
    ints: FxHashMap<i64, u32>,
    others: FxHashMap<String, u32>,
    classes: Interner<RegOp>,
}

impl RegisterSpec {
    pub fn new(cas: bool, dialect: Dialect) -> Self {
        RegisterSpec {
            cas,
            dialect,
            values: vec![Value::Null],
            ints: FxHashMap::default(),
            others: FxHashMap::default(),
            classes: Interner::new(),
        }
    }

    fn value(&mut self, v: &Value) -> u32 {
        let next = self.values.len() as u32;
        let id = match v {
            Value::Null => return NIL,
            Value::Number(n) if n.as_i64().is_some() => {
                *self.ints.entry(n.as_i64().unwrap_or(0)).or_insert(next)
            }
            other => *self.others.entry(other.to_string()).or_insert(next),
        };
        if id == next {
            self.values.push(v.clone());
        }
        id
    }

    fn functions(&self) -> &'static str {
        if self.cas {
            "read, write and cas"
        } else {
            "read and write (use --model cas-register for cas)"
        }
    }
}

impl Spec for RegisterSpec {
    fn class_of(&mut self, op: OpView) -> Result<Option<u32>, String> {
        let (f, value, result, outcome) = (op.f, op.value, op.result, op.outcome);
        let op = match (f, outcome) {
            ("read" | "r", Outcome::Unknown) => return Ok(None),
            ("read" | "r", Outcome::Fail) => return Ok(None),
            ("read" | "r", Outcome::Ok) => {
                if result.is_null() && self.dialect == Dialect::Knossos {
                    return Ok(None);
                }
                RegOp::Read(self.value(result))
            }
            ("write" | "w", Outcome::Fail) => return Ok(None),
            ("write" | "w", _) => RegOp::Write(self.value(value)),
            ("cas", _) if self.cas => {
                let Value::Array(pair) = value else {
                    return Err(format!("a cas value must be [from, to], found {value}"));
                };
                let [from, to] = pair.as_slice() else {
                    return Err(format!("a cas value must be [from, to], found {value}"));
                };
                let (from, to) = (self.value(from), self.value(to));
                if outcome == Outcome::Fail {
                    RegOp::CasFailed(from)
                } else {
                    RegOp::Cas(from, to)
                }
            }
            _ => {
                return Err(format!(
                    "the {} model has no function {f:?}: it knows {}",
                    if self.cas { "cas-register" } else { "register" },
                    self.functions()
                ))
            }
        };
        Ok(Some(self.classes.id(op)))
    }

    fn init(&self) -> u32 {
        NIL
    }

    #[inline]
    fn legal(&self, state: u32, class: u32) -> bool {
        match self.classes.get(class) {
            RegOp::Read(v) | RegOp::Cas(v, _) => state == v,
            RegOp::Write(_) => true,
            RegOp::CasFailed(from) => state != from,
        }
    }

    #[inline]
    fn step(&mut self, state: u32, class: u32) -> Option<u32> {
        match self.classes.get(class) {
            RegOp::Read(v) => (state == v).then_some(state),
            RegOp::Write(v) => Some(v),
            RegOp::Cas(from, to) => (state == from).then_some(to),
            RegOp::CasFailed(from) => (state != from).then_some(state),
        }
    }

    fn stutter_or_overwrite(&self, _class: u32) -> bool {
        true
    }

    fn read_only(&self, class: u32) -> bool {
        match self.classes.get(class) {
            RegOp::Read(_) | RegOp::CasFailed(_) => true,
            RegOp::Cas(from, to) => from == to,
            RegOp::Write(_) => false,
        }
    }

    fn blind(&self, class: u32) -> bool {
        matches!(self.classes.get(class), RegOp::Write(_))
    }

    fn effect(&self, class: u32) -> Effect {
        match self.classes.get(class) {
            RegOp::Read(v) => Effect::Observe(v),
            RegOp::Write(v) => Effect::Set(v),
            RegOp::Cas(a, b) => Effect::CompareSet(a, b),
            RegOp::CasFailed(_) => Effect::Keep,
        }
    }

    fn describe_state(&self, state: u32) -> String {
        show(&self.values[state as usize])
    }

    fn describe_class(&self, class: u32) -> String {
        let v = |id: u32| show(&self.values[id as usize]);
        match self.classes.get(class) {
            RegOp::Read(x) => format!("read -> {}", v(x)),
            RegOp::Write(x) => format!("write {}", v(x)),
            RegOp::Cas(a, b) => format!("cas {} -> {}", v(a), v(b)),
            RegOp::CasFailed(a) => format!("cas from {} (failed: saw another value)", v(a)),
        }
    }

    fn memory_bytes(&self) -> usize {
        self.values.len() * 48 + self.classes.len() * 40
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn steps_follow_register_semantics() {
        let mut s = RegisterSpec::new(true, Dialect::Porcupine);
        let w1 = s
            .class_of(OpView {
                f: "write",
                value: &json!(1),
                result: &json!(1),
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap()
            .unwrap();
        let r1 = s
            .class_of(OpView {
                f: "read",
                value: &json!(null),
                result: &json!(1),
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap()
            .unwrap();
        let rnil = s
            .class_of(OpView {
                f: "read",
                value: &json!(null),
                result: &json!(null),
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap()
            .unwrap();
        let c12 = s
            .class_of(OpView {
                f: "cas",
                value: &json!([1, 2]),
                result: &json!([1, 2]),
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap()
            .unwrap();
        let f1 = s
            .class_of(OpView {
                f: "cas",
                value: &json!([1, 2]),
                result: &json!([1, 2]),
                outcome: Outcome::Fail,
                process: 0,
            })
            .unwrap()
            .unwrap();
        let one = s.step(NIL, w1).unwrap();
        assert_eq!(s.step(NIL, rnil), Some(NIL));
        assert_eq!(s.step(one, rnil), None);
        assert_eq!(s.step(one, r1), Some(one));
        let two = s.step(one, c12).unwrap();
        assert_ne!(two, one);
        assert_eq!(s.step(NIL, c12), None);
        assert_eq!(s.step(one, f1), None);
        assert_eq!(s.step(two, f1), Some(two));
        assert!(s.blind(w1) && !s.blind(c12));
        assert_eq!(s.describe_class(c12), "cas 1 -> 2");
    }

    #[test]
    fn dialects_differ_on_nil_reads_and_translation_errors_are_clear() {
        let mut k = RegisterSpec::new(false, Dialect::Knossos);
        assert_eq!(
            k.class_of(OpView {
                f: "read",
                value: &json!(null),
                result: &json!(null),
                outcome: Outcome::Ok,
                process: 0
            }),
            Ok(None)
        );
        assert_eq!(
            k.class_of(OpView {
                f: "read",
                value: &json!(null),
                result: &json!(3),
                outcome: Outcome::Unknown,
                process: 0
            }),
            Ok(None)
        );
        let e = k
            .class_of(OpView {
                f: "cas",
                value: &json!([1, 2]),
                result: &json!(null),
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap_err();
        assert!(e.contains("cas-register"), "{e}");
        let mut c = RegisterSpec::new(true, Dialect::Porcupine);
        let e = c
            .class_of(OpView {
                f: "cas",
                value: &json!(3),
                result: &json!(null),
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap_err();
        assert!(e.contains("[from, to]"), "{e}");
        assert!(c
            .class_of(OpView {
                f: "read",
                value: &json!(null),
                result: &json!(null),
                outcome: Outcome::Ok,
                process: 0
            })
            .unwrap()
            .is_some());
    }
}
