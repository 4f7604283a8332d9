//! The Docker backend against the real engine: nodes are the host's static busybox serving
//! HTTP from their data directory, so every power of the Cluster trait can be seen from
//! outside (addresses, partitions, kill and start, pause and resume, logs, teardown).
//!
//! Each test uses its own run id (`t<pid>-<n>`) and tears its run down whatever happens
//! (the body runs under catch_unwind), then checks that nothing labelled with it is left.

use cluster::docker::{list_run_objects, remove_run, DockerCluster, ExecPath};
use cluster::{Cluster, ClusterError, ClusterSpec, ImageFile, ImageSpec, NodeCommand, Probe};
use futures_util::FutureExt;
use std::future::Future;
use std::net::Ipv4Addr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PORT: u16 = 8080;

fn run_id() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "t{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

fn busybox_image() -> ImageSpec {
    ImageSpec {
        name: "test-busybox".into(),
        files: vec![ImageFile {
            host_path: "/usr/bin/busybox".into(),
            image_path: "/bin/busybox".into(),
            with_libraries: true,
        }],
        dirs: vec!["/data".into()],
        base: None,
        texts: Vec::new(),
    }
}

/// Each node prints its name and peers, then serves /data over HTTP.
fn spec(run_id: &str, nodes: usize, probe: Probe, script: &'static str) -> ClusterSpec {
    ClusterSpec {
        run_id: run_id.to_string(),
        nodes,
        image: busybox_image(),
        command: Arc::new(move |name, ip, all| NodeCommand {
            argv: vec![
                "/bin/busybox".into(),
                "sh".into(),
                "-c".into(),
                script.into(),
            ],
            env: vec![
                ("NODE".into(), name.to_string()),
                ("IP".into(), ip.to_string()),
                (
                    "PEERS".into(),
                    all.iter()
                        .map(|(n, ip)| format!("{n}={ip}"))
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            ],
        }),
        probe,
        ready_timeout: Duration::from_secs(20),
        log_files: Vec::new(),
        stop_signal: None,
        data_dir: Some("/data".into()),
        power_loss: false,
        holder: cluster::Holder::busybox(),
    }
}

const HTTPD: &str = "echo started $NODE $IP peers $PEERS; echo ok > /data/index.html; exec /bin/busybox httpd -f -p 8080 -h /data";

/// Runs `body`, then always removes the run (and fails if anything of it is left).
async fn guarded<F, Fut>(run_id: &str, body: F)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    let outcome = AssertUnwindSafe(body()).catch_unwind().await;
    let removed = remove_run(run_id).await;
    let left = list_run_objects(run_id).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    removed.expect("remove_run");
    let (containers, networks) = left.expect("list_run_objects");
    assert!(
        containers.is_empty() && networks.is_empty(),
        "left behind: {containers:?} {networks:?}"
    );
}

/// GET from the host: (status, body), or None when nothing answers within a second.
async fn http_get(ip: Ipv4Addr, path: &str) -> Option<(u16, String)> {
    let fetch = async {
        let mut s = tokio::net::TcpStream::connect((ip, PORT)).await.ok()?;
        s.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
            .await
            .ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.ok()?;
        let status = answer.split(' ').nth(1)?.parse().ok()?;
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Some((status, body))
    };
    tokio::time::timeout(Duration::from_secs(1), fetch)
        .await
        .ok()
        .flatten()
}

/// An HTTP GET from inside `from`'s node container (busybox `nc`; the static busybox's
/// `wget` crashes resolving names): Ok(body) or Err(what went wrong).
async fn get_from(c: &DockerCluster, from: &str, to: Ipv4Addr) -> Result<String, String> {
    let script = format!("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 1 {to} {PORT}");
    let out = c
        .exec_in_node(from, &["/bin/busybox", "sh", "-c", &script])
        .await
        .map_err(|e| e.to_string())?;
    match out.stdout.split_once("\r\n\r\n") {
        Some((head, body)) if out.exit_code == 0 && head.contains(" 200 ") => Ok(body.to_string()),
        _ => Err(format!(
            "exit {}: {} {}",
            out.exit_code, out.stdout, out.stderr
        )),
    }
}

