//! Golden histories of the agreement workloads (consensus, Byzantine generals, interactive
//! consistency, replicated ledger), hand-written JSONL under `tests/golden/consensus/`,
//! each with the exact verdict of every checker of its workload (a case lists the verdicts
//! that are not valid; every other checker must be valid) and, for each violation, the
//! anomaly's kind, key, the nodes its data names and words of its explanation.

use checkers::consensus::{properties, Problem};
use history::{format, Key, Validity, Verdict};
use std::path::{Path, PathBuf};

use Validity::{Invalid, Unknown, Valid};

/// A key, written so it can sit in a constant.
#[derive(Debug, Clone, Copy)]
enum K {
    None,
    Int(i64),
    Str(&'static str),
}

impl K {
    fn key(self) -> Option<Key> {
        match self {
            K::None => None,
            K::Int(i) => Some(Key::Int(i)),
            K::Str(s) => Some(Key::Str(s.into())),
        }
    }
}

/// An expected anomaly.
struct A {
    kind: &'static str,
    key: K,
    /// `data.nodes`, exactly.
    nodes: &'static [&'static str],
    /// Each must appear in the explanation.
    words: &'static [&'static str],
}

/// A checker's expected verdict.
#[derive(Clone, Copy)]
struct E {
    checker: &'static str,
    validity: Validity,
    anomalies: &'static [A],
}

const fn valid(checker: &'static str) -> E {
    E {
        checker,
        validity: Valid,
        anomalies: &[],
    }
}

const fn unknown(checker: &'static str) -> E {
    E {
        checker,
        validity: Unknown,
        anomalies: &[],
    }
}

const fn invalid(checker: &'static str, anomalies: &'static [A]) -> E {
    E {
        checker,
        validity: Invalid,
        anomalies,
    }
}

/// A golden file, its workload, and the verdicts of the workload's checkers that are not
/// valid, each named once (the checkers not named must be valid).
struct Case {
    file: &'static str,
    workload: &'static str,
    expect: &'static [E],
}

/// Each workload's checkers, in the order `for_workload` gives them.
const CHECKERS: &[(&str, &[&str])] = &[
    (
        "consensus",
        &[
            "agreement",
            "integrity",
            "weak-integrity",
            "byzantine-integrity",
            "termination",
        ],
    ),
    ("generals", &["ic1", "ic2", "termination"]),
    (
        "interactive-consistency",
        &["vector-agreement", "vector-validity", "termination"],
    ),
    (
        "ledger",
        &[
            "log-prefix",
            "no-duplicates",
            "no-phantoms",
            "no-lost-acks",
            "termination",
        ],
    ),
];

