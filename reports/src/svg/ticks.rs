//! Round tick values (1, 2 or 5 times a power of ten) and their labels, short and without
//! needless zeros.

/// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw` (positive).
pub fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Round ticks from 0 to `max` (about six).
pub fn nice_ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0];
    }
    let step = nice_step(max / 6.0);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|v| *v <= max * (1.0 + 1e-9))
        .collect()
}

/// A tick's label (or any number for people): three significant digits below 100, none
/// after the point above, without trailing zeros.
pub fn number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = if v.abs() >= 100.0 {
        0
    } else {
        (2 - v.abs().log10().floor() as i32).clamp(0, 6) as usize
    };
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(0.7).len(), 4);
        assert_eq!(nice_ticks(0.0), [0.0]);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(140.0), 200.0);
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(800.0), "800");
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.0), "0");
        // Ticks that floating point leaves a hair off round.
        assert_eq!(number(3.0 * 0.1), "0.3");
        assert_eq!(number(6.0 * 0.2), "1.2");
    }
}
