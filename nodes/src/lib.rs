//! # nodes: reference systems under test
//!
//! schism needs systems of its own to test out of the box, with known bugs to prove it
//! catches them. Each protocol here is a sans-IO state machine: messages and timers in,
//! messages, replies and timers out, no sockets and no clock of its own. The same code runs
//! in [`sim`], a seeded in-memory network with loss, partitions, crashes and restarts, and
//! in containers under the node runtime.
//!
//! ```
//! use nodes::sim::{Sim, SimOptions};
//! use nodes::raft::Raft;
//! let mut sim = Sim::new(SimOptions { nodes: 3, seed: 1, ..SimOptions::default() }, |_| Box::new(Raft::default()));
//! sim.run_for_ms(2_000);
//! assert!(sim.leaders().len() <= 1);
//! ```

pub mod choose;
#[cfg(feature = "cli")]
pub mod cli;
pub mod eig;
pub mod eig_tree;
pub mod facts;
pub mod kv;
pub mod logs;
pub mod om;
pub mod paxos;
pub mod raft;
pub mod sim;
pub mod txn;
pub mod waiting;

pub use wire::storage;
pub use wire::{Ctx, Effect, Protocol};
