//! Reading a file a user named, safely: only a regular file (a FIFO would block the read
//! forever, a device such as `/dev/zero` never ends), at most a given size (checked before
//! reading, and again while reading in case the file grows), and valid UTF-8 (else the
//! line and column of the first bad byte). Every history reader and spec loader reads
//! through here.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The default largest history schism reads (`--max-history-mb` raises it).
pub const DEFAULT_MAX_HISTORY_BYTES: u64 = 1 << 30;
/// The default largest spec (test spec or system spec) schism reads.
pub const DEFAULT_MAX_SPEC_BYTES: u64 = 1 << 20;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputErrorKind {
    /// Missing, unreadable, a directory, a FIFO, a device or a socket.
    NotAFile,
    /// Larger than the limit.
    TooLarge,
    /// Not valid UTF-8 at `line` and `column` (1-based; the column counts characters).
    NotUtf8 { line: usize, column: usize },
    /// Reading failed.
    Io,
}

/// A file that could not be read, with its path and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub kind: InputErrorKind,
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            InputErrorKind::NotUtf8 { line, column } => {
                write!(
                    f,
                    "{}:{line}:{column}: {}",
                    self.path.display(),
                    self.message
                )
            }
            _ => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// The text of the regular file `path`, refusing anything else, anything over
/// `max_bytes`, and anything that is not UTF-8. `what` names the file's role in messages
/// ("history", "system spec"), and `flag` the option that raises the limit.
pub fn read_text(
    path: &Path,
    max_bytes: u64,
    what: &str,
    flag: &str,
) -> Result<String, InputError> {
    let err = |kind, message: String| InputError {
        kind,
        path: path.to_path_buf(),
        message,
    };
    // Follows symlinks: a link to a regular file is fine. Checked before opening, because
    // opening a FIFO for reading blocks until someone writes to it.
    let meta = std::fs::metadata(path).map_err(|e| {
        err(
            InputErrorKind::NotAFile,
            format!("cannot read the {what}: {e}"),
        )
    })?;
    let ft = meta.file_type();
    if !ft.is_file() {
        return Err(err(
            InputErrorKind::NotAFile,
            format!("the {what} is {}, not a regular file", describe(&ft)),
        ));
    }
    let too_large = |size: String| {
        err(
            InputErrorKind::TooLarge,
            format!(
                "the {what} is {size}, more than the limit of {}; raise it with {flag}",
                human(max_bytes)
            ),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_large(human(meta.len())));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| err(InputErrorKind::Io, format!("cannot read the {what}: {e}")))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(InputErrorKind::Io, format!("cannot read the {what}: {e}")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large("growing while it is read".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = std::str::from_utf8(good).unwrap_or_default();
        let line = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        err(
            InputErrorKind::NotUtf8 { line, column },
            format!(
                "the {what} is not valid UTF-8 (byte 0x{:02x})",
                e.as_bytes()[good.len()]
            ),
        )
    })
}

fn describe(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Bytes for a person: `512 B`, `3.0 KiB`, `1.0 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("schism-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&d);
        d
    }

    #[test]
    fn reads_regular_files_only() {
        let e = read_text(Path::new("/dev/zero"), 1 << 20, "history", "--max").unwrap_err();
        assert_eq!(e.kind, InputErrorKind::NotAFile);
        assert!(e.to_string().contains("a character device"), "{e}");
        let e = read_text(Path::new("/"), 1 << 20, "history", "--max").unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        let fifo = tmp("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_text(&fifo, 1 << 20, "history", "--max").unwrap_err();
            assert!(e.to_string().contains("a FIFO"), "{e}");
            let _ = std::fs::remove_file(&fifo);
        }
    }

    #[test]
    fn refuses_files_over_the_limit_naming_the_flag() {
        let p = tmp("big");
        std::fs::write(&p, vec![b'x'; 2048]).unwrap();
        let e = read_text(&p, 1024, "history", "--max-history-mb").unwrap_err();
        assert_eq!(e.kind, InputErrorKind::TooLarge);
        assert!(
            e.to_string()
                .contains("2.0 KiB, more than the limit of 1.0 KiB"),
            "{e}"
        );
        assert!(e.to_string().contains("--max-history-mb"), "{e}");
        assert_eq!(read_text(&p, 2048, "history", "--m").unwrap().len(), 2048);
        let _ = std::fs::remove_file(&p);
    }

    #[test]
    fn names_the_line_and_column_of_bad_utf8() {
        let p = tmp("utf8");
        std::fs::write(&p, b"{\"a\":1}\n{\"b\":\"\xc3\xa9\xff\"}\n").unwrap();
        let e = read_text(&p, 1 << 20, "history", "--m").unwrap_err();
        assert_eq!(e.kind, InputErrorKind::NotUtf8 { line: 2, column: 8 });
        assert!(
            e.to_string()
                .ends_with(":2:8: the history is not valid UTF-8 (byte 0xff)"),
            "{e}"
        );
        let _ = std::fs::remove_file(&p);
    }
}
