//! The bounds on every time and rate a user gives (flags and spec fields), checked once
//! before anything starts: finite, not negative, and at most a documented maximum, so that
//! no conversion can panic or wrap later (`--time-limit 1e300` is refused with a clear
//! error instead of crashing after the run).

use std::time::Duration;

/// The longest time any flag or spec field may give: 10,000,000 s (about 115 days).
pub const MAX_SECONDS: f64 = 1e7;
/// The highest rate (ops or instances per second) a flag or spec field may give.
pub const MAX_RATE_PER_S: f64 = 1e7;

/// A number of seconds given as `name`, checked: finite, at least 0 (more than 0 unless
/// `zero_ok`), at most [`MAX_SECONDS`].
pub fn seconds(name: &str, s: f64, zero_ok: bool) -> Result<Duration, String> {
    if !s.is_finite() || s < 0.0 || (s == 0.0 && !zero_ok) || s > MAX_SECONDS {
        let least = if zero_ok { "0" } else { "more than 0" };
        return Err(format!(
            "{name} must be a number of seconds from {least} to {MAX_SECONDS:.0}, not {s}"
        ));
    }
    Ok(Duration::from_secs_f64(s))
}

/// A number of milliseconds given as `name`, checked like [`seconds`].
pub fn millis(name: &str, ms: u64, zero_ok: bool) -> Result<Duration, String> {
    seconds(name, ms as f64 / 1e3, zero_ok).map_err(|_| {
        let least = if zero_ok { "0" } else { "1" };
        format!(
            "{name} must be a number of milliseconds from {least} to {:.0}, not {ms}",
            MAX_SECONDS * 1e3
        )
    })
}

/// A rate per second given as `name`: finite, at least 0 (more than 0 unless `zero_ok`),
/// at most [`MAX_RATE_PER_S`].
pub fn rate(name: &str, r: f64, zero_ok: bool) -> Result<f64, String> {
    if !r.is_finite() || r < 0.0 || (r == 0.0 && !zero_ok) || r > MAX_RATE_PER_S {
        let least = if zero_ok { "0" } else { "more than 0" };
        return Err(format!(
            "{name} must be a rate per second from {least} to {MAX_RATE_PER_S:.0}, not {r}"
        ));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_rates_are_bounded_before_use() {
        assert_eq!(seconds("t", 1.5, false), Ok(Duration::from_millis(1500)));
        assert_eq!(seconds("t", 0.0, true), Ok(Duration::ZERO));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 18446744074.0] {
            let e = seconds("--time-limit", bad, false).unwrap_err();
            assert!(
                e.starts_with(
                    "--time-limit must be a number of seconds from more than 0 to 10000000"
                ),
                "{e}"
            );
        }
        assert!(millis("client_timeout_ms", 0, false).is_err());
        assert!(millis("client_timeout_ms", u64::MAX, false)
            .unwrap_err()
            .contains("milliseconds"));
        assert_eq!(rate("--rate", 0.0, true), Ok(0.0));
        assert!(rate("--rate", 1e300, true).is_err());
    }
}
