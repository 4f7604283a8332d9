//! A node's log: what its container wrote on stdout and stderr, and, when the system keeps
//! its log in files (`ClusterSpec::log_files`), those files, fetched through the engine's
//! archive API (which also works on a killed container).

use super::engine::docker_err;
use crate::ClusterError;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;

/// The log files larger than this are cut to their end.
const LOG_FILE_MAX_BYTES: usize = 64 << 20;

/// The container's stdout and stderr, interleaved as written; `tail` lines or all of them.
pub(crate) async fn container_output(
    docker: &Docker,
    container: &str,
    tail: Option<usize>,
) -> Result<String, ClusterError> {
    let tail = tail.map_or_else(|| "all".to_string(), |n| n.to_string());
    let options = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .tail(&tail)
        .build();
    let mut stream = docker.logs(container, Some(options));
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        match chunk.map_err(docker_err(format!("reading the log of {container}")))? {
            LogOutput::StdOut { message }
            | LogOutput::StdErr { message }
            | LogOutput::Console { message } => text.push_str(&String::from_utf8_lossy(&message)),
            LogOutput::StdIn { .. } => {}
        }
    }
    Ok(text)
}

/// A file from a container (running or not), its first [`LOG_FILE_MAX_BYTES`] as text;
/// None when it does not exist.
pub(crate) async fn container_file(
    docker: &Docker,
    container: &str,
    path: &str,
) -> Result<Option<String>, ClusterError> {
    let bytes = super::files::read_if_there(docker, container, path).await?;
    Ok(bytes.map(|b| String::from_utf8_lossy(&b[..b.len().min(LOG_FILE_MAX_BYTES)]).into_owned()))
}

/// The node's whole log: its output, then its log file (if it keeps one) under a header.
pub(crate) async fn node_log(
    docker: &Docker,
    container: &str,
    log_files: &[String],
) -> Result<String, ClusterError> {
    let mut text = container_output(docker, container, None).await?;
    for path in log_files {
        if let Some(file) = container_file(docker, container, path).await? {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("--- {path} ---\n"));
            text.push_str(&file);
        }
    }
    Ok(text)
}

/// The last `n` lines of a text (a final newline does not count as an empty line).
pub(crate) fn last_lines(text: &str, n: usize) -> String {
    let trimmed = text.strip_suffix('\n').unwrap_or(text);
    if trimmed.is_empty() || n == 0 {
        return String::new();
    }
    let lines: Vec<&str> = trimmed.split('\n').collect();
    let mut out = lines[lines.len().saturating_sub(n)..].join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails() {
        for (text, n, want) in [
            ("a\nb\nc\n", 2, "b\nc\n"),
            ("a\nb\nc", 2, "b\nc\n"),
            ("a\n", 5, "a\n"),
            ("", 3, ""),
            ("a\nb\n", 0, ""),
            ("a\n\nb\n", 2, "\nb\n"),
        ] {
            assert_eq!(last_lines(text, n), want, "{text:?} {n}");
        }
    }
}
