//! Weak integrity: every value a correct node decides in an instance was proposed to some
//! correct node in that instance (a value only a Byzantine node proposed, or nobody did,
//! must never be decided).

use super::allowed;
use super::decisions::Protocol;
use super::judged::Judged;
use super::report::show;
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;

/// Decisions come from correct proposals.
#[derive(Debug, Clone, Default)]
pub struct WeakIntegrity;

impl Checker for WeakIntegrity {
    fn name(&self) -> &str {
        "weak-integrity"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, run, mut report) = super::start(self.name(), history, Protocol::Consensus);
        let mut judged_decisions = 0;
        for (key, inst) in &run.instances {
            let values = inst.proposed_values(|n| faults.is_correct(n));
            let premise = match values.len() {
                0 => "no correct node proposed anything".to_string(),
                _ => {
                    let shown: Vec<String> = values.iter().map(|v| show(v)).collect();
                    format!("the correct nodes proposed only {}", shown.join(", "))
                }
            };
            let judged = Judged::new(Protocol::Consensus, &faults, inst);
            judged_decisions +=
                allowed::judge(&mut report, history, key, inst, &judged, &values, &premise);
        }
        report.stat("instances", json!(run.instances.len()));
        report.stat("decisions_judged", json!(judged_decisions));
        report.finish()
    }
}
