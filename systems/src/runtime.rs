//! schism's node program in node images: where to find it on this machine, the port its
//! runtime listens on in a container, and the holder of each node's network namespace.

use crate::Error;
use cluster::NodeInfo;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The port of the node runtime in every container (clients, peers and control messages).
pub const PORT: u16 = 7000;
/// Where the node program is in an image.
pub const IN_IMAGE: &str = "/usr/bin/schism-node";

/// The program a node container runs, and the arguments that make it a node:
/// `$SCHISM_NODE`; else `schism-node` beside this executable (or one directory up, for
/// test binaries in `deps/`); else `schism` itself, as `schism node` (so a fresh
/// `cargo run --bin schism` needs nothing else).
pub fn node_program() -> Result<(PathBuf, Vec<String>), Error> {
    if let Some(p) = std::env::var_os("SCHISM_NODE") {
        return Ok((PathBuf::from(p), Vec::new()));
    }
    let exe = std::env::current_exe().map_err(|e| Error::Host(e.to_string()))?;
    let dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    let dirs = [dir.clone(), dir.join("..")];
    if let Some(p) = dirs
        .iter()
        .map(|d| d.join("schism-node"))
        .find(|p| p.is_file())
    {
        return Ok((p, Vec::new()));
    }
    let schism = std::iter::once(exe.clone())
        .filter(|e| e.file_name().is_some_and(|n| n == "schism"))
        .chain(dirs.iter().map(|d| d.join("schism")))
        .find(|p| p.is_file());
    match schism {
        Some(p) => Ok((p, vec!["node".into()])),
        None => Err(Error::Host(format!(
            "no node program beside {} (build it with `cargo build --release`, or set \
             SCHISM_NODE to a schism-node binary)",
            exe.display()
        ))),
    }
}

/// What holds each node's network namespace in Docker runs: schism's own node program
/// (`schism-node hold`, or `schism node hold`), so a run needs nothing from the host that
/// schism did not build.
pub fn holder() -> Result<cluster::Holder, Error> {
    let (program, mut args) = node_program()?;
    args.push("hold".into());
    Ok(cluster::Holder {
        host_path: program,
        image_path: "/usr/bin/schism-hold".into(),
        args,
    })
}

/// Every node's name and the address of its `port`.
pub fn addrs(cluster_nodes: &[NodeInfo], port: u16) -> Vec<(String, SocketAddr)> {
    cluster_nodes
        .iter()
        .map(|n| (n.name.clone(), SocketAddr::from((n.ip, port))))
        .collect()
}
