//! `results.json` of `schism check`: one object per history file, and the overall verdict.
//!
//! Fields of each file object: `file`; `valid` (true, false or "unknown"); `model`;
//! `dialect`; `format`; `ops` (client operations); `keys`; `elapsed_ms` (checking only,
//! not reading); `reason` (why unknown); `error` (why the file could not be checked);
//! `notes` (how the file was read: a torn last line left out, times that went back);
//! `anomalies` (each with `kind`, `key`, `explanation`, `ops`, `data`). Beside `files`:
//! `valid` (the worst verdict of the files checked) and `errors` (files that could not
//! be checked; when there are any, `schism check` exits 254 and its summary ends `error`).

use history::{Anomaly, Validity};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The result of checking one history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    pub file: String,
    pub valid: Validity,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub dialect: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub ops: usize,
    #[serde(default)]
    pub keys: usize,
    #[serde(default)]
    pub elapsed_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default)]
    pub anomalies: Vec<Anomaly>,
}

impl FileResult {
    pub fn new(file: &str, valid: Validity) -> FileResult {
        FileResult {
            file: file.to_string(),
            valid,
            model: String::new(),
            dialect: String::new(),
            format: String::new(),
            ops: 0,
            keys: 0,
            elapsed_ms: 0.0,
            reason: None,
            error: None,
            notes: Vec::new(),
            anomalies: Vec::new(),
        }
    }

    /// A file that could not be read or understood.
    pub fn error(file: &str, error: String) -> FileResult {
        FileResult {
            error: Some(error),
            ..FileResult::new(file, Validity::Unknown)
        }
    }
}

/// Every file's result and the worst verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub valid: Validity,
    /// Files that could not be checked.
    #[serde(default)]
    pub errors: usize,
    pub files: Vec<FileResult>,
}

impl Results {
    pub fn new(files: Vec<FileResult>) -> Results {
        let valid = files
            .iter()
            .map(|f| f.valid)
            .fold(Validity::Valid, Validity::worst);
        let errors = files.iter().filter(|f| f.error.is_some()).count();
        Results {
            valid,
            errors,
            files,
        }
    }

    pub fn errors(&self) -> usize {
        self.errors
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// One line for a terminal: verdict, file, ops, keys, time.
pub fn text_line(r: &FileResult) -> String {
    if let Some(e) = &r.error {
        return format!("error    {}", e);
    }
    let mut line = format!(
        "{:<8} {}  {}, {}, {}, {:.1} ms",
        r.valid.as_str(),
        r.file,
        plural(r.ops, "op"),
        plural(r.keys, "key"),
        r.model,
        r.elapsed_ms
    );
    if let Some(reason) = &r.reason {
        line.push_str(&format!(" ({reason})"));
    }
    line
}

/// The closing line: how many files had each verdict, ops and time in all.
pub fn summary_line(results: &Results) -> String {
    let count = |v: Validity| {
        results
            .files
            .iter()
            .filter(|f| f.error.is_none() && f.valid == v)
            .count()
    };
    let ops: usize = results.files.iter().map(|f| f.ops).sum();
    let ms: f64 = results.files.iter().map(|f| f.elapsed_ms).sum();
    // The last word agrees with the exit code: a file that could not be read is an error
    // of the whole check, whatever the others say.
    let outcome = if results.errors() > 0 {
        "error"
    } else {
        results.valid.as_str()
    };
    format!(
        "{}: {} valid, {} invalid, {} unknown, {}; {} checked in {:.1} ms: {outcome}",
        plural(results.files.len(), "file"),
        count(Validity::Valid),
        count(Validity::Invalid),
        count(Validity::Unknown),
        plural(results.errors(), "error"),
        plural(ops, "op"),
        ms,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_file_decides_and_lines_say_so() {
        let mut a = FileResult::new("a.jsonl", Validity::Valid);
        a.ops = 10;
        a.keys = 1;
        a.model = "register".into();
        let mut b = FileResult::new("b.jsonl", Validity::Unknown);
        b.reason = Some("the time limit was reached".into());
        let c = FileResult::error("c.jsonl", "c.jsonl:3: bad".into());
        let r = Results::new(vec![a.clone(), b]);
        assert_eq!(r.valid, Validity::Unknown);
        assert_eq!(
            text_line(&a),
            "valid    a.jsonl  10 ops, 1 key, register, 0.0 ms"
        );
        let r = Results::new(vec![a, c]);
        assert_eq!(r.errors(), 1);
        assert!(summary_line(&r).starts_with("2 files: 1 valid, 0 invalid, 0 unknown, 1 error;"));
        assert!(
            summary_line(&r).ends_with(": error"),
            "{}",
            summary_line(&r)
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["files"][0]["valid"], serde_json::json!(true));
        assert_eq!(
            json["files"][1]["error"],
            serde_json::json!("c.jsonl:3: bad")
        );
    }
}
