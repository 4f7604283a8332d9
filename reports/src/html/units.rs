//! Numbers for people: durations with a fitting unit, counts with thousands separated.

/// A duration in nanoseconds as `850 µs`, `12.3 ms`, `2.41 s`.
pub fn duration(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{} µs", sig(ns / 1e3))
    } else if ns < 1e9 {
        format!("{} ms", sig(ns / 1e6))
    } else {
        format!("{} s", sig(ns / 1e9))
    }
}

/// A duration for an axis tick: `1 ms`, `100 µs`, without trailing zeros.
pub fn tick(ns: u64) -> String {
    if ns == 0 {
        return "0".into();
    }
    let s = duration(ns);
    match s.split_once(' ') {
        Some((n, unit)) if n.contains('.') => {
            format!("{} {unit}", n.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => s,
    }
}

/// A time since the start of the run, in seconds with millisecond precision.
pub fn at(ns: u64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}

/// Three significant digits, at most.
fn sig(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// `1234567` as `1 234 567` (thin spaces).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    groups.join("\u{2009}")
}

/// A share as a percentage with one decimal.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_fit_the_size() {
        assert_eq!(duration(850), "850 ns");
        assert_eq!(duration(12_340_000), "12.3 ms");
        assert_eq!(duration(2_410_000_000), "2.41 s");
        assert_eq!(duration(999_999), "1000 µs");
        assert_eq!(count(1_234_567), "1\u{2009}234\u{2009}567");
        assert_eq!(count(12), "12");
        assert_eq!(count(123_456), "123\u{2009}456");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(at(1_500_000_000), "1.500 s");
        assert_eq!(tick(1_000_000), "1 ms");
        assert_eq!(tick(10_000_000), "10 ms");
        assert_eq!(tick(2_500), "2.5 µs");
    }
}
