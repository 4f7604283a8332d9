//! The shape shared by the validity properties (integrity, weak and Byzantine integrity,
//! IC2): in an instance, each judged node may decide only values from an allowed set; a
//! decision outside it is a violation, explained with the premise, the proposals and the
//! faults.

use super::decisions::{self, Decision, Instance};
use super::judged::Judged;
use super::node;
use super::report::{decided, instance, show, span, Report};
use history::{History, Key, Value};
use serde_json::json;
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
    let considered: Vec<&Decision> = inst
        .decisions
        .iter()
        .filter(|d| judged.judges(&d.node))
        .collect();
    let bad: Vec<&Decision> = considered
        .iter()
        .copied()
        .filter(|d| !allowed.contains(&&d.value))
        .collect();
    if bad.is_empty() {
        return considered.len();
    }
    let by_node = decisions::by_node(bad.iter().copied());
    let mut text = format!(
        "{}: {premise}, but {} decided otherwise.\n",
        instance(key),
        node::list(by_node.keys().copied())
    );
    for d in &bad {
        let _ = writeln!(text, "  {}", decided(d));
    }
    let proposals = inst.given();
    for (n, vs) in &proposals {
        let shown: Vec<String> = vs.iter().map(|v| show(v)).collect();
        let who = match judged.byzantine.contains(*n) {
            true => " (Byzantine)",
            false => "",
        };
        let _ = writeln!(text, "  {n}{who} was given {}", shown.join(", "));
    }
    text.push_str(&judged.describe());
    let data = json!({
        "instance": key,
        "nodes": node::json(by_node.keys().copied()),
        "allowed": allowed,
        "decisions": node::json_by_name(by_node.iter().map(|(n, vs)| (*n, vs))),
        "proposals": node::json_by_name(proposals.iter().map(|(n, vs)| (*n, vs))),
        "faults": judged.faults.json(),
    });
    let ops = bad
        .iter()
        .map(|d| d.invoke)
        .chain(inst.proposals.iter().map(|p| p.invoke))
        .map(|i| span(history, i))
        .collect();
    report.own_violation(key.clone(), text, ops, data);
    considered.len()
}
