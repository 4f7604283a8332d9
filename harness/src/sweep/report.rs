//! The record of a sweep: `sweep.json` (every count and every run, for tools) and `sweep.md`
//! (the table, for people), rewritten after each run so an interrupted or failed sweep
//! still leaves what was done; and where they go.

use super::grid::Param;
use super::table;
use super::tally::Row;
use serde::Serialize;
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// Where a sweep stands: the same states, recorded the same way, as a bench's.
pub use reports::bench::model::Status;

/// One param as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ParamRecord {
    pub field: String,
    pub values: Vec<String>,
}

/// `sweep.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The command line of the sweep.
    pub command: Vec<String>,
    /// UTC.
    pub started: String,
    pub updated: String,
    pub status: Status,
    pub params: Vec<ParamRecord>,
    pub test_count: usize,
    /// The first seed: run k of every cell has seed `seed + k`.
    pub seed: u64,
    pub runs_planned: usize,
    pub runs_done: usize,
    pub cells: Vec<Row>,
}

impl Report {
    pub fn new(command: Vec<String>, params: &[Param], test_count: usize, seed: u64) -> Report {
        let now = crate::store::timestamp(SystemTime::now(), false);
        Report {
            command,
            started: now.clone(),
            updated: now,
            status: Status::Running,
            params: params
                .iter()
                .map(|p| ParamRecord {
                    field: p.field.clone(),
                    values: p.values.clone(),
                })
                .collect(),
            test_count,
            seed,
            runs_planned: 0,
            runs_done: 0,
            cells: Vec::new(),
        }
    }

    /// Write `sweep.json` and `sweep.md` into `dir`.
    pub fn write(&mut self, dir: &Path) -> io::Result<()> {
        self.updated = crate::store::timestamp(SystemTime::now(), false);
        let json = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        std::fs::write(dir.join("sweep.json"), json + "\n")?;
        std::fs::write(dir.join("sweep.md"), table::document(self))
    }
}
