//! The command behind an exec client: found once, started (and restarted) on demand, its
//! stdin and stdout kept for the protocol, the last lines of its stderr kept for errors
//! and never copied to our own output. It is killed when dropped.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Lines of stderr kept.
const STDERR_LINES: usize = 20;
/// Characters of one stderr line kept.
const STDERR_LINE_CHARS: usize = 300;
/// Bytes of one stdout line read; the rest of a longer line is dropped.
const LINE_BYTES: usize = 1 << 20;

/// How to start the command.
#[derive(Debug, Clone)]
pub struct Spec {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Spec {
    /// Find `argv[0]` (a path, or a name looked up on `PATH`, the one in `env` if it sets
    /// one) and check that it is an executable file; the error names it.
    pub fn resolve(argv: Vec<String>, env: Vec<(String, String)>) -> Result<Spec, String> {
        let Some((cmd, args)) = argv.split_first() else {
            return Err("the exec client has no command (empty argv)".to_string());
        };
        let program = if cmd.contains('/') {
            let p = PathBuf::from(cmd);
            check_executable(&p)?;
            p
        } else {
            let path = env
                .iter()
                .rev()
                .find(|(k, _)| k == "PATH")
                .map(|(_, v)| OsString::from(v))
                .or_else(|| std::env::var_os("PATH"))
                .unwrap_or_default();
            std::env::split_paths(&path)
                .map(|dir| dir.join(cmd))
                .find(|p| check_executable(p).is_ok())
                .ok_or_else(|| {
                    format!("the exec client's command {cmd:?} is not an executable on PATH")
                })?
        };
        Ok(Spec {
            program,
            args: args.to_vec(),
            env,
        })
    }

    /// Start the command (within a Tokio runtime).
    pub fn start(&self) -> Result<Proc, String> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.program.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let stderr = child.stderr.take().expect("piped");
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let kept = tail.clone();
        let pid = child.id();
        let stderr_task = tokio::spawn(async move {
            let mut lines = BufReader::new(stderr);
            let mut buf = Vec::new();
            while let Ok(Some(line)) = read_line(&mut lines, &mut buf, LINE_BYTES).await {
                let text: String = String::from_utf8_lossy(line)
                    .chars()
                    .take(STDERR_LINE_CHARS)
                    .collect();
                tracing::debug!(?pid, "exec client stderr: {text}");
                let mut t = kept.lock().expect("stderr tail");
                if t.len() == STDERR_LINES {
                    t.pop_front();
                }
                t.push_back(text);
            }
        });
        Ok(Proc {
            child,
            stdin,
            stdout,
            line: Vec::new(),
            stderr_tail: tail,
            stderr_task,
        })
    }
}

