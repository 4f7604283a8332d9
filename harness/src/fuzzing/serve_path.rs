//! The fuzz target of `schism serve`'s paths: routing, links, and resolving in a store.

use crate::serve::paths::{self, Route};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Route a URL path and resolve what it names in a fixture store; see [`super`].
pub fn serve_path(data: &[u8]) {
    let path = super::text(data);
    let root = store();
    if let Some(raw) = path.strip_prefix('/') {
        // Resolving is safe on its own, even for parts no route would give.
        let raw: Vec<&str> = raw.split('/').collect();
        assert_inside(root, &raw);
        let decoded: Vec<String> = raw.iter().filter_map(|s| paths::decode(s)).collect();
        assert_inside(
            root,
            &decoded.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
    for segment in path.split('/') {
        assert_eq!(
            paths::decode(&paths::encode(segment)).as_deref(),
            Some(segment)
        );
    }
    let Ok(route) = paths::route(&path) else {
        return;
    };
    assert!(path.starts_with('/'), "{path:?} routed without a leading /");
    let (parts, link) = match &route {
        Route::Index => {
            assert_eq!(path, "/", "only / is the index");
            return;
        }
        Route::AddSlash(to) => {
            assert_eq!(*to, format!("{path}/"), "a redirect elsewhere");
            let again = paths::route(to);
            assert!(
                matches!(again, Ok(Route::Run { .. } | Route::Sweep { .. })),
                "{to:?} redirects to {again:?}"
            );
            return;
        }
        Route::Run { test, time } => (vec![test.as_str(), time.as_str()], true),
        Route::Sweep { time } => (vec!["sweeps", time.as_str()], true),
        Route::RunFile { test, time, file } => {
            let mut p = vec![test.as_str(), time.as_str()];
            p.extend(file.iter().map(String::as_str));
            (p, false)
        }
        Route::SweepFile { time, file } => {
            let mut p = vec!["sweeps", time.as_str()];
            p.extend(file.iter().map(String::as_str));
            (p, false)
        }
    };
    for part in &parts {
        let safe = !part.is_empty() && !part.starts_with('.') && !part.contains(['/', '\\', '\0']);
        assert!(safe, "{path:?} routes to the segment {part:?}");
    }
    assert_links_back(&route, &parts, link);
    assert_inside(root, &parts);
}

/// A link the server would write for a route (each segment encoded) routes back to it.
fn assert_links_back(route: &Route, parts: &[&str], dir: bool) {
    let top = if matches!(route, Route::Sweep { .. } | Route::SweepFile { .. }) {
        "/"
    } else {
        "/runs/"
    };
    let encoded: Vec<String> = parts.iter().map(|p| paths::encode(p)).collect();
    let link = format!("{top}{}{}", encoded.join("/"), if dir { "/" } else { "" });
    assert_eq!(paths::route(&link).as_ref(), Ok(route), "the link {link:?}");
}

/// What `parts` resolve to, if anything, lies inside the store.
fn assert_inside(root: &Path, parts: &[&str]) {
    if let Some(p) = paths::resolve(root, parts) {
        assert!(
            p.starts_with(root),
            "{parts:?} resolves to {} outside the store",
            p.display()
        );
        assert!(
            p.exists(),
            "{parts:?} resolves to {}, which does not exist",
            p.display()
        );
    }
}

/// The fixture: a canonical store with a run, a sweep, a hidden directory, `latest`, and
/// symlinks leading out of it (to a file and to a directory) and within it.
fn store() -> &'static Path {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(|| {
        let base = base();
        let _ = std::fs::remove_dir_all(&base);
        let run = base.join("store/t/T1");
        for dir in [
            run.join("nodes"),
            base.join("store/sweeps/S1"),
            base.join("store/.git"),
        ] {
            std::fs::create_dir_all(dir).expect("a temporary store");
        }
        for (file, text) in [
            ("secret", "outside"),
            ("store/t/T1/report.html", "<p>"),
            ("store/t/T1/results.json", "{}"),
            ("store/t/T1/nodes/n1.log", "log"),
            ("store/sweeps/S1/sweep.md", "# sweep"),
            ("store/.git/config", "hidden"),
        ] {
            std::fs::write(base.join(file), text).expect("a temporary store");
        }
        for (target, link) in [
            (PathBuf::from("t/T1"), "store/latest"),
            (PathBuf::from("../../../secret"), "store/t/T1/out"),
            (base.join("secret"), "store/t/T1/abs"),
            (PathBuf::from("../../.."), "store/t/T1/up"),
            (PathBuf::from("../.."), "store/t/T1/root"),
        ] {
            std::os::unix::fs::symlink(target, base.join(link)).expect("a temporary store");
        }
        std::fs::canonicalize(base.join("store")).expect("a temporary store")
    })
}

fn base() -> PathBuf {
    std::env::temp_dir().join(format!("schism-fuzz-serve-{}", std::process::id()))
}

/// Remove the fixture store of this process (at the end of a test).
pub fn remove_store() {
    let _ = std::fs::remove_dir_all(base());
}
