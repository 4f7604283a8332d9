//! The cases a hostile or careless user found, each through the `schism` binary with the
//! verdict or error a user should get: numbers that must not be rounded, malformed ops,
//! times that must not panic or wrap, names that must not leave the store, files that must
//! not hang or exhaust memory, YAML that must be refused quickly and precisely.

mod common;
use common::{schism, text};
use std::path::PathBuf;
use std::process::Output;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("schism-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn file(name: &str, body: &str) -> String {
    let p = dir().join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

fn said(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

/// A write of `w` then a read of `r`, in JSONL.
fn write_read(w: &str, r: &str) -> String {
    format!(
        "{{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":{w}}}\n\
         {{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":{w}}}\n\
         {{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}}\n\
         {{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":{r}}}\n"
    )
}

#[test]
fn integers_beyond_64_bits_and_non_finite_floats_are_not_rounded() {
    for (w, r) in [
        ("18446744073709551616", "18446744073709551617"),
        ("-9223372036854775809", "-9223372036854775810"),
    ] {
        let o = schism(&["check", &file("big.jsonl", &write_read(w, r))]);
        assert_eq!(o.status.code(), Some(1), "{w} then {r}: {}", said(&o));
    }
    let same = write_read("18446744073709551616", "18446744073709551616");
    assert_eq!(
        schism(&["check", &file("same.jsonl", &same)]).status.code(),
        Some(0)
    );
    let edn = |w: &str, r: &str| {
        format!(
            "{{:process 0, :type :invoke, :f :write, :value {w}}}\n\
             {{:process 0, :type :ok, :f :write, :value {w}}}\n\
             {{:process 0, :type :invoke, :f :read, :value nil}}\n\
             {{:process 0, :type :ok, :f :read, :value {r}}}\n"
        )
    };
    let o = schism(&["check", &file("inf.edn", &edn("1", "##Inf"))]);
    assert_eq!(o.status.code(), Some(1), "Knossos: {}", said(&o));
    let nan = file("nan.edn", &edn("##NaN", "nil"));
    let o = schism(&["check", "--dialect", "porcupine", &nan]);
    assert_eq!(o.status.code(), Some(1), "Porcupine: {}", said(&o));
}

#[test]
fn a_malformed_op_is_an_input_error_with_file_and_line_in_every_workload() {
    let fewer = "{\"process\":0,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"r\",1,null],[\"append\",2,1]]}\n\
                 {\"process\":0,\"type\":\"ok\",\"f\":\"txn\",\"value\":[[\"r\",1,[]]]}\n";
    let bank = "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n\
                {\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":[10,10]}\n";
    let set = "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n\
               {\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":\"seven\"}\n";
    let counter = "{\"process\":0,\"type\":\"invoke\",\"f\":\"add\",\"value\":\"three\"}\n\
                   {\"process\":0,\"type\":\"ok\",\"f\":\"add\",\"value\":\"three\"}\n";
    for (workload, body, line) in [
        ("list-append", fewer, 2),
        ("bank", bank, 2),
        ("set", set, 2),
        ("g-counter", counter, 1),
    ] {
        let f = file(&format!("{workload}.jsonl"), body);
        let o = schism(&["check", "--workload", workload, &f]);
        assert_eq!(o.status.code(), Some(254), "{workload}: {}", said(&o));
        assert!(
            said(&o).contains(&format!("{f}:{line}: ")),
            "{workload}: {}",
            said(&o)
        );
    }
    let negative = "{\"process\":0,\"type\":\"invoke\",\"f\":\"add\",\"value\":-1}\n\
                    {\"process\":0,\"type\":\"ok\",\"f\":\"add\",\"value\":-1}\n";
    let o = schism(&[
        "check",
        "--workload",
        "g-counter",
        &file("neg.jsonl", negative),
    ]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(
        said(&o).contains("grow-only counter takes no negative delta"),
        "{}",
        said(&o)
    );
    let o = schism(&[
        "check",
        "--workload",
        "pn-counter",
        &file("neg.jsonl", negative),
    ]);
    assert_ne!(o.status.code(), Some(254), "{}", said(&o));
}