const CASES: &[Case] = &[
    // Consensus.
    Case {
        file: "consensus-valid.jsonl",
        workload: "consensus",
        expect: &[],
    },
    Case {
        file: "agreement-invalid.jsonl",
        workload: "consensus",
        expect: &[invalid(
            "agreement",
            &[A {
                kind: "agreement",
                key: K::Int(1),
                nodes: &["n1", "n2", "n3"],
                words: &[
                    "instance 1",
                    "decided 2 different values",
                    "1 decided by n1 (reply to its proposal, line 4)",
                    "2 decided by n2 (final read, line 12)",
                    "Faulty nodes: none.",
                ],
            }],
        )],
    },
    Case {
        file: "agreement-changed.jsonl",
        workload: "consensus",
        expect: &[invalid(
            "agreement",
            &[A {
                kind: "agreement",
                key: K::Str("a"),
                nodes: &["n1", "n2", "n3"],
                words: &[
                    "instance \"a\"",
                    "n2 changed its decision: 5, then 6",
                    "crashed, still judged: n2 (kill)",
                ],
            }],
        )],
    },
    Case {
        file: "integrity-invalid.jsonl",
        workload: "consensus",
        expect: &[
            invalid(
                "integrity",
                &[A {
                    kind: "integrity",
                    key: K::Int(0),
                    nodes: &["n1", "n2", "n3"],
                    words: &[
                        "instance 0: every correct node proposed 4",
                        "n1 decided 9 (final read, line 8)",
                        "n3 was given 4",
                    ],
                }],
            ),
            invalid(
                "weak-integrity",
                &[A {
                    kind: "weak-integrity",
                    key: K::Int(0),
                    nodes: &["n1", "n2", "n3"],
                    words: &["the correct nodes proposed only 4"],
                }],
            ),
            invalid(
                "byzantine-integrity",
                &[A {
                    kind: "byzantine-integrity",
                    key: K::Int(0),
                    nodes: &["n1", "n2", "n3"],
                    words: &["every correct node proposed 4"],
                }],
            ),
        ],
    },
    Case {
        file: "weak-integrity-invalid.jsonl",
        workload: "consensus",
        expect: &[invalid(
            "weak-integrity",
            &[A {
                kind: "weak-integrity",
                key: K::Int(3),
                nodes: &["n1", "n2", "n3"],
                words: &[
                    "instance 3: the correct nodes proposed only 1, 2, 3",
                    "n2 decided 8 (reply to its proposal, line 4)",
                ],
            }],
        )],
    },
    // integrity is valid: it does not apply, as there is a Byzantine node.
    Case {
        file: "byzantine-integrity-invalid.jsonl",
        workload: "consensus",
        expect: &[
            invalid(
                "weak-integrity",
                &[A {
                    kind: "weak-integrity",
                    key: K::Int(0),
                    nodes: &["n1", "n2", "n3"],
                    words: &["proposed only 4", "n4 (Byzantine) was given 9"],
                }],
            ),
            invalid(
                "byzantine-integrity",
                &[A {
                    kind: "byzantine-integrity",
                    key: K::Int(0),
                    nodes: &["n1", "n2", "n3"],
                    words: &[
                        "every correct node proposed 4",
                        "Byzantine, so not judged: n4 (forge)",
                    ],
                }],
            ),
        ],
    },
    // A Byzantine node's divergent decision violates nothing.
    Case {
        file: "byzantine-divergent.jsonl",
        workload: "consensus",
        expect: &[],
    },
    // Not terminating is a liveness failure only.
    Case {
        file: "termination-invalid.jsonl",
        workload: "consensus",
        expect: &[invalid(
            "termination",
            &[A {
                kind: "termination",
                key: K::Int(0),
                nodes: &["n2", "n3"],
                words: &[
                    "instance 0: n2 and n3 had not decided",
                    "n3 answered the final read: undecided (line 17)",
                    "n2 gave no answer to the final read and was not crashed",
                    "excused (crashed, no answer): n4",
                    "crashed, still judged: n4 (kill)",
                ],
            }],
        )],
    },
    Case {
        file: "termination-excused.jsonl",
        workload: "consensus",
        expect: &[],
    },
    Case {
        file: "consensus-no-final.jsonl",
        workload: "consensus",
        expect: &[
            unknown("agreement"),
            unknown("integrity"),
            unknown("weak-integrity"),
            unknown("byzantine-integrity"),
            unknown("termination"),
        ],
    },
    // Missing fields and wrong types make the safety verdicts unknown; n1's final answer
    // was unreadable.
    Case {
        file: "consensus-malformed.jsonl",
        workload: "consensus",
        expect: &[
            unknown("agreement"),
            unknown("integrity"),
            unknown("weak-integrity"),
            unknown("byzantine-integrity"),
            invalid(
                "termination",
                &[A {
                    kind: "termination",
                    key: K::Int(0),
                    nodes: &["n1"],
                    words: &["n1 gave no answer"],
                }],
            ),
        ],
    },
    // Byzantine generals.
    Case {
        file: "generals-valid.jsonl",
        workload: "generals",
        expect: &[],
    },
    Case {
        file: "ic1-invalid.jsonl",
        workload: "generals",
        expect: &[
            invalid(
                "ic1",
                &[A {
                    kind: "ic1",
                    key: K::Int(0),
                    nodes: &["n2", "n4"],
                    words: &[
                        "the loyal lieutenants decided 2 different values",
                        "not counted: n3 (Byzantine) decided \"retreat\"",
                        "n3 (relay-opposite)",
                    ],
                }],
            ),
            invalid(
                "ic2",
                &[A {
                    kind: "ic2",
                    key: K::Int(0),
                    nodes: &["n4"],
                    words: &["the commander n1 is loyal and was ordered \"attack\""],
                }],
            ),
        ],
    },
    Case {
        file: "generals-out-of-touch.jsonl",
        workload: "generals",
        expect: &[
            invalid(
                "ic1",
                &[A {
                    kind: "ic1",
                    key: K::Int(1),
                    nodes: &["n2", "n3", "n4", "n5"],
                    words: &["the loyal lieutenants decided 2 different values"],
                }],
            ),
            invalid(
                "ic2",
                &[
                    A {
                        kind: "ic2",
                        key: K::Int(1),
                        nodes: &["n3"],
                        words: &["the commander n1 is loyal and was ordered \"attack\""],
                    },
                    // n1 lied from 70 s to 72 s (instance 4), not at 90 s.
                    A {
                        kind: "ic2",
                        key: K::Int(5),
                        nodes: &["n2", "n3", "n4", "n5"],
                        words: &["the commander n1 is loyal"],
                    },
                ],
            ),
        ],
    },
    // Instance 0: the order was indeterminate and the commander never decided (it may
    // never have received it): excused. Instance 1: as indeterminate, but the commander
    // decided its order, so it had it, and the lieutenants who retreated broke IC2.
    Case {
        file: "generals-order-not-received.jsonl",
        workload: "generals",
        expect: &[invalid(
            "ic2",
            &[A {
                kind: "ic2",
                key: K::Int(1),
                nodes: &["n2", "n3", "n4"],
                words: &["the commander n1 is loyal and was ordered \"attack\""],
            }],
        )],
    },
    Case {
        file: "ic2-invalid.jsonl",
        workload: "generals",
        expect: &[invalid(
            "ic2",
            &[A {
                kind: "ic2",
                key: K::Int(5),
                nodes: &["n2", "n3"],
                words: &[
                    "instance 5: the commander n1 is loyal",
                    "but n2 and n3 decided otherwise",
                    "n4 (relay-opposite)",
                ],
            }],
        )],
    },
    // A traitor commander excuses IC2, not IC1.
    Case {
        file: "traitor-commander.jsonl",
        workload: "generals",
        expect: &[invalid(
            "ic1",
            &[A {
                kind: "ic1",
                key: K::Int(1),
                nodes: &["n2", "n3", "n4"],
                words: &["instance 1", "not judged: n1 (split-orders)"],
            }],
        )],
    },
    Case {
        file: "generals-termination-invalid.jsonl",
        workload: "generals",
        expect: &[invalid(
            "termination",
            &[A {
                kind: "termination",
                key: K::Int(0),
                nodes: &["n4"],
                words: &["n4 answered the final read: undecided"],
            }],
        )],
    },
    // Interactive consistency.
    Case {
        file: "ic-valid.jsonl",
        workload: "interactive-consistency",
        expect: &[],
    },
    // n3 refused its proposal (the instance was decided without it): its component is
    // not required to be the value it was offered.
    Case {
        file: "ic-refused-proposal.jsonl",
        workload: "interactive-consistency",
        expect: &[],
    },
    Case {
        file: "vector-agreement-invalid.jsonl",
        workload: "interactive-consistency",
        expect: &[invalid(
            "vector-agreement",
            &[A {
                kind: "vector-agreement",
                key: K::Int(2),
                nodes: &["n1", "n2", "n3"],
                words: &[
                    "decided 2 different vectors",
                    "[1,2,3,4] decided by n3",
                    "n4 (relay-corrupt)",
                ],
            }],
        )],
    },
    Case {
        file: "vector-validity-invalid.jsonl",
        workload: "interactive-consistency",
        expect: &[invalid(
            "vector-validity",
            &[A {
                kind: "vector-validity",
                key: K::Int(0),
                nodes: &["n1", "n2", "n3"],
                words: &["component 1 (n2) is 5, but n2 was given 2"],
            }],
        )],
    },
    Case {
        file: "ic-termination-invalid.jsonl",
        workload: "interactive-consistency",
        expect: &[invalid(
            "termination",
            &[A {
                kind: "termination",
                key: K::Int(0),
                nodes: &["n3"],
                words: &["n3 answered the final read: undecided"],
            }],
        )],
    },
    // Replicated ledger; a Byzantine node's forked, duplicating, forging log is ignored.
    Case {
        file: "ledger-valid.jsonl",
        workload: "ledger",
        expect: &[],
    },
    Case {
        file: "log-prefix-invalid.jsonl",
        workload: "ledger",
        expect: &[invalid(
            "log-prefix",
            &[A {
                kind: "log-prefix",
                key: K::None,
                nodes: &["n1", "n2", "n3"],
                words: &[
                    "log index 1",
                    "\"e1\" in n1's log (line 11), n3's log (line 15)",
                    "\"e2\" in n2's log (line 13)",
                    "2 indices differ",
                    "crashed, still judged: n2 (pause)",
                ],
            }],
        )],
    },
    Case {
        file: "no-duplicates-invalid.jsonl",
        workload: "ledger",
        expect: &[invalid(
            "no-duplicates",
            &[A {
                kind: "no-duplicates",
                key: K::None,
                nodes: &["n2"],
                words: &["n2's log (line 8)", "\"e0\" at indices 0, 2"],
            }],
        )],
    },
    Case {
        file: "no-phantoms-invalid.jsonl",
        workload: "ledger",
        expect: &[invalid(
            "no-phantoms",
            &[A {
                kind: "no-phantoms",
                key: K::None,
                nodes: &["n1", "n2", "n3"],
                words: &["entry \"ghost\" was never submitted", "n3 at index 1"],
            }],
        )],
    },
    Case {
        file: "no-lost-acks-invalid.jsonl",
        workload: "ledger",
        expect: &[
            invalid(
                "no-lost-acks",
                &[A {
                    kind: "lost",
                    key: K::None,
                    nodes: &["n1", "n2", "n3"],
                    words: &[
                        "entry \"e2\" was acknowledged by n3",
                        "in no correct node's final log",
                    ],
                }],
            ),
            invalid(
                "termination",
                &[
                    A {
                        kind: "termination",
                        key: K::None,
                        nodes: &["n1"],
                        words: &["n1 lags", "lacks 1 acknowledged entry: \"e2\""],
                    },
                    A {
                        kind: "termination",
                        key: K::None,
                        nodes: &["n2"],
                        words: &["n2 lags"],
                    },
                    A {
                        kind: "termination",
                        key: K::None,
                        nodes: &["n3"],
                        words: &["n3 lags"],
                    },
                ],
            ),
        ],
    },
    Case {
        file: "ledger-termination-invalid.jsonl",
        workload: "ledger",
        expect: &[invalid(
            "termination",
            &[A {
                kind: "termination",
                key: K::None,
                nodes: &["n3"],
                words: &[
                    "n3 lags: its final log (1 entries, line 14)",
                    "lacks 2 acknowledged entries: \"e1\", \"e2\"",
                    "crashed, still judged: n4 (kill)",
                ],
            }],
        )],
    },
    Case {
        file: "ledger-no-answers.jsonl",
        workload: "ledger",
        expect: &[
            unknown("log-prefix"),
            unknown("no-duplicates"),
            unknown("no-phantoms"),
            unknown("no-lost-acks"),
            invalid(
                "termination",
                &[
                    A {
                        kind: "termination",
                        key: K::None,
                        nodes: &["n1"],
                        words: &["n1 gave no final log and was not crashed"],
                    },
                    A {
                        kind: "termination",
                        key: K::None,
                        nodes: &["n2"],
                        words: &["n2 gave no final log"],
                    },
                ],
            ),
        ],
    },
    Case {
        file: "ledger-no-final.jsonl",
        workload: "ledger",
        expect: &[
            unknown("log-prefix"),
            unknown("no-duplicates"),
            unknown("no-phantoms"),
            unknown("no-lost-acks"),
            unknown("termination"),
        ],
    },
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/consensus")
}

