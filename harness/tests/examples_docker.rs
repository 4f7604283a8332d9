//! The examples of `examples/`, through schism on real containers, as a user would run
//! them: every correct Maelstrom node in Python is valid under partitions, every buggy one
//! is invalid with the anomaly its docstring names; the key-value server over HTTP
//! (`http-kv`) and through a client adapter (`exec`) likewise; a Byzantine node and kills
//! reach a wrapped Python node too. Nothing is left behind (`run_docker` asserts it).

mod common;
use common::run_docker;
use serde_json::Value;

/// Short runs of three nodes with partitions coming and going.
const SHORT: [&str; 14] = [
    "--nodes",
    "3",
    "--time-limit",
    "8",
    "--recovery",
    "3",
    "--nemesis-interval",
    "2",
    "--nemesis-duration",
    "3",
    "--client-timeout-ms",
    "1500",
    "--concurrency",
    "6",
];

fn run(name: &str, args: &[&str]) -> (Option<i32>, String, Value) {
    let mut all = SHORT.to_vec();
    all.extend_from_slice(args);
    run_docker("examples", name, &all)
}

/// The kinds of the anomalies of the checkers that found the run invalid.
fn anomaly_kinds(r: &Value) -> Vec<String> {
    r["checkers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["valid"] == Value::Bool(false))
        .flat_map(|c| c["anomalies"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a["kind"].as_str().map(String::from))
        .collect()
}

/// Runs a Maelstrom example: `expect` None for valid, else the anomaly kind it must show.
/// `name` names the run's store (one per test: tests run at once).
fn maelstrom(
    name: &str,
    script: &str,
    workload: &str,
    expect: Option<&str>,
    extra: &[&str],
) -> Value {
    let bin = format!("../examples/maelstrom/python/{script}");
    let mut args = vec![
        "--system",
        "maelstrom",
        "--bin",
        &bin,
        "--workload",
        workload,
        "--nemesis",
        "partition",
    ];
    args.extend_from_slice(extra);
    let (code, out, r) = run(name, &args);
    match expect {
        None => {
            assert_eq!(code, Some(0), "{script} should be valid:\n{out}");
            assert_eq!(r["valid"], Value::Bool(true));
            assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 50, "{out}");
        }
        Some(kind) => {
            assert_eq!(code, Some(1), "{script} should be invalid:\n{out}");
            let kinds = anomaly_kinds(&r);
            assert!(
                kinds.iter().any(|k| k == kind),
                "{script}: want a {kind} anomaly, got {kinds:?}:\n{out}"
            );
        }
    }
    r
}

macro_rules! example {
    ($test:ident, $script:expr, $workload:expr, $expect:expr) => {
        #[test]
        fn $test() {
            maelstrom(stringify!($test), $script, $workload, $expect, &[]);
        }
    };
}

example!(echo_is_valid, "echo.py", "echo", None);
example!(
    echo_bug_is_caught,
    "echo_buggy.py",
    "echo",
    Some("wrong-echo")
);
example!(unique_ids_are_valid, "unique_ids.py", "unique-ids", None);
example!(
    unique_ids_bug_is_caught,
    "unique_ids_buggy.py",
    "unique-ids",
    Some("duplicate-id")
);
example!(g_set_is_valid, "g_set.py", "g-set", None);
example!(g_set_bug_is_caught, "g_set_buggy.py", "g-set", Some("lost"));
example!(broadcast_is_valid, "broadcast.py", "broadcast", None);
example!(
    broadcast_bug_is_caught,
    "broadcast_buggy.py",
    "broadcast",
    Some("lost")
);
example!(g_counter_is_valid, "g_counter.py", "g-counter", None);
example!(
    g_counter_bug_is_caught,
    "g_counter_buggy.py",
    "g-counter",
    Some("out-of-bounds")
);
example!(pn_counter_is_valid, "pn_counter.py", "pn-counter", None);
example!(
    pn_counter_bug_is_caught,
    "pn_counter_buggy.py",
    "pn-counter",
    Some("out-of-bounds")
);
example!(lin_kv_is_valid, "lin_kv.py", "register", None);
example!(
    lin_kv_bug_is_caught,
    "lin_kv_buggy.py",
    "register",
    Some("nonlinearizable")
);
example!(lock_is_valid, "lock.py", "lock", None);
example!(
    lock_bug_is_caught,
    "lock_buggy.py",
    "lock",
    Some("two-holders")
);

#[test]
fn lin_kv_keeps_its_state_across_kills() {
    maelstrom(
        "lin_kv_kills",
        "lin_kv.py",
        "register",
        None,
        &["--nemesis", "partition,kill"],
    );
}

#[test]
fn a_byzantine_node_reaches_a_wrapped_python_node_and_its_lies_are_caught() {
    // One node corrupts the elements it gossips; the lies spread to the correct nodes.
    let r = maelstrom(
        "g_set_byzantine",
        "g_set.py",
        "g-set",
        Some("unexpected"),
        &[
            "--nemesis",
            "byzantine",
            "--byzantine",
            "corrupt",
            "--lie-fields",
            "value.*",
            "--traitors",
            "1",
        ],
    );
    let history = r["history"].as_str().unwrap_or("");
    assert!(
        history.contains("\"byzantine\"") && history.contains("mutate"),
        "the final heal records what the traitor did"
    );
}

fn http_kv(spec: &str, name: &str) -> (Option<i32>, String, Value) {
    let path = format!("../examples/{spec}");
    run(name, &["--system", &path, "--nemesis", "partition,kill"])
}

#[test]
fn the_http_kv_server_is_linearizable() {
    let (code, out, r) = http_kv("http-kv/system.yaml", "http-kv");
    assert_eq!(code, Some(0), "{out}");
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 50, "{out}");
}

