//! A seeded, deterministic in-memory network for protocols: messages take a random delay,
//! may be lost, are dropped across partitions; nodes crash (losing everything but their
//! storage) and restart. Clients send requests and get replies, so a simulated run yields
//! a history the project's own checkers can judge: [`RegisterRun`] (lin-kv reads, writes
//! and compare-and-sets), [`ListAppendRun`] (list-append transactions) or [`LogRun`]
//! (Kafka-style sends and whole-log reads). Faults are random, or for [`RegisterRun`]
//! exactly a given schedule of crashes and partitions ([`Planned`]).

mod clients;
mod list_append;
mod log;
mod register;
mod schedule;

pub use list_append::ListAppendRun;
pub use log::LogRun;
pub use register::RegisterRun;
pub use schedule::{Planned, SimFault};

use crate::storage::MemStorage;
use crate::{Ctx, Effect, Protocol};
use history::rng::Rng;
use history::Value;
use serde_json::json;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use wire::interceptor::{Interceptor, Rule};
use wire::{Body, Envelope};

/// How the simulated network and cluster behave.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub nodes: usize,
    pub seed: u64,
    /// Probability that a message between nodes is lost.
    pub loss: f64,
    /// A message takes between these many milliseconds.
    pub latency_ms: (u64, u64),
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            nodes: 3,
            seed: 0,
            loss: 0.0,
            latency_ms: (1, 10),
        }
    }
}

enum Event {
    Deliver {
        to: usize,
        from: String,
        body: Body,
    },
    Timer {
        node: usize,
        id: u64,
        generation: u64,
    },
    Client {
        node: usize,
        req: Envelope,
    },
    /// A reply reaches its client.
    Reply {
        env: Envelope,
    },
}

struct SimNode {
    proto: Box<dyn Protocol>,
    /// A Byzantine node's interceptor (see [`Sim::set_rules`]).
    interceptor: Option<Interceptor>,
    storage: MemStorage,
    up: bool,
    timers: BTreeMap<u64, u64>,
}

type Make = Box<dyn Fn(usize) -> Box<dyn Protocol>>;

/// A simulated cluster.
pub struct Sim {
    opts: SimOptions,
    names: Vec<String>,
    nodes: Vec<SimNode>,
    make: Make,
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    events: BTreeMap<u64, Event>,
    seq: u64,
    now_ms: u64,
    rng: Rng,
    /// (from, to) pairs whose messages are dropped.
    cut: BTreeSet<(usize, usize)>,
    /// Replies that reached clients, in order.
    pub replies: Vec<(u64, Envelope)>,
}

impl Sim {
    pub fn new(opts: SimOptions, make: impl Fn(usize) -> Box<dyn Protocol> + 'static) -> Sim {
        let names: Vec<String> = (1..=opts.nodes).map(|i| format!("n{i}")).collect();
        let nodes = (0..opts.nodes)
            .map(|i| SimNode {
                proto: make(i),
                interceptor: None,
                storage: MemStorage::default(),
                up: true,
                timers: BTreeMap::new(),
            })
            .collect();
        let mut sim = Sim {
            rng: Rng::new(opts.seed),
            opts,
            names,
            nodes,
            make: Box::new(make),
            queue: BinaryHeap::new(),
            events: BTreeMap::new(),
            seq: 0,
            now_ms: 0,
            cut: BTreeSet::new(),
            replies: Vec::new(),
        };
        for i in 0..sim.nodes.len() {
            sim.call(i, |p, ctx| p.on_start(ctx));
        }
        sim
    }

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn schedule(&mut self, at_ms: u64, e: Event) {
        self.seq += 1;
        self.events.insert(self.seq, e);
        self.queue.push(Reverse((at_ms, self.seq)));
    }

    fn delay(&mut self) -> u64 {
        self.rng
            .between(self.opts.latency_ms.0, self.opts.latency_ms.1)
    }

