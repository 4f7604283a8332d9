//! The one way out of a node: every message it sends (to a peer, or a reply to a client)
//! passes through the node's Byzantine [`Interceptor`], which says what to send instead
//! and after what delay; what the interceptor did is logged to stderr (the node's log).

use crate::interceptor::Interceptor;
use crate::{Body, Envelope};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Hands one envelope to the transport (a peer queue, a client connection, stdout). Never
/// blocks: what cannot be delivered is dropped, as a network would.
pub(crate) type Deliver = Arc<dyn Fn(Envelope) + Send + Sync>;

pub(crate) struct Outbox {
    me: String,
    interceptor: Interceptor,
    deliver: Deliver,
}

impl Outbox {
    pub fn new(me: &str, nodes: &[String], seed: u64, deliver: Deliver) -> Outbox {
        Outbox {
            me: me.into(),
            // Its own random sequence, not the protocol's.
            interceptor: Interceptor::new(me, nodes, seed ^ 0x6279_7a61_6e74_696e),
            deliver,
        }
    }

    pub fn me(&self) -> &str {
        &self.me
    }

    /// Send one envelope, as the interceptor rewrites it.
    pub fn send(&mut self, env: Envelope) {
        for o in self.interceptor.outgoing(env) {
            if o.delay_ms == 0 {
                (self.deliver)(o.env);
            } else {
                let deliver = self.deliver.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(o.delay_ms)).await;
                    deliver(o.env);
                });
            }
        }
        self.write_log();
    }

    /// Answer a `schism/byzantine` control body.
    pub fn control(&mut self, body: &Body) -> Body {
        let answer = self.interceptor.control(body);
        self.write_log();
        answer
    }

    /// What the interceptor did so far, for `schism/state`.
    pub fn report(&self) -> Value {
        self.interceptor.report()
    }

    fn write_log(&mut self) {
        for line in self.interceptor.take_log() {
            eprintln!("{line}");
        }
    }
}
