//! Agreement: the judged nodes of an instance never decide different values, and none of
//! them changes its decision. For consensus it is `agreement` (correct nodes), for the
//! Byzantine generals `ic1` (loyal lieutenants decide alike), for interactive consistency
//! `vector-agreement` (correct nodes decide the same vector). Decisions are read both from
//! the replies to proposals and from the final read; what a Byzantine node decided does not
//! count.

use super::decisions::{self, Decision, Protocol};
use super::judged::Judged;
use super::node::{self, Node};
use super::report::{beyond_bound, instance, show, span};
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;
use std::fmt::Write;

/// The agreement checker of a protocol.
#[derive(Debug, Clone)]
pub struct Agreement {
    pub protocol: Protocol,
}

impl Agreement {
    pub fn new(protocol: Protocol) -> Agreement {
        Agreement { protocol }
    }
}

impl Checker for Agreement {
    fn name(&self) -> &str {
        match self.protocol {
            Protocol::Consensus => "agreement",
            Protocol::Generals => "ic1",
            Protocol::Vectors => "vector-agreement",
        }
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, run, mut report) = super::start(self.name(), history, self.protocol);
        let (mut judged_decisions, mut beyond) = (0, 0);
        for (key, inst) in &run.instances {
            let judged = Judged::new(self.protocol, &faults, inst);
            if judged.beyond_bound {
                beyond += 1;
                continue;
            }
            let counted: Vec<&Decision> = inst
                .decisions
                .iter()
                .filter(|d| judged.judges(&d.node))
                .collect();
            judged_decisions += counted.len();
            let by_node = decisions::by_node(counted.iter().copied());
            let values = decisions::distinct(counted.iter().map(|d| &d.value));
            if values.len() < 2 {
                continue;
            }
            let mut text = format!(
                "{}: the {} decided {} different {}.\n",
                instance(key),
                judged.who(),
                values.len(),
                if self.protocol == Protocol::Vectors {
                    "vectors"
                } else {
                    "values"
                }
            );
            for v in &values {
                let seen: Vec<String> = counted
                    .iter()
                    .filter(|d| &&d.value == v)
                    .map(|d| format!("{} ({})", d.node, d.seen()))
                    .collect();
                let _ = writeln!(text, "  {} decided by {}", show(v), seen.join(", "));
            }
            let changed: Vec<&Node> = by_node
                .iter()
                .filter(|(_, vs)| vs.len() > 1)
                .map(|(n, _)| *n)
                .collect();
            for n in &changed {
                let vs: Vec<String> = by_node[n].iter().map(|v| show(v)).collect();
                let _ = writeln!(text, "  {n} changed its decision: {}", vs.join(", then "));
            }
            for d in inst.decisions.iter().filter(|d| !judged.judges(&d.node)) {
                let why = judged.excused(&d.node).unwrap_or("not judged");
                let _ = writeln!(
                    text,
                    "  not counted: {} ({why}) decided {}",
                    d.node,
                    show(&d.value)
                );
            }
            text.push_str(&judged.describe());
            let data = json!({
                "instance": key,
                "nodes": node::json(by_node.keys().copied()),
                "values": values,
                "decisions": node::json_by_name(by_node.iter().map(|(n, vs)| (*n, vs))),
                "changed": node::json(changed.iter().copied()),
                "faults": faults.json(),
            });
            let ops = counted.iter().map(|d| span(history, d.invoke)).collect();
            report.own_violation(key.clone(), text, ops, data);
        }
        report.stat("instances", json!(run.instances.len()));
        report.stat("decisions_judged", json!(judged_decisions));
        beyond_bound(&mut report, beyond, run.instances.len() - beyond);
        report.finish()
    }
}
