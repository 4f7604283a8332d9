//! The log checker on small hand-made histories, one property each.

use super::LogChecker;
use crate::Checker;
use history::{Dialect, History, Key, Op, OpType, Validity, Value, Verdict};
use serde_json::json;

/// A history written op by op.
#[derive(Default)]
struct H(Vec<Op>);

impl H {
    fn pair(&mut self, p: u64, f: &str, key: Option<i64>, v: Value, kind: OpType, done: Value) {
        let with = |op: Op| match key {
            Some(k) => op.with_key(Key::Int(k)),
            None => op,
        };
        self.0.push(with(Op::client(p, OpType::Invoke, f, v)));
        self.0.push(with(Op::client(p, kind, f, done)));
    }
    /// An acknowledged send of `v` to `k` at offset `o`.
    fn send(&mut self, p: u64, k: i64, v: i64, o: i64) -> &mut Self {
        self.pair(p, "send", Some(k), json!(v), OpType::Ok, json!([o, v]));
        self
    }
    fn send_as(&mut self, p: u64, k: i64, v: i64, kind: OpType) -> &mut Self {
        self.pair(p, "send", Some(k), json!(v), kind, json!(v));
        self
    }
    /// An ok poll returning these pairs of key `k`.
    fn poll(&mut self, p: u64, k: i64, pairs: Value) -> &mut Self {
        let mut m = serde_json::Map::new();
        m.insert(k.to_string(), pairs);
        self.pair(p, "poll", None, json!(null), OpType::Ok, Value::Object(m));
        self
    }
    fn final_read(&mut self, p: u64, k: i64, pairs: Value) -> &mut Self {
        let mut m = serde_json::Map::new();
        m.insert(k.to_string(), pairs);
        self.pair(
            p,
            "poll",
            Some(k),
            json!({"final": true}),
            OpType::Ok,
            Value::Object(m),
        );
        self
    }
    fn check(&self) -> Verdict {
        LogChecker.check(&History::from_ops(self.0.clone(), Dialect::Schism).unwrap())
    }
}

fn kinds(v: &Verdict) -> Vec<&str> {
    v.anomalies.iter().map(|a| a.kind.as_str()).collect()
}

#[test]
fn sends_read_in_order_and_a_full_final_read_are_valid() {
    let v = H::default()
        .send(0, 1, 10, 0)
        .send(1, 1, 11, 1)
        .poll(2, 1, json!([[0, 10]]))
        .send_as(0, 1, 12, OpType::Info)
        .send_as(3, 1, 13, OpType::Fail)
        .send(4, 1, 14, 3)
        .poll(2, 1, json!([[1, 11], [2, 12], [3, 14]]))
        .final_read(5, 1, json!([[0, 10], [1, 11], [2, 12], [3, 14]]))
        .check();
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
    for (stat, want) in [
        ("ok_sends", 3),
        ("info_sends", 1),
        ("failed_sends", 1),
        ("recovered_info", 1),
        ("final_reads", 1),
        ("anomalies", 0),
    ] {
        assert_eq!(v.stats[stat], json!(want), "{stat}");
    }
}

#[test]
fn an_acknowledged_value_never_read_below_a_read_offset_is_lost() {
    let v = H::default()
        .send(0, 1, 10, 0)
        .send(0, 1, 11, 1)
        .poll(2, 1, json!([[1, 11]]))
        .check();
    assert_eq!(kinds(&v), ["lost-write"]);
    let a = &v.anomalies[0];
    assert_eq!(a.key, Some(Key::Int(1)));
    assert_eq!(a.data["value"], json!(10));
    assert_eq!(a.data["by"], json!("later-read"));
    assert_eq!(
        (a.ops[0].invoke_index, a.ops[1].invoke_index),
        (0, 4),
        "the send, then the read of the later offset"
    );
    assert!(
        a.explanation.contains("offset 1 of key 1"),
        "{}",
        a.explanation
    );
}

#[test]
fn a_value_read_then_missing_from_the_final_read_is_lost() {
    let v = H::default()
        .send(0, 1, 10, 0)
        .send(0, 1, 11, 1)
        .poll(2, 1, json!([[0, 10], [1, 11]]))
        .final_read(3, 1, json!([[1, 11]]))
        .check();
    assert_eq!(kinds(&v), ["lost-write"]);
    assert_eq!(v.anomalies[0].data["by"], json!("final-read"));
    // An unsure send a poll returned is known too.
    let v = H::default()
        .send_as(0, 1, 10, OpType::Info)
        .poll(2, 1, json!([[0, 10]]))
        .final_read(3, 1, json!([]))
        .check();
    assert_eq!(kinds(&v), ["lost-write"]);
    assert_eq!(v.anomalies[0].data["acknowledged"], json!(false));
}

