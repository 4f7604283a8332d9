//! Small hand-made transactional histories, one per anomaly class, each with the exact
//! kind and the exact cycle (which transactions, which edges, in order) the checkers must
//! report; and a Jepsen EDN history read through `history::format`.
//!
//! Histories are written as lines `process type micro-ops`, one event per line in
//! real-time order: the op index is the line's position (from 0), so a cycle's `txns`
//! are the line numbers of the invocations.

mod common;

use checkers::txn::{ListAppend, Model, RwRegister};
use checkers::Checker;
use history::{format, Anomaly, Dialect, History, Op, Validity, Value, Verdict};
use serde_json::json;

fn history(text: &str) -> History {
    common::history(text, Dialect::Schism, 1_000, |process, kind, rest| {
        let value: Value = serde_json::from_str(rest.trim()).unwrap();
        Op::client(process, kind, "txn", value)
    })
}

fn list(model: Model, h: &History) -> Verdict {
    ListAppend {
        model,
        ..ListAppend::default()
    }
    .check(h)
}

fn register(model: Model, h: &History) -> Verdict {
    RwRegister {
        model,
        ..RwRegister::default()
    }
    .check(h)
}

/// How a test checks a history under a model.
type Check = fn(Model, &History) -> Verdict;

/// The history written in `text`, and `check`'s verdict on it under `model`, whose
/// anomalies must be of exactly the kinds `want`, in order.
fn checked(check: Check, model: Model, text: &str, want: &[&str]) -> (History, Verdict) {
    let h = history(text);
    let v = check(model, &h);
    assert_eq!(kinds(&v), want);
    (h, v)
}

/// Asserts `a` is the cycle through transactions `txns` over `edges`, in cycle order,
/// and that its explanation says each of `says`.
fn assert_cycle(a: &Anomaly, txns: &[u64], edges: &[&str], says: &[&str]) {
    assert_eq!(
        cycle(a),
        (txns.to_vec(), edges.iter().map(|e| e.to_string()).collect())
    );
    assert_says(a, says);
}

/// Asserts `a`'s explanation says each of `says`.
fn assert_says(a: &Anomaly, says: &[&str]) {
    for s in says {
        assert!(a.explanation.contains(s), "{s:?} in {}", a.explanation);
    }
}

/// The kinds of a verdict's anomalies, in order.
fn kinds(v: &Verdict) -> Vec<&str> {
    v.anomalies.iter().map(|a| a.kind.as_str()).collect()
}

/// A cycle anomaly's transactions (invocation op indices) and edges, in cycle order.
fn cycle(a: &Anomaly) -> (Vec<u64>, Vec<String>) {
    let txns = a.data["txns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    let edges = a.data["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    (txns, edges)
}

/// The invocation indices of an anomaly's ops.
fn ops(a: &Anomaly) -> Vec<u64> {
    a.ops.iter().map(|o| o.invoke_index).collect()
}

/// Every model from `weakest` on rules it out; the weaker ones accept it.
fn rules_out_from(h: &History, weakest: Model, check: Check) {
    for m in Model::ALL {
        let want = if m >= weakest {
            Validity::Invalid
        } else {
            Validity::Valid
        };
        let v = check(m, h);
        assert_eq!(v.validity, want, "{}: {:#?}", m.as_str(), v.anomalies);
    }
}

#[test]
fn g0_interleaved_appends() {
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["append",1,1],["append",2,1]]
        1 invoke [["append",1,2],["append",2,2]]
        0 ok     [["append",1,1],["append",2,1]]
        1 ok     [["append",1,2],["append",2,2]]
        2 invoke [["r",1,null],["r",2,null]]
        2 ok     [["r",1,[1,2]],["r",2,[2,1]]]
        "#,
        &["G0"],
    );
    let a = &v.anomalies[0];
    assert_cycle(
        a,
        &[0, 1],
        &["ww", "ww"],
        &[
            "T1 < T2 (ww: on key 1, T1 appended 1 and T2 appended 2 right after it)",
            "T2 < T1 (ww: on key 2, T2 appended 2 and T1 appended 1 right after it)",
            "T1 = op 0 (process 0, ok, line 1): [append 1 1] [append 2 1]",
        ],
    );
    assert_eq!(v.stats["ruled_out"], json!(Model::ALL.map(Model::as_str)));
    rules_out_from(&h, Model::ReadCommitted, list);
}

