//! What `schism systems` lists: every system `--system` takes by name, with what it is,
//! then the system specs of some directories.

use crate::resolve::MADE_IN_RUST;
use crate::spec_file::{builtin, load, BUILTIN};
use std::path::PathBuf;

/// (name, what it is) of every system `--system` takes by name, then the specs found in
/// `dirs` (`*.yaml`, by path). A spec that does not load is listed with its error.
pub fn list(dirs: &[PathBuf]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = MADE_IN_RUST
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect();
    for (name, _) in BUILTIN {
        let about = match builtin(name) {
            Some(Ok(l)) => with_workloads(l.spec.description, &l.spec.client.protocol),
            Some(Err(e)) => format!("broken: {e}"),
            None => String::new(),
        };
        out.push((name.to_string(), about));
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for p in paths {
            let about = match load(&p) {
                Ok(l) if l.spec.description.is_empty() => {
                    with_workloads(l.spec.name, &l.spec.client.protocol)
                }
                Ok(l) => with_workloads(
                    format!("{}: {}", l.spec.name, l.spec.description),
                    &l.spec.client.protocol,
                ),
                Err(e) => format!("does not load: {e}"),
            };
            out.push((p.display().to_string(), about));
        }
    }
    out
}

/// What a spec is, then the workloads its client protocol drives.
fn with_workloads(about: String, protocol: &str) -> String {
    let workloads = crate::client::workloads(protocol);
    if workloads.is_empty() {
        about
    } else {
        format!("{about} (workloads: {})", workloads.join(", "))
    }
}
