//! The clock of programs that read it through libc (C, C++, the JVM), run with
//! libfaketime preloaded: each node's control file (`FAKETIME_TIMESTAMP_FILE`, read at
//! every clock call with `FAKETIME_NO_CACHE=1`) holds the offset, `+1.250` seconds; the
//! fault rewrites it through the cluster (the engine's archive API, no program in the node
//! needed), so the clock moves while the node runs. The engine replaces a file by removing
//! it and writing it anew; meanwhile libfaketime reads its fallback
//! ([`crate::FAKETIME_FALLBACK`]), which is written next with the same line, so a reader
//! never meets a missing offset (it would take the true time) and never a new empty file
//! before its first line (libfaketime 0.9.10 exits the program on an empty first line).

use crate::env::Env;
use crate::NemesisError;
use futures_util::future::join_all;
use history::Value;
use serde_json::json;

/// libfaketime's line for an offset: seconds with a sign, to the millisecond.
pub fn line(offset_ms: i64) -> String {
    let sign = if offset_ms < 0 { '-' } else { '+' };
    let abs = offset_ms.unsigned_abs();
    format!("{sign}{}.{:03}\n", abs / 1000, abs % 1000)
}

/// Set each node's offset by rewriting `file` in it, then libfaketime's fallback; what
/// was written (or the error) by node. A node that cannot be written to is noted, not an
/// error.
pub async fn set(
    env: &Env<'_>,
    file: &str,
    offsets: &[(String, i64)],
) -> Result<Value, NemesisError> {
    let answers = join_all(offsets.iter().map(|(n, o)| async move {
        let text = line(*o);
        let mut written = env.cluster.write_file(n, file, text.as_bytes()).await;
        if written.is_ok() {
            let fallback = crate::FAKETIME_FALLBACK;
            written = env.cluster.write_file(n, fallback, text.as_bytes()).await;
        }
        let answer = match written {
            Ok(()) => json!(text.trim_end()),
            Err(e) => json!({ "error": e.to_string() }),
        };
        (n.clone(), answer)
    }))
    .await;
    Ok(Value::Object(answers.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn offsets_become_libfaketimes_lines() {
        for (ms, want) in [
            (0, "+0.000\n"),
            (1250, "+1.250\n"),
            (-500, "-0.500\n"),
            (-30_007, "-30.007\n"),
        ] {
            assert_eq!(line(ms), want);
        }
    }
}