#[test]
fn a_value_never_sent_or_whose_send_failed_is_unexpected() {
    let v = H::default()
        .send_as(0, 1, 10, OpType::Fail)
        .final_read(3, 1, json!([[0, 10], [1, 99]]))
        .check();
    assert_eq!(kinds(&v), ["unexpected", "unexpected"]);
    assert!(v.anomalies[0].explanation.contains("definitely failed"));
    assert!(v.anomalies[1].explanation.contains("no one ever sent it"));
    // A value sent to another key is not this key's.
    let v = H::default()
        .send(0, 2, 10, 0)
        .final_read(3, 1, json!([[0, 10]]))
        .final_read(3, 2, json!([[0, 10]]))
        .check();
    assert_eq!(kinds(&v), ["unexpected"]);
    assert_eq!(v.anomalies[0].key, Some(Key::Int(1)));
}

#[test]
fn two_values_at_one_offset_are_inconsistent_and_one_value_at_two_a_duplicate() {
    let v = H::default()
        .send(0, 1, 10, 0)
        .send_as(1, 1, 11, OpType::Info)
        .final_read(3, 1, json!([[0, 11], [1, 10]]))
        .check();
    assert_eq!(kinds(&v), ["inconsistent-offsets", "duplicate"]);
    assert_eq!(v.anomalies[0].data["offset"], json!(0));
    assert_eq!(v.anomalies[0].data["values"], json!([10, 11]));
    assert_eq!(v.anomalies[1].data["offsets"], json!([0, 1]));
}

#[test]
fn a_producers_offsets_must_rise() {
    let v = H::default()
        .send(0, 1, 10, 1)
        .send(0, 1, 11, 0)
        .final_read(3, 1, json!([[0, 11], [1, 10]]))
        .check();
    assert_eq!(kinds(&v), ["nonmonotonic-send"]);
    assert_eq!(v.anomalies[0].data["offsets"], json!([1, 0]));
    // Other processes, or other keys, are not held to one order.
    let v = H::default()
        .send(0, 1, 10, 1)
        .send(1, 1, 11, 0)
        .send(0, 2, 12, 0)
        .final_read(3, 1, json!([[0, 11], [1, 10]]))
        .final_read(3, 2, json!([[0, 12]]))
        .check();
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
}

fn three_sends() -> H {
    let mut h = H::default();
    h.send(0, 1, 10, 0).send(0, 1, 11, 1).send(0, 1, 12, 2);
    h
}

#[test]
fn a_consumer_going_back_is_nonmonotonic_between_polls_and_within_one() {
    let mut h = three_sends();
    h.poll(2, 1, json!([[0, 10], [1, 11]]))
        .poll(2, 1, json!([[1, 11], [2, 12]]));
    let v = h.check();
    assert_eq!(kinds(&v), ["nonmonotonic-poll"]);
    assert_eq!(v.anomalies[0].data["within_one_poll"], json!(false));
    assert_eq!(v.anomalies[0].ops.len(), 2);
    let mut h = three_sends();
    h.poll(2, 1, json!([[0, 10], [2, 12], [1, 11]]));
    let v = h.check();
    assert!(kinds(&v).contains(&"nonmonotonic-poll"), "{v:?}");
    assert_eq!(
        v.anomalies
            .iter()
            .find(|a| a.kind == "nonmonotonic-poll")
            .unwrap()
            .data["within_one_poll"],
        json!(true)
    );
}

#[test]
fn a_consumer_skipping_a_known_offset_is_a_poll_skip() {
    let mut h = three_sends();
    h.poll(2, 1, json!([[0, 10]])).poll(2, 1, json!([[2, 12]]));
    h.poll(4, 1, json!([[1, 11]]));
    let v = h.check();
    assert_eq!(kinds(&v), ["poll-skip"]);
    assert_eq!(v.anomalies[0].data["skipped"], json!([1]));
    // Within one poll too.
    let mut h = three_sends();
    h.poll(2, 1, json!([[0, 10], [2, 12]]))
        .poll(4, 1, json!([[1, 11]]));
    let v = h.check();
    assert_eq!(kinds(&v), ["poll-skip"]);
    // An offset no op showed may not exist (logs may be sparse): no skip.
    let v = H::default()
        .send(0, 1, 10, 0)
        .send(0, 1, 12, 5)
        .poll(2, 1, json!([[0, 10]]))
        .poll(2, 1, json!([[5, 12]]))
        .check();
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
}

