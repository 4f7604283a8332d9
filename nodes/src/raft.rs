//! Raft: leader election, log replication and commitment, with term, vote and log saved
//! before they are relied on, replicating a linearizable key-value store. Every client op,
//! reads included, goes through the log, so reads are linearizable.
//!
//! Transactions (`txn`, see [`crate::txn`]) go through the log like every other op: each is
//! one entry, applied whole by the state machine, and answered once applied, so the
//! transactional mode is strict-serializable.
//!
//! Deliberate bugs:
//!
//! - `stale-read`: the leader answers reads from its own copy at once, without the log,
//!   even when it no longer leads (a partitioned old leader does not know that yet), so
//!   reads can be stale.
//! - `txn-early-read`: the leader answers a transaction's reads from its state as it was
//!   when the request arrived (see [`crate::waiting`]): the transaction's writes still go
//!   through the log, but its reads miss every entry ahead of it not yet applied, the
//!   concurrent transactions that commit first (read skew, write skew: G-single, G2-item),
//!   and, on a new leader that has not yet applied all that the old one committed,
//!   transactions already acknowledged (stale reads: not strict-serializable).
//! - `txn-blind-cas`: a transaction's `cas` micro-op writes its new value without
//!   comparing: two `bank` transfers that read the same balance both commit, and money
//!   appears or vanishes (a wrong total).

use crate::kv::Kv;
use crate::waiting::Waiting;
use crate::{Ctx, Protocol};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use wire::{Body, Envelope, ErrorCode};

const ELECTION_TIMER: u64 = 1;
const HEARTBEAT_TIMER: u64 = 2;
const HEARTBEAT_MS: u64 = 50;
const ELECTION_MS: (u64, u64) = (300, 600);
/// Entries in one append_entries message.
const BATCH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    Follower,
    Candidate,
    Leader,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    term: u64,
    op: Value,
}

/// Deliberate bugs, for proving that schism catches them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RaftBugs {
    pub stale_read: bool,
    pub txn_early_read: bool,
    /// A transaction's `cas` writes without comparing: transfers lose or make money.
    pub txn_blind_cas: bool,
}

/// One Raft node.
#[derive(Debug, Default)]
pub struct Raft {
    pub bugs: RaftBugs,
    term: u64,
    voted_for: Option<String>,
    log: Vec<Entry>,
    /// Entries known committed (a count: entries 0..commit).
    commit: usize,
    applied: usize,
    role: Option<Role>,
    leader: Option<String>,
    votes: BTreeSet<String>,
    next: BTreeMap<String, usize>,
    matched: BTreeMap<String, usize>,
    kv: Kv,
    /// Client requests waiting for their entry (by log position) to be applied.
    pending: BTreeMap<usize, Waiting>,
    last_heard_ms: u64,
    election_ms: u64,
}

impl Raft {
    pub fn with_bugs(bugs: RaftBugs) -> Raft {
        Raft {
            kv: Kv::with_blind_cas(bugs.txn_blind_cas),
            bugs,
            ..Raft::default()
        }
    }

    fn role(&self) -> Role {
        self.role.unwrap_or(Role::Follower)
    }

    fn majority(ctx: &Ctx<'_>) -> usize {
        ctx.nodes.len() / 2 + 1
    }

    fn save_meta(&self, ctx: &mut Ctx<'_>) {
        ctx.storage.put(
            "meta",
            json!({"term": self.term, "voted_for": self.voted_for}),
        );
    }

    fn arm_election(&mut self, ctx: &mut Ctx<'_>) {
        self.election_ms = ELECTION_MS.0 + ctx.rng.below(ELECTION_MS.1 - ELECTION_MS.0);
        ctx.timer(ELECTION_TIMER, self.election_ms);
    }

