//! Termination (liveness) of consensus, the Byzantine generals and interactive consistency:
//! by the final read, every judged node (correct; for the generals, each loyal lieutenant)
//! has decided every instance that was certainly proposed (a proposal answered `ok`). A
//! decision reported at any time counts. A
//! node that answered the final read undecided has not terminated; so has one that gave no
//! answer, unless it was crashed (killed or paused), which excuses it (listed in the stats).

use super::decisions::Protocol;
use super::judged::Judged;
use super::node::{self, Node};
use super::report::{instance, show, span};
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Every judged node decides.
#[derive(Debug, Clone)]
pub struct Termination {
    pub protocol: Protocol,
}

impl Termination {
    pub fn new(protocol: Protocol) -> Termination {
        Termination { protocol }
    }
}

impl Checker for Termination {
    fn name(&self) -> &str {
        "termination"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, run, report) = super::start(self.name(), history, self.protocol);
        let mut report = report.liveness();
        if !run.final_phase {
            // Without the final read there is no deadline to have decided by: unknown.
            return report.finish();
        }
        let everyone: BTreeSet<&Node> = run.nodes.iter().chain(faults.nodes()).collect();
        let (mut excused_all, mut judged_instances, mut beyond) = (Vec::new(), 0, 0);
        for (key, inst) in run
            .instances
            .iter()
            // Only an instance some node certainly took a proposal for must be decided: a
            // refused proposal never reached a node, and one lost with a crashed node
            // (`info`) may never have been made.
            .filter(|(_, i)| i.proposals.iter().any(|p| p.taken))
        {
            let judged = Judged::new(self.protocol, &faults, inst);
            if judged.beyond_bound {
                beyond += 1;
                continue;
            }
            judged_instances += 1;
            let (mut decided, mut undecided, mut silent, mut excused) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for n in everyone.iter().copied().filter(|n| judged.judges(n)) {
                if let Some(d) = inst.decisions.iter().find(|d| &d.node == n) {
                    decided.push((n, &d.value));
                } else if let Some((_, invoke)) = inst.answers.get(n) {
                    undecided.push((n, *invoke));
                } else if faults.is_crashed(n) {
                    excused.push(n);
                } else {
                    silent.push(n);
                }
            }
            if !excused.is_empty() {
                excused_all.push(json!({"instance": key, "nodes": node::json(excused.clone())}));
            }
            if undecided.is_empty() && silent.is_empty() {
                continue;
            }
            let late: BTreeSet<&Node> = undecided
                .iter()
                .map(|(n, _)| *n)
                .chain(silent.iter().copied())
                .collect();
            let mut text = format!(
                "{}: {} had not decided by the final read.\n",
                instance(key),
                node::list(late.iter().copied())
            );
            for (n, invoke) in &undecided {
                let line = history.partner(*invoke).map_or(0, |c| history.line(c));
                let _ = writeln!(
                    text,
                    "  {n} answered the final read: undecided (line {line})"
                );
            }
            for n in &silent {
                let _ = writeln!(
                    text,
                    "  {n} gave no answer to the final read and was not crashed"
                );
            }
            for (n, v) in &decided {
                let _ = writeln!(text, "  {n} decided {}", show(v));
            }
            if !excused.is_empty() {
                let _ = writeln!(
                    text,
                    "  excused (crashed, no answer): {}",
                    node::list(excused.iter().copied())
                );
            }
            text.push_str(&judged.describe());
            let data = json!({
                "instance": key,
                "nodes": node::json(late.iter().copied()),
                "undecided": node::json(undecided.iter().map(|(n, _)| *n)),
                "no_answer": node::json(silent.iter().copied()),
                "decided": node::json(decided.iter().map(|(n, _)| *n)),
                "excused": node::json(excused.iter().copied()),
                "faults": faults.json(),
            });
            let unanswered = silent.iter().flat_map(|n| inst.asked.get(*n)).flatten();
            let ops = undecided
                .iter()
                .map(|(_, i)| i)
                .chain(unanswered)
                .map(|i| span(history, *i))
                .collect();
            report.own_violation(key.clone(), text, ops, data);
        }
        report.stat("instances", json!(judged_instances));
        report.stat("excused_crashed", json!(excused_all));
        super::report::beyond_bound(&mut report, beyond, judged_instances);
        report.finish()
    }
}
