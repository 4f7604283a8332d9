use super::*;
use history::{Dialect, Op, OpType, Validity, Value};

fn pair(ops: &mut Vec<Op>, p: u64, f: &str, v: Value, kind: OpType, done: Value) {
    ops.push(Op::client(p, OpType::Invoke, f, v));
    ops.push(Op::client(p, kind, f, done));
}

fn transfer(ops: &mut Vec<Op>, p: u64, from: Value, to: Value, amount: i64, kind: OpType) {
    let v = json!({"from": from, "to": to, "amount": amount});
    pair(ops, p, "transfer", v.clone(), kind, v);
}

fn read(ops: &mut Vec<Op>, p: u64, balances: Value) {
    pair(ops, p, "read", Value::Null, OpType::Ok, balances);
}

/// An open of three accounts holding 10 each.
fn opened() -> Vec<Op> {
    let mut ops = Vec::new();
    let accounts = json!({"0": 10, "1": 10, "2": 10});
    pair(&mut ops, 0, "open", accounts.clone(), OpType::Ok, accounts);
    ops
}

fn check_with(checker: BankChecker, ops: Vec<Op>) -> Verdict {
    let h = History::from_ops(ops, Dialect::Schism).unwrap();
    checker.check(&h)
}

fn check(ops: Vec<Op>) -> Verdict {
    check_with(BankChecker::default(), ops)
}

fn kinds(v: &Verdict) -> Vec<&str> {
    v.anomalies.iter().map(|a| a.kind.as_str()).collect()
}

#[test]
fn reads_that_keep_the_total_are_valid() {
    let mut ops = opened();
    transfer(&mut ops, 1, json!(0), json!(1), 4, OpType::Ok);
    transfer(&mut ops, 1, json!("1"), json!(2), 50, OpType::Fail);
    transfer(&mut ops, 1, json!(2), json!("0"), 1, OpType::Info);
    read(&mut ops, 2, json!({"0": 6, "1": 14, "2": 10}));
    read(&mut ops, 3, json!({"0": 7, "1": 14, "2": 9}));
    let v = check(ops);
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
    for (stat, want) in [
        ("reads", json!(2)),
        ("transfers_ok", json!(1)),
        ("transfers_failed", json!(1)),
        ("transfers_info", json!(1)),
        ("accounts", json!(3)),
        ("total", json!(30)),
        ("total_source", json!("open")),
        ("wrong_total", json!(0)),
        ("anomalies", json!(0)),
    ] {
        assert_eq!(v.stats[stat], want, "{stat}");
    }
}

#[test]
fn a_read_off_the_total_is_wrong_total_and_names_the_transfer_in_flight() {
    let mut ops = opened();
    // Process 1's transfer of 3 is in flight while process 2 reads.
    ops.push(Op::client(
        1,
        OpType::Invoke,
        "transfer",
        json!({"from": 0, "to": 1, "amount": 3}),
    ));
    read(&mut ops, 2, json!({"0": 7, "1": 10, "2": 10}));
    ops.push(Op::client(1, OpType::Info, "transfer", Value::Null));
    let v = check(ops);
    assert_eq!(v.validity, Validity::Invalid);
    assert_eq!(kinds(&v), ["wrong-total"]);
    let a = &v.anomalies[0];
    assert_eq!(
        (
            &a.data["expected"],
            &a.data["observed"],
            &a.data["difference"]
        ),
        (&json!(30), &json!(27), &json!(-3))
    );
    for says in [
        "sum to 27",
        "holds 30",
        "= -3",
        "process 2's read",
        "process 1's transfer",
        "[its amount equals the difference]",
        "open op",
    ] {
        assert!(a.explanation.contains(says), "{says}: {}", a.explanation);
    }
    assert_eq!(a.ops.len(), 2, "the read and the transfer");
    assert_eq!(a.ops[0].invoke_index, 3);
}

#[test]
fn a_balance_below_zero_is_negative_balance_unless_allowed() {
    let mut ops = opened();
    read(&mut ops, 1, json!({"0": -5, "1": 25, "2": 10}));
    let v = check(ops.clone());
    assert_eq!(kinds(&v), ["negative-balance"]);
    assert!(v.anomalies[0].explanation.contains("account 0 holds -5"));
    let v = check_with(BankChecker::default().allow_negative(true), ops);
    assert_eq!(v.validity, Validity::Valid);
}

#[test]
fn an_absent_or_null_account_is_missing_account() {
    let mut ops = opened();
    read(&mut ops, 1, json!({"0": 20, "1": 10}));
    read(&mut ops, 1, json!({"0": 20, "1": 10, "2": null}));
    let v = check(ops);
    assert_eq!(kinds(&v), ["missing-account", "missing-account"]);
    assert_eq!(v.anomalies[0].data["absent"], json!(["2"]));
    assert_eq!(v.anomalies[1].data["null"], json!(["2"]));
    assert!(v.anomalies[1].explanation.contains("null balance"));
    assert_eq!(v.stats["missing_account"], json!(2));
}