    /// A higher term was seen: follow it.
    fn step_down(&mut self, ctx: &mut Ctx<'_>, term: u64) {
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            // Whoever led the old term does not lead this one.
            self.leader = None;
            self.save_meta(ctx);
        }
        if self.leader.as_deref() == Some(ctx.me) {
            self.leader = None;
        }
        if self.role() == Role::Leader {
            // Those entries may still commit under the next leader: the outcome is unknown.
            for (_, w) in std::mem::take(&mut self.pending) {
                ctx.reply(
                    &w.req,
                    Body::from(
                        ErrorCode::Timeout.body("leadership lost; the op may still take effect"),
                    ),
                );
            }
        }
        self.role = Some(Role::Follower);
    }

    fn last_term(&self) -> u64 {
        self.log.last().map_or(0, |e| e.term)
    }

    fn start_election(&mut self, ctx: &mut Ctx<'_>) {
        self.term += 1;
        self.role = Some(Role::Candidate);
        self.voted_for = Some(ctx.me.to_string());
        self.votes = [ctx.me.to_string()].into();
        self.leader = None;
        self.save_meta(ctx);
        let body = json!({"type": "request_vote", "term": self.term,
            "last_index": self.log.len(), "last_term": self.last_term()});
        let peers: Vec<String> = ctx.peers().cloned().collect();
        for p in peers {
            ctx.send(&p, Body::from(body.clone()));
        }
        if self.votes.len() >= Self::majority(ctx) {
            self.become_leader(ctx);
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_>) {
        self.role = Some(Role::Leader);
        self.leader = Some(ctx.me.to_string());
        let peers: Vec<String> = ctx.peers().cloned().collect();
        for p in &peers {
            self.next.insert(p.clone(), self.log.len());
            self.matched.insert(p.clone(), 0);
        }
        // A no-op of the new term, so that entries of earlier terms can commit.
        self.append(ctx, json!({"type": "noop"}));
        self.replicate(ctx);
        ctx.timer(HEARTBEAT_TIMER, HEARTBEAT_MS);
    }

    fn append(&mut self, ctx: &mut Ctx<'_>, op: Value) -> usize {
        let e = Entry {
            term: self.term,
            op,
        };
        ctx.storage.truncate_and_append(
            self.log.len(),
            &[serde_json::to_value(&e).unwrap_or_default()],
        );
        self.log.push(e);
        self.advance_commit(ctx);
        self.log.len() - 1
    }

    fn replicate(&mut self, ctx: &mut Ctx<'_>) {
        let peers: Vec<String> = ctx.peers().cloned().collect();
        for p in peers {
            let next = self.next.get(&p).copied().unwrap_or(0).min(self.log.len());
            let prev_term = if next == 0 {
                0
            } else {
                self.log[next - 1].term
            };
            let entries = &self.log[next..(next + BATCH).min(self.log.len())];
            ctx.send(
                &p,
                Body::from(json!({"type": "append_entries", "term": self.term,
                    "prev_index": next, "prev_term": prev_term,
                    "entries": entries, "leader_commit": self.commit})),
            );
        }
    }

    fn advance_commit(&mut self, ctx: &mut Ctx<'_>) {
        if self.role() != Role::Leader {
            return;
        }
        let mut counts: Vec<usize> = self.matched.values().copied().collect();
        counts.push(self.log.len());
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let n = counts[Self::majority(ctx) - 1];
        // Only entries of the current term are committed by counting.
        if n > self.commit && self.log[n - 1].term == self.term {
            self.commit = n;
            self.apply(ctx);
        }
    }

    fn apply(&mut self, ctx: &mut Ctx<'_>) {
        while self.applied < self.commit {
            let i = self.applied;
            let result = self.kv.apply(&self.log[i].op);
            if let (Some(w), Some(body)) = (self.pending.remove(&i), result) {
                ctx.reply(&w.req, w.answer(body));
            }
            self.applied += 1;
        }
    }

    fn on_request_vote(&mut self, ctx: &mut Ctx<'_>, from: &str, m: &Body) {
        let term = m["term"].as_u64().unwrap_or(0);
        if term > self.term {
            self.step_down(ctx, term);
        }
        let (li, lt) = (
            m["last_index"].as_u64().unwrap_or(0) as usize,
            m["last_term"].as_u64().unwrap_or(0),
        );
        let up_to_date = (lt, li) >= (self.last_term(), self.log.len());
        let free = self.voted_for.as_deref().is_none_or(|v| v == from);
        let granted = term == self.term && free && up_to_date;
        if granted {
            self.voted_for = Some(from.to_string());
            self.save_meta(ctx);
            self.last_heard_ms = ctx.now_ms;
        }
        ctx.send(
            from,
            Body::from(json!({"type": "vote", "term": self.term, "granted": granted})),
        );
    }

    fn on_vote(&mut self, ctx: &mut Ctx<'_>, from: &str, m: &Body) {
        let term = m["term"].as_u64().unwrap_or(0);
        if term > self.term {
            self.step_down(ctx, term);
            return;
        }
        if self.role() == Role::Candidate && term == self.term && m["granted"] == json!(true) {
            self.votes.insert(from.to_string());
            if self.votes.len() >= Self::majority(ctx) {
                self.become_leader(ctx);
            }
        }
    }

    fn on_append(&mut self, ctx: &mut Ctx<'_>, from: &str, m: &Body) {
        let term = m["term"].as_u64().unwrap_or(0);
        if term < self.term {
            ctx.send(from, Body::from(json!({"type": "appended", "term": self.term, "success": false, "hint": self.log.len()})));
            return;
        }
        if term > self.term || self.role() != Role::Follower {
            self.step_down(ctx, term);
        }
        self.leader = Some(from.to_string());
        self.last_heard_ms = ctx.now_ms;
        let prev = m["prev_index"].as_u64().unwrap_or(0) as usize;
        let prev_term = m["prev_term"].as_u64().unwrap_or(0);
        if prev > self.log.len() || (prev > 0 && self.log[prev - 1].term != prev_term) {
            let hint = prev.min(self.log.len()).saturating_sub(1).max(self.commit);
            ctx.send(
                from,
                Body::from(
                    json!({"type": "appended", "term": self.term, "success": false, "hint": hint}),
                ),
            );
            return;
        }
        let entries: Vec<Entry> = serde_json::from_value(m["entries"].clone()).unwrap_or_default();
        // Skip what matches; from the first conflict on, the leader's entries win.
        let mut keep = prev;
        let mut new = entries.as_slice();
        while let Some(e) = new.first() {
            match self.log.get(keep) {
                Some(mine) if mine.term == e.term => {
                    keep += 1;
                    new = &new[1..];
                }
                _ => break,
            }
        }
        if !new.is_empty() {
            let values: Vec<Value> = new
                .iter()
                .map(|e| serde_json::to_value(e).unwrap_or_default())
                .collect();
            ctx.storage.truncate_and_append(keep, &values);
            self.log.truncate(keep);
            self.log.extend_from_slice(new);
        }
        let last_new = prev + entries.len();
        let leader_commit = m["leader_commit"].as_u64().unwrap_or(0) as usize;
        if leader_commit > self.commit {
            self.commit = leader_commit.min(last_new).max(self.commit);
            self.apply(ctx);
        }
        ctx.send(from, Body::from(json!({"type": "appended", "term": self.term, "success": true, "matched": last_new})));
    }

    fn on_appended(&mut self, ctx: &mut Ctx<'_>, from: &str, m: &Body) {
        let term = m["term"].as_u64().unwrap_or(0);
        if term > self.term {
            self.step_down(ctx, term);
            return;
        }
        if self.role() != Role::Leader || term != self.term {
            return;
        }
        if m["success"] == json!(true) {
            let matched = (m["matched"].as_u64().unwrap_or(0) as usize).min(self.log.len());
            let e = self.matched.entry(from.to_string()).or_insert(0);
            *e = (*e).max(matched);
            self.next.insert(from.to_string(), matched);
            self.advance_commit(ctx);
        } else {
            let hint = m["hint"].as_u64().unwrap_or(0) as usize;
            let next = self.next.get(from).copied().unwrap_or(0);
            self.next
                .insert(from.to_string(), hint.min(next.saturating_sub(1)));
        }
    }
}

