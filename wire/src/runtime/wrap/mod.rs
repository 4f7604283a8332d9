//! A third-party Maelstrom node (a binary speaking envelopes on stdin/stdout) inside the
//! TCP runtime, so that network faults and the interceptor apply to it over a real
//! network. It is initialised as Maelstrom would; every envelope from a peer or a client is
//! written to its stdin; every envelope it prints is sent by destination (a node: that
//! peer; anyone else: that client's connection) through the interceptor. Control messages
//! are answered by the runtime, not forwarded. Its stderr is copied to ours; when it
//! exits, [`wrap`] returns its exit code.

mod child;
mod init;

use super::host::{Host, Input};
use super::outbox::Outbox;
use super::{tcp, RuntimeConfig};
use crate::{framing, Body, Envelope, ErrorCode};
use child::{exit_code, Child};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::mpsc;

/// Envelopes waiting for the child to read them; more are dropped, as a network would.
const STDIN_QUEUE: usize = 65_536;

/// Why a wrapped binary could not be run.
#[derive(Debug, thiserror::Error)]
pub enum WrapError {
    #[error("cannot start the wrapped binary {binary}: {error}")]
    Spawn {
        binary: String,
        error: std::io::Error,
    },
    #[error("the wrapped binary {binary} {what}{}", tail(stderr))]
    Init {
        binary: String,
        what: String,
        /// Its last lines on stderr.
        stderr: Vec<String>,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn tail(lines: &[String]) -> String {
    if lines.is_empty() {
        "; it wrote nothing to stderr".to_string()
    } else {
        format!("; the last lines of its stderr:\n  {}", lines.join("\n  "))
    }
}

/// Run `argv` as node `cfg.me` until it exits: its exit code.
pub async fn wrap(cfg: RuntimeConfig, argv: Vec<String>) -> Result<i32, WrapError> {
    let child = Child::spawn(&argv)?;
    // The whole command names it: an interpreter alone would not say which script.
    let binary = argv.join(" ");
    let names: Vec<String> = cfg.nodes.iter().map(|(n, _)| n.clone()).collect();
    let Child {
        mut process,
        stdin,
        stdout,
        stderr,
    } = init::init(child, &binary, &cfg.me, &names).await?;
    eprintln!(
        "schism-node: {binary} answered init as {}; listening on {}",
        cfg.me, cfg.listen
    );
    let stdin = feed(stdin);
    let serve = tcp::serve(&cfg, |inbox| {
        tokio::spawn(forward(stdout, inbox));
        Wrapped { binary, stdin }
    });
    let status = tokio::select! {
        status = process.wait() => status?,
        served = serve => {
            served?;
            process.wait().await?
        }
        signal = terminated() => {
            // Asked to stop: the child stops with us.
            let _ = process.kill().await;
            stderr.finish().await;
            return Ok(128 + signal?);
        }
    };
    stderr.finish().await;
    Ok(exit_code(status))
}

/// The number of the signal (SIGTERM or SIGINT) that asks this process to stop.
async fn terminated() -> std::io::Result<i32> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => Ok(15),
        _ = int.recv() => Ok(2),
    }
}

/// The wrapped binary as the runtime's host: inputs go to its stdin.
struct Wrapped {
    binary: String,
    stdin: mpsc::Sender<Envelope>,
}

impl Host for Wrapped {
    fn start(&mut self, _out: &mut Outbox) {}

    fn peer(&mut self, env: Envelope, _out: &mut Outbox) {
        let _ = self.stdin.try_send(env);
    }

    fn client(&mut self, env: Envelope, _out: &mut Outbox) {
        let _ = self.stdin.try_send(env);
    }

    fn state(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("wrapped".into(), json!(self.binary));
        m
    }

    fn clock(&mut self, _body: &Body) -> Value {
        ErrorCode::NotSupported.body(
            "a wrapped binary's clock cannot be skewed by the runtime (it reads its own clock)",
        )
    }
}

/// Write queued envelopes to the child's stdin, one a line.
fn feed(mut stdin: ChildStdin) -> mpsc::Sender<Envelope> {
    let (tx, mut rx) = mpsc::channel::<Envelope>(STDIN_QUEUE);
    tokio::spawn(async move {
        while let Some(env) = rx.recv().await {
            if framing::write(&mut stdin, &env).await.is_err() || stdin.flush().await.is_err() {
                return;
            }
        }
    });
    tx
}

/// Hand every envelope the child prints to the runtime to send; bad lines are logged and
/// skipped.
async fn forward(mut stdout: BufReader<ChildStdout>, inbox: mpsc::Sender<Input>) {
    let mut buf = String::new();
    loop {
        match framing::read(&mut stdout, &mut buf).await {
            Ok(Some(env)) => {
                if inbox.send(Input::Emit(env)).await.is_err() {
                    return;
                }
            }
            Ok(None) | Err(framing::FrameError::Io(_)) => return,
            Err(e) => eprintln!("schism-node: the wrapped binary printed a bad line, skipped: {e}"),
        }
    }
}
