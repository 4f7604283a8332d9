//! A seeded list-append transaction workload (Maelstrom's txn-list-append) on a simulated
//! cluster, with faults, recorded as a history in the schism dialect (see
//! [`super::clients`] for how the clients behave).
//!
//! Each request is a `txn` of 1 to `max_len` micro-ops over `keys` keys, each a read
//! (`["r", k, null]`) or an append of a value unique to its key (1, 2, 3, ... per key). In
//! the history a transaction is an op with `f = "txn"` and no key, whose value is the
//! micro-ops as sent at the invocation and as answered (reads filled) at an `ok`
//! completion; a `fail` or `info` completion keeps the micro-ops as sent.
//!
//! With `final_read`, once the clients are done the network heals, every node restarts,
//! and one more transaction reads every key through the log (retried, following the
//! leader, until one is `ok`): what every key finally holds, in the history.

use super::clients::{drive, named_leader, stamp, Clients, Driven, Request, Workload};
use super::Sim;
use history::rng::Rng;
use history::{Dialect, History, Op, OpType, Value};
use serde_json::json;
use wire::{Body, Envelope, ErrorCode};

pub struct ListAppendRun {
    pub clients: usize,
    /// Transactions, the final read aside.
    pub ops: usize,
    pub keys: u64,
    /// Micro-ops in a transaction at most (at least 1).
    pub max_len: u64,
    pub timeout_ms: u64,
    /// Crash, restart and partition at random.
    pub faults: bool,
    pub final_read: bool,
}

impl Default for ListAppendRun {
    fn default() -> Self {
        ListAppendRun {
            clients: 4,
            ops: 300,
            keys: 4,
            max_len: 4,
            timeout_ms: 1000,
            faults: true,
            final_read: true,
        }
    }
}

/// Attempts at the final read at most.
const FINAL_ATTEMPTS: usize = 50;

struct Appends {
    max_len: u64,
    /// The next value to append, by key.
    next: Vec<i64>,
}

impl Workload for Appends {
    fn request(&mut self, rng: &mut Rng) -> Request {
        let len = rng.between(1, self.max_len.max(1));
        let txn: Vec<Value> = (0..len)
            .map(|_| {
                let k = rng.below(self.next.len() as u64) as usize;
                if rng.chance(0.5) {
                    json!(["r", k, null])
                } else {
                    self.next[k] += 1;
                    json!(["append", k, self.next[k]])
                }
            })
            .collect();
        txn_request(txn)
    }

    fn complete(&self, invoke: &Op, reply: &Body) -> (OpType, Value, Option<Value>) {
        complete(invoke, reply)
    }
}

fn txn_request(txn: Vec<Value>) -> Request {
    Request {
        f: "txn",
        body: json!({"type": "txn", "txn": txn}),
        value: Value::Array(txn),
        key: None,
    }
}

/// A `txn` completion: `txn_ok` is `ok` with the answered micro-ops; a definite error
/// `fail`, an indefinite one (or anything else) `info`, both with the micro-ops as sent.
fn complete(invoke: &Op, reply: &Body) -> (OpType, Value, Option<Value>) {
    let sent = invoke.value.clone();
    match reply.kind() {
        "txn_ok" => (OpType::Ok, reply["txn"].clone(), None),
        "error" => {
            let code = reply["code"].as_i64().unwrap_or(-1);
            let text = reply["text"].as_str().unwrap_or("");
            let kind = if ErrorCode::is_definite(code) {
                OpType::Fail
            } else {
                OpType::Info
            };
            (kind, sent, Some(json!(format!("{code}: {text}"))))
        }
        other => (
            OpType::Info,
            sent,
            Some(json!(format!("unexpected reply {other:?}"))),
        ),
    }
}