#[test]
fn g1a_aborted_read() {
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["append",1,1]]
        0 fail   [["append",1,1]]
        1 invoke [["r",1,null]]
        1 ok     [["r",1,[1]]]
        "#,
        &["G1a"],
    );
    assert_eq!(
        ops(&v.anomalies[0]),
        [2, 0],
        "the reader, then the failed writer"
    );
    assert_says(
        &v.anomalies[0],
        &["T1 read key 1 = [1], which holds 1, appended by T2, which failed"],
    );
    rules_out_from(&h, Model::ReadCommitted, list);
}

#[test]
fn g1b_intermediate_read() {
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["append",1,1],["append",1,2]]
        1 invoke [["r",1,null]]
        1 ok     [["r",1,[1]]]
        0 ok     [["append",1,1],["append",1,2]]
        2 invoke [["r",1,null]]
        2 ok     [["r",1,[1,2]]]
        "#,
        &["G1b"],
    );
    assert_eq!(ops(&v.anomalies[0]), [1, 0]);
    rules_out_from(&h, Model::ReadCommitted, list);
}

#[test]
fn g1c_cyclic_information_flow() {
    let (h, v) = checked(
        list,
        Model::ReadCommitted,
        r#"
        0 invoke [["append",1,1],["r",2,null]]
        1 invoke [["append",2,1],["r",1,null]]
        0 ok     [["append",1,1],["r",2,[1]]]
        1 ok     [["append",2,1],["r",1,[1]]]
        "#,
        &["G1c"],
    );
    let a = &v.anomalies[0];
    assert_cycle(
        a,
        &[0, 1],
        &["wr", "wr"],
        &["T1 < T2 (wr: T2 read key 1 = [1], which ends with 1, appended by T1)"],
    );
    rules_out_from(&h, Model::ReadCommitted, list);
}

#[test]
fn g_single_read_skew() {
    let (h, v) = checked(
        list,
        Model::SnapshotIsolation,
        r#"
        0 invoke [["append",1,1],["append",2,1]]
        1 invoke [["r",1,null],["r",2,null]]
        0 ok     [["append",1,1],["append",2,1]]
        1 ok     [["r",1,[1]],["r",2,[]]]
        2 invoke [["r",2,null]]
        2 ok     [["r",2,[1]]]
        "#,
        &["G-single"],
    );
    let a = &v.anomalies[0];
    assert_cycle(
        a,
        &[0, 1],
        &["wr", "rw"],
        &["T2 < T1 (rw: T2 read key 2 = [] without 1, which T1 appended first)"],
    );
    assert!(a
        .explanation
        .ends_with("Rules out: snapshot-isolation, serializable, strict-serializable."));
    rules_out_from(&h, Model::SnapshotIsolation, list);
}

#[test]
fn g2_item_write_skew() {
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["r",1,null],["r",2,null],["append",1,1]]
        1 invoke [["r",1,null],["r",2,null],["append",2,1]]
        0 ok     [["r",1,[]],["r",2,[]],["append",1,1]]
        1 ok     [["r",1,[]],["r",2,[]],["append",2,1]]
        2 invoke [["r",1,null],["r",2,null]]
        2 ok     [["r",1,[1]],["r",2,[1]]]
        "#,
        &["G2-item"],
    );
    assert_cycle(&v.anomalies[0], &[0, 1], &["rw", "rw"], &[]);
    rules_out_from(&h, Model::Serializable, list);
    let si = list(Model::SnapshotIsolation, &h);
    assert_eq!(
        si.stats["ruled_out"],
        json!(["serializable", "strict-serializable"])
    );
    assert_eq!(si.stats["anomaly_kinds"], json!({"G2-item": 1}));
}

