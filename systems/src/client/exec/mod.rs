//! A client that is a user's command: schism starts it once per client worker, on this
//! machine, and speaks JSON lines with it (see [`protocol`] for the lines). Any op name
//! is passed through, so an exec client serves every workload; the command is the one
//! that knows how to talk to the system under test.
//!
//! Outcomes beyond what the command answers:
//! - it cannot be (re)started, or it is gone before the op could be written: `fail`;
//! - it answers a line that is not a completion: `info` with an error quoting the line,
//!   and it is killed and restarted for the next op (its stdout can no longer be trusted);
//! - its stdout ends (it exited): `info` naming its exit code and the end of its stderr;
//!   the next op restarts it;
//! - no answer within the timeout: `info`, and it is killed and restarted, so that a late
//!   answer is never taken for the next op's; for the same reason a command that has
//!   anything on its stdout before an op is sent (an extra line) is replaced first.
//!
//! A read that did not complete is `fail` instead of `info`: it changes nothing. The
//! command's stderr is kept (its last lines, for errors) and never mixed into ours.

mod process;
pub mod protocol;

use super::ProtocolDef;
use async_trait::async_trait;
use process::{Proc, Spec};
use std::time::Duration;
use tokio::time::Instant;
use workloads::{Client, Completion, Invocation};

/// A user's command, run on this machine once per worker, speaking JSON lines.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "exec",
    workloads: super::maelstrom::served,
    check: |c| {
        super::no_options(c)?;
        if c.command.is_empty() {
            return Err((
                "client.command".into(),
                "the exec protocol needs the command each client runs".into(),
            ));
        }
        Ok(())
    },
    client: |c| {
        let (argv, env) = crate::spec_file::client_command(c)?;
        let client = ExecClient::spawn(argv, env, c.setup.client_timeout);
        Ok(Box::new(client.map_err(crate::Error::Host)?))
    },
    leader: None,
    cluster_ready: None,
};

/// One worker's instance of the user's command.
pub struct ExecClient {
    spec: Spec,
    proc: Option<Proc>,
    timeout: Duration,
}

impl ExecClient {
    /// Start `argv` (already templated; `argv[0]` a path, or a name on `PATH`) with `env`
    /// added to our environment, giving it `timeout` to answer each op. Must be called
    /// within a Tokio runtime. The error names the command when it is missing or not
    /// executable.
    pub fn spawn(
        argv: Vec<String>,
        env: Vec<(String, String)>,
        timeout: Duration,
    ) -> Result<ExecClient, String> {
        tokio::runtime::Handle::try_current()
            .map_err(|_| "ExecClient::spawn needs a Tokio runtime".to_string())?;
        let spec = Spec::resolve(argv, env)?;
        let proc = spec.start()?;
        Ok(ExecClient {
            spec,
            proc: Some(proc),
            timeout,
        })
    }
}

/// The completion of an op whose answer is unknown: a read changed nothing.
fn lost(inv: &Invocation, error: String) -> Completion {
    if inv.f == "read" {
        Completion::fail(inv.value.clone(), error)
    } else {
        Completion::info(inv.value.clone(), error)
    }
}

#[async_trait]
impl Client for ExecClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let deadline = Instant::now() + self.timeout;
        let mut kept = self.proc.take();
        if let Some(p) = kept.as_mut() {
            if p.stale().await {
                // An extra line, or it ended while idle: start afresh.
                tracing::debug!("restarting the exec client: {}", p.stderr_tail());
                kept = None;
            }
        }
        let mut proc = match kept {
            Some(p) => p,
            None => match self.spec.start() {
                Ok(p) => p,
                Err(e) => return Completion::fail(inv.value.clone(), e),
            },
        };
        match tokio::time::timeout_at(deadline, proc.send(&protocol::encode(inv))).await {
            Ok(Ok(())) => {}
            // Its stdin is closed: it is gone, and never read the op.
            Ok(Err(e)) => {
                let why = proc.ended(deadline).await;
                return Completion::fail(
                    inv.value.clone(),
                    format!("the exec client did not take the op ({e}): {why}"),
                );
            }
            // It stopped reading: it may have read part of the op.
            Err(_) => {
                proc.kill();
                return lost(
                    inv,
                    format!(
                        "the exec client took no op within {:?}; it was killed",
                        self.timeout
                    ),
                );
            }
        }
        let answer = match tokio::time::timeout_at(deadline, proc.recv()).await {
            Ok(Ok(Some(line))) => protocol::decode(inv, line),
            Ok(Ok(None)) => {
                let why = proc.ended(deadline).await;
                return lost(
                    inv,
                    format!("the exec client ended before answering: {why}"),
                );
            }
            Ok(Err(e)) => Err(format!("cannot read the exec client's answer: {e}")),
            Err(_) => Err(format!(
                "the exec client did not answer within {:?}; it was killed",
                self.timeout
            )),
        };
        match answer {
            Ok(c) => {
                self.proc = Some(proc);
                c
            }
            Err(e) => {
                proc.kill();
                lost(inv, e)
            }
        }
    }
}