    /// Run one protocol call on node i and act on its effects.
    fn call(&mut self, i: usize, f: impl FnOnce(&mut dyn Protocol, &mut Ctx<'_>)) {
        let node = &mut self.nodes[i];
        if !node.up {
            return;
        }
        let mut ctx = Ctx {
            me: &self.names[i],
            nodes: &self.names,
            now_ms: self.now_ms,
            rng: &mut self.rng,
            storage: &mut node.storage,
            out: Vec::new(),
        };
        f(node.proto.as_mut(), &mut ctx);
        let out = ctx.out;
        for effect in out {
            match effect {
                Effect::Send { to, body } => {
                    let env = Envelope::new(&self.names[i], &to, body);
                    for (env, extra_ms) in self.intercept(i, env) {
                        let Some(j) = self.names.iter().position(|n| *n == env.dest) else {
                            continue;
                        };
                        if self.cut.contains(&(i, j)) || self.rng.chance(self.opts.loss) {
                            continue;
                        }
                        let at = self.now_ms + self.delay() + extra_ms;
                        let (from, body) = (env.src, env.body);
                        self.schedule(at, Event::Deliver { to: j, from, body });
                    }
                }
                Effect::Reply { to, body } => {
                    for (env, extra_ms) in self.intercept(i, to.reply(body)) {
                        let at = self.now_ms + self.delay() + extra_ms;
                        self.schedule(at, Event::Reply { env });
                    }
                }
                Effect::Timer { id, after_ms } => {
                    let g = self.nodes[i].timers.entry(id).or_insert(0);
                    *g += 1;
                    let generation = *g;
                    self.schedule(
                        self.now_ms + after_ms,
                        Event::Timer {
                            node: i,
                            id,
                            generation,
                        },
                    );
                }
            }
        }
    }

    /// Process events until `until_ms`.
    pub fn run_until(&mut self, until_ms: u64) {
        while let Some(Reverse((at, seq))) = self.queue.peek().copied() {
            if at > until_ms {
                break;
            }
            self.queue.pop();
            self.now_ms = at;
            let Some(e) = self.events.remove(&seq) else {
                continue;
            };
            match e {
                Event::Deliver { to, from, body } => {
                    self.call(to, |p, ctx| p.on_peer(ctx, &from, &body))
                }
                Event::Timer {
                    node,
                    id,
                    generation,
                } => {
                    if self.nodes[node].timers.get(&id) == Some(&generation) {
                        self.call(node, |p, ctx| p.on_timer(ctx, id));
                    }
                }
                Event::Client { node, req } => self.call(node, |p, ctx| p.on_client(ctx, &req)),
                Event::Reply { env } => self.replies.push((at, env)),
            }
        }
        self.now_ms = self.now_ms.max(until_ms);
    }

    pub fn run_for_ms(&mut self, ms: u64) {
        self.run_until(self.now_ms + ms);
    }

    /// Send a client request to a node (it arrives after a network delay).
    pub fn request(&mut self, node: usize, req: Envelope) {
        let at = self.now_ms + self.delay();
        self.schedule(at, Event::Client { node, req });
    }

    /// Send client `c1` requests to nodes (message ids from `first_id` on), let the
    /// network run `wait_ms`, and return each request's answer (None: unanswered).
    pub fn ask(
        &mut self,
        reqs: &[(usize, Value)],
        first_id: u64,
        wait_ms: u64,
    ) -> Vec<Option<Body>> {
        let ids: Vec<u64> = (first_id..).take(reqs.len()).collect();
        for ((node, body), id) in reqs.iter().zip(&ids) {
            let mut body = Body::from(body.clone());
            body.set("msg_id", json!(id));
            let dest = self.names[*node].clone();
            self.request(*node, Envelope::new("c1", &dest, body));
        }
        self.run_for_ms(wait_ms);
        ids.iter()
            .map(|id| {
                self.replies
                    .iter()
                    .find(|(_, e)| e.body.in_reply_to() == Some(*id))
                    .map(|(_, e)| e.body.clone())
            })
            .collect()
    }

    /// Make node `i` Byzantine: everything it sends passes its interceptor with these
    /// rules (an empty list makes it honest again). The interceptor survives its crashes.
    pub fn set_rules(&mut self, i: usize, rules: Vec<Rule>) {
        let seed = self.opts.seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let names = self.names.clone();
        let icpt = self.nodes[i]
            .interceptor
            .get_or_insert_with(|| Interceptor::new(&names[i], &names, seed));
        icpt.set_rules(rules);
    }

    /// What node `i`'s interceptor did (counts by action), if it has one.
    pub fn byzantine_report(&self, i: usize) -> Option<serde_json::Value> {
        self.nodes[i].interceptor.as_ref().map(|x| x.report())
    }

    /// One outgoing envelope of node `i` as sent: through its interceptor, if any, each
    /// with its extra delay.
    fn intercept(&mut self, i: usize, env: Envelope) -> Vec<(Envelope, u64)> {
        match self.nodes[i].interceptor.as_mut() {
            None => vec![(env, 0)],
            Some(x) => {
                let out = x
                    .outgoing(env)
                    .into_iter()
                    .map(|o| (o.env, o.delay_ms))
                    .collect();
                x.take_log();
                out
            }
        }
    }

    /// Crash a node: it loses everything but its storage, and misses what arrives.
    pub fn crash(&mut self, i: usize) {
        self.nodes[i].up = false;
        self.nodes[i].timers.clear();
    }

    /// Restart a crashed node from its storage.
    pub fn restart(&mut self, i: usize) {
        if self.nodes[i].up {
            return;
        }
        self.nodes[i].proto = (self.make)(i);
        self.nodes[i].up = true;
        self.call(i, |p, ctx| p.on_start(ctx));
    }

    /// Cut the network between two groups (both directions).
    pub fn partition(&mut self, a: &[usize], b: &[usize]) {
        for &x in a {
            for &y in b {
                self.cut.insert((x, y));
                self.cut.insert((y, x));
            }
        }
    }

    pub fn heal(&mut self) {
        self.cut.clear();
    }

    /// What each node reports of itself.
    pub fn states(&self) -> Vec<Value> {
        self.nodes
            .iter()
            .map(|n| {
                if n.up {
                    n.proto.state()
                } else {
                    json!({"down": true})
                }
            })
            .collect()
    }

    /// Up nodes that say they lead, with their term.
    pub fn leaders(&self) -> Vec<(usize, u64)> {
        self.states()
            .iter()
            .enumerate()
            .filter(|(_, s)| s["role"] == "leader")
            .map(|(i, s)| (i, s["term"].as_u64().unwrap_or(0)))
            .collect()
    }

    pub fn is_up(&self, i: usize) -> bool {
        self.nodes[i].up
    }
}
