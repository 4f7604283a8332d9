//! A seeded register workload (Maelstrom's lin-kv: `read`, `write`, `cas` over a few keys,
//! values 0 to 4) on a simulated cluster, with faults, recorded as a history in the schism
//! dialect (see [`super::clients`] for how the clients behave); faults at random, or
//! exactly those of a schedule ([`super::schedule`]).

use super::clients::{drive, Clients, Request, Workload};
use super::Sim;
use history::rng::Rng;
use history::{Dialect, History, Key, Op, OpType, Value};
use serde_json::json;
use wire::Body;

/// `clients` clients, `ops` requests in all over `keys` keys; an op unanswered after
/// `timeout_ms` is `info` (and the client goes on as a new process).
pub struct RegisterRun {
    pub clients: usize,
    pub ops: usize,
    pub keys: u64,
    pub timeout_ms: u64,
    /// Crash, restart and partition at random.
    pub faults: bool,
    /// Instead of random faults: exactly these, at these times ([`super::schedule`]).
    pub schedule: Option<Vec<super::Planned>>,
    /// No request is issued after this simulated time.
    pub time_limit_ms: Option<u64>,
}

impl Default for RegisterRun {
    fn default() -> Self {
        RegisterRun {
            clients: 3,
            ops: 200,
            keys: 2,
            timeout_ms: 1000,
            faults: true,
            schedule: None,
            time_limit_ms: None,
        }
    }
}

struct Registers {
    keys: u64,
}

impl Workload for Registers {
    fn request(&mut self, rng: &mut Rng) -> Request {
        let key = rng.below(self.keys) as i64;
        let v = rng.below(5) as i64;
        let (f, body, value) = match rng.below(3) {
            0 => ("read", json!({"type": "read", "key": key}), Value::Null),
            1 => (
                "write",
                json!({"type": "write", "key": key, "value": v}),
                json!(v),
            ),
            _ => {
                let from = rng.below(5) as i64;
                (
                    "cas",
                    json!({"type": "cas", "key": key, "from": from, "to": v}),
                    json!([from, v]),
                )
            }
        };
        Request {
            f,
            body,
            value,
            key: Some(Key::Int(key)),
        }
    }

    fn complete(&self, invoke: &Op, reply: &Body) -> (OpType, Value, Option<Value>) {
        let (kind, result, error) = wire::kv_client::outcome(&invoke.f, reply);
        let value = if invoke.f == "read" {
            result
        } else {
            invoke.value.clone()
        };
        (kind, value, error.map(Value::String))
    }
}

impl RegisterRun {
    /// Drive the simulation and return the history.
    pub fn run(&self, sim: &mut Sim, seed: u64) -> History {
        let clients = Clients {
            clients: self.clients,
            ops: self.ops,
            timeout_ms: self.timeout_ms,
            faults: self.faults,
            schedule: self.schedule.clone(),
            time_limit_ms: self.time_limit_ms,
        };
        let driven = drive(sim, seed, &clients, &mut Registers { keys: self.keys });
        History::from_ops(driven.ops, Dialect::Schism).expect("a simulated history is well formed")
    }
}
