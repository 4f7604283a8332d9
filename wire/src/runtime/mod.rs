//! The node runtime: hosts a node on a real network, or as a plain Maelstrom node.
//!
//! Three ways to run a node, one event loop (`host.rs`) for all: inputs are handled one at
//! a time by what is hosted, control messages (`schism/state`, `schism/clock`,
//! `schism/byzantine`) are answered by the runtime, and every message the node sends, to a
//! peer or to a client, goes out through one outbox (`outbox.rs`) that passes it through
//! the node's Byzantine interceptor (which may drop, delay, duplicate or rewrite it).
//!
//! - [`serve`]: a sans-IO [`Protocol`] over TCP. One port serves peers and clients alike:
//!   each envelope's `src` says who is talking (one of the nodes: a peer; anyone else: a
//!   client). Messages to peers go out through one sender per peer that connects,
//!   reconnects, and drops what it cannot deliver (like a datagram network: protocols must
//!   cope with loss). Replies to a client go back on the connection it wrote from.
//! - [`serve_stdio`]: a protocol as a plain Maelstrom node on stdin/stdout, named by
//!   Maelstrom's `init`.
//! - [`wrap`]: a third-party Maelstrom binary as a child process inside the TCP runtime:
//!   what it prints is routed like a protocol's sends, so network faults and the
//!   interceptor apply to it.
//!
//! A protocol is driven the same way in both of its modes (`driver.rs`): a [`crate::Ctx`]
//! per call with the node's (skewable) clock, timers with generations.

mod control;
mod driver;
mod host;
mod outbox;
mod peers;
mod stdio;
mod tcp;
mod wrap;

pub use stdio::serve_stdio;
pub use wrap::{wrap, WrapError};

use crate::storage::Storage;
use crate::Protocol;
use std::net::SocketAddr;

/// Where everyone is.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    pub me: String,
    /// Every node (this one included) and its address.
    pub nodes: Vec<(String, SocketAddr)>,
    pub listen: SocketAddr,
    pub seed: u64,
}

/// Run a protocol node over TCP until the process ends (or the port cannot be bound).
pub async fn serve(
    cfg: RuntimeConfig,
    proto: Box<dyn Protocol>,
    storage: Box<dyn Storage>,
) -> std::io::Result<()> {
    let names: Vec<String> = cfg.nodes.iter().map(|(n, _)| n.clone()).collect();
    tcp::serve(&cfg, |inbox| {
        driver::Driver::new(&cfg.me, &names, cfg.seed, proto, storage, inbox)
    })
    .await
}

/// Each node its own random sequence from one seed (equal election timeouts would split
/// votes): the seed mixed with the node's name (FNV-1a).
pub fn node_seed(seed: u64, me: &str) -> u64 {
    seed ^ me.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}
