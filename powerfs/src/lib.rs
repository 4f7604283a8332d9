//! # powerfs: a filesystem that can lose power
//!
//! A database promises that what it acknowledged survives a crash, and keeps that promise
//! with `fsync`. Killing its process tests nothing of it: the kernel's page cache keeps
//! every write a dead process made. Only a machine losing power drops the writes that were
//! never synced, and that is what powerfs does on demand.
//!
//! powerfs is a FUSE filesystem served from inside schism over a backing directory on the
//! host. schism mounts one per node and bind-mounts it into the node's container as its
//! data directory. Every request passes through to the backing directory at once, but what
//! was not yet synced is remembered apart, with how to undo it:
//!
//! - **file data** (`data.rs`): a write or truncation is durable once `fsync` or
//!   `fdatasync` of that file returns (any descriptor of the inode). The two are the same
//!   here: both make the data and the size durable, which is all that fdatasync promises
//!   to keep readable; other metadata (mode, owner, times) is taken to be durable at once.
//!   `close` makes nothing durable. A file opened `O_SYNC` or `O_DSYNC` is synced by the
//!   kernel after each write (FUSE sends `fsync`), so its writes are durable on return.
//!   `O_DIRECT` bypasses the page cache, not the disk's volatile cache: its writes are
//!   kept apart like any other until an fsync, as on a disk whose write cache is on.
//! - **directory entries** (`journal.rs`): create, mkdir, symlink, link, unlink, rmdir and
//!   rename are journalled in order and commit as a prefix of that order, like ext4's
//!   journal: `fsync` of a directory commits every change up to its own last one; `fsync`
//!   of a new file commits every change up to its creation. A rename is durable only once
//!   a directory it touched (or something later in the journal) is synced.
//!
//! [`Mount::lose`] is the power loss: with the node already killed, every unsynced change
//! is undone — all of them ([`Cut::All`]) or, for file data, all but a seeded prefix torn
//! at a random byte ([`Cut::Torn`]) — and [`Lost`] says how much went. Unsynced state is
//! kept in memory (the durable bytes a write replaced, per 4 KiB page, and each write since
//! the last fsync).
//!
//! ```no_run
//! # fn main() -> Result<(), powerfs::PowerError> {
//! use powerfs::{Cut, Mount};
//! let m = Mount::new(std::path::Path::new("/tmp/powerfs-demo"))?;
//! std::fs::write(m.mountpoint().join("a"), b"never synced")?;
//! let lost = m.lose(Cut::All);
//! assert_eq!((lost.bytes, lost.entries), (12, 1));
//! assert!(!m.mountpoint().join("a").exists());
//! m.unmount();
//! # Ok(()) }
//! ```
//!
//! Not kept apart: extended attributes, `fallocate`, `RENAME_EXCHANGE` (refused with
//! EINVAL), hard-link counts of entries moved aside. A write the kernel still had in flight
//! when the process was killed may land after the loss.

mod core;
mod cut;
mod data;
mod fs;
mod host;
mod journal;
mod mount;
mod sys;

pub use cut::Cut;
pub use host::{check_host, lazy_unmount, mounts_under, FUSE_DEVICE_ENV};
pub use mount::Mount;

/// What a power loss dropped (or, from [`Mount::pending`], would drop now).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lost {
    /// Bytes written and never synced that are gone.
    pub bytes: u64,
    /// Files whose unsynced writes or truncations were (at least partly) dropped.
    pub files: u64,
    /// Directory entries changed and never synced, undone.
    pub entries: u64,
}

/// Why powerfs cannot serve.
#[derive(Debug, thiserror::Error)]
pub enum PowerError {
    /// This host lacks what FUSE needs.
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
