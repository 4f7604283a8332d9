//! Grow-only sets (`g-set`), broadcast, and the `set` of a store: elements are added
//! (`add`, or `broadcast` of a message) and read back as a whole; at the end every node is
//! read once more (a store once, as a whole: `{"final": true}`; in Jepsen's set histories,
//! which mark no read final, the last ok read is the final one).
//!
//! An element is *known* once its add was acknowledged (`ok`), or once any read returned it
//! (an indeterminate add that a read shows did happen). A grow-only set never forgets, and
//! after the faults are healed every node must hold every known element: one missing from
//! some node's final read is `lost` (an element known only after that read was invoked is
//! not asked of it). An element read that no one ever tried to add, or whose
//! add definitely failed, is `unexpected`. A read that is not a list is a malformed op (the
//! history cannot be judged).
//! Indeterminate adds never read are fine (counted as `never_read_info`).
//!
//! When no node answered a final read the verdict is unknown; when some did, they are
//! judged, and the nodes that did not make the verdict unknown (unless something is
//! invalid): their final state was never seen.
//!
//! Every read returns the whole set, which may hold tens of thousands of elements: an
//! anomaly names its element and the ops that show it, and a read among those ops carries
//! not what it returned but `{"size": N, "element": E, "holds": true|false}` (with the
//! `node` it asked, when it named one); the history has the rest. The run's summary line
//! closes the first anomaly only.

use super::common::{list, named, show, span, Reads, Report};
use crate::Checker;
use history::{History, OpSpan, OpType, Value, Verdict};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// The set checker, for `g-set` (adds are `add`) or `broadcast` (adds are `broadcast`).
#[derive(Debug, Clone)]
pub struct SetChecker {
    name: &'static str,
    add_f: &'static str,
    /// A store's set: with no read marked final, the last ok read is the final one.
    store: bool,
}

impl SetChecker {
    /// For `g-set`: elements added with `add`.
    pub fn g_set() -> SetChecker {
        SetChecker {
            name: "set",
            add_f: "add",
            store: false,
        }
    }

    /// For `set` over a store: elements added with `add`, read at the end as
    /// `{"final": true}`; in a history that marks no read final (Jepsen's set test), the
    /// last ok read is the final one.
    pub fn store() -> SetChecker {
        SetChecker {
            store: true,
            ..SetChecker::g_set()
        }
    }

    /// For `broadcast`: messages added with `broadcast`.
    pub fn broadcast() -> SetChecker {
        SetChecker {
            name: "broadcast",
            add_f: "broadcast",
            store: false,
        }
    }
}

/// The name of the final read when the history marks none (a store's set).
const LAST_READ: &str = "the store (its last ok read, as no read is marked final)";

/// An element, as a hash key: integers (the usual case) without formatting them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Elem {
    Int(i64),
    Other(String),
}

fn elem(v: &Value) -> Elem {
    v.as_i64()
        .map_or_else(|| Elem::Other(v.to_string()), Elem::Int)
}

/// The adds of one element (normally exactly one).
#[derive(Debug, Clone)]
struct Add {
    value: Value,
    /// The most telling of its adds: an ok one, else an indeterminate one, else a failed one.
    invoke: usize,
    outcome: OpType,
}

fn rank(kind: OpType) -> u8 {
    match kind {
        OpType::Ok => 3,
        OpType::Info | OpType::Invoke => 2,
        OpType::Fail => 1,
    }
}

/// Every element that anyone tried to add.
fn adds(history: &History, add_f: &str) -> HashMap<Elem, Add> {
    let ops = history.ops();
    let mut adds: HashMap<Elem, Add> = HashMap::new();
    for (i, c) in history.client_pairs() {
        if ops[i].f != add_f {
            continue;
        }
        let outcome = c.map_or(OpType::Info, |c| ops[c].kind);
        let add = Add {
            value: ops[i].value.clone(),
            invoke: i,
            outcome,
        };
        adds.entry(elem(&add.value))
            .and_modify(|a| {
                if rank(outcome) > rank(a.outcome) {
                    *a = add.clone();
                }
            })
            .or_insert(add);
    }
    adds
}

