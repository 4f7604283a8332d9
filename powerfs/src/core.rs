//! The filesystem's state and its operations, in plain Rust (no FUSE types): the inodes
//! the kernel holds, open files and directory listings, the namespace [`Journal`] and the
//! unsynced [`Data`]. `fs.rs` answers the kernel's requests with these.

use crate::cut::Cut;
use crate::data::Data;
use crate::journal::{Change, Journal};
use crate::sys::{self, errno};
use crate::Lost;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// FUSE's inode number of the root.
pub const ROOT: u64 = 1;

/// An errno, the error of every operation here.
pub type Errno = i32;

fn err(e: io::Error) -> Errno {
    errno(&e)
}

struct Inode {
    fd: Arc<OwnedFd>,
    lookups: u64,
}

/// One entry of a directory listing.
pub struct Listed {
    pub ino: u64,
    pub mode: u32,
    pub name: OsString,
}

pub struct Core {
    /// FUSE inode -> the backing inode. FUSE numbers are the backing ones, but the root's.
    inodes: HashMap<u64, Inode>,
    root_backing: u64,
    files: HashMap<u64, OwnedFd>,
    listings: HashMap<u64, Vec<Listed>>,
    next_fh: u64,
    journal: Journal,
    data: Data,
    grave: OwnedFd,
    grave_path: PathBuf,
    next_grave: u64,
}

impl Core {
    /// Over `root` (what the mount shows), with removed entries kept in `grave` (on the
    /// same filesystem, outside `root`).
    pub fn new(root: &Path, grave: &Path) -> io::Result<Core> {
        let root_fd = sys::path_fd(libc::AT_FDCWD, root.as_os_str())?;
        let root_backing = sys::stat(&root_fd)?.st_ino;
        let grave_fd = sys::open_at(
            libc::AT_FDCWD,
            grave.as_os_str(),
            libc::O_PATH | libc::O_DIRECTORY,
            0,
        )?;
        let inodes = HashMap::from([(
            ROOT,
            Inode {
                fd: Arc::new(root_fd),
                lookups: 1,
            },
        )]);
        Ok(Core {
            inodes,
            root_backing,
            files: HashMap::new(),
            listings: HashMap::new(),
            next_fh: 1,
            journal: Journal::default(),
            data: Data::default(),
            grave: grave_fd,
            grave_path: grave.to_path_buf(),
            next_grave: 0,
        })
    }

    fn fuse_ino(&self, st: &libc::stat) -> u64 {
        if st.st_ino == self.root_backing {
            ROOT
        } else {
            st.st_ino
        }
    }

    fn fd(&self, ino: u64) -> Result<Arc<OwnedFd>, Errno> {
        self.inodes
            .get(&ino)
            .map(|i| i.fd.clone())
            .ok_or(libc::ESTALE)
    }

    /// The backing path of `name` in directory `parent`, as it is now.
    fn path(&self, parent: u64, name: &OsStr) -> Result<PathBuf, Errno> {
        let dir = sys::readlink_proc(&*self.fd(parent)?).map_err(err)?;
        Ok(dir.join(name))
    }

    pub fn getattr(&self, ino: u64) -> Result<(u64, libc::stat), Errno> {
        let st = sys::stat(&*self.fd(ino)?).map_err(err)?;
        Ok((ino, st))
    }

    /// The kernel now holds `name` in `parent` once more.
    pub fn lookup(&mut self, parent: u64, name: &OsStr) -> Result<(u64, libc::stat), Errno> {
        let dir = self.fd(parent)?;
        let fd = sys::path_fd(dir.as_raw_fd(), name).map_err(err)?;
        let st = sys::stat(&fd).map_err(err)?;
        let ino = self.fuse_ino(&st);
        self.inodes
            .entry(ino)
            .or_insert(Inode {
                fd: Arc::new(fd),
                lookups: 0,
            })
            .lookups += 1;
        Ok((ino, st))
    }

    pub fn forget(&mut self, ino: u64, n: u64) {
        if ino == ROOT {
            return;
        }
        if let Some(i) = self.inodes.get_mut(&ino) {
            i.lookups = i.lookups.saturating_sub(n);
            if i.lookups == 0 {
                self.inodes.remove(&ino);
            }
        }
    }

