//! JSON lines over an async stream: one envelope per line, bounded in length.

use crate::Envelope;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The longest line accepted: a bigger one is refused, not buffered without end.
pub const MAX_LINE_BYTES: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("line of {0} bytes exceeds the limit of {MAX_LINE_BYTES}")]
    TooLong(usize),
    #[error("not an envelope: {error}: {line}")]
    Malformed { line: String, error: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Read the next envelope; `Ok(None)` at the end of the stream. Blank lines are skipped.
pub async fn read<R: AsyncBufRead + Unpin>(
    r: &mut R,
    buf: &mut String,
) -> Result<Option<Envelope>, FrameError> {
    loop {
        buf.clear();
        let n = (&mut *r)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_line(buf)
            .await?;
        if n == 0 {
            return Ok(None);
        }
        if n > MAX_LINE_BYTES {
            return Err(FrameError::TooLong(n));
        }
        let line = buf.trim();
        if line.is_empty() {
            continue;
        }
        return serde_json::from_str(line)
            .map(Some)
            .map_err(|e| FrameError::Malformed {
                line: line.chars().take(200).collect(),
                error: e.to_string(),
            });
    }
}

/// Write one envelope as a line.
pub async fn write<W: AsyncWrite + Unpin>(w: &mut W, e: &Envelope) -> Result<(), FrameError> {
    let mut line = serde_json::to_vec(e).map_err(std::io::Error::other)?;
    line.push(b'\n');
    w.write_all(&line).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::io::BufReader;

    #[tokio::test]
    async fn envelopes_round_trip_and_bad_lines_are_named() {
        let mut out = Vec::new();
        let e = Envelope::new("c1", "n1", json!({"type": "read", "msg_id": 1}));
        write(&mut out, &e).await.unwrap();
        out.extend_from_slice(b"\n{oops}\n");
        let mut r = BufReader::new(out.as_slice());
        let mut buf = String::new();
        assert_eq!(read(&mut r, &mut buf).await.unwrap(), Some(e));
        let err = read(&mut r, &mut buf).await.unwrap_err().to_string();
        assert!(
            err.contains("not an envelope") && err.contains("{oops}"),
            "{err}"
        );
        assert!(read(&mut r, &mut buf).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_endless_line_is_refused() {
        let big = vec![b'x'; MAX_LINE_BYTES + 10];
        let mut r = BufReader::new(big.as_slice());
        let mut buf = String::new();
        assert!(matches!(
            read(&mut r, &mut buf).await,
            Err(FrameError::TooLong(_))
        ));
    }
}
