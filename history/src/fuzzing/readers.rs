//! The fuzz targets of the history readers: arbitrary bytes in, properties checked.

use super::invariants::{assert_error_in_text, assert_well_formed, last_line};
use super::roundtrip;
use crate::error::HistoryError;
use crate::format::{self, Format};
use crate::history::{Dialect, History};
use std::sync::atomic::{AtomicU64, Ordering};

/// schism's native JSONL reader, then the format sniffer.
pub fn jsonl(data: &[u8]) {
    with_text(data, |text| {
        check(text, crate::jsonl::parse(text, Dialect::Schism));
    });
}

/// The generic EDN reader, Jepsen's EDN history reader (also Porcupine's kv log), then the
/// format sniffer.
pub fn edn(data: &[u8]) {
    with_text(data, |text| {
        if let Err(e) = crate::edn::parse_all(text) {
            let last = last_line(text);
            assert!(
                (1..=last).contains(&e.line),
                "EDN error on line {}, of {last}: {e}",
                e.line
            );
            assert!(e.column >= 1, "EDN columns count from 1: {e}");
        }
        if let Some(h) = check(text, crate::jepsen::parse(text, Dialect::Knossos)) {
            roundtrip::assert_edn(&h);
        }
    });
}

/// Porcupine's etcd log reader, then the format sniffer.
pub fn porcupine(data: &[u8]) {
    with_text(data, |text| {
        check(
            text,
            crate::porcupine::parse_etcd_log(text, Dialect::Porcupine),
        );
    });
}

/// Run `read` on the text and on what the sniffer makes of it. Bytes that are not UTF-8 are
/// read from a file as a user's history would be, and given lossily to `read` as well.
fn with_text(data: &[u8], read: impl Fn(&str)) {
    match std::str::from_utf8(data) {
        Ok(text) => {
            read(text);
            sniff(text);
        }
        Err(_) => {
            let text = String::from_utf8_lossy(data);
            read(&text);
            sniff(&text);
            read_file(data);
        }
    }
}

/// The reader's result obeys the rules of [`super`]; the history, if there is one.
fn check(text: &str, result: Result<History, HistoryError>) -> Option<History> {
    match result {
        Ok(h) => {
            assert_well_formed(&h, text);
            roundtrip::assert_jsonl(&h);
            Some(h)
        }
        Err(e) => {
            assert_error_in_text(&e, text);
            None
        }
    }
}

/// The format sniffer: the dialect of the format it found, and the reader's rules.
fn sniff(text: &str) {
    let detected = Format::detect(text);
    match format::parse(text, None, None) {
        Ok((h, f)) => {
            assert_eq!(
                detected.as_ref().ok(),
                Some(&f),
                "parse found another format"
            );
            assert_eq!(h.dialect, f.dialect(), "{f:?} read in another dialect");
            let _ = check(text, Ok(h));
        }
        Err(e) => assert_error_in_text(&e, text),
    }
}

/// Read bytes that are not UTF-8 from a file: no panic, an error names the file.
fn read_file(data: &[u8]) {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("schism-fuzz-{}-{n}.txt", std::process::id()));
    std::fs::write(&path, data).expect("a temporary file");
    let result = format::read_path(&path, None, None);
    let _ = std::fs::remove_file(&path);
    match result {
        Ok((h, _)) => {
            let text = String::from_utf8_lossy(data);
            assert_well_formed(&h, &text);
            roundtrip::assert_jsonl(&h);
        }
        Err(e) => assert_eq!(e.path.as_deref(), Some(path.as_path()), "{e}"),
    }
}
