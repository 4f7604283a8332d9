//! The wrapped binary as a child process: started with piped stdin, stdout and stderr
//! (killed if dropped); its stderr copied to ours while the last lines are kept, to explain
//! why it failed.

use super::WrapError;
use std::collections::VecDeque;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;

/// Lines of the child's stderr kept to explain a failure.
const TAIL_LINES: usize = 20;

pub(super) struct Child {
    pub process: tokio::process::Child,
    pub stdin: ChildStdin,
    pub stdout: BufReader<ChildStdout>,
    pub stderr: StderrCopy,
}

impl Child {
    pub fn spawn(argv: &[String]) -> Result<Child, WrapError> {
        let spawn_error = |error: std::io::Error| WrapError::Spawn {
            binary: argv.first().cloned().unwrap_or_default(),
            error,
        };
        let (binary, args) = argv
            .split_first()
            .ok_or_else(|| spawn_error(std::io::Error::other("no binary given")))?;
        let mut process = Command::new(binary)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_error)?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (
            process.stdin.take(),
            process.stdout.take(),
            process.stderr.take(),
        ) else {
            return Err(spawn_error(std::io::Error::other("no pipes to the child")));
        };
        Ok(Child {
            process,
            stdin,
            stdout: BufReader::new(stdout),
            stderr: StderrCopy::start(stderr),
        })
    }
}

/// The copy of the child's stderr to ours, with its last lines.
pub(super) struct StderrCopy {
    tail: Arc<Mutex<VecDeque<String>>>,
    task: JoinHandle<()>,
}

impl StderrCopy {
    fn start(stderr: ChildStderr) -> StderrCopy {
        let tail: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let keep = tail.clone();
        let task = tokio::spawn(async move {
            let mut r = BufReader::new(stderr);
            let mut ours = tokio::io::stderr();
            let mut line = Vec::new();
            while matches!(r.read_until(b'\n', &mut line).await, Ok(n) if n > 0) {
                let _ = ours.write_all(&line).await;
                let _ = ours.flush().await;
                if let Ok(mut t) = keep.lock() {
                    if t.len() == TAIL_LINES {
                        t.pop_front();
                    }
                    t.push_back(String::from_utf8_lossy(&line).trim_end().to_string());
                }
                line.clear();
            }
        });
        StderrCopy { tail, task }
    }

    /// Wait (briefly) until the child's stderr is copied to its end; its last lines.
    pub async fn finish(self) -> Vec<String> {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.task).await;
        self.tail
            .lock()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The exit code to pass on: the child's, or 128 + the signal that killed it.
pub(super) fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    status.code().unwrap_or(1)
}

/// How the child ended, in words.
pub(super) fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("was killed by signal {sig}");
        }
    }
    match status.code() {
        Some(c) => format!("exited with code {c}"),
        None => "exited".to_string(),
    }
}
