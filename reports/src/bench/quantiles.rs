//! Latency quantiles of one set of ops (p50, p90, p99, p999 and the max, in milliseconds),
//! by the nearest-rank method: the q-quantile of n sorted values is the ⌈q·n⌉-th of them,
//! always a latency that was measured, never an interpolation.

use serde::{Deserialize, Serialize};

/// The quantiles of a set of latencies, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// The names of the quantiles, in the order of [`Quantiles::values`].
pub const NAMES: [&str; 5] = ["p50", "p90", "p99", "p999", "max"];

/// The ⌈q·n⌉-th smallest of `sorted` (the first for q = 0); `sorted` must not be empty.
pub fn nearest_rank(sorted: &[u64], q: f64) -> u64 {
    let n = sorted.len();
    let rank = (q * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

impl Quantiles {
    /// The quantiles of these latencies (nanoseconds, in any order); None when there are
    /// none.
    pub fn of_ns(latencies: &mut [u64]) -> Option<Quantiles> {
        if latencies.is_empty() {
            return None;
        }
        latencies.sort_unstable();
        let ms = |q: f64| nearest_rank(latencies, q) as f64 / 1e6;
        Some(Quantiles {
            p50: ms(0.5),
            p90: ms(0.9),
            p99: ms(0.99),
            p999: ms(0.999),
            max: ms(1.0),
        })
    }

    /// The values in the order of [`NAMES`].
    pub fn values(&self) -> [f64; 5] {
        [self.p50, self.p90, self.p99, self.p999, self.max]
    }

    /// The quantiles from values in the order of [`NAMES`].
    pub fn from_values(v: [f64; 5]) -> Quantiles {
        Quantiles {
            p50: v[0],
            p90: v[1],
            p99: v[2],
            p999: v[3],
            max: v[4],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_a_measured_value() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 0.5), 50);
        assert_eq!(nearest_rank(&v, 0.9), 90);
        assert_eq!(nearest_rank(&v, 0.99), 99);
        assert_eq!(nearest_rank(&v, 0.999), 100);
        assert_eq!(nearest_rank(&v, 1.0), 100);
        assert_eq!(nearest_rank(&v, 0.0), 1);
        assert_eq!(nearest_rank(&[7], 0.5), 7);
        // 0.51 of 3 values is the 2nd, not an interpolation.
        assert_eq!(nearest_rank(&[10, 20, 30], 0.51), 20);
    }

    #[test]
    fn quantiles_are_in_milliseconds_and_need_values() {
        // 1..=1000 ms in a shuffled order.
        let mut ns: Vec<u64> = (1..=1000u64).rev().map(|ms| ms * 1_000_000).collect();
        ns.swap(3, 700);
        let q = Quantiles::of_ns(&mut ns).unwrap();
        assert_eq!(q.values(), [500.0, 900.0, 990.0, 999.0, 1000.0]);
        assert_eq!(Quantiles::from_values(q.values()), q);
        assert_eq!(Quantiles::of_ns(&mut []), None);
        let one = Quantiles::of_ns(&mut [1_500_000]).unwrap();
        assert_eq!(one.values(), [1.5; 5]);
    }
}
