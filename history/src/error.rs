//! Errors of reading a history: where it went wrong, and what was expected.

use std::fmt;
use std::path::PathBuf;

/// What went wrong while reading a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file could not be opened or read.
    Io,
    /// A line is not valid in its format.
    Syntax,
    /// Every line parses, but the events do not form a well-formed history.
    Malformed,
    /// The format could not be recognised.
    UnknownFormat,
}

/// An error naming the file, line and column (when known) and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryError {
    pub kind: ErrorKind,
    pub path: Option<PathBuf>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl HistoryError {
    pub fn new(kind: ErrorKind, line: Option<usize>, message: impl Into<String>) -> Self {
        HistoryError {
            kind,
            path: None,
            line,
            column: None,
            message: message.into(),
        }
    }
    pub fn syntax(line: usize, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Syntax, Some(line), message)
    }
    pub fn malformed(line: usize, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Malformed, Some(line), message)
    }
    pub fn with_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}", p.display())?,
            None => f.write_str("<history>")?,
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for HistoryError {}
