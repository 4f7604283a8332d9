//! The README's first command on a host that has only Rust and a Docker engine: schism's
//! main job builds every image from what schism itself built (its node binary holds each
//! node's namespace) and the host's iptables and ip, which a Docker host has. Each test
//! runs `schism` in a mount namespace of its own (`unshare --mount`) where a host tool is
//! hidden by a bind mount, so the rest of the machine is untouched.

mod common;
use common::{leftovers, store, text};
use std::process::{Command, Output};
use std::sync::Mutex;

/// One Docker run at a time: the machine has two cores.
static DOCKER: Mutex<()> = Mutex::new(());

/// `schism ARGS` after `hide` (a shell command run first, inside a private mount namespace).
fn schism_hiding(hide: &str, args: &[&str]) -> Output {
    let script = format!("set -e; {hide}; exec \"$0\" \"$@\"");
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_schism"))
        .args(args)
        .output()
        .expect("unshare runs (util-linux)")
}

#[test]
fn the_main_job_runs_without_busybox() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let st = store("bare", "no-busybox");
    // An empty file over busybox: were it still packed and run, the holder could not start.
    let empty = st.with_extension("empty");
    std::fs::write(&empty, b"").unwrap();
    let hide = if std::path::Path::new("/usr/bin/busybox").exists() {
        format!("mount --bind {} /usr/bin/busybox", empty.display())
    } else {
        "true".to_string()
    };
    let o = schism_hiding(
        &hide,
        &[
            "run",
            "--nodes",
            "3",
            "--time-limit",
            "6",
            "--nemesis-interval",
            "1",
            "--store",
            st.to_str().unwrap(),
        ],
    );
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}");
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(st.join("latest/results.json")).expect("results.json"),
    )
    .unwrap();
    assert_eq!(results["valid"], true, "{out}");
    let history = std::fs::read_to_string(st.join("latest/history.jsonl")).unwrap();
    assert!(
        history.lines().filter(|l| l.contains("\"ok\"")).count() > 10,
        "too few ops completed: {out}"
    );
    let run_id = results["run_id"].as_str().unwrap();
    assert_eq!(leftovers(run_id), (0, 0));
    let _ = std::fs::remove_dir_all(&st);
    let _ = std::fs::remove_file(&empty);
}

#[test]
fn a_host_without_iptables_is_told_what_installs_it() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let st = store("bare", "no-iptables");
    // Containers of other runs (an earlier test's, left or being removed) are not this
    // run's: only what appears while it runs is.
    let before = schism_containers();
    // An empty directory over /usr/sbin (where /sbin points on Debian) hides iptables.
    let o = schism_hiding(
        "mount -t tmpfs none /usr/sbin",
        &[
            "run",
            "--nodes",
            "3",
            "--time-limit",
            "5",
            "--store",
            st.to_str().unwrap(),
        ],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(255), "{err}");
    assert!(err.contains("iptables"), "{err}");
    assert!(err.contains("scripts/install-deps"), "{err}");
    let left: Vec<String> = schism_containers()
        .into_iter()
        .filter(|c| !before.contains(c))
        .collect();
    assert!(left.is_empty(), "containers left: {left:?}");
    let _ = std::fs::remove_dir_all(&st);
}

/// Every container labelled `schism.run`: its id, name and run id.
fn schism_containers() -> Vec<String> {
    common::schism_containers("{{.ID}} {{.Names}} {{.Label \"schism.run\"}}")
}