/// The reads that returned an element: how many, and the first few (indexes into the
/// reads, in order).
#[derive(Debug, Clone)]
struct Seen {
    value: Value,
    /// Its position in the first read that returned it (to order elements as read).
    pos: usize,
    count: usize,
    first: Vec<usize>,
}

/// Reads of one element named in an explanation.
const FIRST_READS: usize = 5;

/// What the checker found, before it is told.
#[derive(Default)]
struct Found {
    /// Known elements missing from some final read: (element, nodes lacking it).
    lost: Vec<(Elem, Vec<String>)>,
    /// Elements read but never (successfully) added.
    unexpected: Vec<Elem>,
    /// Reads whose value is not a list (indexes into the reads).
    malformed: Vec<usize>,
}

/// Every element read, and the reads that are not lists.
fn seen(reads: &Reads) -> (HashMap<Elem, Seen>, Vec<usize>) {
    let mut seen: HashMap<Elem, Seen> = HashMap::new();
    let mut malformed = Vec::new();
    for (k, r) in reads.ok.iter().enumerate() {
        let Value::Array(items) = &r.value else {
            malformed.push(k);
            continue;
        };
        for (pos, v) in items.iter().enumerate() {
            let s = seen.entry(elem(v)).or_insert_with(|| Seen {
                value: v.clone(),
                pos,
                count: 0,
                first: Vec::new(),
            });
            if s.first.last() != Some(&k) {
                s.count += 1;
                if s.first.len() < FIRST_READS {
                    s.first.push(k);
                }
            }
        }
    }
    (seen, malformed)
}

impl Checker for SetChecker {
    fn name(&self) -> &str {
        self.name
    }

    fn check(&self, history: &History) -> Verdict {
        let adds = adds(history, self.add_f);
        let mut reads = Reads::of(history);
        let last_read_is_final =
            self.store && reads.finals.is_empty() && reads.unanswered.is_empty();
        if let (true, Some(last)) = (last_read_is_final, reads.ok.len().checked_sub(1)) {
            reads.finals.insert(LAST_READ.to_string(), last);
        }
        let (seen, malformed) = seen(&reads);
        let mut found = Found {
            malformed,
            ..Found::default()
        };
        let mut unexpected: Vec<(&Elem, &Seen)> = seen
            .iter()
            .filter(|(e, _)| !adds.get(*e).is_some_and(|a| a.outcome != OpType::Fail))
            .collect();
        unexpected.sort_by_key(|(_, s)| (s.first[0], s.pos));
        found.unexpected = unexpected.into_iter().map(|(e, _)| e.clone()).collect();
        // What each node's final read holds, and where it was invoked.
        let finals: Vec<(&String, HashSet<Elem>, usize)> = reads
            .finals
            .iter()
            .filter_map(|(n, &k)| match &reads.ok[k].value {
                Value::Array(items) => {
                    Some((n, items.iter().map(elem).collect(), reads.ok[k].invoke))
                }
                _ => None,
            })
            .collect();
        // The known elements, in the order they were added.
        let mut known: Vec<(&Elem, &Add)> = adds
            .iter()
            .filter(|(e, a)| {
                a.outcome == OpType::Ok || (a.outcome != OpType::Fail && seen.contains_key(*e))
            })
            .collect();
        known.sort_by_key(|(_, a)| a.invoke);
        for (e, add) in known {
            // When it became known: its add's ok, or the first read that returned it. A
            // final read invoked before that may rightly lack it.
            let acked = (add.outcome == OpType::Ok)
                .then(|| history.partner(add.invoke))
                .flatten();
            let read = seen.get(e).map(|s| reads.ok[s.first[0]].complete);
            let known_at = acked.into_iter().chain(read).min().unwrap_or(usize::MAX);
            let missing: Vec<String> = finals
                .iter()
                .filter(|(_, held, invoke)| known_at < *invoke && !held.contains(e))
                .map(|(n, _, _)| (*n).clone())
                .collect();
            if !missing.is_empty() {
                found.lost.push((e.clone(), missing));
            }
        }

        let ok = adds.values().filter(|a| a.outcome == OpType::Ok).count();
        let failed = adds.values().filter(|a| a.outcome == OpType::Fail).count();
        let info: Vec<&Elem> = adds
            .iter()
            .filter(|(_, a)| matches!(a.outcome, OpType::Info | OpType::Invoke))
            .map(|(e, _)| e)
            .collect();
        let recovered = info.iter().filter(|e| seen.contains_key(**e)).count();
        let never_read = info.len() - recovered;
        let summary = format!(
            "Over the run: {ok} {f}s ok, {} indeterminate ({recovered} of them read later, \
             {never_read} never read, which is fine), {failed} failed; {} lost, {} unexpected.",
            info.len(),
            found.lost.len(),
            found.unexpected.len(),
            f = self.add_f,
        );

        let mut report = Report::new(self.name);
        let facts = Facts {
            history,
            reads: &reads,
            adds: &adds,
            seen: &seen,
            summary: &summary,
        };
        self.tell_lost(&facts, &found, &mut report);
        self.tell_unexpected(&facts, &found, &mut report);
        for &k in &found.malformed {
            let r = &reads.ok[k];
            let what = format!(
                "the read returned {}, which is not a list of elements",
                show(&r.value)
            );
            report.malformed(history, r.complete, what);
        }
        if let Some(reason) = reads.unjudged() {
            report.cannot_judge(format!("{reason}. {summary}"));
        }
        for (name, v) in [
            ("ok_adds", ok),
            ("info_adds", info.len()),
            ("failed_adds", failed),
            ("lost", found.lost.len()),
            ("unexpected", found.unexpected.len()),
            ("never_read_info", never_read),
            ("recovered_info", recovered),
            ("reads", reads.ok.len()),
            ("final_reads", reads.finals.len()),
        ] {
            report.stat(name, json!(v));
        }
        report.stat("unanswered_nodes", json!(reads.unanswered));
        report.finish()
    }
}

