//! Thin wrappers over the `*at` system calls the filesystem makes on its backing
//! directory: every inode is held by an `O_PATH` descriptor and names are resolved
//! relative to their parent's, so a rename anywhere never invalidates what is held.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

pub fn cstr(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn check(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `openat(dir, name, flags, mode)`.
pub fn open_at(dir: RawFd, name: &OsStr, flags: i32, mode: u32) -> io::Result<OwnedFd> {
    let name = cstr(name)?;
    let fd = check(unsafe { libc::openat(dir, name.as_ptr(), flags | libc::O_CLOEXEC, mode) })?;
    // SAFETY: openat returned a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// An `O_PATH` descriptor of `name` in `dir` (symlinks not followed).
pub fn path_fd(dir: RawFd, name: &OsStr) -> io::Result<OwnedFd> {
    open_at(dir, name, libc::O_PATH | libc::O_NOFOLLOW, 0)
}

/// The file an `O_PATH` descriptor holds, opened for real I/O with `flags`.
pub fn reopen(fd: &OwnedFd, flags: i32) -> io::Result<OwnedFd> {
    open_at(libc::AT_FDCWD, proc_path(fd).as_os_str(), flags, 0)
}

/// `/proc/self/fd/N`: a path that names what the descriptor holds.
pub fn proc_path(fd: &OwnedFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

pub fn stat(fd: &OwnedFd) -> io::Result<libc::stat> {
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let flags = libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW;
    check(unsafe { libc::fstatat(fd.as_raw_fd(), c"".as_ptr(), &mut st, flags) })?;
    Ok(st)
}

pub fn mkdir_at(dir: RawFd, name: &OsStr, mode: u32) -> io::Result<()> {
    let name = cstr(name)?;
    check(unsafe { libc::mkdirat(dir, name.as_ptr(), mode) }).map(drop)
}

pub fn symlink_at(target: &OsStr, dir: RawFd, name: &OsStr) -> io::Result<()> {
    let (target, name) = (cstr(target)?, cstr(name)?);
    check(unsafe { libc::symlinkat(target.as_ptr(), dir, name.as_ptr()) }).map(drop)
}

/// A new name `name` in `dir` for the inode `fd` holds.
pub fn link_at(fd: &OwnedFd, dir: RawFd, name: &OsStr) -> io::Result<()> {
    let (from, name) = (cstr(proc_path(fd).as_os_str())?, cstr(name)?);
    let flags = libc::AT_SYMLINK_FOLLOW;
    check(unsafe { libc::linkat(libc::AT_FDCWD, from.as_ptr(), dir, name.as_ptr(), flags) })
        .map(drop)
}

/// `renameat2` with `RENAME_NOREPLACE` when asked.
pub fn rename_at(
    from: RawFd,
    name: &OsStr,
    to: RawFd,
    new: &OsStr,
    noreplace: bool,
) -> io::Result<()> {
    let (name, new) = (cstr(name)?, cstr(new)?);
    let flags = if noreplace { libc::RENAME_NOREPLACE } else { 0 };
    check(unsafe { libc::renameat2(from, name.as_ptr(), to, new.as_ptr(), flags) }).map(drop)
}

pub fn readlink(fd: &OwnedFd) -> io::Result<PathBuf> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    let n = unsafe {
        libc::readlinkat(
            fd.as_raw_fd(),
            c"".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    let s: std::ffi::OsString = std::os::unix::ffi::OsStringExt::from_vec(buf);
    Ok(PathBuf::from(s))
}

pub fn pread(fd: &OwnedFd, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let n = unsafe {
        libc::pread(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            offset as libc::off_t,
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Writes all of `buf` at `offset`.
pub fn pwrite_all(fd: &OwnedFd, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = unsafe {
            libc::pwrite(
                fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                offset as libc::off_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        buf = &buf[n as usize..];
        offset += n as u64;
    }
    Ok(())
}

pub fn ftruncate(fd: &OwnedFd, len: u64) -> io::Result<()> {
    check(unsafe { libc::ftruncate(fd.as_raw_fd(), len as libc::off_t) }).map(drop)
}

/// The errno of an I/O error, for a FUSE reply.
pub fn errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// The path a directory's descriptor names now.
pub fn readlink_proc(fd: &OwnedFd) -> io::Result<PathBuf> {
    std::fs::read_link(proc_path(fd))
}

pub fn statvfs(fd: &OwnedFd) -> io::Result<libc::statvfs> {
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstatvfs(fd.as_raw_fd(), &mut st) })?;
    Ok(st)
}

/// A time to set: now, or a moment since the epoch.
#[derive(Debug, Clone, Copy)]
pub enum Time {
    Now,
    At(std::time::SystemTime),
}

fn timespec(t: Option<Time>) -> libc::timespec {
    let (tv_sec, tv_nsec) = match t {
        None => (0, libc::UTIME_OMIT),
        Some(Time::Now) => (0, libc::UTIME_NOW),
        Some(Time::At(at)) => {
            let d = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            (
                d.as_secs() as libc::time_t,
                d.subsec_nanos() as libc::c_long,
            )
        }
    };
    libc::timespec { tv_sec, tv_nsec }
}

/// Set the access and modification times of what `fd` holds (symlinks not followed).
pub fn utimens(fd: &OwnedFd, atime: Option<Time>, mtime: Option<Time>) -> io::Result<()> {
    let times = [timespec(atime), timespec(mtime)];
    let path = cstr(proc_path(fd).as_os_str())?;
    // The magic link itself is followed to the inode; AT_SYMLINK_NOFOLLOW would stop at it.
    check(unsafe { libc::utimensat(libc::AT_FDCWD, path.as_ptr(), times.as_ptr(), 0) }).map(drop)
}
