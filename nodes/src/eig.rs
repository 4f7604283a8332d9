//! Interactive consistency by exponential information gathering: every node is the
//! commander of its own component and runs OM(m) for it, so after m + 1 rounds every
//! node decides a vector with one value per node. With n > 3m nodes of which at most m
//! are traitors, loyal nodes decide the same vector, and its component for each loyal node
//! is that node's proposal.
//!
//! Many independent instances, each named by a client (an integer or a string):
//! - `{"type":"propose","instance":I,"value":V}` to a node: it sends
//!   `{"type":"eig","instance":I,"path":[me],"value":V}` to every other node and answers
//!   `{"type":"propose_ok"}`. Again for I at the same node: a definite error.
//! - `{"type":"decision","instance":I}`: `{"type":"decision_ok","instance":I,
//!   "vector":[..]|null,"decided":bool}`; a node still in I's rounds (or hearing of I first
//!   from this request, which starts them) answers when they end, decided.
//!
//! A node decides I m + 1 rounds after its own proposal or the first tree of I it hears
//! of, whichever comes first, timed from that tree's stamp (its own component is its
//! proposal, or the default when it has none). Proposals (`eig/proposal/<I>`) and decisions
//! (`eig/decision/<I>`) are saved. Relaying and resolving: [`crate::eig_tree`]; every
//! `eig` message is acknowledged (`eig_ack`) and sent again until it is or its m + 1
//! rounds are over.
//!
//! Deliberate bug (`trust-direct`): each component is what its node sent directly,
//! relays ignored: loyal nodes disagree about an equivocating node's component.
//! Traitors ([`EigTraitor`]) equivocate, relay lies, or keep quiet.

use crate::eig_tree::{instance_key, Conduct, Gather};
use crate::{Ctx, Protocol};
use serde_json::{json, Value};
use wire::{Body, Envelope, ErrorCode};

/// Deliberate bugs, for proving that schism catches them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EigBugs {
    /// `trust-direct`: each component is taken from its node's own message.
    pub trust_direct: bool,
}

/// What a traitor does (it knows the protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EigTraitor {
    /// Its own value to half the nodes, a different one to the others.
    Equivocate,
    /// Relays a different value from the one it received.
    RelayOpposite,
    /// Relays to each node a value made up for that node.
    RelayCorrupt,
    /// Sends nothing.
    Silent,
}

impl EigTraitor {
    pub fn name(self) -> &'static str {
        match self {
            EigTraitor::Equivocate => "equivocate",
            EigTraitor::RelayOpposite => "relay-opposite",
            EigTraitor::RelayCorrupt => "relay-corrupt",
            EigTraitor::Silent => "silent",
        }
    }

    fn conduct(self) -> Conduct {
        match self {
            EigTraitor::Equivocate => Conduct::Equivocate,
            EigTraitor::RelayOpposite => Conduct::RelayOpposite,
            EigTraitor::RelayCorrupt => Conduct::RelayCorrupt,
            EigTraitor::Silent => Conduct::Silent,
        }
    }
}

/// The options of one interactive-consistency node.
#[derive(Debug, Clone, PartialEq)]
pub struct EigOptions {
    /// Traitors tolerated (the depth of relaying). Default: (n - 1) / 3.
    pub m: Option<usize>,
    pub round_ms: u64,
    /// A component's value without a majority (and for a value never received).
    pub default_value: Value,
    pub bugs: EigBugs,
    pub traitor: Option<EigTraitor>,
}

impl Default for EigOptions {
    fn default() -> Self {
        EigOptions {
            m: None,
            round_ms: 100,
            default_value: Value::Null,
            bugs: EigBugs::default(),
            traitor: None,
        }
    }
}

/// One interactive-consistency node.
#[derive(Debug, Clone)]
pub struct Eig {
    opts: EigOptions,
    gather: Gather,
}

fn proposal_name(key: &str) -> String {
    format!("eig/proposal/{key}")
}

impl Eig {
    pub fn new(opts: EigOptions) -> Eig {
        let conduct = opts.traitor.map_or(Conduct::Loyal, EigTraitor::conduct);
        let gather = Gather::new("eig", opts.round_ms, opts.default_value.clone(), conduct);
        Eig { opts, gather }
    }

    fn propose(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) -> Value {
        let instance = &req.body["instance"];
        let (Some(key), Some(value)) = (instance_key(instance), req.body.get("value")) else {
            return ErrorCode::MalformedRequest
                .body("a proposal needs an instance (an integer or a string) and a value");
        };
        if ctx.storage.get(&proposal_name(&key)).is_some() {
            return ErrorCode::PreconditionFailed.body(&format!("already proposed for {key}"));
        }
        if self.gather.decision(&key).is_some() {
            return ErrorCode::PreconditionFailed.body(&format!("instance {key} is decided"));
        }
        let value = value.clone();
        ctx.storage.put(&proposal_name(&key), value.clone());
        let t0 = ctx.now_ms;
        self.gather.start(ctx, &key, instance, Some(t0));
        let peers: Vec<String> = ctx.peers().cloned().collect();
        let path = vec![ctx.me.to_string()];
        self.gather.send(ctx, instance, (&path, t0), &value, &peers);
        json!({"type": "propose_ok"})
    }
}

impl Protocol for Eig {
    fn name(&self) -> &'static str {
        "eig"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        let m = self.opts.m.unwrap_or(ctx.nodes.len().saturating_sub(1) / 3);
        self.gather.on_start(ctx, m);
    }

    fn on_peer(&mut self, ctx: &mut Ctx<'_>, from: &str, body: &Body) {
        self.gather.on_peer(ctx, from, body, |_| true);
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) {
        let body = match req.body.kind() {
            "propose" => self.propose(ctx, req),
            "decision" => return self.gather.answer_decision(ctx, req, "vector", true),
            k => ErrorCode::NotSupported.body(&format!("no operation {k:?}")),
        };
        ctx.reply(req, Body::from(body));
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some((key, run)) = self.gather.on_timer(ctx, id) else {
            return;
        };
        let vector: Vec<Value> = ctx
            .nodes
            .iter()
            .map(|j| {
                if j == ctx.me {
                    (ctx.storage.get(&proposal_name(&key)))
                        .unwrap_or_else(|| self.gather.default.clone())
                } else if self.opts.bugs.trust_direct {
                    self.gather.direct(&run, j)
                } else {
                    self.gather.resolve(ctx, &run, j)
                }
            })
            .collect();
        self.gather.decide(ctx, &key, Value::Array(vector));
    }

    fn state(&self) -> Value {
        json!({"protocol": "eig", "m": self.gather.m,
            "traitor": self.opts.traitor.map(EigTraitor::name),
            "decisions": self.gather.decisions_json()})
    }
}
