//! Who was faulty, read from the nemesis ops: Byzantine nodes (`start-byzantine` faults and
//! the protocol-aware `traitors`) with how they behaved, and crashed nodes (`start-kill`,
//! `start-pause`). A correct node is one that was never Byzantine; a crashed node is still
//! correct (it must not diverge) but is excused from termination when it gave no answer.

use super::node::{self, Node};
use super::omission::Omissions;
use history::fault::{FaultRecord, Phase, Stage};
use history::{History, Malformed, Process, Value};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The faulty nodes of a run, each with what was done to it.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Byzantine nodes, each with its modes (`equivocate`) and traitor behaviours
    /// (`relay-opposite`).
    pub byzantine: BTreeMap<Node, BTreeSet<String>>,
    /// The protocol-aware traitors (the `traitors` record): traitors all run.
    pub traitors: BTreeSet<Node>,
    /// Crashed nodes, each with how (`kill`, `pause`).
    pub crashed: BTreeMap<Node, BTreeSet<String>>,
    /// The faults that broke synchrony, and when (read by the synchronous problems).
    pub omissions: Omissions,
    /// How many nodes the run had (every node a client op or a fault named; set by the
    /// checkers, which know the client ops).
    pub cluster: usize,
    /// Nemesis fault records that named no nodes where they should have: the first, and
    /// how many.
    pub malformed: Option<Malformed>,
}

impl Faults {
    /// Read the faults of a history.
    pub fn read(history: &History) -> Faults {
        let mut faults = Faults {
            omissions: Omissions::read(history),
            ..Faults::default()
        };
        for (i, op) in history
            .ops()
            .iter()
            .enumerate()
            .filter(|(_, o)| o.process == Process::Nemesis)
        {
            // `traitors` names protocol-aware traitors; every other record read is a
            // fault's start (a fault that failed to apply names nobody: its first record
            // already did).
            let rec = FaultRecord::read(&op.f, &op.value);
            let (map, how, default) = match &rec {
                None if op.f == "traitors" => {
                    (&mut faults.byzantine, op.value.get("how"), "traitor")
                }
                Some(r) if r.phase == Phase::Start && !matches!(r.stage, Stage::Failed(_)) => {
                    match r.kind {
                        "byzantine" => (&mut faults.byzantine, r.fault().get("mode"), "byzantine"),
                        "kill" => (&mut faults.crashed, None, "kill"),
                        "pause" => (&mut faults.crashed, None, "pause"),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let fault = rec.as_ref().map_or(&op.value, FaultRecord::fault);
            let how = match how {
                Some(Value::String(s)) => s.clone(),
                _ => default.to_string(),
            };
            let Some(nodes) = fault.get("nodes").and_then(Value::as_array) else {
                let why = format!("the {} record names no \"nodes\"", op.f);
                Malformed::at(history, i, why).merge_into(&mut faults.malformed);
                continue;
            };
            for n in nodes.iter().filter_map(Value::as_str) {
                map.entry(Node::new(n)).or_default().insert(how.clone());
                if rec.is_none() {
                    faults.traitors.insert(Node::new(n));
                }
            }
        }
        faults
    }

    pub fn is_byzantine(&self, n: &Node) -> bool {
        self.byzantine.contains_key(n)
    }

    /// Not Byzantine (a crashed node is correct).
    pub fn is_correct(&self, n: &Node) -> bool {
        !self.is_byzantine(n)
    }

    pub fn is_crashed(&self, n: &Node) -> bool {
        self.crashed.contains_key(n)
    }

    /// Every node the faults named.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.byzantine.keys().chain(self.crashed.keys())
    }

    /// One sentence on which nodes were faulty and how, for an explanation.
    pub fn describe(&self) -> String {
        let show = |m: &BTreeMap<Node, BTreeSet<String>>| -> Vec<String> {
            m.iter()
                .map(|(n, how)| {
                    format!(
                        "{n} ({})",
                        how.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                })
                .collect()
        };
        let mut parts = Vec::new();
        if !self.byzantine.is_empty() {
            parts.push(format!(
                "Byzantine, so not judged: {}",
                show(&self.byzantine).join(", ")
            ));
        }
        if !self.crashed.is_empty() {
            parts.push(format!(
                "crashed, still judged: {}",
                show(&self.crashed).join(", ")
            ));
        }
        if parts.is_empty() {
            "Faulty nodes: none.".to_string()
        } else {
            format!("Faulty nodes: {}.", parts.join("; "))
        }
    }

    /// The faults as data: `{"byzantine": {"n3": ["equivocate"]}, "crashed": {...}}`.
    pub fn json(&self) -> Value {
        json!({
            "byzantine": node::json_by_name(&self.byzantine),
            "crashed": node::json_by_name(&self.crashed),
        })
    }

    /// The Byzantine nodes, named in a sentence.
    pub fn byzantine_list(&self) -> String {
        node::list(self.byzantine.keys())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op, OpType};

    fn nemesis(f: &str, value: Value) -> Op {
        let mut op = Op::client(0, OpType::Info, f, value);
        op.process = Process::Nemesis;
        op
    }

    #[test]
    fn reads_byzantine_and_crashed_nodes_with_how() {
        let ops = vec![
            nemesis(
                "traitors",
                json!({"nodes": ["n3"], "how": "relay-opposite"}),
            ),
            nemesis(
                "start-byzantine",
                json!({"fault": "byzantine", "nodes": ["n3", "n4"], "mode": "equivocate"}),
            ),
            nemesis(
                "start-byzantine",
                json!({"applied": {"nodes": ["n4"], "mode": "forge"}}),
            ),
            nemesis("start-kill", json!({"fault": "kill", "nodes": ["n1"]})),
            nemesis("start-pause", json!({"error": "no such node"})),
            nemesis("start-kill", json!({"fault": "kill"})),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let f = Faults::read(&h);
        assert!(f.is_byzantine(&Node::new("n3")) && f.is_byzantine(&Node::new("n4")));
        assert!(f.is_correct(&Node::new("n1")) && f.is_crashed(&Node::new("n1")));
        assert_eq!(f.malformed.as_ref().map(|m| m.count), Some(1));
        assert_eq!(
            f.describe(),
            "Faulty nodes: Byzantine, so not judged: n3 (equivocate, relay-opposite), \
             n4 (equivocate, forge); crashed, still judged: n1 (kill)."
        );
    }
}
