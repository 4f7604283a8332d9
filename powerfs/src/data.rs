//! File data not yet synced.
//!
//! Writes go to the backing file at once (reads are plain pass-through), but the first
//! change of each 4 KiB page of what was durable saves that page's durable bytes first,
//! together with the file's durable length, and every write and truncation since the last
//! fsync is logged. `fsync` and `fdatasync` forget both: what is in the backing file is
//! the durable state. A power loss puts the saved pages back, truncates the file to its
//! durable length, and, for a torn cut, replays a prefix of the log.

use crate::cut::{Cut, Draw};
use crate::sys;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::os::fd::OwnedFd;
use std::sync::Arc;

const PAGE: u64 = 4096;

#[derive(Debug, Clone)]
enum Redo {
    Write { offset: u64, data: Vec<u8> },
    Truncate { len: u64 },
}

/// One file's changes since its last fsync.
#[derive(Debug)]
struct Unsynced {
    /// The inode (an `O_PATH` descriptor: it follows renames and unlinks).
    fd: Arc<OwnedFd>,
    durable_len: u64,
    /// Page number -> its durable bytes (the part below `durable_len`).
    pages: BTreeMap<u64, Vec<u8>>,
    log: Vec<Redo>,
    /// When it was first changed, among the files changed since their last fsync.
    order: u64,
}

/// What one power loss dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Bytes written and not synced that are gone.
    pub bytes: u64,
    /// Files that lost something (a write, or a truncation).
    pub files: u64,
}

/// Every file changed since its last fsync.
#[derive(Debug, Default)]
pub struct Data {
    files: HashMap<u64, Unsynced>,
    next_order: u64,
}

impl Data {
    /// Before `data` is written at `offset` of inode `ino` (open for reading as `io`).
    pub fn write(
        &mut self,
        ino: u64,
        fd: &Arc<OwnedFd>,
        io: &OwnedFd,
        offset: u64,
        data: &[u8],
    ) -> io::Result<()> {
        let u = self.entry(ino, fd)?;
        u.save(io, offset, offset.saturating_add(data.len() as u64))?;
        u.log.push(Redo::Write {
            offset,
            data: data.to_vec(),
        });
        Ok(())
    }

    /// Before inode `ino` is truncated (or extended) to `len`.
    pub fn truncate(
        &mut self,
        ino: u64,
        fd: &Arc<OwnedFd>,
        io: &OwnedFd,
        len: u64,
    ) -> io::Result<()> {
        let u = self.entry(ino, fd)?;
        let end = u.durable_len;
        u.save(io, len, end)?;
        u.log.push(Redo::Truncate { len });
        Ok(())
    }

    /// `fsync`/`fdatasync` of `ino`: what it holds now is durable.
    pub fn commit(&mut self, ino: u64) {
        self.files.remove(&ino);
    }

    /// Files with unsynced changes.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Bytes written since their file's last fsync.
    pub fn unsynced_bytes(&self) -> u64 {
        self.files.values().map(Unsynced::written).sum()
    }

    /// The power loss: every file back to what was durable (plus a torn prefix).
    pub fn lose(&mut self, cut: Cut) -> Dropped {
        let mut files: Vec<Unsynced> = self.files.drain().map(|(_, u)| u).collect();
        files.sort_by_key(|u| u.order);
        let mut draw = match cut {
            Cut::All => None,
            Cut::Torn { seed } => Some(Draw::new(seed)),
        };
        let mut dropped = Dropped::default();
        for u in files {
            let written = u.written();
            let keep = draw.as_mut().map(|d| d.up_to(written));
            match u.restore(keep) {
                Ok(kept_all) => {
                    dropped.bytes += written - keep.unwrap_or(0);
                    dropped.files += u64::from(!kept_all);
                }
                Err(e) => tracing::warn!("powerfs: restoring a file after a power loss: {e}"),
            }
        }
        dropped
    }

    fn entry(&mut self, ino: u64, fd: &Arc<OwnedFd>) -> io::Result<&mut Unsynced> {
        if !self.files.contains_key(&ino) {
            let durable_len = sys::stat(fd)?.st_size as u64;
            self.next_order += 1;
            let u = Unsynced {
                fd: fd.clone(),
                durable_len,
                pages: BTreeMap::new(),
                log: Vec::new(),
                order: self.next_order,
            };
            self.files.insert(ino, u);
        }
        Ok(self.files.get_mut(&ino).expect("inserted above"))
    }
}

impl Unsynced {
    fn written(&self) -> u64 {
        self.log
            .iter()
            .map(|r| match r {
                Redo::Write { data, .. } => data.len() as u64,
                Redo::Truncate { .. } => 0,
            })
            .sum()
    }

    /// Save the durable bytes of every page of [start, end) not saved yet.
    fn save(&mut self, io: &OwnedFd, start: u64, end: u64) -> io::Result<()> {
        let end = end.min(self.durable_len);
        if start >= end {
            return Ok(());
        }
        for page in start / PAGE..=(end - 1) / PAGE {
            if self.pages.contains_key(&page) {
                continue;
            }
            let at = page * PAGE;
            let mut buf = vec![0u8; (self.durable_len - at).min(PAGE) as usize];
            let n = sys::pread(io, &mut buf, at)?;
            buf.truncate(n);
            self.pages.insert(page, buf);
        }
        Ok(())
    }

    /// Back to the durable state, then replay the log's first `keep` bytes of writes (and
    /// the truncations before the cut); None replays nothing. Whether the whole log was
    /// replayed.
    fn restore(&self, keep: Option<u64>) -> io::Result<bool> {
        let io = sys::reopen(&self.fd, libc::O_RDWR)?;
        for (page, bytes) in &self.pages {
            sys::pwrite_all(&io, bytes, page * PAGE)?;
        }
        sys::ftruncate(&io, self.durable_len)?;
        let Some(mut budget) = keep else {
            return Ok(false);
        };
        for redo in &self.log {
            match redo {
                Redo::Truncate { len } => sys::ftruncate(&io, *len)?,
                Redo::Write { offset, data } => {
                    let n = (data.len() as u64).min(budget);
                    sys::pwrite_all(&io, &data[..n as usize], *offset)?;
                    budget -= n;
                    if n < data.len() as u64 {
                        // Torn here: nothing after this write happened.
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }
}
