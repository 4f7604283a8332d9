//! What the etcd tests share: a real single-member etcd on loopback, started in a temp
//! directory on two free ports, and stopped (its directory removed) when dropped.
//!
//! It needs the `etcd` binary on the PATH (Debian's etcd-server package).

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running etcd, killed when dropped.
pub struct Etcd {
    child: Child,
    dir: PathBuf,
    /// Its client address, `127.0.0.1:port`.
    pub addr: String,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A loopback port free when asked.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start an etcd whose data directory is named after `tag` (`schism-{tag}-...` in the temp
/// directory), and wait until its client port accepts connections (its gateway may need a
/// moment more).
pub fn start_etcd(tag: &str) -> Etcd {
    let (client, peer) = (free_port(), free_port());
    let dir = std::env::temp_dir().join(format!("schism-{tag}-{}-{client}", std::process::id()));
    let child = Command::new("etcd")
        .args([
            "--name",
            "t",
            "--data-dir",
            dir.to_str().unwrap(),
            "--listen-client-urls",
            &format!("http://127.0.0.1:{client}"),
            "--advertise-client-urls",
            &format!("http://127.0.0.1:{client}"),
            "--listen-peer-urls",
            &format!("http://127.0.0.1:{peer}"),
            "--initial-advertise-peer-urls",
            &format!("http://127.0.0.1:{peer}"),
            "--initial-cluster",
            &format!("t=http://127.0.0.1:{peer}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the etcd binary (Debian's etcd-server package) is installed");
    let addr = format!("127.0.0.1:{client}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "etcd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Etcd { child, dir, addr }
}
