//! One node's side of many OM(m) instances at once. Rounds are kept as a synchronous
//! system keeps them: each tree's commander stamps its first message with the time it
//! began (`t0`, the host's clock, which all nodes of a machine share), a value for a path
//! k long counts only if it arrives by t0 + k rounds (later, it is as if never sent), and
//! an instance is decided m + 1 rounds after the t0 of the first tree this node hears
//! of (or m + 1 rounds after it first hears of the instance otherwise). Values are stored
//! in one tree per commander and relayed while paths are at most m long; at the end the
//! instance is handed back to the protocol to resolve and decide.
//!
//! Messages: `{"type":K,"instance":I,"path":[..],"value":V,"t0":MS}` (K is "om" or "eig"),
//! acknowledged by `{"type":"K_ack","instance":I,"path":[..]}`.

use super::{admissible, path_of, Conduct, Decisions, Outbox, Path, Tree};
use crate::eig_tree::outbox::RESEND_TIMER;
use crate::Ctx;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wire::{Body, Envelope, ErrorCode};

/// The map key of an instance: a string as it is, an integer in decimal; `None` for
/// anything else.
pub fn instance_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// The answer to a decision request.
fn decision_ok(instance: &Value, field: &str, v: Option<&Value>) -> Value {
    json!({"type": "decision_ok", "instance": instance, field: v, "decided": v.is_some()})
}

/// An undecided instance at this node: what it received, one tree per commander.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// The instance as clients name it.
    pub instance: Value,
    pub trees: BTreeMap<String, Tree>,
}

/// The instances of one node.
#[derive(Debug, Clone)]
pub struct Gather {
    kind: &'static str,
    pub m: usize,
    pub round_ms: u64,
    pub default: Value,
    pub conduct: Conduct,
    runs: BTreeMap<String, Run>,
    /// Clock timer id -> instance key.
    timers: BTreeMap<u64, String>,
    next_timer: u64,
    outbox: Outbox,
    decisions: Decisions,
    /// Decision requests waiting for their instance's rounds to end, with the field that
    /// names the decision in the answer.
    waiting: BTreeMap<String, Vec<(Envelope, &'static str)>>,
}

impl Gather {
    /// `kind`: the message type, also the storage prefix.
    pub fn new(kind: &'static str, round_ms: u64, default: Value, conduct: Conduct) -> Gather {
        Gather {
            kind,
            m: 0,
            round_ms,
            default,
            conduct,
            runs: BTreeMap::new(),
            timers: BTreeMap::new(),
            next_timer: RESEND_TIMER + 1,
            outbox: Outbox::new(round_ms / 4),
            decisions: Decisions::new(kind),
            waiting: BTreeMap::new(),
        }
    }

    /// (Re)start: m is known once the cluster is; decisions come back from storage.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>, m: usize) {
        self.m = m;
        self.decisions.load(ctx.storage);
    }

    /// How long an instance lasts: m + 1 rounds.
    fn span_ms(&self) -> u64 {
        (self.m as u64 + 1) * self.round_ms
    }

    pub fn decision(&self, key: &str) -> Option<&Value> {
        self.decisions.get(key)
    }

    pub fn decisions_json(&self) -> Value {
        self.decisions.to_json()
    }

    /// Answer a `decision` request (`field` names the decision in the answer). Asking a
    /// node that has heard nothing of the instance tells it the instance exists: its clock
    /// starts (when `start` is set), so that it decides (the default, if nothing comes)
    /// even when the node that should start the instance stays silent; a node whose
    /// instance is running (so started) answers when its rounds end, with its decision.
    pub fn answer_decision(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: &Envelope,
        field: &'static str,
        start: bool,
    ) {
        let instance = &req.body["instance"];
        let Some(key) = instance_key(instance) else {
            let e = ErrorCode::MalformedRequest.body("an instance is an integer or a string");
            ctx.reply(req, Body::from(e));
            return;
        };
        if start {
            self.start(ctx, &key, instance, None);
            if self.runs.contains_key(&key) {
                self.waiting
                    .entry(key)
                    .or_default()
                    .push((req.clone(), field));
                return;
            }
        }
        let answer = decision_ok(instance, field, self.decision(&key));
        ctx.reply(req, Body::from(answer));
    }

    /// Start the clock of an instance (once; never for a decided one): it ends m + 1
    /// rounds after `t0`, the time its first tree began on its commander's clock (the
    /// rounds of every node end together), or after this moment when no tree is known.
    pub fn start(&mut self, ctx: &mut Ctx<'_>, key: &str, instance: &Value, t0: Option<u64>) {
        if self.runs.contains_key(key) || self.decision(key).is_some() {
            return;
        }
        let id = self.next_timer;
        self.next_timer += 1;
        self.timers.insert(id, key.to_string());
        let end = t0.unwrap_or(ctx.now_ms) + self.span_ms();
        ctx.timer(id, end.saturating_sub(ctx.now_ms).max(1));
        let run = Run {
            instance: instance.clone(),
            trees: BTreeMap::new(),
        };
        self.runs.insert(key.to_string(), run);
    }

    /// Send `value` at `path` (which ends with this node) to each of `to`, as this node's
    /// conduct has it. `t0`: when the path's tree began (its commander's clock), carried
    /// along so that each receiver knows the round the value belongs to.
    pub fn send(
        &mut self,
        ctx: &mut Ctx<'_>,
        instance: &Value,
        (path, t0): (&Path, u64),
        value: &Value,
        to: &[String],
    ) {
        let Some(key) = instance_key(instance) else {
            return;
        };
        // Useless once its round is over.
        let deadline = self.round_end(t0, path.len());
        for (i, t) in to.iter().enumerate() {
            let Some(v) = self.conduct.value_for(path.len(), i, to.len(), t, value) else {
                continue;
            };
            let body = json!({"type": self.kind, "instance": instance, "path": path, "value": v, "t0": t0});
            self.outbox
                .send(ctx, t, &key, path, Body::from(body), deadline);
        }
    }

