//! What the store holds: its runs (`<test>/<time>/`, newest first), its sweeps
//! (`sweeps/<time>/`), and the files of one run or sweep.
//!
//! Only real directories are walked: symlinks (`latest`, or one leading out of the store)
//! are not followed, and hidden names and names that are not UTF-8 are left out.

use reports::run::RunResult;
use std::path::Path;

/// One run of the store.
pub struct RunEntry {
    pub test: String,
    pub time: String,
    /// Its `results.json`, or why there is none to show.
    pub result: Result<RunResult, String>,
}

/// One sweep of the store.
pub struct SweepEntry {
    pub time: String,
    /// Its `sweep.json`, if it could be read.
    pub info: Option<serde_json::Value>,
}

/// One file of a run or sweep: its path below the directory (`nodes/n1.log`) and size.
pub struct FileEntry {
    pub path: Vec<String>,
    pub size: u64,
}

/// The names of the real (not symlinked), visible subdirectories of `dir`, sorted.
fn subdirs(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Every run in the store, newest first (by the time in its directory name, then test).
pub fn runs(store: &Path) -> Vec<RunEntry> {
    let mut runs = Vec::new();
    for test in subdirs(store).into_iter().filter(|t| t != "sweeps") {
        for time in subdirs(&store.join(&test)) {
            let path = store.join(&test).join(&time).join("results.json");
            let result = match std::fs::read_to_string(&path) {
                Ok(text) => serde_json::from_str(&text).map_err(|e| format!("unreadable: {e}")),
                Err(_) => Err("no results.json (running, or stopped before the check)".into()),
            };
            runs.push(RunEntry {
                test: test.clone(),
                time,
                result,
            });
        }
    }
    runs.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.test.cmp(&b.test)));
    runs
}

/// Every sweep in the store, newest first.
pub fn sweeps(store: &Path) -> Vec<SweepEntry> {
    let mut sweeps: Vec<SweepEntry> = subdirs(&store.join("sweeps"))
        .into_iter()
        .map(|time| {
            let info = std::fs::read_to_string(store.join("sweeps").join(&time).join("sweep.json"))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok());
            SweepEntry { time, info }
        })
        .collect();
    sweeps.reverse();
    sweeps
}

/// The regular files below `dir` (not through symlinks), sorted by path.
pub fn files(dir: &Path) -> Vec<FileEntry> {
    let mut out = Vec::new();
    walk(dir, &mut Vec::new(), &mut out, 0);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn walk(dir: &Path, prefix: &mut Vec<String>, out: &mut Vec<FileEntry>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let (Ok(name), Ok(meta)) = (e.file_name().into_string(), e.metadata()) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        // DirEntry::metadata does not follow symlinks: they are neither files nor dirs.
        if meta.is_file() {
            let mut path = prefix.clone();
            path.push(name);
            out.push(FileEntry {
                path,
                size: meta.len(),
            });
        } else if meta.is_dir() && depth < 4 {
            prefix.push(name);
            walk(&e.path(), prefix, out, depth + 1);
            prefix.pop();
        }
    }
}
