//! Models of your own (`checkers::linearizable::open`): a CAS register written in a few
//! dozen lines as an open `Model`, with no shapes, gets the same verdict as the built-in one
//! (whose ops are shaped, so the search takes its shortcuts) on every etcd history of the
//! bundled Porcupine corpus and on seeded synthetic histories (valid ones, ones with a stale
//! read, ones with indeterminate ops); a lock written the same way catches two holders and
//! agrees with the lock checker's shaped mutex on random lock histories.

mod common;

use checkers::linearizable::open::Model;
use checkers::linearizable::{check, check_model, ModelKind, OpView, Options, Outcome};
use checkers::services::lock::model::Mutex;
use history::synth::{generate, SynthSpec};
use history::{format, Dialect, History, Key, Op, OpType, Validity};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A register with compare-and-set, as Jepsen's etcd tests use it: the built-in
/// cas-register's rules, in the open form.
#[derive(Clone)]
struct CasRegister;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RegOp {
    Read(String),
    Write(String),
    Cas(String, String),
    /// A CAS that completed with `fail` (Porcupine's dialect): it saw another value.
    CasFailed(String),
}

impl Model for CasRegister {
    type State = String;
    type Op = RegOp;

    fn name(&self) -> &'static str {
        "open-cas-register"
    }

    fn init(&self) -> String {
        "null".into()
    }

    fn op(&self, op: OpView) -> Result<Option<RegOp>, String> {
        Ok(Some(match (op.f, op.outcome) {
            ("read", Outcome::Ok) if op.result.is_null() && op.dialect == Dialect::Knossos => {
                return Ok(None)
            }
            ("read", Outcome::Ok) => RegOp::Read(op.result.to_string()),
            ("read", _) | ("write", Outcome::Fail) => return Ok(None),
            ("write", _) => RegOp::Write(op.value.to_string()),
            ("cas", outcome) => {
                let Some([from, to]) = op.value.as_array().map(Vec::as_slice) else {
                    return Err(format!("a cas needs [from, to], not {}", op.value));
                };
                if outcome == Outcome::Fail {
                    RegOp::CasFailed(from.to_string())
                } else {
                    RegOp::Cas(from.to_string(), to.to_string())
                }
            }
            (f, _) => return Err(format!("a register has no {f:?}")),
        }))
    }

    fn step(&self, state: &String, op: &RegOp) -> Option<String> {
        match op {
            RegOp::Read(v) => (state == v).then(|| state.clone()),
            RegOp::Write(v) => Some(v.clone()),
            RegOp::Cas(from, to) => (state == from).then(|| to.clone()),
            RegOp::CasFailed(from) => (state != from).then(|| state.clone()),
        }
    }
}

/// Both checkers' verdicts on one history.
fn both(h: &History) -> (Validity, Validity) {
    let opts = Options {
        model: Some(ModelKind::CasRegister),
        time_limit: Some(Duration::from_secs(60)),
        ..Options::default()
    };
    let builtin = check(h, &opts).expect("the built-in reads it");
    let mine = check_model(h, &CasRegister, &opts).expect("the open model reads it");
    assert_eq!(mine.model, "open-cas-register");
    (builtin.verdict.validity, mine.verdict.validity)
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/porcupine/jepsen")
}

#[test]
fn an_open_cas_register_agrees_with_the_built_in_on_the_etcd_corpus() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("the corpus")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut valid, mut invalid) = (0, 0);
    for f in &files {
        let (h, _) = format::read_path(f, None, None).expect("readable");
        let (builtin, mine) = both(&h);
        assert_eq!(mine, builtin, "{}", f.display());
        match mine {
            Validity::Valid => valid += 1,
            Validity::Invalid => invalid += 1,
            Validity::Unknown => panic!("{}: unknown", f.display()),
        }
    }
    assert!(files.len() >= 100, "{} files", files.len());
    assert!(valid > 0 && invalid > 0, "{valid} valid, {invalid} invalid");
}

#[test]
fn an_open_cas_register_agrees_with_the_built_in_on_synthetic_histories() {
    let mut invalid = 0;
    for seed in 0..60 {
        let spec = SynthSpec {
            seed,
            clients: 4,
            ops: 200,
            values: 4,
            cas_fraction: 0.3,
            info_fraction: if seed % 3 == 0 { 0.05 } else { 0.0 },
            stale_read: seed % 2 == 1,
            ..SynthSpec::default()
        };
        let h = generate(&spec).history;
        let (builtin, mine) = both(&h);
        assert_eq!(mine, builtin, "seed {seed}");
        invalid += usize::from(mine == Validity::Invalid);
    }
    assert!(
        invalid >= 10,
        "only {invalid} invalid histories: the test is too easy"
    );
}

/// A lock: free, or held by a process.
#[derive(Clone)]
struct Lock;

impl Model for Lock {
    type State = Option<u64>;
    type Op = (bool, u64);