    /// When the round of a path `len` long ends, for a tree begun at `t0`: a value
    /// received later counts as never sent (the synchronous model's omission).
    fn round_end(&self, t0: u64, len: usize) -> u64 {
        t0 + len as u64 * self.round_ms
    }

    /// A peer's value or acknowledgement. `commander_ok` says which nodes may start a path.
    pub fn on_peer(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: &str,
        body: &Body,
        commander_ok: impl Fn(&str) -> bool,
    ) {
        let (Some(key), Some(path)) = (instance_key(&body["instance"]), path_of(&body["path"]))
        else {
            return;
        };
        if body.kind().strip_suffix("_ack") == Some(self.kind) {
            self.outbox.ack(from, &key, &path);
            return;
        }
        if body.kind() != self.kind {
            return;
        }
        if self.conduct != Conduct::Silent {
            let ack = json!({"type": format!("{}_ack", self.kind), "instance": body["instance"], "path": path});
            ctx.send(from, Body::from(ack));
        }
        // A value without a time (from an older node) is taken whenever it comes.
        let t0 = body["t0"].as_u64();
        let late = t0.is_some_and(|t0| ctx.now_ms > self.round_end(t0, path.len()));
        if late
            || !admissible(&path, from, ctx.me, self.m, ctx.nodes)
            || !commander_ok(&path[0])
            || self.decision(&key).is_some()
        {
            return;
        }
        self.start(ctx, &key, &body["instance"], t0);
        let Some(run) = self.runs.get_mut(&key) else {
            return;
        };
        let value = body["value"].clone();
        let tree = run.trees.entry(path[0].clone()).or_default();
        if !tree.store(path.clone(), value.clone()) || path.len() > self.m {
            return;
        }
        let mut next = path;
        next.push(ctx.me.to_string());
        let to: Vec<String> = ctx
            .nodes
            .iter()
            .filter(|j| !next.contains(j))
            .cloned()
            .collect();
        let t0 = t0.unwrap_or(ctx.now_ms);
        self.send(ctx, &body["instance"], (&next, t0), &value, &to);
    }

    /// A timer: resending, or an instance's time to decide (the instance is handed back).
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64) -> Option<(String, Run)> {
        if id == RESEND_TIMER {
            self.outbox.on_timer(ctx);
            return None;
        }
        let key = self.timers.remove(&id)?;
        let run = self.runs.remove(&key)?;
        Some((key, run))
    }

    /// What `ctx.me` makes of `commander`'s value in OM(m).
    pub fn resolve(&self, ctx: &Ctx<'_>, run: &Run, commander: &str) -> Value {
        let path = [commander.to_string()];
        match run.trees.get(commander) {
            Some(t) => t.resolve(&path, ctx.me, ctx.nodes, self.m, &self.default),
            None => self.default.clone(),
        }
    }

    /// What `commander` itself sent (relays ignored).
    pub fn direct(&self, run: &Run, commander: &str) -> Value {
        run.trees
            .get(commander)
            .and_then(|t| t.get(&[commander.to_string()]))
            .cloned()
            .unwrap_or_else(|| self.default.clone())
    }

    /// Decide an instance (durably), stop gathering for it, and answer the decision
    /// requests that waited for it.
    pub fn decide(&mut self, ctx: &mut Ctx<'_>, key: &str, v: Value) {
        for (req, field) in self.waiting.remove(key).unwrap_or_default() {
            let answer = decision_ok(&req.body["instance"], field, Some(&v));
            ctx.reply(&req, Body::from(answer));
        }
        self.decisions.save(ctx.storage, key, v);
        self.runs.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;
    use wire::storage::MemStorage;
    use wire::Effect;

    /// Node n2 of four gets `body` at `now_ms`; what it sends on (relays, not acks).
    fn relays_at(now_ms: u64, body: Value) -> (Vec<Effect>, bool) {
        let nodes: Vec<String> = ["n1", "n2", "n3", "n4"].map(String::from).to_vec();
        let (mut rng, mut storage) = (Rng::new(1), MemStorage::default());
        let mut ctx = Ctx {
            me: "n2",
            nodes: &nodes,
            now_ms,
            rng: &mut rng,
            storage: &mut storage,
            out: Vec::new(),
        };
        let mut g = Gather::new("om", 100, json!("retreat"), Conduct::Loyal);
        g.on_start(&mut ctx, 1);
        g.on_peer(&mut ctx, "n1", &Body::from(body), |c| c == "n1");
        let started = g.runs.contains_key("7");
        let relays = ctx.out.into_iter().filter(|e| match e {
            Effect::Send { body, .. } => body.kind() == "om",
            _ => false,
        });
        (relays.collect(), started)
    }

    #[test]
    fn a_value_later_than_its_round_counts_as_never_sent() {
        let order = |t0: u64| json!({"type": "om", "instance": 7, "path": ["n1"], "value": "attack", "t0": t0});
        // In its round (t0 + 100 ms): stored, relayed to n3 and n4, stamped with t0.
        let (relays, started) = relays_at(1_100, order(1_000));
        assert!(started);
        assert_eq!(relays.len(), 2);
        if let Effect::Send { body, .. } = &relays[0] {
            assert_eq!(
                (&body["t0"], &body["path"]),
                (&json!(1_000), &json!(["n1", "n2"]))
            );
        }
        // After it: neither kept nor relayed, and the instance does not start.
        let (relays, started) = relays_at(1_101, order(1_000));
        assert!(relays.is_empty() && !started);
    }
}
