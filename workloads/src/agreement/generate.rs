//! What the agreement workloads ask for, instance after instance.

use crate::generator::{Ctx, Generator, Next};
use crate::Invocation;
use history::Key;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Which agreement problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Consensus,
    Generals,
    InteractiveConsistency,
    Ledger,
}

impl Kind {
    pub const NAMES: [&'static str; 4] =
        ["consensus", "generals", "interactive-consistency", "ledger"];

    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "consensus" => Kind::Consensus,
            "generals" => Kind::Generals,
            "interactive-consistency" => Kind::InteractiveConsistency,
            "ledger" => Kind::Ledger,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Ops issued per instance.
    pub fn ops_per_instance(self, nodes: usize) -> usize {
        match self {
            Kind::Consensus | Kind::InteractiveConsistency => nodes.max(1),
            Kind::Generals | Kind::Ledger => 1,
        }
    }
}

/// Issues instance after instance (`issued` counts them, for the final questions).
pub struct AgreementGen {
    kind: Kind,
    values: u32,
    nodes: Vec<String>,
    issued: Arc<Mutex<u64>>,
    queue: VecDeque<Invocation>,
}

impl AgreementGen {
    pub fn new(kind: Kind, values: u32, nodes: Vec<String>, issued: Arc<Mutex<u64>>) -> Self {
        AgreementGen {
            kind,
            values: values.max(1),
            nodes,
            issued,
            queue: VecDeque::new(),
        }
    }

    fn instance(&mut self, ctx: &mut Ctx<'_>) {
        let k = {
            let mut n = self.issued.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            *n - 1
        };
        let draw = |ctx: &mut Ctx<'_>, values: u32| json!(ctx.rng.below(values as u64));
        let key = Some(Key::Int(k as i64));
        match self.kind {
            Kind::Consensus | Kind::InteractiveConsistency => {
                let same = draw(ctx, self.values);
                for node in &self.nodes {
                    // Consensus: even instances all propose the same value.
                    let v = if self.kind == Kind::Consensus && k % 2 == 0 {
                        same.clone()
                    } else {
                        draw(ctx, self.values)
                    };
                    let value = json!({"node": node, "value": v});
                    self.queue
                        .push_back(Invocation::new("propose", key.clone(), value));
                }
            }
            Kind::Generals => {
                let order = if ctx.rng.chance(0.5) {
                    "attack"
                } else {
                    "retreat"
                };
                let commander = self.nodes.first().cloned().unwrap_or_default();
                let value = json!({"node": commander, "value": order});
                self.queue.push_back(Invocation::new("order", key, value));
            }
            Kind::Ledger => {
                let node = &self.nodes[k as usize % self.nodes.len().max(1)];
                let value = json!({"node": node, "entry": format!("e{k}")});
                self.queue.push_back(Invocation::new("submit", None, value));
            }
        }
    }
}

impl Generator for AgreementGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if self.queue.is_empty() {
            self.instance(ctx);
        }
        match self.queue.pop_front() {
            Some(inv) => Next::Op(inv),
            None => Next::Done,
        }
    }
}

/// The value an invocation names a node with.
pub fn node_of(v: &Value) -> Option<&str> {
    v.get("node").and_then(Value::as_str)
}
