//! The log checker on small hand-written histories with known verdicts: one per anomaly
//! kind in schism's shape (JSON lines), and histories in the shapes of Jepsen's kafka
//! test and of Maelstrom's kafka workload (EDN), read through `history::format` as
//! `schism check` reads them.

use checkers::log::LogChecker;
use checkers::Checker;
use history::{format, History, Validity};
use std::collections::BTreeSet;

fn golden(name: &str) -> History {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/log")
        .join(name);
    format::read_path(&path, None, None)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .0
}

use Validity::{Invalid, Unknown, Valid};

/// (file, verdict, the anomaly kinds it shows).
const CASES: &[(&str, Validity, &[&str])] = &[
    ("valid.jsonl", Valid, &[]),
    ("lost-write.jsonl", Invalid, &["lost-write"]),
    ("duplicate.jsonl", Invalid, &["duplicate"]),
    (
        "inconsistent-offsets.jsonl",
        Invalid,
        // The value the final read no longer holds at offset 0 is lost too.
        &["inconsistent-offsets", "lost-write"],
    ),
    ("nonmonotonic-send.jsonl", Invalid, &["nonmonotonic-send"]),
    ("nonmonotonic-poll.jsonl", Invalid, &["nonmonotonic-poll"]),
    ("poll-skip.jsonl", Invalid, &["poll-skip"]),
    ("unexpected.jsonl", Invalid, &["unexpected"]),
    ("no-final-read.jsonl", Unknown, &[]),
    ("jepsen-valid.edn", Valid, &[]),
    ("jepsen-lost-write.edn", Invalid, &["lost-write"]),
    ("maelstrom-valid.edn", Valid, &[]),
    ("maelstrom-poll-skip.edn", Invalid, &["poll-skip"]),
];

#[test]
fn every_golden_history_has_its_verdict_and_its_kinds() {
    for (name, validity, want) in CASES {
        let v = LogChecker.check(&golden(name));
        assert_eq!(v.validity, *validity, "{name}: {v:#?}");
        let got: BTreeSet<&str> = v.anomalies.iter().map(|a| a.kind.as_str()).collect();
        let want: BTreeSet<&str> = want.iter().copied().collect();
        assert_eq!(got, want, "{name}: {v:#?}");
        assert!(v.malformed.is_none(), "{name}: {:?}", v.malformed);
        for a in &v.anomalies {
            assert!(a.key.is_some(), "{name}: {a:?}");
            assert!(!a.ops.is_empty(), "{name}: {a:?}");
        }
    }
}

#[test]
fn anomalies_name_their_key_offsets_values_and_ops() {
    let v = LogChecker.check(&golden("lost-write.jsonl"));
    let a = &v.anomalies[0];
    assert_eq!(a.key, Some(history::Key::Int(0)));
    assert_eq!(a.data["value"], 2);
    assert_eq!(a.data["offset"], 1);
    assert_eq!(a.data["by"], "final-read");
    assert_eq!(
        a.ops.iter().map(|o| o.line).collect::<Vec<_>>(),
        [3, 9],
        "the send, then the final read lacking it"
    );
    assert!(
        a.explanation
            .contains("key 0: value 2 is lost. Its send (process 0's send 2 (op 2, ok at op 3, line 3)) was acknowledged at offset 1"),
        "{}",
        a.explanation
    );

    let v = LogChecker.check(&golden("maelstrom-poll-skip.edn"));
    let a = &v.anomalies[0];
    assert_eq!(
        a.key,
        Some(history::Key::Int(1)),
        "\"1\" reads as the key 1"
    );
    assert_eq!(a.data["offsets"], serde_json::json!([0, 4]));
    assert_eq!(a.data["skipped"], serde_json::json!([2]));
    assert_eq!(a.ops.len(), 2, "the two successive polls");
    assert!(
        a.explanation
            .contains("offset(s) known to exist: 2 (holding 11)"),
        "{}",
        a.explanation
    );

    let v = LogChecker.check(&golden("jepsen-valid.edn"));
    assert_eq!(
        v.stats["recovered_info"], 1,
        "the unsure send of 3 was polled"
    );
    assert_eq!(v.stats["failed_sends"], 1);
    assert_eq!(v.stats["keys"], 2);
}
