//! The bank checker on Jepsen-style EDN histories, read through `history::format`: a valid
//! one (an acknowledged, a failed and an indeterminate transfer, no open op, so the total
//! is inferred) and one where a transfer was torn (its source debited, its destination
//! never credited) and a read saw the money gone.

use checkers::bank::BankChecker;
use checkers::Checker;
use history::{format, History, Validity};
use serde_json::json;

fn golden(name: &str) -> History {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/bank")
        .join(name);
    format::read_path(&path, None, None).unwrap().0
}

#[test]
fn golden_valid_history_is_valid() {
    let h = golden("valid.edn");
    let v = BankChecker::default().check(&h);
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
    for (stat, want) in [
        ("reads", json!(2)),
        ("transfers_ok", json!(1)),
        ("transfers_failed", json!(1)),
        ("transfers_info", json!(1)),
        ("accounts", json!(3)),
        ("total", json!(100)),
        ("total_source", json!("inferred")),
    ] {
        assert_eq!(v.stats[stat], want, "{stat}");
    }
    let v = BankChecker::with_total(100).check(&h);
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
}

#[test]
fn golden_torn_transfer_is_wrong_total() {
    let h = golden("wrong-total.edn");
    for (checker, source) in [
        (BankChecker::default(), "inferred"),
        (BankChecker::with_total(100), "given"),
    ] {
        let v = checker.check(&h);
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.stats["total_source"], json!(source));
        let kinds: Vec<&str> = v.anomalies.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["wrong-total"]);
        let a = &v.anomalies[0];
        assert_eq!(
            (
                &a.data["observed"],
                &a.data["expected"],
                &a.data["difference"]
            ),
            (&json!(96), &json!(100), &json!(-4))
        );
        for says in [
            "process 1's read (op 3, ok at op 4, line 4)",
            "sum to 96",
            "holds 100",
            "= -4",
            // The transfer of 4 in flight, indeterminate: the one to suspect.
            "process 0's transfer",
            "[its amount equals the difference]",
        ] {
            assert!(a.explanation.contains(says), "{says}: {}", a.explanation);
        }
        assert_eq!(a.ops[0].invoke_index, 3);
    }
}
