//! Time bins for the charts that count: a round bin width (10 ms, 20 ms, 50 ms, 0.1 s,
//! ...) giving at most [`MAX_BINS`] bins over the run.

/// Bins in a chart, at most.
pub const MAX_BINS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bins {
    pub width_ns: u64,
    pub n: usize,
}

impl Bins {
    pub fn over(end_ns: u64) -> Bins {
        let end = end_ns.max(1);
        let mut width = 1_000_000u64; // 1 ms
        let mut k = 0;
        while end.div_ceil(width) as usize > MAX_BINS {
            width = match k % 3 {
                0 => width * 2,
                1 => width / 2 * 5,
                _ => width * 2,
            };
            k += 1;
        }
        Bins {
            width_ns: width,
            n: end.div_ceil(width).max(1) as usize,
        }
    }

    pub fn of(&self, t_ns: u64) -> usize {
        ((t_ns / self.width_ns) as usize).min(self.n - 1)
    }

    pub fn width_s(&self) -> f64 {
        self.width_ns as f64 / 1e9
    }

    pub fn start_s(&self, i: usize) -> f64 {
        i as f64 * self.width_s()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_round_and_bins_few() {
        assert_eq!(Bins::over(10_000_000_000).width_ns, 100_000_000);
        assert_eq!(Bins::over(10_000_000_000).n, 100);
        assert_eq!(Bins::over(12_000_000_000).width_ns, 200_000_000);
        assert_eq!(Bins::over(1).n, 1);
        let b = Bins::over(30_000_000_000);
        assert_eq!((b.width_ns, b.n), (500_000_000, 60));
        assert_eq!(b.of(29_999_999_999), 59);
        assert_eq!(b.of(u64::MAX), 59);
    }
}
