//! The systems that come as specs: `etcd` (systems/etcd.yaml, compiled in) and `maelstrom`
//! (made from `--bin PATH`), and the listing `schism systems` prints.

use super::schema::{ClientSpec, ImageSource, SystemSpec};
use super::{load, Loaded};
use std::path::{Path, PathBuf};

/// Specs compiled into schism: (name, YAML).
pub const BUILTIN: [(&str, &str); 1] = [("etcd", include_str!("../../../../systems/etcd.yaml"))];

/// A built-in spec by name.
pub fn builtin(name: &str) -> Option<Result<Loaded, String>> {
    let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    Some(super::parse(
        text,
        &format!("built-in system {name} (systems/{name}.yaml)"),
        PathBuf::from("."),
    ))
}

/// The spec of a Maelstrom-protocol node program: run under schism's runtime, clients
/// speaking Maelstrom's protocol.
pub fn maelstrom(bin: &Path) -> Result<Loaded, String> {
    let spec = SystemSpec {
        name: "maelstrom".into(),
        description: format!("the Maelstrom node {}", bin.display()),
        image: ImageSource {
            binary: Some(bin.display().to_string()),
            ..ImageSource::default()
        },
        command: Vec::new(),
        args: Vec::new(),
        env: Default::default(),
        ports: Default::default(),
        ready: None,
        data_dir: Some("/data".into()),
        stop_signal: None,
        log_files: Vec::new(),
        leader: None,
        client: ClientSpec {
            protocol: "maelstrom".into(),
            port: None,
            read_mode: None,
            lease_ttl_s: None,
            http: None,
            command: Vec::new(),
            env: Default::default(),
        },
        workloads: Vec::new(),
        lie_fields: Vec::new(),
    };
    let loaded = Loaded {
        spec,
        origin: "--bin".into(),
        dir: PathBuf::from("."),
        text: String::new(),
    };
    super::validate::validate(&loaded)?;
    Ok(loaded)
}

/// (name, what it is) of every system `--system` takes by name, then the specs found in
/// `dirs` (`*.yaml`, by path). A spec that does not load is listed with its error.
pub fn list_builtin(dirs: &[PathBuf]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        (
            "raft",
            "schism's Raft (lin-kv, consensus, ledger), in containers",
        ),
        (
            "paxos",
            "schism's Multi-Paxos (lin-kv, consensus, ledger), in containers",
        ),
        (
            "om",
            "Lamport's oral messages OM(m) (generals), in containers",
        ),
        ("eig", "interactive consistency by EIG trees, in containers"),
        (
            "memory",
            "an in-process register, to try schism and measure the harness",
        ),
        (
            "maelstrom",
            "any Maelstrom-protocol node program: --system maelstrom --bin PATH",
        ),
    ]
    .iter()
    .map(|(n, d)| (n.to_string(), d.to_string()))
    .collect();
    for (name, _) in BUILTIN {
        let about = match builtin(name) {
            Some(Ok(l)) => l.spec.description,
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
                Ok(l) if l.spec.description.is_empty() => l.spec.name,
                Ok(l) => format!("{}: {}", l.spec.name, l.spec.description),
                Err(e) => format!("does not load: {e}"),
            };
            out.push((p.display().to_string(), about));
        }
    }
    out
}
