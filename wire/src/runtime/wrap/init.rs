//! The handshake with the wrapped binary: it is sent Maelstrom's `init` naming it and every
//! node, and must answer `init_ok` within [`INIT_TIMEOUT`]; the answer is swallowed.

use super::child::{describe, Child};
use super::WrapError;
use crate::{framing, Envelope};
use serde_json::json;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

pub(super) const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Initialise the child, or explain (with the last lines of its stderr) why it did not
/// answer. On failure the child is killed.
pub(super) async fn init(
    mut child: Child,
    binary: &str,
    me: &str,
    nodes: &[String],
) -> Result<Child, WrapError> {
    let env = Envelope::new(
        "c0",
        me,
        json!({"type": "init", "msg_id": 1, "node_id": me, "node_ids": nodes}),
    );
    let handshake = async {
        let sent = framing::write(&mut child.stdin, &env).await.is_ok()
            && child.stdin.flush().await.is_ok();
        if sent && answered(&mut child).await {
            return Ok(());
        }
        // Its stdout closed, or it stopped reading: it has ended, or is about to.
        Err(match child.process.wait().await {
            Ok(status) => format!("{} before answering init", describe(status)),
            Err(e) => format!("could not be waited for: {e}"),
        })
    };
    let what = match tokio::time::timeout(INIT_TIMEOUT, handshake).await {
        Ok(Ok(())) => return Ok(child),
        Ok(Err(what)) => what,
        Err(_) => {
            let _ = child.process.kill().await;
            format!("did not answer init within {} s", INIT_TIMEOUT.as_secs())
        }
    };
    Err(WrapError::Init {
        binary: binary.to_string(),
        what,
        stderr: child.stderr.finish().await,
    })
}

/// Read the child's stdout until `init_ok`: true, or false when stdout ends first.
async fn answered(child: &mut Child) -> bool {
    let mut buf = String::new();
    loop {
        match framing::read(&mut child.stdout, &mut buf).await {
            Ok(Some(env)) if env.body.kind() == "init_ok" => return true,
            Ok(Some(env)) => eprintln!("schism-node: before init_ok, ignored: {}", json!(env)),
            Ok(None) | Err(framing::FrameError::Io(_)) => return false,
            Err(e) => eprintln!("schism-node: the wrapped binary printed a bad line: {e}"),
        }
    }
}
