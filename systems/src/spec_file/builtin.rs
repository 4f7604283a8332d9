//! The systems that come as specs: `etcd` (systems/etcd.yaml, compiled in) and `maelstrom`
//! (made from `--bin PATH`).

use super::schema::{ClientSpec, ImageSource, SystemSpec};
use super::Loaded;
use std::path::{Path, PathBuf};

/// Specs compiled into schism: (name, YAML).
#[rustfmt::skip]
pub const BUILTIN: &[(&str, &str)] = &[
    ("etcd", include_str!("../../etcd.yaml")),
    ("redis", include_str!("../../redis.yaml")),
    ("galera", include_str!("../../galera.yaml")),
    ("nats", include_str!("../../nats.yaml")),
    ("zookeeper", include_str!("../../zookeeper.yaml")),
];

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
        corrupt_paths: Vec::new(),
        stop_signal: None,
        log_files: Vec::new(),
        leader: None,
        cluster_ready: None,
        package: None,
        client: ClientSpec {
            protocol: "maelstrom".into(),
            port: None,
            read_mode: None,
            lease_ttl_s: None,
            http: None,
            command: Vec::new(),
            env: Default::default(),
            options: serde_json::Value::Null,
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
