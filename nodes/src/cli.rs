//! The command line of a node of schism (`schism-node ...`, or `schism node ...`), in one
//! of three modes (or holding a namespace).
//!
//! ```text
//! # A reference protocol (raft, paxos, om or eig) on a real network, under the TCP node runtime:
//! schism-node raft --id n1 --nodes n1=10.0.0.2:7000,n2=10.0.0.3:7000,n3=10.0.0.4:7000 --data /data
//! # The same protocol as a plain Maelstrom node on stdin/stdout (what Maelstrom runs):
//! # named by Maelstrom's `init`; storage in memory unless --data is given.
//! schism-node paxos --stdio
//! # A third-party Maelstrom node (a binary speaking envelopes on stdin/stdout) inside the
//! # TCP runtime, so that network faults and the Byzantine interceptor apply to it:
//! schism-node wrap --id n1 --nodes n1=10.0.0.2:7000,n2=10.0.0.3:7000 -- ./my-node --flag
//! # Nothing at all, until killed: what holds a node's network namespace in its holder.
//! schism-node hold
//! ```
//!
//! In every mode each message the node sends goes through the Byzantine interceptor, and
//! the runtime answers control messages (`schism/state`, `schism/clock`,
//! `schism/byzantine`). Logs go to stderr only. A wrapped binary's exit code is ours.

use crate::choose;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use wire::runtime::{node_seed, serve, serve_stdio, wrap, RuntimeConfig};
use wire::storage::{FileStorage, MemStorage, Storage};

#[derive(Debug, Parser)]
#[command(name = "schism-node", about = "A node of schism")]
struct Args {
    /// The protocol (raft, paxos, om or eig), or `wrap` to run the binary given after `--`.
    protocol: String,
    /// Run the protocol on stdin/stdout as a Maelstrom node (no --id, --nodes, --listen).
    #[arg(long)]
    stdio: bool,
    /// This node's name.
    #[arg(long)]
    id: Option<String>,
    /// Every node as name=ip:port, comma separated (this one included).
    #[arg(long, value_delimiter = ',')]
    nodes: Vec<String>,
    /// Where to listen (default: this node's address from --nodes, on every interface).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The data directory (term, vote and log are kept in DATA/<id>, fsynced). Default:
    /// /data over TCP; in memory with --stdio.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Deliberate bugs, comma separated (raft: stale-read, txn-early-read, txn-blind-cas,
    /// no-fsync; paxos: accept-any, txn-early-read, txn-blind-cas, no-fsync; om:
    /// trust-commander; eig: trust-direct). `no-fsync` is the storage's: it never fsyncs.
    #[arg(long, value_delimiter = ',')]
    bug: Vec<String>,
    /// Make this om or eig node a traitor that knows the protocol (om: split-orders,
    /// relay-opposite, silent; eig: equivocate, relay-opposite, relay-corrupt, silent).
    #[arg(long)]
    traitor: Option<String>,
    /// om and eig: the number of traitors the algorithm is built to tolerate (OM(m) relays
    /// for m + 1 rounds); default (n - 1) / 3.
    #[arg(long)]
    m: Option<usize>,
    /// om and eig: the length of a round in milliseconds (default 100).
    #[arg(long)]
    round_ms: Option<u64>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// With `wrap`: the binary to run and its arguments.
    #[arg(last = true)]
    command: Vec<String>,
}

fn fail(m: String) -> ! {
    eprintln!("schism-node: {m}");
    std::process::exit(254);
}

/// Where everyone is, from --id, --nodes and --listen.
fn network(args: &Args) -> RuntimeConfig {
    let Some(id) = args.id.clone() else {
        fail("--id is required (or --stdio)".into())
    };
    let nodes: Vec<(String, SocketAddr)> = args
        .nodes
        .iter()
        .map(|n| {
            let (name, addr) = n
                .split_once('=')
                .unwrap_or_else(|| fail(format!("--nodes entry {n:?} is not name=ip:port")));
            let addr = addr
                .parse()
                .unwrap_or_else(|e| fail(format!("--nodes entry {n:?}: {e}")));
            (name.to_string(), addr)
        })
        .collect();
    let Some(port) = nodes.iter().find(|(n, _)| *n == id).map(|(_, a)| a.port()) else {
        fail(format!("--id {id} is not among --nodes"))
    };
    RuntimeConfig {
        listen: args
            .listen
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], port))),
        seed: node_seed(args.seed, &id),
        me: id,
        nodes,
    }
}

/// `schism-node hold`: do nothing until killed. It holds a node's network namespace in
/// the holder container (PID 1 there, so only SIGKILL, which removing it sends, ends it).
fn hold() -> ! {
    loop {
        std::thread::park();
    }
}

/// The node's storage in `data/<id>`; with the `no-fsync` bug, never synced.
fn open_storage(
    data: &std::path::Path,
    id: &str,
    no_fsync: bool,
) -> std::io::Result<Box<dyn Storage>> {
    let dir = data.join(id);
    let opened = match no_fsync {
        true => FileStorage::open_unsynced(dir),
        false => FileStorage::open(dir),
    };
    opened
        .map(|s| Box::new(s) as Box<dyn Storage>)
        .map_err(|e| std::io::Error::other(format!("the data directory {}: {e}", data.display())))
}

/// Run a node as the command line `argv` (program name first) says; returns only when
/// the node stops, with its exit code.
pub fn main_with(argv: impl IntoIterator<Item = String>) -> i32 {
    let argv: Vec<String> = argv.into_iter().collect();
    if argv.get(1).map(String::as_str) == Some("hold") {
        hold();
    }
    let args = match Args::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 254 } else { 0 };
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(format!("cannot start the runtime: {e}")));
    let result = if args.protocol == "wrap" {
        if args.command.is_empty() {
            fail("wrap needs the binary to run after `--`".into());
        }
        let cfg = network(&args);
        match rt.block_on(wrap(cfg, args.command.clone())) {
            Ok(code) => return code,
            Err(e) => Err(e.to_string()),
        }
    } else {
        let proto = choose::protocol(
            &args.protocol,
            &args.bug,
            args.traitor.as_deref(),
            choose::Tuning {
                m: args.m,
                round_ms: args.round_ms,
            },
        )
        .unwrap_or_else(|e| fail(e));
        let no_fsync = args.bug.iter().any(|b| b == "no-fsync");
        if args.stdio {
            let data = args.data.clone();
            let storage = move |id: &str| match &data {
                Some(d) => open_storage(d, id, no_fsync),
                None => Ok(Box::new(MemStorage::default()) as Box<dyn Storage>),
            };
            rt.block_on(serve_stdio(proto, storage, args.seed))
                .map_err(|e| e.to_string())
        } else {
            let cfg = network(&args);
            let data = args.data.clone().unwrap_or_else(|| "/data".into());
            let storage =
                open_storage(&data, &cfg.me, no_fsync).unwrap_or_else(|e| fail(e.to_string()));
            eprintln!(
                "schism-node {} {} listening on {}",
                args.protocol, cfg.me, cfg.listen
            );
            rt.block_on(serve(cfg, proto, storage))
                .map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("schism-node: {e}");
            255
        }
    }
}
