//! Simulated clients driving a workload against a simulated cluster, with faults, recorded
//! as a history in the schism dialect. Each of `clients` clients has one request open at a
//! time, sent to the node that last answered it, or the leader a refusal named, else a
//! random node; an op unanswered after `timeout_ms` is `info`, as is an indefinite error,
//! and the client goes on as a new process. A workload says what to ask and how a reply
//! becomes a completion.

use super::Sim;
use history::rng::Rng;
use history::{Key, Op, OpType, Value};
use serde_json::json;
use wire::{Body, Envelope};

/// One request of a workload.
pub(super) struct Request {
    pub f: &'static str,
    /// The request body, without `msg_id`.
    pub body: Value,
    /// The invocation's value.
    pub value: Value,
    pub key: Option<Key>,
}

/// What the clients ask, and how they record the answers.
pub(super) trait Workload {
    fn request(&mut self, rng: &mut Rng) -> Request;
    /// The completion of `invoke` from its reply: type, value and error.
    fn complete(&self, invoke: &Op, reply: &Body) -> (OpType, Value, Option<Value>);
}

/// How many clients ask how much, and whether the network and nodes fail meanwhile.
pub(super) struct Clients {
    pub clients: usize,
    pub ops: usize,
    pub timeout_ms: u64,
    /// Crash, restart and partition at random.
    pub faults: bool,
    /// Instead: exactly these faults at these times.
    pub schedule: Option<Vec<super::schedule::Planned>>,
    /// No request is issued after this simulated time (the run ends once the open ones
    /// are answered or time out).
    pub time_limit_ms: Option<u64>,
}

/// The ops recorded, and the first process and message id not used.
pub(super) struct Driven {
    pub ops: Vec<Op>,
    pub next_process: u64,
    pub next_msg_id: u64,
}

struct Pending {
    process: u64,
    msg_id: u64,
    deadline_ms: u64,
    invoke: Op,
}

/// A history's timestamp for a simulated millisecond.
pub(super) fn stamp(ms: u64) -> u64 {
    ms * 1_000_000
}

/// The node a refusal names as the leader ("... the leader is n2"), if it is one of `n`.
pub(super) fn named_leader(reply: &Body, n: usize) -> Option<usize> {
    let t = reply["text"].as_str()?;
    if !t.contains("the leader is n") {
        return None;
    }
    t.rsplit("the leader is n")
        .next()
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| i.checked_sub(1))
        .filter(|&i| i < n)
}

/// Drive the workload on the simulation until `ops` requests are issued and answered (or
/// timed out).
pub(super) fn drive(sim: &mut Sim, seed: u64, c: &Clients, w: &mut dyn Workload) -> Driven {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let n = sim.names.len();
    let mut ops: Vec<Op> = Vec::new();
    let mut pending: Vec<Option<Pending>> = (0..c.clients).map(|_| None).collect();
    let mut process: Vec<u64> = (0..c.clients as u64).collect();
    let mut prefer: Vec<Option<usize>> = vec![None; c.clients];
    let mut issued = 0usize;
    let mut next_id = 1u64;
    let mut next_fault_ms = 500;
    let mut seen = 0usize;
    let mut playing = c.schedule.clone().map(super::schedule::Playing::new);
    sim.run_for_ms(1500); // an election first
    loop {
        // Completions that arrived.
        for (at, env) in sim.replies[seen..].iter() {
            let Some(reply_to) = env.body.in_reply_to() else {
                continue;
            };
            if let Some(i) = pending.iter().position(|p| {
                p.as_ref()
                    .is_some_and(|p| p.msg_id == reply_to && env.dest == format!("c{}", p.process))
            }) {
                let p = pending[i].take().expect("pending");
                let (kind, value, error) = w.complete(&p.invoke, &env.body);
                prefer[i] = match kind {
                    OpType::Ok => sim.names.iter().position(|x| *x == env.src),
                    _ => named_leader(&env.body, n),
                };
                let mut op = p.invoke.clone();
                op.kind = kind;
                op.value = value;
                op.error = error;
                op.time_ns = stamp(*at);
                ops.push(op);
                if kind == OpType::Info {
                    process[i] += c.clients as u64;
                }
            }
        }
        seen = sim.replies.len();
        // Timeouts.
        for (i, slot) in pending.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|p| sim.now_ms() >= p.deadline_ms) {
                let p = slot.take().expect("pending");
                let mut op = p.invoke.clone();
                op.kind = OpType::Info;
                op.error = Some(json!("timeout"));
                op.time_ns = stamp(sim.now_ms());
                ops.push(op);
                process[i] += c.clients as u64;
                prefer[i] = None;
            }
        }
        let over = c.time_limit_ms.is_some_and(|t| sim.now_ms() >= t);
        if (issued >= c.ops || over) && pending.iter().all(Option::is_none) {
            break;
        }
        // New requests.
        for i in 0..c.clients {
            if pending[i].is_some() || issued >= c.ops || over || !rng.chance(0.3) {
                continue;
            }
            issued += 1;
            let r = w.request(&mut rng);
            let mut body = Body::from(r.body);
            body.set("msg_id", json!(next_id));
            let p = process[i];
            let mut invoke = Op::client(p, OpType::Invoke, r.f, r.value);
            invoke.key = r.key;
            invoke.time_ns = stamp(sim.now_ms());
            ops.push(invoke.clone());
            // To the node that last answered, or the leader it named; else any node.
            let node = prefer[i].unwrap_or_else(|| rng.below(n as u64) as usize);
            let dest = sim.names[node].clone();
            sim.request(node, Envelope::new(&format!("c{p}"), &dest, body));
            pending[i] = Some(Pending {
                process: p,
                msg_id: next_id,
                deadline_ms: sim.now_ms() + c.timeout_ms,
                invoke,
            });
            next_id += 1;
        }
        if let Some(p) = playing.as_mut() {
            p.step(sim);
        } else if c.faults && sim.now_ms() >= next_fault_ms {
            next_fault_ms = sim.now_ms() + rng.between(200, 800);
            let i = rng.below(n as u64) as usize;
            match rng.below(4) {
                0 => sim.crash(i),
                1 => (0..n).for_each(|j| sim.restart(j)),
                2 => {
                    let (a, b): (Vec<usize>, Vec<usize>) =
                        (0..n).partition(|&j| j == i || rng.chance(0.3));
                    sim.partition(&a, &b);
                }
                _ => sim.heal(),
            }
        }
        sim.run_for_ms(5);
    }
    Driven {
        ops,
        next_process: process.iter().max().map_or(0, |p| p + 1),
        next_msg_id: next_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_leader() {
        let b = |t: &str| Body::from(json!({"type": "error", "code": 11, "text": t}));
        assert_eq!(
            named_leader(&b("not the leader; the leader is n3"), 3),
            Some(2)
        );
        assert_eq!(
            named_leader(&b("not the leader; the leader is n4"), 3),
            None
        );
        assert_eq!(
            named_leader(&b("not the leader; the leader is unknown"), 3),
            None
        );
        assert_eq!(named_leader(&b("the leader is n0"), 3), None);
        assert_eq!(named_leader(&Body::default(), 3), None);
    }
}
