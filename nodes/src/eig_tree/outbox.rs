//! Sending over a lossy network within a round: every value message is sent again until
//! its receiver acknowledges it or its round is over, so a lost message costs a little
//! delay instead of a missing value (which the majority would count as a vote for the
//! default).

use crate::eig_tree::Path;
use crate::Ctx;
use std::collections::BTreeMap;
use wire::Body;

/// The timer id of resending (instance clocks use ids from 1).
pub const RESEND_TIMER: u64 = 0;

/// Messages sent and not yet acknowledged, with the time after which they are useless.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    /// (receiver, instance key, path) -> (body, deadline).
    pending: BTreeMap<(String, String, Path), (Body, u64)>,
    armed: bool,
    every_ms: u64,
}

impl Outbox {
    pub fn new(every_ms: u64) -> Outbox {
        Outbox {
            every_ms: every_ms.max(1),
            ..Outbox::default()
        }
    }

    /// Send now, and again every so often until acknowledged or `deadline_ms`.
    pub fn send(
        &mut self,
        ctx: &mut Ctx<'_>,
        to: &str,
        key: &str,
        path: &Path,
        body: Body,
        deadline_ms: u64,
    ) {
        ctx.send(to, body.clone());
        self.pending.insert(
            (to.to_string(), key.to_string(), path.clone()),
            (body, deadline_ms),
        );
        if !self.armed {
            self.armed = true;
            ctx.timer(RESEND_TIMER, self.every_ms);
        }
    }

    /// The receiver has the value for this path.
    pub fn ack(&mut self, from: &str, key: &str, path: &Path) {
        self.pending
            .remove(&(from.to_string(), key.to_string(), path.clone()));
    }

    /// The resend timer fired: drop what is too late, send the rest again.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        self.armed = false;
        let now = ctx.now_ms;
        self.pending.retain(|_, (_, deadline)| *deadline > now);
        for ((to, _, _), (body, _)) in &self.pending {
            ctx.send(to, body.clone());
        }
        if !self.pending.is_empty() {
            self.armed = true;
            ctx.timer(RESEND_TIMER, self.every_ms);
        }
    }
}
