//! Multi-Paxos: a leader runs phase 1 once for its ballot, then phase 2 for each slot of a
//! replicated log of key-value ops (reads included, so reads are linearizable). Acceptors
//! save their promise and every value they accept before answering. Learners that miss
//! decisions catch up from the leader's heartbeats.
//!
//! Transactions (`txn`, see [`crate::txn`]) take one slot each, are applied whole by the
//! state machine and answered once applied, so the transactional mode is
//! strict-serializable.
//!
//! Deliberate bugs:
//!
//! - `accept-any`: acceptors ignore ballot order: they promise and accept whatever ballot
//!   asks, so an old leader and a new one can both get values chosen for one slot.
//! - `txn-early-read`: the leader answers a transaction's reads from its state as it was
//!   when the request arrived (see [`crate::waiting`]): the transaction's writes are still
//!   chosen and applied in slot order, but its reads miss every slot ahead of it not yet
//!   applied, the concurrent transactions chosen first (read skew, write skew: G-single,
//!   G2-item), and, on a leader that has not yet learned every decision, transactions
//!   already acknowledged (stale reads: not strict-serializable).
//! - `txn-blind-cas`: a transaction's `cas` micro-op writes without comparing (`bank`
//!   transfers make or lose money).

use crate::kv::Kv;
use crate::waiting::Waiting;
use crate::{Ctx, Protocol};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use wire::{Body, Envelope, ErrorCode};

const ELECTION_TIMER: u64 = 1;
const HEARTBEAT_TIMER: u64 = 2;
const HEARTBEAT_MS: u64 = 50;
const ELECTION_MS: (u64, u64) = (300, 600);
const BATCH: usize = 64;

/// A ballot: (round, node index); higher rounds win, the index breaks ties.
type Ballot = (u64, u64);

fn ballot_of(v: &Value) -> Ballot {
    (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0))
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaxosBugs {
    pub accept_any: bool,
    /// A transaction's `cas` writes without comparing (as raft's).
    pub txn_blind_cas: bool,
    pub txn_early_read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Follower,
    Preparing,
    Leader,
}

/// One Multi-Paxos node: proposer, acceptor and learner.
#[derive(Debug)]
pub struct Paxos {
    pub bugs: PaxosBugs,
    // Acceptor (durable).
    promised: Ballot,
    accepted: BTreeMap<u64, (Ballot, Value)>,
    // Learner: every value known chosen, by slot, and how many slots are applied.
    decided: BTreeMap<u64, Value>,
    applied: u64,
    kv: Kv,
    // Proposer.
    role: Role,
    ballot: Ballot,
    leader: Option<String>,
    promises: BTreeMap<String, Vec<(u64, Ballot, Value)>>,
    next_slot: u64,
    votes: BTreeMap<u64, BTreeSet<String>>,
    proposals: BTreeMap<u64, Value>,
    pending: BTreeMap<u64, Waiting>,
    /// What each follower has learned (its first slot not chosen).
    known: BTreeMap<String, u64>,
    last_heard_ms: u64,
    election_ms: u64,
    index: u64,
    /// Entries in the durable log (so appending does not read it back).
    log_len: usize,
}

impl Default for Paxos {
    fn default() -> Self {
        Paxos::with_bugs(PaxosBugs::default())
    }
}

impl Paxos {
    pub fn with_bugs(bugs: PaxosBugs) -> Paxos {
        let kv = Kv::with_blind_cas(bugs.txn_blind_cas);
        Paxos {
            bugs,
            promised: (0, 0),
            accepted: BTreeMap::new(),
            decided: BTreeMap::new(),
            applied: 0,
            kv,
            role: Role::Follower,
            ballot: (0, 0),
            leader: None,
            promises: BTreeMap::new(),
            next_slot: 0,
            votes: BTreeMap::new(),
            proposals: BTreeMap::new(),
            pending: BTreeMap::new(),
            known: BTreeMap::new(),
            last_heard_ms: 0,
            election_ms: 0,
            index: 0,
            log_len: 0,
        }
    }