#[test]
fn a_new_process_an_assignment_or_a_final_read_may_start_anywhere() {
    let mut h = three_sends();
    // Process 2 reads offset 1, then crashes: process 3 (its successor) starts over.
    h.poll(2, 1, json!([[1, 11]]));
    h.pair(2, "poll", None, json!(null), OpType::Info, json!(null));
    h.poll(3, 1, json!([[0, 10], [1, 11], [2, 12]]));
    // Process 4 reads offset 2, is reassigned, reads 0 again.
    h.poll(4, 1, json!([[2, 12]]));
    h.pair(4, "assign", None, json!([1]), OpType::Ok, json!([1]));
    h.poll(4, 1, json!([[0, 10]]));
    // Process 3 ends with a final read from 0, then polls from wherever.
    h.final_read(3, 1, json!([[0, 10], [1, 11], [2, 12]]));
    h.poll(3, 1, json!([[1, 11]]));
    // A failed poll moves nothing.
    h.pair(4, "poll", None, json!(null), OpType::Fail, json!(null));
    h.poll(4, 1, json!([[1, 11]]));
    let v = h.check();
    assert_eq!(v.validity, Validity::Valid, "{v:?}");
    // The same without the crash and the assignment is caught.
    let mut h = three_sends();
    h.poll(2, 1, json!([[1, 11]])).poll(2, 1, json!([[0, 10]]));
    assert_eq!(kinds(&h.check()), ["nonmonotonic-poll"]);
}

#[test]
fn unread_acknowledged_values_or_unanswered_final_reads_are_unknown() {
    let v = H::default().send(0, 1, 10, 0).check();
    assert_eq!(v.validity, Validity::Unknown);
    assert!(
        v.reason
            .as_ref()
            .unwrap()
            .contains("1 acknowledged send(s) were never read"),
        "{v:?}"
    );
    assert_eq!(v.stats["unseen"], json!(1));
    let mut h = H::default();
    h.send(0, 1, 10, 0).poll(1, 1, json!([[0, 10]]));
    assert_eq!(h.check().validity, Validity::Valid);
    h.pair(
        2,
        "poll",
        Some(1),
        json!({"final": true}),
        OpType::Fail,
        json!(null),
    );
    let v = h.check();
    assert_eq!(v.validity, Validity::Unknown);
    assert!(v.reason.unwrap().contains("final read of key 1 was asked"));
    let empty = History::from_ops(Vec::new(), Dialect::Schism).unwrap();
    assert_eq!(LogChecker.check(&empty).validity, Validity::Unknown);
}

#[test]
fn anomalies_are_capped_per_kind_and_never_carry_the_whole_log() {
    let mut h = H::default();
    let n = 40;
    for i in 0..n {
        h.send(0, 1, 100 + i, i);
    }
    // The final read keeps every other value: 20 lost.
    let kept: Vec<Value> = (0..n)
        .filter(|i| i % 2 == 1)
        .map(|i| json!([i, 100 + i]))
        .collect();
    h.final_read(1, 1, Value::Array(kept));
    let v = h.check();
    assert_eq!(v.validity, Validity::Invalid);
    assert_eq!(v.stats["counts"]["lost-write"], json!(20));
    assert_eq!(v.stats["anomalies"], json!(20));
    assert_eq!(kinds(&v), vec!["lost-write"; super::PER_KIND]);
    for a in &v.anomalies {
        let read = &a.ops[1];
        assert!(
            read.result["1"].as_array().unwrap().len() <= 3,
            "{:?}",
            read.result
        );
    }
}

#[test]
fn jepsen_transactions_are_read_by_micro_op() {
    let mut h = H::default();
    h.pair(
        0,
        "txn",
        None,
        json!([["send", 1, 10], ["send", 1, 11]]),
        OpType::Ok,
        json!([["send", 1, [1, 10]], ["send", 1, [0, 11]]]),
    );
    h.pair(
        1,
        "poll",
        None,
        json!([["poll"]]),
        OpType::Ok,
        json!([["poll", {"1": [[0, 11], [1, 10]]}]]),
    );
    let v = h.check();
    assert_eq!(kinds(&v), ["nonmonotonic-send"]);
}

#[test]
fn malformed_results_make_the_verdict_unknown_naming_the_line() {
    let mut h = H::default();
    h.send(0, 1, 10, 0).poll(1, 1, json!([[0, 10]]));
    h.pair(1, "poll", None, json!(null), OpType::Ok, json!([1, 2]));
    let v = h.check();
    assert_eq!(v.validity, Validity::Unknown);
    let m = v.malformed.unwrap();
    assert_eq!(m.line, 6);
    assert!(m.message.contains("a poll completes with"), "{m:?}");
}
