//! Which shared libraries an executable needs, as `ldd` names them.
//!
//! An image built FROM scratch has no libc: every library the dynamic loader will open has
//! to be copied in at the path the loader looks for it. `ldd` tells exactly that: the
//! `name => /path` lines and the loader itself (`/lib64/ld-linux-x86-64.so.2`). Static
//! executables ("not a dynamic executable") need nothing. A library `ldd` cannot find is an
//! error that names it, not an image that fails at run time.
//!
//! `ldd` runs the loader once per file, a few milliseconds each; iptables' 120-odd plugins
//! make that half a second, so files are split over the cores and answers are remembered per
//! (path, size, modification time) for the life of the process.

use crate::ClusterError;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

/// What `ldd` said about some files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct LddReport {
    /// Absolute paths of every library and loader named.
    pub libraries: BTreeSet<String>,
    /// (the file that needs it, when `ldd` said, the library it could not find).
    pub missing: Vec<(Option<String>, String)>,
}

/// Reads `ldd`'s output for one or several files. With several files, `ldd` heads each
/// section with `path:`; with one it does not.
pub(crate) fn parse_ldd(output: &str) -> LddReport {
    let mut report = LddReport::default();
    let mut current: Option<String> = None;
    for line in output.lines() {
        if !line.starts_with(char::is_whitespace) {
            if let Some(header) = line.strip_suffix(':') {
                current = Some(header.to_string());
            }
            continue;
        }
        let line = line.trim();
        if let Some((name, target)) = line.split_once("=>") {
            let target = target.trim();
            if target.starts_with("not found") {
                report
                    .missing
                    .push((current.clone(), name.trim().to_string()));
            } else if let Some(path) = first_word(target).filter(|p| p.starts_with('/')) {
                report.libraries.insert(plain(path));
            }
        } else if let Some(path) = first_word(line).filter(|p| p.starts_with('/')) {
            // The loader line: `/lib64/ld-linux-x86-64.so.2 (0x...)`.
            report.libraries.insert(path.to_string());
        }
        // Anything else: `linux-vdso.so.1 (0x...)` (in the kernel), `not a dynamic
        // executable`, `statically linked`.
    }
    report
}

/// A library found through an `$ORIGIN/..` run path (the JVM's `bin/java` finds
/// `bin/../lib/libjli.so`) at its plain path: an image path has no `.` or `..`. The
/// directory is resolved on this machine (a `..` after a symlink goes where the loader
/// went); the file name is kept, so a library reached by a symlink stays at its name.
fn plain(path: &str) -> String {
    let p = Path::new(path);
    let dotted = p.components().any(|c| {
        matches!(
            c,
            std::path::Component::ParentDir | std::path::Component::CurDir
        )
    });
    if !dotted && !path.contains("/./") {
        return path.to_string();
    }
    match (
        p.parent().and_then(|d| d.canonicalize().ok()),
        p.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name).display().to_string(),
        _ => path.to_string(),
    }
}

fn first_word(s: &str) -> Option<&str> {
    s.split_whitespace().next()
}

type MemoKey = (PathBuf, u64, Option<SystemTime>);

fn memo() -> &'static Mutex<HashMap<MemoKey, LddReport>> {
    static MEMO: OnceLock<Mutex<HashMap<MemoKey, LddReport>>> = OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::new()))
}

fn memo_key(path: &Path) -> Option<MemoKey> {
    let meta = std::fs::metadata(path).ok()?;
    Some((path.to_path_buf(), meta.len(), meta.modified().ok()))
}

/// Every library the given files need (their union). Errors name the file and library
/// `ldd` could not resolve.
pub(crate) async fn libraries_of(files: &[PathBuf]) -> Result<BTreeSet<String>, ClusterError> {
    let mut libraries = BTreeSet::new();
    let mut todo: Vec<(PathBuf, Option<MemoKey>)> = Vec::new();
    {
        let memo = memo().lock().unwrap_or_else(|e| e.into_inner());
        for f in files {
            let key = memo_key(f);
            match key.as_ref().and_then(|k| memo.get(k)) {
                Some(known) => libraries.extend(known.libraries.iter().cloned()),
                None => todo.push((f.clone(), key)),
            }
        }
    }
    if todo.is_empty() {
        return Ok(libraries);
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = todo.len().div_ceil(cores).max(1);
    let runs = todo
        .chunks(chunk)
        .map(|c| run_ldd(c.iter().map(|(p, _)| p.clone()).collect()));
    let outputs = futures_util::future::try_join_all(runs).await?;
    for (chunk_files, output) in todo.chunks(chunk).zip(outputs) {
        let per_file = split_sections(&output, chunk_files.len());
        for ((path, key), text) in chunk_files.iter().zip(per_file) {
            let report = parse_ldd(&text);
            if let Some((_, lib)) = report.missing.first() {
                return Err(ClusterError::MissingFile {
                    path: lib.clone(),
                    why: format!(
                        "a shared library that {} needs, which ldd cannot find",
                        path.display()
                    ),
                });
            }
            libraries.extend(report.libraries.iter().cloned());
            if let Some(key) = key.clone() {
                memo()
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, report);
            }
        }
    }
    Ok(libraries)
}

