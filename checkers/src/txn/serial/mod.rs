//! # A serial order, found or ruled out
//!
//! The dependency graph can be acyclic while no serial order explains the reads: rw-register
//! version orders are inferred only where the history forces them. So a verdict of
//! serializable (or strict serializable) rests on a *witness*: an order of the committed
//! transactions that, run one after another from the empty database, gives every `ok` read
//! exactly what it returned (and, for strict serializability, respects real time).
//!
//! The committed transactions are the `ok` ones and the `info` ones some read observed
//! (those have an outgoing `ww` or `wr` edge). An `info` transaction no read observed can be
//! left out: it is never the last write to a key before a read, so removing it from an
//! order changes no read.
//!
//! For list-append, whose reads fix every key's order, a plain topological order of the
//! graph is tried first (module `topo`): it is a witness unless the graph missed something.
//! Otherwise, and for registers, the search (module `search`) builds orders one transaction
//! at a time, in a topological order of the edges every serial order must respect (module
//! `problem`: the graph's data edges; process and real-time edges for strict
//! serializability; for registers, the orders real time forces together with the reads, and
//! those the reads force with the data edges alone, module `realtime`). What keeps it small:
//!
//! - a transaction goes next only if its reads are what the database holds then (module
//!   `state`);
//! - no transaction overwrites a version another one not yet placed still has to read
//!   (values are unique, so that version would never come back);
//! - a read-only transaction that can go next goes next, with no alternative tried (placing
//!   it earlier changes nothing for the others);
//! - among writers, the most urgent goes first: the earliest completion among itself and
//!   every transaction that must follow it;
//! - a state (the set of transactions placed, and the database) found to lead nowhere is
//!   remembered by its hash and not explored again.
//!
//! On a valid history the first attempt almost always succeeds, in about linear time. The
//! search is exhaustive otherwise, within a budget of steps (each a transaction tried next):
//! it finds an order, proves there is none, or gives up. [`find`] says which problems are
//! tried, in which order.

mod edges;
mod frontier;
mod problem;
mod realtime;
mod search;
mod state;
mod topo;

pub use problem::Problem;
pub use search::{Blocked, Outcome, Stuck};

use super::budget::{Clock, TimeUp};
use super::graph::DepGraph;
use super::txns::{Datatype, Txns};
use super::writes::Writers;

/// The steps a search may take (each a transaction tried next).
pub const BUDGET: u64 = 10_000_000;

/// Rounds of deriving orders from real time and reads (module `realtime`), at most.
const ROUNDS: usize = 2;

/// Attempts at an order that respects real time but for a few floating transactions,
/// before real time is only preferred (see [`find`]).
const ATTEMPTS: usize = 32;

/// Look for a serial order of the committed transactions of `txns` under the edges of `g`
/// (`writers`: who wrote each (key, value)) that also respects real time if `strict`,
/// within `budget` steps.
///
/// Strict: every edge is required, with the orders real time forces with the reads
/// (registers; module `realtime`). If they form a cycle, there is no order.
///
/// Not strict, registers: an order that respects real time but for a few *floating*
/// transactions (module `frontier`) is looked for first: those on a cycle of the required
/// edges (a stale read makes one), then also those the search got stuck on, a few times
/// (within a quarter of the budget). Most histories of real databases are found there at
/// once. Failing that, and for lists (whose reads fix every key's order), the search
/// proper: data edges required, real time preferred.
#[allow(clippy::too_many_arguments)]
pub fn find(
    txns: &Txns,
    dt: Datatype,
    g: &DepGraph,
    writers: &Writers,
    strict: bool,
    budget: u64,
    clock: &mut Clock,
) -> Result<Outcome, TimeUp> {
    if strict {
        return Problem::new(txns, dt, g, writers, Some(&[]), clock)?.solve(budget, clock);
    }
    let mut spent = 0;
    if dt == Datatype::RwRegister {
        let mut floating = vec![false; txns.len()];
        for _ in 0..ATTEMPTS {
            let mut p = Problem::new(txns, dt, g, writers, Some(&floating), clock)?;
            p.facts = true;
            // Building a problem costs about a step per transaction.
            spent += p.members as u64;
            let more = match p.culprits(clock)? {
                Some(culprits) => culprits,
                None => {
                    let steps = (budget / 4)
                        .saturating_sub(spent)
                        .min(2 * p.members as u64 + 100_000);
                    let (steps, stuck) = match p.solve(steps, clock)? {
                        Outcome::Found { steps } => {
                            return Ok(Outcome::Found {
                                steps: steps + spent,
                            })
                        }
                        Outcome::Impossible { steps, stuck } | Outcome::GaveUp { steps, stuck } => {
                            (steps, stuck)
                        }
                    };
                    spent += steps + p.members as u64;
                    // Those it got stuck on, and what put them late.
                    let mut more = stuck.involved();
                    more.extend(p.rests_into(&more));
                    more
                }
            };
            let before = floating.iter().filter(|f| **f).count();
            for t in more {
                floating[t as usize] = true;
            }
            if floating.iter().filter(|f| **f).count() == before || spent >= budget / 4 {
                break;
            }
        }
    }
    let mut p = Problem::new(txns, dt, g, writers, None, clock)?;
    p.facts = true;
    Ok(match p.solve(budget.saturating_sub(spent), clock)? {
        Outcome::Found { steps } => Outcome::Found {
            steps: steps + spent,
        },
        Outcome::Impossible { steps, stuck } => Outcome::Impossible {
            steps: steps + spent,
            stuck,
        },
        Outcome::GaveUp { steps, stuck } => Outcome::GaveUp {
            steps: steps + spent,
            stuck,
        },
    })
}
