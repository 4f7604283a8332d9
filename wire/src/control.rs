//! Asking a node's runtime a control question (`schism/state`, `schism/clock`,
//! `schism/byzantine`) over its TCP port, as the harness and the nemesis do.

use crate::{framing, Body, Envelope};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::BufReader;
use tokio::net::TcpStream;

/// Send one control body (its `type` says which) to the node at `addr` and wait for the
/// answer's body. An `error` answer is returned as it is; the caller decides.
pub async fn ask(
    addr: SocketAddr,
    node: &str,
    body: Value,
    timeout: Duration,
) -> Result<Body, String> {
    let exchange = async {
        let s = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {node} at {addr}: {e}"))?;
        let (r, mut w) = s.into_split();
        let mut body = Body::from(body);
        body.set("msg_id", Value::from(1u64));
        framing::write(&mut w, &Envelope::new("schism", node, body))
            .await
            .map_err(|e| format!("cannot write to {node} at {addr}: {e}"))?;
        let mut buf = String::new();
        match framing::read(&mut BufReader::new(r), &mut buf).await {
            Ok(Some(env)) => Ok(env.body),
            Ok(None) => Err(format!(
                "{node} at {addr} closed the connection without answering"
            )),
            Err(e) => Err(format!("{node} at {addr} answered badly: {e}")),
        }
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "{node} at {addr} did not answer within {timeout:?}"
            ))
        })
}