/// What the explanations draw on.
struct Facts<'a> {
    history: &'a History,
    reads: &'a Reads,
    adds: &'a HashMap<Elem, Add>,
    seen: &'a HashMap<Elem, Seen>,
    summary: &'a str,
}

impl Facts<'_> {
    /// The summary line that closes the first anomaly told (empty for the others).
    fn closing(&self, report: &Report) -> String {
        if report.told() == 0 {
            format!("\n{}", self.summary)
        } else {
            String::new()
        }
    }
}

/// The span of a read, its result cut to `{"size", "element", "holds"}` (and the `node`
/// it names): the whole read is neither copied nor searched, as `holds` is known.
fn read_span(h: &History, invoke: usize, element: &Value, holds: bool) -> OpSpan {
    let ops = h.ops();
    let mut s = OpSpan::new(&ops[invoke], None, h.line(invoke));
    let Some(c) = h.partner(invoke).map(|c| &ops[c]) else {
        return s;
    };
    s.outcome = c.kind;
    s.complete_index = Some(c.index);
    s.complete_time_ns = Some(c.time_ns);
    let (node, items) = match &c.value {
        Value::Array(items) => (None, Some(items)),
        Value::Object(m) => (m.get("node"), m.get("value").and_then(Value::as_array)),
        _ => (None, None),
    };
    s.result = match items {
        Some(items) => {
            let mut cut = json!({"size": items.len(), "element": element, "holds": holds});
            if let Some(n) = node {
                cut["node"] = n.clone();
            }
            cut
        }
        None => c.value.clone(),
    };
    s
}

