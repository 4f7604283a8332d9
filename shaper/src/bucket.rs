//! The `rate` fault's token bucket: a node may send `bytes_per_s` with bursts of
//! `burst_bytes`; a packet beyond that waits for its tokens (packets leave in the order they
//! came), and one that would wait behind more than `queue_bytes` of backlog is dropped, as a
//! full queue of a slow link drops.

use std::time::{Duration, Instant};

/// A token bucket that owes: tokens may go below zero, the debt being the backlog.
#[derive(Debug, Clone)]
pub struct Bucket {
    bytes_per_s: f64,
    burst: f64,
    queue: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Full at `now`. A rate of 0 is taken as 1 byte per second.
    pub fn new(bytes_per_s: u64, burst_bytes: u64, queue_bytes: u64, now: Instant) -> Bucket {
        Bucket {
            bytes_per_s: bytes_per_s.max(1) as f64,
            burst: burst_bytes as f64,
            queue: queue_bytes as f64,
            tokens: burst_bytes as f64,
            at: now,
        }
    }

    /// When a packet of `len` bytes that arrives at `now` may leave (`now` itself when the
    /// bucket holds its tokens); None when the backlog is full and it must be dropped.
    pub fn admit(&mut self, len: usize, now: Instant) -> Option<Instant> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.at = self.at.max(now);
        self.tokens = (self.tokens + elapsed * self.bytes_per_s).min(self.burst);
        let after = self.tokens - len as f64;
        if after < -self.queue {
            return None;
        }
        self.tokens = after;
        let wait = (-after).max(0.0) / self.bytes_per_s;
        Some(now + Duration::from_secs_f64(wait))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_burst_passes_then_packets_wait_for_their_tokens() {
        let t0 = Instant::now();
        // 100 kB/s, burst 3000 bytes: two 1500-byte packets pass at once, the third waits
        // 15 ms, the fourth 30 ms.
        let mut b = Bucket::new(100_000, 3000, 1_000_000, t0);
        assert_eq!(b.admit(1500, t0), Some(t0));
        assert_eq!(b.admit(1500, t0), Some(t0));
        let third = b.admit(1500, t0).unwrap() - t0;
        let fourth = b.admit(1500, t0).unwrap() - t0;
        assert!((third.as_secs_f64() - 0.015).abs() < 1e-6, "{third:?}");
        assert!((fourth.as_secs_f64() - 0.030).abs() < 1e-6, "{fourth:?}");
    }

    #[test]
    fn tokens_come_back_with_time_up_to_the_burst() {
        let t0 = Instant::now();
        let mut b = Bucket::new(1000, 1000, 10_000, t0);
        assert_eq!(b.admit(1000, t0), Some(t0));
        // Half a second later: 500 tokens, so 500 bytes pass and 1000 would wait 0.5 s.
        let t1 = t0 + 500 * MS;
        assert_eq!(b.admit(500, t1), Some(t1));
        let wait = b.admit(1000, t1).unwrap() - t1;
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "{wait:?}");
        // A long idle time refills only up to the burst.
        let t2 = t1 + 100_000 * MS;
        assert_eq!(b.admit(1000, t2), Some(t2));
        assert!(b.admit(1, t2).unwrap() > t2);
    }

    #[test]
    fn a_full_backlog_drops_and_is_not_charged() {
        let t0 = Instant::now();
        let mut b = Bucket::new(1000, 0, 2000, t0);
        assert!(b.admit(1500, t0).is_some());
        assert_eq!(b.admit(1500, t0), None);
        // The drop cost nothing: 500 more bytes still fit.
        assert!(b.admit(500, t0).is_some());
        assert_eq!(b.admit(1, t0), None);
    }
}
