//! What each node was asked to propose and what it said it decided, per instance, read from
//! a consensus, generals or interactive-consistency history.
//!
//! A proposal is a `propose` (or `order`) invocation `{"node", "value"}` that was not
//! refused (a `fail` completion: the node definitely did not take it), whether it was
//! answered or not: a node may have passed a value on before its answer was lost. A decision is a non-null `decided` in an ok
//! proposal reply, or an answer (`value`, or `vector`) to the final `decision` read that is
//! not null, or is null with `"decided": true` (a node that decided null).
//! Ops that lack these fields are malformed: the first is kept (with their count), and
//! the verdicts that read them cannot be valid.

use super::node::Node;
use history::{History, Key, Malformed, OpType, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Which history encoding to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `propose` with `{"node", "value"}`; decisions are values.
    Consensus,
    /// `order` to the commander; decisions are values.
    Generals,
    /// `propose` a private value per node; decisions are vectors.
    Vectors,
}

impl Protocol {
    /// The function of a proposal.
    pub fn propose_f(self) -> &'static str {
        match self {
            Protocol::Generals => "order",
            _ => "propose",
        }
    }

    /// The field of a final answer that holds the decision.
    fn decision_field(self) -> &'static str {
        match self {
            Protocol::Vectors => "vector",
            _ => "value",
        }
    }
}

/// One value handed to a node to propose (or one order to a commander).
#[derive(Debug, Clone)]
pub struct Proposal {
    pub node: Node,
    pub value: Value,
    /// The invocation's index.
    pub invoke: usize,
    /// When it was invoked (ns since the history began).
    pub time_ns: u64,
    /// It definitely happened (an `ok` completion): the node took the proposal.
    pub taken: bool,
}

/// Where a decision was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The answer to a proposal.
    Reply,
    /// The final `decision` read.
    Final,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Reply => "reply to its proposal",
            Source::Final => "final read",
        }
    }
}

/// A decision a node reported.
#[derive(Debug, Clone)]
pub struct Decision {
    pub node: Node,
    /// Never null.
    pub value: Value,
    pub source: Source,
    /// The invocation's index.
    pub invoke: usize,
    /// The line of the completion that carried it.
    pub line: usize,
}

impl Decision {
    /// Where it was seen, in words: `final read, line 12`.
    pub fn seen(&self) -> String {
        format!("{}, line {}", self.source.as_str(), self.line)
    }
}

/// Everything about one instance.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    pub proposals: Vec<Proposal>,
    /// In history order.
    pub decisions: Vec<Decision>,
    /// Each node's last ok answer to the final read (null: undecided), with its invocation.
    pub answers: BTreeMap<Node, (Value, usize)>,
    /// Each node's final reads, whatever their outcome (invocation indices).
    pub asked: BTreeMap<Node, Vec<usize>>,
}

impl Instance {
    /// The distinct values proposed by the nodes `keep` accepts, in order of first proposal.
    pub fn proposed_values(&self, keep: impl Fn(&Node) -> bool) -> Vec<&Value> {
        let kept = self.proposals.iter().filter(|p| keep(&p.node));
        distinct(kept.map(|p| &p.value))
    }

    /// The values given to each node to propose, in the order given.
    pub fn given(&self) -> BTreeMap<&Node, Vec<&Value>> {
        let mut given: BTreeMap<&Node, Vec<&Value>> = BTreeMap::new();
        for p in &self.proposals {
            given.entry(&p.node).or_default().push(&p.value);
        }
        given
    }

    /// The nodes proposals went to.
    pub fn proposers(&self) -> BTreeSet<Node> {
        self.proposals.iter().map(|p| p.node.clone()).collect()
    }

    /// When its first and last proposals were invoked (ns); None without proposals.
    pub fn proposed_ns(&self) -> Option<(u64, u64)> {
        let times = self.proposals.iter().map(|p| p.time_ns);
        Some((times.clone().min()?, times.max()?))
    }

    /// Whether a node reported any decision, at any time.
    pub fn decided(&self, n: &Node) -> bool {
        self.decisions.iter().any(|d| &d.node == n)
    }
}

/// The distinct values, in order of first appearance.
pub fn distinct<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Each node's distinct decided values among `decisions`, in the order it reported them.
pub fn by_node<'a>(
    decisions: impl IntoIterator<Item = &'a Decision>,
) -> BTreeMap<&'a Node, Vec<&'a Value>> {
    let mut all: BTreeMap<&Node, Vec<&Value>> = BTreeMap::new();
    for d in decisions {
        all.entry(&d.node).or_default().push(&d.value);
    }
    all.into_iter().map(|(n, vs)| (n, distinct(vs))).collect()
}

