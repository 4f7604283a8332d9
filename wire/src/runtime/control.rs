//! Control messages, answered by the runtime whatever it hosts: `schism/state` (the host's
//! state and the interceptor's report), `schism/clock` (skew the clock, if the host can)
//! and `schism/byzantine` (the interceptor's rules).

use super::host::Host;
use super::outbox::Outbox;
use crate::{Envelope, ErrorCode};
use serde_json::{json, Value};

/// The answer to one control message.
pub(crate) fn answer(env: &Envelope, host: &mut impl Host, out: &mut Outbox) -> Envelope {
    let body = match env.body.kind() {
        "schism/state" => {
            let mut m = host.state();
            m.insert("type".into(), json!("schism/state_ok"));
            m.insert("node".into(), json!(out.me()));
            m.insert("byzantine".into(), out.report());
            Value::Object(m)
        }
        "schism/clock" => host.clock(&env.body),
        "schism/byzantine" => Value::Object(out.control(&env.body).0),
        other => ErrorCode::NotSupported.body(&format!("no control message {other:?}")),
    };
    env.reply(body)
}
