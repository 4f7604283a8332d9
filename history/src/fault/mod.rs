//! Fault records: how the nemesis writes a fault into the history, and the one reader of
//! them that checkers and reports share.
//!
//! Each fault is two nemesis ops named `start-<kind>`: the first when it is chosen (its
//! value the fault: `{"fault": "kill", "nodes": [...]}`), the second when it took effect
//! (`{"applied": ...}`) or could not (`{"error": ...}`). Each heal is two ops named
//! `stop-<kind>`: null when it begins, then `{"healed": ...}` or `{"error": ...}`. Other
//! nemesis ops (`traitors`) are not fault records.
//!
//! ```
//! use history::fault::{FaultRecord, Phase, Stage};
//! let v = serde_json::json!({"applied": {"nodes": ["n1"]}});
//! let r = FaultRecord::read("start-kill", &v).unwrap();
//! assert_eq!((r.phase, r.kind, r.stage), (Phase::Start, "kill", Stage::Done));
//! assert_eq!(FaultRecord::name(Phase::Stop, "kill"), "stop-kill");
//! assert!(FaultRecord::read("traitors", &v).is_none());
//! ```

mod label;
mod window;
pub mod windows;

pub use window::{Failure, Window};
pub use windows::{of_history, read};

use crate::op::Value;

/// Whether a record is of a fault or of its heal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Start,
    Stop,
}

impl Phase {
    fn prefix(self) -> &'static str {
        match self {
            Phase::Start => "start-",
            Phase::Stop => "stop-",
        }
    }
}

/// Which of a fault's (or heal's) two records this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The first: the fault as chosen (a start), or the heal beginning (a stop).
    Begin,
    /// The second, when it took effect (`applied`, `healed`).
    Done,
    /// The second, when it could not (`error`).
    Failed(String),
}

/// One fault record of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRecord<'a> {
    pub phase: Phase,
    /// `partition`, `kill`, `pause`, `loss`, `clock`, `byzantine`, ...
    pub kind: &'a str,
    pub stage: Stage,
    /// The record's value: the fault (first start record), what was applied or healed.
    pub value: &'a Value,
}

impl<'a> FaultRecord<'a> {
    /// The record of a nemesis op `f` with this value; None when it is not a fault record.
    pub fn read(f: &'a str, value: &'a Value) -> Option<FaultRecord<'a>> {
        let (phase, kind) = match (f.strip_prefix("start-"), f.strip_prefix("stop-")) {
            (Some(kind), _) => (Phase::Start, kind),
            (_, Some(kind)) => (Phase::Stop, kind),
            _ => return None,
        };
        let error = || value.get("error").map(text);
        let stage = match phase {
            Phase::Start if value.get("fault").is_some() => Stage::Begin,
            Phase::Stop if value.is_null() => Stage::Begin,
            _ => match (value.get("applied").or(value.get("healed")), error()) {
                (Some(_), _) => Stage::Done,
                (None, Some(e)) => Stage::Failed(e),
                (None, None) => Stage::Done,
            },
        };
        Some(FaultRecord {
            phase,
            kind,
            stage,
            value,
        })
    }

    /// The op name of a record: `start-kill`, `stop-partition`.
    pub fn name(phase: Phase, kind: &str) -> String {
        format!("{}{kind}", phase.prefix())
    }

    /// What was applied or healed (the second record's), else the value itself.
    pub fn fault(&self) -> &'a Value {
        self.value
            .get("applied")
            .or(self.value.get("healed"))
            .unwrap_or(self.value)
    }
}

/// A value as text: a string as it is, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_record_of_a_fault_and_its_heal_is_read() {
        let chosen = json!({"fault": "kill", "nodes": ["n1"]});
        let r = FaultRecord::read("start-kill", &chosen).unwrap();
        assert_eq!((r.phase, r.stage.clone()), (Phase::Start, Stage::Begin));
        assert_eq!(r.fault(), &chosen);
        let failed = json!({"error": "no such node"});
        let r = FaultRecord::read("start-pause", &failed).unwrap();
        assert_eq!(r.stage, Stage::Failed("no such node".into()));
        let r = FaultRecord::read("stop-kill", &Value::Null).unwrap();
        assert_eq!((r.phase, r.stage), (Phase::Stop, Stage::Begin));
        let healed = json!({"healed": {"nodes": ["n1"]}});
        let r = FaultRecord::read("stop-kill", &healed).unwrap();
        assert_eq!(r.stage, Stage::Done);
        assert_eq!(r.fault(), &json!({"nodes": ["n1"]}));
        let coded = json!({"error": {"code": 1}});
        let r = FaultRecord::read("stop-loss", &coded).unwrap();
        assert_eq!(r.stage, Stage::Failed("{\"code\":1}".into()));
        assert!(FaultRecord::read("traitors", &chosen).is_none());
        assert_eq!(FaultRecord::name(Phase::Start, "clock"), "start-clock");
    }
}
