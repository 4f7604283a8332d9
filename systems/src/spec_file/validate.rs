//! The checks of a loaded spec beyond its YAML shape: one of `binary` and `existing`, a
//! known protocol with what it needs, known variables in every template, workloads the
//! protocol can drive. Each error names the field, its line and column, and what was
//! expected.

use super::schema::LeaderSpec;
use super::template::{self, Vars};
use super::vars::{client_vars, node_vars, sample_nodes};
use super::Loaded;
use crate::client;

pub fn validate(l: &Loaded) -> Result<(), String> {
    let s = &l.spec;
    let err = |field: &str, message: String| Err(l.error_at(field, &message));
    let name_ok = !s.name.is_empty()
        && s.name.len() <= 40
        && s.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !name_ok {
        return err(
            "name",
            format!(
                "{:?}: expected lower-case letters, digits and '-' (at most 40)",
                s.name
            ),
        );
    }
    match (&s.image.binary, &s.image.existing) {
        (Some(_), Some(_)) => {
            return err(
                "image",
                "expected one of `binary` and `existing`, not both".into(),
            )
        }
        (None, None) => {
            return err(
                "image",
                "expected `binary: PATH` (a program of this machine) or `existing: IMAGE` \
                 (a local image)"
                    .into(),
            )
        }
        _ => {}
    }
    let c = &s.client;
    let Some(protocol) = client::find(&c.protocol) else {
        return err(
            "client.protocol",
            format!(
                "{:?}: expected one of {}",
                c.protocol,
                client::names().join(", ")
            ),
        );
    };
    if c.protocol == "maelstrom" && s.image.existing.is_some() {
        return err(
            "image.existing",
            "the maelstrom protocol runs the node under schism's runtime, which is packed with \
             a binary; running it inside an existing image is not supported yet: give \
             `binary: PATH`"
                .into(),
        );
    }
    if c.protocol != "maelstrom" && c.port.or(s.ports.get("client").copied()).is_none() {
        return err(
            "client.port",
            "expected the port clients connect to (`client.port`, or `ports: {client: N}`)".into(),
        );
    }
    if let Err((field, why)) = (protocol.check)(c) {
        return err(&field, why);
    }
    match &s.leader {
        Some(LeaderSpec::Named(n)) if n != "none" => {
            let askers: Vec<&str> = client::ALL
                .iter()
                .filter(|p| p.leader.is_some())
                .map(|p| p.name)
                .collect();
            if !askers.contains(&n.as_str()) {
                return err(
                    "leader",
                    format!(
                        "{n:?}: expected none, a protocol that can ask ({}), or a probe \
                         ({{http|tcp|command: .., matches: TEXT}})",
                        askers.join(", ")
                    ),
                );
            }
        }
        Some(LeaderSpec::Probe(q)) => {
            if let Some(why) = q.problem() {
                return err("leader", why);
            }
        }
        _ => {}
    }
    if let Some(why) = s.cluster_ready.as_ref().and_then(|q| q.problem()) {
        return err("cluster_ready", why);
    }
    if let Some(r) = &s.ready {
        let given = [r.tcp.is_some(), r.http.is_some(), r.command.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            return err(
                "ready",
                "expected exactly one of `tcp: PORT`, `http: {port, path}`, `command: [..]`".into(),
            );
        }
        if r.command.as_ref().is_some_and(|c| c.is_empty()) {
            return err(
                "ready.command",
                "expected a command (a list of words)".into(),
            );
        }
    }
    check_runtime_fields(l)?;
    let known = client::workloads(&c.protocol);
    for (i, w) in s.workloads.iter().enumerate() {
        if !known.contains(&w.as_str()) {
            return err(
                &format!("workloads.{i}"),
                format!(
                    "{w:?}: the {} protocol drives {}",
                    c.protocol,
                    known.join(", ")
                ),
            );
        }
    }
    check_templates(l)
}

/// Signals a node may be asked to stop with (with or without `SIG`), or a number 1-64.
const SIGNALS: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

