//! Reading one history file for a check, and the rule that makes an op a checker cannot
//! read the file's error: shared by `schism check`, `--workload` and `schism report`.

use history::{format, Dialect, Format, History, Verdict};
use reports::results::FileResult;
use std::path::Path;

/// How to read one history file.
pub struct Read<'a> {
    pub path: &'a Path,
    pub format: Option<Format>,
    pub dialect: Option<Dialect>,
    pub max_bytes: u64,
}

impl Read<'_> {
    /// The history and its format; any problem is the file's error.
    pub fn history(&self) -> Result<(History, Format), Box<FileResult>> {
        let name = self.path.display().to_string();
        format::read_path_limited(self.path, self.format, self.dialect, self.max_bytes)
            .map_err(|e| Box::new(FileResult::error(&name, e.to_string())))
    }
}

/// A checker's verdict on a file that holds an op it cannot read is the file's error
/// (`FILE:LINE: ...`, exit 254), as for any other malformed input.
pub fn malformed_error(path: &Path, verdicts: &[Verdict]) -> Option<FileResult> {
    let (v, m) = verdicts
        .iter()
        .find_map(|v| v.malformed.as_ref().map(|m| (v, m)))?;
    let name = path.display().to_string();
    let more = match m.count {
        0 | 1 => String::new(),
        n => format!(" ({n} such ops in all)"),
    };
    let text = format!(
        "{name}:{}: the {} checker cannot read this op: {}{more}",
        m.line, v.checker, m.message
    );
    Some(FileResult::error(&name, text))
}
