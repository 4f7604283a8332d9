//! Directory entries not yet synced: the namespace journal.
//!
//! Every create, mkdir, symlink, link, unlink, rmdir and rename is done on the backing
//! directory at once (so lookups and reads need no merging) and recorded here, in order,
//! with how to undo it. Removed entries are not deleted but moved aside into the
//! graveyard, so undoing them is a rename back.
//!
//! The journal commits in order, as ext4's and XFS's do: a commit makes a *prefix* of it
//! durable, never a change without the ones before it. What commits:
//!
//! - `fsync` of a directory: every change up to the last one that touched it;
//! - `fsync` or `fdatasync` of a file whose creation is still in the journal: every change
//!   up to that creation (a new file that was fsynced can be found after a crash).
//!
//! A power loss undoes every change not committed, newest first.

use std::path::PathBuf;

/// One change to the namespace, with what undoes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new entry (file, directory, symlink, hard link) at `path`, naming inode `ino`.
    Created { path: PathBuf, ino: u64, dir: bool },
    /// The entry at `path` (unlink, rmdir, or the target a rename replaced), moved to
    /// `grave`.
    Removed {
        path: PathBuf,
        grave: PathBuf,
        dir: bool,
    },
    /// An entry moved from `from` to `to`.
    Renamed { from: PathBuf, to: PathBuf },
}

#[derive(Debug)]
struct Entry {
    change: Change,
    /// The inodes of the directories it changed (one, or two for a rename).
    dirs: Vec<u64>,
}

/// The changes not yet durable, oldest first.
#[derive(Debug, Default)]
pub struct Journal {
    pending: Vec<Entry>,
}

impl Journal {
    pub fn record(&mut self, change: Change, dirs: Vec<u64>) {
        self.pending.push(Entry { change, dirs });
    }

    /// How many changes are not durable.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// `fsync` of directory `dir`.
    pub fn commit_dir(&mut self, dir: u64) {
        if let Some(i) = self.pending.iter().rposition(|e| e.dirs.contains(&dir)) {
            self.commit_through(i);
        }
    }

    /// `fsync` of file `ino`: its creation, if pending, and everything before it.
    pub fn commit_creation(&mut self, ino: u64) {
        let created = |e: &Entry| matches!(e.change, Change::Created { ino: i, .. } if i == ino);
        if let Some(i) = self.pending.iter().rposition(created) {
            self.commit_through(i);
        }
    }

    /// Entries 0..=i become durable: what they removed is gone for good.
    fn commit_through(&mut self, i: usize) {
        for e in self.pending.drain(..=i) {
            if let Change::Removed { grave, dir, .. } = e.change {
                let gone = if dir {
                    std::fs::remove_dir_all(&grave)
                } else {
                    std::fs::remove_file(&grave)
                };
                if let Err(err) = gone {
                    tracing::warn!(grave = %grave.display(), "powerfs: removing a committed entry: {err}");
                }
            }
        }
    }

    /// The power loss: undo every pending change, newest first. Returns how many.
    pub fn undo_all(&mut self) -> usize {
        let n = self.pending.len();
        while let Some(e) = self.pending.pop() {
            if let Err(err) = undo(&e.change) {
                tracing::warn!(change = ?e.change, "powerfs: undoing a change: {err}");
            }
        }
        n
    }
}

fn undo(change: &Change) -> std::io::Result<()> {
    match change {
        Change::Created {
            path, dir: true, ..
        } => std::fs::remove_dir(path),
        Change::Created { path, .. } => std::fs::remove_file(path),
        Change::Removed { path, grave, .. } => std::fs::rename(grave, path),
        Change::Renamed { from, to } => std::fs::rename(to, from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(n: u64) -> Change {
        Change::Created {
            path: format!("/nonexistent/{n}").into(),
            ino: n,
            dir: false,
        }
    }

    #[test]
    fn commits_are_prefixes() {
        // (changes as (ino, dir), what is fsynced, how many stay pending)
        type Case = (&'static [(u64, u64)], Sync, usize);
        let cases: &[Case] = &[
            (&[(10, 1), (11, 2), (12, 1)], Sync::Dir(2), 1),
            (&[(10, 1), (11, 2), (12, 1)], Sync::Dir(1), 0),
            (&[(10, 1), (11, 2), (12, 1)], Sync::Dir(3), 3),
            (&[(10, 1), (11, 2), (12, 1)], Sync::File(10), 2),
            (&[(10, 1), (11, 2), (12, 1)], Sync::File(11), 1),
            (&[(10, 1), (11, 2), (12, 1)], Sync::File(99), 3),
        ];
        for (changes, sync, left) in cases {
            let mut j = Journal::default();
            for (ino, dir) in changes.iter() {
                j.record(created(*ino), vec![*dir]);
            }
            match sync {
                Sync::Dir(d) => j.commit_dir(*d),
                Sync::File(f) => j.commit_creation(*f),
            }
            assert_eq!(j.pending(), *left, "{changes:?} then {sync:?}");
        }
    }

    #[derive(Debug)]
    enum Sync {
        Dir(u64),
        File(u64),
    }
}
