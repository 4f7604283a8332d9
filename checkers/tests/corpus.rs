//! Every history of the bundled Porcupine corpus gets the verdict recorded in
//! `expected.tsv`, and the Knossos dialect agrees with what Knossos itself decided.

use checkers::linearizable::{check, Options};
use history::{format, Dialect, Validity};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/porcupine")
}

struct Row {
    file: String,
    expected: String,
    knossos: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(corpus().join("expected.tsv")).expect("expected.tsv");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Row {
                file: f[0].to_string(),
                expected: f[2].to_string(),
                knossos: f.get(7).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

#[test]
fn every_verdict_of_the_corpus_matches() {
    let rows = rows();
    assert_eq!(
        rows.len(),
        109,
        "102 etcd logs (one empty) and 6 kv logs, plus etcd_095"
    );
    let mut checked = 0;
    for row in &rows {
        let (h, _) = format::read_path(&corpus().join(&row.file), None, None).expect("readable");
        let report = check(&h, &Options::default()).expect("checkable");
        let got = report.verdict.validity;
        match row.expected.as_str() {
            "true" => assert_eq!(got, Validity::Valid, "{}", row.file),
            "false" => {
                assert_eq!(got, Validity::Invalid, "{}", row.file);
                let a = &report.verdict.anomalies[0];
                assert!(a.explanation.contains("not linearizable"), "{}", row.file);
                assert!(!a.ops.is_empty(), "{}", row.file);
            }
            _ => {
                assert_eq!(report.ops, 0, "{}: the empty log", row.file);
                assert_eq!(got, Validity::Valid, "{}: nothing to contradict", row.file);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 109);
}

#[test]
fn the_knossos_dialect_finds_no_more_than_porcupines_and_matches_knossos() {
    let knossos = Options {
        dialect: Some(Dialect::Knossos),
        ..Options::default()
    };
    let mut compared = 0;
    for row in rows().iter().filter(|r| r.file.starts_with("jepsen/")) {
        let (h, _) = format::read_path(&corpus().join(&row.file), None, None).expect("readable");
        let got = check(&h, &knossos).expect("checkable").verdict.validity;
        if row.expected == "true" {
            assert_eq!(
                got,
                Validity::Valid,
                "{}: Knossos's reading can only find fewer violations",
                row.file
            );
        }
        match row.knossos.as_str() {
            "true" => assert_eq!(got, Validity::Valid, "{}", row.file),
            "false" => assert_eq!(got, Validity::Invalid, "{}", row.file),
            _ => continue,
        }
        compared += 1;
    }
    assert!(compared > 80, "{compared}");
}
