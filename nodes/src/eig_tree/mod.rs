//! Exponential information gathering: the machinery shared by the oral-messages algorithm
//! OM(m) ([`crate::om`]) and interactive consistency ([`crate::eig`], OM(m) once per
//! component).
//!
//! A value travels along a *path*: the commander first, then each node that relayed it.
//! Every node keeps, per commander, a [`Tree`] of the values it received by path, relays
//! what it receives for m rounds, and after m + 1 rounds resolves the tree bottom-up by
//! majority. [`Gather`] runs the instances (clocks, relays, acknowledgements, durable
//! decisions); [`Conduct`] is what a traitor does to the values it sends.

mod conduct;
mod decisions;
mod gather;
mod outbox;
mod tree;

pub use conduct::{corrupt, other, Conduct};
pub use decisions::Decisions;
pub use gather::{instance_key, Gather, Run};
pub use outbox::Outbox;
pub use tree::{admissible, majority, path_of, Path, Tree};