/// A whole run, by instance.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub instances: BTreeMap<Option<Key>, Instance>,
    /// Every node named by a client op.
    pub nodes: BTreeSet<Node>,
    /// Whether the history has a final phase (any `decision` invocation).
    pub final_phase: bool,
    /// Client ops of the protocol that lacked a field they need: the first, and how many.
    pub malformed: Option<Malformed>,
}

impl Run {
    pub fn read(history: &History, protocol: Protocol) -> Run {
        let mut run = Run::default();
        let ops = history.ops();
        for (i, c) in history.client_pairs() {
            let op = &ops[i];
            let done = c.map(|c| &ops[c]).filter(|c| c.kind == OpType::Ok);
            let is_final = op.f == "decision";
            if op.f != protocol.propose_f() && !is_final {
                continue;
            }
            run.final_phase |= is_final;
            let Some(node) = op.value.get("node").and_then(Value::as_str).map(Node::new) else {
                Malformed::at(history, i, format!("the {} names no node", op.f))
                    .merge_into(&mut run.malformed);
                continue;
            };
            run.nodes.insert(node.clone());
            let inst = run.instances.entry(op.key.clone()).or_default();
            let line = c.map(|c| history.line(c)).unwrap_or(0);
            if is_final {
                inst.asked.entry(node.clone()).or_default().push(i);
                let Some(done) = done else { continue };
                let Some(d) = done.value.get(protocol.decision_field()) else {
                    let why = format!(
                        "the answer to the decision read has no {:?} field",
                        protocol.decision_field()
                    );
                    Malformed::at(history, done.index as usize, why).merge_into(&mut run.malformed);
                    continue;
                };
                inst.answers.insert(node.clone(), (d.clone(), i));
                // A null decision counts when the node says it decided (`"decided": true`).
                if !d.is_null() || done.value.get("decided") == Some(&Value::Bool(true)) {
                    inst.decisions.push(Decision {
                        node,
                        value: d.clone(),
                        source: Source::Final,
                        invoke: i,
                        line,
                    });
                }
                continue;
            }
            let Some(value) = op.value.get("value") else {
                Malformed::at(history, i, format!("the {} carries no \"value\"", op.f))
                    .merge_into(&mut run.malformed);
                continue;
            };
            if c.is_some_and(|c| ops[c].kind == OpType::Fail) {
                // Refused: the node definitely did not take it.
                continue;
            }
            let taken = done.is_some();
            inst.proposals.push(Proposal {
                node: node.clone(),
                value: value.clone(),
                invoke: i,
                time_ns: op.time_ns,
                taken,
            });
            match done.and_then(|d| d.value.get("decided")) {
                Some(d) if !d.is_null() => inst.decisions.push(Decision {
                    node,
                    value: d.clone(),
                    source: Source::Reply,
                    invoke: i,
                    line,
                }),
                _ => {}
            }
        }
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    #[test]
    fn reads_proposals_replies_and_final_answers_noting_malformed_ops() {
        let k = Key::Int(1);
        let ops = vec![
            Op::client(
                0,
                OpType::Invoke,
                "propose",
                json!({"node": "n1", "value": 5}),
            )
            .with_key(k.clone()),
            Op::client(
                0,
                OpType::Ok,
                "propose",
                json!({"node": "n1", "value": 5, "decided": 5}),
            ),
            Op::client(1, OpType::Invoke, "propose", json!({"value": 6})).with_key(k.clone()),
            Op::client(1, OpType::Fail, "propose", json!(null)),
            Op::client(2, OpType::Invoke, "decision", json!({"node": "n2"})).with_key(k.clone()),
            Op::client(
                2,
                OpType::Ok,
                "decision",
                json!({"node": "n2", "value": null}),
            ),
            Op::client(3, OpType::Invoke, "decision", json!({"node": "n3"})).with_key(k.clone()),
            Op::client(3, OpType::Ok, "decision", json!("garbage")),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let run = Run::read(&h, Protocol::Consensus);
        assert!(run.final_phase);
        let m = run.malformed.as_ref().unwrap();
        assert_eq!((m.line, m.count), (3, 2), "{m:?}");
        assert!(m.message.contains("names no node"), "{m:?}");
        let inst = &run.instances[&Some(k)];
        assert_eq!(inst.proposals.len(), 1);
        assert_eq!(inst.decisions.len(), 1);
        assert!(inst.decided(&Node::new("n1")));
        assert_eq!(inst.answers[&Node::new("n2")].0, Value::Null);
        assert_eq!(run.nodes.len(), 3);
    }
}