fn signal_ok(s: &str) -> bool {
    if let Ok(n) = s.parse::<u8>() {
        return (1..=64).contains(&n);
    }
    let name = s.strip_prefix("SIG").unwrap_or(s);
    SIGNALS.contains(&name)
        || name
            .strip_prefix("RTMIN+")
            .is_some_and(|n| n.parse::<u8>().is_ok_and(|n| n <= 30))
}

/// The fields only used once the cluster starts, checked now so a bad spec is refused
/// before anything starts: the stop signal, ports, paths inside the container,
/// environment names, and the programs of commands run on this machine.
fn check_runtime_fields(l: &Loaded) -> Result<(), String> {
    let s = &l.spec;
    let err = |field: &str, message: String| Err(l.error_at(field, &message));
    if let Some(sig) = &s.stop_signal {
        if !signal_ok(sig) {
            return err(
                "stop_signal",
                format!("{sig:?}: expected a signal name such as SIGTERM or SIGINT, or a number from 1 to 64"),
            );
        }
    }
    let mut ports: Vec<(String, u16)> = s
        .ports
        .iter()
        .map(|(k, p)| (format!("ports.{k}"), *p))
        .collect();
    ports.extend(s.client.port.map(|p| ("client.port".to_string(), p)));
    if let Some(r) = &s.ready {
        ports.extend(r.tcp.map(|p| ("ready.tcp".to_string(), p)));
        ports.extend(
            r.http
                .as_ref()
                .map(|h| ("ready.http.port".to_string(), h.port)),
        );
    }
    if let Some((field, _)) = ports.iter().find(|(_, p)| *p == 0) {
        return err(field, "port 0 is not a port: expected 1 to 65535".into());
    }
    let in_container = [("data_dir", s.data_dir.iter().collect::<Vec<_>>())]
        .into_iter()
        .chain([("log_files", s.log_files.iter().collect())])
        .chain([("image.dirs", s.image.dirs.iter().collect())]);
    for (field, paths) in in_container {
        if let Some(p) = paths
            .iter()
            .find(|p| !p.starts_with('/') || p.split('/').any(|c| c == ".."))
        {
            return err(
                field,
                format!("{p:?}: expected an absolute path inside the container, without `..`"),
            );
        }
    }
    for (field, env) in [("env", &s.env), ("client.env", &s.client.env)] {
        if let Some(k) = env
            .keys()
            .find(|k| k.is_empty() || k.contains('=') || k.contains('\0'))
        {
            return err(
                &format!("{field}.{k}"),
                format!("{k:?} is not a name for an environment variable"),
            );
        }
    }
    if s.client.protocol == "exec" {
        if let Some(program) = s.client.command.first().filter(|p| !p.contains("{{")) {
            if let Err(why) = program_exists(program, &l.dir) {
                return err("client.command", why);
            }
        }
    }
    Ok(())
}

/// Whether a command's program can be run on this machine: a path (from `dir` when
/// relative) to an executable file, or a name found on `PATH`.
fn program_exists(program: &str, dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let runnable = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.is_empty() {
        return Err("the command's program is empty".into());
    }
    if program.contains('/') {
        let path = dir.join(program);
        return if runnable(&path) {
            Ok(())
        } else {
            Err(format!(
                "{program:?}: no executable file at {}",
                path.display()
            ))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|d| runnable(&d.join(program))) {
        Ok(())
    } else {
        Err(format!("{program:?}: no such program on PATH"))
    }
}

fn check_templates(l: &Loaded) -> Result<(), String> {
    let s = &l.spec;
    let all = sample_nodes();
    let node: Vars = node_vars(s, "/app/program", &all[0].0, all[0].1, &all);
    let check = |field: &str, t: &str, vars: &Vars| {
        template::check(t, vars).map_err(|e| l.error_at(field, &e))
    };
    for t in &s.command {
        check("command", t, &node)?;
    }
    for t in &s.args {
        check("args", t, &node)?;
    }
    for (k, t) in &s.env {
        check(&format!("env.{k}"), t, &node)?;
    }
    let client = client_vars(s, 1, &all[0].0, all[0].1, &all);
    for t in &s.client.command {
        check("client.command", t, &client)?;
    }
    for (k, t) in &s.client.env {
        check(&format!("client.env.{k}"), t, &client)?;
    }
    Ok(())
}