    fn name(&self) -> &'static str {
        "lock"
    }

    fn init(&self) -> Option<u64> {
        None
    }

    fn op(&self, op: OpView) -> Result<Option<(bool, u64)>, String> {
        match (op.f, op.outcome) {
            (_, Outcome::Fail) => Ok(None),
            ("acquire", _) => Ok(Some((true, op.process))),
            ("release", _) => Ok(Some((false, op.process))),
            (f, _) => Err(format!("a lock has no {f:?}")),
        }
    }

    fn step(&self, held: &Option<u64>, &(acquire, p): &(bool, u64)) -> Option<Option<u64>> {
        match (acquire, held) {
            (true, None) => Some(Some(p)),
            (false, Some(q)) if *q == p => Some(None),
            _ => None,
        }
    }

    fn describe_op(&self, &(acquire, p): &(bool, u64)) -> String {
        format!("{} by {p}", if acquire { "acquire" } else { "release" })
    }
}

#[test]
fn a_lock_model_in_a_few_lines_catches_two_holders_and_passes_a_handover() {
    let op = |p, kind, f: &str| Op::client(p, kind, f, serde_json::Value::Null);
    use OpType::{Invoke, Ok};
    let handover = vec![
        op(0, Invoke, "acquire"),
        op(0, Ok, "acquire"),
        op(1, Invoke, "acquire"),
        op(0, Invoke, "release"),
        op(0, Ok, "release"),
        op(1, Ok, "acquire"),
    ];
    let h = History::from_ops(handover, Dialect::Schism).unwrap();
    let r = check_model(&h, &Lock, &Options::default()).unwrap();
    assert_eq!(r.verdict.validity, Validity::Valid);
    let two = vec![
        op(0, Invoke, "acquire"),
        op(0, Ok, "acquire"),
        op(1, Invoke, "acquire"),
        op(1, Ok, "acquire"),
    ];
    let h = History::from_ops(two, Dialect::Schism).unwrap();
    let r = check_model(&h, &Lock, &Options::default()).unwrap();
    assert_eq!(r.verdict.validity, Validity::Invalid);
    let why = &r.verdict.anomalies[0].explanation;
    assert!(why.contains("acquire by 1"), "{why}");
    let e = check_model(
        &History::from_ops(vec![op(0, Invoke, "steal")], Dialect::Schism).unwrap(),
        &Lock,
        &Options::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("a lock has no \"steal\""), "{e:?}");
}

#[test]
fn the_lock_checkers_shaped_mutex_agrees_with_a_lock_with_no_shapes() {
    let opts = Options {
        all_keys: true,
        ..Options::default()
    };
    let (mut valid, mut invalid, mut orphans) = (0, 0, 0);
    for seed in 0..1500 {
        let h = common::lock::lock_history(seed);
        let plain = check_model(&h, &Lock, &opts).unwrap().verdict.validity;
        let shaped = check_model(&h, &Mutex::default(), &opts).unwrap();
        assert_eq!(shaped.verdict.validity, plain, "seed {seed}");
        // As the lock checker checks it: its orphan acquires left out, the same verdict.
        let left_out = checkers::services::lock::orphans::orphans(&h);
        orphans += left_out.len();
        let mutex = Mutex {
            left_out: Arc::new(left_out),
        };
        let without = check_model(&h, &mutex, &opts).unwrap().verdict.validity;
        assert_eq!(without, plain, "seed {seed}");
        valid += usize::from(plain == Validity::Valid);
        invalid += usize::from(plain == Validity::Invalid);
    }
    assert!(
        valid > 300 && invalid > 100,
        "{valid} valid, {invalid} invalid"
    );
    assert!(orphans > 100, "{orphans} orphans");
}

/// Any model, with every op on one object whatever its key.
#[derive(Clone)]
struct Unkeyed<M>(M);

impl<M: Model> Model for Unkeyed<M> {
    type State = M::State;
    type Op = M::Op;

    fn name(&self) -> &'static str {
        "unkeyed"
    }

    fn init(&self) -> M::State {
        self.0.init()
    }

    fn op(&self, op: OpView) -> Result<Option<M::Op>, String> {
        self.0.op(op)
    }

    fn step(&self, state: &M::State, op: &M::Op) -> Option<M::State> {
        self.0.step(state, op)
    }

    fn key(&self, _op: &OpView) -> Option<Key> {
        None
    }
}

#[test]
fn a_model_says_which_object_an_op_belongs_to() {
    // Key 1 is written, key 2 read: not linearizable key by key, but one register.
    let op = |p, kind, f: &str, v| Op::client(p, kind, f, v);
    let ops = vec![
        op(0, OpType::Invoke, "write", json!(1)).with_key(Key::Int(1)),
        op(0, OpType::Ok, "write", json!(1)),
        op(1, OpType::Invoke, "read", json!(null)).with_key(Key::Int(2)),
        op(1, OpType::Ok, "read", json!(1)),
    ];
    let h = History::from_ops(ops, Dialect::Schism).unwrap();
    let opts = Options::default();
    let by_key = check_model(&h, &CasRegister, &opts).unwrap();
    assert_eq!(by_key.verdict.validity, Validity::Invalid);
    assert_eq!(by_key.keys.len(), 2);
    let one = check_model(&h, &Unkeyed(CasRegister), &opts).unwrap();
    assert_eq!(one.verdict.validity, Validity::Valid);
    assert_eq!((one.keys.len(), one.keys[0].key.clone()), (1, None));
}
