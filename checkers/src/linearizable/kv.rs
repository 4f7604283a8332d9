//! A string key-value store with get, put and append, as Porcupine's kv tests use it.
//! Each key is its own object (split by key before the search); a missing key reads "".

use super::model::{Effect, Interner, OpView, Outcome, Spec};
use hashbrown::HashTable;
use history::{Dialect, Value};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KvOp {
    /// Returns the string with this state id.
    Get(u32),
    /// Sets the string with this state id.
    Put(u32),
    /// Appends the argument with this id.
    Append(u32),
}

/// A polynomial hash of a string, so that the hash of `s + a` follows from the hashes of
/// `s` and `a` without reading `s` again (states grow by appends to long strings).
const BASE: u64 = 0x100_0000_01b3;

fn poly_hash(s: &str) -> u64 {
    s.bytes()
        .fold(0u64, |h, b| h.wrapping_mul(BASE).wrapping_add(b as u64 + 1))
}

fn spread(h: u64) -> u64 {
    (h ^ (h >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// One key of a kv store: states are interned strings, "" is 0.
pub struct KvSpec {
    dialect: Dialect,
    strings: Vec<Box<str>>,
    /// The polynomial hash of each state's string.
    hashes: Vec<u64>,
    string_index: HashTable<u32>,
    args: Vec<String>,
    /// For each argument: its hash and BASE to the power of its length.
    arg_hash: Vec<(u64, u64)>,
    classes: Interner<KvOp>,
    appended: FxHashMap<(u32, u32), u32>,
    bytes: usize,
}

impl KvSpec {
    pub fn new(dialect: Dialect) -> Self {
        let mut s = KvSpec {
            dialect,
            strings: Vec::new(),
            hashes: Vec::new(),
            string_index: HashTable::new(),
            args: Vec::new(),
            arg_hash: Vec::new(),
            classes: Interner::new(),
            appended: FxHashMap::default(),
            bytes: 0,
        };
        s.state(String::new());
        s
    }

    /// The id of a string state, interned (each string is stored once).
    fn state(&mut self, s: String) -> u32 {
        let hash = poly_hash(&s);
        match self.find(hash, |t| *t == *s) {
            Some(id) => id,
            None => self.add(hash, s),
        }
    }

    fn find(&self, hash: u64, same: impl Fn(&str) -> bool) -> Option<u32> {
        let (strings, hashes) = (&self.strings, &self.hashes);
        self.string_index
            .find(spread(hash), |&i| {
                hashes[i as usize] == hash && same(&strings[i as usize])
            })
            .copied()
    }

    fn add(&mut self, hash: u64, s: String) -> u32 {
        let id = self.strings.len() as u32;
        self.bytes += s.len() + 40;
        self.strings.push(s.into_boxed_str());
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.string_index
            .insert_unique(spread(hash), id, |&i| spread(hashes[i as usize]));
        id
    }

    /// The state `state` with argument `a` appended, found without building the string
    /// when it exists already.
    fn append(&mut self, state: u32, a: u32) -> u32 {
        let (ah, pow) = self.arg_hash[a as usize];
        let hash = self.hashes[state as usize]
            .wrapping_mul(pow)
            .wrapping_add(ah);
        let (head, tail) = (&self.strings[state as usize], &self.args[a as usize]);
        let found = self.find(hash, |t| {
            t.len() == head.len() + tail.len()
                && t.starts_with(&**head)
                && t.ends_with(tail.as_str())
        });
        if let Some(id) = found {
            return id;
        }
        let mut s = String::with_capacity(head.len() + tail.len());
        s.push_str(head);
        s.push_str(tail);
        self.add(hash, s)
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
    fn class_of(&mut self, op: OpView) -> Result<Option<u32>, String> {
        let (f, value, result, outcome) = (op.f, op.value, op.result, op.outcome);
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
                        self.bytes += a.len() + 40;
                        let pow = (0..a.len()).fold(1u64, |p, _| p.wrapping_mul(BASE));
                        self.arg_hash.push((poly_hash(&a), pow));
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
        Ok(Some(self.classes.id(op)))
    }

    fn init(&self) -> u32 {
        0
    }

    fn legal(&self, state: u32, class: u32) -> bool {
        match self.classes.get(class) {
            KvOp::Get(s) => state == s,
            KvOp::Put(_) | KvOp::Append(_) => true,
        }
    }

    fn step(&mut self, state: u32, class: u32) -> Option<u32> {
        match self.classes.get(class) {
            KvOp::Get(s) => (state == s).then_some(state),
            KvOp::Put(s) => Some(s),
            KvOp::Append(a) => {
                if let Some(&s) = self.appended.get(&(state, a)) {
                    return Some(s);
                }
                let id = self.append(state, a);
                self.appended.insert((state, a), id);
                self.bytes += 16;
                Some(id)
            }
        }
    }

    fn stutter_or_overwrite(&self, class: u32) -> bool {
        !matches!(self.classes.get(class), KvOp::Append(_))
    }

    fn read_only(&self, class: u32) -> bool {
        matches!(self.classes.get(class), KvOp::Get(_))
    }

    fn blind(&self, class: u32) -> bool {
        matches!(self.classes.get(class), KvOp::Put(_))
    }

    fn effect(&self, class: u32) -> Effect {
        match self.classes.get(class) {
            KvOp::Get(s) => Effect::Observe(s),
            KvOp::Put(s) => Effect::Set(s),
            KvOp::Append(_) => Effect::Other,
        }
    }

    fn describe_state(&self, state: u32) -> String {
        format!("{:?}", self.strings[state as usize])
    }

    fn describe_class(&self, class: u32) -> String {
        match self.classes.get(class) {
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
            s.class_of(OpView {
                f,
                value: &v,
                result: &r,
                outcome: Outcome::Ok,
                process: 0,
            })
            .unwrap()
            .unwrap()
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
            .class_of(OpView {
                f: "cas",
                value: &json!(1),
                result: &json!(1),
                outcome: Outcome::Ok,
                process: 0
            })
            .is_err());
    }
}