/// The checkers of a workload, as [`CHECKERS`] names them.
fn checkers_of(workload: &str) -> &'static [&'static str] {
    CHECKERS.iter().find(|(w, _)| *w == workload).unwrap().1
}

/// The verdict of every checker of a case's workload, in order: as the case says, or valid.
fn expected(case: &Case) -> Vec<E> {
    let names = checkers_of(case.workload);
    for e in case.expect {
        let named = case
            .expect
            .iter()
            .filter(|x| x.checker == e.checker)
            .count();
        assert!(
            names.contains(&e.checker) && named == 1,
            "{}: {} is not one checker of {}",
            case.file,
            e.checker,
            case.workload
        );
    }
    names
        .iter()
        .map(
            |name| match case.expect.iter().find(|e| e.checker == *name) {
                Some(e) => *e,
                None => valid(name),
            },
        )
        .collect()
}

fn verdicts(case: &Case) -> Vec<Verdict> {
    let (h, _) = format::read_path(&dir().join(case.file), None, None).unwrap();
    for_workload(case.workload)
        .unwrap()
        .iter()
        .map(|c| {
            let v = c.check(&h);
            assert_eq!(v.checker, c.name(), "{}", case.file);
            v
        })
        .collect()
}

/// The verdict of one checker on one golden file.
fn verdict(file: &str, checker: &str) -> Verdict {
    let case = CASES.iter().find(|c| c.file == file).unwrap();
    let vs = verdicts(case);
    vs.into_iter().find(|v| v.checker == checker).unwrap()
}

