//! The Byzantine interceptor: every message a node sends passes through it, so any node
//! that speaks the protocol (ours or a wrapped third-party binary) can be made to lie.
//!
//! Rules, set by a `schism/byzantine` control message (see [`Rule`]), match outgoing
//! messages by destination and type and act on them: drop (omission; on everything,
//! silence), delay with jitter, duplicate, replay an earlier message, mutate named fields,
//! equivocate (a different value to each destination) and forge the sender. The choices are
//! seeded. Every tampered message is counted by action and described in a log line, so a
//! report can show what the faulty node did.
//!
//! ```
//! use wire::interceptor::Interceptor;
//! use wire::{Body, Envelope};
//! use serde_json::json;
//! let nodes: Vec<String> = ["n1", "n2", "n3"].map(String::from).to_vec();
//! let mut i = Interceptor::new("n1", &nodes, 7);
//! i.control(&Body::from(json!({"type": "schism/byzantine", "rules": [
//!     {"action": "equivocate", "fields": ["value"], "domain": ["attack", "retreat"]}]})));
//! let to = |d: &str| Envelope::new("n1", d, json!({"type": "om", "value": "attack"}));
//! let a = i.outgoing(to("n2")).remove(0).env;
//! let b = i.outgoing(to("n3")).remove(0).env;
//! assert_ne!(a.body["value"], b.body["value"]);
//! assert_eq!(i.report()["by_action"]["equivocate"], 1);
//! ```

mod field;
mod rule;

pub use rule::{Action, Mutation, Rule};

use crate::{Body, Envelope, ErrorCode};
use history::rng::Rng;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// One message to send, after a delay.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub env: Envelope,
    pub delay_ms: u64,
}

/// Earlier messages kept per destination for `replay`.
const REPLAY_DEPTH: usize = 32;
/// Log lines kept when nobody takes them.
const LOG_CAP: usize = 10_000;

/// The interceptor of one node.
#[derive(Debug)]
pub struct Interceptor {
    me: String,
    nodes: Vec<String>,
    rules: Vec<Rule>,
    rng: Rng,
    sent: HashMap<String, VecDeque<Envelope>>,
    messages: u64,
    tampered: u64,
    by_action: BTreeMap<&'static str, u64>,
    log: VecDeque<String>,
}

impl Interceptor {
    /// `nodes`: every node, this one included (peers are told apart from clients by name).
    pub fn new(me: &str, nodes: &[String], seed: u64) -> Interceptor {
        Interceptor {
            me: me.into(),
            nodes: nodes.to_vec(),
            rules: Vec::new(),
            rng: Rng::new(seed ^ 0xb12a_7115),
            sent: HashMap::new(),
            messages: 0,
            tampered: 0,
            by_action: BTreeMap::new(),
            log: VecDeque::new(),
        }
    }

    /// Whether any rule is installed.
    pub fn is_active(&self) -> bool {
        !self.rules.is_empty()
    }

    /// Install rules directly (the simulator; the runtime goes through [`Self::control`]).
    pub fn set_rules(&mut self, rules: Vec<Rule>) {
        self.rules = rules;
    }

