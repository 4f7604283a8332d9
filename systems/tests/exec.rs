//! The exec client against small adapters written by the test: a python3 in-memory
//! register (read, write, cas, and ops that answer garbage, hang or exit), a shell script
//! that exits at start, and commands that are missing or not executable.

use history::{Key, OpType};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use systems::client::exec::ExecClient;
use workloads::{Client, Invocation};

const PYTHON: &str = "/usr/bin/python3";

/// An in-memory register per key. `garble` answers a line that is not JSON, `twice` two
/// lines at once, `hang` never answers, `crash` exits with code 7 after a word on stderr,
/// `env` answers $SCHISM_TEST.
const REGISTER: &str = r#"
import json, os, sys, time
reg = {}
for line in sys.stdin:
    op = json.loads(line)
    f, k, v = op["f"], json.dumps(op["key"]), op["value"]
    if f == "read":
        out = {"type": "ok", "value": reg.get(k)}
    elif f == "write":
        reg[k] = v
        out = {"type": "ok"}
    elif f == "cas":
        if reg.get(k) != v[0]:
            out = {"type": "fail", "error": "compare-failed"}
        else:
            reg[k] = v[1]
            out = {"type": "ok"}
    elif f == "garble":
        print("this is <not> json", flush=True)
        continue
    elif f == "twice":
        sys.stdout.write('{"type": "ok"}\n{"type": "ok", "value": "stale"}\n')
        sys.stdout.flush()
        continue
    elif f == "hang":
        time.sleep(60)
        continue
    elif f == "crash":
        print("adapter lost its connection", file=sys.stderr, flush=True)
        sys.exit(7)
    elif f == "env":
        out = {"type": "ok", "value": os.environ.get("SCHISM_TEST")}
    else:
        out = {"type": "info", "error": "unknown op " + f}
    print(json.dumps(out), flush=True)
"#;

/// A temporary directory, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("schism-exec-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn inv(f: &str, key: i64, value: Value) -> Invocation {
    Invocation::new(f, Some(Key::Int(key)), value)
}

fn register(dir: &Dir, timeout: Duration) -> ExecClient {
    let script = dir.file("register.py", REGISTER);
    ExecClient::spawn(
        vec![PYTHON.into(), script],
        vec![("SCHISM_TEST".into(), "hello".into())],
        timeout,
    )
    .unwrap()
}

#[tokio::test]
async fn a_register_adapter_round_trips() {
    let dir = Dir::new("register");
    let mut c = register(&dir, Duration::from_secs(10));
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, &r.value), (OpType::Ok, &Value::Null), "{r:?}");
    let w = c.invoke(&inv("write", 1, json!(3))).await;
    assert_eq!((w.kind, &w.value), (OpType::Ok, &json!(3)), "{w:?}");
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!(3)));
    let cas = c.invoke(&inv("cas", 1, json!([2, 4]))).await;
    assert_eq!(cas.kind, OpType::Fail, "{cas:?}");
    assert_eq!(cas.error.as_deref(), Some(history::COMPARE_FAILED));
    assert_eq!(cas.value, json!([2, 4]));
    let cas = c.invoke(&inv("cas", 1, json!([3, 4]))).await;
    assert_eq!(cas.kind, OpType::Ok, "{cas:?}");
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!(4)));
    // Keys travel as JSON: the string "1" is another key than the integer 1.
    let r = c
        .invoke(&Invocation::new(
            "read",
            Some(Key::Str("1".into())),
            Value::Null,
        ))
        .await;
    assert_eq!((r.kind, r.value), (OpType::Ok, Value::Null));
    // Any op is passed through, and the environment reaches the command.
    let e = c.invoke(&inv("env", 0, Value::Null)).await;
    assert_eq!((e.kind, e.value), (OpType::Ok, json!("hello")));
    let u = c.invoke(&inv("frobnicate", 0, json!(1))).await;
    assert_eq!(u.kind, OpType::Info);
    assert_eq!(u.error.as_deref(), Some("unknown op frobnicate"));
}