#[test]
fn the_http_kv_server_with_stale_reads_is_caught() {
    let (code, out, r) = http_kv("http-kv/system-buggy.yaml", "http-kv-buggy");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        anomaly_kinds(&r).contains(&"nonlinearizable".to_string()),
        "{out}"
    );
}

#[test]
fn the_exec_client_drives_the_http_kv_server() {
    let (code, out, r) = http_kv("exec/system.yaml", "exec");
    assert_eq!(code, Some(0), "{out}");
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 50, "{out}");
    assert_eq!(r["system"], Value::from("py-exec-kv"));
}

#[test]
fn a_program_that_exits_at_start_is_named_with_its_exit_code_and_stderr() {
    let dir = common::store("examples", "crash-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("crash.py");
    std::fs::write(
        &script,
        "#!/usr/bin/env python3\nimport sys\nsys.stderr.write('cannot open /etc/my-node.conf\\n')\nsys.exit(3)\n",
    )
    .unwrap();
    let st = dir.join("store");
    let o = common::schism(&[
        "run",
        "--system",
        "maelstrom",
        "--bin",
        script.to_str().unwrap(),
        "--workload",
        "echo",
        "--nodes",
        "3",
        "--store",
        st.to_str().unwrap(),
    ]);
    let err = common::text(&o.stderr);
    assert_eq!(o.status.code(), Some(255), "{err}");
    for words in [
        "/app/crash.py",
        "exited with code 3",
        "cannot open /etc/my-node.conf",
    ] {
        assert!(err.contains(words), "{words:?} in:\n{err}");
    }
    // Its containers and network are gone (the run id is in the run's log).
    let log = std::fs::read_dir(st.join("maelstrom-echo"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("schism.log")).ok())
        .next()
        .unwrap_or_default();
    let run_id = log
        .split("run_id=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the run id is logged");
    assert_eq!(common::leftovers(run_id), (0, 0));
    let _ = std::fs::remove_dir_all(&dir);
}
