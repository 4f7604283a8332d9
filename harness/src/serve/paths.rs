//! From a request's URL path to a route and a file of the store, safely.
//!
//! Each segment is percent-decoded and then refused if it could leave its directory: `..`,
//! `.`, an empty segment (`//`), or one holding `/`, `\` or NUL after decoding (400 Bad
//! Request); hidden names (`.git`) are not found (404). A path that passes is joined to
//! the store and canonicalised, and must still lie inside the canonical store, so a
//! symlink leading out of the store is not found either (a symlink inside it, such as
//! `latest`, works).

use std::path::{Path, PathBuf};

/// What a URL path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`: the runs and sweeps of the store.
    Index,
    /// `/runs/<test>/<time>/`.
    Run { test: String, time: String },
    /// `/runs/<test>/<time>/<file>...`.
    RunFile {
        test: String,
        time: String,
        file: Vec<String>,
    },
    /// `/sweeps/<time>/`.
    Sweep { time: String },
    /// `/sweeps/<time>/<file>...`.
    SweepFile { time: String, file: Vec<String> },
    /// A directory asked for without its trailing slash: go there (relative links need it).
    AddSlash(String),
}

/// Why a path is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadRequest(&'static str),
    NotFound,
}

/// The route of a URL path (without the query).
pub fn route(path: &str) -> Result<Route, Refusal> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(Refusal::BadRequest("the path must start with /"));
    };
    if rest.is_empty() {
        return Ok(Route::Index);
    }
    let dir = rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segs = rest
        .split('/')
        .map(segment)
        .collect::<Result<Vec<_>, _>>()?;
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let slash = || Route::AddSlash(format!("{path}/"));
    let file = |f: &[&str]| f.iter().map(|x| x.to_string()).collect();
    Ok(match (s.as_slice(), dir) {
        (["runs", test, time], true) => Route::Run {
            test: test.to_string(),
            time: time.to_string(),
        },
        (["runs", _, _], false) | (["sweeps", _], false) => slash(),
        (["runs", test, time, f @ ..], false) => Route::RunFile {
            test: test.to_string(),
            time: time.to_string(),
            file: file(f),
        },
        (["sweeps", time], true) => Route::Sweep {
            time: time.to_string(),
        },
        (["sweeps", time, f @ ..], false) => Route::SweepFile {
            time: time.to_string(),
            file: file(f),
        },
        _ => return Err(Refusal::NotFound),
    })
}

/// One decoded segment, or why it is refused.
fn segment(raw: &str) -> Result<String, Refusal> {
    let s = decode(raw).ok_or(Refusal::BadRequest("bad percent-encoding"))?;
    if s.is_empty() {
        return Err(Refusal::BadRequest("empty path segment"));
    }
    if s == "." || s == ".." {
        return Err(Refusal::BadRequest("no . or .. in paths"));
    }
    if s.contains(['/', '\\', '\0']) {
        return Err(Refusal::BadRequest("no /, \\ or NUL inside a path segment"));
    }
    if s.starts_with('.') {
        return Err(Refusal::NotFound);
    }
    Ok(s)
}

/// Percent-decode a segment; None if it is malformed or not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encode a name for a link: everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `root/parts...`, canonical, if it exists and lies inside `root` (which must be
/// canonical itself).
pub fn resolve(root: &Path, parts: &[&str]) -> Option<PathBuf> {
    let mut p = root.to_path_buf();
    for part in parts {
        p.push(part);
    }
    let canon = std::fs::canonicalize(&p).ok()?;
    canon.starts_with(root).then_some(canon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(p: &str) -> bool {
        matches!(route(p), Err(Refusal::BadRequest(_)))
    }

    #[test]
    fn routes_of_the_store() {
        assert_eq!(route("/"), Ok(Route::Index));
        assert_eq!(
            route("/runs/a%20b/T1/"),
            Ok(Route::Run {
                test: "a b".into(),
                time: "T1".into()
            })
        );
        assert_eq!(
            route("/runs/t/T1/nodes/n1.log"),
            Ok(Route::RunFile {
                test: "t".into(),
                time: "T1".into(),
                file: vec!["nodes".into(), "n1.log".into()]
            })
        );
        assert_eq!(
            route("/runs/t/T1"),
            Ok(Route::AddSlash("/runs/t/T1/".into()))
        );
        assert_eq!(route("/sweeps/T2/"), Ok(Route::Sweep { time: "T2".into() }));
        assert_eq!(route("/elsewhere"), Err(Refusal::NotFound));
        assert_eq!(route("/runs/t/T1/.hidden"), Err(Refusal::NotFound));
    }

    #[test]
    fn traversal_is_refused_in_every_spelling() {
        for p in [
            "/runs/../../etc/passwd",
            "/runs/t/T1/../../../etc/passwd",
            "/runs/t/%2e%2e/x",
            "/runs/t/T1/..%2f..%2fetc%2fpasswd",
            "/runs/t/T1/..%5c..%5cwin.ini",
            "/runs/t/T1/a%00b",
            "//evil.example/",
            "/runs//T1/x",
            "/runs/t/T1/%zz",
            "/runs/t/T1/%ff",
            "relative",
        ] {
            assert!(bad(p), "{p} was not refused");
        }
    }

    #[test]
    fn names_round_trip_through_links() {
        for s in ["a b", "é/ü", "x%y", "<t>&"] {
            assert_eq!(decode(&encode(s)).as_deref(), Some(s));
        }
    }

    #[test]
    fn symlinks_out_of_the_store_do_not_resolve() {
        let base = std::env::temp_dir().join(format!("schism-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("store/t/T1")).unwrap();
        std::fs::write(base.join("secret"), "s").unwrap();
        std::fs::write(base.join("store/t/T1/a.log"), "a").unwrap();
        std::os::unix::fs::symlink(base.join("secret"), base.join("store/t/T1/out")).unwrap();
        std::os::unix::fs::symlink("t/T1", base.join("store/latest")).unwrap();
        let root = std::fs::canonicalize(base.join("store")).unwrap();
        assert!(resolve(&root, &["t", "T1", "a.log"]).is_some());
        assert!(resolve(&root, &["latest", "a.log"]).is_some());
        assert_eq!(resolve(&root, &["t", "T1", "out"]), None);
        assert_eq!(resolve(&root, &["t", "T1", "missing"]), None);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
