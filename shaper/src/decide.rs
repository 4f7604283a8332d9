//! The seeded decision for each packet, in the order packets arrive: when it leaves,
//! whether it is copied, damaged or dropped. No I/O: the same seed and the same packet
//! sizes give the same decisions.

use crate::bucket::Bucket;
use crate::plan::Plan;
use history::rng::Rng;
use std::time::{Duration, Instant};

/// What to do with one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// When to let it go (`now` for at once).
    pub release_at: Instant,
    /// Send a copy of it too.
    pub duplicate: bool,
    /// Damage it: which bit (modulo the payload's bits) to flip.
    pub corrupt: Option<u64>,
    /// Drop it (a full `rate` backlog).
    pub drop: bool,
}

/// Decides, packet after packet, by one plan and one seed.
#[derive(Debug, Clone)]
pub struct Decider {
    plan: Plan,
    rng: Rng,
    bucket: Option<Bucket>,
}

impl Decider {
    pub fn new(plan: Plan, seed: u64, now: Instant) -> Decider {
        let bucket = match plan {
            Plan::Rate {
                bytes_per_s,
                burst_bytes,
                queue_bytes,
            } => Some(Bucket::new(bytes_per_s, burst_bytes, queue_bytes, now)),
            _ => None,
        };
        Decider {
            plan,
            rng: Rng::new(seed),
            bucket,
        }
    }

    /// The decision for a packet of `len` bytes that arrived at `now`.
    pub fn decide(&mut self, len: usize, now: Instant) -> Decision {
        let mut d = Decision {
            release_at: now,
            duplicate: false,
            corrupt: None,
            drop: false,
        };
        match self.plan {
            Plan::Delay {
                delay_ms,
                jitter_ms,
            } => {
                let lo = delay_ms.saturating_sub(jitter_ms) * 1000;
                let hi = (delay_ms + jitter_ms) * 1000;
                d.release_at = now + Duration::from_micros(self.rng.between(lo, hi));
            }
            Plan::Duplicate { probability } => d.duplicate = self.rng.chance(probability),
            Plan::Reorder {
                probability,
                hold_ms,
            } => {
                if self.rng.chance(probability) {
                    d.release_at = now + Duration::from_millis(hold_ms);
                }
            }
            Plan::Corrupt { probability } => {
                if self.rng.chance(probability) {
                    d.corrupt = Some(self.rng.next_u64());
                }
            }
            Plan::Rate { .. } => match self.bucket.as_mut().and_then(|b| b.admit(len, now)) {
                Some(at) => d.release_at = at,
                None => d.drop = true,
            },
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(plan: Plan, seed: u64, n: usize) -> Vec<Decision> {
        let t0 = Instant::now();
        let mut d = Decider::new(plan, seed, t0);
        (0..n).map(|_| d.decide(1000, t0)).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_decisions_and_another_seed_others() {
        let plans = [
            Plan::Delay {
                delay_ms: 100,
                jitter_ms: 20,
            },
            Plan::Duplicate { probability: 0.3 },
            Plan::Reorder {
                probability: 0.3,
                hold_ms: 10,
            },
            Plan::Corrupt { probability: 0.3 },
        ];
        for plan in plans {
            let t0 = Instant::now();
            let (mut a, mut b, mut c) = (
                Decider::new(plan.clone(), 7, t0),
                Decider::new(plan.clone(), 7, t0),
                Decider::new(plan.clone(), 8, t0),
            );
            let (mut same, mut differ) = (true, false);
            for _ in 0..200 {
                let (x, y, z) = (a.decide(100, t0), b.decide(100, t0), c.decide(100, t0));
                same &= x == y;
                differ |= x != z;
            }
            assert!(same && differ, "{plan:?}");
        }
    }

    #[test]
    fn delays_stay_within_the_jitter_and_cover_it() {
        let t0 = Instant::now();
        let mut d = Decider::new(
            Plan::Delay {
                delay_ms: 100,
                jitter_ms: 20,
            },
            1,
            t0,
        );
        let waits: Vec<u128> = (0..2000)
            .map(|_| (d.decide(100, t0).release_at - t0).as_millis())
            .collect();
        assert!(waits.iter().all(|w| (80..=120).contains(w)));
        assert!(waits.contains(&80) && waits.contains(&119));
        let mut exact = Decider::new(
            Plan::Delay {
                delay_ms: 200,
                jitter_ms: 0,
            },
            3,
            t0,
        );
        assert!((0..10).all(|_| exact.decide(1, t0).release_at - t0 == Duration::from_millis(200)));
    }

    #[test]
    fn probabilities_are_kept_roughly() {
        let n = 10_000;
        let dup = run(Plan::Duplicate { probability: 0.25 }, 5, n);
        let copies = dup.iter().filter(|x| x.duplicate).count();
        assert!((2200..2800).contains(&copies), "{copies}");
        let bad = run(Plan::Corrupt { probability: 0.1 }, 5, n);
        let damaged = bad.iter().filter(|x| x.corrupt.is_some()).count();
        assert!((800..1200).contains(&damaged), "{damaged}");
        assert!(run(Plan::Corrupt { probability: 0.0 }, 5, n)
            .iter()
            .all(|x| x.corrupt.is_none()));
        assert!(run(Plan::Duplicate { probability: 1.0 }, 5, 100)
            .iter()
            .all(|x| x.duplicate));
    }

    #[test]
    fn reorder_holds_back_some_packets_by_the_hold() {
        let t0 = Instant::now();
        let mut d = Decider::new(
            Plan::Reorder {
                probability: 0.5,
                hold_ms: 10,
            },
            9,
            t0,
        );
        let waits: Vec<Duration> = (0..100).map(|_| d.decide(10, t0).release_at - t0).collect();
        let held = waits
            .iter()
            .filter(|w| **w == Duration::from_millis(10))
            .count();
        let passed = waits.iter().filter(|w| w.is_zero()).count();
        assert_eq!(held + passed, 100);
        assert!(held > 20 && passed > 20, "{held} {passed}");
    }

    #[test]
    fn rate_spaces_packets_out_and_drops_past_the_backlog() {
        let plan = Plan::Rate {
            bytes_per_s: 10_000,
            burst_bytes: 0,
            queue_bytes: 3000,
        };
        let t0 = Instant::now();
        let mut d = Decider::new(plan, 1, t0);
        let a = d.decide(1000, t0);
        let b = d.decide(1000, t0);
        assert_eq!(b.release_at - a.release_at, Duration::from_millis(100));
        d.decide(1000, t0);
        assert!(d.decide(1000, t0).drop);
    }
}
