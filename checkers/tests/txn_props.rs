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
                // A cycle names exactly the two transactions the script made cross.
                if let Some(a) = v.anomalies.iter().find(|a| a.data.get("edges").is_some()) {
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
