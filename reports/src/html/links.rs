//! Links to the stored files (relative, so the run directory can be moved or served).

use super::report::Link;
use super::units;
use crate::escape::html as esc;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

pub fn render(links: &[Link]) -> String {
    if links.is_empty() {
        return "<p class=\"mute\">No stored files.</p>".into();
    }
    let mut s = String::from("<ul>");
    for l in links {
        let size = l
            .bytes
            .map(|b| format!(" <span class=\"mute\">({})</span>", size(b)))
            .unwrap_or_default();
        let _ = write!(
            s,
            "<li><a href=\"{}\">{}</a>{size}</li>",
            esc(&l.href),
            esc(&l.label)
        );
    }
    s.push_str("</ul>");
    s
}

/// A path as a URL path: every byte but letters, digits, `-._~/` percent-encoded (so a
/// file name can never start a scheme such as `javascript:`).
pub fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A link to `target` from a page in `report_dir`: a relative path (`nodes/n1.log`,
/// `../h.jsonl`), or, without a directory, an absolute `file://` URL.
pub fn href_to(target: &Path, report_dir: Option<&Path>) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let t: PathBuf = abs(target);
    let Some(dir) = report_dir else {
        return format!("file://{}", href(&t.to_string_lossy()));
    };
    let d = abs(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    });
    let (tc, dc): (Vec<Component>, Vec<Component>) =
        (t.components().collect(), d.components().collect());
    let common = tc.iter().zip(&dc).take_while(|(a, b)| a == b).count();
    let mut rel: Vec<String> = vec!["..".into(); dc.len() - common];
    rel.extend(
        tc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    href(&rel.join("/"))
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1 << 10 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{} MiB", units::count(b >> 20)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_encoded_paths() {
        assert_eq!(href("nodes/n1.log"), "nodes/n1.log");
        assert_eq!(href("javascript:alert(1)"), "javascript%3Aalert%281%29");
        assert_eq!(href("a b#c"), "a%20b%23c");
        let (a, b) = (Path::new("/x/run/nodes/n1.log"), Path::new("/x/run"));
        assert_eq!(href_to(a, Some(b)), "nodes/n1.log");
        assert_eq!(href_to(a, Some(Path::new("/x/out"))), "../run/nodes/n1.log");
        assert_eq!(href_to(a, None), "file:///x/run/nodes/n1.log");
    }
}