fn ip(c: &DockerCluster, node: &str) -> Ipv4Addr {
    c.nodes()
        .iter()
        .find(|n| n.name == node)
        .map(|n| n.ip)
        .expect("node")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_partition_heal_kill_start_and_teardown() {
    let id = run_id();
    let logs_dir = std::env::temp_dir().join(format!("schism-test-logs-{id}"));
    guarded(&id, || async {
        let c = DockerCluster::start(&spec(&id, 3, Probe::Tcp { port: PORT }, HTTPD))
            .await
            .expect("start");
        let names: Vec<&str> = c.nodes().iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["n1", "n2", "n3"]);
        let (n1, n2, n3) = (ip(&c, "n1"), ip(&c, "n2"), ip(&c, "n3"));
        assert!(n1 != n2 && n2 != n3 && n1 != n3, "{n1} {n2} {n3}");
        for addr in [n1, n2, n3] {
            assert_eq!(
                http_get(addr, "/").await,
                Some((200, "ok\n".into())),
                "{addr} from the host"
            );
        }
        assert!(matches!(
            c.kill("n9").await,
            Err(ClusterError::UnknownNode(_))
        ));

        // Partition: n1 drops what n2 sends; n3 still gets through; flushing heals.
        let n2_text = n2.to_string();
        c.exec_in_netns(
            "n1",
            &["iptables", "-A", "INPUT", "-s", &n2_text, "-j", "DROP"],
        )
        .await
        .expect("partition");
        assert!(get_from(&c, "n2", n1).await.is_err(), "n2 still reaches n1");
        assert_eq!(get_from(&c, "n3", n1).await.as_deref(), Ok("ok\n"));
        c.exec_in_netns("n1", &["iptables", "-F", "INPUT"])
            .await
            .expect("heal");
        assert_eq!(get_from(&c, "n2", n1).await.as_deref(), Ok("ok\n"));

        // Kill and start: same address, the data directory survives.
        let out = c
            .exec_in_node(
                "n1",
                &["/bin/busybox", "sh", "-c", "echo kept > /data/marker"],
            )
            .await
            .expect("write");
        assert_eq!(out.exit_code, 0, "{out:?}");
        c.kill("n1").await.expect("kill");
        assert!(
            !c.probe_once("n1", Duration::from_millis(300))
                .await
                .expect("probe"),
            "killed node answers"
        );
        c.kill("n1").await.expect("killing a dead node is a no-op");
        c.start("n1").await.expect("start");
        c.wait_ready("n1", Duration::from_secs(10))
            .await
            .expect("ready again");
        assert_eq!(ip(&c, "n1"), n1);
        assert_eq!(http_get(n1, "/marker").await, Some((200, "kept\n".into())));

        // Logs: the node's output, twice started.
        let log = c.logs("n1", 10).await.expect("logs");
        assert_eq!(log.matches("started n1").count(), 2, "{log}");
        assert!(
            log.contains(&format!("peers n1={n1},n2={n2},n3={n3}")),
            "{log}"
        );

        c.teardown(Some(&logs_dir)).await.expect("teardown");
        let (containers, networks) = list_run_objects(&id).await.expect("list");
        assert!(
            containers.is_empty() && networks.is_empty(),
            "{containers:?} {networks:?}"
        );
        for node in ["n1", "n2", "n3"] {
            let saved =
                std::fs::read_to_string(logs_dir.join(format!("{node}.log"))).expect("saved log");
            assert!(
                saved.contains(&format!("started {node}")),
                "{node}: {saved}"
            );
        }
        c.teardown(Some(&logs_dir))
            .await
            .expect("a second teardown is fine");
        let saved = std::fs::read_to_string(logs_dir.join("n1.log")).expect("saved log");
        assert!(
            saved.contains("started n1"),
            "the second teardown kept the saved logs"
        );
    })
    .await;
    let _ = std::fs::remove_dir_all(&logs_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_probe_pause_resume_exec_paths_and_cached_images() {
    let id = run_id();
    let second = run_id();
    guarded(&id, || async {
        let probe = Probe::Http {
            port: PORT,
            path: "/".into(),
        };
        let c = DockerCluster::start(&spec(&id, 2, probe.clone(), HTTPD))
            .await
            .expect("start");

        // A run id in use is refused, and the run that has it is untouched.
        let again = DockerCluster::start(&spec(&id, 1, probe.clone(), HTTPD)).await;
        assert!(
            matches!(again, Err(ClusterError::Docker(ref m)) if m.contains("in use")),
            "{again:?}"
        );
        assert_eq!(list_run_objects(&id).await.expect("list").0.len(), 4);

        // Pause: the frozen node misses its HTTP probe; the other does not; resume restores.
        c.pause("n1").await.expect("pause");
        assert!(!c
            .probe_once("n1", Duration::from_millis(500))
            .await
            .expect("probe"));
        assert!(c
            .probe_once("n2", Duration::from_millis(500))
            .await
            .expect("probe"));
        c.resume("n1").await.expect("resume");
        c.wait_ready("n1", Duration::from_secs(5))
            .await
            .expect("ready after resume");
        // Starting a running node is a no-op; killing a paused one thaws it first.
        c.start("n1").await.expect("start of a running node");
        c.pause("n2").await.expect("pause");
        c.kill("n2").await.expect("kill of a paused node");
        c.start("n2").await.expect("start");
        c.wait_ready("n2", Duration::from_secs(5))
            .await
            .expect("ready after kill of a paused node");

        // Both ways into the namespace see the same rules; the tools image's iptables loads
        // its plugins (statistic).
        let loss = [
            "iptables",
            "-A",
            "INPUT",
            "-m",
            "statistic",
            "--mode",
            "random",
            "--probability",
            "0.5",
            "-j",
            "DROP",
        ];
        c.exec_in_netns_via("n1", &loss, ExecPath::DockerExec)
            .await
            .expect("rule via docker exec");
        let rules = c
            .exec_in_netns_via("n1", &["iptables", "-S", "INPUT"], ExecPath::Nsenter)
            .await
            .expect("list via nsenter");
        assert!(rules.stdout.contains("statistic"), "{rules:?}");
        let ip_out = c
            .exec_in_netns_via("n1", &["ip", "-4", "addr"], ExecPath::DockerExec)
            .await
            .expect("ip in holder");
        assert!(
            ip_out.stdout.contains(&ip(&c, "n1").to_string()),
            "{ip_out:?}"
        );
        c.exec_in_netns_via("n1", &["tc", "qdisc", "show"], ExecPath::DockerExec)
            .await
            .expect("tc in holder");
        c.exec_in_netns("n1", &["iptables", "-F", "INPUT"])
            .await
            .expect("flush");
        match c
            .exec_in_netns(
                "n1",
                &["iptables", "-D", "INPUT", "-s", "192.0.2.1", "-j", "DROP"],
            )
            .await
        {
            Err(ClusterError::Exec {
                node,
                exit_code,
                stderr,
                ..
            }) => {
                assert_eq!(node, "n1");
                assert_ne!(exit_code, 0);
                assert!(!stderr.trim().is_empty());
            }
            other => panic!("deleting a rule that is not there: {other:?}"),
        }
        c.teardown(None).await.expect("teardown");

        // The same image spec again: nothing to build.
        guarded(&second, || async {
            let c = DockerCluster::start(&spec(&second, 1, probe, HTTPD))
                .await
                .expect("second start");
            assert!(
                c.images_built().is_empty(),
                "built again: {:?}",
                c.images_built()
            );
            c.teardown(None).await.expect("teardown");
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_exits_at_once_is_not_ready_and_leaves_nothing() {
    let id = run_id();
    guarded(&id, || async {
        let started = Instant::now();
        let spec = spec(
            &id,
            2,
            Probe::Tcp { port: PORT },
            "echo boom-on-$NODE; exit 3",
        );
        match DockerCluster::start(&spec).await {
            Err(ClusterError::NotReady {
                node,
                log_tail,
                probe,
                ..
            }) => {
                assert!(log_tail.contains(&format!("boom-on-{node}")), "{log_tail}");
                assert!(probe.contains("exited with code 3"), "{probe}");
            }
            other => panic!("expected NotReady, got {other:?}"),
        }
        // An exited container ends the wait long before the 20 s deadline.
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{:?}",
            started.elapsed()
        );
        let (containers, networks) = list_run_objects(&id).await.expect("list");
        assert!(
            containers.is_empty() && networks.is_empty(),
            "{containers:?} {networks:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_fails_start_before_creating_anything() {
    let id = run_id();
    guarded(&id, || async {
        let mut spec = spec(&id, 1, Probe::Tcp { port: PORT }, HTTPD);
        spec.image.files.push(ImageFile {
            host_path: "/nonexistent/schism-node".into(),
            image_path: "/bin/node".into(),
            with_libraries: false,
        });
        match DockerCluster::start(&spec).await {
            Err(ClusterError::MissingFile { path, .. }) => {
                assert_eq!(path, "/nonexistent/schism-node")
            }
            other => panic!("expected MissingFile, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_probe_and_a_log_file() {
    let id = run_id();
    guarded(&id, || async {
        let mut spec = spec(
            &id,
            1,
            Probe::Command {
                argv: vec![
                    "/bin/busybox".into(),
                    "test".into(),
                    "-f".into(),
                    "/data/ready".into(),
                ],
            },
            "echo on-stdout; sleep 0.3; echo in-the-file > /data/node.log; touch /data/ready; \
             exec /bin/busybox httpd -f -p 8080 -h /data",
        );
        spec.log_files = vec!["/data/node.log".into()];
        let c = DockerCluster::start(&spec).await.expect("start");
        let out = c
            .exec_in_node("n1", &["/bin/busybox", "test", "-f", "/data/ready"])
            .await
            .expect("exec");
        assert_eq!(out.exit_code, 0, "ready only once the file exists");
        let log = c.logs("n1", 10).await.expect("logs");
        assert_eq!(log, "on-stdout\n--- /data/node.log ---\nin-the-file\n");
        c.teardown(None).await.expect("teardown");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nodes_files_are_listed_read_and_written_running_or_stopped() {
    let id = run_id();
    guarded(&id, || async {
        let script =
            "mkdir -p /data/sub; [ -f /data/sub/a ] || echo one > /data/sub/a; : > /data/empty; \
                      exec /bin/busybox httpd -f -p 8080 -h /data";
        let c = DockerCluster::start(&spec(&id, 1, Probe::Tcp { port: 8080 }, script))
            .await
            .expect("start");
        let files = c.list_files("n1", "/data").await.expect("list");
        let paths: Vec<(&str, u64)> = files.iter().map(|f| (f.path.as_str(), f.size)).collect();
        assert_eq!(paths, [("/data/empty", 0), ("/data/sub/a", 4)]);
        // Stopped: read, rewrite, and the node sees the new bytes once started again.
        c.kill("n1").await.expect("kill");
        assert_eq!(
            c.read_file("n1", "/data/sub/a").await.expect("read"),
            b"one\n"
        );
        c.write_file("n1", "/data/sub/a", b"two\0\xff")
            .await
            .expect("write while stopped");
        c.start("n1").await.expect("start again");
        c.wait_ready("n1", Duration::from_secs(20))
            .await
            .expect("ready");
        let out = c
            .exec_in_node("n1", &["/bin/busybox", "od", "-An", "-c", "/data/sub/a"])
            .await
            .expect("exec");
        let compact: String = out.stdout.split_whitespace().collect();
        assert_eq!(compact, "two\\0377", "{out:?}");
        // Running: a new file in an existing directory.
        c.write_file("n1", "/data/new", b"x")
            .await
            .expect("write while running");
        assert_eq!(c.read_file("n1", "/data/new").await.expect("read"), b"x");
        assert!(c.read_file("n1", "/data/missing").await.is_err());
        c.teardown(None).await.expect("teardown");
    })
    .await;
}

/// Whether a TCP connection to `to` opens within a second, made by a thread that first
/// entered the namespace at `netns` (None: from the host).
async fn connects_from(netns: Option<std::path::PathBuf>, to: Ipv4Addr) -> bool {
    tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || {
            if let Some(p) = netns {
                shaper::netns::enter(&p).expect("setns");
            }
            let addr = std::net::SocketAddr::from((to, PORT));
            std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
        })
        .join()
        .expect("thread")
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn a_thread_in_a_nodes_namespace_is_cut_off_with_the_node() {
    let id = run_id();
    guarded(&id, || async {
        let c = DockerCluster::start(&spec(&id, 2, Probe::Tcp { port: PORT }, HTTPD))
            .await
            .expect("start");
        let (n1, n2) = (ip(&c, "n1"), ip(&c, "n2"));
        let beside_n1 = c.netns_path("n1").await.expect("netns").expect("a path");
        assert!(connects_from(None, n2).await, "the host reaches n2");
        assert!(
            connects_from(Some(beside_n1.clone()), n2).await,
            "n1's side reaches n2"
        );
        let n1_text = n1.to_string();
        c.exec_in_netns(
            "n2",
            &["iptables", "-A", "INPUT", "-s", &n1_text, "-j", "DROP"],
        )
        .await
        .expect("partition");
        assert!(connects_from(None, n2).await, "the host still reaches n2");
        assert!(
            !connects_from(Some(beside_n1.clone()), n2).await,
            "a client beside n1 is cut off from n2 with n1"
        );
        assert!(
            connects_from(Some(beside_n1.clone()), n1).await,
            "a client beside n1 still reaches n1"
        );
        c.exec_in_netns("n2", &["iptables", "-F", "INPUT"])
            .await
            .expect("heal");
        assert!(connects_from(Some(beside_n1), n2).await, "healed");
        c.teardown(None).await.expect("teardown");
    })
    .await;
}
