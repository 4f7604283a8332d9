//! Integrity as unanimity: if every correct proposal of an instance was the same value v,
//! every correct node that decides, decides v. `integrity` judges it only when no node was
//! Byzantine (it is the crash-fault property; with Byzantine nodes present it is valid and
//! says it did not apply); `byzantine-integrity` judges it always, over the correct nodes'
//! proposals only, so what a Byzantine node proposed cannot make it fail or hold.

use super::allowed;
use super::decisions::{Protocol, Run};
use super::faulty::Faults;
use super::judged::Judged;
use super::report::{no_final_phase, show, with_faults};
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;

/// Unanimous proposals bind the decision.
#[derive(Debug, Clone)]
pub struct Integrity {
    /// `byzantine-integrity` (judged with Byzantine nodes present) rather than `integrity`.
    pub byzantine: bool,
}

impl Integrity {
    pub fn crash() -> Integrity {
        Integrity { byzantine: false }
    }
    pub fn byzantine() -> Integrity {
        Integrity { byzantine: true }
    }
}

impl Checker for Integrity {
    fn name(&self) -> &str {
        match self.byzantine {
            false => "integrity",
            true => "byzantine-integrity",
        }
    }

    fn check(&self, history: &History) -> Verdict {
        let faults = Faults::read(history);
        let run = Run::read(history, Protocol::Consensus);
        let mut report = with_faults(self.name(), &faults, &run.malformed);
        if !self.byzantine && !faults.byzantine.is_empty() {
            report.stat("applied", json!(false));
            report.stat(
                "not_applied_because",
                json!(format!(
                    "Byzantine nodes present ({}): see byzantine-integrity",
                    faults.byzantine_list()
                )),
            );
            return report.finish();
        }
        report.stat("applied", json!(true));
        if !run.final_phase {
            report.cannot_judge(no_final_phase("decision"));
        }
        let (mut unanimous, mut judged_decisions) = (0, 0);
        for (key, inst) in &run.instances {
            let values = inst.proposed_values(|n| faults.is_correct(n));
            let [v] = values[..] else { continue };
            unanimous += 1;
            let judged = Judged::new(Protocol::Consensus, &faults, inst);
            let premise = format!("every correct node proposed {}", show(v));
            judged_decisions +=
                allowed::judge(&mut report, history, key, inst, &judged, &[v], &premise);
        }
        report.stat("instances", json!(run.instances.len()));
        report.stat("unanimous_instances", json!(unanimous));
        report.stat("decisions_judged", json!(judged_decisions));
        report.finish()
    }
}