impl SetChecker {
    fn tell_lost(&self, f: &Facts<'_>, found: &Found, report: &mut Report) {
        let (h, reads) = (f.history, f.reads);
        for (e, missing) in &found.lost {
            if report.is_full() {
                report.omitted(1);
                continue;
            }
            let add = &f.adds[e];
            let first_read = f.seen.get(e).map(|s| reads.ok[s.first[0]].invoke);
            let why = match first_read {
                Some(r) if add.outcome != OpType::Ok => format!(
                    "its {} was indeterminate ({}), but it happened: {} returned it",
                    self.add_f,
                    named(h, add.invoke),
                    named(h, r)
                ),
                _ => format!(
                    "its {} was acknowledged: {}",
                    self.add_f,
                    named(h, add.invoke)
                ),
            };
            let lacking: Vec<String> = missing
                .iter()
                .map(|n| {
                    let r = &reads.ok[reads.finals[n]];
                    format!("{n} (op {}, line {})", r.invoke, h.line(r.invoke))
                })
                .collect();
            let rule = if self.store {
                "A set never forgets an element: every read that begins after it is known \
                 must hold it."
            } else {
                "A grow-only set never forgets an element, and every node must hold it once \
                 the faults are healed."
            };
            let text = format!(
                "element {} is lost: {why}; yet the final read of {} lacks it. {rule}{}",
                show(&add.value),
                list(&lacking, 10),
                f.closing(report)
            );
            let mut ops = vec![span(h, add.invoke)];
            if add.outcome != OpType::Ok {
                ops.extend(first_read.map(|r| read_span(h, r, &add.value, true)));
            }
            ops.extend(
                missing
                    .iter()
                    .map(|n| read_span(h, reads.ok[reads.finals[n]].invoke, &add.value, false)),
            );
            let data = json!({
                "element": add.value,
                "acknowledged": add.outcome == OpType::Ok,
                "missing_at": missing,
            });
            report.violation("lost", text, ops, data);
        }
    }

