//! Escaping text from the system under test for the formats schism writes: XML (JUnit),
//! HTML and SVG (`report.html`, `bench.html`, `schism serve`) and Markdown (step
//! summaries); and shortening long text for a page.
//!
//! Every value in a result may come from the system under test (a test name, a key, an
//! explanation quoting a read), so every value is escaped where it is written. Control
//! characters that a format cannot carry are shown as `\u{0001}` rather than dropped, so
//! nothing is lost silently.
//!
//! ```
//! use reports::escape::{html, md_text, xml_attr, xml_text};
//! assert_eq!(xml_text("a<b>]]>&\u{1}"), "a&lt;b&gt;]]&gt;&amp;\\u{0001}");
//! assert_eq!(xml_attr("\"x\"\n"), "&quot;x&quot;&#10;");
//! assert_eq!(html("<script>"), "&lt;script&gt;");
//! assert_eq!(md_text("a|b*"), "a\\|b\\*");
//! ```

/// A character as visible text: `\u{0001}`.
fn visible(c: char) -> String {
    format!("\\u{{{:04x}}}", c as u32)
}

/// Characters XML 1.0 cannot carry at all, not even as character references.
fn not_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Text content of an XML element (newlines and tabs kept).
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if not_xml(c) => out.push_str(&visible(c)),
            c => out.push(c),
        }
    }
    out
}

/// The value of an XML attribute in double quotes (newlines and tabs as references, so
/// attribute normalisation keeps them).
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push_str(&xml_text(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// Text or an attribute value in HTML.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push_str(&visible(c)),
            c => out.push(c),
        }
    }
    out
}

/// A JSON value as compact text (a string quoted), shortened to at most `max` characters,
/// then escaped for HTML.
pub fn html_json(v: &serde_json::Value, max: usize) -> String {
    let text = match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    html(&shorten(&text, max))
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

/// Inline Markdown text, also fit for a table cell: the characters that would start
/// emphasis, code, links, HTML or a cell border are escaped, and line breaks become spaces.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&md_text(&visible(c))),
            c => out.push(c),
        }
    }
    out
}

/// Inline code: a code span whose backtick fence is longer than any run of backticks
/// inside (line breaks become spaces, control characters visible).
pub fn md_code(s: &str) -> String {
    let body: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => " ".to_string(),
            c if c.is_control() => visible(c),
            c => c.to_string(),
        })
        .collect();
    let fence = "`".repeat(longest_backtick_run(&body) + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fenced code block: the fence is longer than any run of backticks inside, so the text
/// cannot close it; control characters other than tabs are shown visibly.
pub fn md_fenced(s: &str, info: &str) -> String {
    let body: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => visible(c),
            c => c.to_string(),
        })
        .collect();
    let fence = "`".repeat((longest_backtick_run(&body) + 1).max(3));
    let body = body.trim_end_matches('\n');
    format!("{fence}{info}\n{body}\n{fence}\n")
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_carries_no_markup_and_no_forbidden_characters() {
        let nasty = "<script>alert('x')</script> ]]> & \u{0}\u{1b}\u{ffff} \"q\"";
        let t = xml_text(nasty);
        assert!(!t.contains('<') && !t.contains("]]>") && !t.contains('\u{1b}'));
        assert!(t.contains("&lt;script&gt;") && t.contains("\\u{001b}"));
        let a = xml_attr(nasty);
        assert!(!a.contains('"') && !a.contains('\'') && !a.contains('<'));
        assert_eq!(xml_text("tab\tline\n"), "tab\tline\n");
    }

    #[test]
    fn html_markup_becomes_text() {
        assert_eq!(
            html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(html("a\u{0}b"), "a\\u{0000}b");
        assert_eq!(
            html("plain ünïcode & 'q'"),
            "plain ünïcode &amp; &#39;q&#39;"
        );
    }

    #[test]
    fn long_text_is_shortened_before_it_is_escaped() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(
            html_json(&serde_json::json!("<b>"), 20),
            "&quot;&lt;b&gt;&quot;"
        );
        assert_eq!(html_json(&serde_json::json!([1, 2, 3]), 4), "[1,…");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md_text("a|b\nc"), "a\\|b c");
        assert_eq!(md_text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md_text("\u{7}"), "\\\\u{0007}");
    }

    #[test]
    fn code_fences_outlast_the_backticks_inside() {
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        let f = md_fenced("```\nend", "text");
        assert!(
            f.starts_with("````text\n") && f.ends_with("\n````\n"),
            "{f}"
        );
        assert!(md_fenced("x", "").starts_with("```\n"));
    }
}
