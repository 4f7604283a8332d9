//! IC2 of the Byzantine generals: if the commander is loyal, every loyal lieutenant decides
//! the order the commander received. A traitor commander excuses IC2 for its instance (IC1,
//! that loyal lieutenants decide alike, still holds: see [`super::agreement`]), and so does
//! a commander out of touch while the instance ran ([`super::omission`]). So does an
//! instance whose every order is indeterminate (no `ok`) and whose commander never said it
//! decided: it may never have received an order, and then none binds the lieutenants.

use super::allowed;
use super::decisions::Protocol;
use super::judged::Judged;
use super::node;
use super::report::show;
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;

/// A loyal commander's order is obeyed.
#[derive(Debug, Clone, Default)]
pub struct Ic2;

impl Checker for Ic2 {
    fn name(&self) -> &str {
        "ic2"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, run, mut report) = super::start(self.name(), history, Protocol::Generals);
        let (mut traitor_commander, mut no_order, mut judged_decisions) = (Vec::new(), 0, 0);
        let (mut out_of_touch, mut beyond) = (Vec::new(), 0);
        let mut unconfirmed = Vec::new();
        for (key, inst) in &run.instances {
            let judged = Judged::new(Protocol::Generals, &faults, inst);
            if judged.commanders.is_empty() {
                no_order += 1;
                continue;
            }
            if judged.beyond_bound {
                beyond += 1;
                continue;
            }
            if judged
                .commanders
                .iter()
                .any(|c| judged.byzantine.contains(c))
            {
                traitor_commander.push(json!(key));
                continue;
            }
            if judged.commanders.iter().any(|c| !judged.correct(c)) {
                out_of_touch.push(json!(key));
                continue;
            }
            let received = inst.proposals.iter().any(|p| p.taken)
                || judged.commanders.iter().any(|c| inst.decided(c));
            if !received {
                unconfirmed.push(json!(key));
                continue;
            }
            let orders = inst.proposed_values(|_| true);
            let shown: Vec<String> = orders.iter().map(|v| show(v)).collect();
            let premise = format!(
                "the commander {} is loyal and was ordered {}",
                node::list(&judged.commanders),
                shown.join(" or ")
            );
            judged_decisions +=
                allowed::judge(&mut report, history, key, inst, &judged, &orders, &premise);
        }
        report.stat("instances", json!(run.instances.len()));
        report.stat("excused_traitor_commander", json!(traitor_commander));
        report.stat("excused_commander_out_of_touch", json!(out_of_touch));
        report.stat("excused_order_not_received", json!(unconfirmed));
        let judged = run.instances.len() - no_order - beyond;
        super::report::beyond_bound(&mut report, beyond, judged);
        report.stat("instances_without_order", json!(no_order));
        report.stat("decisions_judged", json!(judged_decisions));
        report.finish()
    }
}