    fn majority(ctx: &Ctx<'_>) -> usize {
        ctx.nodes.len() / 2 + 1
    }

    /// The first slot this node does not know chosen.
    fn first_unchosen(&self) -> u64 {
        self.applied
    }

    fn broadcast(ctx: &mut Ctx<'_>, body: Value) {
        let peers: Vec<String> = ctx.peers().cloned().collect();
        for p in peers {
            ctx.send(&p, Body::from(body.clone()));
        }
    }

    fn arm_election(&mut self, ctx: &mut Ctx<'_>) {
        self.election_ms = ELECTION_MS.0 + ctx.rng.below(ELECTION_MS.1 - ELECTION_MS.0);
        ctx.timer(ELECTION_TIMER, self.election_ms);
    }

    fn save_promise(&self, ctx: &mut Ctx<'_>) {
        ctx.storage
            .put("promised", json!([self.promised.0, self.promised.1]));
    }

    fn lose_leadership(&mut self, ctx: &mut Ctx<'_>) {
        if self.role == Role::Leader {
            for (_, w) in std::mem::take(&mut self.pending) {
                ctx.reply(
                    &w.req,
                    Body::from(
                        ErrorCode::Timeout.body("leadership lost; the op may still take effect"),
                    ),
                );
            }
        }
        self.role = Role::Follower;
        self.proposals.clear();
        self.votes.clear();
    }

    fn start_phase1(&mut self, ctx: &mut Ctx<'_>) {
        self.ballot = (self.promised.0.max(self.ballot.0) + 1, self.index);
        self.role = Role::Preparing;
        self.promises.clear();
        let from = self.first_unchosen();
        // Our own promise first.
        self.promised = self.ballot;
        self.save_promise(ctx);
        let mine = self
            .accepted
            .range(from..)
            .map(|(s, (b, v))| (*s, *b, v.clone()))
            .collect();
        self.promises.insert(ctx.me.to_string(), mine);
        Self::broadcast(
            ctx,
            json!({"type": "prepare", "ballot": [self.ballot.0, self.ballot.1], "from": from}),
        );
        self.maybe_lead(ctx);
    }

    fn maybe_lead(&mut self, ctx: &mut Ctx<'_>) {
        if self.role != Role::Preparing || self.promises.len() < Self::majority(ctx) {
            return;
        }
        self.role = Role::Leader;
        self.leader = Some(ctx.me.to_string());
        // For each slot, the value accepted with the highest ballot must be proposed again.
        let mut best: BTreeMap<u64, (Ballot, Value)> = BTreeMap::new();
        for (slot, b, v) in self.promises.values().flatten() {
            if best.get(slot).is_none_or(|(bb, _)| b > bb) {
                best.insert(*slot, (*b, v.clone()));
            }
        }
        let from = self.first_unchosen();
        let top = best.keys().next_back().map_or(from, |s| (s + 1).max(from));
        self.next_slot = top;
        self.known.clear();
        for slot in from..top {
            if self.decided.contains_key(&slot) {
                continue;
            }
            let v = best
                .get(&slot)
                .map_or(json!({"type": "noop"}), |(_, v)| v.clone());
            self.propose(ctx, slot, v);
        }
        ctx.timer(HEARTBEAT_TIMER, HEARTBEAT_MS);
        self.heartbeat(ctx);
    }

    fn propose(&mut self, ctx: &mut Ctx<'_>, slot: u64, v: Value) {
        self.proposals.insert(slot, v.clone());
        // Accept it ourselves.
        self.accept_locally(ctx, self.ballot, slot, v.clone());
        self.votes
            .entry(slot)
            .or_default()
            .insert(ctx.me.to_string());
        Self::broadcast(
            ctx,
            json!({"type": "accept", "ballot": [self.ballot.0, self.ballot.1], "slot": slot, "value": v}),
        );
        self.maybe_chosen(ctx, slot);
    }

