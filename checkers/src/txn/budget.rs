//! The time limit of a check: every loop of the checker ticks a [`Clock`], which looks at
//! the time every few thousand ticks and, once the limit is past, makes every later tick
//! fail with [`TimeUp`]. The check then stops and answers unknown (unless it already found
//! something that rules the model out).

use std::time::{Duration, Instant};

/// The time limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeUp;

/// Ticks between two looks at the time (a power of two).
const EVERY: u32 = 4096;

#[derive(Debug)]
pub struct Clock {
    deadline: Option<Instant>,
    limit: Option<Duration>,
    ticks: u32,
    up: bool,
}

impl Clock {
    pub fn new(limit: Option<Duration>) -> Clock {
        Clock {
            deadline: limit.and_then(|l| Instant::now().checked_add(l)),
            limit,
            ticks: 0,
            up: false,
        }
    }

    /// One unit of work done; `Err` once the time is up.
    #[inline]
    pub fn tick(&mut self) -> Result<(), TimeUp> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & (EVERY - 1) == 0 {
            self.look();
        }
        if self.up {
            Err(TimeUp)
        } else {
            Ok(())
        }
    }

    /// Look at the time now.
    pub fn look(&mut self) {
        if let Some(d) = self.deadline {
            self.up |= Instant::now() >= d;
        }
    }

    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_never_runs_out_and_a_zero_limit_does() {
        let mut c = Clock::new(None);
        assert!((0..3 * EVERY).all(|_| c.tick().is_ok()));
        let mut c = Clock::new(Some(Duration::ZERO));
        let first_err = (0..2 * EVERY).position(|_| c.tick().is_err());
        assert_eq!(first_err, Some(EVERY as usize - 1));
        assert!(c.up);
        assert_eq!(c.limit(), Some(Duration::ZERO));
    }
}
