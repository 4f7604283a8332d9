//! Readiness: is a node answering yet?
//!
//! The host reaches container addresses on the run's bridge directly, so TCP and HTTP
//! probes go from here: a TCP connect, or a minimal HTTP/1.0 GET whose status line must say
//! 2xx (no HTTP library needed for one line). A command probe runs in the node container.
//! Polling every 50 ms until a deadline; a node whose container has stopped cannot become
//! ready, so that ends the wait early.

use super::engine::docker_err;
use super::exec::docker_exec;
use crate::{ClusterError, Probe};
use bollard::Docker;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The pause between two attempts.
pub(crate) const POLL_INTERVAL_MS: u64 = 50;
/// The longest one attempt may take.
pub(crate) const ATTEMPT_TIMEOUT_MS: u64 = 1_000;
/// How often the container's state is looked at while waiting.
const STATE_CHECK_INTERVAL_MS: u64 = 250;
/// How much of an HTTP answer is read to find its status line.
const STATUS_LINE_MAX_BYTES: usize = 512;

/// The status code of an HTTP status line (`HTTP/1.1 200 OK`), from the start of an answer.
pub(crate) fn parse_status_line(answer: &[u8]) -> Option<u16> {
    let end = answer.iter().position(|b| *b == b'\n')?;
    let line = std::str::from_utf8(&answer[..end])
        .ok()?
        .trim_end_matches('\r');
    let mut words = line.split(' ');
    let version = words.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    let code = words.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

async fn tcp(addr: SocketAddr) -> bool {
    TcpStream::connect(addr).await.is_ok()
}

async fn http(addr: SocketAddr, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::with_capacity(STATUS_LINE_MAX_BYTES);
    let mut buf = [0u8; STATUS_LINE_MAX_BYTES];
    while answer.len() < STATUS_LINE_MAX_BYTES && !answer.contains(&b'\n') {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    matches!(parse_status_line(&answer), Some(200..=299))
}

/// One attempt, bounded by `timeout`: true when the node answered.
pub(crate) async fn probe_once(
    docker: &Docker,
    container: &str,
    ip: Ipv4Addr,
    probe: &Probe,
    timeout: Duration,
) -> bool {
    let attempt = async {
        match probe {
            Probe::Tcp { port } => tcp(SocketAddr::from((ip, *port))).await,
            Probe::Http { port, path } => http(SocketAddr::from((ip, *port)), path).await,
            Probe::Command { argv } => {
                let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
                matches!(docker_exec(docker, container, &argv, timeout).await, Ok(out) if out.exit_code == 0)
            }
        }
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or(false)
}

/// Why a wait for readiness ended without it.
#[derive(Debug)]
pub(crate) enum NotReady {
    /// The deadline passed.
    Timeout,
    /// The container stopped (exit code), so it cannot become ready.
    Exited(i64),
    /// The engine failed.
    Engine(ClusterError),
}

/// Polls until the node answers, its container stops, or `timeout` passes.
pub(crate) async fn wait_ready(
    docker: &Docker,
    container: &str,
    ip: Ipv4Addr,
    probe: &Probe,
    timeout: Duration,
) -> Result<(), NotReady> {
    let deadline = Instant::now() + timeout;
    let mut next_state_check = Instant::now() + Duration::from_millis(STATE_CHECK_INTERVAL_MS);
    loop {
        let now = Instant::now();
        let attempt_timeout = deadline
            .saturating_duration_since(now)
            .min(Duration::from_millis(ATTEMPT_TIMEOUT_MS));
        if probe_once(docker, container, ip, probe, attempt_timeout).await {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(NotReady::Timeout);
        }
        if Instant::now() >= next_state_check {
            next_state_check = Instant::now() + Duration::from_millis(STATE_CHECK_INTERVAL_MS);
            let state = docker
                .inspect_container(
                    container,
                    None::<bollard::query_parameters::InspectContainerOptions>,
                )
                .await
                .map_err(|e| NotReady::Engine(docker_err(format!("inspecting {container}"))(e)))?
                .state
                .unwrap_or_default();
            let stopped = state.running != Some(true)
                && state.status.is_some_and(|s| {
                    matches!(
                        s,
                        bollard::models::ContainerStateStatusEnum::EXITED
                            | bollard::models::ContainerStateStatusEnum::DEAD
                    )
                });
            if stopped {
                return Err(NotReady::Exited(state.exit_code.unwrap_or(-1)));
            }
        }
        let pause = deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(POLL_INTERVAL_MS));
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        for (answer, want) in [
            (&b"HTTP/1.1 200 OK\r\nServer: x\r\n"[..], Some(200)),
            (b"HTTP/1.0 204 No Content\r\n", Some(204)),
            (b"HTTP/1.1 404 Not Found\r\n", Some(404)),
            (b"HTTP/1.0 200\n", Some(200)),
            (b"HTTP/1.1 200 OK", None), // no end of line yet
            (b"SSH-2.0-OpenSSH\r\n", None),
            (b"HTTP/1.1 2000 OK\r\n", None),
            (b"", None),
        ] {
            assert_eq!(
                parse_status_line(answer),
                want,
                "{:?}",
                String::from_utf8_lossy(answer)
            );
        }
    }

    #[tokio::test]
    async fn probes_against_a_local_listener() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move {
            for answer in ["HTTP/1.0 200 OK\r\n\r\n", "HTTP/1.0 503 Busy\r\n\r\n"] {
                let Ok((mut s, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = [0u8; 256];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(answer.as_bytes()).await;
            }
        });
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        assert!(http(addr, "/").await);
        assert!(!http(addr, "/").await);
        let _ = server.await;
        assert!(!tcp(addr).await, "nothing listens any more");
    }
}
