//! The frame of every page `schism serve` makes: a small HTML document with inline style
//! and no script, and the helpers its pages share (verdict cells, times, sizes).

use history::Validity;

/// The Content-Security-Policy of the pages made here: no script at all, styles inline,
/// images and frames from this server only.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'";

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
table { border-collapse: collapse; } td, th { padding: .25em .7em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.valid { color: #16794c; font-weight: 600; } .invalid { color: #b3261e; font-weight: 600; } .unknown { color: #9a6700; font-weight: 600; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; white-space: pre-wrap; }
iframe { width: 100%; height: 80vh; border: 1px solid #ccc; }
a { color: #0b57d0; } .muted { color: #777; }
";

/// A whole page; `title` is escaped here, `body` must be escaped HTML already.
pub fn page(title: &str, body: &str) -> String {
    reports::shell::document(title, STYLE, body)
}

/// A verdict as a coloured table cell.
pub fn verdict_cell(v: Option<Validity>) -> String {
    match v {
        Some(v) => format!("<td class=\"{0}\">{0}</td>", v.as_str()),
        None => "<td class=\"muted\">–</td>".into(),
    }
}

/// `20261125T202244Z` as `2026-11-25 20:22:44Z`; anything else as it is.
pub fn pretty_time(t: &str) -> String {
    let ok = t.len() >= 16 && t.is_char_boundary(15) && t.as_bytes()[8] == b'T';
    if !ok
        || !t[..8]
            .bytes()
            .chain(t[9..15].bytes())
            .all(|b| b.is_ascii_digit())
    {
        return t.to_string();
    }
    format!(
        "{}-{}-{} {}:{}:{}{}",
        &t[0..4],
        &t[4..6],
        &t[6..8],
        &t[9..11],
        &t[11..13],
        &t[13..15],
        &t[15..]
    )
}

/// A byte count for people: `812 B`, `4.2 KiB`, `165.3 MiB`.
pub fn size(n: u64) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1 << 20 => format!("{:.1} KiB", n as f64 / 1024.0),
        n if n < 1 << 30 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes_read_well() {
        assert_eq!(pretty_time("20261125T202244Z"), "2026-11-25 20:22:44Z");
        assert_eq!(
            pretty_time("20261125T202244.042Z"),
            "2026-11-25 20:22:44.042Z"
        );
        assert_eq!(pretty_time("<odd>"), "<odd>");
        assert_eq!(pretty_time("2026112éT2022440Z"), "2026112éT2022440Z");
        assert_eq!(size(812), "812 B");
        assert_eq!(size(4300), "4.2 KiB");
    }

    #[test]
    fn titles_are_escaped() {
        assert!(page("<x>", "").contains("<title>&lt;x&gt;</title>"));
    }
}
