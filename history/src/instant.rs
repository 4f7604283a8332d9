//! EDN's `#inst "2026-01-01T00:00:00.5Z"` (RFC 3339) as nanoseconds since the Unix epoch:
//! what an op's `:time` becomes when a history gives it as an instant.

/// Nanoseconds since 1970-01-01T00:00:00Z of an RFC 3339 timestamp (date alone, or date
/// and time with fractional seconds and `Z` or `±hh:mm`); None when it is not one, or is
/// before the epoch.
pub fn epoch_ns(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = text.get(from..from + len)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    let mut nanos = 0i64;
    if b.len() > 10 {
        if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
            return None;
        }
        let (h, m) = (num(11, 2)?, num(14, 2)?);
        if b.get(16) != Some(&b':') {
            return None;
        }
        let s = num(17, 2)?;
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        seconds += h * 3600 + m * 60 + s;
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                if i - start < 9 {
                    nanos = nanos * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            nanos *= 10i64.pow(9u32.saturating_sub((i - start) as u32));
        }
        match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => {}
            Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let offset = num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60;
                seconds -= if sign == b'+' { offset } else { -offset };
            }
            _ => return None,
        }
    }
    let ns = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
    u64::try_from(ns).ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_become_epoch_nanoseconds() {
        assert_eq!(epoch_ns("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_ns("1970-01-02"), Some(86_400_000_000_000));
        assert_eq!(
            epoch_ns("2000-03-01T00:00:01.5Z"),
            Some((951_868_800 + 1) * 1_000_000_000 + 500_000_000)
        );
        assert_eq!(
            epoch_ns("2026-01-01T01:00:00+01:00"),
            epoch_ns("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            epoch_ns("2024-02-29T12:00:00.000000001Z"),
            Some(1_709_208_000_000_000_001)
        );
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2023-02-29",
            "2026-01-01T",
            "2026-01-01T25:00:00Z",
            "1969-12-31T23:59:59Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
        ] {
            assert_eq!(epoch_ns(bad), None, "{bad}");
        }
    }
}