/// Splits the output of `ldd f1 f2 ...` into one text per file (in order). With one file
/// there is no header and the whole output is that file's.
fn split_sections(output: &str, files: usize) -> Vec<String> {
    if files <= 1 {
        return vec![output.to_string()];
    }
    let mut sections: Vec<String> = Vec::with_capacity(files);
    for line in output.lines() {
        if !line.starts_with(char::is_whitespace) && line.ends_with(':') {
            sections.push(String::new());
        } else if let Some(s) = sections.last_mut() {
            s.push_str(line);
            s.push('\n');
        }
    }
    sections.resize(files, String::new());
    sections
}

async fn run_ldd(files: Vec<PathBuf>) -> Result<String, ClusterError> {
    let out = tokio::process::Command::new("ldd")
        .args(&files)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| ClusterError::MissingFile {
            path: "ldd".to_string(),
            why: format!(
                "cannot run ldd to find the libraries of {}: {e}",
                show(&files)
            ),
        })?;
    // ldd exits 1 when some file is static; that is not an error. A file it cannot read is.
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(line) = stderr.lines().find(|l| l.starts_with("ldd:")) {
        return Err(ClusterError::MissingFile {
            path: show(&files),
            why: line.to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn show(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: &str = "\tlinux-vdso.so.1 (0x00007f4251b6d000)
\tlibbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007f4251a0d000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f42517e4000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f4251b6f000)
";

    #[test]
    fn parses_one_file() {
        let r = parse_ldd(IP);
        let libs: Vec<&str> = r.libraries.iter().map(String::as_str).collect();
        assert_eq!(
            libs,
            [
                "/lib/x86_64-linux-gnu/libbpf.so.1",
                "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib64/ld-linux-x86-64.so.2"
            ]
        );
        assert!(r.missing.is_empty());
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("\tnot a dynamic executable\n", &[], &[]),
            ("\tstatically linked\n", &[], &[]),
            (
                "\tlibfoo.so.3 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n",
                &["/lib/libc.so.6"],
                &["libfoo.so.3"],
            ),
            // glibc may print a line without an address.
            ("\tlibm.so.6 => /lib/libm.so.6\n", &["/lib/libm.so.6"], &[]),
            ("", &[], &[]),
        ];
        for (text, libs, missing) in cases {
            let r = parse_ldd(text);
            let got: Vec<&str> = r.libraries.iter().map(String::as_str).collect();
            assert_eq!(&got, libs, "{text:?}");
            let got: Vec<&str> = r.missing.iter().map(|(_, l)| l.as_str()).collect();
            assert_eq!(&got, missing, "{text:?}");
        }
    }

    #[test]
    fn several_files_have_headers() {
        let text = format!("/usr/sbin/ip:\n{IP}/usr/bin/busybox:\n\tnot a dynamic executable\n/x:\n\tlibq.so => not found\n");
        let r = parse_ldd(&text);
        assert_eq!(r.libraries.len(), 3);
        assert_eq!(r.missing, [(Some("/x".to_string()), "libq.so".to_string())]);
        let sections = split_sections(&text, 3);
        assert_eq!(sections.len(), 3);
        assert_eq!(parse_ldd(&sections[0]).libraries.len(), 3);
        assert!(parse_ldd(&sections[1]).libraries.is_empty());
        assert_eq!(parse_ldd(&sections[2]).missing.len(), 1);
    }

    #[test]
    fn a_library_through_origin_dot_dot_gets_its_plain_path() {
        let tmp = std::env::temp_dir().join(format!("schism-ldd-{}", std::process::id()));
        std::fs::create_dir_all(tmp.join("bin")).unwrap();
        std::fs::create_dir_all(tmp.join("lib")).unwrap();
        let dotted = format!("{}/bin/../lib/libjli.so", tmp.display());
        let text = format!("\tlibjli.so => {dotted} (0x1)\n");
        let r = parse_ldd(&text);
        let want = format!("{}/lib/libjli.so", tmp.canonicalize().unwrap().display());
        std::fs::remove_dir_all(&tmp).unwrap();
        assert_eq!(r.libraries.iter().collect::<Vec<_>>(), [&want]);
        assert_eq!(
            plain("/lib/x86_64-linux-gnu/libc.so.6"),
            "/lib/x86_64-linux-gnu/libc.so.6"
        );
    }

    #[tokio::test]
    async fn real_ldd_on_this_host() {
        // busybox is static (no libraries); ldd itself is a script, so use the loader's
        // own view of a dynamic binary that every Debian host has.
        let libs = libraries_of(&[PathBuf::from("/usr/bin/busybox")]).await;
        assert!(matches!(libs, Ok(ref l) if l.is_empty()), "{libs:?}");
        let libs =
            libraries_of(&[PathBuf::from("/bin/ls"), PathBuf::from("/usr/bin/busybox")]).await;
        match libs {
            Ok(l) => assert!(l.iter().any(|p| p.contains("libc.so")), "{l:?}"),
            Err(e) => panic!("{e}"),
        }
    }
}
