//! Reading numbers out of op values, under one rule for every checker: an integer is a
//! JSON integer of up to 64 bits, or an integer beyond 64 bits as the readers keep it
//! (`"18446744073709551616N"`, see `history::numbers`). Nothing else is an integer: not a
//! float, not a string of digits. Arithmetic is done in `i128`, so sums of 64-bit values
//! do not wrap.

use history::numbers::BIGINT_SUFFIX;
use history::Value;

/// The integer a value holds, if it holds one that fits in an `i128`.
pub fn int(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.strip_suffix(BIGINT_SUFFIX)?.parse().ok(),
        _ => None,
    }
}

/// An `i128` as a value: a JSON integer when it fits in 64 bits, else the bigint string.
pub fn from_int(i: i128) -> Value {
    if let Ok(v) = i64::try_from(i) {
        return Value::from(v);
    }
    if let Ok(v) = u64::try_from(i) {
        return Value::from(v);
    }
    Value::String(format!("{i}{BIGINT_SUFFIX}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_of_every_width_and_nothing_else() {
        assert_eq!(int(&json!(-5)), Some(-5));
        assert_eq!(
            int(&json!(18446744073709551614u64)),
            Some(18446744073709551614)
        );
        assert_eq!(int(&json!("18446744073709551616N")), Some(1 << 64));
        for v in [json!(1.5), json!("12"), json!("N"), json!(null), json!([1])] {
            assert_eq!(int(&v), None, "{v}");
        }
        assert_eq!(from_int(1 << 64), json!("18446744073709551616N"));
        assert_eq!(from_int(-3), json!(-3));
        assert_eq!(from_int(u64::MAX as i128), json!(u64::MAX));
    }
}