/// Assert that each of `words` appears in `text`.
fn assert_says(text: &str, words: &[&str], at: &str) {
    for w in words {
        assert!(text.contains(w), "{at}: {w:?} not in\n{text}");
    }
}

#[test]
fn every_golden_history_gets_its_exact_verdicts() {
    for case in CASES {
        let (got, want) = (verdicts(case), expected(case));
        assert_eq!(
            got.len(),
            want.len(),
            "{}: the checkers of {}",
            case.file,
            case.workload
        );
        for (v, e) in got.iter().zip(want) {
            let at = format!("{} / {}", case.file, e.checker);
            let shown = serde_json::to_string_pretty(v).unwrap();
            assert_eq!(v.checker, e.checker, "{at}");
            assert_eq!(v.validity, e.validity, "{at}: {shown}");
            assert_eq!(v.liveness, e.checker == "termination", "{at}");
            let why = e.validity == Unknown || v.malformed.is_some();
            assert_eq!(v.reason.is_some(), why, "{at}: {shown}");
            assert_eq!(v.anomalies.len(), e.anomalies.len(), "{at}: {shown}");
            for (a, x) in v.anomalies.iter().zip(e.anomalies) {
                assert_eq!(a.kind, x.kind, "{at}");
                assert_eq!(a.key, x.key.key(), "{at}");
                assert_eq!(a.data["nodes"], serde_json::json!(x.nodes), "{at}: {shown}");
                assert_says(&a.explanation, x.words, &at);
                assert_says(&a.explanation, &["Faulty nodes:"], &at);
                assert!(!a.ops.is_empty(), "{at}: no ops");
            }
        }
    }
}

