//! Numbers as they are: values that JSON's f64 cannot hold exactly are kept apart, never
//! rounded into some other value.
//!
//! An op's value is a [`serde_json::Value`], whose numbers are 64-bit integers or f64. Two
//! kinds of number in a history do not fit, and a checker comparing values must still tell
//! them apart from every other value:
//!
//! - **Integers beyond 64 bits** (below `i64::MIN` or above `u64::MAX`), in JSONL or EDN
//!   (`123N` bigints too). Rounded to f64, `18446744073709551616` and `...617` would be
//!   equal. Each is kept as the string of its decimal digits followed by `N`, Clojure's
//!   own spelling of a bigint: `"18446744073709551616N"`. Two such values are equal
//!   exactly when the integers are; neither equals any 64-bit number.
//! - **EDN's `##Inf`, `##-Inf` and `##NaN`**, which JSON has no spelling for: kept as the
//!   strings `"##Inf"`, `"##-Inf"` and `"##NaN"` (never nil). A NaN read after a NaN write
//!   is the same value here (a register holds the bits it was given), unlike Clojure's `=`.
//!
//! The writers write these strings back as they are, so what schism writes it reads back
//! the same.

use crate::op::Value;

/// The suffix that marks an integer beyond 64 bits kept as text.
pub const BIGINT_SUFFIX: char = 'N';

/// An integer given as decimal text (an optional `-`, digits), as a value: a 64-bit
/// number when it fits, else its text with [`BIGINT_SUFFIX`]. Leading zeros and a `+` are
/// dropped so that equal integers give equal values.
pub fn integer(text: &str) -> Value {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let canonical = if neg && digits != "0" {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    if let Ok(i) = canonical.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(u) = canonical.parse::<u64>() {
        return Value::from(u);
    }
    Value::String(format!("{canonical}{BIGINT_SUFFIX}"))
}

/// A float as a value: a JSON number when finite, else `"##Inf"`, `"##-Inf"` or `"##NaN"`.
pub fn float(f: f64) -> Value {
    match serde_json::Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => Value::String("##NaN".into()),
        None if f > 0.0 => Value::String("##Inf".into()),
        None => Value::String("##-Inf".into()),
    }
}

/// Whether a value holds a number that is not a 64-bit integer (so a reader may have
/// rounded an integer literal into it).
pub fn has_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64(),
        Value::Array(a) => a.iter().any(has_float),
        Value::Object(m) => m.values().any(has_float),
        _ => false,
    }
}

/// A JSON text with every integer literal beyond 64 bits (outside strings) turned into
/// the string [`integer`] makes of it; `None` when there is none.
pub fn quote_big_integers(json: &str) -> Option<String> {
    let b = json.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    let mut any = false;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let tok = &json[start..i];
                let integral = tok.bytes().skip(1).all(|c| c.is_ascii_digit())
                    && tok.bytes().any(|c| c.is_ascii_digit());
                if integral {
                    if let Value::String(s) = integer(tok) {
                        out.push_str(&json[copied..start]);
                        out.push('"');
                        out.push_str(&s);
                        out.push('"');
                        copied = i;
                        any = true;
                    }
                }
            }
            _ => i += 1,
        }
    }
    if !any {
        return None;
    }
    out.push_str(&json[copied.min(json.len())..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_keep_their_exact_value() {
        assert_eq!(integer("42"), json!(42));
        assert_eq!(integer("-007"), json!(-7));
        assert_eq!(integer("+5"), json!(5));
        assert_eq!(integer("-0"), json!(0));
        assert_eq!(integer("18446744073709551615"), json!(u64::MAX));
        assert_eq!(
            integer("18446744073709551616"),
            json!("18446744073709551616N")
        );
        assert_eq!(
            integer("-9223372036854775809"),
            json!("-9223372036854775809N")
        );
        assert_ne!(
            integer("18446744073709551616"),
            integer("18446744073709551617")
        );
        assert_eq!(
            integer("0018446744073709551616"),
            integer("18446744073709551616")
        );
    }

    #[test]
    fn non_finite_floats_are_not_nil() {
        assert_eq!(float(1.5), json!(1.5));
        assert_eq!(float(f64::INFINITY), json!("##Inf"));
        assert_eq!(float(f64::NEG_INFINITY), json!("##-Inf"));
        assert_eq!(float(f64::NAN), json!("##NaN"));
    }

    #[test]
    fn big_literals_are_quoted_outside_strings_only() {
        let line = r#"{"value":[18446744073709551616,"18446744073709551617",1.5e3,-9223372036854775810,7]}"#;
        let q = quote_big_integers(line).unwrap();
        assert_eq!(
            q,
            r#"{"value":["18446744073709551616N","18446744073709551617",1.5e3,"-9223372036854775810N",7]}"#
        );
        assert_eq!(
            quote_big_integers(r#"{"v":[1,2.5,"\"99999999999999999999"]}"#),
            None
        );
    }
}
