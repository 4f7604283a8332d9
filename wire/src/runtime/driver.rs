//! Driving a sans-IO protocol: each input becomes one call with a fresh [`Ctx`] (this
//! node's clock, skewed by `schism/clock`), and its effects are acted on: sends and replies
//! through the outbox, timers as sleeping tasks whose firing is ignored when a newer timer
//! of the same id replaced them (a generation per id).

use super::host::{Host, Input};
use super::outbox::Outbox;
use crate::storage::Storage;
use crate::{Body, Ctx, Effect, Envelope, Protocol};
use history::rng::Rng;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

pub(crate) struct Driver {
    me: String,
    nodes: Vec<String>,
    proto: Box<dyn Protocol>,
    storage: Box<dyn Storage>,
    rng: Rng,
    clock_offset_ms: i64,
    /// The generation of the latest timer set per id.
    timers: HashMap<u64, u64>,
    /// Where fired timers go.
    inbox: mpsc::Sender<Input>,
}

impl Driver {
    pub fn new(
        me: &str,
        nodes: &[String],
        seed: u64,
        proto: Box<dyn Protocol>,
        storage: Box<dyn Storage>,
        inbox: mpsc::Sender<Input>,
    ) -> Driver {
        Driver {
            me: me.into(),
            nodes: nodes.to_vec(),
            proto,
            storage,
            rng: Rng::new(seed),
            clock_offset_ms: 0,
            timers: HashMap::new(),
            inbox,
        }
    }

    /// One call into the protocol, then its effects.
    fn call(&mut self, out: &mut Outbox, f: impl FnOnce(&mut dyn Protocol, &mut Ctx<'_>)) {
        let mut ctx = Ctx {
            me: &self.me,
            nodes: &self.nodes,
            now_ms: (wall_ms() + self.clock_offset_ms).max(0) as u64,
            rng: &mut self.rng,
            storage: self.storage.as_mut(),
            out: Vec::new(),
        };
        f(self.proto.as_mut(), &mut ctx);
        for effect in std::mem::take(&mut ctx.out) {
            match effect {
                Effect::Send { to, body } => out.send(Envelope::new(&self.me, &to, body)),
                Effect::Reply { to, body } => out.send(to.reply(body)),
                Effect::Timer { id, after_ms } => self.set_timer(id, after_ms),
            }
        }
    }

    fn set_timer(&mut self, id: u64, after_ms: u64) {
        let g = self.timers.entry(id).or_insert(0);
        *g += 1;
        let (inbox, generation) = (self.inbox.clone(), *g);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(after_ms)).await;
            let _ = inbox.send(Input::Timer { id, generation }).await;
        });
    }
}

/// The host's clock, in ms since the Unix epoch: one clock for every node of the machine
/// (and continuous across a node's restarts), so a time stamped by one node means the
/// same to another unless `schism/clock` skews it.
fn wall_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| d.as_millis() as i64)
}

impl Host for Driver {
    fn start(&mut self, out: &mut Outbox) {
        self.call(out, |p, ctx| p.on_start(ctx));
    }

    fn peer(&mut self, env: Envelope, out: &mut Outbox) {
        self.call(out, |p, ctx| p.on_peer(ctx, &env.src, &env.body));
    }

    fn client(&mut self, env: Envelope, out: &mut Outbox) {
        self.call(out, |p, ctx| p.on_client(ctx, &env));
    }

    fn timer(&mut self, id: u64, generation: u64, out: &mut Outbox) {
        if self.timers.get(&id) == Some(&generation) {
            self.call(out, |p, ctx| p.on_timer(ctx, id));
        }
    }

    fn state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("state".into(), self.proto.state());
        m.insert("clock_offset_ms".into(), json!(self.clock_offset_ms));
        m
    }

    fn clock(&mut self, body: &Body) -> Value {
        self.clock_offset_ms = body["offset_ms"].as_i64().unwrap_or(0);
        json!({"type": "schism/clock_ok", "offset_ms": self.clock_offset_ms})
    }
}