#[test]
fn g2_item_write_skew_never_read_back() {
    // Write skew whose appends no read shows (Elle's si-without-g-single is such a case):
    // an append no read shows came after every version read, so each transaction's append
    // follows the other's read.
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["r",1,null],["append",2,1]]
        1 invoke [["r",2,null],["append",1,1]]
        0 ok     [["r",1,[]],["append",2,1]]
        1 ok     [["r",2,[]],["append",1,1]]
        "#,
        &["G2-item"],
    );
    assert_cycle(
        &v.anomalies[0],
        &[0, 1],
        &["rw", "rw"],
        &[
            "T1 < T2 (rw: T1 read key 1 = [] without 1, which T2 appended; no read shows 1, \
             so it came after every version read)",
            "T2 < T1 (rw: T2 read key 2 = [] without 1, which T1 appended; no read shows 1, \
             so it came after every version read)",
        ],
    );
    rules_out_from(&h, Model::Serializable, list);
}

#[test]
fn an_append_never_read_back_follows_the_last_value_read() {
    // T2's 7 is the last value any read shows of key 3; T1's 8 is never shown, so it came
    // after 7 (ww); but T1 read key 2 without T2's append (rw): G-single.
    let (h, v) = checked(
        list,
        Model::SnapshotIsolation,
        r#"
        0 invoke [["r",2,null],["append",3,8]]
        1 invoke [["append",2,1],["append",3,7]]
        0 ok     [["r",2,[]],["append",3,8]]
        1 ok     [["append",2,1],["append",3,7]]
        2 invoke [["r",3,null]]
        2 ok     [["r",3,[7]]]
        "#,
        &["G-single"],
    );
    assert_cycle(
        &v.anomalies[0],
        &[0, 1],
        &["rw", "ww"],
        &[
            "T2 < T1 (ww: on key 3, T2 appended 7, the last value any read shows, and T1 \
           appended 8, which no read shows, so after it)",
        ],
    );
    rules_out_from(&h, Model::SnapshotIsolation, list);
}

#[test]
fn g_nonadjacent_is_named_for_snapshot_isolation() {
    // T1 -rw-> T2 -wr-> T3 -rw-> T4 -wr-> T1: two rw edges, never adjacent.
    let (h, v) = checked(
        list,
        Model::SnapshotIsolation,
        r#"
        0 invoke [["r",1,null],["r",4,null]]
        1 invoke [["append",1,1],["append",2,1]]
        2 invoke [["r",2,null],["r",3,null]]
        3 invoke [["append",3,1],["append",4,1]]
        0 ok     [["r",1,[]],["r",4,[1]]]
        1 ok     [["append",1,1],["append",2,1]]
        2 ok     [["r",2,[1]],["r",3,[]]]
        3 ok     [["append",3,1],["append",4,1]]
        4 invoke [["r",1,null],["r",3,null]]
        4 ok     [["r",1,[1]],["r",3,[1]]]
        "#,
        &["G-nonadjacent"],
    );
    assert_cycle(
        &v.anomalies[0],
        &[0, 1, 2, 3],
        &["rw", "wr", "rw", "wr"],
        &[],
    );
    rules_out_from(&h, Model::SnapshotIsolation, list);
}

#[test]
fn internal_inconsistency() {
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["append",1,1],["r",1,null]]
        0 ok     [["append",1,1],["r",1,[]]]
        "#,
        &["internal"],
    );
    assert_says(&v.anomalies[0], &["T1's micro-op 2 read key 1 = [], but it does not end with the transaction's own appends [1]"]);
    rules_out_from(&h, Model::SnapshotIsolation, list);
}

