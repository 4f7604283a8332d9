//! HTML escaping. Every string that comes from the system under test or the history
//! (values, errors, node names, explanations) goes through [`esc`] before it reaches the
//! page: a Byzantine node may answer `<script>`.

/// Text made safe for HTML element content and quoted attribute values: the one HTML
/// escaper, [`crate::escape::html`], under the name the page code uses.
pub use crate::escape::html as esc;

/// A JSON value as compact text, shortened to at most `max` characters (with an ellipsis),
/// then escaped.
pub fn esc_json(v: &serde_json::Value, max: usize) -> String {
    let text = match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    esc(&shorten(&text, max))
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(
            esc_json(&serde_json::json!("<b>"), 20),
            "&quot;&lt;b&gt;&quot;"
        );
    }
}
