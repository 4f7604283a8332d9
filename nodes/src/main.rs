//! `schism-node <protocol>`: one reference node on a real network, under the node runtime.
//!
//! ```text
//! schism-node raft --id n1 --nodes n1=10.0.0.2:7000,n2=10.0.0.3:7000,n3=10.0.0.4:7000 --data /data
//! ```

use clap::Parser;
use nodes::paxos::{Paxos, PaxosBugs};
use nodes::raft::{Raft, RaftBugs};
use std::net::SocketAddr;
use wire::runtime::{serve, RuntimeConfig};
use wire::storage::FileStorage;
use wire::Protocol;

#[derive(Debug, Parser)]
#[command(name = "schism-node", about = "A reference protocol node of schism")]
struct Args {
    /// The protocol: raft or paxos.
    protocol: String,
    /// This node's name.
    #[arg(long)]
    id: String,
    /// Every node as name=ip:port, comma separated (this one included).
    #[arg(long, value_delimiter = ',')]
    nodes: Vec<String>,
    /// Where to listen (default: this node's address from --nodes, on every interface).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The data directory (term, vote and log are kept here, fsynced).
    #[arg(long, default_value = "/data")]
    data: std::path::PathBuf,
    /// Deliberate bugs, comma separated (raft: stale-read; paxos: accept-any).
    #[arg(long, value_delimiter = ',')]
    bug: Vec<String>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn protocol(name: &str, bugs: &[String]) -> Result<Box<dyn Protocol>, String> {
    let unknown = |b: &String, known: &str| format!("unknown bug {b:?} for {name}; known: {known}");
    match name {
        "raft" => {
            let mut b = RaftBugs::default();
            for bug in bugs {
                match bug.as_str() {
                    "stale-read" => b.stale_read = true,
                    _ => return Err(unknown(bug, "stale-read")),
                }
            }
            Ok(Box::new(Raft::with_bugs(b)))
        }
        "paxos" => {
            let mut b = PaxosBugs::default();
            for bug in bugs {
                match bug.as_str() {
                    "accept-any" => b.accept_any = true,
                    _ => return Err(unknown(bug, "accept-any")),
                }
            }
            Ok(Box::new(Paxos::with_bugs(b)))
        }
        other => Err(format!("unknown protocol {other:?}; known: raft, paxos")),
    }
}

fn main() {
    let args = Args::parse();
    let fail = |m: String| -> ! {
        eprintln!("schism-node: {m}");
        std::process::exit(254);
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
    let Some(me) = nodes.iter().find(|(n, _)| *n == args.id) else {
        fail(format!("--id {} is not among --nodes", args.id))
    };
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], me.1.port())));
    let proto = protocol(&args.protocol, &args.bug).unwrap_or_else(|e| fail(e));
    let storage = FileStorage::open(args.data.join(&args.id)).unwrap_or_else(|e| {
        fail(format!(
            "cannot open the data directory {}: {e}",
            args.data.display()
        ))
    });
    let cfg = RuntimeConfig {
        me: args.id.clone(),
        nodes,
        listen,
        // Each node its own random sequence (equal election timeouts would split votes).
        seed: args.seed
            ^ args.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
            }),
    };
    eprintln!(
        "schism-node {} {} listening on {listen}",
        args.protocol, args.id
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(format!("cannot start the runtime: {e}")));
    if let Err(e) = rt.block_on(serve(cfg, proto, Box::new(storage))) {
        eprintln!("schism-node: {e}");
        std::process::exit(255);
    }
}
