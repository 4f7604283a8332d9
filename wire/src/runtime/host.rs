//! The event loop every way of running a node shares: inputs (from peers, clients, timers,
//! control connections, or the hosted node itself) are handled one at a time by a [`Host`]
//! (a sans-IO protocol, or a wrapped binary); control messages are answered here.

use super::control;
use super::outbox::{Deliver, Outbox};
use crate::{Body, Envelope};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

/// Inputs are queued, bounded so that a flood cannot exhaust memory.
pub(crate) const INPUT_QUEUE: usize = 65_536;

pub(crate) enum Input {
    /// An envelope from another node.
    Peer(Envelope),
    /// A request from a client.
    Client(Envelope),
    /// A `schism/*` message, answered through `reply` (not through the interceptor: it is
    /// the harness's channel, not the system's).
    Control { env: Envelope, reply: Deliver },
    /// A timer set by the host fired.
    Timer { id: u64, generation: u64 },
    /// An envelope the hosted node sends on its own (a wrapped binary's output).
    Emit(Envelope),
}

/// What a runtime hosts. Calls are short and never block; whatever the host sends goes
/// through the [`Outbox`].
pub(crate) trait Host: Send {
    fn start(&mut self, out: &mut Outbox);
    fn peer(&mut self, env: Envelope, out: &mut Outbox);
    fn client(&mut self, env: Envelope, out: &mut Outbox);
    fn timer(&mut self, _id: u64, _generation: u64, _out: &mut Outbox) {}
    /// Fields of the `schism/state` answer (the runtime adds `type`, `node`, `byzantine`).
    fn state(&self) -> Map<String, Value>;
    /// Answer a `schism/clock` body: skew this node's clock, or refuse.
    fn clock(&mut self, body: &Body) -> Value;
}

/// Run the host until the input queue closes.
pub(crate) async fn run(mut host: impl Host, mut out: Outbox, mut rx: mpsc::Receiver<Input>) {
    host.start(&mut out);
    while let Some(input) = rx.recv().await {
        match input {
            Input::Peer(env) => host.peer(env, &mut out),
            Input::Client(env) => host.client(env, &mut out),
            Input::Timer { id, generation } => host.timer(id, generation, &mut out),
            Input::Emit(env) => out.send(env),
            Input::Control { env, reply } => reply(control::answer(&env, &mut host, &mut out)),
        }
    }
}
