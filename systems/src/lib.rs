//! # systems: what a system under test is, and how a client speaks to it
//!
//! A run names a system (`--system raft`, `etcd`, `./my-system.yaml`, ...); [`resolve`]
//! turns the name into a [`System`]: something that checks what it needs on this machine
//! (`preflight`), brings a cluster up (`start`, on the Docker engine or, for `memory`, in
//! process), makes one client per worker (`client_in`), and tells the nemesis what it may
//! ask of it (the node runtime's port, the fields a lying node changes, who leads). It is
//! told of the run only what it needs, a [`Setup`], and fails with an [`Error`] that says
//! whose fault it was (a spec's, this machine's, the cluster's), so the harness can turn
//! it into an exit code.
//!
//! - The built-in systems: schism's own nodes ([`mod@reference`]: `raft`, `paxos`, `om`,
//!   `eig`, with what each serves and where it lies read from `nodes::facts`), the
//!   in-process register ([`memory`]), and the systems described in YAML ([`spec_file`]:
//!   `etcd` is `systems/etcd.yaml`, compiled in; `maelstrom` is a spec made from a node
//!   program; any other is a file), with the reader of a user's YAML ([`yaml`], [`locate`]).
//! - The protocol-aware [`traitors`] of `om` and `eig`.
//! - The client protocols ([`client`]): Maelstrom's, etcd's gateway, a REST mapping
//!   (`http-kv`) and a user's command (`exec`), each with the clients of the workloads it
//!   drives. The workloads themselves (generators, checkers, the `Client` contract) are
//!   the `workloads` crate's.
//!
//! ```
//! use systems::{resolve, Error, Setup};
//! let system = resolve(&Setup::new("memory", 3)).unwrap();
//! assert_eq!(system.name(), "memory");
//! assert!(!system.uses_docker());
//! assert!(matches!(resolve(&Setup::new("zab", 3)), Err(Error::Spec(_))));
//! ```

pub mod client;
pub mod control;
mod error;
pub mod etcd_leader;
pub mod listing;
pub mod locate;
pub mod memory;
pub mod query;
pub mod reference;
mod resolve;
pub mod runtime;
mod setup;
pub mod spec_file;
pub mod state_leader;
mod system;
pub mod traitors;
pub mod yaml;

pub use error::Error;
pub use resolve::{names, resolve};
pub use setup::{Etcd, Setup};
pub use system::{System, DEFAULT_FAULTS};