#[test]
fn every_golden_file_has_a_case() {
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            CASES.iter().any(|c| c.file == name),
            "{name} has no case in tests/consensus.rs"
        );
    }
}

#[test]
fn integrity_says_when_it_did_not_apply() {
    let v = verdict("byzantine-divergent.jsonl", "integrity");
    assert_eq!(v.stats["applied"], false);
    let why = v.stats["not_applied_because"].as_str().unwrap();
    assert_says(why, &["n4"], "not_applied_because");
    let v = verdict("byzantine-divergent.jsonl", "agreement");
    assert_eq!(
        v.stats["faults"]["byzantine"]["n4"],
        serde_json::json!(["equivocate", "relay-opposite"])
    );
}

#[test]
fn crashed_nodes_without_an_answer_are_excused_and_listed() {
    assert_eq!(
        verdict("termination-excused.jsonl", "termination").stats["excused_crashed"],
        serde_json::json!([{"instance": 0, "nodes": ["n3"]}])
    );
    assert_eq!(
        verdict("ledger-termination-invalid.jsonl", "termination").stats["excused_crashed"],
        serde_json::json!(["n4"])
    );
}

#[test]
fn an_order_the_commander_may_never_have_received_binds_no_one() {
    let v = verdict("generals-order-not-received.jsonl", "ic2");
    assert_eq!(
        v.stats["excused_order_not_received"],
        serde_json::json!([0])
    );
}

