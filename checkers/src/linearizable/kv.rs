//! A string key-value store with get, put and append, as Porcupine's kv tests use it.
//! Each key is its own object (split by key before the search); a missing key reads "".

use super::model::{Effect, Outcome, Spec};
use hashbrown::HashTable;
use history::{Dialect, Value};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KvOp {
    /// Returns the string with this state id.
    Get(u32),
    /// Sets the string with this state id.
    Put(u32),
    /// Appends the argument with this id.
    Append(u32),
}

/// One key of a kv store: states are interned strings, "" is 0.
pub struct KvSpec {
    dialect: Dialect,
    strings: Vec<Box<str>>,
    string_index: HashTable<u32>,
    args: Vec<String>,
    classes: Vec<KvOp>,
    class_index: FxHashMap<KvOp, u32>,
    appended: FxHashMap<(u32, u32), u32>,
    bytes: usize,
}

impl KvSpec {
    pub fn new(dialect: Dialect) -> Self {
        let mut s = KvSpec {
            dialect,
            strings: Vec::new(),
            string_index: HashTable::new(),
            args: Vec::new(),
            classes: Vec::new(),
            class_index: FxHashMap::default(),
            appended: FxHashMap::default(),
            bytes: 0,
        };
        s.state(String::new());
        s
    }

    /// The id of a string state, interned (each string is stored once).
    fn state(&mut self, s: String) -> u32 {
        let hash = FxBuildHasher.hash_one(s.as_str());
        let strings = &self.strings;
        if let Some(&id) = self
            .string_index
            .find(hash, |&i| *strings[i as usize] == *s)
        {
            return id;
        }
        let id = self.strings.len() as u32;
        self.bytes += s.len() + 24;
        self.strings.push(s.into_boxed_str());
        let strings = &self.strings;
        self.string_index
            .insert_unique(hash, id, |&i| FxBuildHasher.hash_one(&*strings[i as usize]));
        id
    }

    fn class(&mut self, op: KvOp) -> u32 {
        let next = self.classes.len() as u32;
        let id = *self.class_index.entry(op).or_insert(next);
        if id == next {
            self.classes.push(op);
        }
        id
    }
}

fn text(v: &Value, what: &str) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("a kv {what} must be a string, found {other}")),
    }
}

impl Spec for KvSpec {
    fn class_of(
        &mut self,
        f: &str,
        value: &Value,
        result: &Value,
        outcome: Outcome,
    ) -> Result<Option<u32>, String> {
        let op = match (f, outcome) {
            ("get" | "read", Outcome::Ok) => {
                if result.is_null() && self.dialect == Dialect::Knossos {
                    return Ok(None);
                }
                let s = if result.is_null() {
                    String::new()
                } else {
                    text(result, "get result")?
                };
                KvOp::Get(self.state(s))
            }
            ("get" | "read", _) => return Ok(None),
            ("put" | "write" | "append", Outcome::Fail) => return Ok(None),
            ("put" | "write", _) => KvOp::Put(self.state(text(value, "put value")?)),
            ("append", _) => {
                let a = text(value, "append value")?;
                let id = self.args.len() as u32;
                let id = match self.args.iter().position(|x| *x == a) {
                    Some(i) => i as u32,
                    None => {
                        self.bytes += a.len() + 24;
                        self.args.push(a);
                        id
                    }
                };
                KvOp::Append(id)
            }
            _ => {
                return Err(format!(
                    "the kv model has no function {f:?}: it knows get, put and append"
                ))
            }
        };
        Ok(Some(self.class(op)))
    }

    fn init(&self) -> u32 {
        0
    }

    fn step(&mut self, state: u32, class: u32) -> Option<u32> {
        match self.classes[class as usize] {
            KvOp::Get(s) => (state == s).then_some(state),
            KvOp::Put(s) => Some(s),
            KvOp::Append(a) => {
                if let Some(&s) = self.appended.get(&(state, a)) {
                    return Some(s);
                }
                let s = format!("{}{}", self.strings[state as usize], self.args[a as usize]);
                let id = self.state(s);
                self.appended.insert((state, a), id);
                self.bytes += 16;
                Some(id)
            }
        }
    }

    fn stutter_or_overwrite(&self, class: u32) -> bool {
        !matches!(self.classes[class as usize], KvOp::Append(_))
    }

    fn read_only(&self, class: u32) -> bool {
        matches!(self.classes[class as usize], KvOp::Get(_))
    }

    fn blind(&self, class: u32) -> bool {
        matches!(self.classes[class as usize], KvOp::Put(_))
    }

    fn effect(&self, class: u32) -> Effect {
        match self.classes[class as usize] {
            KvOp::Get(s) => Effect::Observe(s),
            KvOp::Put(s) => Effect::Set(s),
            KvOp::Append(_) => Effect::Other,
        }
    }

    fn describe_state(&self, state: u32) -> String {
        format!("{:?}", self.strings[state as usize])
    }

    fn describe_class(&self, class: u32) -> String {
        match self.classes[class as usize] {
            KvOp::Get(s) => format!("get -> {:?}", self.strings[s as usize]),
            KvOp::Put(s) => format!("put {:?}", self.strings[s as usize]),
            KvOp::Append(a) => format!("append {:?}", self.args[a as usize]),
        }
    }

    fn memory_bytes(&self) -> usize {
        self.bytes + self.classes.len() * 24
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn get_put_append_behave_like_a_string_map_entry() {
        let mut s = KvSpec::new(Dialect::Porcupine);
        let c = |s: &mut KvSpec, f: &str, v: Value, r: Value| {
            s.class_of(f, &v, &r, Outcome::Ok).unwrap().unwrap()
        };
        let put_a = c(&mut s, "put", json!("a"), json!(null));
        let app_b = c(&mut s, "append", json!("b"), json!(null));
        let get_ab = c(&mut s, "get", json!(null), json!("ab"));
        let get_empty = c(&mut s, "get", json!(null), json!(""));
        assert_eq!(s.step(0, get_empty), Some(0));
        let a = s.step(0, put_a).unwrap();
        let ab = s.step(a, app_b).unwrap();
        assert_eq!(s.step(ab, get_ab), Some(ab));
        assert_eq!(s.step(a, get_ab), None);
        assert_eq!(s.step(a, app_b), Some(ab), "cached");
        assert!(!s.stutter_or_overwrite(app_b) && s.stutter_or_overwrite(put_a));
        assert!(s
            .class_of("cas", &json!(1), &json!(1), Outcome::Ok)
            .is_err());
    }
}
