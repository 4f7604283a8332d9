//! Durable storage for a protocol: named values and one append-only log. In memory for
//! the simulator (it survives a simulated crash because the simulator keeps it), in files
//! with fsync for containers.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

/// What must survive a crash.
///
/// Contract: when a call returns, what it wrote is durable.
pub trait Storage: Send {
    fn get(&self, name: &str) -> Option<Value>;
    fn put(&mut self, name: &str, v: Value);
    /// The whole log.
    fn log(&self) -> Vec<Value>;
    /// Keep the first `len` entries, then append these.
    fn truncate_and_append(&mut self, len: usize, entries: &[Value]);
}

/// Storage in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemStorage {
    values: BTreeMap<String, Value>,
    log: Vec<Value>,
}

impl Storage for MemStorage {
    fn get(&self, name: &str) -> Option<Value> {
        self.values.get(name).cloned()
    }
    fn put(&mut self, name: &str, v: Value) {
        self.values.insert(name.into(), v);
    }
    fn log(&self) -> Vec<Value> {
        self.log.clone()
    }
    fn truncate_and_append(&mut self, len: usize, entries: &[Value]) {
        self.log.truncate(len);
        self.log.extend_from_slice(entries);
    }
}

/// Storage in a directory: `values.json` (rewritten atomically) and `log.jsonl` (appended;
/// rewritten only when truncated), each fsynced before the call returns, and the directory
/// fsynced after each rename (else the rename itself may be lost with the power).
///
/// [`FileStorage::open_unsynced`] is the `no-fsync` bug: the same files, never synced, so
/// every call returns (and the node acknowledges) before anything is durable. A killed
/// process loses nothing that way (the kernel keeps its writes); a power loss does.
pub struct FileStorage {
    dir: PathBuf,
    /// Whether it fsyncs (false: the `no-fsync` bug).
    sync: bool,
    values: BTreeMap<String, Value>,
    log: Vec<Value>,
    file: File,
}

impl FileStorage {
    pub fn open(dir: PathBuf) -> std::io::Result<FileStorage> {
        Self::open_with(dir, true)
    }

    /// The `no-fsync` bug: storage that never fsyncs (see the type's documentation).
    pub fn open_unsynced(dir: PathBuf) -> std::io::Result<FileStorage> {
        Self::open_with(dir, false)
    }

    fn open_with(dir: PathBuf, sync: bool) -> std::io::Result<FileStorage> {
        std::fs::create_dir_all(&dir)?;
        // The directory may be new: its own entry, once.
        match dir.parent() {
            Some(p) if sync && !p.as_os_str().is_empty() => File::open(p)?.sync_all()?,
            _ => {}
        }
        let values = match std::fs::read(dir.join("values.json")) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_default(),
            Err(_) => BTreeMap::new(),
        };
        let path = dir.join("log.jsonl");
        let mut log = Vec::new();
        if let Ok(f) = File::open(&path) {
            // A torn last line (a crash mid-write) is dropped: it was never acknowledged.
            for line in BufReader::new(f).lines().map_while(Result::ok) {
                match serde_json::from_str(&line) {
                    Ok(v) => log.push(v),
                    Err(_) => break,
                }
            }
        }
        let mut s = FileStorage {
            file: OpenOptions::new().create(true).append(true).open(&path)?,
            sync,
            dir,
            values,
            log,
        };
        s.rewrite_log()?;
        Ok(s)
    }

    fn rewrite_log(&mut self) -> std::io::Result<()> {
        let tmp = self.dir.join("log.jsonl.tmp");
        let mut f = File::create(&tmp)?;
        for e in &self.log {
            serde_json::to_writer(&mut f, e)?;
            f.write_all(b"\n")?;
        }
        self.sync_file(&f)?;
        std::fs::rename(&tmp, self.dir.join("log.jsonl"))?;
        self.sync_dir()?;
        self.file = OpenOptions::new()
            .append(true)
            .open(self.dir.join("log.jsonl"))?;
        Ok(())
    }

    fn sync_file(&self, f: &File) -> std::io::Result<()> {
        if self.sync {
            f.sync_all()?;
        }
        Ok(())
    }

    /// Make the renames and creations in the directory durable.
    fn sync_dir(&self) -> std::io::Result<()> {
        match self.sync {
            true => File::open(&self.dir)?.sync_all(),
            false => Ok(()),
        }
    }
}

impl Storage for FileStorage {
    fn get(&self, name: &str) -> Option<Value> {
        self.values.get(name).cloned()
    }
    fn put(&mut self, name: &str, v: Value) {
        self.values.insert(name.into(), v);
        let tmp = self.dir.join("values.json.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            serde_json::to_writer(&mut f, &self.values)?;
            self.sync_file(&f)?;
            std::fs::rename(&tmp, self.dir.join("values.json"))?;
            self.sync_dir()
        };
        if let Err(e) = write() {
            // Durability is the contract: a node that cannot keep it must stop.
            panic!("cannot save {name}: {e}");
        }
    }
    fn log(&self) -> Vec<Value> {
        self.log.clone()
    }
    fn truncate_and_append(&mut self, len: usize, entries: &[Value]) {
        let result = if len < self.log.len() {
            self.log.truncate(len);
            self.log.extend_from_slice(entries);
            self.rewrite_log()
        } else {
            self.log.extend_from_slice(entries);
            let mut buf = Vec::new();
            for e in entries {
                let _ = serde_json::to_writer(&mut buf, e);
                buf.push(b'\n');
            }
            let sync = self.sync;
            self.file
                .write_all(&buf)
                .and_then(|_| if sync { self.file.sync_data() } else { Ok(()) })
        };
        if let Err(e) = result {
            panic!("cannot append to the log: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_storage_survives_reopening_and_truncation() {
        let dir = std::env::temp_dir().join(format!("schism-fs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let mut s = FileStorage::open(dir.clone()).unwrap();
            s.put("term", json!(3));
            s.truncate_and_append(0, &[json!(1), json!(2), json!(3)]);
            s.truncate_and_append(2, &[json!(9)]);
            s.truncate_and_append(3, &[json!(10)]);
        }
        let s = FileStorage::open(dir.clone()).unwrap();
        assert_eq!(s.get("term"), Some(json!(3)));
        assert_eq!(s.log(), vec![json!(1), json!(2), json!(9), json!(10)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
