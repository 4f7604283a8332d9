//! Ledger termination (liveness): every acknowledged entry is in every correct node's final
//! log. Each lagging node is named with the entries it lacks. A correct node that gave no
//! final log has not terminated, unless it was crashed (excused, listed in the stats).

use super::logs::{id, Ledger};
use crate::consensus::faulty::Faults;
use crate::consensus::node::{self, Node};
use crate::consensus::report::{no_final_phase, show, span, with_faults};
use crate::Checker;
use history::{History, Value, Verdict};
use serde_json::json;
use std::collections::{BTreeSet, HashSet};

/// At most this many missing entries are shown in an explanation.
const SHOWN: usize = 8;

/// Every correct node catches up.
#[derive(Debug, Clone, Default)]
pub struct LedgerTermination;

impl Checker for LedgerTermination {
    fn name(&self) -> &str {
        "termination"
    }

    fn check(&self, history: &History) -> Verdict {
        let faults = Faults::read(history);
        let ledger = Ledger::read(history);
        let mut report = with_faults(self.name(), &faults, &ledger.malformed).liveness();
        if !ledger.final_phase {
            report.cannot_judge(no_final_phase("log"));
        }
        let finals = ledger.final_logs();
        // The acknowledged entries, once each, in order of submission.
        let mut ids = HashSet::new();
        let acked: Vec<(String, &Value)> = ledger
            .submissions
            .iter()
            .filter(|s| s.acked)
            .map(|s| (id(&s.entry), &s.entry))
            .filter(|(e, _)| ids.insert(e.clone()))
            .collect();
        let everyone: BTreeSet<&Node> = ledger.nodes.iter().chain(faults.nodes()).collect();
        let mut excused = Vec::new();
        for n in everyone.into_iter().filter(|n| faults.is_correct(n)) {
            let Some(log) = finals.get(n) else {
                if faults.is_crashed(n) {
                    excused.push(n);
                } else if ledger.final_phase {
                    let text = format!(
                        "{n} gave no final log and was not crashed, so it never showed the {} \
                         acknowledged entries.\n{}",
                        acked.len(),
                        faults.describe()
                    );
                    let data = json!({
                        "nodes": [n.0],
                        "missing": acked.iter().map(|(_, e)| e).collect::<Vec<_>>(),
                        "no_answer": true,
                        "faults": faults.json(),
                    });
                    let asked = ledger.asked.get(n).into_iter().flatten();
                    let ops = asked.map(|i| span(history, *i)).collect();
                    report.own_violation(None, text, ops, data);
                }
                continue;
            };
            let has: HashSet<&str> = log.ids.iter().map(String::as_str).collect();
            let missing: Vec<&Value> = acked
                .iter()
                .filter(|(e, _)| !has.contains(e.as_str()))
                .map(|(_, v)| *v)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let shown: Vec<String> = missing.iter().take(SHOWN).map(|v| show(v)).collect();
            let more = match missing.len() > SHOWN {
                true => format!(" and {} more", missing.len() - SHOWN),
                false => String::new(),
            };
            let text = format!(
                "{n} lags: its final log ({} entries, line {}) lacks {} acknowledged {}: {}{more}.\n{}",
                log.ids.len(),
                log.line,
                missing.len(),
                if missing.len() == 1 { "entry" } else { "entries" },
                shown.join(", "),
                faults.describe()
            );
            let data = json!({
                "nodes": [n.0],
                "missing": missing,
                "log_length": log.ids.len(),
                "faults": faults.json(),
            });
            report.own_violation(None, text, vec![span(history, log.invoke)], data);
        }
        report.stat("acknowledged", json!(acked.len()));
        report.stat("excused_crashed", node::json(excused));
        report.finish()
    }
}