    fn accept_locally(&mut self, ctx: &mut Ctx<'_>, b: Ballot, slot: u64, v: Value) {
        self.accepted.insert(slot, (b, v.clone()));
        ctx.storage.truncate_and_append(
            self.log_len,
            &[json!({"slot": slot, "ballot": [b.0, b.1], "value": v})],
        );
        self.log_len += 1;
    }

    fn maybe_chosen(&mut self, ctx: &mut Ctx<'_>, slot: u64) {
        if self.role != Role::Leader
            || self.votes.get(&slot).map_or(0, |v| v.len()) < Self::majority(ctx)
        {
            return;
        }
        let Some(v) = self.proposals.remove(&slot) else {
            return;
        };
        self.votes.remove(&slot);
        Self::broadcast(ctx, json!({"type": "decide", "slot": slot, "value": v}));
        self.learn(ctx, slot, v);
    }

    fn learn(&mut self, ctx: &mut Ctx<'_>, slot: u64, v: Value) {
        self.decided.entry(slot).or_insert(v);
        while let Some(v) = self.decided.get(&self.applied) {
            let result = self.kv.apply(v);
            if let (Some(w), Some(body)) = (self.pending.remove(&self.applied), result) {
                ctx.reply(&w.req, w.answer(body));
            }
            self.applied += 1;
        }
    }

    fn heartbeat(&mut self, ctx: &mut Ctx<'_>) {
        let peers: Vec<String> = ctx.peers().cloned().collect();
        for p in peers {
            // Decisions the follower has not learned, from where it says it is.
            let from = self.known.get(&p).copied().unwrap_or(self.applied);
            let missing: Vec<Value> = (from..self.applied)
                .take(BATCH)
                .filter_map(|s| self.decided.get(&s).map(|v| json!([s, v])))
                .collect();
            ctx.send(&p, Body::from(json!({"type": "heartbeat", "ballot": [self.ballot.0, self.ballot.1], "decided": missing})));
        }
    }
}

