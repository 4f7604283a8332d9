//! From the name a run gives to the system it means: a built-in by name, or a system
//! spec file.

use crate::memory::Memory;
use crate::reference::Reference;
use crate::spec_file::{self, SpecSystem};
use crate::{Error, Setup, System};
use std::sync::Arc;

/// The systems `--system` takes by name: those made in Rust, then the built-in specs.
pub fn names() -> Vec<&'static str> {
    MADE_IN_RUST
        .iter()
        .map(|(n, _)| *n)
        .chain(spec_file::BUILTIN.iter().map(|(n, _)| *n))
        .collect()
}

/// The systems made here rather than from a built-in spec, with what each is.
pub const MADE_IN_RUST: [(&str, &str); 6] = [
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
];

/// The system a run names: a built-in by name (`etcd` is systems/etcd.yaml; `maelstrom` is
/// made from `bin`), or a system spec file (`./my-system.yaml`).
pub fn resolve(setup: &Setup) -> Result<Arc<dyn System>, Error> {
    let name = setup.system.as_str();
    if name != "maelstrom" && setup.bin.is_some() {
        return Err(Error::Spec(format!(
            "--bin is for --system maelstrom (a Maelstrom node program), not {name}"
        )));
    }
    let loaded = match name {
        "memory" => return Ok(Arc::new(Memory::default())),
        "raft" | "paxos" | "om" | "eig" => {
            let protocol = nodes::choose::PROTOCOLS
                .iter()
                .map(|(p, _)| *p)
                .find(|p| *p == name)
                .unwrap_or("raft");
            return Ok(Arc::new(Reference { protocol }));
        }
        "maelstrom" => {
            let bin = setup.bin.as_ref().ok_or_else(|| {
                Error::Spec(
                    "--system maelstrom needs --bin PATH: the node program (a binary, or a \
                     script with #!) that speaks Maelstrom's protocol on stdin and stdout"
                        .into(),
                )
            })?;
            spec_file::maelstrom(bin)
        }
        "etcd" if !setup.etcd.binary.is_file() => {
            // Not a mistake in a spec: this machine lacks etcd.
            return Err(Error::Host(format!(
                "the etcd binary {} is missing: install Debian's etcd-server package \
                 (apt-get install etcd-server, or scripts/install-deps), or set etcd.binary \
                 in the spec (--etcd-binary)",
                setup.etcd.binary.display()
            )));
        }
        "etcd" => spec_file::builtin("etcd")
            .unwrap_or_else(|| Err("the etcd spec is not built in".into()))
            .map(|mut l| {
                // The run's etcd options (flags --etcd-binary, --read-mode) still apply.
                l.spec.image.binary = Some(setup.etcd.binary.display().to_string());
                l.spec.client.read_mode = Some(setup.etcd.read_mode.clone());
                l
            }),
        path if spec_file::is_path(path) => spec_file::load(std::path::Path::new(path)),
        name if spec_file::builtin(name).is_some() => {
            spec_file::builtin(name).unwrap_or_else(|| Err(format!("{name} is not built in")))
        }
        other => {
            return Err(Error::Spec(format!(
                "unknown system {other:?}; known: {} (or a system spec file, ./NAME.yaml)",
                names().join(", ")
            )))
        }
    }
    .map_err(Error::Spec)?;
    Ok(Arc::new(SpecSystem { loaded }))
}
