//! etcd through system specs, as a user would copy them: the built-in spec copied outside
//! the repository runs the `lock` workload (etcd's lock and lease API) valid under
//! partitions; a spec on an existing local image (built from the first run's image) runs
//! the register workload valid. Nothing is left behind (`run_docker` asserts it).

mod common;
use common::{run_docker, store, text};
use serde_json::Value;
use std::process::Command;
use std::sync::Mutex;

static DOCKER: Mutex<()> = Mutex::new(());

const SHORT: [&str; 12] = [
    "--nodes",
    "3",
    "--time-limit",
    "8",
    "--recovery",
    "2",
    "--nemesis",
    "partition",
    "--nemesis-interval",
    "2",
    "--nemesis-duration",
    "3",
];

/// The built-in etcd spec, copied into a fresh directory outside the repository, with
/// `edit` applied to its text.
fn copied_spec(name: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = store("etcd-spec-file", name);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string("../systems/etcd.yaml").unwrap();
    let path = dir.join("my-etcd.yaml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

#[test]
fn a_copied_etcd_spec_runs_locks_that_never_have_two_holders() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let spec = copied_spec("lock", |t| t.replace("name: etcd", "name: my-etcd"));
    let mut args = vec!["--system", spec.to_str().unwrap(), "--workload", "lock"];
    args.extend_from_slice(&SHORT);
    let (code, out, r) = run_docker("etcd-spec", "lock", &args);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["system"], Value::from("my-etcd"));
    let history = r["history"].as_str().unwrap();
    let acquired = history
        .lines()
        .filter(|l| l.contains("\"acquire\"") && l.contains("\"ok\""))
        .count();
    assert!(acquired > 10, "only {acquired} locks acquired:\n{out}");
}

#[test]
fn a_spec_on_an_existing_local_image_runs() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    // Some etcd image schism built (the built-in spec's): the "existing" image here.
    let mut args = vec!["--system", "etcd", "--nemesis", "none"];
    args.extend_from_slice(&SHORT[..6]);
    let (code, out, _) = run_docker("etcd-spec", "base", &args);
    assert_eq!(code, Some(0), "{out}");
    let o = Command::new("docker")
        .args([
            "images",
            "--filter",
            "label=schism.image=etcd",
            "--format",
            "{{.Repository}}:{{.Tag}}",
        ])
        .output()
        .unwrap();
    let image = text(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(image.starts_with("schism/etcd:"), "{image:?}");
    let spec = copied_spec("existing", |t| {
        t.replace("name: etcd", "name: etcd-on-image")
            .replace("  binary: /usr/bin/etcd       # an ELF binary: packed with the libraries ldd names", &format!("  existing: {image}"))
            .replace("\"{{binary}}\"", "/app/etcd")
    });
    let mut args = vec!["--system", spec.to_str().unwrap()];
    args.extend_from_slice(&SHORT);
    let (code, out, r) = run_docker("etcd-spec", "existing", &args);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["system"], Value::from("etcd-on-image"));
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 50, "{out}");
}