impl ListAppendRun {
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
        let mut w = Appends {
            max_len: self.max_len,
            next: vec![0; self.keys.max(1) as usize],
        };
        let mut driven = drive(sim, seed, &clients, &mut w);
        if self.final_read {
            self.read_all(sim, &mut driven);
        }
        History::from_ops(driven.ops, Dialect::Schism).expect("a simulated history is well formed")
    }

    /// Heal, restart, and read every key in one transaction, following the leader, until a
    /// read is `ok` (each attempt by a new process).
    fn read_all(&self, sim: &mut Sim, driven: &mut Driven) {
        let n = sim.names.len();
        sim.heal();
        (0..n).for_each(|i| sim.restart(i));
        sim.run_for_ms(2000);
        let txn: Vec<Value> = (0..self.keys).map(|k| json!(["r", k, null])).collect();
        let mut node = 0;
        for _ in 0..FINAL_ATTEMPTS {
            let (p, id) = (driven.next_process, driven.next_msg_id);
            driven.next_process += 1;
            driven.next_msg_id += 1;
            let r = txn_request(txn.clone());
            let mut invoke = Op::client(p, OpType::Invoke, r.f, r.value);
            invoke.time_ns = stamp(sim.now_ms());
            driven.ops.push(invoke.clone());
            let mut body = Body::from(r.body);
            body.set("msg_id", json!(id));
            let (client, seen) = (format!("c{p}"), sim.replies.len());
            let dest = sim.names[node].clone();
            sim.request(node, Envelope::new(&client, &dest, body));
            let deadline = sim.now_ms() + self.timeout_ms;
            let reply = loop {
                let found = sim.replies[seen..]
                    .iter()
                    .find(|(_, e)| e.dest == client && e.body.in_reply_to() == Some(id));
                if let Some((at, e)) = found {
                    break Some((*at, e.body.clone()));
                }
                if sim.now_ms() >= deadline {
                    break None;
                }
                sim.run_for_ms(5);
            };
            let mut op = invoke.clone();
            let (kind, value, error) = match &reply {
                Some((at, body)) => {
                    op.time_ns = stamp(*at);
                    complete(&invoke, body)
                }
                None => {
                    op.time_ns = stamp(sim.now_ms());
                    (OpType::Info, invoke.value.clone(), Some(json!("timeout")))
                }
            };
            (op.kind, op.value, op.error) = (kind, value, error);
            driven.ops.push(op);
            if kind == OpType::Ok {
                return;
            }
            node = match reply.and_then(|(_, b)| named_leader(&b, n)) {
                Some(leader) if leader != node => leader,
                _ => {
                    sim.run_for_ms(100);
                    (node + 1) % n
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transactions_are_short_and_appended_values_unique_per_key() {
        let mut w = Appends {
            max_len: 4,
            next: vec![0; 3],
        };
        let mut rng = Rng::new(7);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let r = w.request(&mut rng);
            let ops = r.value.as_array().expect("micro-ops").clone();
            assert!((1..=4).contains(&ops.len()));
            assert_eq!(r.body["txn"], r.value);
            for op in ops {
                if op[0] == "append" {
                    assert!(seen.insert((op[1].to_string(), op[2].to_string())), "{op}");
                } else {
                    assert_eq!(op[2], Value::Null);
                }
            }
        }
    }

    #[test]
    fn replies_become_completions() {
        let invoke = Op::client(0, OpType::Invoke, "txn", json!([["r", 1, null]]));
        let b = |v: Value| Body::from(v);
        let ok = complete(
            &invoke,
            &b(json!({"type": "txn_ok", "txn": [["r", 1, [1]]]})),
        );
        assert_eq!(ok, (OpType::Ok, json!([["r", 1, [1]]]), None));
        let refused = complete(
            &invoke,
            &b(ErrorCode::TemporarilyUnavailable.body("not the leader")),
        );
        assert_eq!((refused.0, refused.1), (OpType::Fail, invoke.value.clone()));
        assert_eq!(
            complete(&invoke, &b(ErrorCode::Timeout.body("lost"))).0,
            OpType::Info
        );
        assert_eq!(
            complete(&invoke, &b(json!({"type": "huh"}))).0,
            OpType::Info
        );
    }
}
