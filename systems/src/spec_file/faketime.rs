//! Moving the clock of a spec's program with libfaketime (Debian's `faketime`): when a
//! run's nemesis has `clock`, the library goes into the image with its libraries, every
//! process of the node starts with it preloaded, and it reads the clock's offset from
//! [`FILE`] at every clock call, a file the `clock` fault rewrites while the node runs.
//!
//! Two facts of libfaketime 0.9.10 shape this (found when ZooKeeper's JVM exited at
//! random under it): its plain library shares one buffer between threads without a lock
//! (another thread may read a half-written offset, or the true time), so the image gets
//! its thread-safe build, `libfaketimeMT.so.1`; and a process that opens a timestamp file
//! still empty before it ever read a line exits (`failed to parse FAKETIME timestamp`),
//! which the Docker engine's way of replacing a file (remove, create empty, write) invites,
//! so the image starts with [`FILE`] and libfaketime's fallback
//! ([`nemesis::FAKETIME_FALLBACK`], read while the file is missing) both at `+0.000`.
//!
//! Only programs that take the time from libc can be reached this way; a Go program reads
//! it through the vDSO and its own system calls, a static program has no dynamic loader to
//! preload anything, and a program linked with jemalloc asks for the time while
//! libfaketime initialises and is aborted by it (libfaketime 0.9.10, measured with
//! Debian's redis-server 7.0): [`reach`] says so, and the run is refused before it starts.

use cluster::ImageFile;
use nemesis::ClockReach;
use std::path::Path;

/// The library on this machine (package `faketime`), its thread-safe build.
pub const HOST_LIB: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
/// Where it goes in the image.
const IMAGE_LIB: &str = "/usr/lib/faketime/libfaketimeMT.so.1";
/// The control file in each node.
pub const FILE: &str = "/schism/faketime";

/// The files the image starts with: the control file and libfaketime's fallback, both at
/// the true time.
pub fn image_texts() -> Vec<(String, String)> {
    [FILE, nemesis::FAKETIME_FALLBACK]
        .map(|path| (path.to_string(), nemesis::faketime_line(0)))
        .to_vec()
}

/// The library, for the image.
pub fn image_file() -> ImageFile {
    ImageFile {
        host_path: HOST_LIB.into(),
        image_path: IMAGE_LIB.into(),
        with_libraries: true,
    }
}

/// The environment that preloads it: the offset from [`FILE`] at every call (no cache), the
/// monotonic clock left alone (a JVM hangs when it jumps; a system clock's bump leaves it
/// alone too), no shared memory between processes.
pub fn env() -> Vec<(String, String)> {
    [
        ("LD_PRELOAD", IMAGE_LIB),
        ("FAKETIME_TIMESTAMP_FILE", FILE),
        ("FAKETIME_NO_CACHE", "1"),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ("FAKETIME_DISABLE_SHM", "1"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .to_vec()
}

/// Whether libfaketime can move the clock of `program` (the system's, named `system`).
pub fn reach(system: &str, program: &Path) -> ClockReach {
    let bytes = match std::fs::read(program) {
        Ok(b) => b,
        Err(e) => {
            return ClockReach::Refused(format!("{system}'s program {}: {e}", program.display()))
        }
    };
    let named = format!("{system}'s program {}", program.display());
    match why_not(&bytes) {
        Some(why) => ClockReach::Refused(format!(
            "{named} {why}, so libfaketime (LD_PRELOAD) cannot move its clock"
        )),
        None => ClockReach::Faketime { file: FILE.into() },
    }
}

/// Why an ELF program's clock is out of libfaketime's reach; None for anything else (a
/// script runs under an interpreter that takes the time from libc).
fn why_not(bytes: &[u8]) -> Option<&'static str> {
    if !bytes.starts_with(b"\x7fELF") {
        return None;
    }
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if has(b"\xff Go buildinf:") {
        Some("is written in Go, which reads the time through the vDSO and its own system calls, not libc")
    } else if !has_interpreter(bytes) {
        Some("is statically linked: no dynamic loader preloads anything into it")
    } else if has(b"libjemalloc.so") {
        Some("links jemalloc, which asks for the time while libfaketime 0.9.10 initialises, and libfaketime aborts it at start")
    } else {
        None
    }
}

/// Whether a 64-bit little-endian ELF file has a PT_INTERP program header (a dynamic
/// loader); other ELF files: whether they name one.
fn has_interpreter(bytes: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let u16_at = |o: usize| {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u64_at = |o: usize| {
        bytes
            .get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as usize)
    };
    if bytes.get(4) != Some(&2) || bytes.get(5) != Some(&1) {
        return bytes.windows(8).any(|w| w == b"ld-linux");
    }
    let (Some(phoff), Some(size), Some(count)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return false;
    };
    (0..count).any(|i| {
        let o = phoff + i * size;
        bytes.get(o..o + 4) == Some(&PT_INTERP.to_le_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programs_of_this_machine_are_told_apart() {
        // Present here after scripts/install-deps; each case is skipped where its program
        // is missing, and at least the dynamic ones must be there.
        let cases = [
            ("/usr/bin/etcd", Some("Go")),
            ("/usr/sbin/nats-server", Some("Go")),
            ("/usr/bin/busybox", Some("statically linked")),
            ("/usr/bin/redis-server", Some("jemalloc")),
            ("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", None),
            ("/usr/sbin/mariadbd", None),
            ("/bin/ls", None),
        ];
        let mut seen = 0;
        for (path, want) in cases {
            if !Path::new(path).exists() {
                continue;
            }
            seen += 1;
            match (reach("x", Path::new(path)), want) {
                (ClockReach::Faketime { file }, None) => assert_eq!(file, FILE),
                (ClockReach::Refused(why), Some(word)) => {
                    assert!(why.contains(word) && why.contains(path), "{why}")
                }
                (got, want) => panic!("{path}: {got:?}, wanted {want:?}"),
            }
        }
        assert!(seen >= 2, "too few of the programs are on this machine");
        let script = std::env::temp_dir().join(format!("faketime-{}.py", std::process::id()));
        std::fs::write(&script, "#!/usr/bin/python3\n").unwrap();
        assert!(matches!(reach("x", &script), ClockReach::Faketime { .. }));
        let _ = std::fs::remove_file(&script);
    }
}