    /// A new entry `name` in `parent`, made by `make` on the parent's descriptor.
    fn created(
        &mut self,
        parent: u64,
        name: &OsStr,
        make: impl FnOnce(i32) -> io::Result<()>,
    ) -> Result<(u64, libc::stat), Errno> {
        let path = self.path(parent, name)?;
        make(self.fd(parent)?.as_raw_fd()).map_err(err)?;
        let (ino, st) = self.lookup(parent, name)?;
        let dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
        self.journal
            .record(Change::Created { path, ino, dir }, vec![parent]);
        Ok((ino, st))
    }

    pub fn mkdir(
        &mut self,
        parent: u64,
        name: &OsStr,
        mode: u32,
    ) -> Result<(u64, libc::stat), Errno> {
        self.created(parent, name, |dir| sys::mkdir_at(dir, name, mode))
    }

    pub fn symlink(
        &mut self,
        parent: u64,
        name: &OsStr,
        target: &Path,
    ) -> Result<(u64, libc::stat), Errno> {
        self.created(parent, name, |dir| {
            sys::symlink_at(target.as_os_str(), dir, name)
        })
    }

    pub fn link(
        &mut self,
        ino: u64,
        parent: u64,
        name: &OsStr,
    ) -> Result<(u64, libc::stat), Errno> {
        let fd = self.fd(ino)?;
        self.created(parent, name, |dir| sys::link_at(&fd, dir, name))
    }

    /// Create (or, without O_EXCL, open) a regular file; its entry and an open handle.
    pub fn create(
        &mut self,
        parent: u64,
        name: &OsStr,
        mode: u32,
        flags: i32,
    ) -> Result<(u64, libc::stat, u64), Errno> {
        let io_flags = open_flags(flags);
        let mut opened = None;
        let make = |dir: i32| {
            let fd = sys::open_at(dir, name, io_flags | libc::O_CREAT | libc::O_EXCL, mode)?;
            opened = Some(fd);
            Ok(())
        };
        let (ino, st) = match self.created(parent, name, make) {
            Err(libc::EEXIST) if flags & libc::O_EXCL == 0 => {
                let dir = self.fd(parent)?;
                opened = Some(
                    sys::open_at(dir.as_raw_fd(), name, io_flags | libc::O_NOFOLLOW, 0)
                        .map_err(err)?,
                );
                self.lookup(parent, name)?
            }
            other => other?,
        };
        let fh = self.keep_file(opened.ok_or(libc::EIO)?);
        Ok((ino, st, fh))
    }

    fn keep_file(&mut self, fd: OwnedFd) -> u64 {
        let fh = self.next_fh;
        self.next_fh += 1;
        self.files.insert(fh, fd);
        fh
    }

    /// Move `name` of `parent` into the graveyard, journalled.
    fn bury(&mut self, parent: u64, name: &OsStr, dir: bool) -> Result<(), Errno> {
        let path = self.path(parent, name)?;
        let grave_name = OsString::from(self.next_grave.to_string());
        self.next_grave += 1;
        let pfd = self.fd(parent)?;
        sys::rename_at(
            pfd.as_raw_fd(),
            name,
            self.grave.as_raw_fd(),
            &grave_name,
            true,
        )
        .map_err(err)?;
        let grave = self.grave_path.join(&grave_name);
        self.journal
            .record(Change::Removed { path, grave, dir }, vec![parent]);
        Ok(())
    }

    /// The type bits of `name` in `parent`.
    fn kind_of(&self, parent: u64, name: &OsStr) -> Result<u32, Errno> {
        let fd = sys::path_fd(self.fd(parent)?.as_raw_fd(), name).map_err(err)?;
        Ok(sys::stat(&fd).map_err(err)?.st_mode & libc::S_IFMT)
    }

    fn is_empty_dir(&self, parent: u64, name: &OsStr) -> Result<bool, Errno> {
        let fd = sys::path_fd(self.fd(parent)?.as_raw_fd(), name).map_err(err)?;
        let mut entries = std::fs::read_dir(sys::proc_path(&fd)).map_err(err)?;
        Ok(entries.next().is_none())
    }

