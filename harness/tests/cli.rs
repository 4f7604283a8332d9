//! `schism check` and `schism synth` end to end: verdicts, exit codes, output fields, and
//! a clear error naming the file and line for every kind of bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn schism(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schism"))
        .args(args)
        .output()
        .expect("schism runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn corpus(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/porcupine")
        .join(rel)
        .display()
        .to_string()
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schism-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const VALID: &str = r#"{"time":1,"process":0,"type":"invoke","f":"write","value":1}
{"time":2,"process":0,"type":"ok","f":"write","value":1}
{"time":3,"process":1,"type":"invoke","f":"read","value":null}
{"time":4,"process":1,"type":"ok","f":"read","value":1}
"#;

const STALE: &str = r#"{"time":1,"process":0,"type":"invoke","f":"write","value":1}
{"time":2,"process":0,"type":"ok","f":"write","value":1}
{"time":3,"process":1,"type":"invoke","f":"read","value":null}
{"time":4,"process":1,"type":"ok","f":"read","value":null}
"#;

#[test]
fn exit_codes_follow_the_verdict() {
    let valid = tmp("valid.jsonl", VALID);
    let stale = tmp("stale.jsonl", STALE);
    let o = schism(&["check", valid.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("valid "), "{}", stdout(&o));
    let o = schism(&["check", stale.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("read -> nil"),
        "one file: explained\n{}",
        stdout(&o)
    );
    let o = schism(&["check", valid.to_str().unwrap(), stale.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "the worst verdict wins");
    let summary = stdout(&o).lines().last().unwrap_or_default().to_string();
    assert!(
        summary.starts_with("2 files: 1 valid, 1 invalid"),
        "{summary}"
    );
}

#[test]
fn a_search_out_of_time_is_unknown_with_exit_2() {
    // One key of Porcupine's c50-bad kv log: refuting it takes Porcupine minutes.
    let text = std::fs::read_to_string(corpus("kv/c50-bad.txt")).unwrap();
    let key0: String = text
        .lines()
        .filter(|l| l.contains(":key \"0\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let hard = tmp("hard.txt", &key0);
    let o = schism(&["check", "--time-limit", "0.3", hard.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stdout(&o).starts_with("unknown "), "{}", stdout(&o));
    assert!(stdout(&o).contains("time limit"), "{}", stdout(&o));
}

#[test]
fn the_bundled_corpus_directories_are_checked_file_by_file() {
    let o = schism(&["check", &corpus("kv")]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("valid ")).count(),
        3,
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("invalid ")).count(),
        3,
        "{out}"
    );
    assert!(
        out.contains("6 files: 3 valid, 3 invalid, 0 unknown, 0 errors"),
        "{out}"
    );
}

#[test]
fn json_output_has_the_documented_fields_and_results_json_is_written() {
    let stale = tmp("stale2.jsonl", STALE);
    let results = stale.with_file_name("results.json");
    let o = schism(&[
        "check",
        "--json",
        "--results",
        results.to_str().unwrap(),
        stale.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    let line: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one object");
    for field in [
        "file",
        "valid",
        "model",
        "ops",
        "keys",
        "elapsed_ms",
        "anomalies",
    ] {
        assert!(line.get(field).is_some(), "{field} in {line}");
    }
    assert_eq!(line["valid"], serde_json::json!(false));
    assert_eq!(line["model"], serde_json::json!("register"));
    assert_eq!(line["ops"], serde_json::json!(2));
    assert_eq!(line["anomalies"][0]["ops"][0]["line"], serde_json::json!(3));
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    assert_eq!(stored["valid"], serde_json::json!(false));
    assert_eq!(stored["files"][0]["file"], line["file"]);
}

#[test]
fn bad_input_is_named_with_file_and_line_and_exits_254() {
    let malformed = tmp("malformed.jsonl", &format!("{VALID}{{\"time\":5,oops}}\n"));
    let unopened = tmp(
        "unopened.jsonl",
        r#"{"time":1,"process":0,"type":"ok","f":"read","value":1}"#,
    );
    let unknown = tmp("unknown.txt", "hello\n");
    let backwards = tmp(
        "backwards.jsonl",
        // 6 s back: more than clock jitter (up to 1 s back is evened out and noted).
        "{\"time\":9000000000,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n{\"time\":3000000000,\"process\":0,\"type\":\"ok\",\"f\":\"read\"}\n",
    );
    let edn = tmp(
        "bad.edn",
        "{:type :invoke, :process 0, :f :read}\n{:type :ok :process 0}\n",
    );
    let cas = tmp(
        "cas.jsonl",
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[1,2]}\n{\"process\":0,\"type\":\"ok\",\"f\":\"cas\",\"value\":[1,2]}\n",
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![malformed.display().to_string()], "malformed.jsonl:5:"),
        (
            vec![unopened.display().to_string()],
            "unopened.jsonl:1: process 0 completes read (ok) but has no open invocation",
        ),
        (
            vec![unknown.display().to_string()],
            "unknown.txt:1: cannot tell the history format",
        ),
        (
            vec![backwards.display().to_string()],
            "backwards.jsonl:2: time goes backwards",
        ),
        (
            vec![edn.display().to_string()],
            "bad.edn:2: op map has no :f",
        ),
        (
            vec!["/nonexistent/history.jsonl".into()],
            "/nonexistent/history.jsonl: cannot read",
        ),
        (
            vec![
                "--model".into(),
                "register".into(),
                cas.display().to_string(),
            ],
            "cas.jsonl:1: the linearizable checker cannot read this op: the register model has no function \"cas\"",
        ),
        (
            vec!["--time-limit".into(), "0".into(), cas.display().to_string()],
            "--time-limit must be a number of seconds",
        ),
        (
            vec!["--model".into(), "queue".into(), cas.display().to_string()],
            "invalid value 'queue'",
        ),
        (
            vec![
                "--format".into(),
                "porcupine-etcd".into(),
                cas.display().to_string(),
            ],
            "cas.jsonl:1: expected `INFO jepsen.util",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["check"];
        all.extend(args.iter().map(String::as_str));
        let o = schism(&all);
        assert_eq!(code(&o), 254, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(needle),
            "{args:?}: expected {needle:?} in {}",
            stderr(&o)
        );
    }
}

#[test]
fn one_bad_file_does_not_hide_the_others_results() {
    let valid = tmp("valid3.jsonl", VALID);
    let o = schism(&["check", valid.to_str().unwrap(), "/nonexistent/h.jsonl"]);
    assert_eq!(code(&o), 254);
    assert!(stdout(&o).lines().next().unwrap().starts_with("valid "));
    assert!(stdout(&o).contains("1 error"));
}

#[test]
fn synth_writes_histories_that_check_as_promised_in_both_formats() {
    for (format, ext) in [("jsonl", "jsonl"), ("jepsen-edn", "edn")] {
        let valid =
            std::env::temp_dir().join(format!("schism-synth-{}-valid.{ext}", std::process::id()));
        let stale =
            std::env::temp_dir().join(format!("schism-synth-{}-stale.{ext}", std::process::id()));
        let base = [
            "synth",
            "--ops",
            "2000",
            "--clients",
            "8",
            "--keys",
            "3",
            "--info",
            "0.02",
            "--format",
            format,
        ];
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["-o", valid.to_str().unwrap()]);
        assert_eq!(code(&schism(&a)), 0);
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--stale", "-o", stale.to_str().unwrap()]);
        let o = schism(&a);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stderr(&o).contains("stale read"));
        assert_eq!(
            code(&schism(&["check", valid.to_str().unwrap()])),
            0,
            "{format}"
        );
        assert_eq!(
            code(&schism(&["check", stale.to_str().unwrap()])),
            1,
            "{format}"
        );
    }
}

fn golden(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../checkers/tests/golden")
        .join(rel)
        .display()
        .to_string()
}

/// A Jepsen set history: adds 1 (ok), 2 (info), 3 (ok), then the final read.
fn jepsen_set(final_read: &str) -> String {
    let mut h = String::new();
    for (i, (p, kind, v)) in [
        (0, "invoke", 1),
        (0, "ok", 1),
        (1, "invoke", 2),
        (1, "info", 2),
        (2, "invoke", 3),
        (2, "ok", 3),
    ]
    .into_iter()
    .enumerate()
    {
        h += &format!("{{:type :{kind}, :f :add, :value {v}, :process {p}, :index {i}}}\n");
    }
    h += "{:type :invoke, :f :read, :value nil, :process 3, :index 6}\n";
    h += &format!("{{:type :ok, :f :read, :value {final_read}, :process 3, :index 7}}\n");
    h
}

#[test]
fn check_by_workload_judges_bank_set_and_transactional_edn_histories() {
    let run = |w: &str, path: &str| schism(&["check", "--workload", w, path]);
    let o = run("bank", &golden("bank/valid.edn"));
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = run("bank", &golden("bank/wrong-total.edn"));
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("wrong-total"), "{}", stdout(&o));
    // Told a total, the valid history's reads (which sum to 100) are all off.
    let valid = golden("bank/valid.edn");
    let o = schism(&["check", "--workload", "bank", "--bank-total", "90", &valid]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("the total the checker was given"),
        "{}",
        stdout(&o)
    );
    let o = schism(&["check", "--workload", "set", "--bank-total", "90", &valid]);
    assert_eq!(code(&o), 254);
    assert!(
        stderr(&o).contains("--bank-total 90 judges bank histories"),
        "{}",
        stderr(&o)
    );
    let o = run("list-append", &golden("txn/read-skew.edn"));
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("G-single"), "{}", stdout(&o));

    let whole = tmp("set-valid.edn", &jepsen_set("#{1 3}"));
    let o = run("set", whole.to_str().unwrap());
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let lost = tmp("set-lost.edn", &jepsen_set("#{1 2}"));
    let o = run("set", lost.to_str().unwrap());
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("element 3 is lost"), "{}", stdout(&o));
    // No read at all: nothing to judge.
    let none = tmp(
        "set-none.edn",
        &jepsen_set("#{1 3}").replace(":ok, :f :read", ":fail, :f :read"),
    );
    assert_eq!(code(&run("set", none.to_str().unwrap())), 2);

    let o = schism(&[
        "check",
        "--workload",
        "set",
        "--txn-model",
        "serializable",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 254);
    assert!(
        stderr(&o).contains("--txn-model serializable judges list-append"),
        "{}",
        stderr(&o)
    );
    let o = run("bankk", whole.to_str().unwrap());
    assert_eq!(code(&o), 254);
    assert!(
        stderr(&o).contains("no checkers for workload \"bankk\""),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("bank") && stderr(&o).contains("set"),
        "{}",
        stderr(&o)
    );
}
