//! powerfs on its own, really mounted: what survives a power loss. Needs /dev/fuse and
//! root (as schism's end-to-end tests do).

use powerfs::{Cut, Lost, Mount};
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn mounted() -> Mount {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let base = std::env::temp_dir().join(format!("powerfs-test-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&base);
    Mount::new(&base).expect("mounting powerfs (needs /dev/fuse and root)")
}

fn write(path: &Path, data: &[u8], sync: bool) {
    let mut f = File::create(path).unwrap();
    f.write_all(data).unwrap();
    if sync {
        f.sync_all().unwrap();
    }
}

fn sync_dir(dir: &Path) {
    File::open(dir).unwrap().sync_all().unwrap();
}

fn read(path: &Path) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

#[test]
fn a_file_never_synced_is_gone_and_a_synced_one_stays() {
    let m = mounted();
    let dir = m.mountpoint();
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    write(&a, b"lost", false);
    write(&b, b"kept", true);
    write(&c, b"gone", false);
    assert_eq!(
        m.pending(),
        Lost {
            bytes: 8,
            files: 2,
            entries: 1
        }
    );
    let lost = m.lose(Cut::All);
    assert_eq!(
        lost,
        Lost {
            bytes: 8,
            files: 2,
            entries: 1
        }
    );
    // b's fsync committed the journal up to b's creation: a's entry (made before) stays,
    // empty, as on ext4; c, made after, is gone.
    assert_eq!(read(&a).as_deref(), Some(&b""[..]));
    assert_eq!(read(&b).as_deref(), Some(&b"kept"[..]));
    assert_eq!(read(&c), None);
    assert_eq!(m.pending(), Lost::default());
    m.unmount();
}

#[test]
fn unsynced_appends_and_overwrites_of_a_synced_file_are_undone() {
    let m = mounted();
    let f = m.mountpoint().join("log");
    let synced: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    write(&f, &synced, true);
    let mut h = OpenOptions::new().write(true).open(&f).unwrap();
    h.seek(SeekFrom::Start(5000)).unwrap();
    h.write_all(&[0xff; 100]).unwrap(); // overwrite inside
    h.seek(SeekFrom::End(0)).unwrap();
    h.write_all(&[0xee; 3000]).unwrap(); // append
    drop(h);
    assert_eq!(read(&f).unwrap().len(), 13_000);
    let lost = m.lose(Cut::All);
    assert_eq!(
        lost,
        Lost {
            bytes: 3100,
            files: 1,
            entries: 0
        }
    );
    assert_eq!(read(&f).unwrap(), synced);
    m.unmount();
}

#[test]
fn fdatasync_makes_writes_durable_and_close_does_not() {
    let m = mounted();
    let f = m.mountpoint().join("d");
    write(&f, b"one", true);
    let mut h = OpenOptions::new().append(true).open(&f).unwrap();
    h.write_all(b" two").unwrap();
    h.sync_data().unwrap();
    h.write_all(b" three").unwrap();
    drop(h); // closed, never synced
    m.lose(Cut::All);
    assert_eq!(read(&f).as_deref(), Some(&b"one two"[..]));
    m.unmount();
}

#[test]
fn a_truncation_not_synced_is_undone() {
    let m = mounted();
    let f = m.mountpoint().join("t");
    write(&f, &[7u8; 9000], true);
    OpenOptions::new()
        .write(true)
        .open(&f)
        .unwrap()
        .set_len(10)
        .unwrap();
    assert_eq!(read(&f).unwrap().len(), 10);
    m.lose(Cut::All);
    assert_eq!(read(&f).unwrap(), vec![7u8; 9000]);
    m.unmount();
}

/// The atomic-replace idiom: write a temporary file, fsync it, rename it over the real
/// name. The rename is durable only once the directory is synced.
fn replace(m: &Mount, sync_dir_after: bool) -> (Option<Vec<u8>>, Option<Vec<u8>>, Lost) {
    let dir = m.mountpoint().join("state");
    fs::create_dir(&dir).unwrap();
    let (tmp, real) = (dir.join("values.tmp"), dir.join("values"));
    write(&real, b"old", true);
    sync_dir(&dir);
    write(&tmp, b"new", true);
    fs::rename(&tmp, &real).unwrap();
    if sync_dir_after {
        sync_dir(&dir);
    }
    let lost = m.lose(Cut::All);
    (read(&tmp), read(&real), lost)
}

#[test]
fn a_rename_before_its_directory_is_synced_is_undone() {
    let m = mounted();
    let (tmp, real, lost) = replace(&m, false);
    // The replaced file comes back from the graveyard; the new one is back at its old name.
    assert_eq!(real.as_deref(), Some(&b"old"[..]));
    assert_eq!(tmp.as_deref(), Some(&b"new"[..]));
    assert_eq!(lost.entries, 2, "{lost:?}"); // the old file's removal and the rename
    m.unmount();
}

#[test]
fn a_rename_after_its_directory_is_synced_stays() {
    let m = mounted();
    let (tmp, real, lost) = replace(&m, true);
    assert_eq!(real.as_deref(), Some(&b"new"[..]));
    assert_eq!(tmp, None);
    assert_eq!(lost, Lost::default());
    m.unmount();
}

#[test]
fn an_unlink_not_synced_is_undone_with_the_data() {
    let m = mounted();
    let f = m.mountpoint().join("u");
    write(&f, b"still here", true);
    sync_dir(m.mountpoint());
    fs::remove_file(&f).unwrap();
    assert_eq!(read(&f), None);
    assert_eq!(m.lose(Cut::All).entries, 1);
    assert_eq!(read(&f).as_deref(), Some(&b"still here"[..]));
    // And once the directory is synced, an unlink is for good.
    fs::remove_file(&f).unwrap();
    sync_dir(m.mountpoint());
    m.lose(Cut::All);
    assert_eq!(read(&f), None);
    m.unmount();
}

#[test]
fn a_new_directory_with_a_synced_file_survives() {
    let m = mounted();
    let dir: PathBuf = m.mountpoint().join("n1");
    fs::create_dir(&dir).unwrap();
    write(&dir.join("x"), b"x", true); // the file's fsync commits its creation and the mkdir
    fs::create_dir(dir.join("later")).unwrap();
    let lost = m.lose(Cut::All);
    assert_eq!(lost.entries, 1, "{lost:?}");
    assert_eq!(read(&dir.join("x")).as_deref(), Some(&b"x"[..]));
    assert!(!dir.join("later").exists());
    m.unmount();
}

#[test]
fn a_torn_cut_keeps_a_prefix_of_the_unsynced_writes() {
    let data: Vec<u8> = (0..20_000u32).map(|i| (i % 241) as u8 + 1).collect();
    let mut lengths = Vec::new();
    for seed in 0..4 {
        let m = mounted();
        let f = m.mountpoint().join("torn");
        write(&f, b"", true);
        let mut h = OpenOptions::new().write(true).open(&f).unwrap();
        for chunk in data.chunks(1000) {
            h.write_all(chunk).unwrap();
        }
        drop(h);
        let lost = m.lose(Cut::Torn { seed });
        let kept = read(&f).unwrap();
        assert_eq!(kept, data[..kept.len()], "seed {seed}: not a prefix");
        assert_eq!(lost.bytes, (data.len() - kept.len()) as u64, "seed {seed}");
        lengths.push(kept.len());
        m.unmount();
    }
    // Seeded: four seeds do not all cut at one place.
    lengths.dedup();
    assert!(lengths.len() > 1, "{lengths:?}");
}

#[test]
fn o_sync_writes_are_durable_and_o_direct_ones_are_not() {
    let m = mounted();
    let (s, d) = (m.mountpoint().join("sync"), m.mountpoint().join("direct"));
    write(&s, b"", true);
    write(&d, b"", true);
    let mut h = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_SYNC)
        .open(&s)
        .unwrap();
    h.write_all(b"synced on return").unwrap();
    drop(h);
    let block = vec![0x5au8; 4096];
    match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(&d)
    {
        Ok(mut h) => {
            // O_DIRECT wants aligned buffers: a page-aligned copy.
            let mut aligned = vec![0u8; 8192];
            let at = aligned.as_ptr().align_offset(4096);
            aligned[at..at + 4096].copy_from_slice(&block);
            h.write_all(&aligned[at..at + 4096]).unwrap();
        }
        Err(e) => panic!("O_DIRECT open on powerfs: {e}"),
    }
    assert_eq!(read(&d).unwrap().len(), 4096);
    let lost = m.lose(Cut::All);
    assert_eq!(read(&s).as_deref(), Some(&b"synced on return"[..]));
    assert_eq!(read(&d).unwrap().len(), 0);
    assert_eq!(lost.bytes, 4096, "{lost:?}");
    m.unmount();
}

#[test]
fn unmounting_leaves_no_mount_and_no_directory() {
    let m = mounted();
    let point = m.mountpoint().to_path_buf();
    let base = point.parent().unwrap().to_path_buf();
    assert_eq!(powerfs::mounts_under(&base), vec![point.clone()]);
    m.unmount();
    assert!(powerfs::mounts_under(&base).is_empty());
    assert!(!base.exists());
}
