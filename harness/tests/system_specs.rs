//! System specs from the command line: mistakes are named with their file, line and
//! column and what was expected, before anything starts; `schism systems` lists what
//! `--system` takes. (Runs of specs on containers are in `examples_docker.rs`.)

mod common;

use common::{schism, store, text};
use std::path::{Path, PathBuf};

fn dir(name: &str) -> PathBuf {
    let d = store("specs", name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `schism run` of this spec (into a fresh store): exit code and stderr.
fn run_spec(d: &Path, yaml: &str, extra: &[&str]) -> (Option<i32>, String) {
    let spec = d.join("system.yaml");
    std::fs::write(&spec, yaml).unwrap();
    let st = d.join("store");
    let mut args = vec![
        "run",
        "--system",
        spec.to_str().unwrap(),
        "--store",
        st.to_str().unwrap(),
        "--nodes",
        "3",
        "--time-limit",
        "1",
    ];
    args.extend_from_slice(extra);
    let o = schism(&args);
    (o.status.code(), text(&o.stderr))
}

const GOOD: &str = "name: mine\nimage:\n  binary: /bin/sh\nclient:\n  protocol: http-kv\n  port: 8080\n  http: {}\n";

#[test]
fn yaml_and_field_mistakes_name_the_file_line_and_column() {
    let d = dir("mistakes");
    let spec = d.join("system.yaml").display().to_string();
    for (yaml, at, words) in [
        // A YAML syntax error.
        ("name: 'x\n", "2:1", "found unexpected end of stream"),
        // A field of the wrong shape.
        ("name: x\nimage: [1]\n", "2:8", "expected struct ImageSource"),
        // Two ways of telling readiness.
        (
            "name: x\nimage: {binary: /bin/sh}\nready:\n  tcp: 1\n  command: [a]\nclient: {protocol: maelstrom}\n",
            "3:1",
            "expected exactly one of",
        ),
        // An unknown field, with the known ones.
        (
            "name: x\nimage:\n  binary: /bin/sh\n  binray: 2\nclient: {protocol: exec}\n",
            "4:3",
            "unknown field `binray`",
        ),
        // A protocol that does not exist.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nclient:\n  protocol: grpc\n",
            "6:3",
            "client.protocol: \"grpc\": expected one of maelstrom, etcd, http-kv, exec",
        ),
        // An unknown template variable.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\ncommand: [\"{{binary}}\", \"--id={{nod}}\"]\nclient: {protocol: etcd}\n",
            "5:1",
            "unknown variable {{nod}}",
        ),
        // Both an image and a binary.
        (
            "name: x\nimage:\n  binary: /bin/sh\n  existing: busybox\nclient: {protocol: etcd, port: 1}\n",
            "2:1",
            "not both",
        ),
        // A missing binary, relative to the spec's directory.
        (
            "name: x\nimage:\n  binary: ./no-such-node\nclient: {protocol: maelstrom}\n",
            "3:3",
            "no-such-node",
        ),
        // exec without its command.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nclient:\n  protocol: exec\n",
            "5:1",
            "client.command",
        ),
        // exec with a program this machine does not have.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nclient:\n  protocol: exec\n  command: [/no/such/adapter, x]\n",
            "7:",
            "client.command: \"/no/such/adapter\": no executable file at /no/such/adapter",
        ),
        // A signal no kernel has, a port 0, a relative data directory.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nstop_signal: SIGFOO\nclient: {protocol: etcd}\n",
            "5:1",
            "stop_signal: \"SIGFOO\": expected a signal name",
        ),
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 0}\nclient: {protocol: etcd}\n",
            "4:",
            "port 0 is not a port",
        ),
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\ndata_dir: var/data\nclient: {protocol: etcd}\n",
            "5:1",
            "data_dir: \"var/data\": expected an absolute path inside the container",
        ),
        // A leader no protocol asks, and a leader probe of two kinds at once.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nleader: zab\nclient: {protocol: etcd}\n",
            "5:1",
            "leader: \"zab\": expected none, a protocol that can ask (etcd",
        ),
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nleader:\n  tcp: {port: 1}\n  command: [x]\nclient: {protocol: etcd}\n",
            "5:1",
            "leader: expected exactly one of",
        ),
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\ncluster_ready: {http: {port: 0, path: /}}\nclient: {protocol: etcd}\n",
            "5:1",
            "cluster_ready: port 0 is not a port",
        ),
        // A protocol's options it does not take.
        (
            "name: x\nimage:\n  binary: /bin/sh\nports: {client: 1}\nclient: {protocol: etcd, options: {x: 1}}\n",
            "5:",
            "client.options: the etcd protocol takes no options",
        ),
    ] {
        let (code, err) = run_spec(&d, yaml, &[]);
        assert_eq!(code, Some(254), "{yaml}\n{err}");
        assert!(
            err.contains(&format!("{spec}:{at}")) && err.contains(words),
            "want {spec}:{at} and {words:?} for\n{yaml}\ngot: {err}"
        );
    }
    // The good one parses: it fails later, for want of a workload its protocol drives.
    let (code, err) = run_spec(&d, GOOD, &["--workload", "g-set"]);
    assert_eq!(code, Some(254), "{err}");
    assert!(err.contains("does not serve the g-set workload"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn leader_aware_faults_are_refused_for_a_system_that_cannot_say_who_leads() {
    let d = dir("leaderless");
    for extra in [
        &["--nemesis", "partition", "--shapes", "isolate-leader"][..],
        &["--nemesis", "kill", "--targets", "leader"][..],
    ] {
        let (code, err) = run_spec(&d, GOOD, extra);
        assert_eq!(code, Some(254), "{extra:?}: {err}");
        assert!(
            err.contains("needs a system that can say who leads; mine cannot"),
            "{extra:?}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_maelstrom_program_that_is_missing_or_not_executable_is_named() {
    let d = dir("bin");
    let o = schism(&["run", "--system", "maelstrom", "--nemesis", "none"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(
        text(&o.stderr).contains("needs --bin PATH"),
        "{}",
        text(&o.stderr)
    );
    let plain = d.join("node");
    std::fs::write(&plain, "\x7fELF not really").unwrap();
    for (bin, words) in [
        (d.join("missing"), "No such file"),
        (plain, "not executable"),
    ] {
        let o = schism(&[
            "run",
            "--system",
            "maelstrom",
            "--bin",
            bin.to_str().unwrap(),
            "--workload",
            "echo",
        ]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(254), "{err}");
        assert!(
            err.contains(bin.to_str().unwrap()) && err.contains(words),
            "{err}"
        );
    }
    let o = schism(&["run", "--system", "raft", "--bin", "/bin/sh"]);
    assert!(text(&o.stderr).contains("--bin is for --system maelstrom"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn systems_lists_the_built_in_ones_and_the_specs_of_a_directory() {
    let d = dir("list");
    std::fs::write(d.join("good.yaml"), GOOD).unwrap();
    std::fs::write(d.join("bad.yaml"), "name: [\n").unwrap();
    let o = schism(&["systems", d.to_str().unwrap()]);
    let out = text(&o.stdout);
    for name in ["raft", "paxos", "om", "eig", "etcd", "maelstrom", "memory"] {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name}: {out}");
    }
    assert!(out.contains("good.yaml") && out.contains("mine"), "{out}");
    let redis = out.lines().find(|l| l.starts_with("redis ")).unwrap_or("");
    assert!(
        redis.contains("(workloads: register, set, list-append, rw-register)"),
        "a spec's line names its client's workloads: {redis}"
    );
    assert!(
        out.contains("bad.yaml") && out.contains("does not load"),
        "{out}"
    );
    assert_eq!(
        o.status.code(),
        Some(254),
        "a broken spec is listed and fails"
    );
    std::fs::remove_file(d.join("bad.yaml")).unwrap();
    let o = schism(&["systems", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let _ = std::fs::remove_dir_all(&d);
}
