//! The faults a run applied, counted per kind (`partition`, `kill`, ...), from the nemesis
//! ops in `results.json`.
//!
//! The nemesis records each fault twice under `start-<kind>`: once when it is chosen, and
//! once with `applied` (it took effect) or `error` (it could not be applied). Only the
//! second counts. Heals (`stop-<kind>`) and other nemesis records (`traitors`) do not.
//!
//! ```
//! use reports::faults::FaultCounts;
//! use reports::run::FaultRecord;
//! use serde_json::json;
//! let rec = |f: &str, v| FaultRecord { time_s: 0.0, f: f.into(), value: v };
//! let faults = [
//!     rec("start-kill", json!({"nodes": ["n1"]})),
//!     rec("start-kill", json!({"applied": {"nodes": ["n1"]}})),
//!     rec("stop-kill", json!({"healed": {}})),
//!     rec("start-pause", json!({"error": "no such node"})),
//! ];
//! let c = FaultCounts::of(&faults);
//! assert_eq!(c.text(), "kill 1 (failed to apply: pause 1)");
//! ```

use crate::run::FaultRecord as Stored;
use history::fault::{FaultRecord, Phase, Stage};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Faults that took effect, by kind.
    pub applied: BTreeMap<String, usize>,
    /// Faults that could not be applied, by kind.
    pub failed: BTreeMap<String, usize>,
}

impl FaultCounts {
    pub fn of(faults: &[Stored]) -> FaultCounts {
        let mut c = FaultCounts::default();
        for f in faults {
            let Some(r) = FaultRecord::read(&f.f, &f.value) else {
                continue;
            };
            let into = match (r.phase, &r.stage) {
                (Phase::Start, Stage::Done) if r.value.get("applied").is_some() => &mut c.applied,
                (Phase::Start, Stage::Failed(_)) => &mut c.failed,
                _ => continue,
            };
            *into.entry(r.kind.to_string()).or_default() += 1;
        }
        c
    }

    /// Faults applied, of every kind.
    pub fn total(&self) -> usize {
        self.applied.values().sum()
    }

    /// `partition 3, kill 2`, then `(failed to apply: pause 1)` when some failed; `none`
    /// when nothing was applied or tried.
    pub fn text(&self) -> String {
        let list = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut s = if self.applied.is_empty() {
            "none".to_string()
        } else {
            list(&self.applied)
        };
        if !self.failed.is_empty() {
            s.push_str(&format!(" (failed to apply: {})", list(&self.failed)));
        }
        s
    }
}
