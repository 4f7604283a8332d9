//! Running commands next to a node: in its network namespace (faults) or in its container
//! (probes, tests).
//!
//! Two ways into a namespace. `nsenter -t <holder pid> -n -- argv` runs the host's own
//! binaries in the holder's network namespace: one fork and exec, ~10 ms for an iptables
//! command against ~60 ms through the engine's exec (`examples/docker_timings.rs` on a
//! 2-core machine), but it needs root and `nsenter`. Otherwise
//! `docker exec` in the holder, whose tools image carries iptables, ip and tc. Every command
//! is bounded by a timeout.

use super::engine::docker_err;
use crate::{ClusterError, ExecOutput};
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::Docker;
use futures_util::StreamExt;
use std::time::Duration;

/// How long one command may take before it is abandoned.
pub(crate) const EXEC_TIMEOUT_MS: u64 = 30_000;

/// How commands reach a node's network namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecPath {
    /// `nsenter -t <holder pid> -n` with the host's binaries (root only).
    Nsenter,
    /// `docker exec` in the holder container, with the tools image's binaries.
    DockerExec,
}

/// The effective uid from `/proc/self/status` (`Uid: real effective saved fs`).
pub(crate) fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Nsenter when we are root and it is installed, else DockerExec.
pub(crate) fn choose_exec_path() -> ExecPath {
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| effective_uid(&s))
        == Some(0);
    let has_nsenter = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join("nsenter").is_file()))
        .unwrap_or(false);
    if root && has_nsenter {
        ExecPath::Nsenter
    } else {
        ExecPath::DockerExec
    }
}

/// Runs argv with the host's binaries in the network namespace of process `pid`. The exit
/// code is returned, not judged.
pub(crate) async fn nsenter(
    pid: i64,
    argv: &[&str],
    timeout: Duration,
) -> Result<ExecOutput, ClusterError> {
    let pid_text = pid.to_string();
    let child = tokio::process::Command::new("nsenter")
        .args(["-t", &pid_text, "-n", "--"])
        .args(argv)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(timeout, child)
        .await
        .map_err(|_| {
            ClusterError::Docker(format!(
                "`nsenter -t {pid} -n -- {}` took more than {} ms",
                argv.join(" "),
                timeout.as_millis()
            ))
        })?
        .map_err(|e| {
            ClusterError::Docker(format!("running nsenter for `{}`: {e}", argv.join(" ")))
        })?;
    Ok(ExecOutput {
        exit_code: out.status.code().map_or(-1, i64::from),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// `docker exec` in a running container, collecting stdout and stderr. The exit code is
/// returned, not judged.
pub(crate) async fn docker_exec(
    docker: &Docker,
    container: &str,
    argv: &[&str],
    timeout: Duration,
) -> Result<ExecOutput, ClusterError> {
    let what = || format!("exec `{}` in {container}", argv.join(" "));
    let run = async {
        let exec = docker
            .create_exec(
                container,
                CreateExecOptions {
                    cmd: Some(argv.to_vec()),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..CreateExecOptions::default()
                },
            )
            .await
            .map_err(docker_err(what()))?;
        let mut out = ExecOutput::default();
        if let StartExecResults::Attached { mut output, .. } = docker
            .start_exec(&exec.id, None)
            .await
            .map_err(docker_err(what()))?
        {
            while let Some(chunk) = output.next().await {
                match chunk.map_err(docker_err(what()))? {
                    bollard::container::LogOutput::StdErr { message } => {
                        out.stderr.push_str(&String::from_utf8_lossy(&message))
                    }
                    other => out
                        .stdout
                        .push_str(&String::from_utf8_lossy(&other.into_bytes())),
                }
            }
        }
        // The stream ends when the process closes its output; its exit code may follow a
        // moment later.
        for _ in 0..100 {
            let inspect = docker
                .inspect_exec(&exec.id)
                .await
                .map_err(docker_err(what()))?;
            if inspect.running != Some(true) {
                out.exit_code = inspect.exit_code.unwrap_or(-1);
                return Ok(out);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Err(ClusterError::Docker(format!(
            "{}: still running after its output closed",
            what()
        )))
    };
    tokio::time::timeout(timeout, run).await.map_err(|_| {
        ClusterError::Docker(format!(
            "{} took more than {} ms",
            what(),
            timeout.as_millis()
        ))
    })?
}

/// Turns a non-zero exit into [`ClusterError::Exec`].
pub(crate) fn judged(
    node: &str,
    argv: &[&str],
    out: ExecOutput,
) -> Result<ExecOutput, ClusterError> {
    if out.exit_code == 0 {
        Ok(out)
    } else {
        Err(ClusterError::Exec {
            node: node.to_string(),
            command: argv.join(" "),
            exit_code: out.exit_code,
            stderr: if out.stderr.trim().is_empty() {
                out.stdout
            } else {
                out.stderr
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids() {
        let status = "Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
        assert_eq!(effective_uid(status), Some(0));
        assert_eq!(effective_uid("Uid:\t0\t1000\t0\t0\n"), Some(1000));
        assert_eq!(effective_uid("nothing"), None);
    }

    #[test]
    fn non_zero_is_an_error_with_stderr() {
        let out = ExecOutput {
            exit_code: 2,
            stdout: "o".into(),
            stderr: "bad rule".into(),
        };
        match judged("n1", &["iptables", "-X"], out) {
            Err(ClusterError::Exec {
                node,
                command,
                exit_code,
                stderr,
            }) => {
                assert_eq!(
                    (node.as_str(), command.as_str(), exit_code, stderr.as_str()),
                    ("n1", "iptables -X", 2, "bad rule")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(judged("n1", &["true"], ExecOutput::default()).is_ok());
    }
}
