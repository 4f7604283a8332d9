//! What a host needs for powerfs, and finding and removing mounts a dead process left.

use crate::PowerError;
use std::path::{Path, PathBuf};

/// The FUSE device; this environment variable names another one (for tests of a host
/// without it).
pub const FUSE_DEVICE_ENV: &str = "SCHISM_FUSE_DEVICE";

/// The source name powerfs mounts carry in `/proc/self/mountinfo` (type `fuse`).
pub const FS_NAME: &str = "schism-powerfs";

/// Check this host can mount powerfs: the FUSE device and `fusermount3` (or
/// `fusermount`), what unmounts a FUSE filesystem a dead process left.
pub fn check_host() -> Result<(), PowerError> {
    let device = std::env::var_os(FUSE_DEVICE_ENV).unwrap_or_else(|| "/dev/fuse".into());
    if !Path::new(&device).exists() {
        return Err(PowerError::Missing(format!(
            "{} is missing: this host has no FUSE. Load the module (`modprobe fuse`), or give \
             the container schism runs in `--device /dev/fuse --cap-add SYS_ADMIN`",
            Path::new(&device).display()
        )));
    }
    if fusermount().is_none() {
        return Err(PowerError::Missing(
            "fusermount3 (or fusermount) is missing from PATH: install the Debian package \
             fuse3 (scripts/install-deps does)"
                .into(),
        ));
    }
    Ok(())
}

fn fusermount() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("fusermount3"), d.join("fusermount")])
        .find(|p| p.is_file())
}

/// The powerfs mountpoints under `dir` (from `/proc/self/mountinfo`).
pub fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    info.lines()
        .filter_map(|line| {
            // ... mountpoint(5th) ... - fstype source options
            let (left, right) = line.split_once(" - ")?;
            let point = left.split(' ').nth(4)?;
            let mut right = right.split(' ');
            let ours = right.next()?.starts_with("fuse") && right.next()? == FS_NAME;
            ours.then(|| PathBuf::from(unescape(point)))
        })
        .filter(|p| p.starts_with(dir))
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let code: String = chars.by_ref().take(3).collect();
            if let Ok(b) = u8::from_str_radix(&code, 8) {
                out.push(b as char);
                continue;
            }
            out.push('\\');
            out.push_str(&code);
        } else {
            out.push(c);
        }
    }
    out
}

/// Detach a mount now, even if its server is gone or it is busy (`fusermount -uz`, or
/// `umount2(MNT_DETACH)` when that is missing).
pub fn lazy_unmount(point: &Path) -> std::io::Result<()> {
    if let Some(fm) = fusermount() {
        let out = std::process::Command::new(fm)
            .args(["-u", "-z", "--"])
            .arg(point)
            .output()?;
        if out.status.success() {
            return Ok(());
        }
    }
    let c = crate::sys::cstr(point.as_os_str())?;
    if unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn mountinfo_paths_are_unescaped() {
        for (raw, path) in [
            ("/a/b", "/a/b"),
            ("/a\\040b", "/a b"),
            ("/x\\134y", "/x\\y"),
        ] {
            assert_eq!(super::unescape(raw), path);
        }
    }
}