    fn tell_unexpected(&self, f: &Facts<'_>, found: &Found, report: &mut Report) {
        let (h, reads) = (f.history, f.reads);
        for e in &found.unexpected {
            if report.is_full() {
                report.omitted(1);
                continue;
            }
            let s = &f.seen[e];
            let why = match f.adds.get(e) {
                Some(a) => format!(
                    "its only {} definitely failed: {}",
                    self.add_f,
                    named(h, a.invoke)
                ),
                None => format!("no one ever invoked a {} of it", self.add_f),
            };
            let by: Vec<String> = s
                .first
                .iter()
                .map(|&k| format!("  {}", named(h, reads.ok[k].invoke)))
                .collect();
            let text = format!(
                "element {} is unexpected: {why}, yet {} read(s) returned it, the first:\n{}{}",
                show(&s.value),
                s.count,
                by.join("\n"),
                f.closing(report)
            );
            let mut ops: Vec<_> = f
                .adds
                .get(e)
                .map(|a| span(h, a.invoke))
                .into_iter()
                .collect();
            ops.extend(
                s.first
                    .iter()
                    .map(|&k| read_span(h, reads.ok[k].invoke, &s.value, true)),
            );
            let nodes: Vec<Option<&String>> =
                s.first.iter().map(|&k| reads.ok[k].node.as_ref()).collect();
            let data = json!({"element": s.value, "reads": s.count, "read_at": nodes});
            report.violation("unexpected", text, ops, data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::common::STORE as STORE_NAME;
    use history::{Dialect, Op, Validity};

    fn pair(ops: &mut Vec<Op>, p: u64, f: &str, v: Value, kind: OpType, done: Value) {
        ops.push(Op::client(p, OpType::Invoke, f, v));
        ops.push(Op::client(p, kind, f, done));
    }

    fn final_read(ops: &mut Vec<Op>, node: &str, elements: Value) {
        pair(
            ops,
            9,
            "read",
            json!({"node": node}),
            OpType::Ok,
            json!({"node": node, "value": elements}),
        );
    }

    fn check(ops: Vec<Op>) -> Verdict {
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        SetChecker::g_set().check(&h)
    }

    #[test]
    fn every_known_element_in_every_final_read_is_valid() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(1), OpType::Ok, json!(1));
        pair(&mut ops, 1, "add", json!(2), OpType::Info, json!(2));
        pair(&mut ops, 2, "add", json!(3), OpType::Fail, json!(3));
        final_read(&mut ops, "n1", json!([1]));
        final_read(&mut ops, "n2", json!([1]));
        let v = check(ops);
        assert_eq!(v.validity, Validity::Valid, "{v:?}");
        assert_eq!(v.stats["never_read_info"], json!(1));
        assert_eq!(v.stats["ok_adds"], json!(1));
    }

    #[test]
    fn an_acknowledged_element_missing_at_one_node_is_lost_there() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(1), OpType::Ok, json!(1));
        pair(&mut ops, 1, "add", json!(2), OpType::Ok, json!(2));
        final_read(&mut ops, "n1", json!([1, 2]));
        final_read(&mut ops, "n2", json!([1]));
        let v = check(ops);
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies.len(), 1);
        let a = &v.anomalies[0];
        assert_eq!(a.kind, "lost");
        assert_eq!(a.data["element"], json!(2));
        assert_eq!(a.data["missing_at"], json!(["n2"]));
        assert_eq!(a.ops[0].invoke_index, 2, "the add comes first");
        assert!(
            a.explanation.contains("element 2 is lost"),
            "{}",
            a.explanation
        );
        assert!(a.explanation.contains("1 lost"), "{}", a.explanation);
    }

    #[test]
    fn an_indeterminate_add_once_read_must_reach_every_node() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(5), OpType::Info, json!(5));
        pair(
            &mut ops,
            1,
            "read",
            json!(null),
            OpType::Ok,
            json!({"node": "n1", "value": [5]}),
        );
        final_read(&mut ops, "n1", json!([5]));
        final_read(&mut ops, "n2", json!([]));
        let v = check(ops);
        assert_eq!(v.anomalies.len(), 1, "{v:?}");
        assert_eq!(v.anomalies[0].kind, "lost");
        assert_eq!(v.anomalies[0].data["acknowledged"], json!(false));
        assert_eq!(v.stats["recovered_info"], json!(1));
    }

    #[test]
    fn an_element_never_added_or_whose_add_failed_is_unexpected() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(3), OpType::Fail, json!(3));
        final_read(&mut ops, "n1", json!([3, 42]));
        let v = check(ops);
        let kinds: Vec<(&str, Value)> = v
            .anomalies
            .iter()
            .map(|a| (a.kind.as_str(), a.data["element"].clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![("unexpected", json!(3)), ("unexpected", json!(42))]
        );
        assert!(v.anomalies[0].explanation.contains("definitely failed"));
        assert!(v.anomalies[1].explanation.contains("no one ever invoked"));
    }

    #[test]
    fn no_final_read_is_unknown_and_a_silent_node_too() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(1), OpType::Ok, json!(1));
        let v = check(ops.clone());
        assert_eq!(v.validity, Validity::Unknown);
        final_read(&mut ops, "n1", json!([1]));
        pair(
            &mut ops,
            9,
            "read",
            json!({"node": "n2"}),
            OpType::Fail,
            json!(null),
        );
        let v = check(ops);
        assert_eq!(v.validity, Validity::Unknown);
        assert!(v.reason.unwrap().contains("n2 answered no final read"));
    }

    fn check_store(ops: Vec<Op>) -> Verdict {
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        SetChecker::store().check(&h)
    }

    #[test]
    fn a_stores_final_read_is_the_marked_one_else_the_last() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(1), OpType::Ok, json!(1));
        pair(&mut ops, 1, "add", json!(2), OpType::Ok, json!(2));
        let read = |ops: &mut Vec<Op>, invoke: Value, got: Value| {
            pair(ops, 2, "read", invoke, OpType::Ok, got)
        };
        // Marked final, it must hold both.
        let mut marked = ops.clone();
        read(&mut marked, json!({"final": true}), json!([1]));
        let v = check_store(marked.clone());
        assert_eq!(v.validity, Validity::Invalid, "{v:?}");
        assert_eq!(v.anomalies[0].data["missing_at"], json!([STORE_NAME]));
        // g-set's checker asks nodes, not the store: there a final read of the store is
        // still a final read (its node is the store).
        assert_eq!(check(marked).validity, Validity::Invalid);
        // Unmarked (Jepsen's histories): the last ok read is final for a store's set only.
        let mut plain = ops.clone();
        read(&mut plain, json!(null), json!([2, 1]));
        assert_eq!(check_store(plain.clone()).validity, Validity::Valid);
        assert_eq!(check(plain).validity, Validity::Unknown);
        let mut short = ops.clone();
        read(&mut short, json!(null), json!([2]));
        let v = check_store(short);
        assert_eq!(v.anomalies[0].data["missing_at"], json!([LAST_READ]));
        // No ok read at all: nothing to judge.
        assert_eq!(check_store(ops).validity, Validity::Unknown);
    }

    #[test]
    fn an_element_acknowledged_after_the_final_read_began_is_not_asked_of_it() {
        let mut ops = vec![
            Op::client(0, OpType::Invoke, "add", json!(1)),
            Op::client(1, OpType::Invoke, "read", json!({"final": true})),
            Op::client(0, OpType::Ok, "add", json!(1)),
            Op::client(1, OpType::Ok, "read", json!([])),
        ];
        assert_eq!(check_store(ops.clone()).validity, Validity::Valid);
        // Acknowledged before it began: lost.
        ops.swap(1, 2);
        assert_eq!(check_store(ops).validity, Validity::Invalid);
    }

    #[test]
    fn broadcast_judges_broadcast_ops_and_a_malformed_read_cannot_be_judged() {
        let mut ops = Vec::new();
        pair(&mut ops, 0, "broadcast", json!(7), OpType::Ok, json!(7));
        final_read(&mut ops, "n1", json!([7]));
        final_read(&mut ops, "n2", json!("seven"));
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let v = SetChecker::broadcast().check(&h);
        assert_eq!(v.checker, "broadcast");
        assert_eq!(v.validity, Validity::Unknown);
        assert!(v.anomalies.is_empty());
        let m = v.malformed.unwrap();
        assert_eq!(m.line, 6);
        assert!(
            m.message.contains("\"seven\", which is not a list"),
            "{m:?}"
        );
    }

    #[test]
    fn an_anomaly_names_its_element_never_the_whole_read() {
        let mut ops = Vec::new();
        for e in 0..5_000 {
            pair(&mut ops, 0, "add", json!(e), OpType::Ok, json!(e));
        }
        let held: Vec<i64> = (3..5_000).collect();
        final_read(&mut ops, "n1", json!(held));
        let v = check(ops);
        let lost: Vec<&Value> = v.anomalies.iter().map(|a| &a.data["element"]).collect();
        assert_eq!(lost, vec![&json!(0), &json!(1), &json!(2)]);
        let read = &v.anomalies[1].ops[1];
        assert_eq!(read.f, "read");
        assert_eq!(
            read.result,
            json!({"size": 4_997, "element": 1, "holds": false, "node": "n1"})
        );
        // The run's summary closes the first anomaly only.
        assert!(v.anomalies[0].explanation.contains("3 lost"));
        assert!(!v.anomalies[1].explanation.contains("3 lost"));
        let size = serde_json::to_string(&v).unwrap().len();
        assert!(size < 4_000, "the verdict takes {size} bytes");
    }

    #[test]
    fn past_the_listed_anomalies_the_rest_are_counted() {
        let mut ops = Vec::new();
        for e in 0..1_000 {
            pair(&mut ops, 0, "add", json!(e), OpType::Ok, json!(e));
        }
        let held: Vec<i64> = (250..1_000).collect();
        final_read(&mut ops, "n1", json!(held));
        let v = check(ops);
        assert_eq!(v.anomalies.len(), crate::report::MAX_ANOMALIES);
        assert_eq!(v.stats["anomalies"], json!(250));
        assert_eq!(v.stats["lost"], json!(250));
        assert_eq!(v.validity, Validity::Invalid);
    }
}
