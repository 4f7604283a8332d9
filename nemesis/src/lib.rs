//! # nemesis: faults, as data, applied and healed
//!
//! The nemesis is what makes a test worth running: it cuts the network into pieces, kills
//! and freezes nodes, drops packets and makes nodes lie, on a seeded schedule, while the
//! clients work. Each kind of fault is one file in [`faults`] implementing [`Nemesis`]
//! (choose a fault as data, invoke it, heal it) and one line in [`registry`]. A run's
//! [`Runner`] composes the kinds it was given, drives them with a [`schedule`] (one at a
//! time, or overlapping, or exactly the faults of a [`fixed`] schedule), aims node faults
//! at a [`target`] (some, one, minority, majority, minority-third, all, the leader, or
//! named nodes), records every step in the history as
//! typed fault records ([`history::fault`]) with exactly what was done, and whatever
//! happens (an error, a stop, Ctrl-C) heals everything with [`Runner::heal_all`].
//!
//! Network faults are iptables rules in a private chain (`schism`) of each node's network
//! namespace, jumped to from INPUT ([`net`]); each fault deletes exactly the rules it
//! added, so network faults overlap. Clients (the host) are never cut off. Byzantine
//! faults and clock skew are asked of the node runtime of schism through the system's
//! control channel ([`cluster::Control`]); the nemesis speaks no node protocol itself.
//!
//! ```
//! use nemesis::grudge::{grudge, Shape};
//! use history::rng::Rng;
//! let nodes: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
//! let g = grudge(Shape::IsolateOne, &nodes, &mut Rng::new(1), None);
//! let isolated: Vec<_> = g.iter().filter(|(_, v)| v.len() == 4).collect();
//! assert_eq!(isolated.len(), 1);
//! ```

pub mod byzantine;
mod clients;
pub mod damage;
pub mod env;
mod error;
mod facts;
pub mod faults;
pub mod fixed;
pub mod glob;
pub mod grudge;
pub mod kind;
mod named;
pub mod net;
mod options;
pub mod registry;
mod runner;
pub mod schedule;
pub mod target;

pub use byzantine::ByzMode;
pub use clients::Clients;
pub use env::{Env, Leader};
pub use error::NemesisError;
pub use facts::{ClockReach, SystemFacts, FAKETIME_FALLBACK};
pub use faults::faketime_line;
pub use kind::Nemesis;
pub use options::NemesisOptions;
pub use runner::Runner;
pub use target::Target;
