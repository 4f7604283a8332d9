//! `clock` on real binaries: programs libfaketime cannot move are refused before the run
//! starts, naming the fault, the system and why, exit 254, with nothing run: a Go program
//! (etcd's) and a Java VM (ZooKeeper's, refused since the JVM exited at random under
//! libfaketime 0.9.10 in this test's earlier form, which measured a bump, a strobe and a
//! drift inside a ZooKeeper node; see git history and docs/faults.md).

mod common;
use common::{schism, text};

fn refused(system: &str, why: &str) {
    let st = common::store("clock", system);
    let o = schism(&[
        "run",
        "--system",
        system,
        "--nemesis",
        "clock",
        "--store",
        st.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains("clock nemesis") && err.contains(system) && err.contains(why),
        "{err}"
    );
    assert!(
        !st.exists() || std::fs::read_dir(&st).unwrap().next().is_none(),
        "nothing ran"
    );
}

#[test]
fn a_go_programs_clock_is_refused_before_the_run_starts() {
    refused("etcd", "Go");
}

#[test]
fn a_java_vms_clock_is_refused_before_the_run_starts() {
    refused("zookeeper", "Java VM");
}