#[tokio::test]
async fn garbage_is_quoted_and_the_command_restarted() {
    let dir = Dir::new("garbage");
    let mut c = register(&dir, Duration::from_secs(10));
    let w = c.invoke(&inv("write", 1, json!(5))).await;
    assert_eq!(w.kind, OpType::Ok);
    let g = c.invoke(&inv("garble", 1, json!(1))).await;
    assert_eq!(g.kind, OpType::Info, "{g:?}");
    assert_eq!(
        g.error.as_deref(),
        Some(r#"the exec client answered garbage: "this is <not> json""#)
    );
    // A fresh process: the register it held is gone, and it answers again.
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, &r.value), (OpType::Ok, &Value::Null), "{r:?}");
}

#[tokio::test]
async fn an_extra_answer_is_never_taken_for_the_next_op() {
    let dir = Dir::new("twice");
    let mut c = register(&dir, Duration::from_secs(10));
    let w = c.invoke(&inv("write", 1, json!(5))).await;
    assert_eq!(w.kind, OpType::Ok);
    let t = c.invoke(&inv("twice", 1, json!(1))).await;
    assert_eq!(t.kind, OpType::Ok, "{t:?}");
    // Both lines came in one write: the second is there before the next op is sent, and
    // the command is replaced rather than believed.
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, &r.value), (OpType::Ok, &Value::Null), "{r:?}");
}

#[tokio::test]
async fn an_exit_is_reported_with_its_code_and_stderr() {
    let dir = Dir::new("crash");
    let mut c = register(&dir, Duration::from_secs(10));
    let w = c.invoke(&inv("write", 1, json!(5))).await;
    assert_eq!(w.kind, OpType::Ok);
    let x = c.invoke(&inv("crash", 1, json!(1))).await;
    assert_eq!(
        x.kind,
        OpType::Info,
        "it may have acted before exiting: {x:?}"
    );
    let e = x.error.unwrap();
    assert!(
        e.contains("code 7") && e.contains("adapter lost its connection"),
        "{e}"
    );
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(
        (r.kind, &r.value),
        (OpType::Ok, &Value::Null),
        "restarted: {r:?}"
    );

    // One that exits at once: a read fails (whether the op was written before the exit
    // was seen or not), naming the code and the end of stderr.
    let script = dir.file(
        "early.sh",
        "echo 'starting' >&2\necho 'no cluster to talk to' >&2\nexit 3\n",
    );
    let mut c = ExecClient::spawn(
        vec!["/bin/sh".into(), script],
        vec![],
        Duration::from_secs(10),
    )
    .unwrap();
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(r.kind, OpType::Fail, "{r:?}");
    let e = r.error.unwrap();
    assert!(
        e.contains("code 3") && e.contains("starting | no cluster to talk to"),
        "{e}"
    );
}

#[tokio::test]
async fn a_silent_command_times_out_and_is_replaced() {
    let dir = Dir::new("hang");
    let mut c = register(&dir, Duration::from_millis(500));
    let w = c.invoke(&inv("write", 1, json!(5))).await;
    assert_eq!(w.kind, OpType::Ok);
    let h = c.invoke(&inv("hang", 1, json!(1))).await;
    assert_eq!(h.kind, OpType::Info, "{h:?}");
    assert!(h.error.unwrap().contains("did not answer"));
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(
        (r.kind, &r.value),
        (OpType::Ok, &Value::Null),
        "restarted: {r:?}"
    );
}

#[tokio::test]
async fn missing_or_unexecutable_commands_are_named() {
    let dir = Dir::new("missing");
    let missing = dir.0.join("no-such-adapter");
    let e = ExecClient::spawn(
        vec![missing.to_str().unwrap().into()],
        vec![],
        Duration::from_secs(1),
    )
    .err()
    .unwrap();
    assert!(e.contains(missing.to_str().unwrap()), "{e}");
    let plain = dir.file("plain.sh", "exit 0\n");
    let e = ExecClient::spawn(vec![plain.clone()], vec![], Duration::from_secs(1))
        .err()
        .unwrap();
    assert!(e.contains(&plain) && e.contains("not executable"), "{e}");
    let e = ExecClient::spawn(
        vec!["schism-no-such-adapter".into()],
        vec![],
        Duration::from_secs(1),
    )
    .err()
    .unwrap();
    assert!(e.contains("schism-no-such-adapter"), "{e}");
}
