//! An axis's scale: the values it shows (from `lo` to `hi`, linear or logarithmic), its
//! ticks, and where a value falls along it. A scale is given (`linear`, `decades`) or fit
//! to the values a chart draws ([`Fit`]).

use super::ticks::{nice_step, nice_ticks};

/// Fitted logarithmic scales show values down to this.
const LOG_FLOOR: f64 = 1e-4;

/// How a scale fits the values it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fit {
    /// From 0 to the largest value rounded up to a round step (about five ticks).
    Linear,
    /// Logarithmic, base 2, a tick at each value (for values that double, such as
    /// concurrency levels), with a quarter octave's margin either side.
    Log2,
    /// Logarithmic, whole decades, a tick at each.
    Log10,
}

/// The values an axis shows, and its ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub ticks: Vec<f64>,
}

impl Scale {
    /// Linear from 0 to `max`, with about six round ticks.
    pub fn linear(max: f64) -> Scale {
        Scale {
            lo: 0.0,
            hi: max,
            log: false,
            ticks: nice_ticks(max),
        }
    }

    /// Logarithmic from 10^`lo` to 10^`hi` (at least one decade), a tick at each decade.
    pub fn decades(lo: i32, hi: i32) -> Scale {
        let hi = hi.max(lo + 1);
        Scale {
            lo: 10f64.powi(lo),
            hi: 10f64.powi(hi),
            log: true,
            ticks: (lo..=hi).map(|d| 10f64.powi(d)).collect(),
        }
    }

    /// A scale that shows every one of `values`.
    pub fn fit(values: &[f64], fit: Fit) -> Scale {
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        match fit {
            Fit::Linear => {
                let hi = if hi.is_finite() && hi > 0.0 { hi } else { 1.0 };
                let step = nice_step(hi / 5.0);
                let steps = (hi / step).ceil();
                Scale {
                    lo: 0.0,
                    hi: steps * step,
                    log: false,
                    ticks: (0..=steps as usize).map(|i| i as f64 * step).collect(),
                }
            }
            Fit::Log2 => {
                let mut ticks: Vec<f64> = values.iter().copied().filter(|v| *v > 0.0).collect();
                ticks.sort_by(f64::total_cmp);
                ticks.dedup();
                let (lo, hi) = match (ticks.first(), ticks.last()) {
                    (Some(a), Some(b)) if a < b => (*a, *b),
                    (Some(a), _) => (a / 2.0, a * 2.0),
                    _ => (1.0, 2.0),
                };
                let margin = 2f64.powf(0.25);
                Scale {
                    lo: lo / margin,
                    hi: hi * margin,
                    log: true,
                    ticks,
                }
            }
            Fit::Log10 => {
                let lo = if lo.is_finite() {
                    lo.max(LOG_FLOOR)
                } else {
                    1.0
                };
                let hi = if hi.is_finite() { hi.max(lo) } else { 10.0 };
                Scale::decades(lo.log10().floor() as i32, hi.log10().ceil() as i32)
            }
        }
    }

    /// Where `v` falls from `lo` (0) to `hi` (1); values outside fall on the nearer end.
    pub fn fraction(&self, v: f64) -> f64 {
        let f = if self.log {
            (v.max(f64::MIN_POSITIVE).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        if f.is_nan() {
            0.0
        } else {
            f.clamp(0.0, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_ranges_and_ticks() {
        let s = Scale::fit(&[0.0, 730.0], Fit::Linear);
        assert_eq!((s.lo, s.hi), (0.0, 800.0));
        assert_eq!(s.ticks, vec![0.0, 200.0, 400.0, 600.0, 800.0]);
        let s = Scale::fit(&[1.0, 2.0, 8.0, 4.0, 2.0], Fit::Log2);
        assert_eq!(s.ticks, vec![1.0, 2.0, 4.0, 8.0]);
        let s = Scale::fit(&[0.004, 0.3], Fit::Log10);
        assert!((s.lo - 0.001).abs() < 1e-12 && s.hi == 1.0, "{s:?}");
        assert_eq!(s.ticks.len(), 4);
        let s = Scale::fit(&[5.0, 5.0], Fit::Log10);
        assert_eq!((s.lo, s.hi), (1.0, 10.0));
        assert_eq!(Scale::fit(&[], Fit::Linear).hi, 1.0);
    }

    #[test]
    fn values_map_into_the_range() {
        let s = Scale::decades(3, 6);
        assert_eq!((s.fraction(1e3), s.fraction(1e6)), (0.0, 1.0));
        assert!((s.fraction(1e4) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((s.fraction(0.0), s.fraction(1e9)), (0.0, 1.0));
        let s = Scale::linear(50.0);
        assert_eq!(
            (s.fraction(25.0), s.fraction(-1.0), s.fraction(80.0)),
            (0.5, 0.0, 1.0)
        );
        assert_eq!(Scale::linear(0.0).fraction(0.0), 0.0);
        assert_eq!(Scale::decades(2, 2).ticks, [100.0, 1000.0]);
    }
}