impl Protocol for Raft {
    fn name(&self) -> &'static str {
        "raft"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(meta) = ctx.storage.get("meta") {
            self.term = meta["term"].as_u64().unwrap_or(0);
            self.voted_for = meta["voted_for"].as_str().map(String::from);
        }
        self.log = ctx
            .storage
            .log()
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        self.role = Some(Role::Follower);
        self.last_heard_ms = ctx.now_ms;
        self.arm_election(ctx);
    }

    fn on_peer(&mut self, ctx: &mut Ctx<'_>, from: &str, body: &Body) {
        match body.kind() {
            "request_vote" => self.on_request_vote(ctx, from, body),
            "vote" => self.on_vote(ctx, from, body),
            "append_entries" => self.on_append(ctx, from, body),
            "appended" => self.on_appended(ctx, from, body),
            _ => {}
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) {
        if crate::kv::refuse(
            ctx,
            req,
            self.role() == Role::Leader,
            self.leader.as_deref(),
            &self.kv,
        ) {
            return;
        }
        let kind = req.body.kind();
        if kind == "read" && self.bugs.stale_read {
            ctx.reply(req, self.kv.read_local(&Value::Object(req.body.0.clone())));
            return;
        }
        let waiting = if self.bugs.txn_early_read {
            Waiting::reading_early(req, &self.kv)
        } else {
            Waiting::new(req)
        };
        // Pending before appending: a lone node commits (and answers) as it appends.
        self.pending.insert(self.log.len(), waiting);
        self.append(ctx, Value::Object(req.body.0.clone()));
        self.replicate(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        match id {
            ELECTION_TIMER => {
                if self.role() != Role::Leader
                    && ctx.now_ms.saturating_sub(self.last_heard_ms) >= self.election_ms
                {
                    self.start_election(ctx);
                }
                self.arm_election(ctx);
            }
            HEARTBEAT_TIMER if self.role() == Role::Leader => {
                self.replicate(ctx);
                ctx.timer(HEARTBEAT_TIMER, HEARTBEAT_MS);
            }
            _ => {}
        }
    }

    fn state(&self) -> Value {
        json!({"role": self.role(), "term": self.term, "leader": self.leader,
            "commit_index": self.commit, "log_len": self.log.len()})
    }
}