#[test]
fn times_are_bounded_before_anything_starts() {
    let h = file("v.jsonl", &write_read("1", "1"));
    for flags in [
        vec!["check", "--time-limit", "1e300", h.as_str()],
        vec!["report", "--time-limit", "1e300", h.as_str()],
    ] {
        let o = schism(&flags);
        assert_eq!(o.status.code(), Some(254), "{flags:?}: {}", said(&o));
        assert!(
            said(&o).contains("--time-limit must be a number of seconds"),
            "{}",
            said(&o)
        );
    }
    let store = dir().join("store");
    let st = store.to_str().unwrap();
    for (flag, value) in [
        ("--time-limit", "1e300"),
        ("--time-limit", "18446744074"),
        ("--recovery", "1e300"),
        ("--check-time-limit", "1e300"),
        ("--rate", "1e300"),
    ] {
        let o = schism(&["run", "--system", "memory", "--store", st, flag, value]);
        assert_eq!(o.status.code(), Some(254), "{flag} {value}: {}", said(&o));
        assert!(!store.exists(), "{flag} {value} started a run");
    }
    let spec = file("huge.yaml", "system: memory\ntime_limit_s: 1e300\n");
    let o = schism(&["run", &spec, "--store", st]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(said(&o).contains("time_limit_s must be"), "{}", said(&o));
}

#[test]
fn a_test_name_cannot_leave_the_store() {
    let store = dir().join("names");
    let st = store.to_str().unwrap();
    for name in ["../../../elsewhere", "/tmp/abs", "a\nb", "<b>x</b>"] {
        let o = schism(&[
            "run",
            "--system",
            "memory",
            "--time-limit",
            "0.1",
            "--store",
            st,
            "--name",
            name,
        ]);
        assert_eq!(o.status.code(), Some(254), "{name:?}: {}", said(&o));
        assert!(said(&o).contains("is not a test name"), "{}", said(&o));
    }
    let spec = file(
        "escape.yaml",
        "name: \"../../../elsewhere\"\nsystem: memory\n",
    );
    let o = schism(&["run", &spec, "--store", st]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(!dir().join("elsewhere").exists());
}

#[test]
fn only_regular_files_are_read_and_a_summary_agrees_with_its_exit_code() {
    let d = dir().join("fifo-dir");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("a.jsonl"), write_read("1", "2")).unwrap();
    let fifo = d.join("b.jsonl");
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // A FIFO is refused, not waited on; one invalid file and one unreadable: 254, "error".
    let o = schism(&["check", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(
        said(&o).contains("a FIFO (named pipe), not a regular file"),
        "{}",
        said(&o)
    );
    assert!(
        text(&o.stdout).trim_end().ends_with(": error"),
        "{}",
        said(&o)
    );
    let o = schism(&["check", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(said(&o).contains("a character device"), "{}", said(&o));
    // A spec that is a FIFO: refused at once.
    let o = schism(&["run", fifo.to_str().unwrap(), "--system", "memory"]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    // Over the size limit, and the flag that raises it.
    let big = file("big.jsonl", &write_read("1", "1").repeat(20_000));
    let o = schism(&["check", "--max-history-mb", "1", &big]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(
        said(&o).contains("raise it with --max-history-mb"),
        "{}",
        said(&o)
    );
    // Not UTF-8: the line and column of the first bad byte.
    let p = dir().join("latin1.jsonl");
    let mut bytes = write_read("1", "1").into_bytes();
    bytes.extend_from_slice(
        b"{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":\"\xe9\"}\n",
    );
    std::fs::write(&p, bytes).unwrap();
    let o = schism(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(
        said(&o).contains("latin1.jsonl:5:50: the history is not valid UTF-8"),
        "{}",
        said(&o)
    );
}

#[test]
fn a_torn_last_line_and_small_time_inversions_are_checked_and_said() {
    let torn = format!("{}{{\"process\":1,\"type\":\"inv", write_read("1", "1"));
    let o = schism(&["check", &file("torn.jsonl", &torn)]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert!(said(&o).contains("note: line 5 is cut off"), "{}", said(&o));
    // Jepsen's :time can go back a little between lines; the order of the lines rules.
    let edn = "{:index 0, :time 66867075, :type :invoke, :process 0, :f :write, :value 1}\n\
               {:index 1, :time 66786847, :type :invoke, :process 1, :f :read, :value nil}\n\
               {:index 2, :time 70000000, :type :ok, :process 0, :f :write, :value 1}\n\
               {:index 3, :time 71000000, :type :ok, :process 1, :f :read, :value 1}\n";
    let o = schism(&["check", &file("inverted.edn", edn)]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert!(
        said(&o).contains("time goes back on 1 line(s), by at most 0.080 ms"),
        "{}",
        said(&o)
    );
}

#[test]
fn hostile_yaml_is_refused_quickly_and_precisely() {
    let deep = file(
        "deep.yaml",
        &format!("nodes: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let started = std::time::Instant::now();
    let o = schism(&["run", &deep, "--system", "memory"]);
    assert_eq!(o.status.code(), Some(254), "{}", said(&o));
    assert!(
        said(&o).contains("deep.yaml:1:72: collections are nested more than 64 deep"),
        "{}",
        said(&o)
    );
    assert!(started.elapsed().as_secs() < 20, "the parser saw it");
    let unclosed = file("unclosed.yaml", "nodes: 3\nnemesis: [partition\n");
    let o = schism(&["run", &unclosed]);
    assert!(
        said(&o).contains("unclosed.yaml:3:1: did not find expected ',' or ']'"),
        "{}",
        said(&o)
    );
}