    /// Answer a `schism/byzantine` control body: `rules` replaces the rules (an empty list
    /// or none clears them).
    pub fn control(&mut self, body: &Body) -> Body {
        let rules = match body.get("rules") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => serde_json::from_value::<Vec<Rule>>(v.clone()),
        };
        match rules {
            Ok(rules) => {
                self.rules = rules;
                Body::from(json!({
                    "type": "schism/byzantine_ok",
                    "node": self.me,
                    "rules": self.rules.len(),
                    "report": self.report(),
                }))
            }
            Err(e) => Body::from(
                ErrorCode::MalformedRequest.body(&format!("schism/byzantine rules: {e}")),
            ),
        }
    }

    /// Tamper with one outgoing envelope: what to send instead, each after its delay.
    pub fn outgoing(&mut self, env: Envelope) -> Vec<Outgoing> {
        self.messages += 1;
        if self.rules.is_empty() {
            return vec![Outgoing { env, delay_ms: 0 }];
        }
        let original = env.clone();
        let kind = env.body.kind().to_string();
        let dest = env.dest.clone();
        let mut out = vec![Outgoing { env, delay_ms: 0 }];
        let mut did: Vec<&'static str> = Vec::new();
        let Interceptor {
            me,
            nodes,
            rules,
            rng,
            sent,
            ..
        } = self;
        for rule in rules.iter() {
            if !rule.matches(me, nodes, &dest, &kind) || !rng.chance(rule.p) {
                continue;
            }
            let acted = match &rule.action {
                Action::Drop => {
                    out.clear();
                    true
                }
                Action::Delay { ms, jitter_ms } => {
                    for o in &mut out {
                        o.delay_ms += ms + rng.below(jitter_ms + 1);
                    }
                    true
                }
                Action::Duplicate { copies } => {
                    let first = out[0].clone();
                    out.extend((0..*copies).map(|_| first.clone()));
                    true
                }
                Action::Replay => match sent.get(&dest).filter(|q| !q.is_empty()) {
                    Some(q) => {
                        let old = q[rng.below(q.len() as u64) as usize].clone();
                        out.push(Outgoing {
                            env: old,
                            delay_ms: out[0].delay_ms,
                        });
                        true
                    }
                    None => false,
                },
                Action::Mutate {
                    fields,
                    how,
                    domain,
                } => {
                    let mut changed = 0;
                    for o in &mut out {
                        for f in fields {
                            field::for_each(&mut o.env.body.0, f, &mut |v| {
                                changed += field::mutate(v, *how, domain, rng) as usize;
                            });
                        }
                    }
                    changed > 0
                }
                Action::Equivocate { fields, domain } => {
                    let k = nodes
                        .iter()
                        .filter(|n| *n != me)
                        .position(|n| *n == dest)
                        .unwrap_or(0);
                    let mut changed = 0;
                    if k > 0 {
                        for o in &mut out {
                            for f in fields {
                                changed += field::for_each(&mut o.env.body.0, f, &mut |v| {
                                    *v = field::lie(v, k, domain)
                                });
                            }
                        }
                    }
                    changed > 0
                }
                Action::Forge { as_node } => {
                    let others: Vec<&String> =
                        nodes.iter().filter(|n| *n != me && **n != dest).collect();
                    let claimed = match as_node {
                        Some(n) => Some(n.clone()),
                        None if !others.is_empty() => {
                            Some(others[rng.below(others.len() as u64) as usize].clone())
                        }
                        None => None,
                    };
                    for o in &mut out {
                        if let Some(c) = &claimed {
                            o.env.src = c.clone();
                        }
                    }
                    claimed.is_some()
                }
            };
            if acted {
                did.push(rule.action.name());
            }
            if out.is_empty() {
                break;
            }
        }
        let q = sent.entry(dest.clone()).or_default();
        if q.len() == REPLAY_DEPTH {
            q.pop_front();
        }
        q.push_back(original);
        if !did.is_empty() {
            self.record(&did, &kind, &dest, &out);
        }
        out
    }

    fn record(&mut self, did: &[&'static str], kind: &str, dest: &str, out: &[Outgoing]) {
        self.tampered += 1;
        for a in did {
            *self.by_action.entry(a).or_insert(0) += 1;
        }
        let line = json!({
            "byzantine": did,
            "node": self.me,
            "to": dest,
            "type": kind,
            "sent": out.iter().map(|o| json!({"src": o.env.src, "delay_ms": o.delay_ms, "body": o.env.body})).collect::<Vec<_>>(),
        });
        if self.log.len() == LOG_CAP {
            self.log.pop_front();
        }
        self.log.push_back(line.to_string());
    }

    /// Lines (JSON) describing each message tampered with since the last call, for the log.
    pub fn take_log(&mut self) -> Vec<String> {
        self.log.drain(..).collect()
    }

    /// What the interceptor did so far, for `schism/state`.
    pub fn report(&self) -> Value {
        json!({
            "rules": self.rules,
            "messages": self.messages,
            "tampered": self.tampered,
            "by_action": self.by_action,
        })
    }
}

#[cfg(test)]
mod tests;
