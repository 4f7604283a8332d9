//! # shaper: delay, duplicate, reorder, damage and slow down a node's packets, in userspace
//!
//! Jepsen delays, duplicates and reorders packets with tc netem. A kernel without netem
//! (this machine kind's) still has NFQUEUE: an iptables rule in a node's network namespace
//! hands each matching packet to a program, which gives every packet a verdict (accept,
//! drop, accept with new bytes) when it likes and in any order. This crate is that
//! program: one [`Shaper`] per shaped node, a thread of the schism process that enters the
//! node's namespace ([`netns`]), binds an NFQUEUE there ([`nfqueue`]), and follows one
//! [`Plan`] by a seed ([`decide`]): holds packets ([`held`]) for a delay or to let later
//! ones overtake, sends copies through a raw socket ([`raw`]), flips a payload bit and
//! fixes the checksum so the damage arrives ([`checksum`]), or meters bytes through a token
//! bucket ([`bucket`]). Stopping it lets every held packet go and returns its [`Counts`].
//!
//! The caller adds and removes the iptables rule (the `nemesis` crate's packet faults):
//! `-j NFQUEUE --queue-num N --queue-bypass`, skipping packets that carry the copies' mark.
//!
//! ```
//! use shaper::{decide::Decider, Plan};
//! use std::time::{Duration, Instant};
//! let t0 = Instant::now();
//! let mut d = Decider::new(Plan::Delay { delay_ms: 200, jitter_ms: 0 }, 42, t0);
//! assert_eq!(d.decide(1500, t0).release_at - t0, Duration::from_millis(200));
//! ```

pub mod bucket;
pub mod checksum;
mod counts;
pub mod decide;
mod error;
pub mod held;
pub mod netns;
pub mod nfqueue;
mod plan;
pub mod raw;
mod worker;

pub use counts::Counts;
pub use error::ShaperError;
pub use plan::Plan;
pub use worker::{Config, Shaper};
