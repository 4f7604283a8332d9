//! Property tests of the transactional checkers over seeded random histories
//! (`checkers::txn::gen`):
//!
//! - a serial database's histories (concurrent clients, effects applied atomically within
//!   each transaction's interval, some failures and indeterminate outcomes) are always
//!   valid, even under strict serializability, and rule out no model;
//! - a history with one injected anomaly is always caught, with the right class, by
//!   exactly the models that forbid it; cycles name exactly the injected transactions.

use checkers::txn::gen::{generate, Inject, Spec};
use checkers::txn::{Datatype, ListAppend, Model, RwRegister};
use checkers::Checker;
use history::{History, Validity, Verdict};
use serde_json::json;

const SEEDS: u64 = 300;
const DATATYPES: [Datatype; 2] = [Datatype::ListAppend, Datatype::RwRegister];

fn check(dt: Datatype, model: Model, h: &History) -> Verdict {
    match dt {
        Datatype::ListAppend => ListAppend {
            model,
            time_limit: None,
        }
        .check(h),
        Datatype::RwRegister => RwRegister {
            model,
            time_limit: None,
        }
        .check(h),
    }
}

#[test]
fn serial_histories_are_strict_serializable() {
    for dt in DATATYPES {
        let mut cycles_possible = 0;
        for seed in 0..SEEDS {
            let spec = Spec::small(dt, seed);
            let h = generate(&spec, None).history;
            let v = check(dt, Model::StrictSerializable, &h);
            assert_eq!(
                v.validity,
                Validity::Valid,
                "{} seed {seed} ({spec:?}): {:#?} {:?}",
                dt.name(),
                v.anomalies,
                v.reason
            );
            assert_eq!(v.stats["ruled_out"], json!([]));
            assert_eq!(v.stats["anomalies_found"], json!(0));
            cycles_possible += v.stats["edges"]["rw"].as_u64().unwrap().min(1);
        }
        // The histories are not trivially valid: most have anti-dependencies.
        assert!(
            cycles_possible > SEEDS / 2,
            "{}: {cycles_possible}",
            dt.name()
        );
    }
}

#[test]
fn larger_serial_histories_are_strict_serializable() {
    for dt in DATATYPES {
        for seed in 0..4 {
            let spec = Spec {
                keys: 20,
                writes_per_key: 16,
                ..Spec::large(dt, 5_000, seed)
            };
            let h = generate(&spec, None).history;
            let v = check(dt, Model::StrictSerializable, &h);
            assert_eq!(
                v.validity,
                Validity::Valid,
                "{} seed {seed}: {:#?}",
                dt.name(),
                v.anomalies
            );
        }
    }
}

#[test]
fn injected_anomalies_are_caught_with_their_class() {
    let mut runs = 0;
    for dt in DATATYPES {
        for seed in 0..SEEDS {
            let inject = Inject::ALL[(seed as usize) % Inject::ALL.len()];
            if !inject.applies_to(dt) {
                continue;
            }
            runs += 1;
            let g = generate(&Spec::small(dt, seed), Some(inject));
            let what = format!("{} seed {seed} {inject:?}", dt.name());
            for model in Model::ALL {
                let v = check(dt, model, &g.history);
                let want = if model >= inject.weakest() {
                    Validity::Invalid
                } else {
                    Validity::Valid
                };
                assert_eq!(
                    v.validity,
                    want,
                    "{what} under {}: {:#?} {:?}",
                    model.as_str(),
                    v.anomalies,
                    v.reason
                );
                let found: Vec<&String> = v.stats["anomaly_kinds"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect();
                assert!(
                    found.iter().any(|k| *k == inject.kind()),
                    "{what}: {found:?}"
                );
                assert!(
                    found.iter().all(|k| inject.kinds(dt).contains(&k.as_str())),
                    "{what}: {found:?}"
                );
                // A cycle names exactly the two transactions the script made cross (a lost
                // append's cycles may run through any later append to the key instead).
                let cycle = v.anomalies.iter().find(|a| a.data.get("edges").is_some());
                if let Some(a) = cycle.filter(|_| inject != Inject::Lost) {
                    let mut txns: Vec<u64> = a.data["txns"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_u64().unwrap())
                        .collect();
                    txns.sort();
                    assert_eq!(txns, g.injected[..2], "{what}: {}", a.explanation);
                }
            }
        }
    }
    assert!(runs > SEEDS, "{runs}");
}

#[test]
fn every_injection_applies_somewhere_and_names_a_known_kind() {
    for i in Inject::ALL {
        assert!(i.applies_to(Datatype::ListAppend));
        assert!(!checkers::txn::model::ruled_out(i.kind()).is_empty());
    }
}

/// A serial database's register history where some single reads were made stale (each
/// returns a value an earlier read of its key returned): serializable (each such reader
/// can be moved back to when its value was current) but not strict serializable. The
/// search for a serial order must find one all the same, though real time no longer
/// guides it everywhere.
#[test]
fn stale_single_reads_are_serializable_not_strict() {
    use history::rng::Rng;
    use history::{Dialect, OpType};
    use std::collections::HashMap;
    let h = generate(&Spec::large(Datatype::RwRegister, 20_000, 42), None).history;
    let mut ops = h.ops().to_vec();
    let mut seen: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut rng = Rng::new(9);
    let mut stale = 0;
    for op in ops.iter_mut().filter(|o| o.kind == OpType::Ok) {
        let Some([m]) = op.value.as_array().map(|a| a.as_slice()) else {
            continue;
        };
        let (Some(k), Some(v)) = (m[1].as_i64(), m[2].as_i64()) else {
            continue;
        };
        if m[0] != "r" {
            continue;
        }
        let before = seen.entry(k).or_default();
        if before.last().is_some_and(|&l| l != v) && rng.chance(0.3) {
            let old = before[rng.below(before.len() as u64) as usize];
            op.value = json!([["r", k, old]]);
            stale += 1;
        }
        if before.last() != Some(&v) {
            before.push(v);
        }
    }
    assert!(stale > 200, "{stale}");
    let h = History::from_ops(ops, Dialect::Schism).unwrap();
    let v = check(Datatype::RwRegister, Model::Serializable, &h);
    assert_eq!(
        v.validity,
        Validity::Valid,
        "{:?} {:#?}",
        v.reason,
        v.anomalies
    );
    let v = check(Datatype::RwRegister, Model::StrictSerializable, &h);
    assert_eq!(v.validity, Validity::Invalid, "{:?}", v.reason);
}
