//! The agreement workloads: the problems the field is built on, decided by the nodes and
//! judged on the correct ones only (see `checkers::consensus`).
//!
//! - `consensus`: many independent instances; for each, a proposal on behalf of every
//!   node (all the same value for even instances, so integrity is exercised; different
//!   values for odd ones); each node decides once per instance.
//! - `generals`: the commander (`n1`) receives an order per instance, attack or retreat;
//!   the lieutenants decide.
//! - `interactive-consistency`: each node receives a private value per instance; each
//!   decides a vector.
//! - `ledger`: entries submitted, committed into one log; every node's log read at the end.
//!
//! After the faults are healed, every node is asked what it decided for every instance
//! (or for its whole log): those answers, with the proposals, are what the checkers judge.
//! Proposals and submissions to replicated state machines (Raft, Paxos) go to whichever
//! node leads, on behalf of the node named in the op; orders and proposals of the
//! Byzantine agreement protocols go to the node named; final questions always do.

mod generate;

pub use generate::{node_of, AgreementGen, Kind};

use crate::generator::{Once, Stagger};
use crate::registry::{self, WorkloadDef, WorkloadOptions};
use crate::{Invocation, Workload};
use checkers::consensus::{self, Problem};
use history::Key;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// One agreement workload's registry entry; its options are the spec's `agreement:`
/// section.
macro_rules! agreement {
    ($def:ident, $kind:expr, $problem:expr, $about:literal, $ops:expr) => {
        pub static $def: WorkloadDef = WorkloadDef {
            name: Kind::NAMES[$kind as usize],
            about: $about,
            section: Some("agreement"),
            ops: $ops,
            options: registry::filled::<AgreementOptions>,
            build: |s| Ok(workload($kind, s.options()?, s.nodes.to_vec())),
            checkers: |_| Ok(consensus::properties($problem)),
        };
    };
}

agreement!(
    CONSENSUS,
    Kind::Consensus,
    Problem::Consensus,
    "instances of consensus, proposed on behalf of every node; agreement, integrity, termination on the correct nodes",
    &["propose", "decision"]
);
agreement!(
    GENERALS,
    Kind::Generals,
    Problem::Generals,
    "the Byzantine generals: a commander's orders; loyal lieutenants agree (IC1) and obey a loyal commander (IC2)",
    &["order", "decision"]
);
agreement!(
    INTERACTIVE_CONSISTENCY,
    Kind::InteractiveConsistency,
    Problem::InteractiveConsistency,
    "a private value per node; correct nodes decide one vector holding every correct node's value",
    &["propose", "decision"]
);
agreement!(
    LEDGER,
    Kind::Ledger,
    Problem::Ledger,
    "entries submitted to one replicated log; one committed prefix, nothing lost, duplicated or invented",
    &["submit", "log"]
);

/// How traitors of `om` and `eig` behave when `traitors` > 0 and the `byzantine` nemesis
/// is not used (see [`AgreementOptions::traitor_strategy`]).
pub const TRAITOR_STRATEGIES: [&str; 3] = ["lamport", "silent", "none"];

/// The traitor strategy an agreement section gives (the default when it gives none or
/// is not one).
pub fn traitor_strategy(section: &serde_json::Value) -> String {
    registry::options::<AgreementOptions>(section)
        .unwrap_or_default()
        .traitor_strategy
}

/// How an agreement workload behaves (the spec's `agreement:` section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgreementOptions {
    /// New instances (or, for the ledger, submissions) per second.
    pub instances_per_s: f64,
    /// Proposals and private values are drawn from `0..values`.
    pub values: u32,
    /// How protocol-aware traitors of `om` and `eig` behave when `traitors` > 0 and the
    /// `byzantine` nemesis is not used: `lamport` (a traitor commander splits its orders,
    /// a traitor lieutenant relays the opposite; eig: equivocate), `silent`, or `none`.
    pub traitor_strategy: String,
}

impl Default for AgreementOptions {
    fn default() -> Self {
        AgreementOptions {
            instances_per_s: 10.0,
            values: 5,
            traitor_strategy: "lamport".into(),
        }
    }
}

impl WorkloadOptions for AgreementOptions {
    fn validate(&self) -> Result<(), String> {
        crate::limits::rate("agreement.instances_per_s", self.instances_per_s, false)?;
        registry::positive("agreement.values", u64::from(self.values))?;
        if !TRAITOR_STRATEGIES.contains(&self.traitor_strategy.as_str()) {
            return Err(format!(
                "agreement.traitor_strategy {:?} is not one of {}",
                self.traitor_strategy,
                TRAITOR_STRATEGIES.join(", ")
            ));
        }
        Ok(())
    }
}

/// The problem a workload poses.
fn problem(kind: Kind) -> Problem {
    match kind {
        Kind::Consensus => Problem::Consensus,
        Kind::Generals => Problem::Generals,
        Kind::InteractiveConsistency => Problem::InteractiveConsistency,
        Kind::Ledger => Problem::Ledger,
    }
}

/// The workload of this kind over these nodes (their names, in order).
pub fn workload(kind: Kind, opts: AgreementOptions, nodes: Vec<String>) -> Workload {
    let issued = Arc::new(Mutex::new(0u64));
    let per_instance = kind.ops_per_instance(nodes.len()) as f64;
    let gen = AgreementGen::new(kind, opts.values.max(1), nodes.clone(), issued.clone());
    let final_nodes = nodes.clone();
    Workload {
        name: kind.name(),
        generator: Box::new(Stagger::new(opts.instances_per_s * per_instance, gen)),
        final_generator: Box::new(move || {
            let instances = *issued.lock().unwrap_or_else(|e| e.into_inner());
            let mut invs = Vec::new();
            for node in &final_nodes {
                if kind == Kind::Ledger {
                    invs.push(Invocation::new("log", None, json!({"node": node})));
                    continue;
                }
                for i in 0..instances {
                    invs.push(Invocation::new(
                        "decision",
                        Some(Key::Int(i as i64)),
                        json!({"node": node}),
                    ));
                }
            }
            Box::new(Once::new(invs))
        }),
        checkers: consensus::properties(problem(kind)),
    }
}
