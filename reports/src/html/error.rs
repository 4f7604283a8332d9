//! Why a report could not be rendered: a stored file missing, unreadable or not understood.

use std::fmt;
use std::path::{Path, PathBuf};

/// A report needs its stored files; this names the one that failed and why.
#[derive(Debug)]
pub struct ReportError {
    pub path: PathBuf,
    pub message: String,
}

impl ReportError {
    pub fn new(path: &Path, message: impl Into<String>) -> ReportError {
        ReportError {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ReportError {}
