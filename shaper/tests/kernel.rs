//! The shaper against the real kernel: a fresh network namespace (`ip netns add`, root),
//! an NFQUEUE rule on its loopback for one UDP port, and datagrams sent through it.
//! Asserts lower bounds and counts, never timings from above.

use shaper::{Config, Counts, Plan, Shaper};
use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const MARK: u32 = 0x5c15;

/// A namespace with loopback up and the NFQUEUE rule; deleted on drop.
struct Netns {
    name: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Netns {
    fn new(test: &str, port: u16, queue: u16) -> Netns {
        let name = format!("schism-shaper-{test}-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        ip(&["netns", "add", &name]);
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        let (port, queue, mark) = (port.to_string(), queue.to_string(), MARK.to_string());
        ip(&[
            "netns",
            "exec",
            &name,
            "iptables",
            "-w",
            "-A",
            "OUTPUT",
            "-o",
            "lo",
            "-p",
            "udp",
            "--dport",
            &port,
            "-m",
            "mark",
            "!",
            "--mark",
            &mark,
            "-j",
            "NFQUEUE",
            "--queue-num",
            &queue,
            "--queue-bypass",
        ]);
        Netns { name }
    }

    fn path(&self) -> PathBuf {
        PathBuf::from(format!("/run/netns/{}", self.name))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// Send `payloads` to the port inside the namespace and collect what arrives (with the time
/// each took since the first was sent) until nothing comes for `quiet`.
fn exchange(
    ns: &Netns,
    port: u16,
    payloads: Vec<Vec<u8>>,
    quiet: Duration,
) -> Vec<(Vec<u8>, Duration)> {
    let path = ns.path();
    std::thread::spawn(move || {
        shaper::netns::enter(&path).expect("enter");
        let rx = UdpSocket::bind(("127.0.0.1", port)).expect("bind");
        rx.set_read_timeout(Some(quiet)).unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let t0 = Instant::now();
        for p in &payloads {
            tx.send_to(p, ("127.0.0.1", port)).unwrap();
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 2048];
        while let Ok(n) = rx.recv(&mut buf) {
            got.push((buf[..n].to_vec(), t0.elapsed()));
        }
        got
    })
    .join()
    .expect("the sender")
}

fn shaped(
    test: &str,
    port: u16,
    plan: Plan,
    payloads: Vec<Vec<u8>>,
) -> (Vec<(Vec<u8>, Duration)>, Counts) {
    let ns = Netns::new(test, port, 7);
    let s = Shaper::start(Config {
        name: test.into(),
        netns: ns.path(),
        queue: 7,
        mark: MARK,
        plan,
        seed: 11,
    })
    .expect("start");
    let got = exchange(&ns, port, payloads, Duration::from_millis(400));
    let counts = s.stop().expect("stop");
    (got, counts)
}

fn numbered(n: u8) -> Vec<Vec<u8>> {
    (0..n).map(|i| vec![i; 100]).collect()
}

#[test]
fn delayed_datagrams_arrive_no_sooner_than_the_delay() {
    let (got, c) = shaped(
        "delay",
        4101,
        Plan::Delay {
            delay_ms: 150,
            jitter_ms: 0,
        },
        numbered(3),
    );
    assert_eq!(got.len(), 3);
    assert!(
        got.iter().all(|(_, t)| *t >= Duration::from_millis(150)),
        "{got:?}"
    );
    assert_eq!((c.packets, c.delayed, c.reordered), (3, 3, 0));
}

#[test]
fn every_datagram_is_duplicated() {
    let (got, c) = shaped(
        "dup",
        4102,
        Plan::Duplicate { probability: 1.0 },
        numbered(5),
    );
    assert_eq!(got.len(), 10, "{got:?}");
    assert_eq!((c.packets, c.duplicated, c.errors), (5, 5, 0));
    for i in 0..5u8 {
        assert_eq!(got.iter().filter(|(p, _)| p[0] == i).count(), 2);
    }
}

#[test]
fn corrupted_datagrams_arrive_with_one_bit_flipped() {
    let sent = numbered(4);
    let (got, c) = shaped(
        "corrupt",
        4103,
        Plan::Corrupt { probability: 1.0 },
        sent.clone(),
    );
    assert_eq!(
        got.len(),
        4,
        "the damaged datagrams passed the receiver's checksum check"
    );
    assert_eq!(c.corrupted, 4);
    for ((p, _), s) in got.iter().zip(&sent) {
        let bits: u32 = p.iter().zip(s).map(|(a, b)| (a ^ b).count_ones()).sum();
        assert_eq!(bits, 1);
    }
}

#[test]
fn held_back_datagrams_are_overtaken_and_counted() {
    let plan = Plan::Reorder {
        probability: 0.5,
        hold_ms: 60,
    };
    let (got, c) = shaped("reorder", 4104, plan, numbered(20));
    assert_eq!(got.len(), 20);
    let order: Vec<u8> = got.iter().map(|(p, _)| p[0]).collect();
    assert_ne!(order, (0..20).collect::<Vec<u8>>());
    assert!(c.reordered > 0 && c.delayed > 0, "{c:?}");
}

#[test]
fn a_rate_spaces_datagrams_out() {
    // 10 kB/s, no burst: five 1000-byte datagrams (1028 on the wire) leave over ~0.4 s.
    let plan = Plan::Rate {
        bytes_per_s: 10_000,
        burst_bytes: 0,
        queue_bytes: 1_000_000,
    };
    let payloads = (0..5).map(|i| vec![i; 1000]).collect();
    let (got, c) = shaped("rate", 4105, plan, payloads);
    assert_eq!(got.len(), 5);
    assert!(got[4].1 >= Duration::from_millis(400), "{got:?}");
    assert_eq!(c.dropped, 0);
}

#[test]
fn a_namespace_that_does_not_exist_is_named() {
    let e = Shaper::start(Config {
        name: "nowhere".into(),
        netns: PathBuf::from("/run/netns/schism-no-such-namespace"),
        queue: 7,
        mark: MARK,
        plan: Plan::Duplicate { probability: 1.0 },
        seed: 1,
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("schism-no-such-namespace"), "{e}");
}
