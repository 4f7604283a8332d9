//! The contract between a protocol and whatever runs it (the simulator or the node
//! runtime).

use crate::storage::Storage;
use crate::{Body, Envelope};
use history::rng::Rng;
use serde_json::Value;

/// What a protocol asks its runner to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send to a peer node (may be lost: the network is a datagram network).
    Send { to: String, body: Body },
    /// Answer a client request.
    Reply { to: Envelope, body: Body },
    /// Call `on_timer(id)` after this many milliseconds (one pending timer per id).
    Timer { id: u64, after_ms: u64 },
}

/// What a protocol sees of the world during one call.
pub struct Ctx<'a> {
    pub me: &'a str,
    /// Every node, in order, this one included.
    pub nodes: &'a [String],
    /// Milliseconds on this node's clock (the runner may skew it): under the runtime, since
    /// the Unix epoch, shared by the nodes of one machine; in the simulator, since it began.
    pub now_ms: u64,
    pub rng: &'a mut Rng,
    /// Durable storage: what is saved survives a crash.
    pub storage: &'a mut dyn Storage,
    pub out: Vec<Effect>,
}

impl<'a> Ctx<'a> {
    pub fn send(&mut self, to: &str, body: Body) {
        self.out.push(Effect::Send {
            to: to.into(),
            body,
        });
    }
    pub fn reply(&mut self, req: &Envelope, body: Body) {
        self.out.push(Effect::Reply {
            to: req.clone(),
            body,
        });
    }
    pub fn timer(&mut self, id: u64, after_ms: u64) {
        self.out.push(Effect::Timer { id, after_ms });
    }
    /// The other nodes.
    pub fn peers(&self) -> impl Iterator<Item = &'a String> + 'a {
        let me = self.me;
        self.nodes.iter().filter(move |n| n.as_str() != me)
    }
}

/// A protocol node.
///
/// Contract: every call is short and never blocks; state changes that must survive a crash
/// are saved to `ctx.storage` before the effects that depend on them are acted on (the
/// runner acts on effects only after the call returns); `on_start` is called once per
/// (re)start with whatever the storage holds.
pub trait Protocol: Send {
    fn name(&self) -> &'static str;
    fn on_start(&mut self, ctx: &mut Ctx<'_>);
    /// A message from another node.
    fn on_peer(&mut self, ctx: &mut Ctx<'_>, from: &str, body: &Body);
    /// A request from a client.
    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: &Envelope);
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, id: u64);
    /// What the protocol reports of itself (role, term, commit index, ...): `schism/state`.
    fn state(&self) -> Value;
}
