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

mod client;
mod generate;

pub use client::AgreementClient;
pub use generate::{AgreementGen, Kind};

use crate::generator::{Once, Stagger};
use crate::{Invocation, Workload};
use history::Key;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// How an agreement workload behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementOptions {
    /// New instances (or, for the ledger, submissions) per second.
    pub rate_hz: f64,
    /// Proposals and private values are drawn from `0..values`.
    pub values: u32,
}

impl Default for AgreementOptions {
    fn default() -> Self {
        AgreementOptions {
            rate_hz: 10.0,
            values: 5,
        }
    }
}

/// The workload of this kind over these nodes (their names, in order).
pub fn workload(kind: Kind, opts: AgreementOptions, nodes: Vec<String>) -> Workload {
    let issued = Arc::new(Mutex::new(0u64));
    let per_instance = kind.ops_per_instance(nodes.len()) as f64;
    let gen = AgreementGen::new(kind, opts.values, nodes.clone(), issued.clone());
    let final_nodes = nodes.clone();
    Workload {
        name: kind.name(),
        generator: Box::new(Stagger::new(opts.rate_hz * per_instance, gen)),
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
        checkers: checkers::consensus::for_workload(kind.name()).unwrap_or_default(),
    }
}
