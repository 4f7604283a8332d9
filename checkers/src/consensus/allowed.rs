//! The shape shared by the validity properties (integrity, weak and Byzantine integrity,
//! IC2): in an instance, each judged node may decide only values from an allowed set; a
//! decision outside it is a violation, explained with the premise, the proposals and the
//! faults.

use super::decisions::Instance;
use super::judged::Judged;
use super::node::{self, Node};
use super::report::{instance, show, span, Report};
use history::{History, Key, Value};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Report the judged decisions of an instance that are not in `allowed`; `premise` says
/// why only those are allowed ("every correct node proposed 7"). Returns how many
/// decisions were judged.
pub fn judge(
    report: &mut Report,
    history: &History,
    key: &Option<Key>,
    inst: &Instance,
    judged: &Judged,
    allowed: &[&Value],
    premise: &str,
) -> usize {
    let considered: Vec<_> = inst
        .decisions
        .iter()
        .filter(|d| judged.judges(&d.node))
        .collect();
    let bad: Vec<_> = considered
        .iter()
        .filter(|d| !allowed.contains(&&d.value))
        .collect();
    if bad.is_empty() {
        return considered.len();
    }
    let mut by_node: BTreeMap<&Node, Vec<&Value>> = BTreeMap::new();
    for d in &bad {
        let vs = by_node.entry(&d.node).or_default();
        if !vs.contains(&&d.value) {
            vs.push(&d.value);
        }
    }
    let mut text = format!(
        "{}: {premise}, but {} decided otherwise.\n",
        instance(key),
        node::list(by_node.keys().copied())
    );
    for d in &bad {
        let _ = writeln!(
            text,
            "  {} decided {} ({}, line {})",
            d.node,
            show(&d.value),
            d.source.as_str(),
            d.line
        );
    }
    let mut proposals: BTreeMap<&Node, Vec<&Value>> = BTreeMap::new();
    for p in &inst.proposals {
        proposals.entry(&p.node).or_default().push(&p.value);
    }
    for (n, vs) in &proposals {
        let shown: Vec<String> = vs.iter().map(|v| show(v)).collect();
        let who = match judged.faults.is_byzantine(n) {
            true => " (Byzantine)",
            false => "",
        };
        let _ = writeln!(text, "  {n}{who} was given {}", shown.join(", "));
    }
    text.push_str(&judged.faults.describe());
    let decisions: serde_json::Map<String, Value> = by_node
        .iter()
        .map(|(n, vs)| (n.0.clone(), json!(vs)))
        .collect();
    let given: serde_json::Map<String, Value> = proposals
        .iter()
        .map(|(n, vs)| (n.0.clone(), json!(vs)))
        .collect();
    let data = json!({
        "instance": key,
        "nodes": node::json(by_node.keys().copied()),
        "allowed": allowed,
        "decisions": decisions,
        "proposals": given,
        "faults": judged.faults.json(),
    });
    let ops = bad
        .iter()
        .map(|d| d.invoke)
        .chain(inst.proposals.iter().map(|p| p.invoke))
        .map(|i| span(history, i))
        .collect();
    report.violation(key.clone(), text, ops, data);
    considered.len()
}