#[test]
fn duplicate_elements() {
    let (h, v) = checked(
        list,
        Model::Serializable,
        r#"
        0 invoke [["append",1,1]]
        0 ok     [["append",1,1]]
        1 invoke [["r",1,null]]
        1 ok     [["r",1,[1,1]]]
        "#,
        &["duplicate"],
    );
    assert_eq!(ops(&v.anomalies[0]), [2]);
    rules_out_from(&h, Model::ReadCommitted, list);
}

#[test]
fn lost_append() {
    let (h, v) = checked(
        list,
        Model::StrictSerializable,
        r#"
        0 invoke [["append",1,1]]
        0 ok     [["append",1,1]]
        1 invoke [["r",1,null]]
        1 ok     [["r",1,[]]]
        "#,
        &["lost", "G-single-realtime"],
    );
    assert_eq!(ops(&v.anomalies[0]), [0, 2]);
    assert_says(
        &v.anomalies[0],
        &[
            "T1 appended 1 to key 1 and completed ok (op 1), but no read ever shows 1: T2, \
             invoked later (op 2), read key 1 = [] without it",
        ],
    );
    rules_out_from(&h, Model::StrictSerializable, list);
}

#[test]
fn garbage_and_incompatible_reads() {
    let h = history(
        r#"
        0 invoke [["append",1,1],["append",1,2]]
        0 ok     [["append",1,1],["append",1,2]]
        1 invoke [["r",1,null],["r",2,null]]
        1 ok     [["r",1,[1,2]],["r",2,[9]]]
        2 invoke [["r",1,null]]
        2 ok     [["r",1,[2]]]
        "#,
    );
    let v = list(Model::ReadCommitted, &h);
    let mut k = kinds(&v);
    k.sort();
    assert_eq!(k, ["garbage-read", "incompatible-order"]);
    rules_out_from(&h, Model::ReadCommitted, list);
}

#[test]
fn a_stale_read_is_a_realtime_cycle_only() {
    let h = history(
        r#"
        0 invoke [["append",1,1]]
        0 ok     [["append",1,1]]
        1 invoke [["r",1,null]]
        1 ok     [["r",1,[]]]
        2 invoke [["r",1,null]]
        2 ok     [["r",1,[1]]]
        "#,
    );
    let v = list(Model::Serializable, &h);
    assert_eq!(v.validity, Validity::Valid);
    assert_eq!(v.stats["ruled_out"], json!(["strict-serializable"]));
    assert_eq!(v.stats["models"], json!("not strict-serializable"));
    let v = list(Model::StrictSerializable, &h);
    assert_eq!(kinds(&v), ["G-single-realtime"]);
    let a = &v.anomalies[0];
    assert_cycle(
        a,
        &[0, 2],
        &["realtime", "rw"],
        &["T1 < T2 (realtime: T1 completed (op 1) before T2 was invoked (op 2))"],
    );
    rules_out_from(&h, Model::StrictSerializable, list);
}

#[test]
fn a_stale_read_in_the_same_process_is_a_process_cycle() {
    let (_, v) = checked(
        list,
        Model::StrictSerializable,
        r#"
        0 invoke [["append",1,1]]
        0 ok     [["append",1,1]]
        0 invoke [["r",1,null]]
        0 ok     [["r",1,[]]]
        2 invoke [["r",1,null]]
        2 ok     [["r",1,[1]]]
        "#,
        &["G-single-process"],
    );
    assert_cycle(
        &v.anomalies[0],
        &[0, 2],
        &["process", "rw"],
        &["T1 < T2 (process: process 0 ran T1, then T2)"],
    );
}