#[test]
fn a_key_that_is_not_an_account_is_unexpected_account() {
    let mut ops = opened();
    read(&mut ops, 1, json!({"0": 10, "1": 10, "2": 10, "9": 0}));
    let v = check(ops);
    assert_eq!(kinds(&v), ["unexpected-account"]);
    assert_eq!(v.anomalies[0].data["unexpected"], json!(["9"]));
}

#[test]
fn a_read_not_a_map_or_with_a_strange_balance_cannot_be_judged() {
    let mut ops = opened();
    read(&mut ops, 1, json!({"0": "ten", "1": 10, "2": 1.5}));
    read(&mut ops, 1, json!([10, 10, 10]));
    let v = check(ops);
    assert_eq!(v.validity, Validity::Unknown);
    assert!(kinds(&v).is_empty());
    let m = v.malformed.unwrap();
    assert_eq!((m.count, m.line), (2, 4), "{m:?}");
    assert!(
        m.message.contains(
            "account 0's balance \"ten\", account 2's balance 1.5 are neither an integer nor null"
        ),
        "{m:?}"
    );
    let mut ops = opened();
    read(&mut ops, 1, json!([10, 10, 10]));
    let m = check(ops).malformed.unwrap();
    assert!(m.message.contains("not a map"), "{m:?}");
}

#[test]
fn no_ok_read_is_unknown() {
    let mut ops = opened();
    transfer(&mut ops, 1, json!(0), json!(1), 4, OpType::Ok);
    pair(&mut ops, 2, "read", Value::Null, OpType::Fail, Value::Null);
    let v = check(ops);
    assert_eq!(v.validity, Validity::Unknown);
    let reason = v.reason.unwrap();
    assert!(
        reason.contains("no read completed ok (1 invoked)"),
        "{reason}"
    );
    assert_eq!(v.stats["reads"], json!(0));
    assert!(!reason.contains("never opened"), "{reason}");
    // Nothing at all: unknown too.
    assert_eq!(check(Vec::new()).validity, Validity::Unknown);
}

#[test]
fn accounts_never_opened_are_said_so_with_the_last_error() {
    let accounts = json!({"0": 10, "1": 10});
    let mut ops = Vec::new();
    for error in ["12: bad micro-op", "30: conflict"] {
        ops.push(Op::client(0, OpType::Invoke, "open", accounts.clone()));
        let mut done = Op::client(0, OpType::Fail, "open", accounts.clone());
        done.error = Some(json!(error));
        ops.push(done);
    }
    pair(&mut ops, 1, "read", Value::Null, OpType::Fail, Value::Null);
    let v = check(ops);
    assert_eq!(v.validity, Validity::Unknown);
    let reason = v.reason.unwrap();
    assert!(
        reason.contains("never opened: 2 open attempt(s), none ok; the last ended fail")
            && reason.contains("30: conflict"),
        "{reason}"
    );
}

#[test]
fn without_an_open_op_the_total_is_the_most_frequent_sum() {
    let mut ops = Vec::new();
    transfer(&mut ops, 0, json!(0), json!(3), 2, OpType::Ok);
    read(&mut ops, 1, json!({"0": 8, "1": 10, "2": 10, "3": 12}));
    read(&mut ops, 1, json!({"0": 8, "1": 10, "2": 10, "3": 12}));
    read(&mut ops, 1, json!({"0": 8, "1": 10, "2": 9, "3": 12}));
    let v = check(ops);
    assert_eq!(kinds(&v), ["wrong-total"]);
    assert_eq!(v.stats["total_source"], json!("inferred"));
    assert_eq!(v.stats["total"], json!(40));
    assert_eq!(v.stats["accounts"], json!(4));
    assert!(v.anomalies[0].explanation.contains("inferred"));
    // A given total wins.
    let mut ops = Vec::new();
    read(&mut ops, 1, json!({"0": 8, "1": 10}));
    let v = check_with(BankChecker::with_total(18), ops);
    assert_eq!(
        (v.validity, &v.stats["total_source"]),
        (Validity::Valid, &json!("given"))
    );
}

#[test]
fn without_an_open_op_an_account_a_transfer_names_must_be_read() {
    let mut ops = Vec::new();
    transfer(&mut ops, 0, json!(0), json!(5), 2, OpType::Ok);
    transfer(&mut ops, 0, json!(0), json!(77), 2, OpType::Fail);
    read(&mut ops, 1, json!({"0": 8, "1": 12}));
    let v = check(ops);
    assert_eq!(kinds(&v), ["missing-account"]);
    assert_eq!(v.anomalies[0].data["absent"], json!(["5"]));
}

