//! Lamport, Shostak and Pease's oral-messages algorithm OM(m): a commander sends its order
//! to every lieutenant; each lieutenant relays what it receives, for m rounds, and after
//! m + 1 rounds decides by recursive majority. With n > 3m nodes of which at most m are
//! traitors, all loyal lieutenants decide alike (IC1), and decide the order of a loyal
//! commander (IC2); with n <= 3m they need not.
//!
//! Many independent instances, each named by a client (an integer or a string):
//! - `{"type":"order","instance":I,"value":V}` to the commander starts I: it sends
//!   `{"type":"om","instance":I,"path":["n1"],"value":V,"t0":MS}` to every lieutenant, decides V
//!   and answers `{"type":"order_ok"}`. To a lieutenant, or again for I: a definite error.
//! - `{"type":"decision","instance":I}` to any node: `{"type":"decision_ok","instance":I,
//!   "value":V|null,"decided":bool}`; a lieutenant still in I's rounds (or hearing of I
//!   first from this request, which starts them) answers when they end, decided.
//!
//! Decisions are saved (`om/decision/<I>`) and survive restarts. Relaying and resolving:
//! [`crate::eig_tree`]; every `om` message is acknowledged (`{"type":"om_ack","instance":I,
//! "path":P}`) and sent again until it is or its m + 1 rounds are over.
//!
//! Deliberate bug (`trust-commander`): lieutenants decide what the commander told them,
//! ignoring relays: loyal lieutenants disagree when the commander splits its orders.
//! Traitors ([`OmTraitor`]) split orders, relay lies, or keep quiet.

mod options;

pub use options::{OmBugs, OmOptions, OmTraitor};

use crate::eig_tree::{instance_key, Conduct, Gather};
use crate::{Ctx, Protocol};
use serde_json::{json, Value};
use wire::{Body, Envelope, ErrorCode};

/// One OM(m) node: the commander or a lieutenant.
#[derive(Debug, Clone)]
pub struct Om {
    opts: OmOptions,
    me: String,
    commander: String,
    gather: Gather,
}

impl Om {
    pub fn new(opts: OmOptions) -> Om {
        let conduct = opts.traitor.map_or(Conduct::Loyal, OmTraitor::conduct);
        let gather = Gather::new("om", opts.round_ms, opts.default_value.clone(), conduct);
        Om {
            me: String::new(),
            commander: opts.commander.clone().unwrap_or_default(),
            opts,
            gather,
        }
    }

    fn order(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) -> Value {
        if ctx.me != self.commander {
            let text = format!("not the commander; the commander is {}", self.commander);
            return ErrorCode::NotSupported.body(&text);
        }
        let instance = &req.body["instance"];
        let (Some(key), Some(value)) = (instance_key(instance), req.body.get("value")) else {
            return ErrorCode::MalformedRequest
                .body("an order needs an instance (an integer or a string) and a value");
        };
        if self.gather.decision(&key).is_some() {
            return ErrorCode::PreconditionFailed
                .body(&format!("instance {key} was already ordered"));
        }
        let value = value.clone();
        self.gather.decide(ctx, &key, value.clone());
        let lieutenants: Vec<String> = ctx.peers().cloned().collect();
        let path = vec![ctx.me.to_string()];
        let t0 = ctx.now_ms;
        self.gather
            .send(ctx, instance, (&path, t0), &value, &lieutenants);
        json!({"type": "order_ok"})
    }
}

impl Protocol for Om {
    fn name(&self) -> &'static str {
        "om"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.me = ctx.me.to_string();
        self.commander = (self.opts.commander.clone())
            .or_else(|| ctx.nodes.first().cloned())
            .unwrap_or_default();
        let m = self.opts.m.unwrap_or(ctx.nodes.len().saturating_sub(1) / 3);
        self.gather.on_start(ctx, m);
    }

    fn on_peer(&mut self, ctx: &mut Ctx<'_>, from: &str, body: &Body) {
        let commander = self.commander.clone();
        self.gather.on_peer(ctx, from, body, |c| c == commander);
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) {
        let body = match req.body.kind() {
            "order" => self.order(ctx, req),
            "decision" => {
                let start = self.me != self.commander;
                return self.gather.answer_decision(ctx, req, "value", start);
            }
            k => ErrorCode::NotSupported.body(&format!("no operation {k:?}")),
        };
        ctx.reply(req, Body::from(body));
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some((key, run)) = self.gather.on_timer(ctx, id) else {
            return;
        };
        let v = if self.opts.bugs.trust_commander {
            self.gather.direct(&run, &self.commander)
        } else {
            self.gather.resolve(ctx, &run, &self.commander)
        };
        self.gather.decide(ctx, &key, v);
    }

    fn state(&self) -> Value {
        let role = if self.me == self.commander {
            "commander"
        } else {
            "lieutenant"
        };
        json!({"protocol": "om", "role": role, "commander": self.commander, "m": self.gather.m,
            "traitor": self.opts.traitor.map(OmTraitor::name),
            "decisions": self.gather.decisions_json()})
    }
}