#[test]
fn a_traitor_commanders_instances_are_listed_as_excused() {
    assert_eq!(
        verdict("traitor-commander.jsonl", "ic2").stats["excused_traitor_commander"],
        serde_json::json!([0, 1])
    );
}

#[test]
fn nodes_out_of_touch_or_lying_are_excused_per_instance_and_beyond_the_bound_nothing_is_judged() {
    let file = "generals-out-of-touch.jsonl";
    let ic1 = verdict(file, "ic1");
    assert_eq!(ic1.stats["instances_beyond_bound"], 1);
    assert_eq!(
        verdict(file, "termination").stats["instances_beyond_bound"],
        1
    );
    let ic2 = verdict(file, "ic2");
    assert_eq!(ic2.stats["instances_beyond_bound"], 1);
    assert_eq!(
        ic2.stats["excused_commander_out_of_touch"],
        serde_json::json!([3])
    );
    assert_eq!(
        ic2.stats["excused_traitor_commander"],
        serde_json::json!([4])
    );
}

#[test]
fn malformed_ops_leave_the_verdict_unknown_naming_the_first() {
    // Three proposals and two final reads lack fields; three faults name no nodes.
    let v = verdict("consensus-malformed.jsonl", "agreement");
    let m = v.malformed.unwrap();
    assert_eq!((m.count, m.line), (8, 3), "{m:?}");
    assert!(v.reason.unwrap().starts_with(
        "the op at line 3 cannot be judged: the propose names no node (8 malformed ops in all)"
    ));
    let v = verdict("ledger-no-answers.jsonl", "no-lost-acks");
    assert_eq!(v.malformed.map(|m| (m.count, m.line)), Some((1, 6)));
}

#[test]
fn unknown_verdicts_say_why() {
    for (file, checker, why) in [
        (
            "consensus-no-final.jsonl",
            "agreement",
            "no final phase (no `decision` ops)",
        ),
        (
            "ledger-no-answers.jsonl",
            "log-prefix",
            "no correct node answered the final log read",
        ),
    ] {
        let reason = verdict(file, checker).reason.unwrap();
        assert_says(&reason, &[why], &format!("{file} / {checker}"));
    }
}

/// The checkers of the problem an agreement workload poses.
fn for_workload(w: &str) -> Option<Vec<Box<dyn checkers::Checker>>> {
    let p = match w {
        "consensus" => Problem::Consensus,
        "generals" => Problem::Generals,
        "interactive-consistency" => Problem::InteractiveConsistency,
        "ledger" => Problem::Ledger,
        _ => return None,
    };
    Some(properties(p))
}

#[test]
fn each_agreement_workload_has_its_checkers_in_order() {
    for w in ["consensus", "generals", "interactive-consistency", "ledger"] {
        let names: Vec<String> = for_workload(w)
            .unwrap()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(names, checkers_of(w), "{w}");
    }
    assert_eq!(CHECKERS.len(), Problem::ALL.len());
    assert!(for_workload("register").is_none());
}

#[test]
fn liveness_is_serialised_only_when_set() {
    let safety = serde_json::to_value(verdict("consensus-valid.jsonl", "agreement")).unwrap();
    assert!(safety.get("liveness").is_none());
    let live = serde_json::to_value(verdict("consensus-valid.jsonl", "termination")).unwrap();
    assert_eq!(live["liveness"], true);
}