#[test]
fn indeterminate_transactions_are_not_ordered_after_their_invocation() {
    // T1 is info: it may take effect after T2 ran, so T2 missing its append is fine, even
    // under strict serializability; and since a later read shows it, it committed.
    let h = history(
        r#"
        0 invoke [["append",1,1]]
        0 info   [["append",1,1]]
        1 invoke [["r",1,null]]
        1 ok     [["r",1,[]]]
        2 invoke [["r",1,null]]
        2 ok     [["r",1,[1]]]
        "#,
    );
    let v = list(Model::StrictSerializable, &h);
    assert_eq!(v.validity, Validity::Valid, "{:#?}", v.anomalies);
    assert_eq!(v.stats["edges"]["rw"], json!(1));
}

#[test]
fn register_g0_from_writes_that_follow_reads() {
    let (_, v) = checked(
        register,
        Model::ReadCommitted,
        r#"
        0 invoke [["r",1,null],["w",1,1],["w",2,1]]
        1 invoke [["r",2,null],["w",2,2],["w",1,2]]
        0 ok     [["r",1,2],["w",1,1],["w",2,1]]
        1 ok     [["r",2,1],["w",2,2],["w",1,2]]
        "#,
        &["G0"],
    );
    let a = &v.anomalies[0];
    assert_cycle(
        a,
        &[0, 1],
        &["ww", "ww"],
        &["T1 < T2 (ww: T2 read key 2 = 1, which T1 wrote, then wrote 2 over it)"],
    );
}

#[test]
fn register_g_single_from_the_initial_state() {
    let (h, v) = checked(
        register,
        Model::Serializable,
        r#"
        0 invoke [["w",1,1],["r",2,null],["w",2,1]]
        0 ok     [["w",1,1],["r",2,null],["w",2,1]]
        1 invoke [["r",1,null],["r",2,null]]
        1 ok     [["r",1,1],["r",2,null]]
        "#,
        &["G-single"],
    );
    let a = &v.anomalies[0];
    assert_cycle(
        a,
        &[0, 2],
        &["wr", "rw"],
        &["T2 < T1 (rw: T2 read key 2 = nil, the initial state, and T1 wrote 1, a later version)"],
    );
    rules_out_from(&h, Model::SnapshotIsolation, register);
}

#[test]
fn register_lost_update() {
    let (h, v) = checked(
        register,
        Model::SnapshotIsolation,
        r#"
        0 invoke [["r",1,null],["w",1,1]]
        1 invoke [["r",1,null],["w",1,2]]
        0 ok     [["r",1,null],["w",1,1]]
        1 ok     [["r",1,null],["w",1,2]]
        "#,
        &["lost-update"],
    );
    assert_eq!(ops(&v.anomalies[0]), [0, 1]);
    assert_eq!(
        v.stats["anomaly_kinds"],
        json!({"lost-update": 1, "G2-item": 1})
    );
    rules_out_from(&h, Model::SnapshotIsolation, register);
}

#[test]
fn register_blind_writes_give_no_order_but_real_time_leaves_none() {
    // Two concurrent blind writes, then reads of 1 and later of 2. No version order is
    // forced and the graph has no cycle. Serializable (w1, r1, w2, r2), but not strict
    // serializable: both writes completed before either read began, so both reads follow
    // both writes and must see the same value. Only the search for a serial order tells.
    let text = r#"
        0 invoke [["w",1,1]]
        1 invoke [["w",1,2]]
        0 ok     [["w",1,1]]
        1 ok     [["w",1,2]]
        2 invoke [["r",1,null]]
        2 ok     [["r",1,1]]
        3 invoke [["r",1,null]]
        3 ok     [["r",1,2]]
        "#;
    let h = history(text);
    let v = register(Model::Serializable, &h);
    assert_eq!(v.validity, Validity::Valid, "{:#?}", v.anomalies);
    assert_eq!(v.stats["edges"]["ww"], json!(0));
    assert_eq!(v.stats["serial_order"], json!("found"));
    let (h, v) = checked(
        register,
        Model::StrictSerializable,
        text,
        &["no-serial-order-realtime"],
    );
    assert_says(
        &v.anomalies[0],
        &[
            "no serial order of the committed transactions that respects real time",
            "The furthest the search got: 1 of the 4 committed transactions placed (T1); \
             then the only transaction that could go next did not fit:\n  - T2 writes key 1, \
             which held 1, a version T3 has yet to read",
            "no cycle; orders that ignore real time do.",
            "T3 = op 4 (process 2, ok, line 5): [r 1 1]",
            "Rules out: strict-serializable.",
        ],
    );
    assert_eq!(ops(&v.anomalies[0]), [0, 1, 4]);
    rules_out_from(&h, Model::StrictSerializable, register);
}

