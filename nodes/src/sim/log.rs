//! A seeded Kafka-style log workload (Maelstrom's kafka messages) on a simulated cluster,
//! with faults, recorded as a history in the schism dialect (see [`super::clients`] for
//! how the clients behave): sends of values unique in the run (1, 2, 3, ...) to `keys`
//! keys, and reads of a key's whole log (`poll` from offset 0, recorded as the `log`
//! workload's final read: `f = "poll"`, the key, `{"final": true}`). The last requests
//! are reads only, every key in turn, so that what was acknowledged last is read too. A
//! run's logs stay under one poll page, so each read is the whole log as of its entry.

use super::clients::{drive, Clients, Request, Workload};
use super::Sim;
use history::rng::Rng;
use history::{Dialect, History, Key, Op, OpType, Value};
use serde_json::json;
use wire::{Body, ErrorCode};

/// `clients` clients, `ops` requests in all over `keys` keys, half of them reads.
pub struct LogRun {
    pub clients: usize,
    pub ops: usize,
    pub keys: u64,
    pub timeout_ms: u64,
    /// Crash, restart and partition at random.
    pub faults: bool,
}

impl Default for LogRun {
    fn default() -> Self {
        LogRun {
            clients: 4,
            ops: 300,
            keys: 3,
            timeout_ms: 1000,
            faults: true,
        }
    }
}

struct Logs {
    keys: u64,
    next: i64,
    /// Requests left to make; the last [`TAIL`] per key are reads.
    left: usize,
}

/// Reads of every key, in turn, at the end of a run (per key).
const TAIL: usize = 4;

impl Workload for Logs {
    fn request(&mut self, rng: &mut Rng) -> Request {
        self.left = self.left.saturating_sub(1);
        let tail = self.left < TAIL * self.keys as usize;
        let key = if tail {
            (self.left as u64 % self.keys) as i64
        } else {
            rng.below(self.keys) as i64
        };
        if tail || rng.chance(0.5) {
            return Request {
                f: "poll",
                body: json!({"type": "poll", "offsets": {key.to_string(): 0}}),
                value: json!({"final": true}),
                key: Some(Key::Int(key)),
            };
        }
        self.next += 1;
        Request {
            f: "send",
            body: json!({"type": "send", "key": key.to_string(), "msg": self.next}),
            value: json!(self.next),
            key: Some(Key::Int(key)),
        }
    }

    fn complete(&self, invoke: &Op, reply: &Body) -> (OpType, Value, Option<Value>) {
        match reply.kind() {
            "send_ok" => (OpType::Ok, json!([reply["offset"], invoke.value]), None),
            "poll_ok" => {
                let key = invoke.key.as_ref().map(Key::to_string).unwrap_or_default();
                let pairs = reply["msgs"].get(&key).cloned().unwrap_or(json!([]));
                (OpType::Ok, json!({ key: pairs }), None)
            }
            _ => {
                let code = reply["code"].as_i64().unwrap_or(-1);
                let definite = ErrorCode::is_definite(code) || invoke.f == "poll";
                let kind = if definite { OpType::Fail } else { OpType::Info };
                let text = format!("{code}: {}", reply["text"].as_str().unwrap_or(""));
                (kind, invoke.value.clone(), Some(json!(text)))
            }
        }
    }
}

impl LogRun {
    /// Drive the simulation and return the history.
    pub fn run(&self, sim: &mut Sim, seed: u64) -> History {
        let clients = Clients {
            clients: self.clients,
            ops: self.ops,
            timeout_ms: self.timeout_ms,
            faults: self.faults,
            schedule: None,
            time_limit_ms: None,
        };
        let mut w = Logs {
            keys: self.keys.max(1),
            next: 0,
            left: self.ops,
        };
        let driven = drive(sim, seed, &clients, &mut w);
        History::from_ops(driven.ops, Dialect::Schism).expect("a simulated history is well formed")
    }
}
