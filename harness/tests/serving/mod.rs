//! What the tests of `schism serve` share: a store with a real memory run (plus a hostile
//! test name, a sweep, and a symlink leading out of the store), and the server as a child
//! process that is killed when its guard is dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What a system under test could put in a name (no `/`: it names a directory).
pub const EVIL_TEST: &str = "evil<img src=x onerror=alert(1)>&\"'";

/// A store for one test, made once: `memory-register/<time>/` (a 1 s memory run with the
/// kill nemesis and seed 7), `<EVIL_TEST>/20200101T000000Z/` (a copy of its results), a
/// sweep whose sweep.md holds markup, and `<run dir>/leak`, a symlink to a file outside
/// the store. Returns the store and the memory run's directory.
pub fn store(name: &str) -> (PathBuf, PathBuf) {
    let base = std::env::temp_dir().join(format!("schism-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let store = base.join("store");
    let o = Command::new(env!("CARGO_BIN_EXE_schism"))
        .args([
            "run",
            "--system",
            "memory",
            "--time-limit",
            "1",
            "--rate",
            "200",
            "--nemesis",
            "kill",
            "--nemesis-interval",
            "0.2",
            "--nemesis-duration",
            "0.1",
            "--recovery",
            "0.1",
            "--seed",
            "7",
            "--store",
        ])
        .arg(&store)
        .output()
        .expect("schism runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let run = std::fs::canonicalize(store.join("latest")).unwrap();
    let evil = store.join(EVIL_TEST).join("20200101T000000Z");
    std::fs::create_dir_all(&evil).unwrap();
    let results = std::fs::read_to_string(run.join("results.json")).unwrap();
    let mut r: serde_json::Value = serde_json::from_str(&results).unwrap();
    r["test"] = EVIL_TEST.into();
    std::fs::write(evil.join("results.json"), r.to_string()).unwrap();
    let sweep = store.join("sweeps/20210101T000000Z");
    std::fs::create_dir_all(&sweep).unwrap();
    std::fs::write(sweep.join("sweep.md"), "| nodes | <b>bold</b> |\n").unwrap();
    std::fs::write(
        sweep.join("sweep.json"),
        r#"{"status": "complete", "runs_done": 2, "runs_planned": 2}"#,
    )
    .unwrap();
    std::fs::write(base.join("secret.txt"), "outside the store").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), run.join("leak")).unwrap();
    (store, run)
}

/// `schism serve` running as a child process; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`, as it printed first.
    pub url: String,
}

impl Server {
    /// Start `schism serve --port 0 --store STORE` and read the URL it prints.
    pub fn start(store: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schism"))
            .args(["serve", "--port", "0", "--store"])
            .arg(store)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("schism serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server {
            child,
            url: String::new(),
        };
        server.url = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("schism serve printed its URL")
            .trim()
            .to_string();
        assert!(
            server.url.starts_with("http://127.0.0.1:") && server.url.ends_with('/'),
            "{:?}",
            server.url
        );
        server
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        let rest = self.url.trim_start_matches("http://127.0.0.1:");
        rest.trim_end_matches('/').parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of a run directory under the store, for URLs: `runs/<test>/<time>/`.
pub fn run_path(store: &Path, run: &Path) -> String {
    let store = std::fs::canonicalize(store).unwrap();
    let rel = run.strip_prefix(&store).unwrap();
    format!("runs/{}/", rel.display())
}
