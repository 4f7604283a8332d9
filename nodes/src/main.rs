//! `schism-node`: a node of schism, in one of three modes.
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
//! ```
//!
//! In every mode each message the node sends goes through the Byzantine interceptor, and
//! the runtime answers control messages (`schism/state`, `schism/clock`,
//! `schism/byzantine`). Logs go to stderr only. A wrapped binary's exit code is ours.

fn main() {
    std::process::exit(nodes::cli::main_with(std::env::args()));
}