impl Protocol for Paxos {
    fn name(&self) -> &'static str {
        "paxos"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.index = ctx.nodes.iter().position(|n| n == ctx.me).unwrap_or(0) as u64;
        if let Some(p) = ctx.storage.get("promised") {
            self.promised = ballot_of(&p);
        }
        let log = ctx.storage.log();
        self.log_len = log.len();
        for e in log {
            if let Some(slot) = e["slot"].as_u64() {
                self.accepted
                    .insert(slot, (ballot_of(&e["ballot"]), e["value"].clone()));
            }
        }
        self.ballot = (self.promised.0, self.index);
        self.last_heard_ms = ctx.now_ms;
        self.arm_election(ctx);
    }

    fn on_peer(&mut self, ctx: &mut Ctx<'_>, from: &str, m: &Body) {
        let b = ballot_of(&m["ballot"]);
        match m.kind() {
            "prepare" => {
                if b > self.promised || (self.bugs.accept_any && b != self.promised) {
                    self.promised = b;
                    self.save_promise(ctx);
                    if b > self.ballot {
                        self.lose_leadership(ctx);
                    }
                    self.last_heard_ms = ctx.now_ms;
                    let from_slot = m["from"].as_u64().unwrap_or(0);
                    let acc: Vec<Value> = self
                        .accepted
                        .range(from_slot..)
                        .map(|(s, (ab, v))| json!([s, [ab.0, ab.1], v]))
                        .collect();
                    ctx.send(
                        from,
                        Body::from(
                            json!({"type": "promise", "ballot": m["ballot"], "accepted": acc}),
                        ),
                    );
                } else {
                    ctx.send(from, Body::from(json!({"type": "nack", "ballot": m["ballot"], "promised": [self.promised.0, self.promised.1]})));
                }
            }
            "promise" if self.role == Role::Preparing && b == self.ballot => {
                let acc = m["accepted"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|e| (e[0].as_u64().unwrap_or(0), ballot_of(&e[1]), e[2].clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                self.promises.insert(from.to_string(), acc);
                self.maybe_lead(ctx);
            }
            "nack" => {
                let p = ballot_of(&m["promised"]);
                if p > self.ballot {
                    self.promised = self.promised.max(p);
                    self.save_promise(ctx);
                    self.lose_leadership(ctx);
                }
            }
            "accept" => {
                let ok = self.bugs.accept_any || b >= self.promised;
                let slot = m["slot"].as_u64().unwrap_or(0);
                if ok {
                    if b > self.promised {
                        self.promised = b;
                        self.save_promise(ctx);
                    }
                    if b > self.ballot && self.role != Role::Follower {
                        self.lose_leadership(ctx);
                    }
                    self.leader = Some(from.to_string());
                    self.last_heard_ms = ctx.now_ms;
                    self.accept_locally(ctx, b, slot, m["value"].clone());
                    ctx.send(
                        from,
                        Body::from(
                            json!({"type": "accepted", "ballot": m["ballot"], "slot": slot}),
                        ),
                    );
                } else {
                    ctx.send(from, Body::from(json!({"type": "nack", "ballot": m["ballot"], "promised": [self.promised.0, self.promised.1]})));
                }
            }
            "accepted" if self.role == Role::Leader && b == self.ballot => {
                let slot = m["slot"].as_u64().unwrap_or(0);
                if self.proposals.contains_key(&slot) {
                    self.votes.entry(slot).or_default().insert(from.to_string());
                    self.maybe_chosen(ctx, slot);
                }
            }
            "decide" => {
                let slot = m["slot"].as_u64().unwrap_or(0);
                self.learn(ctx, slot, m["value"].clone());
            }
            "heartbeat" => {
                if b >= self.promised || self.bugs.accept_any {
                    if b > self.ballot && self.role != Role::Follower {
                        self.lose_leadership(ctx);
                    }
                    self.leader = Some(from.to_string());
                    self.last_heard_ms = ctx.now_ms;
                }
                for d in m["decided"].as_array().into_iter().flatten() {
                    self.learn(ctx, d[0].as_u64().unwrap_or(0), d[1].clone());
                }
                ctx.send(from, Body::from(json!({"type": "heartbeat_ok", "ballot": m["ballot"], "first": self.applied})));
            }
            "heartbeat_ok" if self.role == Role::Leader => {
                self.known
                    .insert(from.to_string(), m["first"].as_u64().unwrap_or(0));
            }
            _ => {}
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) {
        if crate::kv::refuse(
            ctx,
            req,
            self.role == Role::Leader,
            self.leader.as_deref(),
            &self.kv,
        ) {
            return;
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        let waiting = if self.bugs.txn_early_read {
            Waiting::reading_early(req, &self.kv)
        } else {
            Waiting::new(req)
        };
        self.pending.insert(slot, waiting);
        self.propose(ctx, slot, Value::Object(req.body.0.clone()));
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        match id {
            ELECTION_TIMER => {
                if self.role != Role::Leader
                    && ctx.now_ms.saturating_sub(self.last_heard_ms) >= self.election_ms
                {
                    self.start_phase1(ctx);
                }
                self.arm_election(ctx);
            }
            HEARTBEAT_TIMER if self.role == Role::Leader => {
                self.heartbeat(ctx);
                // Proposals not yet chosen are sent again (their messages may be lost).
                let open: Vec<(u64, Value)> = self
                    .proposals
                    .iter()
                    .map(|(s, v)| (*s, v.clone()))
                    .collect();
                for (slot, v) in open.into_iter().take(BATCH) {
                    Self::broadcast(
                        ctx,
                        json!({"type": "accept", "ballot": [self.ballot.0, self.ballot.1], "slot": slot, "value": v}),
                    );
                }
                ctx.timer(HEARTBEAT_TIMER, HEARTBEAT_MS);
            }
            _ => {}
        }
    }

    fn state(&self) -> Value {
        let role = match self.role {
            Role::Follower => "follower",
            Role::Preparing => "candidate",
            Role::Leader => "leader",
        };
        json!({"role": role, "term": self.ballot.0, "ballot": [self.ballot.0, self.ballot.1],
            "promised": [self.promised.0, self.promised.1], "leader": self.leader,
            "commit_index": self.applied})
    }
}