#[cfg(unix)]
fn check_executable(p: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let m = std::fs::metadata(p)
        .map_err(|e| format!("the exec client's command {}: {e}", p.display()))?;
    if !m.is_file() {
        return Err(format!(
            "the exec client's command {} is not a file",
            p.display()
        ));
    }
    if m.permissions().mode() & 0o111 == 0 {
        return Err(format!(
            "the exec client's command {} is not executable",
            p.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_executable(p: &Path) -> Result<(), String> {
    if p.is_file() {
        Ok(())
    } else {
        Err(format!(
            "the exec client's command {} is not a file",
            p.display()
        ))
    }
}

/// One running instance of the command.
pub struct Proc {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: Vec<u8>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    stderr_task: JoinHandle<()>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        // The child is killed by kill_on_drop; a grandchild may still hold its stderr.
        self.stderr_task.abort();
    }
}

impl Proc {
    /// Write one line.
    pub async fn send(&mut self, line: &str) -> std::io::Result<()> {
        self.stdin.write_all(line.as_bytes()).await?;
        self.stdin.write_all(b"\n").await?;
        self.stdin.flush().await
    }

    /// Whether stdout has something to read before an op was sent: an extra line (which
    /// would be taken for the next op's answer), its end, or an error. Blank lines are
    /// skipped. This sees only what has already arrived.
    pub async fn stale(&mut self) -> bool {
        let stdout = &mut self.stdout;
        std::future::poll_fn(|cx| loop {
            match Pin::new(&mut *stdout).poll_fill_buf(cx) {
                Poll::Pending => return Poll::Ready(false),
                Poll::Ready(Ok(buf))
                    if !buf.is_empty() && buf.iter().all(u8::is_ascii_whitespace) =>
                {
                    let n = buf.len();
                    Pin::new(&mut *stdout).consume(n);
                }
                Poll::Ready(_) => return Poll::Ready(true),
            }
        })
        .await
    }

    /// The next line that is not blank, without its newline; None at the end of stdout.
    pub async fn recv(&mut self) -> std::io::Result<Option<&[u8]>> {
        loop {
            match read_line(&mut self.stdout, &mut self.line, LINE_BYTES).await? {
                None => return Ok(None),
                Some(l) if l.iter().all(u8::is_ascii_whitespace) => continue,
                Some(_) => return Ok(Some(self.line.trim_ascii())),
            }
        }
    }

    /// Why the command stopped answering: how it exited (waiting until `deadline`, then
    /// killing it) and the end of its stderr.
    pub async fn ended(mut self, deadline: Instant) -> String {
        let status = match tokio::time::timeout_at(deadline, self.child.wait()).await {
            Ok(Ok(status)) => describe(status),
            Ok(Err(e)) => format!("cannot wait for it: {e}"),
            Err(_) => {
                let _ = self.child.start_kill();
                "it closed its stdout but did not exit, and was killed".to_string()
            }
        };
        // Once it has exited, its stderr ends soon (unless a child of its holds it).
        let _ = tokio::time::timeout_at(deadline, &mut self.stderr_task).await;
        format!("{status}; {}", self.stderr_tail())
    }

    /// The last lines of stderr, for an error message.
    pub fn stderr_tail(&self) -> String {
        let t = self.stderr_tail.lock().expect("stderr tail");
        if t.is_empty() {
            "its stderr is empty".to_string()
        } else {
            let lines: Vec<&str> = t.iter().map(String::as_str).collect();
            format!("its stderr ends: {}", lines.join(" | "))
        }
    }

    /// Stop it now (the rest happens on drop).
    pub fn kill(mut self) {
        let _ = self.child.start_kill();
    }
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("it exited with code {code}"),
        None => format!("it was ended ({status})"),
    }
}

/// Read one line into `buf` (without its newline, at most `cap` bytes of it kept); None at
/// the end of input. A last line without a newline counts.
async fn read_line<'b, R: AsyncBufRead + Unpin>(
    r: &mut R,
    buf: &'b mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<&'b [u8]>> {
    buf.clear();
    let mut any = false;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(any.then_some(&buf[..]));
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(if done { take + 1 } else { take });
        if done {
            return Ok(Some(&buf[..]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_split_capped_and_the_last_one_counts() {
        let input: &[u8] = b"one\n\ntoolong\nlast";
        let mut r = BufReader::with_capacity(2, input);
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut r, &mut buf, 4).await.unwrap(),
            Some(&b"one"[..])
        );
        assert_eq!(
            read_line(&mut r, &mut buf, 4).await.unwrap(),
            Some(&b""[..])
        );
        assert_eq!(
            read_line(&mut r, &mut buf, 4).await.unwrap(),
            Some(&b"tool"[..])
        );
        assert_eq!(
            read_line(&mut r, &mut buf, 4).await.unwrap(),
            Some(&b"last"[..])
        );
        assert_eq!(read_line(&mut r, &mut buf, 4).await.unwrap(), None);
    }

    #[test]
    fn a_missing_command_is_named() {
        let e = Spec::resolve(vec!["/nonexistent/adapter".into()], vec![]).unwrap_err();
        assert!(e.contains("/nonexistent/adapter"), "{e}");
        let e = Spec::resolve(vec!["schism-no-such-adapter".into()], vec![]).unwrap_err();
        assert!(e.contains("schism-no-such-adapter"), "{e}");
        assert!(Spec::resolve(vec![], vec![]).is_err());
        assert!(Spec::resolve(vec!["sh".into()], vec![]).is_ok());
    }
}
