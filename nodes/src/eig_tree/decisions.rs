//! Decisions kept in durable storage, so that a node that restarts still knows (and
//! answers) what it decided: each under `<prefix>/decision/<instance>`, with the storage
//! log as the index of the instances decided.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use wire::storage::Storage;

/// The decisions of one node, by instance key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    prefix: &'static str,
    map: BTreeMap<String, Value>,
}

impl Decisions {
    pub fn new(prefix: &'static str) -> Decisions {
        Decisions {
            prefix,
            map: BTreeMap::new(),
        }
    }

    fn name(&self, key: &str) -> String {
        format!("{}/decision/{key}", self.prefix)
    }

    /// Read back every decision saved.
    pub fn load(&mut self, storage: &dyn Storage) {
        self.map.clear();
        for e in storage.log() {
            if let Some(key) = e["decided"].as_str() {
                if let Some(v) = storage.get(&self.name(key)) {
                    self.map.insert(key.to_string(), v);
                }
            }
        }
    }

    /// Save a decision (durable when this returns). A decision is never changed.
    pub fn save(&mut self, storage: &mut dyn Storage, key: &str, v: Value) {
        if self.map.contains_key(key) {
            return;
        }
        storage.put(&self.name(key), v.clone());
        let len = storage.log().len();
        storage.truncate_and_append(len, &[json!({"decided": key})]);
        self.map.insert(key.to_string(), v);
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }

    /// Every decision, as a JSON object by instance key.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::storage::MemStorage;

    #[test]
    fn decisions_survive_a_reload() {
        let mut s = MemStorage::default();
        let mut d = Decisions::new("om");
        d.save(&mut s, "1", json!("attack"));
        d.save(&mut s, "1", json!("retreat"));
        d.save(&mut s, "x", json!([1, 2]));
        let mut back = Decisions::new("om");
        back.load(&s);
        assert_eq!(back, d);
        assert_eq!(back.get("1"), Some(&json!("attack")));
        assert_eq!(s.get("om/decision/x"), Some(json!([1, 2])));
    }
}
