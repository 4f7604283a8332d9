//! Vector validity of interactive consistency: in the vector a correct node decides, the
//! component of each correct node i is the value proposed to node i. Component i belongs to
//! the i-th node name in order of number (`n1` is component 0), over every node the history
//! names. Components of Byzantine nodes, of nodes out of touch while the instance ran
//! ([`super::omission`]), and of nodes given no proposal in the instance, are not judged.

use super::decisions::Protocol;
use super::judged::Judged;
use super::node::{self, Node};
use super::report::{decided, instance, show, span};
use crate::Checker;
use history::{History, Verdict};
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Correct nodes' components are their proposals.
#[derive(Debug, Clone, Default)]
pub struct VectorValidity;

impl Checker for VectorValidity {
    fn name(&self) -> &str {
        "vector-validity"
    }

    fn check(&self, history: &History) -> Verdict {
        let (faults, run, mut report) = super::start(self.name(), history, Protocol::Vectors);
        let ranked: BTreeSet<&Node> = run.nodes.iter().chain(faults.nodes()).collect();
        let ranked: Vec<&Node> = ranked.into_iter().collect();
        let (mut not_vectors, mut judged_decisions, mut beyond) = (0, 0, 0);
        for (key, inst) in &run.instances {
            let judged = Judged::new(Protocol::Vectors, &faults, inst);
            if judged.beyond_bound {
                beyond += 1;
                continue;
            }
            let given = inst.given();
            let mut text = String::new();
            let (mut deciders, mut components, mut wrong) =
                (BTreeSet::new(), BTreeSet::new(), Vec::new());
            let mut ops = Vec::new();
            for d in inst.decisions.iter().filter(|d| judged.judges(&d.node)) {
                let Some(vector) = d.value.as_array() else {
                    not_vectors += 1;
                    continue;
                };
                judged_decisions += 1;
                let mut bad = Vec::new();
                for (i, c) in ranked.iter().enumerate() {
                    let Some(want) = given.get(c).filter(|_| judged.correct(c)) else {
                        continue;
                    };
                    let got = vector.get(i);
                    if got.is_some_and(|g| want.contains(&g)) {
                        continue;
                    }
                    let shown: Vec<String> = want.iter().map(|v| show(v)).collect();
                    bad.push(format!(
                        "component {i} ({c}) is {}, but {c} was given {}",
                        got.map_or("missing".to_string(), show),
                        shown.join(" or ")
                    ));
                    components.insert(*c);
                    wrong.push(json!({
                        "node": d.node.0, "component": i, "of": c.0, "got": got, "given": want,
                    }));
                }
                if bad.is_empty() {
                    continue;
                }
                deciders.insert(&d.node);
                ops.push(span(history, d.invoke));
                let _ = writeln!(text, "  {}: {}", decided(d), bad.join("; "));
            }
            if deciders.is_empty() {
                continue;
            }
            let head =
                format!(
                "{}: {} decided vectors whose components for correct {} are not what {} given.\n",
                instance(key),
                node::list(deciders.iter().copied()),
                node::list(components.iter().copied()),
                if components.len() == 1 { "it was" } else { "they were" },
            );
            text.insert_str(0, &head);
            text.push_str(&judged.describe());
            ops.extend(inst.proposals.iter().map(|p| span(history, p.invoke)));
            let data = json!({
                "instance": key,
                "nodes": node::json(deciders.iter().copied()),
                "components": node::json(components.iter().copied()),
                "wrong": wrong,
                "faults": faults.json(),
            });
            report.own_violation(key.clone(), text, ops, data);
        }
        report.stat("instances", json!(run.instances.len()));
        report.stat("vector_order", node::json(ranked.iter().copied()));
        report.stat("decisions_judged", json!(judged_decisions));
        report.stat("decisions_not_vectors", json!(not_vectors));
        super::report::beyond_bound(&mut report, beyond, run.instances.len() - beyond);
        report.finish()
    }
}