    pub fn unlink(&mut self, parent: u64, name: &OsStr) -> Result<(), Errno> {
        if self.kind_of(parent, name)? == libc::S_IFDIR {
            return Err(libc::EISDIR);
        }
        self.bury(parent, name, false)
    }

    pub fn rmdir(&mut self, parent: u64, name: &OsStr) -> Result<(), Errno> {
        if self.kind_of(parent, name)? != libc::S_IFDIR {
            return Err(libc::ENOTDIR);
        }
        if !self.is_empty_dir(parent, name)? {
            return Err(libc::ENOTEMPTY);
        }
        self.bury(parent, name, true)
    }

    pub fn rename(
        &mut self,
        (parent, name): (u64, &OsStr),
        (newparent, newname): (u64, &OsStr),
        flags: u32,
    ) -> Result<(), Errno> {
        if flags & !libc::RENAME_NOREPLACE != 0 {
            // RENAME_EXCHANGE and RENAME_WHITEOUT are not kept apart: refused.
            return Err(libc::EINVAL);
        }
        let src = self.kind_of(parent, name)?;
        match self.kind_of(newparent, newname) {
            Ok(_) if flags & libc::RENAME_NOREPLACE != 0 => return Err(libc::EEXIST),
            Ok(dst) => {
                let (a, b) = (self.fd_of(parent, name)?, self.fd_of(newparent, newname)?);
                if sys::stat(&a).map_err(err)?.st_ino == sys::stat(&b).map_err(err)?.st_ino {
                    return Ok(()); // two names of one inode: nothing happens
                }
                let dst_dir = dst == libc::S_IFDIR;
                match (src == libc::S_IFDIR, dst_dir) {
                    (true, false) => return Err(libc::ENOTDIR),
                    (false, true) => return Err(libc::EISDIR),
                    (true, true) if !self.is_empty_dir(newparent, newname)? => {
                        return Err(libc::ENOTEMPTY)
                    }
                    _ => {}
                }
                self.bury(newparent, newname, dst_dir)?;
            }
            Err(libc::ENOENT) => {}
            Err(e) => return Err(e),
        }
        let (from, to) = (self.path(parent, name)?, self.path(newparent, newname)?);
        let (pfd, nfd) = (self.fd(parent)?, self.fd(newparent)?);
        sys::rename_at(pfd.as_raw_fd(), name, nfd.as_raw_fd(), newname, true).map_err(err)?;
        let dirs = if parent == newparent {
            vec![parent]
        } else {
            vec![parent, newparent]
        };
        self.journal.record(Change::Renamed { from, to }, dirs);
        Ok(())
    }

    fn fd_of(&self, parent: u64, name: &OsStr) -> Result<OwnedFd, Errno> {
        sys::path_fd(self.fd(parent)?.as_raw_fd(), name).map_err(err)
    }

    pub fn open(&mut self, ino: u64, flags: i32) -> Result<u64, Errno> {
        let fd = sys::reopen(&*self.fd(ino)?, open_flags(flags)).map_err(err)?;
        Ok(self.keep_file(fd))
    }

    pub fn release(&mut self, fh: u64) {
        self.files.remove(&fh);
    }

    fn file(&self, fh: u64) -> Result<&OwnedFd, Errno> {
        self.files.get(&fh).ok_or(libc::EBADF)
    }

    pub fn read(&self, fh: u64, offset: u64, size: u32) -> Result<Vec<u8>, Errno> {
        let mut buf = vec![0u8; size as usize];
        let n = sys::pread(self.file(fh)?, &mut buf, offset).map_err(err)?;
        buf.truncate(n);
        Ok(buf)
    }

    pub fn write(&mut self, ino: u64, fh: u64, offset: u64, data: &[u8]) -> Result<u32, Errno> {
        let inode = self.fd(ino)?;
        let file = self.files.get(&fh).ok_or(libc::EBADF)?;
        self.data
            .write(ino, &inode, file, offset, data)
            .map_err(err)?;
        sys::pwrite_all(file, data, offset).map_err(err)?;
        Ok(data.len() as u32)
    }