#[test]
fn a_node_value_read_is_unwrapped_and_its_node_named() {
    let mut ops = opened();
    pair(
        &mut ops,
        1,
        "read",
        json!({"node": "n2"}),
        OpType::Ok,
        json!({"node": "n2", "value": {"0": 10, "1": 10, "2": 11}}),
    );
    pair(
        &mut ops,
        1,
        "read",
        json!({"node": "n1"}),
        OpType::Ok,
        json!({"node": "n1", "value": {"0": 10, "1": 10, "2": 10}}),
    );
    let v = check(ops);
    assert_eq!(kinds(&v), ["wrong-total"]);
    assert_eq!(v.anomalies[0].data["node"], json!("n2"));
    assert!(v.anomalies[0].explanation.contains("from n2"));
    assert_eq!(v.stats["final_reads"], json!(2));
}

#[test]
fn odd_values_anywhere_never_panic() {
    let mut ops = Vec::new();
    pair(&mut ops, 0, "open", json!([1, 2]), OpType::Ok, json!("x"));
    pair(
        &mut ops,
        0,
        "transfer",
        json!("all of it"),
        OpType::Ok,
        Value::Null,
    );
    pair(
        &mut ops,
        0,
        "transfer",
        json!({"from": [1], "to": null, "amount": "5"}),
        OpType::Info,
        json!(3),
    );
    read(
        &mut ops,
        1,
        json!({"0": u64::MAX, "1": i64::MAX, "2": i64::MAX}),
    );
    read(
        &mut ops,
        1,
        json!({"0": i64::MAX, "1": i64::MAX, "2": i64::MAX}),
    );
    read(&mut ops, 1, json!({"0": i64::MAX, "1": i64::MAX}));
    read(&mut ops, 1, Value::Null);
    read(&mut ops, 1, json!({"value": 3}));
    let v = check(ops);
    assert_eq!(v.validity, Validity::Invalid);
    // The open op, both transfers and two reads cannot be read; the first is named.
    let m = v.malformed.as_ref().unwrap();
    assert_eq!((m.line, m.count), (1, 5), "{m:?}");
    assert!(
        m.message
            .contains("not a map from account to integer balance"),
        "{m:?}"
    );
    assert_eq!(kinds(&v), ["wrong-total", "missing-account"]);
}

#[test]
fn several_kinds_in_one_read_are_each_told() {
    let mut ops = opened();
    read(&mut ops, 1, json!({"0": -1, "1": null, "x": 3}));
    let v = check(ops);
    assert_eq!(
        kinds(&v),
        ["negative-balance", "missing-account", "unexpected-account"]
    );
    assert_eq!(v.anomalies[1].data["absent"], json!(["2"]));
}

#[test]
fn an_indeterminate_transfer_is_named_once_and_later_ones_not_at_all() {
    let mut ops = opened();
    transfer(&mut ops, 1, json!(0), json!(1), 2, OpType::Info);
    ops.push(Op::client(
        3,
        OpType::Invoke,
        "transfer",
        json!({"from": 1, "to": 2, "amount": 1}),
    ));
    read(&mut ops, 2, json!({"0": 8, "1": 10, "2": 10}));
    ops.push(Op::client(3, OpType::Info, "transfer", Value::Null));
    transfer(&mut ops, 4, json!(2), json!(0), 7, OpType::Info);
    let v = check(ops);
    assert_eq!(kinds(&v), ["wrong-total"]);
    let text = &v.anomalies[0].explanation;
    assert!(text.contains("1 transfer(s) were in flight"), "{text}");
    assert!(text.contains("1 other indeterminate transfer(s)"), "{text}");
    assert_eq!(text.matches("process 3's transfer").count(), 1, "{text}");
    assert!(!text.contains("process 4's transfer"), "{text}");
    let spans: Vec<u64> = v.anomalies[0].ops.iter().map(|s| s.invoke_index).collect();
    assert_eq!(spans, [5, 4, 2]);
}

#[test]
fn many_bad_reads_are_counted_past_the_listed_ones() {
    let mut ops = opened();
    for p in 0..5_000 {
        ops.push(Op::client(
            100 + p,
            OpType::Invoke,
            "transfer",
            json!({"from": 0, "to": 1, "amount": 1}),
        ));
        read(&mut ops, 1, json!({"0": 10, "1": 10, "2": 9}));
    }
    let v = check(ops);
    assert_eq!(v.anomalies.len(), MAX_ANOMALIES);
    assert_eq!(v.stats["anomalies"], json!(5_000));
    assert_eq!(v.stats["transfers_info"], json!(5_000));
    assert!(v.anomalies[99]
        .explanation
        .contains("100 transfer(s) were in flight"));
}