#[test]
fn register_reads_no_serial_order_explains() {
    // T3 read x as T1 left it and y as T2 left it: each write must come last on one key
    // and first on the other. Blind writes give no version order, so the graph shows no
    // cycle; the search for a serial order finds none.
    let (h, v) = checked(
        register,
        Model::Serializable,
        r#"
        0 invoke [["w",1,1],["w",2,1]]
        1 invoke [["w",1,2],["w",2,2]]
        0 ok     [["w",1,1],["w",2,1]]
        1 ok     [["w",1,2],["w",2,2]]
        2 invoke [["r",1,null],["r",2,null]]
        2 ok     [["r",1,1],["r",2,2]]
        "#,
        &["no-serial-order"],
    );
    assert_says(
        &v.anomalies[0],
        &[
            "no-serial-order: no serial order of the committed transactions explains what \
             they read, though the dependency graph shows no cycle",
            "T2 writes key 1, which held 1, a version T3 has yet to read",
            "(1 other transaction was still waiting for these.)",
            "Rules out: serializable, strict-serializable.",
        ],
    );
    assert_eq!(v.stats["serial_order"], json!("none"));
    rules_out_from(&h, Model::Serializable, register);
}

#[test]
fn a_jepsen_edn_history_is_checked_as_read() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/txn/read-skew.edn");
    let (h, fmt) = format::read_path(&path, None, None).unwrap();
    assert_eq!(fmt, format::Format::JepsenEdn);
    let ops = h.ops();
    assert_eq!(ops[0].f, "txn");
    assert_eq!(
        ops[0].value,
        json!([["append", "x", 1], ["append", "y", 1]])
    );
    assert_eq!(ops[3].value, json!([["r", "x", [1]], ["r", "y", null]]));
    let v = list(Model::Serializable, &h);
    assert_eq!(kinds(&v), ["G-single"]);
    assert_cycle(
        &v.anomalies[0],
        &[0, 1],
        &["wr", "rw"],
        &["T2 read key \"y\" = [] without 1, which T1 appended first"],
    );
    assert_eq!(v.stats["fail"], json!(1));
    assert_eq!(
        v.stats["other_ops"],
        json!(0),
        "the nemesis op is not a client op"
    );
    // And one that is fine, with a keyword micro-op as some exports write them.
    let text =
        "{:type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]], :process 0, :index 0}\n\
                {:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [2]]], :process 0, :index 1}\n";
    let (h, _) = format::parse(text, None, None).unwrap();
    assert_eq!(h.ops()[1].value, json!([["append", 1, 2], ["r", 1, [2]]]));
    let v = list(Model::StrictSerializable, &h);
    assert_eq!(v.validity, Validity::Valid, "{:#?}", v.anomalies);
}

#[test]
fn verdicts_serialise_with_their_stats() {
    let h = history(
        r#"
        0 invoke [["append",1,1]]
        0 ok     [["append",1,1]]
        "#,
    );
    let v = list(Model::StrictSerializable, &h);
    assert_eq!(v.validity, Validity::Valid);
    for k in [
        "model",
        "txns",
        "edges",
        "ruled_out",
        "anomaly_kinds",
        "anomalies",
    ] {
        assert!(v.stats.contains_key(k), "{k}");
    }
    assert_eq!(v.stats["model"], json!("strict-serializable"));
    assert_eq!(v.stats["models"], json!("no model ruled out"));
    let back: Verdict = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(back, v);
}
