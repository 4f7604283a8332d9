//! When faults start and stop: a generator of steps, like the clients' generators of ops.
//!
//! [`Cycle`] is one fault at a time (healthy `interval`, a fault of the next kind in turn
//! held for `duration`, then healed); [`Overlap`] gives each kind its own lane with the
//! same rhythm, each lane starting a share of `duration` after the one before, so faults of different kinds overlap (a kill
//! during a partition, a pause while packets are lost); [`crate::fixed::Fixed`] applies
//! given faults at given times (a replay).
//!
//! ```
//! use nemesis::schedule::{Action, Cycle, Overlap, Schedule};
//! use std::time::Duration;
//! let s = Duration::from_secs;
//! let mut c = Cycle::new(vec!["kill".into(), "pause".into()], s(5), s(5));
//! let steps: Vec<_> = (0..4).map(|_| c.next().unwrap()).collect();
//! assert_eq!(steps[0].action, Action::Start("kill".into()));
//! assert_eq!((steps[1].at, &steps[1].action), (s(10), &Action::HealPassing));
//! assert_eq!((steps[2].at, &steps[2].action), (s(15), &Action::Start("pause".into())));
//! let mut o = Overlap::new(vec!["kill".into(), "partition".into()], s(5), s(5));
//! let steps: Vec<_> = (0..3).map(|_| o.next().unwrap()).collect();
//! assert_eq!(steps[0].action, Action::Start("kill".into()));
//! assert_eq!(steps[1].action, Action::Start("partition".into()));
//! assert!(steps[1].at < steps[2].at && steps[2].action == Action::Stop("kill".into()));
//! ```

use std::time::Duration;

/// What the nemesis does at a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start a fault of this kind.
    Start(String),
    /// Heal the active faults of this kind (standing ones stay).
    Stop(String),
    /// Heal every active fault that is not standing.
    HealPassing,
    /// Apply this fault as it is (entry `id` of a [`crate::fixed::Fixed`] schedule).
    Apply { id: usize, fault: history::Value },
    /// Heal the fault applied as entry `id`.
    Heal(usize),
}

/// A step: what, and when (from the start of the schedule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub at: Duration,
    pub action: Action,
}

/// A source of steps, in time order; None when there are no more.
pub trait Schedule: Send {
    fn next(&mut self) -> Option<Step>;
    /// Whether its times count from the start of the history and are kept however long
    /// changes take (a replay); otherwise they count from the nemesis's start and each
    /// change pushes the rest back by the time it took (a rhythm).
    fn counts_from_history_start(&self) -> bool {
        false
    }
}

/// One fault at a time, kinds in turn.
pub struct Cycle {
    kinds: Vec<String>,
    interval: Duration,
    duration: Duration,
    at: Duration,
    turn: usize,
    holding: bool,
}

impl Cycle {
    pub fn new(kinds: Vec<String>, interval: Duration, duration: Duration) -> Cycle {
        Cycle {
            kinds,
            interval,
            duration,
            at: Duration::ZERO,
            turn: 0,
            holding: false,
        }
    }
}

impl Schedule for Cycle {
    fn next(&mut self) -> Option<Step> {
        if self.kinds.is_empty() {
            return None;
        }
        let action = if self.holding {
            self.at += self.duration;
            Action::HealPassing
        } else {
            self.at += self.interval;
            self.turn += 1;
            Action::Start(self.kinds[(self.turn - 1) % self.kinds.len()].clone())
        };
        self.holding = !self.holding;
        Some(Step {
            at: self.at,
            action,
        })
    }
}

/// Every kind on its own lane, lanes staggered by shares of a fault's duration, so each
/// fault starts while the one before it is held.
pub struct Overlap {
    /// Per lane: its kind, the time of its next step, and whether that step is a stop.
    lanes: Vec<(String, Duration, bool)>,
    interval: Duration,
    duration: Duration,
}

impl Overlap {
    pub fn new(kinds: Vec<String>, interval: Duration, duration: Duration) -> Overlap {
        let n = kinds.len().max(1) as u32;
        let lanes = kinds
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, interval + duration * i as u32 / n, false))
            .collect();
        Overlap {
            lanes,
            interval,
            duration,
        }
    }
}

impl Schedule for Overlap {
    fn next(&mut self) -> Option<Step> {
        let lane = self
            .lanes
            .iter_mut()
            .enumerate()
            .min_by_key(|(i, (_, at, _))| (*at, *i))
            .map(|(_, l)| l)?;
        let (kind, at, stop) = lane;
        let step = Step {
            at: *at,
            action: if *stop {
                Action::Stop(kind.clone())
            } else {
                Action::Start(kind.clone())
            },
        };
        *at += if *stop { self.interval } else { self.duration };
        *stop = !*stop;
        Some(step)
    }
}