    /// chmod, chown, truncate, utimes: the size is journalled as data; the rest is
    /// taken to be durable at once.
    pub fn setattr(&mut self, ino: u64, set: SetAttr) -> Result<(u64, libc::stat), Errno> {
        let inode = self.fd(ino)?;
        let path = sys::proc_path(&inode);
        if let Some(len) = set.size {
            let file = sys::reopen(&inode, libc::O_RDWR).map_err(err)?;
            self.data.truncate(ino, &inode, &file, len).map_err(err)?;
            sys::ftruncate(&file, len).map_err(err)?;
        }
        if let Some(mode) = set.mode {
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode))
                .map_err(err)?;
        }
        if set.uid.is_some() || set.gid.is_some() {
            std::os::unix::fs::lchown(&path, set.uid, set.gid).map_err(err)?;
        }
        if set.atime.is_some() || set.mtime.is_some() {
            sys::utimens(&inode, set.atime, set.mtime).map_err(err)?;
        }
        self.getattr(ino)
    }

    pub fn readlink(&self, ino: u64) -> Result<Vec<u8>, Errno> {
        let target = sys::readlink(&*self.fd(ino)?).map_err(err)?;
        Ok(std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str()).to_vec())
    }

    /// A snapshot of the directory's entries, read by `readdir` at its offsets.
    pub fn opendir(&mut self, ino: u64) -> Result<u64, Errno> {
        let fd = self.fd(ino)?;
        let mut listed = vec![
            Listed {
                ino,
                mode: libc::S_IFDIR,
                name: ".".into(),
            },
            Listed {
                ino,
                mode: libc::S_IFDIR,
                name: "..".into(),
            },
        ];
        for e in std::fs::read_dir(sys::proc_path(&fd)).map_err(err)? {
            let e = e.map_err(err)?;
            let st = sys::stat(&self.fd_of(ino, &e.file_name())?).map_err(err)?;
            listed.push(Listed {
                ino: self.fuse_ino(&st),
                mode: st.st_mode & libc::S_IFMT,
                name: e.file_name(),
            });
        }
        let fh = self.next_fh;
        self.next_fh += 1;
        self.listings.insert(fh, listed);
        Ok(fh)
    }

    pub fn listing(&self, fh: u64) -> Result<&[Listed], Errno> {
        self.listings.get(&fh).map(Vec::as_slice).ok_or(libc::EBADF)
    }

    pub fn releasedir(&mut self, fh: u64) {
        self.listings.remove(&fh);
    }

    /// `fsync`/`fdatasync` of a file: its data, and its creation if that is pending.
    pub fn fsync(&mut self, ino: u64) {
        self.data.commit(ino);
        self.journal.commit_creation(ino);
    }

    /// `fsync` of a directory: the journal up to its last change there.
    pub fn fsyncdir(&mut self, ino: u64) {
        self.journal.commit_dir(ino);
    }

    pub fn statfs(&self) -> Result<libc::statvfs, Errno> {
        sys::statvfs(&*self.fd(ROOT)?).map_err(err)
    }

    /// What a power loss would drop now.
    pub fn pending(&self) -> Lost {
        Lost {
            bytes: self.data.unsynced_bytes(),
            files: self.data.files() as u64,
            entries: self.journal.pending() as u64,
        }
    }

    /// The power loss: unsynced data, then unsynced entries, undone.
    pub fn lose(&mut self, cut: Cut) -> Lost {
        self.files.clear();
        self.listings.clear();
        let dropped = self.data.lose(cut);
        let entries = self.journal.undo_all() as u64;
        Lost {
            bytes: dropped.bytes,
            files: dropped.files,
            entries,
        }
    }
}

/// What `setattr` changes.
#[derive(Debug, Default, Clone, Copy)]
pub struct SetAttr {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: Option<sys::Time>,
    pub mtime: Option<sys::Time>,
}

/// The flags the backing file is opened with: the access mode only. O_APPEND is the
/// kernel's (it sends the offset), O_CREAT, O_EXCL and O_TRUNC come as their own requests,
/// and O_SYNC, O_DSYNC and O_DIRECT are kept by the kernel and by powerfs (see the crate's
/// documentation): the backing file itself never needs them.
fn open_flags(flags: i32) -> i32 {
    match flags & libc::O_ACCMODE {
        libc::O_RDONLY => libc::O_RDONLY,
        // Writes save the durable bytes they replace, which needs reading.
        _ => libc::O_RDWR,
    }
}
