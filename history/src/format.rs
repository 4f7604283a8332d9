//! Which format a history file is in, found from its content, and reading any of them.

use crate::error::{ErrorKind, HistoryError};
use crate::history::{Dialect, History};
use crate::input::{read_text, InputErrorKind, DEFAULT_MAX_HISTORY_BYTES};
use std::path::Path;

/// The history formats schism reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// schism's native JSONL.
    Jsonl,
    /// Jepsen's `history.edn`.
    JepsenEdn,
    /// Porcupine's log of Jepsen's etcd test.
    PorcupineEtcd,
    /// Porcupine's key-value log (EDN maps with `:key`, no times).
    PorcupineKv,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["jsonl", "jepsen-edn", "porcupine-etcd", "porcupine-kv"];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::JepsenEdn => "jepsen-edn",
            Format::PorcupineEtcd => "porcupine-etcd",
            Format::PorcupineKv => "porcupine-kv",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jsonl" => Some(Format::Jsonl),
            "jepsen-edn" | "edn" => Some(Format::JepsenEdn),
            "porcupine-etcd" => Some(Format::PorcupineEtcd),
            "porcupine-kv" => Some(Format::PorcupineKv),
            _ => None,
        }
    }

    /// How this format's `fail` ops and nil reads are meant (see [`Dialect`]).
    pub fn dialect(self) -> Dialect {
        match self {
            Format::JepsenEdn => Dialect::Knossos,
            Format::Jsonl => Dialect::Schism,
            Format::PorcupineEtcd | Format::PorcupineKv => Dialect::Porcupine,
        }
    }

    /// Recognise the format from the first non-blank line. An empty text is native JSONL
    /// (an empty history).
    pub fn detect(text: &str) -> Result<Format, HistoryError> {
        let Some((i, line)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with(';'))
        else {
            return Ok(Format::Jsonl);
        };
        let t = line.trim_start();
        if t.starts_with('{') && t[1..].trim_start().starts_with('"') {
            return Ok(Format::Jsonl);
        }
        if t.contains("jepsen.util - ") {
            return Ok(Format::PorcupineEtcd);
        }
        if t.starts_with(['{', '[', '(', '#']) {
            // Porcupine's kv log: keyed maps without the times Jepsen always records. The
            // first map tells, also when the list or vector opens on a line of its own.
            let first_map = std::iter::once(t)
                .chain(text.lines().skip(i + 1))
                .find(|l| l.contains('{'))
                .unwrap_or(t);
            let kv = first_map.contains(":key ")
                && !first_map.contains(":time ")
                && !first_map.contains(":index ");
            return Ok(if kv {
                Format::PorcupineKv
            } else {
                Format::JepsenEdn
            });
        }
        let shown: String = t.chars().take(60).collect();
        Err(HistoryError::new(
            ErrorKind::UnknownFormat,
            Some(i + 1),
            format!(
                "cannot tell the history format from {shown:?}; expected JSONL ({{\"type\":...}}), \
                 Jepsen EDN ({{:type ...}}) or a Porcupine log; name it with --format"
            ),
        ))
    }
}

/// Read a history from text in a given format (None: detect it), with the format's dialect
/// unless one is given.
pub fn parse(
    text: &str,
    format: Option<Format>,
    dialect: Option<Dialect>,
) -> Result<(History, Format), HistoryError> {
    let format = match format {
        Some(f) => f,
        None => Format::detect(text)?,
    };
    let dialect = dialect.unwrap_or(format.dialect());
    let h = match format {
        Format::Jsonl => crate::jsonl::parse(text, dialect)?,
        Format::JepsenEdn | Format::PorcupineKv => crate::jepsen::parse(text, dialect)?,
        Format::PorcupineEtcd => crate::porcupine::parse_etcd_log(text, dialect)?,
    };
    Ok((h, format))
}

/// Read a history file of at most [`DEFAULT_MAX_HISTORY_BYTES`]; errors name the file.
pub fn read_path(
    path: &Path,
    format: Option<Format>,
    dialect: Option<Dialect>,
) -> Result<(History, Format), HistoryError> {
    read_path_limited(path, format, dialect, DEFAULT_MAX_HISTORY_BYTES)
}

/// Read a history file of at most `max_bytes` (only a regular file, only UTF-8); errors
/// name the file, and the line and column where there is one.
pub fn read_path_limited(
    path: &Path,
    format: Option<Format>,
    dialect: Option<Dialect>,
    max_bytes: u64,
) -> Result<(History, Format), HistoryError> {
    let text = read_text(path, max_bytes, "history", "--max-history-mb").map_err(|e| {
        let (kind, line, column) = match e.kind {
            InputErrorKind::NotUtf8 { line, column } => {
                (ErrorKind::Syntax, Some(line), Some(column))
            }
            _ => (ErrorKind::Io, None, None),
        };
        let mut h = HistoryError::new(kind, line, e.message).with_path(path);
        h.column = column;
        h
    })?;
    parse(&text, format, dialect).map_err(|e| e.with_path(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_by_content() {
        let cases = [
            ("", Format::Jsonl),
            ("\n{\"type\":\"invoke\"}\n", Format::Jsonl),
            (
                "INFO  jepsen.util - 2\t:invoke\t:cas\t[1 2]\n",
                Format::PorcupineEtcd,
            ),
            ("{:type :invoke, :time 5, :process 0}\n", Format::JepsenEdn),
            (
                "[{:type :invoke, :process 0, :f :read}]\n",
                Format::JepsenEdn,
            ),
            (
                "{:process 0, :type :invoke, :f :get, :key \"7\", :value nil}\n",
                Format::PorcupineKv,
            ),
            (
                "; a list\n(\n {:type :invoke, :time 1}\n)\n",
                Format::JepsenEdn,
            ),
            (
                "(\n{:process 0, :type :invoke, :f :get, :key \"7\", :value nil})\n",
                Format::PorcupineKv,
            ),
        ];
        for (text, f) in cases {
            assert_eq!(Format::detect(text).unwrap(), f, "{text:?}");
        }
    }

    #[test]
    fn unknown_formats_are_named() {
        let e = Format::detect("\n\nhello world\n").unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownFormat);
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("--format"));
    }

    #[test]
    fn unreadable_files_are_named() {
        let e = read_path(Path::new("/nonexistent/h.jsonl"), None, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Io);
        assert!(e
            .to_string()
            .starts_with("/nonexistent/h.jsonl: cannot read"));
        let e = read_path(Path::new("/dev/null"), None, None).unwrap_err();
        assert!(
            e.to_string()
                .contains("a character device, not a regular file"),
            "{e}"
        );
    }
}
