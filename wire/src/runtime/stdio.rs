//! A protocol as a plain Maelstrom node on stdin/stdout (what Maelstrom itself runs): the
//! `init` message names this node and every node; then each envelope from a node goes to
//! the protocol as a peer message, every other as a client request (`schism/*` control
//! messages are answered by the runtime); what the node sends is printed, one envelope a
//! line. Maelstrom's network carries everything, so nothing is dropped here.

use super::driver::Driver;
use super::host::{self, Input, INPUT_QUEUE};
use super::node_seed;
use super::outbox::{Deliver, Outbox};
use crate::storage::Storage;
use crate::{framing, Envelope, Protocol};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::{AsyncWriteExt, BufReader, Stdin};
use tokio::sync::mpsc;

/// Run `proto` on stdin/stdout until stdin ends. `storage` opens the node's storage once
/// `init` has named it; `seed` is mixed with that name.
pub async fn serve_stdio(
    proto: Box<dyn Protocol>,
    storage: impl FnOnce(&str) -> std::io::Result<Box<dyn Storage>>,
    seed: u64,
) -> std::io::Result<()> {
    let (print, printer) = printer();
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut buf = String::new();
    let Some((me, nodes)) = init(&mut stdin, &mut buf, &print).await else {
        return Ok(());
    };
    let seed = node_seed(seed, &me);
    let storage = storage(&me)?;
    let (tx, rx) = mpsc::channel::<Input>(INPUT_QUEUE);
    let out = Outbox::new(&me, &nodes, seed, print.clone());
    let driver = Driver::new(&me, &nodes, seed, proto, storage, tx.clone());
    let node = tokio::spawn(host::run(driver, out, rx));
    while let Some(env) = next(&mut stdin, &mut buf).await {
        let input = if env.body.kind().starts_with("schism/") {
            let reply = print.clone();
            Input::Control { env, reply }
        } else if nodes.contains(&env.src) {
            Input::Peer(env)
        } else {
            Input::Client(env)
        };
        if tx.send(input).await.is_err() {
            break;
        }
    }
    node.abort();
    drop(print);
    // What was printed before stdin ended still goes out (delayed sends may hold it up).
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), printer).await;
    Ok(())
}

/// Wait for `init`, answer `init_ok`: this node's name and every node's. None when stdin
/// ends first.
async fn init(
    stdin: &mut BufReader<Stdin>,
    buf: &mut String,
    print: &Deliver,
) -> Option<(String, Vec<String>)> {
    loop {
        let env = next(stdin, buf).await?;
        if env.body.kind() != "init" {
            eprintln!("schism-node: before init, ignored: {}", json!(env));
            continue;
        }
        let me = env.body["node_id"].as_str().unwrap_or("").to_string();
        let nodes: Vec<String> = match &env.body["node_ids"] {
            Value::Array(a) => a
                .iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        if me.is_empty() || !nodes.contains(&me) {
            eprintln!(
                "schism-node: init without node_id among node_ids, ignored: {}",
                json!(env)
            );
            continue;
        }
        let mut ok = env.reply(json!({"type": "init_ok"}));
        ok.src = me.clone();
        print(ok);
        return Some((me, nodes));
    }
}

/// The next envelope on stdin; malformed lines are logged and skipped. None at the end.
async fn next(stdin: &mut BufReader<Stdin>, buf: &mut String) -> Option<Envelope> {
    loop {
        match framing::read(stdin, buf).await {
            Ok(env) => return env,
            Err(framing::FrameError::Io(e)) => {
                eprintln!("schism-node: reading stdin: {e}");
                return None;
            }
            Err(e) => eprintln!("schism-node: skipped: {e}"),
        }
    }
}

/// Printing to stdout, one envelope a line, flushed: a handle and the task that prints.
fn printer() -> (Deliver, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Envelope>();
    let task = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(env) = rx.recv().await {
            if framing::write(&mut stdout, &env).await.is_err() || stdout.flush().await.is_err() {
                return;
            }
        }
    });
    let print: Deliver = Arc::new(move |env| {
        let _ = tx.send(env);
    });
    (print, task)
}
