//! # nemesis: faults, as data, applied and healed
//!
//! The nemesis is what makes a test worth running: it cuts the network into pieces, kills
//! and freezes nodes, and drops packets, on a seeded schedule, while the clients work. Each
//! fault is data ([`Fault`]): what kind, which nodes, exactly which packets are dropped.
//! Applying one records it in the history as nemesis ops with precisely what was done, so
//! a checker and a person can line up anomalies with faults. Whatever happens (an error, a
//! stop, Ctrl-C), [`Nemesis::heal_all`] brings every node back.
//!
//! Byzantine faults and clock skew are applied through the node runtime of schism: a
//! `schism/byzantine` control message gives a traitor's interceptor the rules of a
//! [`ByzMode`] (the traitors are chosen once per run, at most `traitors` of them), a
//! `schism/clock` message moves the clock a protocol sees. Both are undone at heal, and
//! the traitors' reports of what they did are recorded.
//!
//! Network faults are iptables rules in a private chain (`schism`) of each node's network
//! namespace, jumped to from INPUT: a partition drops packets *from* the peers a node holds
//! a grudge against; packet loss is a `statistic` rule. Clients (the host) are never cut
//! off by a partition.
//!
//! ```
//! use nemesis::grudge::{grudge, Shape};
//! use history::rng::Rng;
//! let nodes: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
//! let g = grudge(Shape::IsolateOne, &nodes, &mut Rng::new(1), None);
//! let isolated: Vec<_> = g.iter().filter(|(_, v)| v.len() == 4).collect();
//! assert_eq!(isolated.len(), 1);
//! ```

pub mod apply;
pub mod byzantine;
mod fault;
pub mod grudge;
pub mod runtime;
mod schedule;

pub use byzantine::ByzMode;
pub use fault::{Fault, FaultKind, NemesisError};
pub use schedule::{Leader, Nemesis, NemesisOptions};
